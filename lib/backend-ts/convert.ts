// The TypeScript backend's float16 / bfloat16 array conversions (binding.d.ts), bit for
// bit as native/kernels/convert/convert.h. Float32 data is read and written through Uint32Array
// views of the same memory, never as JS numbers: a NaN's payload (and a signalling NaN)
// would not survive a trip through a double.
import type { FloatArray } from '../../binding';
import { bfloat16ToFloatBits, floatBitsToBFloat16, floatBitsToHalf, halfToFloatBits } from './half';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsView(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

// The float32 bits of a float64 rounded to float32 (SPEC §2.6). A NaN is done by hand as
// the hardware (cvtsd2ss, FCVT) does it: quiet bit set, the top 22 payload bits kept.
// `words` views the Float64Array's memory as 32-bit halves (little-endian, as every
// platform Node runs on).
function float64Bits(x: Float64Array, words: Uint32Array, i: number): number {
  const hi = words[2 * i + 1];
  if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) !== 0 || words[2 * i] !== 0)) {
    return ((hi & 0x80000000) | 0x7fc00000 | ((hi & 0xfffff) << 3) | (words[2 * i] >>> 29)) >>> 0;
  }
  f32[0] = x[i];
  return u32[0];
}

const CHUNK = 4096; // see fallback.ts: a chunked inner loop is optimised reliably

function toBitsChunk(x: FloatArray, out: Uint16Array, begin: number, end: number, fn: (f: number) => number): void {
  if (x instanceof Float32Array) {
    const bits = bitsView(x);
    for (let i = begin; i < end; i++) out[i] = fn(bits[i]);
  } else {
    const words = new Uint32Array(x.buffer, x.byteOffset, 2 * x.length);
    for (let i = begin; i < end; i++) out[i] = fn(float64Bits(x, words, i));
  }
}

function fromBitsChunk(h: Uint16Array, bits: Uint32Array, begin: number, end: number, fn: (b: number) => number): void {
  for (let i = begin; i < end; i++) bits[i] = fn(h[i]);
}

function toBits(x: FloatArray, out: Uint16Array, fn: (f: number) => number): void {
  const n = x.length;
  for (let i = 0; i < n; i += CHUNK) toBitsChunk(x, out, i, Math.min(n, i + CHUNK), fn);
}

function fromBits(h: Uint16Array, out: Float32Array, fn: (b: number) => number): void {
  const n = h.length;
  const bits = bitsView(out);
  for (let i = 0; i < n; i += CHUNK) fromBitsChunk(h, bits, i, Math.min(n, i + CHUNK), fn);
}

export const convertCalls = {
  toFloat16: (x: FloatArray, out: Uint16Array): void => toBits(x, out, floatBitsToHalf),
  fromFloat16: (h: Uint16Array, out: Float32Array): void => fromBits(h, out, halfToFloatBits),
  toBFloat16: (x: FloatArray, out: Uint16Array): void => toBits(x, out, floatBitsToBFloat16),
  fromBFloat16: (h: Uint16Array, out: Float32Array): void => fromBits(h, out, bfloat16ToFloatBits),
};
