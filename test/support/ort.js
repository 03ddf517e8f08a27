'use strict';

// ONNX Runtime as an oracle: the one-node ONNX graphs of ./onnx-graphs run with
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
const { DEFAULT_OPSET, DTYPES, dtypeInfo, buildModel, quantizeModel, dequantizeModel, dynamicQuantizeModel } =
  require('./onnx-graphs');

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
