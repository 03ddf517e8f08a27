'use strict';
// quantizeModel modes 'dynamic' and 'weights-only' on Gather: a constant float32 table
// (an embedding [vocab, hidden]) is stored quantized, the indices and `axis` stay as they are.
// The oracles: the codes, scales and zero points equal ONNX Runtime's choices for Gather
// restated below (onnxruntime/python/tools/quantization/operators/gather.py GatherQuant and
// QDQGather, onnx_quantizer.py quantize_activation → base_quantizer.py quantize_initializer_impl)
// on the quant_utils formulas of test/support/ort-weight-ref.js; onnxruntime-node runs every
// output model, and each Gather output equals, exactly, the rows of the table dequantized here
// (DequantizeLinear: fl((q − zp) · scale)) taken as numpy.take takes them (negative indices
// count from the end); Gathers on shape tensors are left alone without a report; both backends
// write the same bytes.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const quantkit = require('./support/quantkit');
const { quantizeModel } = require('../dist/onnx');
const { buildModel, runModel } = require('./support/onnx-build');
const ref = require('./support/ort-weight-ref');

// ---- ORT's choices for a Gather's constant float data, restated ----------------------------
//
// dynamic (quantize_dynamic: activation type QUInt8, IntegerOps): GatherQuant calls
// quantize_activation(node, [0]) → __quantize_inputs(initializer_use_weight_qType=False,
// reduce_range=False, op_level_per_channel=False) → quantize_initializer(data, activation_qType):
// per tensor, uint8, reduce_range off whatever the option says; symmetric is
// is_weight_symmetric(uint8) (the WeightSymmetric option, default False for uint8) when uint8 is
// also the weight type, else ActivationSymmetric (default False). Gather reads `<data>_quantized`
// and writes `<out>_quantized`; a DequantizeLinear with the table's scale and zero point gives
// `<out>` back (_dequantize_value).
function ortDynamicGather(opts) {
  const weightType = opts.weightType ?? 'int8'; // a model without Conv
  return { type: 'uint8', symmetric: weightType === 'uint8' ? opts.symmetric ?? false : false, reduceRange: false };
}
// weights-only: ORT's QDQ form (QDQGather) quantizes the table before the Gather, as an
// activation-typed initializer, per tensor. quantkit's weights-only stores it as a weight like
// MatMul's (its documented deviation): weightType (int8 default), symmetric for int8/int4,
// reduceRange as given; per channel along the gather axis (a 1-D table per tensor); blockSize
// blocks along the last axis other than the gather axis.
function weightsOnlyGather(opts, dims, gatherAxis) {
  const type = opts.weightType ?? 'int8';
  const symmetric = opts.symmetric ?? (type === 'int8' || type === 'int4');
  const rank = dims.length;
  const g = gatherAxis < 0 ? gatherAxis + rank : gatherAxis;
  let axis;
  let blockSize;
  if (opts.blockSize !== undefined) {
    blockSize = opts.blockSize;
    axis = rank === 1 ? 0 : g === rank - 1 ? rank - 2 : rank - 1;
  } else if (opts.perChannel ?? true) {
    axis = rank === 1 ? undefined : g;
  }
  return { type, symmetric, reduceRange: opts.reduceRange ?? false, axis, blockSize };
}

// ---- plain JS references --------------------------------------------------------------------
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
/** A table with a spread of magnitudes and one outlier, so per-channel and per-tensor differ. */
function table(n, seed) {
  const r = rng(seed);
  const t = Float32Array.from({ length: n }, () => (r() * 2 - 1) * (0.2 + r()));
  t[Math.floor(n / 3)] = 3.5;
  return t;
}
const prod = (a) => a.reduce((x, y) => x * y, 1);
const i64 = (vals) => BigInt64Array.from(vals.map(BigInt));
const int64Init = (name, dims, vals) => ({ name, dims, dataType: 'int64', raw: new Uint8Array(i64(vals).buffer) });

/** numpy.take(data, indices, axis): dims[:axis] + indices' dims + dims[axis+1:]. */
function gatherRef(data, dims, indices, axis) {
  const a = axis < 0 ? axis + dims.length : axis;
  const outer = prod(dims.slice(0, a));
  const d = dims[a];
  const inner = prod(dims.slice(a + 1));
  const out = new Float32Array(outer * indices.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < indices.length; j++) {
      const k = indices[j] < 0 ? indices[j] + d : indices[j];
      for (let i = 0; i < inner; i++) out[(o * indices.length + j) * inner + i] = data[(o * d + k) * inner + i];
    }
  }
  return out;
}

/**
 * Checks stored codes/scale/zero point against ref.quantizeRef(values, dims, expect) and
 * returns the table DequantizeLinear gives back: fl((q − zp) · scale).
 */
function checkTable(m, [qName, sName, zName], values, dims, expect, what) {
  const [qt, st, zt] = [m.init(qName), m.init(sName), m.init(zName)];
  assert.ok(qt && st && zt, `${what}: codes, scale and zero point are initializers`);
  const r = ref.quantizeRef(values, dims, expect);
  assert.deepEqual(m.dims(qt), dims, `${what}: codes keep the table's dims`);
  assert.equal(qt.dataType, { uint8: 2, int8: 3, uint4: 21, int4: 22 }[expect.type], `${what}: code type`);
  if (expect.type.endsWith('4')) assert.deepEqual(Buffer.from(qt.rawData), Buffer.from(ref.pack4(r.codes)), `${what}: packed codes`);
  assert.deepEqual(ref.codesOf(qt, values.length), r.codes, `${what}: codes`);
  assert.deepEqual(ref.floatsOf(st), r.scale, `${what}: scales`);
  assert.deepEqual(ref.codesOf(zt, r.count), r.zp, `${what}: zero points`);
  const { axis, blockSize } = expect;
  const paramDims = axis === undefined ? [] : blockSize === undefined ? [dims[axis]] : dims.map((d, i) => (i === axis ? Math.ceil(d / blockSize) : d));
  assert.deepEqual(m.dims(st), paramDims, `${what}: scale dims`);
  const deq = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) deq[i] = Math.fround((r.codes[i] - r.zp[r.paramOf(i)]) * r.scale[r.paramOf(i)]);
  return deq;
}

/** The table a Gather reads, as the mode stored it: [codes, scale, zero point] names and the DequantizeLinear. */
function storedTable(m, mode, gatherName) {
  const g = m.nodes.find((n) => n.name === gatherName && n.opType === 'Gather');
  assert.ok(g, `Gather ${gatherName} is still there`);
  if (mode === 'dynamic') {
    const dq = m.nodes.filter((n) => n.opType === 'DequantizeLinear' && n.input[0] === g.output[0]);
    assert.equal(dq.length, 1, `${gatherName}: one DequantizeLinear reads the gathered codes`);
    assert.equal(m.attr(dq[0], 'axis'), undefined, `${gatherName}: per tensor`);
    return { names: [g.input[0], dq[0].input[1], dq[0].input[2]], dq: dq[0], gather: g };
  }
  const dq = m.nodes.find((n) => n.opType === 'DequantizeLinear' && n.output[0] === g.input[0]);
  assert.ok(dq, `${gatherName}: its data comes from a DequantizeLinear`);
  return { names: dq.input.slice(0, 3), dq, gather: g };
}

const sameFloats = (a, b, what) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

// ---- models -----------------------------------------------------------------------------------
const E_DIMS = [10, 40];
const T_DIMS = [4, 7, 20];
const E = table(prod(E_DIMS), 1);
const T = table(prod(T_DIMS), 2);
const IDS = [0, 9, -1, -10, 3, 5]; // [2, 3]; −1 → 9, −10 → 0
const J = [-7, 6]; // along T's axis 1 (7)
const K = [-1, 2]; // along T's axis −1 (20)

/** An embedding Gather, and two Gathers of one 3-D table along axis 1 and axis −1. */
function embeddingModel(opset) {
  return buildModel({
    opset,
    inputs: [['ids', 'int64', [2, 3]], ['j', 'int64', [2]], ['k', 'int64', [2]]],
    outputs: [['emb', 'float', undefined], ['picked', 'float', undefined], ['last', 'float', undefined]],
    nodes: [
      { op: 'Gather', name: 'embed', inputs: ['E', 'ids'], outputs: ['emb'] },
      { op: 'Gather', name: 'pick', inputs: ['T', 'j'], outputs: ['picked'], attrs: { axis: 1 } },
      { op: 'Gather', name: 'pick_last', inputs: ['T', 'k'], outputs: ['last'], attrs: { axis: -1 } },
    ],
    initializers: [
      { name: 'E', dims: E_DIMS, float: E },
      { name: 'T', dims: T_DIMS, float: T },
    ],
  });
}
const EMB_FEEDS = { ids: { data: i64(IDS), dims: [2, 3] }, j: { data: i64(J), dims: [2] }, k: { data: i64(K), dims: [2] } };
const EMB_GATHERS = { embed: ['emb', E, E_DIMS, 0, IDS], pick: ['picked', T, T_DIMS, 1, J], pick_last: ['last', T, T_DIMS, -1, K] };

// GPT-2's weight tying: the token table is the embedding and (transposed) the LM head.
const V = 12;
const H = 24;
const W = table(V * H, 3);
const TIED_IDS = [11, 0, -1, 4];
const X = table(2 * H, 4);
const Y = table(3 * V, 5);
function tiedModel() {
  return buildModel({
    opset: 13,
    inputs: [['ids', 'int64', [4]], ['x', 'float', [2, H]], ['y', 'float', [3, V]]],
    outputs: [['emb', 'float', undefined], ['logits', 'float', undefined], ['mm', 'float', undefined]],
    nodes: [
      { op: 'Gather', name: 'embed', inputs: ['wte', 'ids'], outputs: ['emb'] },
      { op: 'Gemm', name: 'lm_head', inputs: ['x', 'wte'], outputs: ['logits'], attrs: { transB: 1 } },
      { op: 'MatMul', name: 'mm', inputs: ['y', 'wte'], outputs: ['mm'] },
    ],
    initializers: [{ name: 'wte', dims: [V, H], float: W }],
  });
}
const TIED_FEEDS = { ids: { data: i64(TIED_IDS), dims: [4] }, x: { data: X, dims: [2, H] }, y: { data: Y, dims: [3, V] } };

/** x · Bᵀ (transB) or x · B in float64, for [m, k] x. */
function matmulRef(x, m, k, b, n, transB) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += x[i * k + t] * (transB ? b[j * k + t] : b[t * n + j]);
    out[i * n + j] = s;
  }
  return out;
}

/** The table in a Constant node. */
function constantModel() {
  return buildModel({
    opset: 13,
    inputs: [['ids', 'int64', [2, 3]]],
    outputs: [['emb', 'float', undefined]],
    nodes: [
      { op: 'Constant', name: 'table', inputs: [], outputs: ['E'], attrs: { value: { tensor: { name: 'E', dims: E_DIMS, float: E } } } },
      { op: 'Gather', name: 'embed', inputs: ['E', 'ids'], outputs: ['emb'] },
    ],
  });
}

/** Gathers inside If branches reading the main graph's table (ONNX's outer scope). */
function subgraphModel() {
  const branch = (name, neg) => ({
    graph: {
      name,
      nodes: [
        { op: 'Gather', name: `${name}_gather`, inputs: ['E', 'ids'], outputs: [`${name}_rows`] },
        ...(neg ? [{ op: 'Neg', name: `${name}_neg`, inputs: [`${name}_rows`], outputs: [`${name}_out`] }] : []),
      ],
      outputs: [[neg ? `${name}_out` : `${name}_rows`, 'float', undefined]],
    },
  });
  return buildModel({
    opset: 13,
    inputs: [['cond', 'bool', []], ['ids', 'int64', [2, 3]]],
    outputs: [['y', 'float', undefined]],
    nodes: [{ op: 'If', name: 'if', inputs: ['cond'], outputs: ['y'], attrs: { then_branch: branch('then', false), else_branch: branch('else', true) } }],
    initializers: [{ name: 'E', dims: E_DIMS, float: E }],
  });
}

/** Float data that is not a constant float32 table: a graph input, a computed tensor, a float16 initializer. */
function notConstantModel() {
  const half = new Uint16Array(20).fill(0x3c00); // 1.0
  return buildModel({
    opset: 13,
    inputs: [['feat', 'float', [5, 4]], ['ids', 'int64', [3]]],
    outputs: [['a', 'float', undefined], ['b', 'float16', undefined], ['c', 'float', undefined]],
    nodes: [
      { op: 'Gather', name: 'from_input', inputs: ['feat', 'ids'], outputs: ['a'] },
      { op: 'Gather', name: 'half', inputs: ['H16', 'ids'], outputs: ['b'] },
      { op: 'Relu', name: 'relu', inputs: ['feat'], outputs: ['r'] },
      { op: 'Gather', name: 'computed', inputs: ['r', 'ids'], outputs: ['c'] },
    ],
    initializers: [{ name: 'H16', dims: [5, 4], dataType: 'float16', raw: new Uint8Array(half.buffer) }],
  });
}

/** Shape → Gather, a Gather on an int64 initializer, and one embedding Gather. */
function shapeModel() {
  return buildModel({
    opset: 13,
    inputs: [['x', 'float', [2, 3, 4]], ['ids', 'int64', [2, 3]], ['sel', 'int64', [2]]],
    outputs: [['d', 'int64', undefined], ['ii', 'int64', undefined], ['emb', 'float', undefined]],
    nodes: [
      { op: 'Shape', name: 'shape', inputs: ['x'], outputs: ['s'] },
      { op: 'Gather', name: 'shape_gather', inputs: ['s', 'one'], outputs: ['d'], attrs: { axis: 0 } },
      { op: 'Gather', name: 'int_table', inputs: ['I', 'sel'], outputs: ['ii'] },
      { op: 'Gather', name: 'embed', inputs: ['E', 'ids'], outputs: ['emb'] },
    ],
    initializers: [int64Init('one', [], [1]), int64Init('I', [3], [7, 8, 9]), { name: 'E', dims: E_DIMS, float: E }],
  });
}
const SHAPE_FEEDS = { x: { data: new Float32Array(24), dims: [2, 3, 4] }, ids: { data: i64(IDS), dims: [2, 3] }, sel: { data: i64([-1, 0]), dims: [2] } };

const DYNAMIC_CASES = [
  { name: 'defaults', opts: {} },
  { name: 'weightType int8, perChannel, reduceRange, symmetric: the table stays uint8 asymmetric per tensor (as in ORT)', opts: { weightType: 'int8', perChannel: true, reduceRange: true, symmetric: true } },
  { name: 'weightType uint8 + symmetric: uint8 symmetric (zero point 128, ORT is_weight_symmetric)', opts: { weightType: 'uint8', symmetric: true } },
];
const WEIGHTS_CASES = [
  { name: 'defaults: int8 symmetric, per channel along the gather axis', opts: {}, opset: 13 },
  { name: 'per-tensor uint8', opts: { perChannel: false, weightType: 'uint8' }, opset: 13 },
  { name: 'uint8 reduceRange per channel', opts: { weightType: 'uint8', reduceRange: true }, opset: 13 },
  { name: 'int4 blocks of 16 along the last other axis (partial last blocks)', opts: { weightType: 'int4', blockSize: 16 }, opset: 21 },
];

describe(`onnx Gather in dynamic and weights-only (${quantkit.backend.name})`, function () {
  this.timeout(60000);
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-gather-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const c of DYNAMIC_CASES) {
    it(`dynamic, ${c.name}: Gather on uint8 codes → DequantizeLinear, ORT's codes, exact rows`, async () => {
      const r = await quantizeModel(embeddingModel(13), { mode: 'dynamic', ...c.opts });
      assert.deepEqual(r.skipped, []);
      assert.deepEqual(r.changed.map((x) => x.node).sort(), ['embed', 'pick', 'pick_last']);
      const m = ref.readModel(r.bytes);
      const expect = ortDynamicGather(c.opts);
      const out = await runModel(r.bytes, EMB_FEEDS);
      const codesOfT = new Set();
      for (const [name, [output, values, dims, axis, idx]] of Object.entries(EMB_GATHERS)) {
        const s = storedTable(m, 'dynamic', name);
        assert.equal(s.dq.output[0], output, `${name}: the DequantizeLinear writes the original output`);
        assert.equal(m.attr(s.gather, 'axis'), name === 'embed' ? undefined : axis, `${name}: axis kept`);
        if (values === T) codesOfT.add(s.gather.input[0]);
        const deq = checkTable(m, s.names, values, dims, expect, name);
        sameFloats(out[output].data, gatherRef(deq, dims, idx, axis), `${name} output`);
      }
      assert.equal(codesOfT.size, 1, 'the table two Gathers share is stored once');
      assert.equal(m.init('E'), undefined, 'the float table is gone');
      assert.equal(m.init('T'), undefined);
    });
  }

  for (const c of WEIGHTS_CASES) {
    it(`weights-only, ${c.name}: DequantizeLinear → Gather, codes as restated, exact rows`, async () => {
      const r = await quantizeModel(embeddingModel(c.opset), { mode: 'weights-only', ...c.opts });
      assert.deepEqual(r.skipped, []);
      assert.deepEqual(r.changed.map((x) => x.node).sort(), ['embed', 'pick', 'pick_last']);
      const m = ref.readModel(r.bytes);
      const out = await runModel(r.bytes, EMB_FEEDS);
      for (const [name, [output, values, dims, axis, idx]] of Object.entries(EMB_GATHERS)) {
        const expect = weightsOnlyGather(c.opts, dims, axis);
        const s = storedTable(m, 'weights-only', name);
        assert.equal(m.attr(s.dq, 'axis'), expect.axis, `${name}: DequantizeLinear axis`);
        assert.equal(m.attr(s.dq, 'block_size'), expect.blockSize, `${name}: block_size`);
        assert.equal(s.gather.input[1], name === 'embed' ? 'ids' : name === 'pick' ? 'j' : 'k', `${name}: indices untouched`);
        const deq = checkTable(m, s.names, values, dims, expect, name);
        sameFloats(out[output].data, gatherRef(deq, dims, idx, axis), `${name} output`);
      }
      assert.equal(m.init('E'), undefined, 'the float table is gone');
    });
  }

  it('a table tied to Gemm (transB) and MatMul: dynamic gives each consumer its own copy', async () => {
    const r = await quantizeModel(tiedModel(), { mode: 'dynamic' });
    assert.deepEqual(r.changed.map((x) => x.node).sort(), ['embed', 'lm_head', 'mm']);
    const m = ref.readModel(r.bytes);
    const s = storedTable(m, 'dynamic', 'embed');
    const deq = checkTable(m, s.names, W, [V, H], ortDynamicGather({}), 'embed');
    const mmi = m.nodes.filter((n) => n.opType === 'MatMulInteger');
    assert.equal(mmi.length, 2);
    const bOf = (nodeName) => m.init(mmi.find((n) => n.name.startsWith(nodeName)).input[1]);
    const head = bOf('lm_head');
    const mm = bOf('mm');
    assert.deepEqual([m.dims(head), m.dims(mm)], [[H, V], [V, H]], 'lm_head reads the transposed copy, mm the table as it is');
    assert.equal(head.dataType, 3);
    assert.equal(mm.dataType, 3);
    assert.notEqual(head.name, s.names[0]);
    assert.notEqual(mm.name, s.names[0]);
    // The int8 copies: ORT's per-tensor int8 symmetric codes of Wᵀ and W.
    const wt = new Float32Array(V * H);
    for (let v = 0; v < V; v++) for (let h = 0; h < H; h++) wt[h * V + v] = W[v * H + h];
    assert.deepEqual(ref.codesOf(head, V * H), ref.quantizeRef(wt, [H, V], { type: 'int8', symmetric: true }).codes);
    assert.deepEqual(ref.codesOf(mm, V * H), ref.quantizeRef(W, [V, H], { type: 'int8', symmetric: true }).codes);
    const out = await runModel(r.bytes, TIED_FEEDS);
    sameFloats(out.emb.data, gatherRef(deq, [V, H], TIED_IDS, 0), 'emb');
    // The integer products: within a few steps of the float ones.
    for (const [o, want] of [['logits', matmulRef(X, 2, H, W, V, true)], ['mm', matmulRef(Y, 3, V, W, H, false)]]) {
      const peak = Math.max(...want.map(Math.abs));
      want.forEach((v, i) => assert.ok(Math.abs(out[o].data[i] - v) <= 0.03 * peak, `${o}[${i}]: ${out[o].data[i]} vs ${v}`));
    }
  });

  it('a table tied to Gemm (transB) and MatMul: weights-only shares the per-row copy with Gemm, MatMul gets its own', async () => {
    const r = await quantizeModel(tiedModel(), { mode: 'weights-only' });
    assert.deepEqual(r.changed.map((x) => x.node).sort(), ['embed', 'lm_head', 'mm']);
    const m = ref.readModel(r.bytes);
    const s = storedTable(m, 'weights-only', 'embed');
    const head = m.nodes.find((n) => n.name === 'lm_head');
    const mm = m.nodes.find((n) => n.name === 'mm');
    assert.equal(head.input[1], s.gather.input[0], 'Gather and the tied head read one DequantizeLinear (axis 0 for both)');
    assert.notEqual(mm.input[1], s.gather.input[0]);
    assert.equal(m.nodes.filter((n) => n.opType === 'DequantizeLinear').length, 2);
    const rows = checkTable(m, s.names, W, [V, H], weightsOnlyGather({}, [V, H], 0), 'embed');
    const mmDq = m.nodes.find((n) => n.opType === 'DequantizeLinear' && n.output[0] === mm.input[1]);
    assert.equal(m.attr(mmDq, 'axis'), 1);
    const cols = checkTable(m, mmDq.input, W, [V, H], { type: 'int8', symmetric: true, axis: 1 }, 'mm');
    const out = await runModel(r.bytes, TIED_FEEDS, { graphOptimizationLevel: 'disabled' });
    sameFloats(out.emb.data, gatherRef(rows, [V, H], TIED_IDS, 0), 'emb');
    for (const [o, want] of [['logits', matmulRef(X, 2, H, rows, V, true)], ['mm', matmulRef(Y, 3, V, cols, H, false)]]) {
      want.forEach((v, i) => assert.ok(Math.abs(out[o].data[i] - v) <= 1e-5 * (1 + Math.abs(v)), `${o}[${i}]: ${out[o].data[i]} vs ${v}`));
    }
  });

  for (const mode of ['dynamic', 'weights-only']) {
    it(`${mode}: a table in a Constant node is quantized and the Constant removed`, async () => {
      const r = await quantizeModel(constantModel(), { mode });
      assert.deepEqual(r.changed.map((x) => [x.node, x.opType]), [['embed', 'Gather']]);
      const m = ref.readModel(r.bytes);
      assert.ok(!m.nodes.some((n) => n.opType === 'Constant'), 'the float Constant is gone');
      const s = storedTable(m, mode, 'embed');
      const expect = mode === 'dynamic' ? ortDynamicGather({}) : weightsOnlyGather({}, E_DIMS, 0);
      const deq = checkTable(m, s.names, E, E_DIMS, expect, 'embed');
      const out = await runModel(r.bytes, { ids: EMB_FEEDS.ids });
      sameFloats(out.emb.data, gatherRef(deq, E_DIMS, IDS, 0), 'emb');
    });

    it(`${mode}: Gathers in If branches on the outer table: codes stored in each branch, exact rows on both paths`, async () => {
      const r = await quantizeModel(subgraphModel(), { mode });
      assert.deepEqual(r.changed.map((x) => x.node).sort(), ['else_gather', 'then_gather']);
      const m = ref.readModel(r.bytes);
      const expect = mode === 'dynamic' ? ortDynamicGather({}) : weightsOnlyGather({}, E_DIMS, 0);
      let deq;
      for (const name of ['then_gather', 'else_gather']) {
        const branch = m.graphs.find((g) => g.node.some((n) => n.name === name));
        const s = storedTable(m, mode, name);
        assert.ok(branch.initializer.some((t) => t.name === s.names[0]), `${name}: the codes sit in its own graph`);
        deq = checkTable(m, s.names, E, E_DIMS, expect, name);
      }
      assert.equal(m.init('E'), undefined, 'the float table is gone');
      const rows = gatherRef(deq, E_DIMS, IDS, 0);
      const ids = EMB_FEEDS.ids;
      sameFloats((await runModel(r.bytes, { cond: { type: 'bool', data: Uint8Array.of(1), dims: [] }, ids })).y.data, rows, 'then');
      sameFloats((await runModel(r.bytes, { cond: { type: 'bool', data: Uint8Array.of(0), dims: [] }, ids })).y.data, rows.map((v) => -v), 'else');
    });

    it(`${mode}: float data that is not a constant float32 table is listed in skipped, with the reason`, async () => {
      const bytes = notConstantModel();
      const r = await quantizeModel(bytes, { mode });
      assert.deepEqual(r.changed, []);
      const why = Object.fromEntries(r.skipped.map((s) => [s.node, s.reason]));
      assert.deepEqual(Object.keys(why).sort(), ['computed', 'from_input', 'half']);
      assert.match(why.from_input, /^data 'feat' is not a constant/);
      assert.match(why.computed, /^data 'r' is not a constant/);
      assert.match(why.half, /^data 'H16' is float16, not float/);
      const feeds = { feat: { data: table(20, 9), dims: [5, 4] }, ids: { data: i64([4, -5, 1]), dims: [3] } };
      const [a, b] = [await runModel(r.bytes, feeds), await runModel(bytes, feeds)];
      for (const o of ['a', 'b', 'c']) assert.deepEqual(a[o].data, b[o].data, o);
    });

    it(`${mode}: Gathers on shape tensors and integer tables are left alone without a report; progress counts every Gather`, async () => {
      const calls = [];
      const r = await quantizeModel(shapeModel(), { mode, onProgress: (done, total, label) => calls.push([done, total, label]) });
      assert.deepEqual(r.skipped, []);
      assert.deepEqual(r.changed.map((x) => x.node), ['embed']);
      assert.deepEqual(calls, [[1, 3, 'shape_gather'], [2, 3, 'int_table'], [3, 3, 'embed']]);
      const m = ref.readModel(r.bytes);
      for (const n of ['shape_gather', 'int_table']) {
        const g = m.nodes.find((x) => x.name === n);
        assert.deepEqual(g.input, n === 'shape_gather' ? ['s', 'one'] : ['I', 'sel'], `${n} unchanged`);
      }
      const out = await runModel(r.bytes, SHAPE_FEEDS);
      assert.deepEqual(Array.from(out.d.data), [3n]);
      assert.deepEqual(Array.from(out.ii.data), [9n, 7n]);
    });

    it(`${mode}: excludeOp 'Gather' and excludeNode keep the table float and list only the table's Gather`, async () => {
      for (const opts of [{ excludeOp: ['Gather'] }, { excludeNode: ['embed'] }, { excludeNode: ['emb*'] }]) {
        const r = await quantizeModel(shapeModel(), { mode, ...opts });
        assert.deepEqual(r.changed, []);
        assert.deepEqual(r.skipped.map((s) => [s.node, s.opType]), [['embed', 'Gather']], JSON.stringify(opts));
        assert.match(r.skipped[0].reason, /^excluded by exclude(Op 'Gather'|Node 'emb(ed|\*)')$/);
        const m = ref.readModel(r.bytes);
        assert.ok(m.init('E'), 'the float table stays');
        assert.deepEqual(m.nodes.find((x) => x.name === 'embed').input, ['E', 'ids']);
      }
    });
  }

  it(`the ${quantkit.backend.name} backend writes the same bytes as ${ref.otherBackend(quantkit.backend.name)} (in a child process)`, async () => {
    const jobs = [
      ['embedding.onnx', embeddingModel(13), [...DYNAMIC_CASES.map((c) => ({ mode: 'dynamic', ...c.opts })), ...WEIGHTS_CASES.filter((c) => c.opset === 13).map((c) => ({ mode: 'weights-only', ...c.opts }))]],
      ['embedding21.onnx', embeddingModel(21), WEIGHTS_CASES.filter((c) => c.opset === 21).map((c) => ({ mode: 'weights-only', ...c.opts }))],
      ['tied.onnx', tiedModel(), [{ mode: 'dynamic' }, { mode: 'weights-only' }, { mode: 'weights-only', blockSize: 16, weightType: 'uint4' }]],
      ['subgraph.onnx', subgraphModel(), [{ mode: 'dynamic' }, { mode: 'weights-only' }]],
    ];
    for (const [file, bytes, list] of jobs) {
      const p = path.join(dir, file);
      fs.writeFileSync(p, bytes);
      const here = [];
      for (const o of list) here.push(ref.sha256((await quantizeModel(p, o)).bytes));
      assert.deepEqual(ref.digestsOn(ref.otherBackend(quantkit.backend.name), p, list), here, file);
    }
  });
});
