'use strict';
// The synthetic weights and models of the dynamic and weights-only suites: skewed ranges
// (asymmetric zero points), an all-zero channel (scale 1), an all-positive channel, a K that
// blocks of 16 leave partial; every node reads the graph input directly, so that each output's
// error comes from one weight.
const assert = require('node:assert/strict');
const { buildModel, runModel, REAL_MODELS } = require('./onnx-build');
const ref = require('./ort-weight-ref');

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randn = (r, n, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());

function weights(seed) {
  const r = rng(seed);
  const B1 = randn(r, 40 * 24, -0.7, 1.3); // MatMul [K 40, N 24]
  for (let k = 0; k < 40; k++) B1[k * 24 + 5] = 0; // column 5 all zero
  for (let k = 0; k < 40; k++) B1[k * 24 + 7] = 0.1 + r(); // column 7 positive
  const B2 = randn(r, 12 * 40, -2, 0.5); // Gemm transB [N 12, K 40]
  const C2 = randn(r, 12);
  const B3 = randn(r, 40 * 10); // Gemm [K 40, N 10]
  const W1 = randn(r, 8 * 4 * 3 * 3, -0.3, 0.6); // Conv [8, 4, 3, 3]
  const b1 = randn(r, 8);
  const W2 = randn(r, 4 * 3 * 2 * 2); // ConvTranspose [C 4, M 3, 2, 2]
  const W3 = randn(r, 4 * 1 * 3 * 3); // depthwise Conv [4, 1, 3, 3], group 4
  return { B1, B2, C2, B3, W1, b1, W2, W3 };
}

function linearModel(w, opset = 13) {
  return buildModel({
    opset,
    inputs: [['x', 'float', [3, 40]]],
    outputs: [['y1', 'float', [3, 24]], ['y2', 'float', [3, 12]], ['y3', 'float', [3, 10]], ['y4', 'float', [3, 24]]],
    nodes: [
      { op: 'MatMul', name: 'mm', inputs: ['x', 'B1'], outputs: ['y1'] },
      { op: 'Gemm', name: 'gemmT', inputs: ['x', 'B2', 'C2'], outputs: ['y2'], attrs: { transB: 1, alpha: 0.5, beta: { float: 2 } } },
      { op: 'Gemm', name: 'gemm', inputs: ['x', 'B3'], outputs: ['y3'] },
      { op: 'MatMul', name: 'mm_shared', inputs: ['x', 'B1'], outputs: ['y4'] },
    ],
    initializers: [
      { name: 'B1', dims: [40, 24], float: w.B1 },
      { name: 'B2', dims: [12, 40], float: w.B2 },
      { name: 'C2', dims: [12], float: w.C2 },
      { name: 'B3', dims: [40, 10], float: w.B3 },
    ],
  });
}

/** A quantized PaddleOCR det model's map on a synthetic text page against the float model's (ref.checkDetMap's bounds). */
async function checkDet(bytes) {
  const feeds = { x: { data: ref.textImage(96, 128), dims: [1, 3, 96, 128] } };
  const q = await runModel(bytes, feeds);
  const f = await runModel(REAL_MODELS.det, feeds);
  const [name] = Object.keys(f);
  ref.checkDetMap(q[name].data, f[name].data);
}

/** A quantized Silero VAD's speech probability on one chunk of noise within 0.05 of the float model's. */
async function checkVad(bytes) {
  const rr = rng(9);
  const feeds = { input: { data: randn(rr, 512, -0.5, 0.5), dims: [1, 512] }, state: { data: new Float32Array(256), dims: [2, 1, 128] }, sr: { data: BigInt64Array.of(16000n), dims: [] } };
  const q = await runModel(bytes, feeds);
  const f = await runModel(REAL_MODELS.vad, feeds);
  assert.ok(Math.abs(q.output.data[0] - f.output.data[0]) < 0.05, `${q.output.data[0]} vs ${f.output.data[0]}`);
}

module.exports = { rng, randn, weights, linearModel, checkDet, checkVad };
