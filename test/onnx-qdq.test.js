'use strict';
// quantizeModel mode 'qdq' (static QDQ quantization from calibration inputs), against real
// oracles: onnxruntime-node runs every output model and the float model (with the calibrated
// intermediates exposed as outputs, here in the test), and ONNX Runtime's quantize_static
// formulas are restated below in plain JS (MinMax calibration: min/max over all batches;
// quant_utils.compute_scale_zp in float64; the int8 symmetric per-channel weights of
// _calc_initializer_quant_params; quantize_bias_static_impl for int32 biases).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');
const { spawnSync } = require('node:child_process');
const qk = require('./support/quantkit');
const { buildModel, runModel, REAL_MODELS, ort } = require('./support/onnx-build');
const { onnx } = require('onnx-proto');
const { quantizeModel } = require('../dist/onnx');
const { writeNpz } = require('../dist/io');
const { requirePython, PYTHON, pythonEnv } = require('./support/oracles');
const { ortScaleZp, rint, rnd, initValues } = require('./support/qdq-ref');

// ---- plain-JS restatements of ORT's tool -------------------------------------------------
const f32 = Math.fround;
const ACT_RANGE = { uint8: [0, 255], int8: [-128, 127] };

// ---- models and data ---------------------------------------------------------------------
const i64 = (v) => new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer);

/** Conv(+bias) → Relu → MaxPool → Conv → Add(skip) → Sigmoid · Mul → Concat → GlobalAveragePool → Reshape → Gemm(transB) → MatMul. */
function convModel(opset = 13) {
  return buildModel({
    opset,
    inputs: [['x', 'float', [1, 3, 8, 8]]],
    outputs: [['y', 'float', [1, 6]]],
    initializers: [
      { name: 'W1', dims: [8, 3, 3, 3], float: rnd(216, 1, 0.4) }, { name: 'B1', dims: [8], float: rnd(8, 2, 0.2) },
      { name: 'W2', dims: [8, 8, 3, 3], float: rnd(576, 3, 0.2) }, { name: 'B2', dims: [8], float: rnd(8, 4, 0.1) },
      { name: 'G', dims: [10, 16], float: rnd(160, 5, 0.3) }, { name: 'GB', dims: [10], float: rnd(10, 6, 0.1) },
      { name: 'M', dims: [10, 6], float: rnd(60, 7, 0.5) }, { name: 'half', dims: [], float: Float32Array.of(0.5) },
      { name: 'shape', dims: [2], dataType: 'int64', raw: i64([1, 16]) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'W1', 'B1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Conv', inputs: ['p1', 'W2', 'B2'], outputs: ['c2'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['c2', 'p1'], outputs: ['a'] },
      { op: 'Sigmoid', inputs: ['a'], outputs: ['s'] },
      { op: 'Mul', inputs: ['s', 'half'], outputs: ['m'] },
      { op: 'Concat', inputs: ['m', 'p1'], outputs: ['cat'], attrs: { axis: 1 } },
      { op: 'GlobalAveragePool', inputs: ['cat'], outputs: ['g'] },
      { op: 'Reshape', inputs: ['g', 'shape'], outputs: ['f'] },
      { op: 'Gemm', inputs: ['f', 'G', 'GB'], outputs: ['h'], attrs: { transB: 1, beta: 0.75 } },
      { op: 'MatMul', inputs: ['h', 'M'], outputs: ['y'] },
    ],
  });
}
const convFeeds = (k, n = 4) => Array.from({ length: n }, (_, i) => ({ x: { data: rnd(192, 100 * k + i, 2), dims: [1, 3, 8, 8] } }));

function decode(bytes) {
  return onnx.ModelProto.decode(bytes);
}

/** Runs the float model with `names` exposed; returns per-name the list of outputs over feeds. */
async function floatIntermediates(model, names, feeds) {
  const m = decode(model);
  for (const n of names) if (!m.graph.output.some((o) => o.name === n) && !m.graph.input.some((i) => i.name === n)) m.graph.output.push(onnx.ValueInfoProto.create({ name: n }));
  const bytes = onnx.ModelProto.encode(m).finish();
  const out = new Map(names.map((n) => [n, []]));
  for (const f of feeds) {
    const r = await runModel(bytes, f, { graphOptimizationLevel: 'disabled' });
    for (const n of names) out.get(n).push(f[n] ? f[n].data : r[n].data);
  }
  return out;
}

function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}
function sqnr(ref, x) {
  let s = 0, e = 0;
  for (let i = 0; i < ref.length; i++) { s += ref[i] * ref[i]; e += (ref[i] - x[i]) ** 2; }
  return 10 * Math.log10(s / e);
}
async function closeness(floatModel, qModel, feeds, output) {
  const a = [], b = [];
  for (const f of feeds) {
    a.push(...(await runModel(floatModel, f))[output].data);
    b.push(...(await runModel(qModel, f))[output].data);
  }
  return { cos: cosine(a, b), sqnr: sqnr(a, b) };
}

/** The activation Q nodes of a QDQ model: tensor name (before renames) → { scaleName, zpName }. */
function activationQs(m) {
  const out = new Map();
  for (const n of m.graph.node) {
    if (n.opType !== 'QuantizeLinear') continue;
    const t = n.input[0].replace(/_QuantizeLinear_Input$/, '');
    out.set(t, { scale: n.input[1], zp: n.input[2] });
  }
  return out;
}

describe(`quantizeModel mode 'qdq' (${qk.backend.name} backend)`, function () {
  this.timeout(60000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-qdq-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const activationType of ['uint8', 'int8']) {
    it(`activation scales and zero points equal ORT's MinMax calibration + compute_scale_zp (${activationType})`, async () => {
      const model = convModel();
      const feeds = convFeeds(1);
      const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds, activationType });
      const m = decode(r.bytes);
      const qs = activationQs(m);
      // Every activation ORT's QDQ registry marks here: x, Relu's output r1 (the Relu is removed
      // and c1 with it), p1 (MaxPool output, sharing r1's parameters), c2, a, s, m, cat, g,
      // f (Reshape output, sharing g's), h, y; the Mul's constant 'half' is a DQ'd initializer.
      assert.deepEqual([...qs.keys()].sort(), ['a', 'c2', 'cat', 'f', 'g', 'h', 'm', 'p1', 'r1', 's', 'x', 'y'].sort());
      assert.ok(!m.graph.node.some((n) => n.opType === 'Relu'), 'the Relu is removed (QDQRemovableActivation)');
      assert.equal(qs.get('p1').scale, 'r1_scale');
      assert.equal(qs.get('f').scale, 'g_scale');
      const own = [...qs].filter(([t, q]) => q.scale === `${t}_scale`).map(([t]) => t);
      const inter = await floatIntermediates(model, own, feeds);
      const [qmin, qmax] = ACT_RANGE[activationType];
      for (const t of own) {
        let lo = Infinity, hi = -Infinity;
        for (const batch of inter.get(t)) for (const v of batch) { if (v < lo) lo = v; if (v > hi) hi = v; }
        const want = ortScaleZp(lo, hi, qmin, qmax, false);
        const scale = initValues(m, qs.get(t).scale);
        const zp = initValues(m, qs.get(t).zp);
        assert.deepEqual(scale.dims, [], `${t} scale is a scalar`);
        assert.equal(zp.dataType, activationType === 'uint8' ? 2 : 3);
        assert.equal(scale.data[0], want.scale, `${t} scale`);
        assert.equal(zp.data[0], want.zp, `${t} zero point`);
      }
    });
  }

  it('weights are int8 symmetric per channel (Conv axis 0, Gemm transB axis 0, MatMul axis 1) and biases int32 at input_scale × weight_scale (Gemm: codes of beta × C)', async () => {
    const model = convModel();
    const r = await quantizeModel(model, { mode: 'qdq', calibration: convFeeds(2) });
    const m = decode(r.bytes);
    const src = decode(model);
    const floats = (n) => { const t = src.graph.initializer.find((x) => x.name === n); return new Float32Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength)); };
    for (const [w, axis, dims] of [['W1', 0, [8, 3, 3, 3]], ['W2', 0, [8, 8, 3, 3]], ['G', 0, [10, 16]], ['M', 1, [10, 6]]]) {
      const dq = m.graph.node.find((n) => n.opType === 'DequantizeLinear' && n.input[0] === `${w}_quantized`);
      assert.ok(dq, `${w} has a DequantizeLinear`);
      assert.equal(Number(dq.attribute.find((a) => a.name === 'axis').i), axis);
      const q = initValues(m, `${w}_quantized`);
      const s = initValues(m, `${w}_scale`);
      const z = initValues(m, `${w}_zero_point`);
      assert.equal(q.dataType, 3);
      assert.deepEqual(q.dims, dims);
      const x = floats(w);
      const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
      const d = dims[axis];
      for (let c = 0; c < d; c++) {
        const idx = [];
        for (let i = 0; i < x.length; i++) if (Math.floor(i / inner) % d === c) idx.push(i);
        let lo = Infinity, hi = -Infinity;
        for (const i of idx) { lo = Math.min(lo, x[i]); hi = Math.max(hi, x[i]); }
        const want = ortScaleZp(lo, hi, -127, 127, true);
        assert.equal(s.data[c], want.scale, `${w} scale[${c}]`);
        assert.equal(z.data[c], 0);
        for (const i of idx) assert.equal(q.data[i], Math.max(-128, Math.min(127, rint(f32(x[i] / want.scale)))), `${w}[${i}]`);
      }
    }
    // Biases: scale = fl(x_scale · w_scale[c]), codes of fl(beta · b) (beta folded into the codes; the Gemm's beta becomes 1).
    for (const [b, input, w, beta] of [['B1', 'x', 'W1', 1], ['B2', 'p1', 'W2', 1], ['GB', 'f', 'G', 0.75]]) {
      const qs = activationQs(m);
      const inScale = initValues(m, qs.get(input).scale).data[0];
      const ws = initValues(m, `${w}_scale`).data;
      const bq = initValues(m, `${b}_quantized`);
      const bs = initValues(m, `${b}_quantized_scale`);
      assert.equal(bq.dataType, 6);
      const x = floats(b);
      for (let c = 0; c < x.length; c++) {
        const scale = f32(inScale * ws[c]);
        assert.equal(bs.data[c], scale, `${b} scale[${c}]`);
        assert.equal(bq.data[c], rint(f32(beta * x[c]) / scale), `${b}[${c}]`);
      }
      assert.ok(m.graph.node.some((n) => n.opType === 'DequantizeLinear' && n.output[0] === b));
    }
    const gemm = m.graph.node.find((n) => n.opType === 'Gemm');
    assert.equal(gemm.attribute.find((a) => a.name === 'beta').f, 1);
    assert.equal(r.opsetAfter, 13);
  });

  it('output models run in ORT close to the float model (conv net per-channel and per-tensor, int8 activations)', async () => {
    const model = convModel();
    const test = convFeeds(9, 3);
    for (const opts of [{}, { perChannel: false }, { activationType: 'int8' }, { reduceRange: true }]) {
      const r = await quantizeModel(model, { mode: 'qdq', calibration: convFeeds(3, 8), ...opts });
      const c = await closeness(model, r.bytes, test, 'y');
      assert.ok(c.cos > 0.99, `${JSON.stringify(opts)}: cosine ${c.cos}`);
      assert.ok(c.sqnr > 15, `${JSON.stringify(opts)}: SQNR ${c.sqnr} dB`);
    }
  });

  it('a MatMul/Gemm model (2-D, dynamic batch) runs close to the float model', async () => {
    const model = buildModel({
      opset: 13,
      inputs: [['x', 'float', ['n', 32]]],
      outputs: [['y', 'float', ['n', 8]]],
      initializers: [{ name: 'A', dims: [32, 64], float: rnd(2048, 11, 0.3) }, { name: 'C', dims: [8, 64], float: rnd(512, 12, 0.2) }, { name: 'Cb', dims: [8], float: rnd(8, 13, 0.5) }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'A'], outputs: ['h'] },
        { op: 'Relu', inputs: ['h'], outputs: ['hr'] },
        { op: 'Gemm', inputs: ['hr', 'C', 'Cb'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    });
    const feeds = Array.from({ length: 6 }, (_, k) => ({ x: { data: rnd(4 * 32, 50 + k), dims: [4, 32] } }));
    const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
    const c = await closeness(model, r.bytes, feeds.slice(0, 3), 'y');
    assert.ok(c.cos > 0.995 && c.sqnr > 20, `cosine ${c.cos}, SQNR ${c.sqnr}`);
  });

  it("a MatMul whose constant B is 3-D goes per tensor (ORT's QLinearMatMul takes per-channel B only in 2-D) and runs in ORT at default options", async () => {
    const model = buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 4, 64]]],
      outputs: [['y', 'float', [2, 4, 16]]],
      initializers: [{ name: 'B3', dims: [2, 64, 16], float: rnd(2048, 21, 0.3) }],
      nodes: [{ op: 'MatMul', inputs: ['x', 'B3'], outputs: ['y'] }],
    });
    const feeds = Array.from({ length: 4 }, (_, k) => ({ x: { data: rnd(512, 60 + k), dims: [2, 4, 64] } }));
    const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
    // Default session options: ORT fuses DQ → MatMul into QLinearMatMul, which checks B's parameters.
    const c = await closeness(model, r.bytes, feeds.slice(0, 2), 'y');
    assert.ok(c.cos > 0.99, `cosine ${c.cos}`);
    assert.equal(r.changed.length, 1);
    assert.match(r.changed[0].as, /int8 per-tensor weights\): B 'B3' has rank 3, and ONNX Runtime's QLinearMatMul takes per-channel weights only for a 2-D B/);
    const m = decode(r.bytes);
    const dq = m.graph.node.find((n) => n.opType === 'DequantizeLinear' && n.input[0] === 'B3_quantized');
    assert.ok(!dq.attribute.some((a) => a.name === 'axis'), 'no axis: per tensor');
    // ORT's quantize_weight_tensor: int8 symmetric over the whole tensor (compute_scale_zp, qmin -127).
    const x = decode(model).graph.initializer[0];
    const b = new Float32Array(x.rawData.buffer.slice(x.rawData.byteOffset, x.rawData.byteOffset + x.rawData.byteLength));
    let lo = Infinity, hi = -Infinity;
    for (const v of b) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const want = ortScaleZp(lo, hi, -127, 127, true);
    assert.deepEqual(Array.from(initValues(m, 'B3_scale').data), [want.scale]);
    const q = initValues(m, 'B3_quantized');
    assert.deepEqual(q.dims, [2, 64, 16]);
    for (let i = 0; i < b.length; i++) assert.equal(q.data[i], Math.max(-128, Math.min(127, rint(f32(b[i] / want.scale)))), `B3[${i}]`);
  });

  // A page for PaddleOCR det: light background, dark bars of "text", normalized as PaddleOCR does.
  function page(seed, S = 96) {
    let x = seed >>> 0;
    const r = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const g = new Float32Array(S * S).fill(0.92);
    for (let k = 0; k < 5; k++) {
      const y0 = Math.floor(r() * (S - 10)), x0 = Math.floor(r() * (S / 2)), w = 20 + Math.floor(r() * (S / 2)), h = 4 + Math.floor(r() * 5);
      for (let y = y0; y < y0 + h; y++) for (let xx = x0; xx < Math.min(S, x0 + w); xx++) if ((xx >> 1) % 3) g[y * S + xx] = 0.1 + 0.1 * r();
    }
    const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    const d = new Float32Array(3 * S * S);
    for (let c = 0; c < 3; c++) for (let i = 0; i < S * S; i++) d[c * S * S + i] = (g[i] - mean[c]) / std[c];
    return { x: { data: d, dims: [1, 3, S, S] } };
  }

  it("Relu/Clip: skipped on an unquantized input, kept when its input feeds more or is a graph output (which keeps its own range: a deviation from ORT's adjust_tensor_ranges); excludeOp respected", async () => {
    const model = buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 16]]],
      outputs: [['y', 'float', [2, 16]], ['h', 'float', [2, 16]]],
      initializers: [{ name: 'A', dims: [16, 16], float: rnd(256, 21, 0.3) }, { name: 'B', dims: [16, 16], float: rnd(256, 22, 0.3) },
        { name: 'lo', dims: [], float: Float32Array.of(0) }, { name: 'hi', dims: [], float: Float32Array.of(6) }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['rx'] },
        { op: 'MatMul', inputs: ['rx', 'A'], outputs: ['h'] },
        { op: 'Relu', inputs: ['h'], outputs: ['r'] },
        { op: 'MatMul', inputs: ['r', 'B'], outputs: ['h2'] },
        { op: 'Clip', inputs: ['h2', 'lo', 'hi'], outputs: ['r2'] },
        { op: 'Add', inputs: ['h2', 'r2'], outputs: ['s'] },
        { op: 'Sigmoid', inputs: ['s'], outputs: ['y'] },
      ],
    });
    const feeds = [0, 1, 2].map((k) => ({ x: { data: rnd(32, 70 + k, 3), dims: [2, 16] } }));
    const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds, excludeOp: ['Sigmoid'] });
    const m = decode(r.bytes);
    assert.equal(m.graph.node.filter((n) => n.opType === 'Relu' || n.opType === 'Clip').length, 3, 'no Relu/Clip removed');
    const qs = activationQs(m);
    assert.deepEqual([...qs.keys()].sort(), ['h', 'h2', 'r', 'r2', 'rx', 's'], 'x (under a Relu of nothing quantized) and y (excluded Sigmoid) stay float');
    const inter = await floatIntermediates(model, ['r', 'h', 'h2'], feeds);
    const range = (t) => { let lo = Infinity, hi = -Infinity; for (const b of inter.get(t)) for (const v of b) { lo = Math.min(lo, v); hi = Math.max(hi, v); } return [lo, hi]; };
    assert.ok(range('h')[0] < 0, 'h has negative values, which the Relu range would clip');
    const want = ortScaleZp(...range('h'), 0, 255, false);
    assert.equal(initValues(m, qs.get('h').scale).data[0], want.scale, "graph output h keeps its own range (ORT's rule would give it the Relu output's and clip its negative values)");
    assert.equal(initValues(m, qs.get('h').zp).data[0], want.zp);
    const ch = await closeness(model, r.bytes, feeds, 'h');
    assert.ok(ch.cos > 0.999, `h cosine ${ch.cos}`);
    const w2 = ortScaleZp(...range('h2'), 0, 255, false);
    assert.equal(initValues(m, qs.get('h2').scale).data[0], w2.scale, 'h2 (two consumers) keeps its own range');
    assert.equal(initValues(m, qs.get('h2').zp).data[0], w2.zp);
    const c = await closeness(model, r.bytes, feeds, 'y');
    assert.ok(c.cos > 0.999, `cosine ${c.cos}`);
  });

  it('PaddleOCR det (opset 11, per-tensor weights) runs in ORT and its text mask tracks the float model', async function () {
    const r = await quantizeModel(REAL_MODELS.det, { mode: 'qdq', perChannel: false, calibration: [page(1), page(2), page(3)] });
    assert.equal(r.opsetAfter, 11);
    assert.ok(r.changed.some((c) => c.opType === 'Conv') && r.changed.some((c) => c.opType === 'ConvTranspose'));
    assert.ok(r.changed.some((c) => c.opType === 'Clip' && /removed/.test(c.as)));
    const f = (await runModel(REAL_MODELS.det, page(9)))['sigmoid_0.tmp_0'].data;
    const q = (await runModel(r.bytes, page(9)))['sigmoid_0.tmp_0'].data;
    let agree = 0;
    for (let i = 0; i < f.length; i++) if ((f[i] > 0.3) === (q[i] > 0.3)) agree++;
    // Per-tensor int8 weights on PP-OCR's depthwise convs lose much (measured: cosine 0.74 on the
    // probability map, 8-bit per-channel 0.90): the bounds say it runs and keeps the DB text mask
    // (threshold 0.3) on ~95% of pixels of an unseen page.
    assert.ok(cosine(f, q) > 0.6, `cosine ${cosine(f, q)}`);
    assert.ok(agree / f.length > 0.9, `mask agreement ${agree / f.length}`);
  });

  it('excluded nodes are listed in skipped, as in the other modes; calibration progress counts the runs of an array', async () => {
    const model = buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 16]]],
      outputs: [['y', 'float', [2, 16]]],
      initializers: [{ name: 'A', dims: [16, 16], float: rnd(256, 31, 0.3) }, { name: 'B', dims: [16, 16], float: rnd(256, 32, 0.3) }],
      nodes: [{ op: 'MatMul', name: 'first', inputs: ['x', 'A'], outputs: ['h'] }, { op: 'MatMul', name: 'second', inputs: ['h', 'B'], outputs: ['y'] }],
    });
    const feeds = [0, 1, 2].map((k) => ({ x: { data: rnd(32, 80 + k, 2), dims: [2, 16] } }));
    const calls = [];
    const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds, excludeNode: ['second'], onProgress: (done, total, label) => calls.push([done, total, label]) });
    assert.deepEqual(r.skipped.map((k) => [k.node, k.reason]), [['second', "excluded by excludeNode 'second'"]]);
    assert.deepEqual(r.changed.map((c) => c.node), ['first']);
    assert.deepEqual(calls, [[1, 3, 'calibration run 1 of 3'], [2, 3, 'calibration run 2 of 3'], [3, 3, 'calibration run 3 of 3']]);
    // A generator's length is unknown: total 0.
    const seen = [];
    await quantizeModel(model, { mode: 'qdq', calibration: (function* () { yield* feeds; })(), onProgress: (done, total) => seen.push(total) });
    assert.deepEqual(seen, [0, 0, 0]);
  });

  it('a tensor whose element type quantkit infers wrongly: calibration reads the types from ONNX Runtime instead', async () => {
    // NonMaxSuppression writes int64 indices; quantkit's type rules take them as its input's
    // float32, so the Add on them looks like a float32 candidate until ORT says otherwise.
    const n = 6;
    const model = buildModel({
      opset: 13,
      inputs: [['boxes', 'float', [1, n, 4]], ['scores', 'float', [1, 1, n]]],
      outputs: [['y', 'float']],
      initializers: [{ name: 'one', dims: [], dataType: 'int64', raw: new Uint8Array(BigInt64Array.of(1n).buffer) }, { name: 'k', dims: [1], dataType: 'int64', raw: new Uint8Array(BigInt64Array.of(3n).buffer) }, { name: 'two', dims: [], float: Float32Array.of(2) }],
      nodes: [
        { op: 'NonMaxSuppression', inputs: ['boxes', 'scores', 'k'], outputs: ['sel'] },
        { op: 'Add', inputs: ['sel', 'one'], outputs: ['s1'] },
        { op: 'Cast', inputs: ['s1'], outputs: ['f'], attrs: { to: 1 } },
        { op: 'Mul', inputs: ['f', 'two'], outputs: ['y'] },
      ],
    });
    const feeds = [0, 1].map((k) => ({
      boxes: { data: Float32Array.from({ length: n * 4 }, (_, i) => (i % 4 < 2 ? (i >> 2) * 2 + k : (i >> 2) * 2 + 1 + k)), dims: [1, n, 4] },
      scores: { data: Float32Array.from({ length: n }, (_, i) => 1 - i / 10), dims: [1, 1, n] },
    }));
    const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
    assert.deepEqual(r.changed.map((c) => c.opType), ['Mul']);
    const ref = await runModel(model, feeds[0]);
    const got = await runModel(r.bytes, feeds[0]);
    assert.equal(got.y.data.length, ref.y.data.length);
    got.y.data.forEach((v, i) => assert.ok(Math.abs(v - ref.y.data[i]) <= 0.1, `y[${i}] ${v} vs ${ref.y.data[i]}`));
  });

  it('calibration from a .npz equals calibration from the same feeds (stacked samples and batch-axis split)', async () => {
    const model = convModel();
    const feeds = convFeeds(4, 3);
    const fromIter = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
    const stack = new Float32Array(3 * 192);
    feeds.forEach((f, i) => stack.set(f.x.data, i * 192));
    const bytes = new Uint8Array(stack.buffer);
    const stacked = path.join(tmp, 'stacked.npz');
    await writeNpz(stacked, [{ name: 'x', type: 'f32', shape: [3, 1, 3, 8, 8], byteLength: bytes.length, data: bytes }]);
    const split = path.join(tmp, 'split.npz');
    await writeNpz(split, [{ name: 'x', type: 'f32', shape: [3, 3, 8, 8], byteLength: bytes.length, data: bytes }]);
    for (const file of [stacked, split]) {
      const fromNpz = await quantizeModel(model, { mode: 'qdq', calibration: file });
      assert.deepEqual(Buffer.from(fromNpz.bytes), Buffer.from(fromIter.bytes), file);
    }
    // An async iterable of onnxruntime Tensors gives the same model too.
    async function* tensors() { for (const f of feeds) yield { x: new ort.Tensor('float32', f.x.data, f.x.dims) }; }
    const fromAsync = await quantizeModel(model, { mode: 'qdq', calibration: tensors() });
    assert.deepEqual(Buffer.from(fromAsync.bytes), Buffer.from(fromIter.bytes));
  });

  it('a .npz written by numpy feeds the same calibration', async function () {
    requirePython(this, 'numpy');
    const feeds = convFeeds(5, 2);
    const raw = path.join(tmp, 'x.f32');
    fs.writeFileSync(raw, Buffer.concat(feeds.map((f) => Buffer.from(f.x.data.buffer))));
    const file = path.join(tmp, 'numpy.npz');
    const { status, stderr } = spawnSync(PYTHON, ['-c', `import numpy as np; np.savez_compressed(${JSON.stringify(file)}, x=np.fromfile(${JSON.stringify(raw)}, dtype='<f4').reshape(2, 1, 3, 8, 8))`], { env: pythonEnv });
    assert.equal(status, 0, String(stderr));
    const model = convModel();
    const a = await quantizeModel(model, { mode: 'qdq', calibration: file });
    const b = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
    assert.deepEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
  });

  describe('bad calibration input: a clear error, nothing written', () => {
    const model = convModel();
    // A fresh path per call: a test that wrongly writes cannot make the next one fail.
    let outs = 0;
    const out = () => path.join(tmp, `never-${++outs}.onnx`);
    const refuses = async (calibration, cls, re) => {
      const file = out();
      await assert.rejects(quantizeModel(model, { mode: 'qdq', calibration, output: file }), (e) => e instanceof cls && re.test(e.message));
      assert.ok(!fs.existsSync(file), 'nothing written');
    };
    it('a feed naming no input of the model', () => refuses([{ x: { data: new Float32Array(192), dims: [1, 3, 8, 8] }, z: { data: new Float32Array(1), dims: [1] } }], RangeError, /feed 0: the feed names 'z', which is not an input of the model \(its inputs: 'x' \[1, 3, 8, 8\]\)/));
    it('a feed missing an input', () => refuses([{ y: { data: new Float32Array(1), dims: [1] } }], RangeError, /'y', which is not an input/));
    it('a feed of the wrong shape names the input and both shapes', () => refuses([...convFeeds(1, 1), { x: { data: new Float32Array(3 * 64), dims: [1, 3, 4, 16] } }], RangeError, /feed 1: model input 'x' has shape \[1, 3, 8, 8\] but the feed's dims are \[1, 3, 4, 16\]/));
    it('data that does not fill the dims', () => refuses([{ x: { data: new Float32Array(10), dims: [1, 3, 8, 8] } }], RangeError, /input 'x' dims \[1, 3, 8, 8\] need 192 values but its data holds 10/));
    it('data of the wrong type', () => refuses([{ x: { data: new Float64Array(192), dims: [1, 3, 8, 8] } }], TypeError, /model input 'x' is float: expected its data to be a Float32Array but received a Float64Array/));
    it('an empty calibration set', () => refuses([], Error, /options.calibration gave no feed/));
    it('a .npz member that is no input, or of another shape', async () => {
      const bytes = new Uint8Array(new Float32Array(2 * 192).buffer);
      const f1 = path.join(tmp, 'bad1.npz');
      await writeNpz(f1, [{ name: 'img', type: 'f32', shape: [2, 1, 3, 8, 8], byteLength: bytes.length, data: bytes }]);
      await refuses(f1, RangeError, /member 'img' is not an input of the model/);
      const f2 = path.join(tmp, 'bad2.npz');
      await writeNpz(f2, [{ name: 'x', type: 'f32', shape: [2, 1, 3, 64], byteLength: bytes.length, data: bytes }]);
      await refuses(f2, RangeError, /model input 'x' has shape \[1, 3, 8, 8\] but the feed's dims are \[1, 1, 3, 64\]/);
    });
    it('an all-NaN feed: an Error naming the tensors without a finite value and the NaN input', () => refuses(
      [{ x: { data: new Float32Array(192).fill(NaN), dims: [1, 3, 8, 8] } }], Error,
      /^calibrating tensors 'x', .*: no finite value in 1 calibration run \(only NaN or empty batches\).*; the calibration inputs hold NaN: input 'x' of options.calibration feed 0 is all NaN$/));
    it('a zero-size dim in a fixed input dim: refused by the feed check, naming the input and the dims', () => refuses(
      [{ x: { data: new Float32Array(0), dims: [1, 3, 8, 0] } }], RangeError, /feed 0: model input 'x' has shape \[1, 3, 8, 8\] but the feed's dims are \[1, 3, 8, 0\]/));
    // Input width symbolic: 0 may be legal (an empty past, say), so ORT decides; its error comes with the feed, input and dims.
    const symbolic = () => buildModel({
      opset: 13,
      inputs: [['x', 'float', [1, 3, 8, 'w']]],
      outputs: [['y', 'float', [1, 4, 8, 'w']]],
      initializers: [{ name: 'W', dims: [4, 3, 3, 3], float: rnd(108, 3, 0.3) }],
      nodes: [{ op: 'Conv', inputs: ['x', 'W'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } }, { op: 'Relu', inputs: ['c'], outputs: ['y'] }],
    });
    const zeroRe = /^options.calibration feed 1: input 'x' has dims \[1, 3, 8, 0\], a zero-size tensor, and ONNX Runtime cannot run the model on it \(calibration run 1: .*Conv/;
    it('a zero-size dim in a symbolic input dim: ORT\'s error wrapped with the feed, the input and its dims', async () => {
      const cal = [{ x: { data: rnd(192, 1), dims: [1, 3, 8, 8] } }, { x: { data: new Float32Array(0), dims: [1, 3, 8, 0] } }];
      const file = out();
      await assert.rejects(quantizeModel(symbolic(), { mode: 'qdq', calibration: cal, output: file }), (e) => e instanceof RangeError && zeroRe.test(e.message));
      assert.ok(!fs.existsSync(file), 'nothing written');
    });
    it("ONNX Runtime's own log stays off stderr when quantkit reports the error (child process)", () => {
      const file = path.join(tmp, 'symbolic.onnx');
      fs.writeFileSync(file, symbolic());
      const script = `require(${JSON.stringify(path.join(__dirname, '../dist/onnx'))}).quantizeModel(${JSON.stringify(file)}, { mode: 'qdq', calibration: [{ x: { data: new Float32Array(0), dims: [1, 3, 8, 0] } }] })
        .then(() => process.exit(3), (e) => { process.stdout.write(e.message); process.exit(0); });`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env } });
      assert.equal(r.status, 0, `child: ${r.stdout} ${r.stderr}`);
      assert.equal(r.stderr, '', 'nothing on stderr');
      assert.match(r.stdout, /input 'x' has dims \[1, 3, 8, 0\], a zero-size tensor/);
    });
    // x → Mul(x, x) = 'sq' (overflows to Infinity at x = 1e20) → Add → y.
    const overflow = () => buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 8]]],
      outputs: [['y', 'float', [2, 8]]],
      initializers: [{ name: 'one', dims: [], float: Float32Array.of(1) }],
      nodes: [{ op: 'Mul', inputs: ['x', 'x'], outputs: ['sq'] }, { op: 'Add', inputs: ['sq', 'one'], outputs: ['y'] }],
    });
    const bigAt7 = () => { const d = rnd(16, 5); d[7] = 1e20; return d; };
    it('Infinity in an intermediate: the error names the tensor, the run, the feed and the element', async () => {
      const cal = [{ x: { data: bigAt7(), dims: [2, 8] } }];
      const file = out();
      await assert.rejects(quantizeModel(overflow(), { mode: 'qdq', calibration: cal, output: file }),
        (e) => e instanceof RangeError && /^calibrating tensor 'sq' on run 0 \(options.calibration feed 0\): expected finite float32 values \(NaN is ignored\) but 'sq'\[0, 7\] = Infinity/.test(e.message) && !/\bx\[/.test(e.message));
      assert.ok(!fs.existsSync(file), 'nothing written');
    });
    it('Infinity in an intermediate, calibrated from a .npz: the error names the file and the sample', async () => {
      const file = path.join(tmp, 'inf.npz');
      const d = new Float32Array(2 * 16);
      d.set(rnd(16, 4), 0);
      d.set(bigAt7(), 16);
      const bytes = new Uint8Array(d.buffer);
      await writeNpz(file, [{ name: 'x', type: 'f32', shape: [2, 2, 8], byteLength: bytes.length, data: bytes }]);
      const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const outFile = out();
      await assert.rejects(quantizeModel(overflow(), { mode: 'qdq', calibration: file, output: outFile }),
        (e) => e instanceof RangeError && new RegExp(`^calibrating tensor 'sq' on run 1 \\(options.calibration ${esc} sample 1\\): .*'sq'\\[0, 7\\] = Infinity`).test(e.message));
      assert.ok(!fs.existsSync(outFile), 'nothing written');
      // The .npz is closed on the failure, also when the first run fails (it stayed open until
      // garbage collection: trial finding).
      const first = path.join(tmp, 'inf0.npz');
      d.set(bigAt7(), 0);
      await writeNpz(first, [{ name: 'x', type: 'f32', shape: [2, 2, 8], byteLength: bytes.length, data: bytes }]);
      await assert.rejects(quantizeModel(overflow(), { mode: 'qdq', calibration: first }), /on run 0 \(options.calibration .*inf0\.npz sample 0\)/);
      const open = fs.readdirSync('/proc/self/fd').filter((fd) => { try { return [file, first].includes(fs.readlinkSync(`/proc/self/fd/${fd}`)); } catch { return false; } });
      assert.deepEqual(open, [], 'no descriptor left open on the .npz files');
    });
    it('onnxruntime-node missing: an Error telling to npm install it', async () => {
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === 'onnxruntime-node') { const e = new Error(`Cannot find module '${request}'`); e.code = 'MODULE_NOT_FOUND'; throw e; }
        return resolve.call(this, request, ...rest);
      };
      try {
        await refuses(convFeeds(1, 1), Error, /onnxruntime-node could not be loaded .*`npm install onnxruntime-node`/);
      } finally {
        Module._resolveFilename = resolve;
      }
    });
  });

  for (const method of ['percentile', 'entropy', 'mse']) {
    it(`method '${method}' calibrates a model that runs close to the float one`, async () => {
      const model = convModel();
      // One outlier pixel per batch: minmax's range stretches to it, the histogram methods' do not.
      const cal = convFeeds(6, 3).map((f, k) => { const d = f.x.data.slice(); d[k * 7] = 40; return { x: { data: d, dims: f.x.dims } }; });
      // (ORT's entropy default of 128 bins leaves no room below 128 levels: the range stays whole; 2048 here.)
      const extra = { percentile: { percentile: 99 }, entropy: { bins: 2048 }, mse: {} }[method];
      const r = await quantizeModel(model, { mode: 'qdq', calibration: cal, method, ...extra });
      const c = await closeness(model, r.bytes, convFeeds(7, 2), 'y');
      assert.ok(c.cos > 0.98, `cosine ${c.cos}`);
      const min = await quantizeModel(model, { mode: 'qdq', calibration: cal });
      const xScale = (b) => initValues(decode(b), 'x_scale').data[0];
      assert.notDeepEqual(Buffer.from(r.bytes), Buffer.from(min.bytes), `'${method}' gives other ranges than minmax`);
      if (method !== 'entropy') assert.ok(xScale(r.bytes) < xScale(min.bytes), `'${method}' clips the outlier: x_scale ${xScale(r.bytes)} vs minmax ${xScale(min.bytes)}`);
    });
  }

  // Nodes inside If branches: test/onnx-qdq-subgraph.test.js.

  describe('fixes: shared weights, Gemm beta, input-as-output, float16, empty batch', () => {
    const feedsOf = (seed, n, dims) => Array.from({ length: n }, (_, k) => ({ x: { data: rnd(dims.reduce((a, b) => a * b, 1), seed + k, 2), dims } }));
    /** Cosine of every output of `q` against the float model, at ORT's default session options and with optimizations off. */
    async function agreesEverywhere(model, q, feeds, outputs, min) {
      for (const opts of [{}, { graphOptimizationLevel: 'disabled' }]) {
        for (const o of outputs) {
          const a = [], b = [];
          for (const f of feeds) {
            a.push(...(await runModel(model, f, opts))[o].data);
            b.push(...(await runModel(q, f, opts))[o].data);
          }
          const c = cosine(a, b);
          assert.ok(c > min, `${o} at ${JSON.stringify(opts)}: cosine ${c}`);
        }
      }
    }

    it('a weight shared by MatMul (axis 1) and Gemm transB=1 (axis 0) gets one quantized copy per axis, each consumer its own', async () => {
      const model = buildModel({
        opset: 13,
        inputs: [['x', 'float', [4, 16]]],
        outputs: [['y1', 'float', [4, 16]], ['y2', 'float', [4, 16]]],
        // Rows of W of very different magnitudes: per-channel along the wrong axis is far off.
        initializers: [{ name: 'W', dims: [16, 16], float: rnd(256, 31, 0.5).map((v, i) => v * (1 + 8 * ((i >> 4) % 3))) }],
        nodes: [
          { op: 'MatMul', inputs: ['x', 'W'], outputs: ['y1'] },
          { op: 'Gemm', inputs: ['x', 'W'], outputs: ['y2'], attrs: { transB: 1 } },
        ],
      });
      const feeds = feedsOf(80, 4, [4, 16]);
      const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
      const m = decode(r.bytes);
      const dqs = m.graph.node.filter((n) => n.opType === 'DequantizeLinear' && /^W_quantized/.test(n.input[0]));
      assert.equal(dqs.length, 2, 'two quantized copies of W');
      const axisOf = (n) => Number(n.attribute.find((a) => a.name === 'axis').i);
      const byOut = new Map(dqs.map((n) => [n.output[0], n]));
      const mm = m.graph.node.find((n) => n.opType === 'MatMul');
      const gemm = m.graph.node.find((n) => n.opType === 'Gemm');
      assert.equal(axisOf(byOut.get(mm.input[1])), 1, 'MatMul reads W per channel along N (axis 1)');
      assert.equal(axisOf(byOut.get(gemm.input[1])), 0, 'Gemm transB=1 reads W per channel along N (axis 0)');
      // Each copy is ORT's int8 symmetric per-channel quantization along its own axis.
      const src = decode(model).graph.initializer[0];
      const x = new Float32Array(src.rawData.buffer.slice(src.rawData.byteOffset, src.rawData.byteOffset + src.rawData.byteLength));
      for (const dq of dqs) {
        const axis = axisOf(dq);
        const s = initValues(m, dq.input[1]).data;
        const q = initValues(m, dq.input[0]).data;
        for (let c = 0; c < 16; c++) {
          let lo = Infinity, hi = -Infinity;
          for (let k = 0; k < 16; k++) { const v = x[axis === 0 ? c * 16 + k : k * 16 + c]; lo = Math.min(lo, v); hi = Math.max(hi, v); }
          const want = ortScaleZp(lo, hi, -127, 127, true);
          assert.equal(s[c], want.scale, `${dq.input[0]} scale[${c}]`);
          for (let k = 0; k < 16; k++) { const i = axis === 0 ? c * 16 + k : k * 16 + c; assert.equal(q[i], Math.max(-128, Math.min(127, rint(f32(x[i] / want.scale))))); }
        }
      }
      await agreesEverywhere(model, r.bytes, feeds, ['y1', 'y2'], 0.995);
    });

    for (const beta of [2.5, -1.5]) it(`Gemm with beta ${beta} and a constant C: the int32 bias dequantizes to beta·C (Gemm beta set to 1)`, async () => {
      const model = buildModel({
        opset: 13,
        inputs: [['x', 'float', [4, 16]]],
        outputs: [['y', 'float', [4, 8]]],
        initializers: [{ name: 'G', dims: [8, 16], float: rnd(128, 41, 0.3) }, { name: 'C', dims: [8], float: rnd(8, 42, 2) }],
        nodes: [{ op: 'Gemm', inputs: ['x', 'G', 'C'], outputs: ['y'], attrs: { transB: 1, beta } }],
      });
      const feeds = feedsOf(90, 4, [4, 16]);
      const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
      const m = decode(r.bytes);
      assert.equal(m.graph.node.find((n) => n.opType === 'Gemm').attribute.find((a) => a.name === 'beta').f, 1);
      // ORT's quantize_bias_static_impl gives scale = x_scale · w_scale · beta and codes rint(C / scale),
      // then set_default_beta makes beta 1: its model adds C, not beta·C. quantkit quantizes the
      // Gemm's effective bias beta·C (float32) at scale = fl(x_scale · w_scale[c]), the scale ORT's
      // QDQ → QGemm fusion assumes for the bias: codes = rint(f64(fl(beta·C)) / f64(scale)).
      const xScale = initValues(m, activationQs(m).get('x').scale).data[0];
      const ws = initValues(m, 'G_scale').data;
      const bq = initValues(m, 'C_quantized').data;
      const bs = initValues(m, 'C_quantized_scale').data;
      const src = decode(model).graph.initializer[1];
      const cv = new Float32Array(src.rawData.buffer.slice(src.rawData.byteOffset, src.rawData.byteOffset + src.rawData.byteLength));
      for (let c = 0; c < 8; c++) {
        const scale = f32(xScale * ws[c]);
        assert.equal(bs[c], scale, `scale[${c}]`);
        assert.equal(bq[c], rint(f32(beta * cv[c]) / scale), `code[${c}]`);
        assert.ok(Math.abs(bq[c] * bs[c] - beta * cv[c]) <= bs[c], `dequantized bias[${c}] ${bq[c] * bs[c]} vs beta·C ${beta * cv[c]}`);
      }
      await agreesEverywhere(model, r.bytes, feeds, ['y'], 0.995);
    });

    it('a graph input that is also a graph output keeps its name; only its consumers read the DequantizeLinear', async () => {
      const model = buildModel({
        opset: 13,
        inputs: [['x', 'float', [4, 16]]],
        outputs: [['y', 'float', [4, 8]], ['x', 'float', [4, 16]]],
        initializers: [{ name: 'W', dims: [16, 8], float: rnd(128, 51, 0.3) }],
        nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }],
      });
      const feeds = feedsOf(60, 3, [4, 16]);
      const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
      const m = decode(r.bytes);
      const produced = m.graph.node.flatMap((n) => n.output);
      const defined = new Set([...produced, ...m.graph.input.map((i) => i.name), ...m.graph.initializer.map((t) => t.name)]);
      assert.equal(new Set(produced).size, produced.length, 'each tensor has one producer');
      assert.ok(!produced.includes('x'), 'no node writes the graph input x');
      for (const n of m.graph.node) for (const i of n.input) if (i) assert.ok(defined.has(i), `${n.name} reads '${i}', which nothing defines`);
      const q = m.graph.node.find((n) => n.opType === 'QuantizeLinear');
      assert.equal(q.input[0], 'x');
      assert.equal(m.graph.node.find((n) => n.opType === 'MatMul').input[0], 'x_DequantizeLinear_Output');
      await agreesEverywhere(model, r.bytes, feeds, ['y', 'x'], 0.995);
      const out = await runModel(r.bytes, feeds[0]);
      assert.deepEqual(Array.from(out.x.data), Array.from(feeds[0].x.data), 'x passes through unchanged');
    });

    it('a float16 model: the nodes it could quantize are in skipped with the reason', async () => {
      const halfBits = (v) => new Uint8Array(Uint16Array.from(qk.toFloat16(v)).buffer);
      const model = buildModel({
        opset: 13,
        inputs: [['x', 'float16', [4, 16]]],
        outputs: [['y', 'float16', [4, 8]]],
        initializers: [{ name: 'W', dims: [16, 8], dataType: 'float16', raw: halfBits(rnd(128, 61, 0.3)) }],
        nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['h'], name: 'mm' }, { op: 'Relu', inputs: ['h'], outputs: ['y'] }],
      });
      const cal = [{ x: { data: Uint16Array.from(qk.toFloat16(rnd(64, 62))), dims: [4, 16] } }];
      const r = await quantizeModel(model, { mode: 'qdq', calibration: cal });
      assert.equal(r.nodesChanged, 0);
      const mm = r.skipped.find((s) => s.opType === 'MatMul');
      assert.ok(mm, `MatMul in skipped: ${JSON.stringify(r.skipped)}`);
      assert.match(mm.reason, /float16.*only float32 is quantized/);
      assert.ok(r.skipped.some((s) => s.opType === 'Relu' && /float16.*only float32 is quantized/.test(s.reason)), JSON.stringify(r.skipped));
      const feed = { x: { type: 'float16', data: cal[0].x.data, dims: [4, 16] } };
      assert.deepEqual(Array.from((await runModel(r.bytes, feed)).y.data), Array.from((await runModel(model, feed)).y.data));
    });

    it('a zero-size batch in a symbolic batch dim: the error names the feed, the input and the zero dimension', async () => {
      const model = buildModel({
        opset: 13,
        inputs: [['x', 'float', ['n', 3, 4, 8]]],
        outputs: [['y', 'float', ['n', 4, 4, 8]]],
        initializers: [{ name: 'W', dims: [4, 3, 3, 3], float: rnd(108, 3, 0.3) }],
        nodes: [{ op: 'Conv', inputs: ['x', 'W'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } }],
      });
      const file = path.join(tmp, 'never-empty-batch.onnx');
      await assert.rejects(quantizeModel(model, { mode: 'qdq', calibration: [{ x: { data: new Float32Array(0), dims: [0, 3, 4, 8] } }], output: file }),
        (e) => e instanceof RangeError && /options.calibration feed 0: input 'x' has dims \[0, 3, 4, 8\]: dimension 0 is 0, a zero-size tensor/.test(e.message) && /no finite value in 1 calibration run/.test(e.message));
      assert.ok(!fs.existsSync(file), 'nothing written');
    });
  });
});
