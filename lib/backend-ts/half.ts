// float16 (IEEE binary16) and bfloat16 <-> float32, one value at a time, in TypeScript: the
// same rules and bits as native/kernels/convert/half.h (see there, and README "float16 and bfloat16").
// A JS number is first rounded to float32 (Math.fround). NaN payloads only survive through
// the *Bits functions: a NaN that passes through a JS number may lose its payload.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 bits -> float16 bits (round to nearest even; NaN: sign | 0x7e00 | mantissa >> 13). */
export function floatBitsToHalf(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const a = f & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7e00 | ((a >>> 13) & 0x3ff);
  if (a >= 0x477ff000) return sign | 0x7c00;
  if (a >= 0x38800000) {
    const r = a - 0x38000000;
    return sign | ((r + 0x0fff + ((r >>> 13) & 1)) >>> 13);
  }
  if (a <= 0x33000000) return sign;
  const e = a >>> 23;
  const m = (a & 0x7fffff) | 0x800000;
  const shift = 126 - e;
  let q = m >>> shift;
  const rem = m & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rem > halfway || (rem === halfway && (q & 1) !== 0)) q++;
  return sign | q;
}

/** float16 bits -> float32 bits (exact; a NaN keeps sign and payload and gets the quiet bit). */
export function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  let m = h & 0x3ff;
  if (e === 0x1f) return (sign | 0x7f800000 | (m << 13) | (m !== 0 ? 0x00400000 : 0)) >>> 0;
  if (e !== 0) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (m === 0) return sign >>> 0;
  const p = 31 - Math.clz32(m);
  m = (m << (23 - p)) & 0x7fffff;
  return (sign | ((p + 103) << 23) | m) >>> 0;
}

/** float32 bits -> bfloat16 bits (round to nearest even on the top 16 bits; NaN: sign | 0x7fc0). */
export function floatBitsToBFloat16(f: number): number {
  if ((f & 0x7fffffff) > 0x7f800000) return ((f >>> 16) & 0x8000) | 0x7fc0;
  // As an unsigned 32-bit sum: the largest finite value plus the bias carries into Inf.
  return (((f >>> 0) + 0x7fff + ((f >>> 16) & 1)) >>> 16) & 0xffff;
}

/** bfloat16 bits -> float32 bits (exact). */
export function bfloat16ToFloatBits(b: number): number {
  return (b << 16) >>> 0;
}

/** x (rounded to float32 first) as float16 bits. */
export function floatToHalf(x: number): number {
  f32[0] = x;
  return floatBitsToHalf(u32[0]);
}

/** The float32 value of float16 bits, as a number. */
export function halfToFloat(h: number): number {
  u32[0] = halfToFloatBits(h & 0xffff);
  return f32[0];
}

/** x (rounded to float32 first) as bfloat16 bits. */
export function floatToBFloat16(x: number): number {
  f32[0] = x;
  return floatBitsToBFloat16(u32[0]);
}

/** The float32 value of bfloat16 bits, as a number. */
export function bfloat16ToFloat(b: number): number {
  u32[0] = bfloat16ToFloatBits(b & 0xffff);
  return f32[0];
}
