// quantkit's public surface: the capabilities' facades (each in its own folder: affine, axis,
// float16, sign, ggml, calibrate, preprocess), wired to the backend picked at load time
// (core/backend). No logic here.
import { DTYPES } from './core/dtypes';
import { backend, binding } from './core/backend';
import type { Ggml } from './ggml';
import { computeParams, dequantize, minMax, pack, paramsFromRange, quantize, quantizeDynamic, unpack } from './affine';
import { DEFAULT_SCHEMES, formatTable } from './calibrate';
import { syncApi } from './core/sync-api';
import { asyncApi, asyncStats, AbortError } from './async';

export type { DType, PackedDType, Float8DType, QuantArrayOf, QuantArrayMap } from './core/dtypes';
export type { Convention } from './core/validate';
export type { FloatArray, QuantArray } from '../binding';
export type { BackendInfo, BackendName } from './core/loader';
export type { Float16Api, Float16ArrayLike } from './float16';
export type { SignApi, SignedDType, UnsignedDType, Recoded } from './sign';
export type { Ggml, GgmlType } from './ggml';
export type { AsyncOptions } from './async';
export type { HalfBits, HalfFormat, QuantInput } from './core/half-input';
export type * from './preprocess';
export type { AxisParams, AxisLayoutOptions, AxisRangeOptions, AxisDynamicOptions, AxisDynamicResult, AxisRange, ZeroPointArrayOf, ZeroPointArrayMap } from './axis';
export type { QuantParams, Float8Params, UnpackedArrayOf, RangeOptions, DynamicOptions, DynamicResult } from './affine';
export type { Observer, ChannelObserver, ObserverMethod, ObserverOptions, ParamsOptions, TensorRange, ChannelRange, ErrorStats, ChannelErrorStats, ErrorStatsOptions, ErrorStatsTarget, CompareOptions, CompareRow, SchemeName, SchemeSpec } from './calibrate';

export { paramsFromRange, computeParams, minMax, quantize, dequantize, quantizeDynamic, pack, unpack, backend };

const api = syncApi(binding);

/**
 * float16 / bfloat16 <-> float32 (README "float16 and bfloat16"): to* round to nearest even
 * (a Float64Array is read as float32 first), from* are exact; `out` is written in place
 * when given. The 16-bit side is a Uint16Array of bits (or a Float16Array for float16).
 */
export const { toFloat16, fromFloat16, toBFloat16, fromBFloat16 } = api;

/**
 * int8 ↔ uint8 and int16 ↔ uint16 codes without a float round trip (README "Signed and
 * unsigned codes"): codes and zero point move by 2^(b−1); dequantized values are unchanged.
 */
export const { toUnsigned, toSigned } = api;

const ggmlSync: Ggml = api.ggml;

/**
 * Streaming calibration, error statistics and scheme comparison (README "Calibrate and compare"):
 * createObserver(method, opts?) → observe(x) per batch, range(), params({ dtype, bits, symmetric, convention });
 * errorStats(x, params | xHat, opts?) → mse, rmse, meanAbs, maxAbs, sqnrDb, cosine, bytes, … of the round trip;
 * compare(x, { schemes?, calibration?, shape? }) → one row per scheme; formatTable(rows) → aligned text.
 */
export const { createObserver, errorStats, compare } = api;
export { formatTable, DEFAULT_SCHEMES };

/** Pixels -> model input and back, embedding codes (README "Preprocessing", "Embeddings"). */
export const { imageToTensor, tensorToImage, quantizeEmbeddings, embeddingRanges, dequantizeEmbeddings, unpackBits } = api;

const twins = asyncApi({ quantize, dequantize, quantizeDynamic, minMax, computeParams, toFloat16, fromFloat16, toBFloat16, fromBFloat16, toUnsigned, toSigned, pack, unpack, errorStats, imageToTensor, tensorToImage, quantizeEmbeddings, dequantizeEmbeddings, embeddingRanges, unpackBits, ggml: ggmlSync });

/** ggml blocks (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K), byte for byte as ggml's reference quantizers (README "ggml blocks"); quantizeAsync/dequantizeAsync run on a worker thread. */
export const ggml: Ggml & { quantizeAsync: typeof twins.ggmlQuantizeAsync; dequantizeAsync: typeof twins.ggmlDequantizeAsync } = Object.freeze({ ...ggmlSync, quantizeAsync: twins.ggmlQuantizeAsync, dequantizeAsync: twins.ggmlDequantizeAsync });

/**
 * Async twins (README "Async calls"): each runs its synchronous call on a worker thread and
 * resolves with the same result, bit for bit. Options: `signal` (AbortSignal; an aborted job
 * rejects with an AbortError and writes nothing more) and `transfer`, in the call's options
 * object or, for calls without one, in `out`'s place: quantizeAsync(x, params, { out, signal }).
 */
export const { quantizeAsync, dequantizeAsync, quantizeDynamicAsync, minMaxAsync, computeParamsAsync, toFloat16Async, fromFloat16Async, toBFloat16Async, fromBFloat16Async, toUnsignedAsync, toSignedAsync, packAsync, unpackAsync, errorStatsAsync, imageToTensorAsync, tensorToImageAsync, quantizeEmbeddingsAsync, dequantizeEmbeddingsAsync, embeddingRangesAsync, unpackBitsAsync } = twins;

export { AbortError, asyncStats };

/** The dtype table (frozen, every level: read it, it cannot be changed). */
export { DTYPES as dtypes };

const quantkit = Object.freeze({ paramsFromRange, computeParams, minMax, quantize, dequantize, quantizeDynamic, pack, unpack, ggml, toFloat16, fromFloat16, toBFloat16, fromBFloat16, toUnsigned, toSigned, createObserver, errorStats, compare, formatTable, imageToTensor, tensorToImage, quantizeEmbeddings, embeddingRanges, dequantizeEmbeddings, unpackBits, backend, dtypes: DTYPES,
  quantizeAsync, dequantizeAsync, quantizeDynamicAsync, minMaxAsync, computeParamsAsync, toFloat16Async, fromFloat16Async, toBFloat16Async, fromBFloat16Async, toUnsignedAsync, toSignedAsync, packAsync, unpackAsync, errorStatsAsync, imageToTensorAsync, tensorToImageAsync, quantizeEmbeddingsAsync, dequantizeEmbeddingsAsync, embeddingRangesAsync, unpackBitsAsync, AbortError, asyncStats });
export default quantkit;

// The CommonJS exports (what `require('quantkit')` and ESM's default import both are) cannot be
// reassigned either: a stray `quantkit.quantize = …` would change the library for every module.
Object.freeze(module.exports);
