// float16 and bfloat16 input to quantize, computeParams, minMax and quantizeDynamic (README
// "float16 and bfloat16 input"). Widening a 16-bit float to float32 is exact, so the codes of
// a 16-bit input are defined as the codes of its float32 values; that is also what ONNX
// Runtime's QuantizeLinear does with a float16 x (it widens x and the scale, then divides in
// float32). The widening runs in cache-sized chunks through the backend's conversion call,
// and each chunk goes through the float32 path, so no n-sized temporary is made.
import type { FloatArray, QuantkitBinding } from '../../binding';
import type { Float16ArrayLike } from '../float16';
import { arrayHint, checkAttached, checkKeys, describe, keySet, typedArrayKind } from './validate';

export type HalfFormat = 'float16' | 'bfloat16';

/** 16-bit floats held as their bits: `format` says how to read them. */
export interface HalfBits {
  readonly format: HalfFormat;
  readonly bits: Uint16Array;
}

/**
 * What quantize, computeParams, minMax and quantizeDynamic read: float32 or float64 values
 * (float64 rounded to float32 first), a Float16Array where the runtime has one, or float16 /
 * bfloat16 bits as `{ format, bits }`.
 */
export type QuantInput = FloatArray | Float16ArrayLike | HalfBits;

/** A checked 16-bit input: the bits as a Uint16Array (a Float16Array is viewed as one). */
export interface CheckedHalf {
  readonly format: HalfFormat;
  readonly bits: Uint16Array;
}

const INPUT_TYPES = "a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array }";

const HALF_KEYS = keySet(['format', 'bits']);

/** x as a float array, or as checked 16-bit bits; TypeError for anything else. */
export function checkQuantInput(v: unknown, name: string): FloatArray | CheckedHalf {
  const kind = typedArrayKind(v);
  if (kind === 'Float32Array' || kind === 'Float64Array') {
    checkAttached(v as FloatArray, name);
    return v as FloatArray;
  }
  if (kind === 'Float16Array') {
    const a = v as Float16ArrayLike;
    checkAttached(a, name);
    return { format: 'float16', bits: new Uint16Array(a.buffer, a.byteOffset, a.length) };
  }
  if (kind !== undefined || v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new TypeError(`Expected ${INPUT_TYPES} for ${name} but received ${describe(v)}${arrayHint(v)}`);
  }
  const o = v as { format?: unknown; bits?: unknown };
  // An object that is not even trying to be { format, bits } (a Proxy of a TypedArray, say).
  if (!('format' in o) && !('bits' in o)) throw new TypeError(`Expected ${INPUT_TYPES} for ${name} but received ${describe(v)}`);
  checkKeys(o, HALF_KEYS, name);
  const format = o.format;
  if (format !== 'float16' && format !== 'bfloat16') {
    throw new TypeError(`Expected 'float16' or 'bfloat16' for ${name}.format but received ${describe(format)}`);
  }
  const bits = o.bits;
  if (typedArrayKind(bits) !== 'Uint16Array') {
    throw new TypeError(`Expected a Uint16Array for ${name}.bits but received ${describe(bits)}`);
  }
  checkAttached(bits as Uint16Array, `${name}.bits`);
  return { format, bits: bits as Uint16Array };
}

export function isHalf(x: FloatArray | CheckedHalf): x is CheckedHalf {
  return !ArrayBuffer.isView(x);
}

// Elements widened per step: 64 KiB of float32, small enough to stay in L2 between the
// conversion and the quantization that reads it back.
export const HALF_CHUNK = 16384;

export interface HalfWidener {
  /** h.bits[begin, begin + length) as float32 in a shared scratch array (valid until the next call). */
  chunk(h: CheckedHalf, begin: number, length: number): Float32Array;
  /** All of h as a new Float32Array. */
  whole(h: CheckedHalf): Float32Array;
  /** Smallest and largest value as float32, NaN ignored, −0 as 0; NaN, NaN when there is none. */
  minMax(h: CheckedHalf): { min: number; max: number };
}

export function halfWidener(binding: QuantkitBinding): HalfWidener {
  // One scratch array per module instance, so per thread; every use is synchronous.
  const scratch = new Float32Array(HALF_CHUNK);
  const range = new Float64Array(2);

  function widen(h: CheckedHalf, bits: Uint16Array, out: Float32Array): void {
    if (h.format === 'float16') binding.fromFloat16(bits, out);
    else binding.fromBFloat16(bits, out);
  }

  function chunk(h: CheckedHalf, begin: number, length: number): Float32Array {
    const out = scratch.subarray(0, length);
    widen(h, h.bits.subarray(begin, begin + length), out);
    return out;
  }

  return {
    chunk,
    whole(h: CheckedHalf): Float32Array {
      const out = new Float32Array(h.bits.length);
      widen(h, h.bits, out);
      return out;
    },
    minMax(h: CheckedHalf): { min: number; max: number } {
      let min = NaN;
      let max = NaN;
      const n = h.bits.length;
      for (let i = 0; i < n; i += HALF_CHUNK) {
        binding.minMax(chunk(h, i, Math.min(HALF_CHUNK, n - i)), range);
        if (Number.isNaN(range[0])) continue; // no number in this chunk
        if (!(range[0] >= min)) min = range[0];
        if (!(range[1] <= max)) max = range[1];
      }
      return { min, max };
    },
  };
}
