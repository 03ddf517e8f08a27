// errorStats (README "Calibrate and compare"): how far a quantization's round trip lands from
// x, for every kind of parameters quantkit has, or between two float arrays. Per-tensor integer
// parameters (8/16-bit and packed) run the backend's fused call (quantize, dequantize and
// accumulate in one pass, nothing of x's size allocated); the other kinds round-trip chunks of
// CHUNK elements through the existing calls into scratch arrays and accumulate the pairs.
// Sums are float64, compensated (binding.d.ts); NaN pairs are excluded and counted.
//
// For compare() (issue #8, section 3): a Plan round-trips x into accumulator groups, and groups
// merge (binding.d.ts), so comparing several parameter sets on one tensor is one Plan per set
// over the same x, each finished with finish(); errorStatsPair compares two given arrays.
import type { FloatArray, QuantArray, QuantkitBinding } from '../../binding';
import { packedBytes, type DType } from '../core/dtypes';
import { checkAxisParams, checkLayout, hasAxis, type AxisParams, type CheckedAxisParams } from '../axis';
import { GGML_BLOCK_BYTES, GGML_BLOCK_ELEMENTS } from '../backend-ts/ggml';
import { checkQuantInput, halfWidener, isHalf, type CheckedHalf, type QuantInput } from '../core/half-input';
import { arrayHint, checkParams, describe, typedArrayKind, type CheckedParams } from '../core/validate';
import type { GgmlType } from '../ggml';
import type { QuantParams, Float8Params } from '../affine';
import { checkOptionsObject } from './validate';

const ACC = 16;
const CHUNK = 16384;
const GGML_CODES: Readonly<Record<string, number>> = { q8_0: 0, q4_0: 1, q4_1: 2, q5_0: 3, q5_1: 4, q4_k: 5, q5_k: 6, q6_k: 7 };
const CODE_TYPE: Partial<Record<DType, number>> = { uint8: 0, int8: 1, uint16: 2, int16: 3, uint4: 0, uint2: 0, int4: 1, int2: 1 };
const BYTES: Partial<Record<DType, number>> = { uint8: 1, int8: 1, uint16: 2, int16: 2, float8e4m3fn: 1, float8e5m2: 1 };

/** Per-channel statistics: one entry per index along opts.axis. */
export interface ChannelErrorStats {
  count: Float64Array;
  nanCount: Float64Array;
  mse: Float64Array;
  rmse: Float64Array;
  meanAbs: Float64Array;
  maxAbs: Float64Array;
  /** The element (flat index into x) of each channel's largest |x − x̂|; −1 when the channel has none. */
  maxAbsIndex: Float64Array;
  sqnrDb: Float64Array;
  cosine: Float64Array;
}

export interface ErrorStats {
  /** Elements compared (NaN pairs excluded). */
  count: number;
  /** Elements excluded because x (or x̂) is NaN. */
  nanCount: number;
  mse: number;
  rmse: number;
  meanAbs: number;
  maxAbs: number;
  /** Flat index of the first element with the largest |x − x̂|; −1 when count is 0. */
  maxAbsIndex: number;
  /** 10 · log10(Σx² / Σ(x − x̂)²): Infinity for an exact round trip (Σ(x − x̂)² = 0). */
  sqnrDb: number;
  /** Σx·x̂ / (‖x‖ · ‖x̂‖): 1 when both norms are 0, 0 when exactly one is. */
  cosine: number;
  /** Stored size of the quantized tensor: data, scales and zero points. */
  bytes: number;
  /** bytes · 8 / x.length (0 for an empty x). */
  bitsPerElement: number;
  /** With opts.axis. */
  channels?: ChannelErrorStats;
}

export interface ErrorStatsOptions {
  /** Per-channel statistics along this axis of `shape` (of params.shape for per-axis parameters). */
  axis?: number;
  shape?: readonly number[];
}

/** What errorStats accepts as its second argument. */
export type ErrorStatsTarget =
  | QuantParams | Float8Params | AxisParams
  | { ggml: GgmlType }
  | { dtype: 'float16' | 'bfloat16' }
  | Float32Array | Float64Array | QuantInput;

function finish(acc: Float64Array, g: number): Omit<ErrorStats, 'bytes' | 'bitsPerElement' | 'channels'> {
  const sum = (k: number): number => acc[g + 2 * k] + acc[g + 2 * k + 1];
  const count = acc[g + 12];
  const nanCount = acc[g + 13];
  if (count === 0) return { count, nanCount, mse: 0, rmse: 0, meanAbs: 0, maxAbs: 0, maxAbsIndex: -1, sqnrDb: Infinity, cosine: 1 };
  const x2 = Math.max(0, sum(0));
  const e2 = Math.max(0, sum(1));
  const xy = sum(2);
  const y2 = Math.max(0, sum(3));
  const mse = e2 / count;
  const sqnrDb = e2 === 0 ? Infinity : x2 === 0 ? -Infinity : 10 * Math.log10(x2 / e2);
  let cosine: number;
  if (x2 === 0 && y2 === 0) cosine = 1;
  else if (x2 === 0 || y2 === 0) cosine = 0;
  else cosine = Math.max(-1, Math.min(1, xy / (Math.sqrt(x2) * Math.sqrt(y2))));
  return { count, nanCount, mse, rmse: Math.sqrt(mse), meanAbs: Math.max(0, sum(4)) / count, maxAbs: acc[g + 10], maxAbsIndex: acc[g + 11], sqnrDb, cosine };
}

function channelStats(acc: Float64Array, d: number): ChannelErrorStats {
  const keys = ['count', 'nanCount', 'mse', 'rmse', 'meanAbs', 'maxAbs', 'maxAbsIndex', 'sqnrDb', 'cosine'] as const;
  const out = Object.fromEntries(keys.map((k) => [k, new Float64Array(d)])) as unknown as ChannelErrorStats;
  for (let c = 0; c < d; c++) {
    const s = finish(acc, (1 + c) * ACC);
    for (const k of keys) out[k][c] = s[k];
  }
  return out;
}

/** A ±Inf pair was met (the call accumulated nothing for it): the error that names it. */
function refuseBad(x: FloatArray, xHat: ArrayLike<number> | undefined, i: number, what: string): never {
  const v = Math.fround(x[i]);
  if (v === Infinity || v === -Infinity) {
    throw new RangeError(`Expected finite float32 values for x (NaN is excluded and counted) but received x[${i}] = ${describe(x[i])}`);
  }
  if (xHat !== undefined) throw new RangeError(`Expected finite values for xHat (NaN is excluded and counted) but received xHat[${i}] = ${describe(xHat[i])}`);
  throw new RangeError(`Expected ${what} to round-trip x[${i}] = ${describe(x[i])} to a finite value but it gives ±Infinity`);
}

interface Plan {
  /** Runs the round trip, adding into acc (16 · (1 + channels) doubles). */
  run(x: FloatArray, acc: Float64Array, channels: number, inner: number): void;
  bytes: number;
  what: string;
  xHat?: ArrayLike<number>;
  /** Per-axis parameters: the shape per-channel statistics default to. */
  shape?: number[];
  axis?: number;
}

export function errorStatsApi(binding: QuantkitBinding) {
  const half = halfWidener(binding);
  const yChunk = new Float32Array(CHUNK);
  const hChunk = new Uint16Array(CHUNK);
  const codeChunks: Record<string, QuantArray> = {
    Uint8Array: new Uint8Array(CHUNK), Int8Array: new Int8Array(CHUNK), Uint16Array: new Uint16Array(CHUNK), Int16Array: new Int16Array(CHUNK),
  };

  /** Chunks of x round-tripped by `trip` into yChunk, then accumulated. */
  function chunked(x: FloatArray, acc: Float64Array, channels: number, inner: number, step: number, trip: (xs: FloatArray, ys: Float32Array, begin: number) => void): void {
    for (let c = 0; c < x.length; c += step) {
      const m = Math.min(step, x.length - c);
      const xs = x.subarray(c, c + m);
      const ys = yChunk.subarray(0, m);
      trip(xs, ys, c);
      binding.errorStatsPair(xs, ys, acc, channels, inner, c);
    }
  }

  function tensorPlan(p: CheckedParams, n: number): Plan {
    const info = p.info;
    if (info.float8) {
      const format = info.float8.format;
      const codes = codeChunks.Uint8Array as Uint8Array;
      return {
        bytes: n + 4 + 1,
        what: 'params',
        run: (x, acc, channels, inner) => chunked(x, acc, channels, inner, CHUNK, (xs, ys) => {
          const q = codes.subarray(0, xs.length);
          binding.quantizeFloat8(xs, q, format, p.saturate, p.scale);
          binding.dequantizeFloat8(q, ys, format, p.scale);
        }),
      };
    }
    const dataBytes = info.packed ? packedBytes(n, info.width) : n * (BYTES[info.name] as number);
    return {
      bytes: dataBytes + 4 + (info.packed ? 1 : (BYTES[info.name] as number)),
      what: 'params',
      run: (x, acc, channels, inner) => binding.errorStatsQuantize(x, acc, CODE_TYPE[info.name] as number, p.scale, p.zeroPoint, p.qmin, p.qmax, p.rounding, channels, inner, 0),
    };
  }

  function axisPlan(p: CheckedAxisParams, n: number, hasZero: boolean): Plan {
    const { info, layout: l } = p;
    if (l.n !== n) throw new RangeError(`Expected x.length to equal the product of params.shape ${l.n} but received ${n}`);
    const dataBytes = info.packed ? packedBytes(n, info.width) : n * (BYTES[info.name] as number);
    const zeroBytes = hasZero ? (info.packed ? packedBytes(l.count, info.width) : l.count * (BYTES[info.name] as number)) : 0;
    const codes = codeChunks[info.packed ? (info.signed ? 'Int8Array' : 'Uint8Array') : info.ctor.name] as QuantArray;
    const bs = l.block;
    const nb = bs === 0 ? 0 : Math.ceil(l.d / bs);
    return {
      bytes: dataBytes + 4 * l.count + zeroBytes,
      what: 'params',
      shape: l.shape,
      axis: l.axis,
      run(x, acc, channels, inner) {
        // One sub-call per chunk of whole channels (per-axis), whole blocks, part of one block,
        // or part of one row: layouts whose parameters are a contiguous slice (README layout).
        const call = (begin: number, len: number, d: number, inn: number, block: number, p0: number, p1: number): void => {
          const xs = x.subarray(begin, begin + len);
          const q = codes.subarray(0, len);
          const ys = yChunk.subarray(0, len);
          const sc = p.scale.subarray(p0, p1);
          const zp = p.zeroPoint.subarray(p0, p1);
          binding.quantizeAxis(xs, q, sc, zp, 1, d, inn, block, p.qmin, p.qmax, p.rounding);
          binding.dequantizeAxis(q, ys, sc, zp, 1, d, inn, block);
          binding.errorStatsPair(xs, ys, acc, channels, inner, begin);
        };
        const { outer, d, inner: li } = l;
        for (let o = 0; o < outer; o++) {
          const row = o * d * li;
          if (li > CHUNK) {
            for (let a = 0; a < d; a++) {
              const k0 = bs === 0 ? a : (o * nb + Math.floor(a / bs)) * li;
              for (let i = 0; i < li; i += CHUNK) {
                const len = Math.min(CHUNK, li - i);
                if (bs === 0) call(row + a * li + i, len, 1, len, 0, a, a + 1);
                else call(row + a * li + i, len, 1, len, 1, k0 + i, k0 + i + len);
              }
            }
          } else if (bs === 0) {
            const per = Math.max(1, Math.floor(CHUNK / li));
            for (let a = 0; a < d; a += per) {
              const a1 = Math.min(d, a + per);
              call(row + a * li, (a1 - a) * li, a1 - a, li, 0, a, a1);
            }
          } else if (bs * li <= CHUNK) {
            const per = Math.floor(CHUNK / (bs * li));
            for (let b = 0; b < nb; b += per) {
              const a0 = b * bs;
              const a1 = Math.min(d, (b + per) * bs);
              const b1 = Math.ceil(a1 / bs);
              call(row + a0 * li, (a1 - a0) * li, a1 - a0, li, bs, (o * nb + b) * li, (o * nb + b1) * li);
            }
          } else {
            const per = Math.floor(CHUNK / li);
            for (let b = 0; b < nb; b++) {
              const end = Math.min(d, (b + 1) * bs);
              for (let a = b * bs; a < end; a += per) {
                const a1 = Math.min(end, a + per);
                call(row + a * li, (a1 - a) * li, a1 - a, li, a1 - a, (o * nb + b) * li, (o * nb + b + 1) * li);
              }
            }
          }
        }
      },
    };
  }

  function ggmlPlan(type: unknown, n: number): Plan {
    if (typeof type !== 'string' || GGML_CODES[type] === undefined) {
      throw new TypeError(`Expected one of ${Object.keys(GGML_CODES).map((t) => `'${t}'`).join(', ')} for params.ggml but received ${describe(type)}`);
    }
    const code = GGML_CODES[type] as number;
    const block = GGML_BLOCK_ELEMENTS[code] as number;
    if (n % block !== 0) throw new RangeError(`Expected x.length to be a multiple of ${block} (${type} blocks) but received ${n}`);
    const size = GGML_BLOCK_BYTES[code] as number;
    const bytes = new Uint8Array((CHUNK / block) * size);
    return {
      bytes: (n / block) * size,
      what: 'params',
      run: (x, acc, channels, inner) => chunked(x, acc, channels, inner, CHUNK, (xs, ys, begin) => {
        const b = bytes.subarray(0, (xs.length / block) * size);
        const bad = binding.ggmlQuantize(xs, b, code);
        if (bad >= 0) throw new RangeError(`Expected a finite float32 for x[${begin + bad}] but received ${describe(xs[bad])}`);
        binding.ggmlDequantize(b, ys, code);
      }),
    };
  }

  function halfPlan(format: 'float16' | 'bfloat16', n: number): Plan {
    return {
      bytes: 2 * n,
      what: `a ${format} conversion`,
      run: (x, acc, channels, inner) => chunked(x, acc, channels, inner, CHUNK, (xs, ys) => {
        const h = hChunk.subarray(0, xs.length);
        if (format === 'float16') {
          binding.toFloat16(xs, h);
          binding.fromFloat16(h, ys);
        } else {
          binding.toBFloat16(xs, h);
          binding.fromBFloat16(h, ys);
        }
      }),
    };
  }

  function pairPlan(v: unknown, n: number): Plan {
    const input = checkQuantInput(v, 'xHat');
    let y: Float32Array;
    if (isHalf(input)) y = half.whole(input);
    else y = input instanceof Float32Array ? input : Float32Array.from(input);
    if (y.length !== n) throw new RangeError(`Expected xHat.length to equal x.length ${n} but received ${y.length}`);
    return { bytes: 4 * n, what: 'xHat', xHat: y, run: (x, acc, channels, inner) => binding.errorStatsPair(x, y, acc, channels, inner, 0) };
  }

  function planFor(target: unknown, n: number): Plan {
    const kind = typedArrayKind(target);
    if (kind !== undefined || (target !== null && typeof target === 'object' && 'bits' in target && 'format' in target)) return pairPlan(target, n);
    if (target === null || typeof target !== 'object' || Array.isArray(target)) {
      throw new TypeError(`Expected quantization parameters, { ggml }, { dtype: 'float16' | 'bfloat16' } or a float array for params but received ${describe(target)}${arrayHint(target)}`);
    }
    const t = target as Record<string, unknown>;
    if ('ggml' in t) return ggmlPlan(t.ggml, n);
    if (t.dtype === 'float16' || t.dtype === 'bfloat16') return halfPlan(t.dtype, n);
    if (hasAxis(t)) {
      // checkAxisParams' zero points live in a scratch array the next per-axis call reuses: keep a copy.
      const p = checkAxisParams(t, { length: n, name: 'x' }, binding.findBadScale);
      return axisPlan({ ...p, zeroPoint: p.zeroPoint.slice() }, n, t.zeroPoint !== undefined);
    }
    return tensorPlan(checkParams(t), n);
  }

  /**
   * Error statistics of quantizing x with `params` and dequantizing it again (README "Calibrate
   * and compare"), or of x against `xHat`. opts.axis adds per-channel statistics.
   */
  function errorStats(x: QuantInput, params: ErrorStatsTarget, opts?: ErrorStatsOptions): ErrorStats {
    const input = checkQuantInput(x, 'x');
    const floats: FloatArray = isHalf(input) ? half.whole(input as CheckedHalf) : input;
    const n = floats.length;
    const plan = planFor(params, n);
    const o = checkOptionsObject(opts, ['axis', 'shape'], 'opts');
    let channels = 0;
    let inner = 1;
    if (o.axis !== undefined || o.shape !== undefined) {
      if (o.axis === undefined) throw new TypeError('Expected opts.axis with opts.shape (the axis of the per-channel statistics) but received undefined');
      const shape = o.shape ?? plan.shape;
      if (shape === undefined) throw new TypeError('Expected opts.shape with opts.axis (params has no shape) but received undefined');
      const l = checkLayout({ axis: o.axis, shape }, 'opts', { length: n, name: 'x' });
      if (l.n !== n) throw new RangeError(`Expected x.length to equal the product of ${o.shape === undefined ? 'params.shape' : 'opts.shape'} ${l.n} but received ${n}`);
      channels = l.d;
      inner = l.inner;
    }
    const acc = new Float64Array(ACC * (1 + channels));
    for (let g = 0; g <= channels; g++) {
      acc[g * ACC + 10] = -1;
      acc[g * ACC + 11] = -1;
      acc[g * ACC + 15] = -1;
    }
    plan.run(floats, acc, channels, inner);
    if (acc[14] > 0) refuseBad(floats, plan.xHat, acc[15], plan.what);
    const stats: ErrorStats = { ...finish(acc, 0), bytes: plan.bytes, bitsPerElement: n === 0 ? 0 : (plan.bytes * 8) / n };
    if (o.axis !== undefined) stats.channels = channelStats(acc, channels);
    return stats;
  }

  return { errorStats };
}
