'use strict';
// Small models for test/onnx-qdq-ops.test.js, one per op that mode 'qdq' quantizes by a rule of
// its own (ORT's QDQRegistry / QLinearOpsRegistry ops beyond Conv, MatMul and the element-wise
// ones), each with its calibration feeds. A module of its own so that the byte-identity check
// can quantize the same models in a child process on the other backend.
//
//   CASES: { name: () => ({ model: Uint8Array, feeds: Feed[], opts?: object }) }
const { buildModel } = require('./onnx-build');
const { rnd } = require('./qdq-ref');

/** Deterministic integers in [0, hi). */
function ints(n, seed, hi) {
  return Array.from(rnd(n, seed), (v) => Math.min(hi - 1, Math.floor(((v + 1) / 2) * hi)));
}
const i64 = (v) => new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer);
const i64Feed = (v, dims) => ({ data: BigInt64Array.from(v.map(BigInt)), dims });
const f = (n, seed, dims, s = 1) => ({ data: rnd(n, seed, s), dims });
const size = (dims) => dims.reduce((a, b) => a * b, 1);
/** `n` feeds of float inputs `names` (all of dims `dims`), plus `extra(k)`. */
function feedsOf(n, seed, names, dims, s = 2, extra = () => ({})) {
  return Array.from({ length: n }, (_, k) => Object.assign(Object.fromEntries(names.map((nm, j) => [nm, f(size(dims), seed + 100 * k + j, dims, s)])), extra(k)));
}

const CASES = {
  /** x + y → Flatten(axis 1). */
  flatten: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 3, 4]], ['y', 'float', [2, 3, 4]]],
      outputs: [['out', 'float', [2, 12]]],
      nodes: [{ op: 'Add', inputs: ['x', 'y'], outputs: ['a'] }, { op: 'Flatten', inputs: ['a'], outputs: ['out'], attrs: { axis: 1 } }],
    }),
    feeds: feedsOf(4, 1, ['x', 'y'], [2, 3, 4]),
  }),
  /** x + y → TopK(k = 3): values and int64 indices. */
  topk: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['x', 'float', [3, 8]], ['y', 'float', [3, 8]]],
      outputs: [['values', 'float', [3, 3]], ['indices', 'int64', [3, 3]]],
      initializers: [{ name: 'k', dims: [1], dataType: 'int64', raw: i64([3]) }],
      nodes: [{ op: 'Add', inputs: ['x', 'y'], outputs: ['a'] }, { op: 'TopK', inputs: ['a', 'k'], outputs: ['values', 'indices'] }],
    }),
    feeds: feedsOf(4, 2, ['x', 'y'], [3, 8]),
  }),
  /**
   * Pads of x (opset 13): constant mode without a value (pads 0) → p0; constant 0.5 (an
   * initializer) → p1; reflect → p2; a pad value fed as an input → p3.
   */
  pad: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['x', 'float', [1, 2, 3, 3]], ['v', 'float', []]],
      outputs: [['p0', 'float', [1, 2, 5, 5]], ['p1', 'float', [1, 2, 5, 5]], ['p2', 'float', [1, 2, 5, 5]], ['p3', 'float', [1, 2, 5, 5]]],
      initializers: [{ name: 'pads', dims: [8], dataType: 'int64', raw: i64([0, 0, 1, 1, 0, 0, 1, 1]) }, { name: 'cv', dims: [], float: Float32Array.of(0.5) }],
      nodes: [
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p0'], name: 'pad_zero' },
        { op: 'Pad', inputs: ['x', 'pads', 'cv'], outputs: ['p1'], name: 'pad_half' },
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p2'], name: 'pad_reflect', attrs: { mode: 'reflect' } },
        { op: 'Pad', inputs: ['x', 'pads', 'v'], outputs: ['p3'], name: 'pad_fed' },
      ],
    }),
    feeds: feedsOf(4, 3, ['x'], [1, 2, 3, 3], 2, (k) => ({ v: { data: Float32Array.of(-0.25 * (k + 1)), dims: [] } })),
  }),
  /** Opset 10 Pads (attributes): value 0 → q0 shares x's parameters; value 1.5 → q1 its own. */
  pad10: () => ({
    model: buildModel({
      opset: 10,
      inputs: [['x', 'float', [2, 4]]],
      outputs: [['q0', 'float', [2, 6]], ['q1', 'float', [2, 6]]],
      nodes: [
        { op: 'Pad', inputs: ['x'], outputs: ['q0'], attrs: { pads: [0, 1, 0, 1], value: { float: 0 } } },
        { op: 'Pad', inputs: ['x'], outputs: ['q1'], attrs: { pads: [0, 1, 0, 1], value: { float: 1.5 } } },
      ],
    }),
    feeds: feedsOf(3, 4, ['x'], [2, 4]),
    opts: { perChannel: false }, // keeps opset 10 (per-channel would upgrade the model to 13, Pad's value becoming an input)
  }),
  /** Gather of a constant table T[10, 4] at fed indices. */
  gather: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['idx', 'int64', [2, 3]]],
      outputs: [['g', 'float', [2, 3, 4]]],
      initializers: [{ name: 'T', dims: [10, 4], float: rnd(40, 5, 1.5) }],
      nodes: [{ op: 'Gather', inputs: ['T', 'idx'], outputs: ['g'] }],
    }),
    feeds: Array.from({ length: 3 }, (_, k) => ({ idx: i64Feed(ints(6, 50 + k, 10), [2, 3]) })),
  }),
  /** GatherElements of a quantized activation (x + y) → g1, and of a constant table E → g2. */
  gatherElements: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['x', 'float', [3, 4]], ['y', 'float', [3, 4]], ['idx', 'int64', [3, 4]]],
      outputs: [['g1', 'float', [3, 4]], ['g2', 'float', [3, 4]]],
      initializers: [{ name: 'E', dims: [3, 4], float: rnd(12, 6, 3) }],
      nodes: [
        { op: 'Add', inputs: ['x', 'y'], outputs: ['a'] },
        { op: 'GatherElements', inputs: ['a', 'idx'], outputs: ['g1'], attrs: { axis: 1 } },
        { op: 'GatherElements', inputs: ['E', 'idx'], outputs: ['g2'], attrs: { axis: 1 } },
      ],
    }),
    feeds: feedsOf(3, 7, ['x', 'y'], [3, 4], 2, (k) => ({ idx: i64Feed(ints(12, 70 + k, 4), [3, 4]) })),
  }),
  /** Where(c, x + y, y + z) → w (both values quantized); Where(c, x + y, K) → w2 (K a constant: not). */
  where: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['c', 'bool', [2, 5]], ['x', 'float', [2, 5]], ['y', 'float', [2, 5]], ['z', 'float', [2, 5]]],
      outputs: [['w', 'float', [2, 5]], ['w2', 'float', [2, 5]]],
      initializers: [{ name: 'K', dims: [2, 5], float: rnd(10, 8, 4) }],
      nodes: [
        { op: 'Add', inputs: ['x', 'y'], outputs: ['a1'] },
        { op: 'Add', inputs: ['y', 'z'], outputs: ['a2'] },
        { op: 'Where', inputs: ['c', 'a1', 'a2'], outputs: ['w'], name: 'where_both' },
        { op: 'Where', inputs: ['c', 'a1', 'K'], outputs: ['w2'], name: 'where_const' },
      ],
    }),
    feeds: feedsOf(4, 9, ['x', 'y', 'z'], [2, 5], 2, (k) => ({ c: { data: Uint8Array.from(ints(10, 90 + k, 2)), dims: [2, 5], type: 'bool' } })),
  }),
  /** BatchNormalization of a graph input (no Conv before it: nothing to fold). */
  batchNorm: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 3, 4, 4]]],
      outputs: [['y', 'float', [2, 3, 4, 4]]],
      initializers: [
        { name: 'gamma', dims: [3], float: Float32Array.of(0.8, -1.3, 2.1) }, { name: 'beta', dims: [3], float: Float32Array.of(0.1, -0.4, 0.25) },
        { name: 'mean', dims: [3], float: Float32Array.of(0.2, -0.1, 0.05) }, { name: 'var', dims: [3], float: Float32Array.of(1.5, 0.7, 2.2) },
      ],
      nodes: [{ op: 'BatchNormalization', inputs: ['x', 'gamma', 'beta', 'mean', 'var'], outputs: ['y'] }],
    }),
    feeds: feedsOf(3, 10, ['x'], [2, 3, 4, 4]),
  }),
  /** InstanceNormalization over [N, C, L]. */
  instanceNorm: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 3, 6]]],
      outputs: [['y', 'float', [2, 3, 6]]],
      initializers: [{ name: 'gamma', dims: [3], float: Float32Array.of(1.2, 0.6, -0.9) }, { name: 'beta', dims: [3], float: Float32Array.of(0.3, 0, -0.2) }],
      nodes: [{ op: 'InstanceNormalization', inputs: ['x', 'gamma', 'beta'], outputs: ['y'] }],
    }),
    feeds: feedsOf(3, 11, ['x'], [2, 3, 6]),
  }),
  /** LayerNormalization (opset 17) over the last axis, with its Mean and InvStdDev outputs. */
  layerNorm: () => ({
    model: buildModel({
      opset: 17,
      inputs: [['x', 'float', [2, 4, 6]]],
      outputs: [['y', 'float', [2, 4, 6]], ['mu', 'float', [2, 4, 1]], ['isd', 'float', [2, 4, 1]]],
      initializers: [{ name: 'gamma', dims: [6], float: rnd(6, 12, 1.5) }, { name: 'beta', dims: [6], float: rnd(6, 13, 0.5) }],
      nodes: [{ op: 'LayerNormalization', inputs: ['x', 'gamma', 'beta'], outputs: ['y', 'mu', 'isd'], attrs: { axis: -1 } }],
    }),
    feeds: feedsOf(3, 14, ['x'], [2, 4, 6]),
  }),
  /** LayerNormalization over the last two axes: a 2-D scale [4, 6] (per channel along axis 1) and a [4, 6] bias. */
  layerNorm2d: () => ({
    model: buildModel({
      opset: 17,
      inputs: [['x', 'float', [2, 4, 6]]],
      outputs: [['y', 'float', [2, 4, 6]]],
      initializers: [{ name: 'gamma', dims: [4, 6], float: rnd(24, 21, 1.5) }, { name: 'beta', dims: [4, 6], float: rnd(24, 22, 0.5) }],
      nodes: [{ op: 'LayerNormalization', inputs: ['x', 'gamma', 'beta'], outputs: ['y'], name: 'ln2d', attrs: { axis: -2 } }],
    }),
    feeds: feedsOf(3, 23, ['x'], [2, 4, 6]),
  }),
  /** CumSum along axis 1. */
  cumsum: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 6]]],
      outputs: [['y', 'float', [2, 6]]],
      initializers: [{ name: 'axis', dims: [], dataType: 'int64', raw: i64([1]) }],
      nodes: [{ op: 'CumSum', inputs: ['x', 'axis'], outputs: ['y'] }],
    }),
    feeds: feedsOf(3, 15, ['x'], [2, 6]),
  }),
  /** ArgMax along axis 1 (int64 output). */
  argmax: () => ({
    model: buildModel({
      opset: 13,
      inputs: [['x', 'float', [3, 7]]],
      outputs: [['i', 'int64', [3]]],
      nodes: [{ op: 'ArgMax', inputs: ['x'], outputs: ['i'], attrs: { axis: 1, keepdims: 0 } }],
    }),
    feeds: feedsOf(4, 16, ['x'], [3, 7]),
  }),
  /** com.microsoft EmbedLayerNormalization: word + position embeddings, LayerNorm. */
  embedLayerNorm: () => ({
    model: buildModel({
      opset: 13,
      opsets: [['com.microsoft', 1]],
      inputs: [['ids', 'int32', [2, 5]]],
      outputs: [['out', 'float', [2, 5, 8]], ['mask_index', 'int32', [2]]],
      initializers: [
        { name: 'word', dims: [20, 8], float: rnd(160, 17, 1) }, { name: 'pos', dims: [16, 8], float: rnd(128, 18, 0.5) },
        { name: 'gamma', dims: [8], float: rnd(8, 19, 1.2) }, { name: 'beta', dims: [8], float: rnd(8, 20, 0.3) },
      ],
      nodes: [{ op: 'EmbedLayerNormalization', domain: 'com.microsoft', inputs: ['ids', '', 'word', 'pos', '', 'gamma', 'beta'], outputs: ['out', 'mask_index'], attrs: { epsilon: { float: 1e-5 } } }],
    }),
    feeds: Array.from({ length: 3 }, (_, k) => ({ ids: { data: Int32Array.from(ints(10, 200 + k, 20)), dims: [2, 5], type: 'int32' } })),
  }),
};

/** Every case as a quantizeModel job (mode 'qdq', its own feeds and options), in CASES order. */
function qdqJobs() {
  return Object.values(CASES).map((make) => {
    const { model, feeds, opts } = make();
    return [model, { mode: 'qdq', calibration: feeds, ...opts }];
  });
}

module.exports = { CASES, rnd, qdqJobs };
