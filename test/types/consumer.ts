// Compiled with `tsc --noEmit --strict` by test/module.test.js: a TypeScript user's view of
// the package. Lines marked @ts-expect-error must stay errors, or the typings are too loose.
import quantkit, { quantize, dequantize, quantizeDynamic, paramsFromRange, computeParams, minMax, backend, pack, unpack, toUnsigned, toSigned } from 'quantkit';
import type { QuantParams, DType, BackendInfo, Convention } from 'quantkit';

const x = new Float32Array([0.5, -1, 2]);
const p: QuantParams<'int8'> = paramsFromRange(-1, 2, { dtype: 'int8', symmetric: true });
const q: Int8Array = quantize(x, p);
const back: Float32Array = dequantize(q, p);
const inPlace: Uint16Array = quantize(new Float64Array(3), { scale: 0.1, zeroPoint: 0, dtype: 'uint16' }, new Uint16Array(3));
const dyn = quantizeDynamic(x);
const dynData: Uint8Array = dyn.data;
const dyn16 = quantizeDynamic(x, { dtype: 'int16', bits: 12 });
const dyn16Data: Int16Array = dyn16.data;
const c: QuantParams = computeParams(x, { dtype: 'uint8', bits: 4 });
const r: { min: number; max: number } = minMax(x);
const name: 'native' | 'wasm' | 'fallback' = backend.name;
const info: BackendInfo = quantkit.backend;
const d: DType = c.dtype;

// @ts-expect-error: an int8 quantization does not return a Uint8Array
const wrong: Uint8Array = quantize(x, p);
// @ts-expect-error: out must be the dtype's array
quantize(x, { scale: 1, zeroPoint: 0, dtype: 'uint8' }, new Int8Array(3));
// @ts-expect-error: unknown dtype
paramsFromRange(0, 1, { dtype: 'int3' });
// @ts-expect-error: input must be a float array
quantize([1, 2, 3], p);

const q4: Uint8Array = quantize(x, { scale: 1, zeroPoint: 0, dtype: 'int4' });
const v4: Int8Array = unpack(q4, 'int4', 3);
const u2: Uint8Array = unpack(pack(Uint8Array.of(1, 2, 3), 'uint2'), 'uint2', 3);
const back4: Float32Array = dequantize(q4, { scale: 1, zeroPoint: 0, dtype: 'int4', count: 3 });
// @ts-expect-error: unpack of a signed packed type is an Int8Array
const wrong4: Uint8Array = unpack(q4, 'int2', 3);
export { q4, v4, u2, back4, wrong4 };
export { back, inPlace, dynData, dyn16Data, r, name, info, d, wrong };

// Signed and unsigned codes keep their types.
const s8 = quantize(x, { scale: 0.1, zeroPoint: 0, dtype: 'int8' });
const u8: { data: Uint8Array; params: { dtype: 'uint8' } } = toUnsigned(s8, { scale: 0.1, zeroPoint: 0, dtype: 'int8' });
const i16back: Int16Array = toSigned(new Uint16Array(2), { scale: 1, zeroPoint: 32768, dtype: 'uint16' }).data;
// @ts-expect-error: toUnsigned takes signed codes
toUnsigned(new Uint8Array(2), { scale: 1, zeroPoint: 0, dtype: 'uint8' });
export { u8, i16back };

// Per-axis and blocked parameters keep the dtype's arrays.
const ap = computeParams(x, { axis: 0, shape: [3], dtype: 'int8' });
const apScale: Float32Array = ap.scale;
const apZero: Int8Array | undefined = ap.zeroPoint;
const aq: Int8Array = quantize(x, ap);
const aBack: Float32Array = dequantize(aq, ap);
const blocked: Uint16Array = quantize(x, { scale: new Float32Array(1), axis: -1, shape: [3], blockSize: 32, dtype: 'uint16' });
const ad = quantizeDynamic(x, { axis: 0, shape: [1, 3], blockSize: 2, dtype: 'int4' });
const adData: Uint8Array = ad.data;
const adZero: Int8Array | undefined = ad.zeroPoint;
const perTensorStill: number = computeParams(x, { dtype: 'int8' }).scale;
// @ts-expect-error: per-axis zero points are the dtype's container (Int8Array for int8)
quantize(x, { scale: new Float32Array(3), zeroPoint: new Uint8Array(3), axis: 0, shape: [3], dtype: 'int8' });
// @ts-expect-error: per-axis parameters need a shape
quantize(x, { scale: new Float32Array(3), axis: 0, dtype: 'uint8' });
export { apScale, apZero, aBack, blocked, adData, adZero, perTensorStill };

// float16 / bfloat16 input: { format, bits } (or a Float16Array where the runtime has one).
import type { HalfBits, QuantInput } from 'quantkit';
const h: HalfBits = { format: 'bfloat16', bits: new Uint16Array(3) };
const hq: Int8Array = quantize(h, { scale: 0.1, zeroPoint: 0, dtype: 'int8' });
const hp: QuantParams<'int4'> = computeParams({ format: 'float16', bits: new Uint16Array(3) }, { dtype: 'int4' });
const hr: { min: number; max: number } = minMax(h);
const hd: Uint16Array = quantizeDynamic(h, { dtype: 'uint16' }).data;
const anyInput: QuantInput = x;
// @ts-expect-error: a 16-bit input names its format
quantize({ format: 'float8', bits: new Uint16Array(3) }, p);
// @ts-expect-error: 16-bit floats are held in a Uint16Array
quantize({ format: 'float16', bits: new Int16Array(3) }, p);
export { hq, hp, hr, hd, anyInput };

// Packed codes change signedness too; the packed container stays a Uint8Array.
const u4: { data: Uint8Array; params: { dtype: 'uint4'; count?: number } } = toUnsigned(new Uint8Array(2), { scale: 1, zeroPoint: 0, dtype: 'int4', count: 3 });
const s2: { params: { dtype: 'int2' } } = toSigned(new Uint8Array(1), { scale: 1, zeroPoint: 2, dtype: 'uint2' });
export { u4, s2 };

// float8: codes in a Uint8Array, zero point 0 or absent, `saturate` a boolean.
import type { Float8DType, Float8Params } from 'quantkit';
const f8p: Float8Params<'float8e4m3fn'> = { scale: 0.5, dtype: 'float8e4m3fn', saturate: false };
const f8: Uint8Array = quantize(x, f8p);
const f8back: Float32Array = dequantize(f8, { scale: 0.5, zeroPoint: 0, dtype: 'float8e5m2' });
const f8dyn = quantizeDynamic(x, { dtype: 'float8e5m2' });
const f8dynData: Uint8Array = f8dyn.data;
const f8dtype: Float8DType = 'float8e5m2';
const f8range: DType = paramsFromRange(-1, 1, { dtype: 'float8e4m3fn' }).dtype;
// @ts-expect-error: a float8 zero point is 0
quantize(x, { scale: 1, zeroPoint: 1, dtype: 'float8e4m3fn' });
// @ts-expect-error: saturate is a boolean
quantize(x, { scale: 1, dtype: 'float8e5m2', saturate: 1 });
// @ts-expect-error: float8 codes are a Uint8Array
const f8wrong: Int8Array = quantize(x, { scale: 1, dtype: 'float8e4m3fn' });
export { f8, f8back, f8dynData, f8dtype, f8range, f8wrong };

// Rounding conventions: a typed field on every kind of parameters and options.
const conv: Convention = 'pytorch';
const pt: Int8Array = quantize(x, { scale: 0.1, zeroPoint: 0, dtype: 'int8', convention: conv });
const tfParams: QuantParams<'uint8'> = paramsFromRange(-1, 1, { convention: 'tflite' });
const tfConv: Convention | undefined = tfParams.convention;
const dynPt = quantizeDynamic(x, { dtype: 'int4', convention: 'pytorch' });
const dynPtConv: Convention | undefined = dynPt.convention;
const axisTf: Int16Array = quantize(x, { ...computeParams(x, { axis: 0, shape: [3], dtype: 'int16', convention: 'tflite' }) });
const axisDyn = quantizeDynamic(x, { axis: 0, shape: [3], convention: 'onnx' });
const axisDynConv: Convention | undefined = axisDyn.convention;
// @ts-expect-error: only 'onnx', 'pytorch' and 'tflite' are conventions
quantize(x, { scale: 1, zeroPoint: 0, dtype: 'uint8', convention: 'numpy' });
export { pt, tfConv, dynPtConv, axisTf, axisDynConv };

// Per-channel ranges and reusable per-axis parameters (shape with -1); symmetric dynamic quantization.
import type { AxisParams as AxisParamsOf, AxisRange } from 'quantkit';
const ranges: AxisRange = minMax(x, { axis: 0, shape: [3] });
const fromRanges: AxisParamsOf<'int8'> = paramsFromRange(ranges.min, ranges.max, { axis: 1, shape: [-1, 3], dtype: 'int8', symmetric: true });
const reused: Int8Array = quantize(x, fromRanges);
const symDyn: Int8Array = quantizeDynamic(x, { dtype: 'int8', symmetric: true }).data;
const plainRange: { min: number; max: number } = minMax(x);
// @ts-expect-error: per-channel ranges need axis and shape
paramsFromRange(ranges.min, ranges.max);
// @ts-expect-error: minMax options are a layout
minMax(x, { dtype: 'int8' });
export { reused, symDyn, plainRange };

// Calibration: observers (per-tensor and per-channel) and error statistics.
import { createObserver, errorStats } from 'quantkit';
import type { Observer, ChannelObserver, ErrorStats, TensorRange, ChannelRange } from 'quantkit';
const mm: Observer = createObserver('minmax').observe(x).observe(new Float64Array(2));
const mmRange: TensorRange = mm.range();
const mmParams: QuantParams<'int8'> = mm.params({ dtype: 'int8', symmetric: true, convention: 'pytorch' });
const pc: ChannelObserver = createObserver('moving-average', { axis: 0, shape: [3], averagingConstant: 0.1 });
const pcRange: ChannelRange = pc.observe(x).range();
const pcScale: Float32Array = pc.params({ dtype: 'uint8' }).scale;
const hist = createObserver('entropy', { dtype: 'int8', bins: 1024 });
const stats: ErrorStats = errorStats(x, mmParams);
const pair: number = errorStats(x, new Float32Array(3), { axis: 0, shape: [3] }).mse;
const ggmlStats: number = errorStats(new Float32Array(32), { ggml: 'q4_0' }).sqnrDb;
// @ts-expect-error: no such method
createObserver('kl');
// @ts-expect-error: averagingConstant is a number
createObserver('moving-average', { averagingConstant: '0.1' });
export { mmRange, pcRange, pcScale, hist, stats, pair, ggmlStats };

// Async twins and streams: the synchronous call's result, in a Promise; signal and transfer in
// the options object or in out's place.
import { quantizeAsync, dequantizeAsync, quantizeDynamicAsync, minMaxAsync, toFloat16Async, embeddingRangesAsync, imageToTensorAsync, quantizeEmbeddingsAsync, toUnsignedAsync, AbortError, asyncStats, ggml as ggmlBlocks } from 'quantkit';
import type { AsyncOptions } from 'quantkit';
async function asyncUse(signal: AbortSignal): Promise<void> {
  const p8 = { scale: 0.1, zeroPoint: 0, dtype: 'int8' } as const;
  const a: Int8Array = await quantizeAsync(x, p8);
  const b: Int8Array = await quantizeAsync(x, p8, { out: new Int8Array(3), signal });
  const c: Int8Array = await quantizeAsync(x, p8, new Int8Array(3));
  const d: Float32Array = await dequantizeAsync(a, p8, { signal, transfer: true });
  const e: Int8Array = (await quantizeDynamicAsync(x, { dtype: 'int8', signal })).data;
  const f: { min: number; max: number } = await minMaxAsync(x, { signal });
  const h: Uint16Array = await toFloat16Async(x, { signal });
  const img: Float32Array = await imageToTensorAsync(new Uint8Array(12), { width: 2, height: 2, channels: 3, signal });
  const bits: Uint8Array = await quantizeEmbeddingsAsync(x, { dim: 3, precision: 'ubinary', signal });
  const unsigned: Uint8Array = (await toUnsignedAsync(new Int8Array(3), { scale: 1, zeroPoint: 0, dtype: 'int8' })).data;
  void [img, bits, unsigned];
  const r: { min: Float32Array } = await embeddingRangesAsync(x, 3, { signal });
  const g: Uint8Array = await ggmlBlocks.quantizeAsync(new Float32Array(32), 'q8_0', { signal });
  const o: Observer = await createObserver('minmax').observeAsync(x, { signal });
  const opts: AsyncOptions = { signal };
  const err: Error = new AbortError();
  const n: number = asyncStats().workers;
  // @ts-expect-error: a promise, not the array
  const notArray: Int8Array = quantizeAsync(x, p8);
  // @ts-expect-error: signal is an AbortSignal
  await quantizeAsync(x, p8, { signal: 'stop' });
  void [a, b, c, d, e, f, h, r, g, o, opts, err, n, notArray];
}
export { asyncUse };
