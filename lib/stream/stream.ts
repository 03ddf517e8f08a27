// quantizeStream / dequantizeStream (README "Streams"): Transform streams for data that arrives
// in chunks (a file, a socket, a model's output), with Node's backpressure, whose concatenated
// output is byte for byte one whole-array quantize / dequantize call with the same parameters.
// A chunk boundary may fall anywhere: inside a float's bytes, or between the two 4-bit codes of
// one byte; the unfinished part waits for the next chunk. Chunks of CHUNK_ASYNC elements or more
// run on a worker thread (the async twins); smaller ones on the calling thread, where a native
// call of that size costs less than handing it over.
import { Transform, addAbortSignal, type TransformCallback } from 'node:stream';
import { DTYPES, type DType } from '../core/dtypes';
import { checkCount, describe, typedArrayKind } from '../core/validate';
import { AbortError } from '../async';
import { withoutKeys } from '../async/ops';
import type { Float8Params, QuantParams } from '../affine';

/** Elements from which a chunk is processed on a worker thread. */
export const CHUNK_ASYNC = 1 << 16;

export interface StreamOptions {
  /**
   * Destroys the stream with an AbortError; a chunk being processed is aborted too. A signal
   * already aborted when the stream is made throws that AbortError at once (Node 24's streams
   * destroy a stream before its caller can listen for the error).
   */
  signal?: AbortSignal;
  /**
   * quantizeStream: how Buffer / Uint8Array chunks are read: 'float32' (default), 'float64',
   * 'float16' or 'bfloat16', little-endian. Float32Array / Float64Array (and Float16Array)
   * chunks are read as their values whatever this says.
   */
  input?: 'float32' | 'float64' | 'float16' | 'bfloat16';
  /**
   * Chunks buffered on the writable side before write() returns false (backpressure). The
   * readable side keeps Node's default for byte streams (16 KiB of output, or one chunk's).
   */
  highWaterMark?: number;
}

type Fn = (...args: never[]) => unknown;
interface Calls { quantize: Fn; dequantize: Fn; quantizeAsync: Fn; dequantizeAsync: Fn; fromFloat16: Fn; fromBFloat16: Fn }
type Params = Record<string, unknown> & { dtype?: DType; count?: number };

const INPUTS = { float32: 4, float64: 8, float16: 2, bfloat16: 2 } as const;
const KEYS = ['signal', 'input', 'highWaterMark'];

function checkNotAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
}

function checkStreamOptions(opts: unknown, name: string): StreamOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new TypeError(`Expected an options object for ${name} but received ${describe(opts)}`);
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new TypeError(`Expected ${name} to have only the keys ${KEYS.map((x) => `'${x}'`).join(', ')} but received the key '${k}'`);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError(`Expected an AbortSignal for ${name}.signal but received ${describe(o.signal)}`);
  if (o.input !== undefined && !(typeof o.input === 'string' && o.input in INPUTS)) throw new TypeError(`Expected one of 'float32', 'float64', 'float16', 'bfloat16' for ${name}.input but received ${describe(o.input)}`);
  if (o.highWaterMark !== undefined && !(Number.isInteger(o.highWaterMark) && (o.highWaterMark as number) >= 0)) throw new RangeError(`Expected a non-negative integer for ${name}.highWaterMark but received ${describe(o.highWaterMark)}`);
  return o as StreamOptions;
}

function checkPerTensor(params: unknown, call: string): Params {
  if (typeof params !== 'object' || params === null) throw new TypeError(`Expected a params object for params but received ${describe(params)}`);
  const p = params as Params;
  if ('axis' in p || 'blockSize' in p) {
    throw new TypeError(`Expected per-tensor params for ${call} (a stream carries no shape, so per-axis and blocked params cannot be placed) but received params with ${'axis' in p ? 'axis' : 'blockSize'}`);
  }
  return p;
}

/** params without count (see withoutKeys). */
function withoutCount(p: Params): Params {
  return 'count' in p ? withoutKeys(p, ['count']) : p;
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Elements of a dtype in one byte (2 for 4-bit, 4 for 2-bit) and bytes of one element otherwise. */
function layoutOf(dtype: DType): { perByte: number; bytes: number } {
  const info = DTYPES[dtype];
  if (info.packed) return { perByte: 8 / info.width, bytes: 1 };
  return { perByte: 1, bytes: (info.ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT };
}

export function streamApi(c: Calls) {
  const quantize = c.quantize as unknown as (x: unknown, p: unknown, out?: unknown) => ArrayBufferView & { length: number };
  const dequantize = c.dequantize as unknown as (q: unknown, p: unknown, out?: unknown) => Float32Array;
  const quantizeAsync = c.quantizeAsync as unknown as (x: unknown, p: unknown, o?: unknown) => Promise<ArrayBufferView>;
  const dequantizeAsync = c.dequantizeAsync as unknown as (q: unknown, p: unknown, o?: unknown) => Promise<Float32Array>;

  /**
   * A Transform from floats to codes: write Float32Array / Float64Array (/ Float16Array) chunks,
   * or Buffer / Uint8Array chunks of little-endian floats (opts.input, default 'float32'); read
   * Buffers of codes (one byte per int8/uint8/float8 code, two little-endian bytes per
   * int16/uint16 code, two 4-bit or four 2-bit codes a byte). `params`: per-tensor QuantParams
   * or float8 params, checked when the stream is made (the same errors as quantize).
   * Errors: TypeError/RangeError for bad params or options, at once; a chunk of another type, or
   * bytes that leave part of a float at the end, destroy the stream with a TypeError/RangeError.
   */
  function quantizeStream(params: QuantParams | Float8Params, opts?: StreamOptions): Transform {
    const given = checkPerTensor(params, 'quantizeStream');
    const o = checkStreamOptions(opts, 'opts');
    // params.count (quantizeDynamic's result carries it) is the whole stream's length: each
    // chunk is quantized without it, and the stream's end checks it.
    const total = given.count;
    const p = withoutCount(given);
    quantize(new Float32Array(0), p); // the synchronous call's checks of params, now
    if (total !== undefined) quantize(new Float32Array(0), { ...p, count: 0 }); // and of count's type
    let values = 0;
    const { perByte } = layoutOf(p.dtype as DType);
    const input = o.input ?? 'float32';
    const size = INPUTS[input];
    let pendingBytes = Buffer.alloc(0);
    let carry: Float32Array | Float64Array | undefined; // whole elements that do not fill a packed byte yet
    let seen = 0;

    const valuesOf = (chunk: unknown): Float32Array | Float64Array | { format: 'float16' | 'bfloat16'; bits: Uint16Array } | ArrayBufferView => {
      const kind = typedArrayKind(chunk);
      if (kind === 'Float32Array' || kind === 'Float64Array' || kind === 'Float16Array') {
        // The bytes of a float left by Buffer chunks come before this chunk's values: they would
        // be emitted after them, out of order.
        if (pendingBytes.length > 0) {
          throw new RangeError(`Expected the ${pendingBytes.length} byte(s) of a ${input} left by the Buffer chunks to be completed before a ${kind} chunk but received ${describe(chunk)} (chunk ${seen})`);
        }
        return chunk as Float32Array;
      }
      if (kind === 'Uint8Array' || Buffer.isBuffer(chunk)) {
        const b = chunk as Uint8Array;
        const all = pendingBytes.length > 0 ? Buffer.concat([pendingBytes, b]) : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
        const whole = all.length - (all.length % size);
        pendingBytes = Buffer.from(all.subarray(whole)); // a copy: the caller may reuse its chunk
        // A view when the bytes are aligned for the float type (the chunk is not reused before
        // this transform's callback: the work copies or finishes first), else one aligned copy.
        let aligned: Uint8Array = all.subarray(0, whole);
        if (aligned.byteOffset % size !== 0) aligned = Uint8Array.prototype.slice.call(aligned);
        const [buffer, offset, n] = [aligned.buffer, aligned.byteOffset, whole / size];
        if (input === 'float32') return new Float32Array(buffer, offset, n);
        if (input === 'float64') return new Float64Array(buffer, offset, n);
        return { format: input, bits: new Uint16Array(buffer, offset, n) };
      }
      throw new TypeError(`Expected a Float32Array, Float64Array or Buffer chunk for quantizeStream but received ${describe(chunk)} (chunk ${seen})`);
    };

    const run = async (x: unknown, n: number): Promise<Buffer> => {
      const codes = n >= CHUNK_ASYNC ? await quantizeAsync(x, p, { signal: o.signal }) : quantize(x, p);
      return bytesOf(codes);
    };
    const counted = (n: number): Error | undefined => {
      values += n;
      if (total !== undefined && values > (total as number)) return new RangeError(`Expected the stream to carry params.count = ${total} values but it carried ${values} or more`);
      return undefined;
    };

    const stream = new Transform({
      writableObjectMode: true,
      writableHighWaterMark: o.highWaterMark,
      transform(chunk: unknown, _enc: BufferEncoding, done: TransformCallback) {
        let v: ReturnType<typeof valuesOf>;
        try {
          v = valuesOf(chunk);
        } catch (e) {
          done(e as Error);
          return;
        }
        seen++;
        const excess = counted('format' in v ? (v as { bits: Uint16Array }).bits.length : (v as Float32Array).length);
        if (excess !== undefined) {
          done(excess);
          return;
        }
        if (perByte > 1) {
          // Half input is widened first so the leftover codes' floats can wait for the next chunk.
          let f: Float32Array | Float64Array = 'format' in v ? widen(v as { format: 'float16' | 'bfloat16'; bits: Uint16Array }) : (v as Float32Array);
          if (typedArrayKind(f) === 'Float16Array') f = Float32Array.from(f as Float32Array);
          if (carry !== undefined && carry.length > 0) {
            const C = carry instanceof Float32Array && f instanceof Float32Array ? Float32Array : Float64Array;
            const joined = new C(carry.length + f.length);
            joined.set(carry);
            joined.set(f, carry.length);
            f = joined;
          }
          const whole = f.length - (f.length % perByte);
          carry = f.slice(whole);
          if (whole === 0) {
            done();
            return;
          }
          run(f.subarray(0, whole), whole).then((b) => done(null, b), (e) => done(e));
          return;
        }
        const n = 'format' in v ? (v as { bits: Uint16Array }).bits.length : (v as Float32Array).length;
        if (n === 0) {
          done();
          return;
        }
        run(v, n).then((b) => done(null, b), (e) => done(e));
      },
      flush(done: TransformCallback) {
        if (pendingBytes.length > 0) {
          done(new RangeError(`Expected the stream's bytes to end on a whole ${input} (${size} bytes) but ${pendingBytes.length} byte(s) were left over`));
          return;
        }
        if (total !== undefined && values !== total) {
          done(new RangeError(`Expected the stream to carry params.count = ${total} values but it carried ${values}`));
          return;
        }
        if (carry !== undefined && carry.length > 0) {
          run(carry, carry.length).then((b) => done(null, b), (e) => done(e));
          return;
        }
        done();
      },
    });
    checkNotAborted(o.signal);
    if (o.signal !== undefined) addAbortSignal(o.signal, stream);
    return stream;
  }

  // float16/bfloat16 bits to float32, for the packed path (exact).
  const fromHalf = { float16: c.fromFloat16, bfloat16: c.fromBFloat16 } as unknown as Record<'float16' | 'bfloat16', (h: Uint16Array) => Float32Array>;
  const widen = (v: { format: 'float16' | 'bfloat16'; bits: Uint16Array }): Float32Array => fromHalf[v.format](v.bits);

  /**
   * A Transform from codes to floats: write Buffer / Uint8Array chunks of codes as
   * quantizeStream reads them (or Int8Array / Int16Array / Uint16Array chunks of the codes
   * themselves); read Buffers of little-endian float32 values. For packed dtypes, params.count
   * (when given) is the total element count; the last byte's unused codes are dropped.
   * Errors: as quantizeStream's; with params.count, a stream whose bytes are not
   * ceil(count / codes per byte) destroys the stream with a RangeError (as dequantize refuses
   * q of another length): at the first byte too many, or at the end when bytes are missing.
   */
  function dequantizeStream(params: QuantParams | Float8Params, opts?: StreamOptions): Transform {
    const p = checkPerTensor(params, 'dequantizeStream');
    const o = checkStreamOptions(opts, 'opts');
    if (o.input !== undefined) throw new TypeError(`Expected no opts.input for dequantizeStream (its input is codes of params.dtype) but received ${describe(o.input)}`);
    const dtype = p.dtype as DType;
    const info = DTYPES[dtype];
    if (info === undefined) throw new TypeError(`Expected a dtype for params.dtype but received ${describe(p.dtype)}`);
    const total = info.packed && p.count !== undefined ? checkCount(p.count, 'params.count') : undefined;
    dequantize(new info.ctor(0), info.packed ? { ...p, count: 0 } : p); // the synchronous call's checks, now
    const { perByte, bytes } = layoutOf(dtype);
    let pending = Buffer.alloc(0);
    let emitted = 0;
    let seen = 0;
    let received = 0;
    const expected = total === undefined ? undefined : Math.ceil(total / perByte);
    const wrongLength = (got: string) => new RangeError(`Expected the stream's codes to be ${expected} bytes (params.count ${total} '${dtype}' values packed) but received ${got}`);

    const run = async (codes: Uint8Array, count?: number): Promise<Buffer> => {
      const q = info.packed ? codes : new (info.ctor as unknown as new (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView & { length: number })(codes.buffer, codes.byteOffset, codes.length / bytes);
      const n = info.packed ? (count as number) : q.length;
      const pp = info.packed ? { ...p, count: n } : p;
      const f = n >= CHUNK_ASYNC ? await dequantizeAsync(q, pp, { signal: o.signal }) : dequantize(q, pp);
      emitted += n;
      return bytesOf(f);
    };

    const stream = new Transform({
      writableObjectMode: true,
      writableHighWaterMark: o.highWaterMark,
      transform(chunk: unknown, _enc: BufferEncoding, done: TransformCallback) {
        // Bytes, or the codes' own array type (Int8Array for int8, Uint16Array for uint16, ...):
        // an array of another type would be read as bytes and give other numbers.
        const kind = typedArrayKind(chunk);
        if (!(kind === 'Uint8Array' || (!info.packed && kind === (info.ctor as unknown as { name: string }).name))) {
          const codesType = (info.ctor as unknown as { name: string }).name;
          done(new TypeError(`Expected a Buffer or Uint8Array of code bytes${info.packed || codesType === 'Uint8Array' ? '' : ` or ${codesType.startsWith('I') ? 'an' : 'a'} ${codesType}`} chunk for dequantizeStream (dtype '${dtype}') but received ${describe(chunk)} (chunk ${seen})`));
          return;
        }
        seen++;
        const b = bytesOf(chunk as ArrayBufferView);
        received += b.length;
        if (expected !== undefined && received > expected) {
          done(wrongLength(`${received} or more`));
          return;
        }
        const all = pending.length > 0 ? Buffer.concat([pending, b]) : b;
        // Packed: the last byte waits, so the stream's end can cut its unused codes (params.count).
        const keep = info.packed ? Math.min(all.length, 1) : all.length % bytes;
        const whole = all.length - keep;
        pending = Buffer.from(all.subarray(whole));
        if (whole === 0) {
          done();
          return;
        }
        const codes = new Uint8Array(whole);
        codes.set(all.subarray(0, whole));
        let count = whole * perByte;
        if (total !== undefined && emitted + count > total) count = Math.max(0, total - emitted);
        if (count === 0) {
          done();
          return;
        }
        run(codes, count).then((f) => done(null, f), (e) => done(e));
      },
      flush(done: TransformCallback) {
        if (expected !== undefined && received !== expected) {
          done(wrongLength(`${received}`));
          return;
        }
        if (pending.length === 0) {
          done();
          return;
        }
        if (!info.packed) {
          done(new RangeError(`Expected the stream's bytes to end on a whole ${dtype} code (${bytes} bytes) but ${pending.length} byte(s) were left over`));
          return;
        }
        let count = perByte;
        if (total !== undefined) count = Math.max(0, Math.min(perByte, total - emitted));
        if (count === 0) {
          done();
          return;
        }
        const codes = new Uint8Array(pending);
        run(codes, count).then((f) => done(null, f), (e) => done(e));
      },
    });
    checkNotAborted(o.signal);
    if (o.signal !== undefined) addAbortSignal(o.signal, stream);
    return stream;
  }

  return { quantizeStream, dequantizeStream };
}
