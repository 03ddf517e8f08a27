// quantkit in the browser (`import { init, quantize } from 'quantkit/browser'`): the same
// synchronous array API as the Node entry (lib/index.ts), wired the same way, over the
// WebAssembly module, which init() loads once before the first call. scripts/build-browser.js
// bundles this file into dist/browser/quantkit.mjs with core/backend replaced by ./backend
// and async/observer by ./observer: no Node built-in is on this import path.
//
// Not here: the *Async twins and ggml.quantizeAsync/dequantizeAsync (lib/async runs each call
// on a worker_threads pool). A same-thread twin would block the page just as the synchronous
// call does while pretending otherwise; to keep the page responsive, import this build in a Web
// Worker. Observers keep observeAsync (their type is shared with Node), run on this thread.
import { DTYPES } from '../core/dtypes.js';
import { backend, binding, loadedBinding, setBinding } from './backend.js';
import { instantiateWasmBinding } from '../backend-wasm/index.js';
import type { Ggml } from '../ggml/index.js';
import { computeParams, dequantize, minMax, pack, paramsFromRange, quantize, quantizeDynamic, unpack } from '../affine/index.js';
import { DEFAULT_SCHEMES, formatTable } from '../calibrate/index.js';
import { syncApi } from '../core/sync-api.js';
import { checkKeys, describe, keySet } from '../core/validate.js';
import type { BackendInfo } from '../core/loader.js';

export type { DType, PackedDType, Float8DType, QuantArrayOf, QuantArrayMap } from '../core/dtypes.js';
export type { Convention } from '../core/validate.js';
export type { FloatArray, QuantArray } from '../../binding.js';
export type { BackendInfo, BackendName } from '../core/loader.js';
export type { Float16Api, Float16ArrayLike } from '../float16/index.js';
export type { SignApi, SignedDType, UnsignedDType, Recoded } from '../sign/index.js';
export type { Ggml, GgmlType } from '../ggml/index.js';
export type { AsyncOptions } from '../async/index.js';
export type { HalfBits, HalfFormat, QuantInput } from '../core/half-input.js';
export type * from '../preprocess/index.js';
export type { AxisParams, AxisLayoutOptions, AxisRangeOptions, AxisDynamicOptions, AxisDynamicResult, AxisRange, ZeroPointArrayOf, ZeroPointArrayMap } from '../axis/index.js';
export type { QuantParams, Float8Params, UnpackedArrayOf, RangeOptions, DynamicOptions, DynamicResult } from '../affine/index.js';
export type { Observer, ChannelObserver, ObserverMethod, ObserverOptions, ParamsOptions, TensorRange, ChannelRange, ErrorStats, ChannelErrorStats, ErrorStatsOptions, ErrorStatsTarget, CompareOptions, CompareRow, SchemeName, SchemeSpec } from '../calibrate/index.js';

/** Where init() gets the WebAssembly module: a URL to fetch, a fetch Response, its bytes, or a compiled Module (or a Promise of one). */
export type WasmSource = string | URL | Request | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

export interface InitOptions {
  /** The module; default: `new URL('quantkit.wasm', import.meta.url)`, the file next to quantkit.mjs. */
  wasm?: WasmSource | PromiseLike<WasmSource>;
  /** The highest kernel level to use: 'simd128' (the default where the browser has WebAssembly SIMD) or 'scalar'. */
  isa?: 'simd128' | 'scalar';
}

/** The compiled module, or its bytes, from what InitOptions.wasm names. */
async function moduleFrom(source: WasmSource): Promise<WebAssembly.Module | BufferSource> {
  if (source instanceof WebAssembly.Module || source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return source;
  let response: Response;
  if (typeof Response !== 'undefined' && source instanceof Response) {
    response = source;
  } else if (typeof source === 'string' || source instanceof URL || (typeof Request !== 'undefined' && source instanceof Request)) {
    const where = typeof source === 'string' || source instanceof URL ? String(source) : source.url;
    try {
      response = await fetch(source);
    } catch (e) {
      throw new Error(`quantkit could not fetch its WebAssembly module from ${where}: ${e instanceof Error ? e.message : String(e)} (serve quantkit.wasm next to quantkit.mjs, or pass init({ wasm }))`, { cause: e });
    }
  } else {
    throw new TypeError(`Expected a URL, string, Request, Response, ArrayBuffer, TypedArray or WebAssembly.Module for options.wasm but received ${describe(source)}`);
  }
  if (!response.ok) {
    throw new Error(`quantkit could not fetch its WebAssembly module from ${response.url}: HTTP ${response.status} ${response.statusText} (serve quantkit.wasm next to quantkit.mjs, or pass init({ wasm }))`);
  }
  // Compiled while it downloads when the server says what it is; otherwise from the bytes.
  const type = response.headers.get('content-type')?.split(';')[0]?.trim();
  if (type === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') return WebAssembly.compileStreaming(response);
  return response.arrayBuffer();
}

let loading: Promise<BackendInfo> | undefined;

/** The keys init() takes. */
const INIT_KEYS = keySet(['wasm', 'isa']);

/**
 * Loads the WebAssembly module; every call before it has resolved throws. Call it once, early
 * (`await init()`); later calls without options return the first call's promise, unless it
 * failed, in which case they try again; later calls with options reject (the module is loaded
 * once). A misspelt option key is a TypeError that names it. Resolves with `backend`.
 */
export function init(options: InitOptions = {}): Promise<BackendInfo> {
  if (options === null || typeof options !== 'object') {
    return Promise.reject(new TypeError(`Expected an options object for options but received ${describe(options)}`));
  }
  try {
    checkKeys(options, INIT_KEYS, 'options');
  } catch (e) {
    return Promise.reject(e);
  }
  if (loading !== undefined) {
    // Options for a module already loading or loaded would be silently dropped: say so instead.
    if (Object.keys(options).length > 0) {
      return Promise.reject(new Error('init() was already called: the module is loaded once, with the first call\'s options; call init() without options to wait for it'));
    }
    return loading;
  }
  const attempt = (async () => {
    const source = await (options.wasm ?? new URL('quantkit.wasm', import.meta.url));
    setBinding(await instantiateWasmBinding(await moduleFrom(source), { isa: options.isa }));
    return backend;
  })();
  loading = attempt;
  attempt.catch(() => {
    if (loading === attempt) loading = undefined;
  });
  return attempt;
}

/** True once init() has loaded the module. */
export function isReady(): boolean {
  return loadedBinding() !== undefined;
}

export { paramsFromRange, computeParams, minMax, quantize, dequantize, quantizeDynamic, pack, unpack, backend };

const api = syncApi(binding);

/** float16 / bfloat16 <-> float32, as the Node entry's (README "float16 and bfloat16"). */
export const { toFloat16, fromFloat16, toBFloat16, fromBFloat16 } = api;

/** int8 ↔ uint8 and int16 ↔ uint16 codes without a float round trip (README "Signed and unsigned codes"). */
export const { toUnsigned, toSigned } = api;

/** ggml blocks (README "ggml blocks"); no quantizeAsync/dequantizeAsync in the browser. */
export const ggml: Ggml = api.ggml;

/** Streaming calibration, error statistics and scheme comparison (README "Calibrate and compare"). */
export const { createObserver, errorStats, compare } = api;
export { formatTable, DEFAULT_SCHEMES };

/** Pixels -> model input and back, embedding codes (README "Preprocessing", "Embeddings"). */
export const { imageToTensor, tensorToImage, quantizeEmbeddings, embeddingRanges, dequantizeEmbeddings, unpackBits } = api;

/** The dtype table (frozen, every level). */
export { DTYPES as dtypes };

const quantkit = Object.freeze({ init, isReady, paramsFromRange, computeParams, minMax, quantize, dequantize, quantizeDynamic, pack, unpack, ggml, toFloat16, fromFloat16, toBFloat16, fromBFloat16, toUnsigned, toSigned, createObserver, errorStats, compare, formatTable, imageToTensor, tensorToImage, quantizeEmbeddings, embeddingRanges, dequantizeEmbeddings, unpackBits, backend, dtypes: DTYPES });
export default quantkit;
