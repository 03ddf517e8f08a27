'use strict';

// ONNX Runtime as an oracle: one-node ONNX graphs built in code and run with
// onnxruntime-node's default session options.
//
// Test helpers (sessions are cached per op, dtype and opset; scale and zero
// point are graph inputs, so one session serves every parameter choice):
//
//   await ortQuantize(x, scale, zeroPoint, dtype, opts?)   -> Uint8Array | Int8Array | Uint16Array | Int16Array
//   await ortDequantize(q, scale, zeroPoint, dtype, opts?) -> Float32Array
//   await ortDynamicQuantize(x)                            -> { data: Uint8Array, scale, zeroPoint }
//
//   opts.opset        ONNX opset of the graph (default 21; 16-bit types need 21)
//   opts.paramsAs     'inputs' (default, cached session) or 'initializers'
//                     (scale and zero point baked into a fresh, uncached graph)
//
// Benchmark helpers: build a session once, then call run() as often as wanted.
//
//   const s = await createQuantizeSession('int8');      // opts as above, minus paramsAs
//   const q = await s.run(x, 0.05, -3);                  // TypedArray of 'int8'
//   const d = await (await createDequantizeSession('int8')).run(q, 0.05, -3);
//   const r = await (await createDynamicQuantizeSession()).run(x); // { data, scale, zeroPoint }
//   await s.release();                                   // optional; frees the native session
//
// run() allocates fresh ORT tensors per call (the same cost any ORT user pays).

const ort = require('onnxruntime-node');
const { onnx } = require('onnx-proto');

const DataType = onnx.TensorProto.DataType;

const DTYPES = {
  uint8: { onnxType: DataType.UINT8, Array: Uint8Array },
  int8: { onnxType: DataType.INT8, Array: Int8Array },
  uint16: { onnxType: DataType.UINT16, Array: Uint16Array },
  int16: { onnxType: DataType.INT16, Array: Int16Array },
};

const DEFAULT_OPSET = 21;

function dtypeInfo(dtype) {
  const info = DTYPES[dtype];
  if (!info) throw new TypeError(`Unknown dtype ${dtype}`);
  return info;
}

// The lowest IR version that may carry a given default-domain opset
// (onnx/helper.py VERSION_TABLE): ORT rejects a model whose IR is too old.
function irVersionFor(opset) {
  if (opset <= 12) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

// Rank-1 tensor of any length (dim_param), or a scalar when dims is [].
function valueInfo(name, elemType, dims) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function scalarInitializer(name, elemType, value) {
  const t = { name, dataType: elemType, dims: [] };
  if (elemType === DataType.FLOAT) t.floatData = [value];
  else t.int32Data = [value]; // ONNX stores 8- and 16-bit integers in int32_data
  return t;
}

/**
 * Encode a one-node model. inputs/outputs: [{ name, elemType, dims }];
 * initializers: TensorProto-like objects (their names also appear in node inputs).
 */
function buildModel({ opType, opset, nodeInputs, nodeOutputs, inputs, outputs, initializers = [] }) {
  const model = onnx.ModelProto.create({
    irVersion: irVersionFor(opset),
    producerName: 'quantkit-test',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: `${opType}_graph`,
      node: [{ opType, input: nodeInputs, output: nodeOutputs, name: opType }],
      input: inputs.map((v) => valueInfo(v.name, v.elemType, v.dims)),
      output: outputs.map((v) => valueInfo(v.name, v.elemType, v.dims)),
      initializer: initializers,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function quantizeModel(dtype, opset, constParams) {
  const { onnxType } = dtypeInfo(dtype);
  const inputs = [{ name: 'x', elemType: DataType.FLOAT, dims: ['N'] }];
  let initializers = [];
  if (constParams) {
    initializers = [
      scalarInitializer('y_scale', DataType.FLOAT, constParams.scale),
      scalarInitializer('y_zero_point', onnxType, constParams.zeroPoint),
    ];
  } else {
    inputs.push({ name: 'y_scale', elemType: DataType.FLOAT, dims: [] });
    inputs.push({ name: 'y_zero_point', elemType: onnxType, dims: [] });
  }
  return buildModel({
    opType: 'QuantizeLinear',
    opset,
    nodeInputs: ['x', 'y_scale', 'y_zero_point'],
    nodeOutputs: ['y'],
    inputs,
    outputs: [{ name: 'y', elemType: onnxType, dims: ['N'] }],
    initializers,
  });
}

function dequantizeModel(dtype, opset, constParams) {
  const { onnxType } = dtypeInfo(dtype);
  const inputs = [{ name: 'x', elemType: onnxType, dims: ['N'] }];
  let initializers = [];
  if (constParams) {
    initializers = [
      scalarInitializer('x_scale', DataType.FLOAT, constParams.scale),
      scalarInitializer('x_zero_point', onnxType, constParams.zeroPoint),
    ];
  } else {
    inputs.push({ name: 'x_scale', elemType: DataType.FLOAT, dims: [] });
    inputs.push({ name: 'x_zero_point', elemType: onnxType, dims: [] });
  }
  return buildModel({
    opType: 'DequantizeLinear',
    opset,
    nodeInputs: ['x', 'x_scale', 'x_zero_point'],
    nodeOutputs: ['y'],
    inputs,
    outputs: [{ name: 'y', elemType: DataType.FLOAT, dims: ['N'] }],
    initializers,
  });
}

function dynamicQuantizeModel(opset) {
  return buildModel({
    opType: 'DynamicQuantizeLinear',
    opset,
    nodeInputs: ['x'],
    nodeOutputs: ['y', 'y_scale', 'y_zero_point'],
    inputs: [{ name: 'x', elemType: DataType.FLOAT, dims: ['N'] }],
    outputs: [
      { name: 'y', elemType: DataType.UINT8, dims: ['N'] },
      { name: 'y_scale', elemType: DataType.FLOAT, dims: [] },
      { name: 'y_zero_point', elemType: DataType.UINT8, dims: [] },
    ],
  });
}

function toFloat32(x) {
  return x instanceof Float32Array ? x : Float32Array.from(x);
}

function toDtype(q, dtype) {
  const { Array: A } = dtypeInfo(dtype);
  return q instanceof A ? q : A.from(q);
}

function scalarTensor(dtype, value) {
  const A = dtype === 'float32' ? Float32Array : dtypeInfo(dtype).Array;
  return new ort.Tensor(dtype, A.of(value), []);
}

function vectorTensor(dtype, data) {
  return new ort.Tensor(dtype, data, [data.length]);
}

/** Build a QuantizeLinear session once; run(x, scale, zeroPoint) -> TypedArray of dtype. */
async function createQuantizeSession(dtype, { opset = DEFAULT_OPSET } = {}) {
  const session = await ort.InferenceSession.create(quantizeModel(dtype, opset));
  return {
    dtype,
    opset,
    async run(x, scale, zeroPoint) {
      const out = await session.run({
        x: vectorTensor('float32', toFloat32(x)),
        y_scale: scalarTensor('float32', scale),
        y_zero_point: scalarTensor(dtype, zeroPoint),
      });
      return out.y.data;
    },
    release: () => session.release(),
  };
}

/** Build a DequantizeLinear session once; run(q, scale, zeroPoint) -> Float32Array. */
async function createDequantizeSession(dtype, { opset = DEFAULT_OPSET } = {}) {
  const session = await ort.InferenceSession.create(dequantizeModel(dtype, opset));
  return {
    dtype,
    opset,
    async run(q, scale, zeroPoint) {
      const out = await session.run({
        x: vectorTensor(dtype, toDtype(q, dtype)),
        x_scale: scalarTensor('float32', scale),
        x_zero_point: scalarTensor(dtype, zeroPoint),
      });
      return out.y.data;
    },
    release: () => session.release(),
  };
}

/** Build a DynamicQuantizeLinear session once; run(x) -> { data: Uint8Array, scale, zeroPoint }. */
async function createDynamicQuantizeSession({ opset = DEFAULT_OPSET } = {}) {
  const session = await ort.InferenceSession.create(dynamicQuantizeModel(opset));
  return {
    dtype: 'uint8',
    opset,
    async run(x) {
      const out = await session.run({ x: vectorTensor('float32', toFloat32(x)) });
      return { data: out.y.data, scale: out.y_scale.data[0], zeroPoint: out.y_zero_point.data[0] };
    },
    release: () => session.release(),
  };
}

// Sessions are cached as promises so concurrent callers share one creation; a failed
// creation (e.g. a 16-bit type below opset 21) is forgotten so its error is not replayed.
const sessionCache = new Map();
function cachedSession(key, create) {
  let s = sessionCache.get(key);
  if (!s) {
    s = create();
    sessionCache.set(key, s);
    s.catch(() => sessionCache.delete(key));
  }
  return s;
}

async function ortQuantize(x, scale, zeroPoint, dtype = 'uint8', { opset = DEFAULT_OPSET, paramsAs = 'inputs' } = {}) {
  if (paramsAs === 'initializers') {
    const session = await ort.InferenceSession.create(quantizeModel(dtype, opset, { scale, zeroPoint }));
    try {
      return (await session.run({ x: vectorTensor('float32', toFloat32(x)) })).y.data;
    } finally {
      await session.release();
    }
  }
  const s = await cachedSession(`Q|${dtype}|${opset}`, () => createQuantizeSession(dtype, { opset }));
  return s.run(x, scale, zeroPoint);
}

async function ortDequantize(q, scale, zeroPoint, dtype = 'uint8', { opset = DEFAULT_OPSET, paramsAs = 'inputs' } = {}) {
  if (paramsAs === 'initializers') {
    const session = await ort.InferenceSession.create(dequantizeModel(dtype, opset, { scale, zeroPoint }));
    try {
      return (await session.run({ x: vectorTensor(dtype, toDtype(q, dtype)) })).y.data;
    } finally {
      await session.release();
    }
  }
  const s = await cachedSession(`DQ|${dtype}|${opset}`, () => createDequantizeSession(dtype, { opset }));
  return s.run(q, scale, zeroPoint);
}

async function ortDynamicQuantize(x, { opset = DEFAULT_OPSET } = {}) {
  const s = await cachedSession(`DYN|${opset}`, () => createDynamicQuantizeSession({ opset }));
  return s.run(x);
}

/** Release every cached session (call from a mocha after() hook). */
async function releaseCachedSessions() {
  const all = [...sessionCache.values()];
  sessionCache.clear();
  const sessions = await Promise.allSettled(all);
  for (const r of sessions) if (r.status === 'fulfilled') await r.value.release();
}

module.exports = {
  ortQuantize,
  ortDequantize,
  ortDynamicQuantize,
  createQuantizeSession,
  createDequantizeSession,
  createDynamicQuantizeSession,
  releaseCachedSessions,
  buildModel,
  ortVersion: ort.env.versions.common,
  DTYPES: Object.keys(DTYPES),
};
