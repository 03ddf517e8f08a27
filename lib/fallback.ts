// The pure-TypeScript backend: the same calls as the addon (binding.d.ts) and the same bits.
// The facade has validated every argument before these run.
import type { FloatArray, QuantArray, QuantkitBinding } from '../binding';
import { version } from './version';

// 1.5 · 2^52: adding then subtracting it rounds a double of magnitude < 2^51 to an integer,
// ties to even (the FPU's rounding), which Math.round (ties up) does not do.
const ROUND_EVEN = 6755399441055744;

function quantize(x: FloatArray, out: QuantArray, scale: number, zeroPoint: number, qmin: number, qmax: number): void {
  const s = Math.fround(scale);
  const lo = qmin - zeroPoint;
  const hi = qmax - zeroPoint;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    // fl(x / s): a float32 quotient. Math.fround of x first covers Float64Array input (SPEC §2.6).
    let v = Math.fround(Math.fround(x[i]) / s);
    // Clamp before rounding (equivalent, and keeps the rounding trick in range); NaN fails
    // both comparisons and maps to the zero point.
    if (v > hi) v = hi;
    else if (v < lo) v = lo;
    else if (v !== v) v = 0;
    out[i] = v + ROUND_EVEN - ROUND_EVEN + zeroPoint;
  }
}

function dequantize(q: QuantArray, out: Float32Array, scale: number, zeroPoint: number): void {
  const s = Math.fround(scale);
  const n = q.length;
  // (q − z) is an exact integer and its product with s is exact in a double, so the store
  // into the Float32Array is the single float32 rounding of fl((q − z) · s).
  for (let i = 0; i < n; i++) out[i] = (q[i] - zeroPoint) * s;
}

function minMax(x: FloatArray): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = Math.fround(x[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [NaN, NaN];
  return [lo + 0, hi + 0]; // + 0 turns −0 into +0, as the addon does
}

export const fallbackBinding: QuantkitBinding = {
  version,
  isa: 'js',
  isaAvailable: ['js'],
  quantize,
  dequantize,
  minMax,
};
