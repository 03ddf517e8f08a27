'use strict';
// quantizeModel mode 'weights-only': the codes, scales and zero points it writes equal ONNX
// Runtime's quant_utils formulas restated in test/support/ort-weight-ref.js (per tensor, per
// channel, blocked; int8/uint8/int4/uint4; symmetric or not; reduceRange); the models run in
// onnxruntime-node and compute the float op on the dequantized weights; both backends write the
// same bytes; the real models run.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const quantkit = require('./support/quantkit');
const { quantizeModel } = require('../dist/onnx');
const { buildModel, runModel, REAL_MODELS } = require('./support/onnx-build');
const ref = require('./support/ort-weight-ref');

const { rng, randn, weights, linearModel, checkDet, checkVad } = require('./support/onnx-weight-models');

function convModel(w, opset) {
  return buildModel({
    opset,
    inputs: [['x', 'float', [1, 4, 9, 9]]],
    outputs: [['z1', 'float', undefined], ['z2', 'float', undefined], ['z3', 'float', undefined]],
    nodes: [
      { op: 'Conv', name: 'conv', inputs: ['x', 'W1', 'b1'], outputs: ['z1'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'ConvTranspose', name: 'convT', inputs: ['x', 'W2'], outputs: ['z2'], attrs: { strides: [2, 2] } },
      { op: 'Conv', name: 'dw', inputs: ['x', 'W3'], outputs: ['z3'], attrs: { group: 4 } },
    ],
    initializers: [
      { name: 'W1', dims: [8, 4, 3, 3], float: w.W1 },
      { name: 'b1', dims: [8], float: w.b1 },
      { name: 'W2', dims: [4, 3, 2, 2], float: w.W2 },
      { name: 'W3', dims: [4, 1, 3, 3], float: w.W3 },
    ],
  });
}

const LINEAR = { mm: ['B1', [40, 24]], gemmT: ['B2', [12, 40]], gemm: ['B3', [40, 10]], mm_shared: ['B1', [40, 24]] };
const CONV = { conv: ['W1', [8, 4, 3, 3]], convT: ['W2', [4, 3, 2, 2]], dw: ['W3', [4, 1, 3, 3]] };

// The axis ORT's QDQ tool quantizes per channel (output channels) and the input axis blocks run along.
const AXES = { mm: [1, 0], mm_shared: [1, 0], gemmT: [0, 1], gemm: [1, 0], conv: [0, 1], convT: [1, 0], dw: [0, 1] };

/** Checks every rewritten node's DequantizeLinear against the restated formulas; returns the dequantized weights. */
function checkCodes(bytes, w, targets, opts) {
  const m = ref.readModel(bytes);
  const type = opts.weightType ?? 'int8';
  const symmetric = opts.symmetric ?? (type === 'int8' || type === 'int4');
  const dequantized = {};
  for (const [nodeName, [wName, dims]] of Object.entries(targets)) {
    const node = m.nodes.find((n) => n.name === nodeName);
    assert.ok(node, nodeName);
    const dq = m.nodes.find((n) => n.opType === 'DequantizeLinear' && n.output[0] === node.input[1]);
    assert.ok(dq, `${nodeName}: its weight comes from a DequantizeLinear`);
    const [qt, st, zt] = dq.input.map((name) => m.init(name));
    let axis;
    let blockSize;
    if (opts.blockSize !== undefined && !(nodeName === 'dw')) [axis, blockSize] = [AXES[nodeName][1], opts.blockSize];
    else if ((opts.perChannel ?? opts.blockSize === undefined) || (opts.blockSize !== undefined && nodeName === 'dw')) axis = AXES[nodeName][0]; // per channel unless perChannel: false
    assert.equal(m.attr(dq, 'axis'), axis, `${nodeName} axis`);
    assert.equal(m.attr(dq, 'block_size'), blockSize, `${nodeName} block_size`);
    const values = w[wName];
    const r = ref.quantizeRef(values, dims, { type, symmetric, reduceRange: opts.reduceRange ?? false, axis, blockSize });
    assert.deepEqual(m.dims(qt), dims);
    assert.equal(qt.dataType, { uint8: 2, int8: 3, uint4: 21, int4: 22 }[type]);
    if (type.endsWith('4')) assert.deepEqual(Buffer.from(qt.rawData), Buffer.from(ref.pack4(r.codes)), `${nodeName}: packed codes`);
    assert.deepEqual(ref.codesOf(qt, values.length), r.codes, `${nodeName}: codes`);
    assert.deepEqual(ref.floatsOf(st), r.scale, `${nodeName}: scales`);
    assert.equal(zt.dataType, qt.dataType);
    assert.deepEqual(ref.codesOf(zt, r.count), r.zp, `${nodeName}: zero points`);
    const expectParamDims = axis === undefined ? [] : blockSize === undefined ? [dims[axis]] : dims.map((d, i) => (i === axis ? Math.ceil(d / blockSize) : d));
    assert.deepEqual(m.dims(st), expectParamDims);
    assert.deepEqual(m.dims(zt), expectParamDims);
    const deq = new Float32Array(values.length);
    const scaleOf = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const p = r.paramOf(i);
      deq[i] = Math.fround((r.codes[i] - r.zp[p]) * r.scale[p]);
      scaleOf[i] = r.scale[p];
    }
    dequantized[wName] = { deq, scaleOf };
  }
  // The float weights are gone; the shared one was quantized once.
  for (const name of new Set(Object.values(targets).map(([n]) => n))) assert.equal(m.init(name), undefined, `float ${name} removed`);
  assert.equal(m.nodes.filter((n) => n.opType === 'DequantizeLinear').length, new Set(Object.values(targets).map(([n]) => n)).size);
  return dequantized;
}

const close = (a, b, tol, what) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol[i])) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]} (tolerance ${tol[i]})`);
};

/**
 * The output checks: (a) the quantized model computes the float op on the dequantized weights
 * (a float model built with them, |difference| ≤ 1e-5·(1 + |y|)); (b) vs the float model,
 * |y_q − y| ≤ Σ |x|·s (each weight moves at most one scale s: half a step when rounded,
 * a full one when int4's +absmax clips from 7.5 to 7) + 1e-5·(1 + |y|): that bound is the
 * float model itself run with every weight replaced by its scale, |x| as input, biases 0.
 */
async function checkOutputs(quantized, build, w, deq, x, dims) {
  const feeds = { x: { data: x, dims } };
  // (a) without graph optimizations: ORT 1.30 fuses DequantizeLinear → Gemm into a kernel that
  // also quantizes the activation (y3 moves by ~1e-3), which is its business, not the graph's.
  const exact = await runModel(quantized, feeds, { graphOptimizationLevel: 'disabled' });
  const q = await runModel(quantized, feeds);
  const f = await runModel(build(w), feeds);
  const withDeq = { ...w };
  const asScale = { ...w, C2: new Float32Array(w.C2.length), b1: new Float32Array(w.b1.length) };
  for (const [k, v] of Object.entries(deq)) {
    withDeq[k] = v.deq;
    asScale[k] = v.scaleOf;
  }
  const d = await runModel(build(withDeq), feeds);
  const bound = await runModel(build(asScale), { x: { data: x.map(Math.abs), dims } });
  for (const out of Object.keys(f)) {
    const tolD = Array.from(d[out].data, (v) => 1e-5 * (1 + Math.abs(v)));
    close(exact[out].data, d[out].data, tolD, `${out} vs the float model on dequantized weights`);
    const tolF = Array.from(bound[out].data, (b, i) => Math.abs(b) + 1e-5 * (1 + Math.abs(f[out].data[i])));
    close(q[out].data, f[out].data, tolF, `${out} vs the float model`);
  }
}

const CASES = [
  { name: 'per-tensor int8 (symmetric)', opts: { perChannel: false }, opset: 13 },
  { name: 'per-tensor uint8 (asymmetric)', opts: { perChannel: false, weightType: 'uint8' }, opset: 13 },
  { name: 'per-tensor int8 asymmetric, reduceRange', opts: { perChannel: false, symmetric: false, reduceRange: true }, opset: 13 },
  { name: 'per-channel int8 by default (no perChannel option)', opts: {}, opset: 13 },
  { name: 'per-channel int8', opts: { perChannel: true }, opset: 13 },
  { name: 'per-channel uint8 symmetric (zero point 128)', opts: { perChannel: true, weightType: 'uint8', symmetric: true }, opset: 13 },
  { name: 'per-channel uint8 reduceRange', opts: { perChannel: true, weightType: 'uint8', reduceRange: true }, opset: 13 },
  { name: 'per-channel int4 (symmetric, full [-8, 7])', opts: { perChannel: true, weightType: 'int4' }, opset: 21 },
  { name: 'per-channel uint4', opts: { perChannel: true, weightType: 'uint4' }, opset: 21 },
  { name: 'blocked int8, block 16 (partial last block)', opts: { blockSize: 16 }, opset: 21 },
  { name: 'blocked uint4, block 16', opts: { blockSize: 16, weightType: 'uint4' }, opset: 21 },
  { name: 'blocked int4, block 32, reduceRange', opts: { blockSize: 32, weightType: 'int4', reduceRange: true }, opset: 21 },
];

describe(`onnx weights-only (${quantkit.backend.name})`, function () {
  this.timeout(60000);
  const w = weights(11);
  const r = rng(5);
  const xLin = randn(r, 3 * 40, -2, 2);
  const xConv = randn(r, 4 * 81, -1, 1);

  for (const c of CASES) {
    it(`${c.name}: linear ops (MatMul, Gemm transB/alpha/beta, a shared weight)`, async () => {
      const res = await quantizeModel(linearModel(w, c.opset), { mode: 'weights-only', ...c.opts });
      assert.equal(res.nodesChanged, 4);
      assert.deepEqual(res.skipped, []);
      const deq = checkCodes(res.bytes, w, LINEAR, c.opts);
      await checkOutputs(res.bytes, (ww) => linearModel(ww, c.opset), w, deq, xLin, [3, 40]);
    });
    it(`${c.name}: Conv, ConvTranspose, depthwise Conv`, async () => {
      const res = await quantizeModel(convModel(w, c.opset), { mode: 'weights-only', ...c.opts });
      assert.equal(res.nodesChanged, 3);
      if (c.opts.blockSize) assert.match(res.changed.find((x) => x.node === 'dw').as, /per-channel \(depthwise/);
      const deq = checkCodes(res.bytes, w, CONV, c.opts);
      await checkOutputs(res.bytes, (ww) => convModel(ww, c.opset), w, deq, xConv, [1, 4, 9, 9]);
    });
  }

  it('the restatement can fail: int4 symmetric uses the full range, so +absmax clips to 7 and −absmax is −8', async () => {
    const res = await quantizeModel(linearModel(w, 21), { mode: 'weights-only', perChannel: true, weightType: 'int4' });
    const m = ref.readModel(res.bytes);
    const codes = ref.codesOf(m.init('B2_quantized'), 12 * 40);
    assert.ok(codes.some((v) => v === -8), 'a channel whose extreme is negative reaches -8');
    const b1 = ref.codesOf(m.init('B1_quantized'), 40 * 24);
    assert.ok(b1.some((v) => v === 7) && !b1.some((v) => v === 8 - 16), 'a positive extreme clips to 7');
    // A one-off zero point would show: the all-zero column 5 has scale 1, zero point 0.
    const scales = ref.floatsOf(m.init('B1_scale'));
    assert.equal(scales[5], 1);
  });

  it('the zero point comes from the float64 scale, before the scale is rounded to float32 (compute_scale_zp)', async () => {
    // Ranges whose zero point differs when computed from the float32 scale: found by search.
    const f32 = Math.fround;
    const rr = rng(21);
    const cols = [];
    while (cols.length < 8) {
      const s = f32(1e-3 * (1 + rr()));
      const k = 1 + Math.floor(rr() * 250);
      const rmin = f32(-(k + 0.5) * s);
      const rmax = f32(rmin + 255 * s);
      const s64 = f32(rmax - rmin) / 255;
      if (rmax > 0 && ref.rint(-rmin / s64) !== ref.rint(-rmin / f32(s64))) cols.push([rmin, rmax]);
    }
    const B = new Float32Array(4 * 8);
    cols.forEach(([lo, hi], j) => {
      B[j] = lo;
      B[8 + j] = hi;
      B[16 + j] = f32(lo / 3);
      B[24 + j] = f32(hi / 7);
    });
    const model = buildModel({ opset: 13, inputs: [['x', 'float', [1, 4]]], outputs: [['y', 'float', undefined]], nodes: [{ op: 'MatMul', name: 'mm', inputs: ['x', 'B'], outputs: ['y'] }], initializers: [{ name: 'B', dims: [4, 8], float: B }] });
    const res = await quantizeModel(model, { mode: 'weights-only', perChannel: true, weightType: 'uint8' });
    const m = ref.readModel(res.bytes);
    const r = ref.quantizeRef(B, [4, 8], { type: 'uint8', symmetric: false, axis: 1 });
    const zp = ref.codesOf(m.init('B_zero_point'), 8);
    assert.deepEqual(zp, r.zp);
    cols.forEach(([lo, hi], j) => assert.notEqual(zp[j], ref.rint(-lo / f32(f32(hi - lo) / 255)), `column ${j}`));
    assert.deepEqual(ref.codesOf(m.init('B_quantized'), 32), r.codes);
  });

  it('opset: per-tensor needs 10, per-channel 13, 4-bit or blocked 21 (a model below is upgraded or refused)', async () => {
    const { MODES } = require('../dist/onnx/modes');
    const base = { perChannel: false, reduceRange: false };
    assert.equal(MODES['weights-only'].minOpset({ ...base }).opset, 10);
    assert.equal(MODES['weights-only'].minOpset({ ...base, perChannel: true }).opset, 13);
    assert.equal(MODES['weights-only'].minOpset({ ...base, perChannel: true, weightType: 'uint4' }).opset, 21);
    assert.equal(MODES['weights-only'].minOpset({ ...base, blockSize: 32 }).opset, 21);
    const opset10 = buildModel({
      opset: 10,
      inputs: [['x', 'float', [3, 40]]],
      outputs: [['y', 'float', undefined]],
      nodes: [{ op: 'MatMul', name: 'mm', inputs: ['x', 'B1'], outputs: ['y'] }],
      initializers: [{ name: 'B1', dims: [40, 24], float: w.B1 }],
    });
    const res = await quantizeModel(opset10, { mode: 'weights-only', perChannel: false });
    assert.equal(res.opsetAfter, 10);
    assert.equal((await quantizeModel(opset10, { mode: 'weights-only' })).opsetAfter, 13, 'the per-channel default upgrades to 13');
    assert.equal((await runModel(res.bytes, { x: { data: xLin, dims: [3, 40] } })).y.data.length, 3 * 24);
  });

  it('excluded nodes are untouched; non-constant and non-float weights are skipped with a reason', async () => {
    const int8W = new Int8Array(40 * 10).fill(3);
    const model = buildModel({
      opset: 13,
      inputs: [['x', 'float', [3, 40]], ['bx', 'float', [40, 24]], ['xi', 'int8', [3, 40]]],
      outputs: [['y1', 'float', undefined], ['y2', 'float', undefined], ['y3', 'float', undefined], ['y4', 'int32', undefined]],
      nodes: [
        { op: 'MatMul', name: 'mm', inputs: ['x', 'B1'], outputs: ['y1'] },
        { op: 'MatMul', name: 'act', inputs: ['x', 'bx'], outputs: ['y2'] },
        { op: 'Gemm', name: 'gemm', inputs: ['x', 'B3'], outputs: ['y3'] },
        { op: 'MatMulInteger', name: 'mi', inputs: ['xi', 'Wi'], outputs: ['y4'] },
      ],
      initializers: [{ name: 'B1', dims: [40, 24], float: w.B1 }, { name: 'B3', dims: [40, 10], float: w.B3 }, { name: 'Wi', dims: [40, 10], dataType: 'int8', raw: new Uint8Array(int8W.buffer) }],
    });
    const res = await quantizeModel(model, { mode: 'weights-only', excludeNode: ['gemm'] });
    assert.deepEqual(res.changed.map((c) => c.node), ['mm']);
    const reasons = Object.fromEntries(res.skipped.map((s) => [s.node, s.reason]));
    assert.match(reasons.act, /weight B 'bx' is not a constant/);
    assert.match(reasons.gemm, /excluded/);
    const m = ref.readModel(res.bytes);
    const gemm = m.nodes.find((n) => n.name === 'gemm');
    assert.deepEqual(gemm.input, ['x', 'B3']);
    assert.deepEqual(ref.floatsOf(m.init('B3')), w.B3);

    const half = buildModel({
      opset: 13,
      inputs: [['x', 'float16', [3, 40]]],
      outputs: [['y', 'float16', undefined]],
      nodes: [{ op: 'MatMul', name: 'mm16', inputs: ['x', 'H'], outputs: ['y'] }],
      initializers: [{ name: 'H', dims: [40, 2], dataType: 'float16', raw: new Uint8Array(160) }],
    });
    const r16 = await quantizeModel(half, { mode: 'weights-only' });
    assert.equal(r16.nodesChanged, 0);
    assert.match(r16.skipped[0].reason, /weight B 'H' is float16, not float/);
  });

  it('a NaN weight is skipped with its index', async () => {
    const bad = Float32Array.from(w.B3);
    bad[17] = NaN;
    const model = buildModel({
      opset: 13,
      inputs: [['x', 'float', [3, 40]]],
      outputs: [['y', 'float', undefined]],
      nodes: [{ op: 'MatMul', name: 'mm', inputs: ['x', 'B'], outputs: ['y'] }],
      initializers: [{ name: 'B', dims: [40, 10], float: bad }],
    });
    const res = await quantizeModel(model, { mode: 'weights-only' });
    assert.equal(res.nodesChanged, 0);
    assert.match(res.skipped[0].reason, /'B' holds NaN at element 17/);
  });

  it(`the ${quantkit.backend.name} backend writes the same bytes as ${ref.otherBackend(quantkit.backend.name)} (in a child process)`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-wo-'));
    try {
      const file = path.join(dir, 'lin.onnx');
      fs.writeFileSync(file, linearModel(w, 21));
      const list = [{ mode: 'weights-only' }, { mode: 'weights-only', perChannel: true, weightType: 'uint8' }, { mode: 'weights-only', blockSize: 16, weightType: 'int4' }, { mode: 'weights-only', perChannel: true, weightType: 'uint4', reduceRange: true }];
      const here = [];
      for (const o of list) here.push(ref.sha256((await quantizeModel(file, o)).bytes));
      assert.equal(new Set(here).size, list.length, 'the option sets give different models');
      assert.deepEqual(ref.digestsOn(ref.otherBackend(quantkit.backend.name), file, list), here);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a main-graph weight used inside If branches and a Loop body', () => {
    // ORT's QDQ transformers (qdq_actions.cc TransposeDQWeightsForMatMulNBits) look for the
    // DequantizeLinear's quantized initializer in the graph where the DQ sits: the codes and
    // parameters must live in the consuming subgraph, next to its DequantizeLinear.
    const K = 40;
    const N = 40;
    const Wo = randn(rng(31), K * N, -0.15, 0.2);
    const mm = (name, a, out) => ({ op: 'MatMul', name, inputs: [a, 'Wouter'], outputs: [out] });
    const subModel = (W, opset) => buildModel({
      opset,
      inputs: [['x', 'float', [3, K]], ['c', 'bool', []]],
      outputs: [['yi', 'float', undefined], ['yl', 'float', undefined]],
      nodes: [
        {
          op: 'If', name: 'if', inputs: ['c'], outputs: ['yi'],
          attrs: {
            then_branch: { graph: { name: 'then', outputs: [['t1', 'float', undefined]], nodes: [mm('mm_then', 'x', 't1')] } },
            else_branch: { graph: { name: 'else', outputs: [['e2', 'float', undefined]], nodes: [mm('mm_else', 'x', 'e1'), { op: 'Relu', name: 'relu_else', inputs: ['e1'], outputs: ['e2'] }] } },
          },
        },
        {
          op: 'Loop', name: 'loop', inputs: ['trips', '', 'x'], outputs: ['yl'],
          attrs: {
            body: { graph: {
              name: 'body',
              inputs: [['i', 'int64', []], ['cin', 'bool', []], ['v', 'float', undefined]],
              outputs: [['cout', 'bool', []], ['v2', 'float', undefined]],
              nodes: [{ op: 'Identity', name: 'cid', inputs: ['cin'], outputs: ['cout'] }, mm('mm_body', 'v', 'v2')],
            } },
          },
        },
      ],
      initializers: [{ name: 'Wouter', dims: [K, N], float: W }, { name: 'trips', dims: [], dataType: 'int64', raw: new Uint8Array(new BigInt64Array([2n]).buffer) }],
    });
    const x = randn(rng(32), 3 * K, -1, 1);
    for (const opts of [{ perChannel: true }, { blockSize: 16, weightType: 'int4' }, { blockSize: 32, weightType: 'uint4' }, { blockSize: 16 }]) {
      it(`${JSON.stringify(opts)}: loads at default session options, matches the float model on the dequantized weight`, async () => {
        const opset = opts.blockSize ? 21 : 13;
        const res = await quantizeModel(subModel(Wo, opset), { mode: 'weights-only', ...opts });
        assert.deepEqual(res.changed.map((c) => c.node).sort(), ['mm_body', 'mm_else', 'mm_then']);
        assert.deepEqual(res.skipped, []);
        // Each DequantizeLinear reads initializers of its own graph.
        const { onnx } = require('onnx-proto');
        const mp = onnx.ModelProto.decode(res.bytes);
        const graphs = [mp.graph];
        for (let k = 0; k < graphs.length; k++) for (const n of graphs[k].node) for (const a of n.attribute) if (a.g) graphs.push(a.g);
        let dqs = 0;
        for (const g of graphs) {
          const inits = new Set(g.initializer.map((t) => t.name));
          for (const n of g.node) {
            if (n.opType !== 'DequantizeLinear') continue;
            dqs++;
            for (const name of n.input) assert.ok(inits.has(name), `${n.name} in graph ${g.name}: '${name}' is an initializer of that graph`);
          }
        }
        assert.equal(dqs, 3);
        assert.ok(!mp.graph.initializer.some((t) => t.name === 'Wouter'), 'the float weight is gone');
        // The weight ORT sees: the restated quantization, dequantized.
        const axis = opts.blockSize ? 0 : 1;
        const type = opts.weightType ?? 'int8';
        const r = ref.quantizeRef(Wo, [K, N], { type, symmetric: type === 'int8' || type === 'int4', reduceRange: false, axis, blockSize: opts.blockSize });
        const deq = Float32Array.from(Wo, (_, i) => Math.fround((r.codes[i] - r.zp[r.paramOf(i)]) * r.scale[r.paramOf(i)]));
        for (const c of [true, false]) {
          const feeds = { x: { data: x, dims: [3, K] }, c: { type: 'bool', data: Uint8Array.of(c ? 1 : 0), dims: [] } };
          // Default session options (all graph optimizations, where the DQ → MatMul fusions run):
          // it loads, and agrees with the float model. ORT's fused kernels (MatMulNBits, the
          // dynamic-quantizing MatMul) also quantize the activation, so only a cosine is asked.
          const q = await runModel(res.bytes, feeds);
          // Without optimizations the graph itself computes the float op on the dequantized weight.
          const exact = await runModel(res.bytes, feeds, { graphOptimizationLevel: 'disabled' });
          const d = await runModel(subModel(deq, opset), feeds);
          const f = await runModel(subModel(Wo, opset), feeds);
          for (const out of ['yi', 'yl']) {
            close(exact[out].data, d[out].data, Array.from(d[out].data, (v) => 1e-5 * (1 + Math.abs(v))), `${out} (c=${c}) vs the float model on the dequantized weight`);
            let dot = 0;
            let nq = 0;
            let nf = 0;
            for (let i = 0; i < f[out].data.length; i++) {
              dot += q[out].data[i] * f[out].data[i];
              nq += q[out].data[i] ** 2;
              nf += f[out].data[i] ** 2;
            }
            const cos = dot / Math.sqrt(nq * nf);
            assert.ok(cos > 0.995, `${out} (c=${c}) at default options: cosine vs the float model ${cos}`);
          }
        }
      });
    }
  });

  describe('real models', () => {
    it('PaddleOCR det (opset 11, weights in Constant nodes): per-tensor int8 runs in ONNX Runtime, close to the float model', async () => {
      const res = await quantizeModel(REAL_MODELS.det, { mode: 'weights-only', perChannel: false });
      assert.ok(res.nodesChanged >= 60, `${res.nodesChanged} nodes changed`);
      assert.ok(res.sizeAfter < res.sizeBefore / 3);
      await checkDet(res.bytes);
    });

    it('Silero VAD (Conv weights in Constant nodes inside If subgraphs): per-channel int8 runs in ONNX Runtime', async () => {
      const res = await quantizeModel(REAL_MODELS.vad, { mode: 'weights-only', perChannel: true });
      assert.equal(res.nodesChanged, 12);
      assert.ok(res.changed.every((c) => c.graph !== 'main'));
      await checkVad(res.bytes);
    });
  });
});
