// Async twins (README "Async calls"): every array operation as a Promise that runs on a worker
// thread (pool.ts) and resolves with exactly the synchronous call's result, bit for bit: the
// worker runs that very call (worker.ts).
//
// Memory, the design: a kernel never touches memory the caller can free.
// - An array over a SharedArrayBuffer is read and written in place: it cannot be detached or
//   transferred, and a growable one only grows, so its memory lives while the job holds it.
// - Any other array is copied (its own bytes, not its whole buffer) when the call is made, and
//   an output is copied back when the job ends; an output that was detached or shrunk meanwhile
//   gets nothing and the job rejects. Detaching, transferring or resizing the caller's buffer
//   during the job therefore changes nothing the worker reads.
// - `transfer: true` moves the arrays' buffers to the worker instead (no copy), as postMessage's
//   transfer list does: the caller's arrays are detached at once and the result comes back over
//   the same memory. A buffer that cannot be moved (a pooled Buffer, WebAssembly memory) is
//   copied, and an output among them is written back, as without `transfer`.
import { OPS, MARK, argArrays, encodeArg, withoutKeys, isShared, isTyped, outputOf, plainObject, type OpName, type OpSpec, type Typed } from './ops';
import { pool, type Reply } from './pool';
import { describe, isDetached, isOutOfBounds, typedArrayKind } from '../core/validate';
import type { DType, Float8DType, QuantArrayOf } from '../core/dtypes';
import type { QuantInput } from '../core/half-input';
import type { AxisDynamicOptions, AxisDynamicResult, AxisLayoutOptions, AxisParams, AxisRange, AxisRangeOptions } from '../axis';
import type { DynamicOptions, DynamicResult, Float8Params, QuantParams, RangeOptions } from '../affine';
import type { FloatArray } from '../../binding';
import type { Float16ArrayLike } from '../float16';
import type { Recoded, SignedDType, SignedOf, UnsignedDType, UnsignedOf } from '../sign';
import type { ImageToTensorOptions, PixelArray, TensorArray } from '../preprocess/image';
import type { EmbeddingCodes, EmbeddingPrecision, QuantizeEmbeddingsOptions } from '../preprocess/embeddings';
import { AbortError } from '../core/abort';

export { AbortError };

/** The options every async call takes, in its options object or in `out`'s place. */
export interface AsyncOptions {
  /** Aborts the job: the promise rejects with an AbortError, and nothing more is written. */
  signal?: AbortSignal;
  /** Move the arrays' buffers to the worker instead of copying them (the caller's arrays are detached). */
  transfer?: boolean;
}



/** The plain TypedArray constructor of an array (a Buffer's tag is Uint8Array). */
function baseCtor(a: Typed): new (b: ArrayBuffer, o: number, n: number) => Typed {
  return (globalThis as unknown as Record<string, new (b: ArrayBuffer, o: number, n: number) => Typed>)[typedArrayKind(a) as string];
}

function checkAsyncOptions(o: Record<string, unknown>, name: string): AsyncOptions {
  const { signal, transfer } = o;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`Expected an AbortSignal for ${name}.signal but received ${describe(signal)}`);
  if (transfer !== undefined && typeof transfer !== 'boolean') throw new TypeError(`Expected a boolean for ${name}.transfer but received ${describe(transfer)}`);
  return { signal: signal as AbortSignal | undefined, transfer: transfer as boolean | undefined };
}

const ASYNC_KEYS = ['signal', 'transfer'];

/** opts without the async keys (undefined when nothing else was in a plain object). */
function withoutAsyncKeys(o: Record<string, unknown>): Record<string, unknown> | undefined {
  if (Object.getPrototypeOf(o) === Object.prototype && Object.getOwnPropertyNames(o).every((k) => ASYNC_KEYS.includes(k))) return undefined;
  return withoutKeys(o, ASYNC_KEYS);
}

/** Splits the async options from the call's own arguments (see AsyncOptions for where they go). */
function takeAsyncOptions(op: OpName, spec: OpSpec, args: unknown[], asyncAt: number | undefined): { args: unknown[]; options: AsyncOptions } {
  const most = spec.arity + (asyncAt !== undefined ? 1 : 0);
  for (let i = args.length - 1; i >= most; i--) {
    if (args[i] !== undefined) {
      const where = spec.opts !== undefined ? 'in the options object' : spec.out !== undefined ? "in out's place" : 'as the last argument';
      throw new TypeError(`Expected at most ${most} arguments for ${op}Async (its async options go ${where}) but received ${args.length}`);
    }
  }
  const call = args.slice(0, most);
  if (spec.opts !== undefined && plainObject(call[spec.opts])) {
    const o = call[spec.opts] as Record<string, unknown>;
    if (ASYNC_KEYS.some((k) => k in o)) {
      const options = checkAsyncOptions(o, 'opts');
      call[spec.opts] = withoutAsyncKeys(o);
      return { args: call, options };
    }
    return { args: call, options: {} };
  }
  const at = spec.opts === undefined ? (spec.out ?? asyncAt) : undefined;
  if (at !== undefined && plainObject(call[at])) {
    const o = call[at] as Record<string, unknown>;
    const allowed = spec.out !== undefined ? ['out', ...ASYNC_KEYS] : ASYNC_KEYS;
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        throw new TypeError(`Expected ${spec.out !== undefined ? 'out to be an array or an options object { out?, signal?, transfer? }' : 'options to be { signal?, transfer? }'} but received the key '${k}'`);
      }
    }
    const options = checkAsyncOptions(o, 'options');
    if (spec.out !== undefined) call[at] = o.out;
    else call.length = at;
    while (call.length > 0 && call[call.length - 1] === undefined) call.length--;
    return { args: call, options };
  }
  return { args: call, options: {} };
}

/** Bytes copied in one turn of the event loop: a large copy is spread over turns, so it never holds the loop for long. */
export const COPY_SLICE = 1 << 20;

/** Yields to the event loop (setImmediate: I/O callbacks run before the next slice). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

class Moved extends Error {}

/**
 * Copies `n` bytes from `src` to `dst` in COPY_SLICE slices, each in a turn of its own; before
 * each slice `stillThere()` must hold (else Moved is thrown) and the signal must not be aborted.
 */
async function copySliced(dst: Uint8Array, src: () => Uint8Array, stillThere: () => boolean, signal: AbortSignal | undefined): Promise<void> {
  const n = dst.length;
  for (let at = 0; at < n; at += COPY_SLICE) {
    await nextTurn();
    if (signal?.aborted) throw abortError(signal);
    if (!stillThere()) throw new Moved();
    const end = Math.min(n, at + COPY_SLICE);
    dst.set(src().subarray(at, end), at);
  }
}

/**
 * The arguments as the worker gets them: every non-shared array copied (arrays over one buffer
 * copied together, so that their overlap is the same), or with `transfer` its buffer listed.
 * Copies of more than COPY_SLICE bytes in all are spread over turns of the event loop; smaller
 * ones are made now, so the job is queued before the call returns.
 */
function prepare(args: unknown[], all: Typed[], transfer: boolean, signal: AbortSignal | undefined): Prepared | Promise<Prepared> {
  const arrays = all.filter((a) => !isShared(a));
  const shared = new Set(all.filter(isShared));
  const list = new Set<ArrayBuffer>();
  if (transfer) {
    for (const a of arrays) list.add(a.buffer as ArrayBuffer);
    return { args, transfer: [...list], shared };
  }
  const byBuffer = new Map<ArrayBufferLike, Typed[]>();
  for (const a of arrays) {
    const group = byBuffer.get(a.buffer);
    if (group === undefined) byBuffer.set(a.buffer, [a]);
    else group.push(a);
  }
  // Arrays over one buffer keep their byte offsets (the overlap checks name them); the bytes
  // before the first are never written, so they cost address space only.
  const groups = [...byBuffer.values()].map((group) => {
    const start = group.length > 1 ? 0 : group[0].byteOffset;
    const end = Math.max(...group.map((a) => a.byteOffset + a.byteLength));
    const from = Math.min(...group.map((a) => a.byteOffset));
    // The arrays as they were at the call: a detached, shrunk or moved one stops the copy.
    const was = group.map((a) => [a.byteOffset, a.byteLength, a.length]);
    const stillThere = () => group.every((a, i) => !isDetached(a) && !isOutOfBounds(a) && a.byteOffset === was[i][0] && a.byteLength === was[i][1] && a.length === was[i][2]);
    return { group, start, from, end, stillThere, copy: new ArrayBuffer(end - start) };
  });
  const finish = (): Prepared => {
    const replaced = new Map<Typed, Typed>();
    for (const { group, start, copy } of groups) {
      list.add(copy);
      for (const a of group) replaced.set(a, new (baseCtor(a))(copy, a.byteOffset - start, a.length));
    }
    const swap = (v: unknown): unknown => (isTyped(v) && replaced.has(v) ? replaced.get(v) : v);
    const out = args.map((a) => {
      if (isTyped(a)) return swap(a);
      if (plainObject(a) && Object.values(a).some((v) => isTyped(v) && replaced.has(v))) {
        // The same object shape (prototype, hidden keys, getters), its own arrays swapped.
        const d = Object.getOwnPropertyDescriptors(a);
        for (const desc of Object.values(d)) if ('value' in desc && desc.enumerable) desc.value = swap(desc.value);
        return Object.create(Object.getPrototypeOf(a), d);
      }
      return a;
    });
    return { args: out, transfer: [...list], shared };
  };
  const total = groups.reduce((sum, g) => sum + g.end - g.from, 0);
  if (total <= COPY_SLICE) {
    for (const { group, start, from, end, copy } of groups) new Uint8Array(copy, from - start).set(new Uint8Array(group[0].buffer, from, end - from));
    return finish();
  }
  return (async () => {
    for (const { group, start, from, end, stillThere, copy } of groups) {
      // The source view is made again for each slice: a resizable buffer may have changed in
      // between (then stillThere fails and the synchronous call names the array).
      await copySliced(new Uint8Array(copy, from - start), () => new Uint8Array(group[0].buffer, from, end - from), stillThere, signal);
    }
    // A slice copied last may have been the only one since another group changed.
    if (!groups.every((g) => g.stillThere())) throw new Moved();
    return finish();
  })();
}

interface Prepared {
  args: unknown[];
  transfer: ArrayBuffer[];
  shared: Set<Typed>;
}

const ERRORS: Record<string, ErrorConstructor> = { TypeError, RangeError, Error, SyntaxError, ReferenceError, EvalError, URIError } as never;

function rebuildError(e: NonNullable<Reply['error']>): Error {
  const C = (e.name !== undefined && ERRORS[e.name]) || Error;
  const err = new C(e.message);
  if (e.code !== undefined) (err as Error & { code?: unknown }).code = e.code;
  return err;
}

function unmark(value: unknown, arrays: Typed[], depth = 0): unknown {
  if (plainObject(value) && typeof value[MARK] === 'number' && Object.keys(value).length === 1) return arrays[value[MARK] as number];
  if (depth < 2 && plainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = unmark(v, arrays, depth + 1);
    return copy;
  }
  return value;
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

// One 'abort' listener per signal, whatever the number of jobs it cancels: a server that passes
// one request's signal to many calls gets no MaxListenersExceededWarning.
const listeners = new WeakMap<AbortSignal, Set<() => void>>();

function listen(signal: AbortSignal, f: () => void): void {
  let set = listeners.get(signal);
  if (set === undefined) {
    const jobs = new Set<() => void>();
    set = jobs;
    listeners.set(signal, jobs);
    signal.addEventListener('abort', () => {
      listeners.delete(signal);
      for (const g of jobs) g();
    }, { once: true });
  }
  set.add(f);
}

function unlisten(signal: AbortSignal, f: () => void): void {
  listeners.get(signal)?.delete(f);
}

export interface RunOptions {
  /** For op 'observe': the observer's description (method, options, state). */
  observer?: unknown;
  /** The synchronous call, for the errors postMessage cannot carry the arguments to (detached or uncloneable arrays). */
  sync: (...args: unknown[]) => unknown;
}

/**
 * Runs one operation on the pool. `args` are the synchronous call's arguments plus the async
 * options where AsyncOptions says; resolves with the synchronous call's result.
 */
export async function runAsync(op: OpName, rawArgs: unknown[], run: RunOptions, asyncAt?: number): Promise<unknown> {
  const { args, options } = takeAsyncOptions(op, OPS[op], rawArgs, asyncAt);
  return execute(op, args, options, run);
}

async function execute(op: OpName, args: unknown[], options: AsyncOptions, run: RunOptions): Promise<unknown> {
  const spec: OpSpec = OPS[op];
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const callerArrays = argArrays(args);
  // A detached or shrunk array cannot be copied or sent; the synchronous call's own check
  // names it (it throws before any work).
  if (callerArrays.some((a) => isDetached(a) || isOutOfBounds(a))) return run.sync(...args);
  const callerOut = outputOf(spec, args);
  let prepared: Prepared;
  try {
    const p = prepare(args, callerArrays, options.transfer === true, signal);
    prepared = p instanceof Promise ? await p : p;
  } catch (e) {
    if (e instanceof Moved) return run.sync(...args);
    throw e;
  }
  const reply = await new Promise<Reply | undefined>((resolve, reject) => {
    let cancel: (() => void) | undefined;
    const onSignal = () => cancel?.();
    const done = () => {
      if (signal !== undefined) unlisten(signal, onSignal);
    };
    cancel = pool.submit({
      op,
      args: prepared.args.map((a) => encodeArg(a)),
      transfer: prepared.transfer,
      observer: run.observer,
      writesShared: callerOut !== undefined && prepared.shared.has(callerOut),
      onAbort() {
        done();
        reject(abortError(signal as AbortSignal));
      },
      onCloneError() {
        done();
        resolve(undefined);
      },
      onReply(r) {
        done();
        if (r.aborted) reject(abortError(signal as AbortSignal));
        else if (r.error !== undefined) reject(rebuildError(r.error));
        else resolve(r);
      },
    });
    if (signal !== undefined) listen(signal, onSignal);
  });
  if (reply === undefined) {
    // postMessage refused the transfer list (Node 21 and later refuse pooled Buffers and
    // WebAssembly memory; Node 20 copies them itself): copy instead, as Node 20 does.
    if (options.transfer) return execute(op, args, { ...options, transfer: false }, run);
    // Something in the arguments is not plain data (a function, a class with private state):
    // the synchronous call's check says what.
    return run.sync(...args);
  }
  let arrays = callerArrays;
  if (reply.out !== undefined && callerOut !== undefined) {
    const src = reply.out as Typed;
    if (options.transfer && isDetached(callerOut)) {
      // The caller's out is detached; the result is the worker's array, over the same memory.
      arrays = callerArrays.map((a) => (a === callerOut ? src : a));
    } else {
      const length = src.length;
      const fits = () => !isDetached(callerOut) && !isOutOfBounds(callerOut) && callerOut.length === length;
      const moved = () => new RangeError(`Expected out to stay attached and ${length} elements long while the job ran but its buffer was detached or resized (its result was not written, or only in part)`);
      if (!fits()) throw moved();
      const [s, e] = reply.span ?? [0, length];
      if (e > s) {
        const size = src.byteLength / Math.max(1, length);
        const from = new Uint8Array(src.buffer, src.byteOffset + s * size, (e - s) * size);
        const to = new Uint8Array(callerOut.buffer, callerOut.byteOffset + s * size, (e - s) * size);
        try {
          if (from.byteLength <= COPY_SLICE) to.set(from);
          else await copySliced(to, () => from, fits, undefined);
        } catch (err) {
          if (err instanceof Moved) throw moved();
          throw err;
        }
      }
    }
  }
  return unmark(reply.value, arrays);
}

// ---------------------------------------------------------------------------------------------
// The twins, one per synchronous call, named <call>Async.

type Fn = (...args: never[]) => unknown;
/** The call's parameters with the async options added where AsyncOptions says. */
type WithOptionsAt<P extends unknown[], K extends number> = { [I in keyof P]: I extends `${K}` ? (P[I] extends undefined ? AsyncOptions | undefined : (P[I] & AsyncOptions)) : P[I] };
type WithOutOrOptionsAt<P extends unknown[], K extends number> = { [I in keyof P]: I extends `${K}` ? P[I] | (AsyncOptions & { out?: P[I] }) : P[I] };
export type AsyncWithOptions<F extends Fn, K extends number> = (...args: Partial<WithOptionsAt<Parameters<F>, K>> & WithOptionsAt<Parameters<F>, K>) => Promise<ReturnType<F>>;
export type AsyncWithOut<F extends Fn, K extends number> = (...args: WithOutOrOptionsAt<Parameters<F>, K>) => Promise<ReturnType<F>>;
export type AsyncWithTrailing<F extends Fn> = (...args: [...Parameters<F>, AsyncOptions?]) => Promise<ReturnType<F>>;

export interface SyncCalls {
  quantize: Fn; dequantize: Fn; quantizeDynamic: Fn; minMax: Fn; computeParams: Fn;
  toFloat16: Fn; fromFloat16: Fn; toBFloat16: Fn; fromBFloat16: Fn; toUnsigned: Fn; toSigned: Fn;
  pack: Fn; unpack: Fn; errorStats: Fn; imageToTensor: Fn; tensorToImage: Fn;
  quantizeEmbeddings: Fn; dequantizeEmbeddings: Fn; embeddingRanges: Fn; unpackBits: Fn;
  ggml: { quantize: Fn; dequantize: Fn };
}

/** An `out` argument of an async twin: the array, or the array with the async options. */
export type OutOrOptions<O> = O | (AsyncOptions & { out?: O });

/** quantize's twin (its overloads, with the async options in out's place). */
export interface QuantizeAsync {
  <D extends Float8DType>(x: QuantInput, params: Float8Params<D>, out?: OutOrOptions<Uint8Array>): Promise<Uint8Array>;
  <D extends DType>(x: QuantInput, params: QuantParams<D> | AxisParams<D>, out?: OutOrOptions<QuantArrayOf<D>>): Promise<QuantArrayOf<D>>;
}
/** dequantize's twin. */
export interface DequantizeAsync {
  <D extends Float8DType>(q: Uint8Array, params: Float8Params<D>, out?: OutOrOptions<Float32Array>): Promise<Float32Array>;
  <D extends DType>(q: QuantArrayOf<D>, params: QuantParams<D> | AxisParams<D>, out?: OutOrOptions<Float32Array>): Promise<Float32Array>;
}
/** quantizeDynamic's twin (the async options in opts). */
export interface QuantizeDynamicAsync {
  <D extends DType = 'uint8'>(x: QuantInput, opts: AxisDynamicOptions<D> & AsyncOptions): Promise<AxisDynamicResult<D>>;
  <D extends DType = 'uint8'>(x: QuantInput, opts?: DynamicOptions<D> & AsyncOptions): Promise<DynamicResult<D>>;
}
/** minMax's twin. */
export interface MinMaxAsync {
  (x: QuantInput, opts: AxisLayoutOptions & AsyncOptions): Promise<AxisRange>;
  (x: QuantInput, opts?: AsyncOptions): Promise<{ min: number; max: number }>;
}
/** computeParams's twin. */
export interface ComputeParamsAsync {
  <D extends DType = 'uint8'>(x: QuantInput, opts: AxisRangeOptions<D> & AsyncOptions): Promise<AxisParams<D>>;
  <D extends DType = 'uint8'>(x: QuantInput, opts?: RangeOptions<D> & AsyncOptions): Promise<QuantParams<D>>;
}

/** toFloat16's twin: the output type follows `out`, as toFloat16's does. */
export interface ToFloat16Async {
  <O extends Uint16Array | Float16ArrayLike>(x: FloatArray, out: O | (AsyncOptions & { out: O })): Promise<O>;
  (x: FloatArray, options?: AsyncOptions): Promise<Uint16Array>;
}
/** toUnsigned's twin. */
export interface ToUnsignedAsync {
  <D extends SignedDType>(q: QuantArrayOf<D>, params: { scale: number; zeroPoint: number; dtype: D; bits?: number; count?: number; convention?: QuantParams['convention'] }, out?: OutOrOptions<QuantArrayOf<UnsignedOf<D>>>): Promise<Recoded<UnsignedOf<D>>>;
}
/** toSigned's twin. */
export interface ToSignedAsync {
  <D extends UnsignedDType>(q: QuantArrayOf<D>, params: { scale: number; zeroPoint: number; dtype: D; bits?: number; count?: number; convention?: QuantParams['convention'] }, out?: OutOrOptions<QuantArrayOf<SignedOf<D>>>): Promise<Recoded<SignedOf<D>>>;
}
/** imageToTensor's twin (the async options in opts). */
export interface ImageToTensorAsync {
  <T extends TensorArray = Float32Array>(pixels: PixelArray, opts: ImageToTensorOptions & AsyncOptions, out?: T): Promise<T>;
}
/** quantizeEmbeddings' twin (the async options in opts). */
export interface QuantizeEmbeddingsAsync {
  <P extends EmbeddingPrecision = 'int8'>(embeddings: QuantInput, opts: QuantizeEmbeddingsOptions & { precision?: P } & AsyncOptions, out?: EmbeddingCodes<P>): Promise<EmbeddingCodes<P>>;
}

/** The Promise-returning twins of the synchronous calls (README "Async calls"). */
export function asyncApi<S extends SyncCalls>(s: S) {
  const twin = <F extends Fn>(op: OpName, f: F, asyncAt?: number) => (...args: unknown[]) => runAsync(op, args, { sync: f as unknown as (...a: unknown[]) => unknown }, asyncAt);
  return {
    quantizeAsync: twin('quantize', s.quantize) as unknown as QuantizeAsync,
    dequantizeAsync: twin('dequantize', s.dequantize) as unknown as DequantizeAsync,
    quantizeDynamicAsync: twin('quantizeDynamic', s.quantizeDynamic) as unknown as QuantizeDynamicAsync,
    minMaxAsync: twin('minMax', s.minMax) as unknown as MinMaxAsync,
    computeParamsAsync: twin('computeParams', s.computeParams) as unknown as ComputeParamsAsync,
    toFloat16Async: twin('toFloat16', s.toFloat16) as unknown as ToFloat16Async,
    fromFloat16Async: twin('fromFloat16', s.fromFloat16) as unknown as AsyncWithOut<S['fromFloat16'], 1>,
    toBFloat16Async: twin('toBFloat16', s.toBFloat16) as unknown as AsyncWithOut<S['toBFloat16'], 1>,
    fromBFloat16Async: twin('fromBFloat16', s.fromBFloat16) as unknown as AsyncWithOut<S['fromBFloat16'], 1>,
    toUnsignedAsync: twin('toUnsigned', s.toUnsigned) as unknown as ToUnsignedAsync,
    toSignedAsync: twin('toSigned', s.toSigned) as unknown as ToSignedAsync,
    packAsync: twin('pack', s.pack) as unknown as AsyncWithOut<S['pack'], 2>,
    unpackAsync: twin('unpack', s.unpack) as unknown as AsyncWithOut<S['unpack'], 3>,
    errorStatsAsync: twin('errorStats', s.errorStats) as unknown as AsyncWithOptions<S['errorStats'], 2>,
    imageToTensorAsync: twin('imageToTensor', s.imageToTensor) as unknown as ImageToTensorAsync,
    tensorToImageAsync: twin('tensorToImage', s.tensorToImage) as unknown as AsyncWithOptions<S['tensorToImage'], 1>,
    quantizeEmbeddingsAsync: twin('quantizeEmbeddings', s.quantizeEmbeddings) as unknown as QuantizeEmbeddingsAsync,
    dequantizeEmbeddingsAsync: twin('dequantizeEmbeddings', s.dequantizeEmbeddings) as unknown as AsyncWithOptions<S['dequantizeEmbeddings'], 1>,
    embeddingRangesAsync: twin('embeddingRanges', s.embeddingRanges, 2) as unknown as AsyncWithTrailing<S['embeddingRanges']>,
    unpackBitsAsync: twin('unpackBits', s.unpackBits) as unknown as AsyncWithOut<S['unpackBits'], 2>,
    ggmlQuantizeAsync: twin('ggml.quantize', s.ggml.quantize) as unknown as AsyncWithOut<S['ggml']['quantize'], 2>,
    ggmlDequantizeAsync: twin('ggml.dequantize', s.ggml.dequantize) as unknown as AsyncWithOut<S['ggml']['dequantize'], 3>,
  };
}

/** Worker threads started and jobs running or waiting (for monitoring). */
export function asyncStats(): { workers: number; busy: number; queued: number } {
  return pool.stats();
}
