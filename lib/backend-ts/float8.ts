// The TypeScript backend's float8 calls (binding.d.ts: quantizeFloat8, dequantizeFloat8),
// the same bits as native/kernels/float8/float8.h: the conversion works on float32 bit patterns
// with integer arithmetic, round to nearest even, the overflow rule of `saturate`. The facade
// has validated every argument before these run.
import type { FloatArray, QuantkitBinding } from '../../binding';

export type Float8Calls = Pick<QuantkitBinding, 'quantizeFloat8' | 'dequantizeFloat8'>;

interface Spec {
  mantissaBits: number;
  bias: number;
  maxCode: number;
  overflowCode: number;
  // Derived once, so that the per-element code is integer operations on constants.
  shift: number; // 23 − mantissa bits: the float32 mantissa bits dropped
  roundBias: number; // 2^(shift − 1) − 1
  rebias: number; // (127 − bias) << 23: float32 exponent bias to the format's
  normalMin: number; // float32 bits of the smallest normal
  zeroMax: number; // float32 bits of half the smallest subnormal (ties to 0)
  subnormalShift: number; // 150 + emin − mantissa bits: the shift for exponent field e is this − e
}

function spec(mantissaBits: number, bias: number, maxCode: number, overflowCode: number): Spec {
  const emin = 1 - bias;
  const shift = 23 - mantissaBits;
  return {
    mantissaBits, bias, maxCode, overflowCode, shift,
    roundBias: 2 ** (shift - 1) - 1,
    rebias: (127 - bias) * 0x800000,
    normalMin: (emin + 127) * 0x800000,
    zeroMax: (emin - mantissaBits - 1 + 127) * 0x800000,
    subnormalShift: 150 + emin - mantissaBits,
  };
}

// Index = format code: 0 e4m3fn (no Inf: overflow is NaN), 1 e5m2 (overflow is Inf).
const SPECS: readonly Spec[] = [spec(3, 7, 0x7e, 0x7f), spec(2, 15, 0x7b, 0x7c)];

/** float32 bits (as an unsigned 32-bit number) -> float8 code. */
function float8FromBits(b: number, f: Spec, saturate: boolean): number {
  const sign = (b >>> 24) & 0x80;
  const a = b & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7f;
  if (a === 0x7f800000) return sign | (saturate ? f.maxCode : f.overflowCode);
  let code: number;
  if (a >= f.normalMin) {
    // Rebias, then round the dropped bits to nearest even (a carry bumps the exponent).
    // r < 2^31 for every finite a, so the unsigned shifts are exact.
    const r = a - f.rebias;
    code = (r + f.roundBias + ((r >>> f.shift) & 1)) >>> f.shift;
    if (code > f.maxCode) code = saturate ? f.maxCode : f.overflowCode;
  } else if (a <= f.zeroMax) {
    code = 0; // at most half the smallest subnormal: ties go to 0
  } else {
    // Subnormal: in units of the smallest subnormal, rounded to nearest even.
    const mant = (a & 0x7fffff) | 0x800000;
    const s = f.subnormalShift - (a >>> 23);
    code = mant >>> s;
    const rem = mant & ((1 << s) - 1);
    const half = 1 << (s - 1);
    if (rem > half || (rem === half && (code & 1) !== 0)) code++;
  }
  return sign | code;
}

/** float8 code -> float32 bits (exact); NaN codes give the canonical NaN of their sign. */
function float8ToBits(c: number, f: Spec): number {
  const sign = (c & 0x80) * 0x1000000;
  const m = f.mantissaBits;
  const e = (c & 0x7f) >>> m;
  let mant = c & ((1 << m) - 1);
  if (f.overflowCode === 0x7f) {
    if ((c & 0x7f) === 0x7f) return sign + 0x7fc00000;
  } else if (e === 0x7f >>> m) {
    return sign + (mant === 0 ? 0x7f800000 : 0x7fc00000);
  }
  if (e !== 0) return sign + (e + 127 - f.bias) * 0x800000 + mant * 2 ** (23 - m);
  if (mant === 0) return sign;
  let p = m - 1;
  while ((mant & (1 << p)) === 0) p--;
  const exponent = 127 + 1 - f.bias - m + p;
  mant = (mant << (23 - p)) & 0x7fffff;
  return sign + exponent * 0x800000 + mant;
}

// Quotients go through a float32 scratch array a chunk at a time, read back as bits.
const CHUNK = 4096;

export function float8Calls(): Float8Calls {
  const quotient = new Float32Array(CHUNK);
  const quotientBits = new Uint32Array(quotient.buffer);
  const input32 = new Float32Array(CHUNK);
  const input32Bits = new Uint32Array(input32.buffer);
  const table = new Uint32Array(256);
  const one = new Float32Array(1);
  const oneBits = new Uint32Array(one.buffer);

  function quantizeChunk(x: FloatArray, out: Uint8Array, begin: number, n: number, f: Spec, saturate: boolean, s: number): void {
    for (let k = 0; k < n; k++) input32[k] = x[begin + k];
    for (let k = 0; k < n; k++) quotient[k] = input32[k] / s;
    for (let k = 0; k < n; k++) {
      const xb = input32Bits[k];
      // A NaN keeps the sign of x itself (read from its bits, not from the division).
      out[begin + k] = (xb & 0x7fffffff) > 0x7f800000 ? ((xb >>> 24) & 0x80) | 0x7f : float8FromBits(quotientBits[k], f, saturate);
    }
  }

  function quantizeFloat8(x: FloatArray, out: Uint8Array, format: number, saturate: boolean, scale: number): void {
    const f = SPECS[format] as Spec;
    const s = Math.fround(scale);
    const n = x.length;
    for (let i = 0; i < n; i += CHUNK) quantizeChunk(x, out, i, Math.min(CHUNK, n - i), f, saturate, s);
  }

  function dequantizeFloat8(q: Uint8Array, out: Float32Array, format: number, scale: number): void {
    const f = SPECS[format] as Spec;
    const s = Math.fround(scale);
    // The 256 results for this scale, as float32 bits: a NaN is written by its bits, since a
    // NaN passing through a JS number need not keep its sign. The decoded value has at most
    // 4 significant bits, so value · s is exact in a double and the store rounds it once.
    for (let c = 0; c < 256; c++) {
      const bits = float8ToBits(c, f);
      if ((bits & 0x7fffffff) > 0x7f800000) {
        table[c] = bits;
      } else {
        oneBits[0] = bits;
        one[0] = one[0] * s;
        table[c] = oneBits[0];
      }
    }
    const target = new Uint32Array(out.buffer, out.byteOffset, out.length);
    const n = q.length;
    for (let i = 0; i < n; i++) target[i] = table[q[i]];
  }

  return { quantizeFloat8, dequantizeFloat8 };
}
