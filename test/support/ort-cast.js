'use strict';
// ONNX Runtime's Cast as the oracle of the float16 / bfloat16 conversions.
// onnxruntime-node has no bfloat16 tensors at all, and where the runtime has Float16Array
// (Node 24+) it returns float16 tensors as Float16Array and takes no float16 input tensor
// (its binding reads a Float16Array's byte length as 0: microsoft/onnxruntime#26791), so
// float16 and bfloat16 data go in as initializers and come out as their bits:
//   ortToFloat16(x: Float32Array)     -> Uint16Array   Cast(FLOAT -> FLOAT16)
//   ortFromFloat16(h: Uint16Array)    -> Float32Array  Cast(FLOAT16 -> FLOAT) of a FLOAT16
//                                                      initializer holding h (a graph per call)
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

// A float16 tensor's data as its bits: a Uint16Array, or a Float16Array viewed as one.
const halfBits = (d) => (Object.prototype.toString.call(d) === '[object Float16Array]' ? new Uint16Array(d.buffer, d.byteOffset, d.length) : d);

async function ortToFloat16(x) {
  const s = await session('f2h', () => model([cast('x', 'y', DT.FLOAT16)], [tensorInfo('x', DT.FLOAT, N)], [tensorInfo('y', DT.FLOAT16, N)]));
  return halfBits((await s.run({ x: new ort.Tensor('float32', x, [x.length]) })).y.data);
}

// A graph whose only data is one 16-bit initializer (type `dataType`, bits h) cast to FLOAT.
async function castInitializer(h, dataType) {
  const raw = new Uint8Array(h.buffer, h.byteOffset, h.byteLength).slice();
  const bytes = model([cast('b', 'y', DT.FLOAT)], [], [tensorInfo('y', DT.FLOAT, { dimValue: h.length })],
    [{ name: 'b', dataType, dims: [h.length], rawData: raw }]);
  const s = await ort.InferenceSession.create(bytes);
  try {
    return (await s.run({})).y.data;
  } finally {
    await s.release();
  }
}

const ortFromFloat16 = (h) => castInitializer(h, DT.FLOAT16);

async function ortToBFloat16(x) {
  const s = await session('f2b2f', () => model([cast('x', 'b', DT.BFLOAT16), cast('b', 'y', DT.FLOAT)], [tensorInfo('x', DT.FLOAT, N)], [tensorInfo('y', DT.FLOAT, N)]));
  const y = (await s.run({ x: new ort.Tensor('float32', x, [x.length]) })).y.data;
  const bits = new Uint32Array(y.buffer, y.byteOffset, y.length);
  return Uint16Array.from(bits, (b) => b >>> 16);
}

const ortFromBFloat16 = (h) => castInitializer(h, DT.BFLOAT16);

async function releaseCastSessions() {
  const all = [...sessions.values()];
  sessions.clear();
  for (const r of await Promise.allSettled(all)) if (r.status === 'fulfilled') await r.value.release();
}

module.exports = { ortToFloat16, ortFromFloat16, ortToBFloat16, ortFromBFloat16, releaseCastSessions };
