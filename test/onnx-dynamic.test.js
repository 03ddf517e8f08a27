'use strict';
// quantizeModel mode 'dynamic': the weight codes, scales and zero points equal ONNX Runtime's
// quant_utils formulas restated in test/support/ort-weight-ref.js; the rewritten graph
// (DynamicQuantizeLinear → MatMulInteger / ConvInteger → Cast → Mul, + alpha, beta·C, bias)
// gives exactly the integer product scaled back, recomputed here from the weight codes and
// ONNX Runtime's own DynamicQuantizeLinear of the input; outputs stay within a stated bound of
// the float model; both backends write the same bytes; the real models run.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const quantkit = require('./support/quantkit');
const { quantizeModel } = require('../dist/onnx');
const { buildModel, runModel, REAL_MODELS } = require('./support/onnx-build');
const ref = require('./support/ort-weight-ref');

const f32 = Math.fround;

const { rng, randn, weights, linearModel, checkDet, checkVad } = require('./support/onnx-weight-models');

// Conv with bias and pads, and a depthwise Conv without bias; `bias: false` drops the bias
// (the integer-product oracle below runs it on integer-valued data).
function convModel(w, { bias = true } = {}) {
  return buildModel({
    opset: 13,
    inputs: [['x', 'float', [1, 4, 9, 9]]],
    outputs: [['z1', 'float', undefined], ['z3', 'float', undefined]],
    nodes: [
      { op: 'Conv', name: 'conv', inputs: bias ? ['x', 'W1', 'b1'] : ['x', 'W1'], outputs: ['z1'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Conv', name: 'dw', inputs: ['x', 'W3'], outputs: ['z3'], attrs: { group: 4 } },
    ],
    initializers: [
      { name: 'W1', dims: [8, 4, 3, 3], float: w.W1 },
      ...(bias ? [{ name: 'b1', dims: [8], float: w.b1 }] : []),
      { name: 'W3', dims: [4, 1, 3, 3], float: w.W3 },
    ],
  });
}

function transpose(v, rows, cols) {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c];
  return out;
}

// ONNX Runtime's DynamicQuantizeLinear of x: the run-time activation codes, from ORT itself.
async function dynamicQuantize(x, dims) {
  const m = buildModel({ opset: 13, inputs: [['x', 'float', dims]], outputs: [['q', 'uint8', undefined], ['s', 'float', []], ['z', 'uint8', []]], nodes: [{ op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['q', 's', 'z'] }] });
  const r = await runModel(m, { x: { data: x, dims } });
  return { q: r.q.data, s: r.s.data[0], z: r.z.data[0] };
}

/**
 * The weight of `nodeName`'s integer op: checks codes, scale and zero point against the
 * restatement (weights given as MatMulInteger takes them, [K, N], or Conv's [M, C/g, k, k]).
 */
function checkWeight(m, nodeName, values, dims, { type, symmetric, reduceRange, axis }, intOp) {
  const node = m.nodes.find((n) => n.name === `${nodeName}_quant`);
  assert.ok(node, `${nodeName}_quant`);
  assert.equal(node.opType, intOp);
  const qt = m.init(node.input[1]);
  const zt = m.init(node.input[3]);
  const mul = m.nodes.find((n) => n.name === `${nodeName}_quant_scales_mul`);
  const st = m.init(mul.input[1]);
  const r = ref.quantizeRef(values, dims, { type, symmetric, reduceRange, axis });
  assert.deepEqual(m.dims(qt), dims);
  assert.equal(qt.dataType, type === 'uint8' ? 2 : 3);
  assert.deepEqual(ref.codesOf(qt, values.length), r.codes, `${nodeName}: codes`);
  assert.deepEqual(ref.floatsOf(st), r.scale, `${nodeName}: scales`);
  if (intOp === 'ConvInteger' && axis !== undefined) {
    // One zero point for all channels (what ORT's ConvInteger takes); scales shaped [M, 1, 1].
    assert.deepEqual(m.dims(zt), []);
    assert.ok(r.zp.every((z) => z === r.zp[0]));
    assert.equal(ref.codesOf(zt, 1)[0], r.zp[0]);
    assert.deepEqual(m.dims(st), [dims[0], 1, 1]);
  } else {
    assert.deepEqual(ref.codesOf(zt, r.count), r.zp, `${nodeName}: zero points`);
    assert.deepEqual(m.dims(st), axis === undefined ? [] : [dims[axis]]);
  }
  return r;
}

const LINEAR_CASES = [
  { name: 'default: int8 symmetric per-tensor (no Conv in the model)', opts: {}, type: 'int8' },
  { name: 'uint8 (asymmetric)', opts: { weightType: 'uint8' }, type: 'uint8' },
  { name: 'per-channel int8', opts: { perChannel: true }, type: 'int8' },
  { name: 'per-channel uint8 reduceRange', opts: { perChannel: true, weightType: 'uint8', reduceRange: true }, type: 'uint8' },
  { name: 'int8 asymmetric, reduceRange', opts: { symmetric: false, reduceRange: true }, type: 'int8' },
];

describe(`onnx dynamic (${quantkit.backend.name})`, function () {
  this.timeout(60000);
  const w = weights(7);
  const r = rng(3);
  const x = randn(r, 3 * 40, -2, 2);
  const xc = randn(r, 4 * 81, -1, 1.5);

  for (const c of LINEAR_CASES) {
    it(`${c.name}: MatMul, Gemm (transB, alpha, beta·C), a shared weight — codes and exact outputs`, async () => {
      const res = await quantizeModel(linearModel(w), { mode: 'dynamic', ...c.opts });
      assert.equal(res.nodesChanged, 4);
      assert.deepEqual(res.skipped, []);
      const m = ref.readModel(res.bytes);
      const symmetric = c.opts.symmetric ?? c.type === 'int8';
      const p = { type: c.type, symmetric, reduceRange: c.opts.reduceRange ?? false, axis: c.opts.perChannel ? 1 : undefined };
      const targets = {
        mm: [w.B1, 24, 1, null, 'y1'],
        gemmT: [transpose(w.B2, 12, 40), 12, 0.5, { C: w.C2, beta: 2 }, 'y2'],
        gemm: [w.B3, 10, 1, null, 'y3'],
        mm_shared: [w.B1, 24, 1, null, 'y4'],
      };
      // One DynamicQuantizeLinear for x, one copy of the shared weight, no float weight left.
      assert.equal(m.nodes.filter((n) => n.opType === 'DynamicQuantizeLinear').length, 1);
      assert.equal(m.nodes.find((n) => n.name === 'mm_quant').input[1], m.nodes.find((n) => n.name === 'mm_shared_quant').input[1]);
      for (const name of ['B1', 'B2', 'B3']) assert.equal(m.init(name), undefined);

      const xq = await dynamicQuantize(x, [3, 40]);
      const exact = await runModel(res.bytes, { x: { data: x, dims: [3, 40] } }, { graphOptimizationLevel: 'disabled' });
      const opt = await runModel(res.bytes, { x: { data: x, dims: [3, 40] } });
      const float = await runModel(linearModel(w), { x: { data: x, dims: [3, 40] } });
      for (const [node, [kn, n, alpha, bias, out]] of Object.entries(targets)) {
        const wr = checkWeight(m, node, kn, [40, n], p, 'MatMulInteger');
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < n; j++) {
            const pj = p.axis === undefined ? 0 : j;
            let acc = 0;
            let bound = 0;
            for (let k = 0; k < 40; k++) {
              acc += (xq.q[i * 40 + k] - xq.z) * (wr.codes[k * n + j] - wr.zp[pj]);
              // Each product moves by at most |x|·s_w + |w|·s_x + s_x·s_w (both half a step, doubled).
              bound += Math.abs(x[i * 40 + k]) * wr.scale[pj] + Math.abs(kn[k * n + j]) * xq.s + xq.s * wr.scale[pj];
            }
            // Cast(int32 → float), Mul(x scale · w scale), Mul, alpha, beta·C: float32 each.
            let y = f32(f32(acc) * f32(xq.s * wr.scale[pj]));
            if (alpha !== 1) y = f32(y * alpha);
            if (bias) y = f32(y + f32(bias.C[j] * bias.beta));
            const at = i * n + j;
            assert.equal(exact[out].data[at], y, `${out}[${i}, ${j}]`);
            const tol = Math.abs(alpha) * bound + 1e-4 * (1 + Math.abs(float[out].data[at]));
            assert.ok(Math.abs(opt[out].data[at] - float[out].data[at]) <= tol, `${out}[${i}, ${j}]: ${opt[out].data[at]} vs float ${float[out].data[at]} (bound ${tol})`);
          }
        }
      }
    });
  }

  for (const c of [
    { name: 'default: uint8 asymmetric per-tensor (the model has a Conv)', opts: {}, type: 'uint8', perChannel: false },
    { name: 'int8 per-channel (symmetric: one zero point)', opts: { weightType: 'int8', perChannel: true }, type: 'int8', perChannel: true },
    { name: 'uint8 symmetric per-channel (zero point 128)', opts: { perChannel: true, symmetric: true }, type: 'uint8', perChannel: true },
    { name: 'uint8 asymmetric with perChannel: per-tensor, said in the report', opts: { perChannel: true }, type: 'uint8', perChannel: false },
  ]) {
    it(`${c.name}: Conv (bias, pads), depthwise Conv — codes and exact outputs`, async () => {
      const res = await quantizeModel(convModel(w), { mode: 'dynamic', ...c.opts });
      assert.equal(res.nodesChanged, 2);
      for (const ch of res.changed) assert.match(ch.as, new RegExp(`^ConvInteger \\(${c.type} ${c.perChannel ? 'per-channel' : 'per-tensor'}`));
      if (c.opts.perChannel && !c.perChannel) assert.match(res.changed[0].as, /needs symmetric weights/);
      const m = ref.readModel(res.bytes);
      const p = { type: c.type, symmetric: c.opts.symmetric ?? c.type === 'int8', reduceRange: false, axis: c.perChannel ? 0 : undefined };
      const wr1 = checkWeight(m, 'conv', w.W1, [8, 4, 3, 3], p, 'ConvInteger');
      const wr3 = checkWeight(m, 'dw', w.W3, [4, 1, 3, 3], p, 'ConvInteger');

      // The integer product, from ORT's float Conv on integer-valued data (exact below 2^24).
      const xq = await dynamicQuantize(xc, [1, 4, 9, 9]);
      const intW = (wr) => Float32Array.from(wr.codes, (q, i) => q - wr.zp[wr.paramOf(i)]);
      const acc = await runModel(convModel({ ...w, W1: intW(wr1), W3: intW(wr3) }, { bias: false }), { x: { data: Float32Array.from(xq.q, (q) => q - xq.z), dims: [1, 4, 9, 9] } });
      const exact = await runModel(res.bytes, { x: { data: xc, dims: [1, 4, 9, 9] } }, { graphOptimizationLevel: 'disabled' });
      const opt = await runModel(res.bytes, { x: { data: xc, dims: [1, 4, 9, 9] } });
      const float = await runModel(convModel(w), { x: { data: xc, dims: [1, 4, 9, 9] } });
      for (const [out, wr, channels, bias] of [['z1', wr1, 8, w.b1], ['z3', wr3, 4, null]]) {
        const plane = acc[out].data.length / channels;
        for (let i = 0; i < acc[out].data.length; i++) {
          const ch = Math.floor(i / plane);
          const s = wr.scale[c.perChannel ? ch : 0];
          let y = f32(f32(acc[out].data[i]) * f32(xq.s * s));
          if (bias) y = f32(y + bias[ch]);
          assert.equal(exact[out].data[i], y, `${out}[${i}]`);
        }
        // vs float: within 5% of the output's range (8-bit weights and activations).
        let range = 0;
        let worst = 0;
        for (let i = 0; i < float[out].data.length; i++) {
          range = Math.max(range, Math.abs(float[out].data[i]));
          worst = Math.max(worst, Math.abs(opt[out].data[i] - float[out].data[i]));
        }
        assert.ok(worst <= 0.05 * range, `${out}: max |Δ| ${worst}, range ${range}`);
      }
    });
  }

  it('uint8 symmetric per-channel with an all-zero output channel: one zero point (128) for ConvInteger, the zero channel exact', async () => {
    // compute_scale_zp gives an all-zero channel scale 1 and zero point 0, which ORT's ConvInteger
    // (one weight zero point) refuses; quantkit gives it the centre, 128, as code and zero point.
    const W1 = Float32Array.from(w.W1);
    W1.fill(0, 3 * 36, 4 * 36);
    const res = await quantizeModel(convModel({ ...w, W1 }), { mode: 'dynamic', perChannel: true, symmetric: true, weightType: 'uint8' });
    const { init } = ref.readModel(res.bytes);
    const zp = init('W1_zero_point');
    assert.deepEqual(zp.dims.map(Number), [], 'one zero point');
    assert.deepEqual(Array.from(zp.rawData), [128]);
    const codes = init('W1_quantized').rawData;
    assert.deepEqual(Array.from(codes.subarray(3 * 36, 4 * 36)), new Array(36).fill(128));
    assert.equal(new Float32Array(Uint8Array.from(init('W1_scale').rawData).buffer)[3], 1);
    const out = await runModel(res.bytes, { x: { data: xc, dims: [1, 4, 9, 9] } });
    const plane = 81;
    for (let i = 3 * plane; i < 4 * plane; i++) assert.equal(out.z1.data[i], w.b1[3], `z1[${i}]: the zero channel gives its bias`);
  });

  it('opset 11 is the minimum (DynamicQuantizeLinear)', () => {
    const { MODES } = require('../dist/onnx/modes');
    assert.equal(MODES.dynamic.minOpset({ perChannel: false }).opset, 11);
  });

  it('skips with reasons: transA, a 3-D B, an activation B, a non-float weight, LSTM; excluded nodes untouched', async () => {
    const r2 = rng(1);
    const model = buildModel({
      opset: 13,
      inputs: [['x', 'float', [3, 40]], ['x3', 'float', [2, 3, 40]], ['bx', 'float', [40, 5]], ['xt', 'float', [40, 3]], ['xd', 'double', [3, 40]]],
      outputs: ['y1', 'y2', 'y3', 'y4', 'y5', 'y6'].map((n) => [n, n === 'y5' ? 'double' : 'float', undefined]),
      nodes: [
        { op: 'MatMul', name: 'ok', inputs: ['x', 'B1'], outputs: ['y1'] },
        { op: 'Gemm', name: 'transA', inputs: ['xt', 'B3'], outputs: ['y2'], attrs: { transA: 1 } },
        { op: 'MatMul', name: 'rank3', inputs: ['x3', 'B3d'], outputs: ['y3'] },
        { op: 'MatMul', name: 'act', inputs: ['x', 'bx'], outputs: ['y4'] },
        { op: 'MatMul', name: 'dbl', inputs: ['xd', 'Bd'], outputs: ['y5'] },
        { op: 'MatMul', name: 'kept', inputs: ['x', 'B3'], outputs: ['y6'] },
      ],
      initializers: [
        { name: 'B1', dims: [40, 24], float: w.B1 },
        { name: 'B3', dims: [40, 10], float: w.B3 },
        { name: 'B3d', dims: [2, 40, 2], float: randn(r2, 160) },
        { name: 'Bd', dims: [40, 2], dataType: 'double', raw: new Uint8Array(Float64Array.from(randn(r2, 80)).buffer) },
      ],
    });
    const res = await quantizeModel(model, { mode: 'dynamic', excludeNode: ['kept'] });
    assert.deepEqual(res.changed.map((c) => c.node), ['ok']);
    const why = Object.fromEntries(res.skipped.map((s) => [s.node, s.reason]));
    assert.match(why.transA, /transA = 1/);
    assert.match(why.rank3, /rank 3; only a 2-D constant B/);
    assert.match(why.act, /'bx' is not a constant/);
    assert.match(why.dbl, /'Bd' is double, not float/);
    assert.match(why.kept, /excluded/);
    const m = ref.readModel(res.bytes);
    assert.deepEqual(m.nodes.find((n) => n.name === 'kept').input, ['x', 'B3']);
    assert.deepEqual(ref.floatsOf(m.init('B3')), w.B3);
    const feeds = { x: { data: x, dims: [3, 40] }, x3: { data: randn(r2, 240), dims: [2, 3, 40] }, bx: { data: randn(r2, 200), dims: [40, 5] }, xt: { data: randn(r2, 120), dims: [40, 3] }, xd: { data: Float64Array.from(randn(r2, 120)), dims: [3, 40], type: 'float64' } };
    const q = await runModel(res.bytes, feeds);
    const f = await runModel(model, feeds);
    assert.deepEqual(q.y6.data, f.y6.data);

    // LSTM stays float and says so (Silero VAD's).
    const vad = await quantizeModel(REAL_MODELS.vad, { mode: 'dynamic' });
    assert.ok(vad.skipped.some((s) => s.opType === 'LSTM' && /LSTM stays float/.test(s.reason)));
  });

  it(`the ${quantkit.backend.name} backend writes the same bytes as ${ref.otherBackend(quantkit.backend.name)} (in a child process)`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-dyn-'));
    try {
      const lin = path.join(dir, 'lin.onnx');
      const conv = path.join(dir, 'conv.onnx');
      fs.writeFileSync(lin, linearModel(w));
      fs.writeFileSync(conv, convModel(w));
      const list = [{ mode: 'dynamic' }, { mode: 'dynamic', perChannel: true, weightType: 'uint8', reduceRange: true }];
      for (const file of [lin, conv]) {
        const here = [];
        for (const o of list) here.push(ref.sha256((await quantizeModel(file, o)).bytes));
        assert.notEqual(here[0], here[1]);
        assert.deepEqual(ref.digestsOn(ref.otherBackend(quantkit.backend.name), file, list), here, file);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('real models', () => {
    it('PaddleOCR det (opset 11, every weight in a Constant node): all 62 Conv → ConvInteger (uint8), runs in ONNX Runtime', async () => {
      const res = await quantizeModel(REAL_MODELS.det, { mode: 'dynamic' });
      assert.equal(res.nodesChanged, 62);
      assert.equal(res.opsetAfter, 11);
      assert.ok(res.sizeAfter < res.sizeBefore / 3);
      await checkDet(res.bytes);
    });

    it('Silero VAD (Conv weights in Constant nodes inside If subgraphs): 12 ConvInteger, runs in ONNX Runtime', async () => {
      const res = await quantizeModel(REAL_MODELS.vad, { mode: 'dynamic' });
      assert.equal(res.nodesChanged, 12);
      assert.ok(res.changed.every((c) => c.graph !== 'main'));
      await checkVad(res.bytes);
    });
  });
});
