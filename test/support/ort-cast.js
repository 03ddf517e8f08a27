'use strict';
// ONNX Runtime's Cast as the oracle of the float16 / bfloat16 conversions.
// onnxruntime-node takes and returns float16 tensors as Uint16Array bits, but has no
// bfloat16 tensors at all, so:
//   ortToFloat16(x: Float32Array)     -> Uint16Array   Cast(FLOAT -> FLOAT16)
//   ortFromFloat16(h: Uint16Array)    -> Float32Array  Cast(FLOAT16 -> FLOAT)
//   ortFromBFloat16(h: Uint16Array)   -> Float32Array  Cast(BFLOAT16 -> FLOAT) of a BFLOAT16
//                                                      initializer holding h (a graph per call)
//   ortToBFloat16(x: Float32Array)    -> Uint16Array   Cast(FLOAT -> BFLOAT16 -> FLOAT), the top
//                                                      16 bits of each result (the second Cast
//                                                      is exact: ortFromBFloat16 checks that)
const ort = require('onnxruntime-node');
const { onnx } = require('onnx-proto');
const { irVersionFor } = require('./onnx-graphs');

const DT = onnx.TensorProto.DataType;
const OPSET = 21;

function cast(input, output, to) {
  return { opType: 'Cast', input: [input], output: [output], name: output, attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }] };
}

function tensorInfo(name, elemType, dim) {
  return { name, type: { tensorType: { elemType, shape: { dim: [dim] } } } };
}

function model(nodes, inputs, outputs, initializer = []) {
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: irVersionFor(OPSET),
    producerName: 'quantkit',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: { name: 'cast', node: nodes, input: inputs, output: outputs, initializer },
  })).finish();
}

const N = { dimParam: 'N' };
const sessions = new Map();
function session(key, bytes) {
  if (!sessions.has(key)) sessions.set(key, ort.InferenceSession.create(bytes()));
  return sessions.get(key);
}

async function ortToFloat16(x) {
  const s = await session('f2h', () => model([cast('x', 'y', DT.FLOAT16)], [tensorInfo('x', DT.FLOAT, N)], [tensorInfo('y', DT.FLOAT16, N)]));
  return (await s.run({ x: new ort.Tensor('float32', x, [x.length]) })).y.data;
}

async function ortFromFloat16(h) {
  const s = await session('h2f', () => model([cast('x', 'y', DT.FLOAT)], [tensorInfo('x', DT.FLOAT16, N)], [tensorInfo('y', DT.FLOAT, N)]));
  return (await s.run({ x: new ort.Tensor('float16', h, [h.length]) })).y.data;
}

async function ortToBFloat16(x) {
  const s = await session('f2b2f', () => model([cast('x', 'b', DT.BFLOAT16), cast('b', 'y', DT.FLOAT)], [tensorInfo('x', DT.FLOAT, N)], [tensorInfo('y', DT.FLOAT, N)]));
  const y = (await s.run({ x: new ort.Tensor('float32', x, [x.length]) })).y.data;
  const bits = new Uint32Array(y.buffer, y.byteOffset, y.length);
  return Uint16Array.from(bits, (b) => b >>> 16);
}

async function ortFromBFloat16(h) {
  const raw = new Uint8Array(h.buffer, h.byteOffset, h.byteLength).slice();
  const bytes = model([cast('b', 'y', DT.FLOAT)], [], [tensorInfo('y', DT.FLOAT, { dimValue: h.length })],
    [{ name: 'b', dataType: DT.BFLOAT16, dims: [h.length], rawData: raw }]);
  const s = await ort.InferenceSession.create(bytes);
  try {
    return (await s.run({})).y.data;
  } finally {
    await s.release();
  }
}

async function releaseCastSessions() {
  const all = [...sessions.values()];
  sessions.clear();
  for (const r of await Promise.allSettled(all)) if (r.status === 'fulfilled') await r.value.release();
}

module.exports = { ortToFloat16, ortFromFloat16, ortToBFloat16, ortFromBFloat16, releaseCastSessions };
