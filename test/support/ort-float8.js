'use strict';
// ONNX Runtime as the oracle of the float8 formats. onnxruntime-node cannot hand float8
// tensors to JS, so every float8 tensor stays inside the graph:
//   ortQuantizeFloat8(x, scale, format, saturate, opts?) -> Float32Array
//       QuantizeLinear(x, scale, zero point) then Cast(to FLOAT): the decoded codes. The
//       zero point is a float8 initializer (raw byte opts.zeroPoint, default 0x00); scale a
//       graph input. Cast float8 -> float is exact, so the decoded value names the code
//       (every non-NaN code has its own value, −0 included).
//   ortDequantizeFloat8(codes, scale, format, opts?) -> Float32Array
//       DequantizeLinear of a float8 initializer holding `codes` (raw bytes), with the zero
//       point initializer opts.zeroPoint (a raw byte) or none (opts.zeroPoint undefined).
//   ortCastFloat8(codes, format) -> Float32Array   Cast(float8 -> FLOAT) of an initializer.
// `format` is 'float8e4m3fn' or 'float8e5m2'; the opset is 19 (where both operators and
// Cast gained float8 and `saturate`) unless opts.opset says otherwise.
const ort = require('onnxruntime-node');
const { onnx } = require('onnx-proto');
const { irVersionFor } = require('./onnx-graphs');

const DT = onnx.TensorProto.DataType;
// TensorProto.DataType numbers (onnx.proto); the onnx-proto package predates float8.
const FLOAT8 = { float8e4m3fn: 17, float8e5m2: 19 };
const INT = onnx.AttributeProto.AttributeType.INT;

function valueInfo(name, elemType, dims) {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

function encode(opset, nodes, inputs, outputs, initializer) {
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: irVersionFor(opset),
    producerName: 'quantkit',
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'float8', node: nodes, input: inputs, output: outputs, initializer },
  })).finish();
}

function float8Type(format) {
  const t = FLOAT8[format];
  if (t === undefined) throw new TypeError(`unknown float8 format ${format}`);
  return t;
}

const castToFloat = (input, output) => ({ opType: 'Cast', input: [input], output: [output], name: output, attribute: [{ name: 'to', type: INT, i: DT.FLOAT }] });
const rawTensor = (name, type, bytes, dims) => ({ name, dataType: type, dims, rawData: Uint8Array.from(bytes) });

const sessions = new Map();
function cached(key, bytes) {
  if (!sessions.has(key)) sessions.set(key, ort.InferenceSession.create(bytes()));
  return sessions.get(key);
}

async function runOnce(bytes, feeds = {}) {
  const s = await ort.InferenceSession.create(bytes);
  try {
    return (await s.run(feeds)).y.data;
  } finally {
    await s.release();
  }
}

async function ortQuantizeFloat8(x, scale, format, saturate, { zeroPoint = 0, opset = 19 } = {}) {
  const t = float8Type(format);
  const s = await cached(`Q|${format}|${saturate}|${zeroPoint}|${opset}`, () => encode(opset, [
    { opType: 'QuantizeLinear', input: ['x', 'scale', 'zero_point'], output: ['q'], name: 'q', attribute: [{ name: 'saturate', type: INT, i: saturate ? 1 : 0 }] },
    castToFloat('q', 'y'),
  ], [valueInfo('x', DT.FLOAT, ['N']), valueInfo('scale', DT.FLOAT, [])], [valueInfo('y', DT.FLOAT, ['N'])],
  [rawTensor('zero_point', t, [zeroPoint], [])]));
  const feeds = { x: new ort.Tensor('float32', x, [x.length]), scale: new ort.Tensor('float32', Float32Array.of(scale), []) };
  return (await s.run(feeds)).y.data;
}

async function ortDequantizeFloat8(codes, scale, format, { zeroPoint, opset = 19 } = {}) {
  const t = float8Type(format);
  const inputs = ['q', 'scale'];
  const init = [rawTensor('q', t, codes, [codes.length]), { name: 'scale', dataType: DT.FLOAT, dims: [], floatData: [scale] }];
  if (zeroPoint !== undefined) {
    inputs.push('zero_point');
    init.push(rawTensor('zero_point', t, [zeroPoint], []));
  }
  return runOnce(encode(opset, [{ opType: 'DequantizeLinear', input: inputs, output: ['y'], name: 'y' }], [],
    [valueInfo('y', DT.FLOAT, [codes.length])], init));
}

async function ortCastFloat8(codes, format) {
  const t = float8Type(format);
  return runOnce(encode(19, [castToFloat('q', 'y')], [], [valueInfo('y', DT.FLOAT, [codes.length])], [rawTensor('q', t, codes, [codes.length])]));
}

async function releaseFloat8Sessions() {
  const all = [...sessions.values()];
  sessions.clear();
  for (const r of await Promise.allSettled(all)) if (r.status === 'fulfilled') await r.value.release();
}

module.exports = { ortQuantizeFloat8, ortDequantizeFloat8, ortCastFloat8, releaseFloat8Sessions };
