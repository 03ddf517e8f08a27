// The quantize loops of the TypeScript backend, one per rounding convention (binding.d.ts
// Rounding, README "Conventions"), shared by fallback.ts and axis-fallback.ts. Callers pick
// a loop once per call, so no element pays for a branch on the convention.
import type { FloatArray, QuantArray, Rounding } from '../../binding';

// 1.5 · 2^52: adding then subtracting it rounds a double of magnitude < 2^51 to an integer,
// ties to even (the FPU's rounding), which Math.round (ties up) does not do.
const ROUND_EVEN = 6755399441055744;

/**
 * Elements [begin, end) with one (scale, zero point). `step` is what stepOf returns: the
 * float32 scale, or for PyTorch its float32 reciprocal. lo = qmin − z, hi = qmax − z.
 */
export type QuantizeSpan = (x: FloatArray, out: QuantArray, begin: number, end: number, step: number, lo: number, hi: number, zeroPoint: number) => void;

/** n elements from `begin`, element j using scale[k0 + j] and zeroPoint[k0 + j]. */
export type QuantizeLanes = (x: FloatArray, out: QuantArray, begin: number, n: number, scale: Float32Array, zeroPoint: ArrayLike<number>, k0: number, qmin: number, qmax: number) => void;

// Each loop clamps before rounding (equivalent for both roundings, which are monotonic and
// keep integers, and keeps the rounding trick in range); NaN fails both comparisons and maps
// to the zero point. Math.fround of x first covers Float64Array input (SPEC §2.6).

// ONNX: fl(x / s), ties to even.
function spanOnnx(x: FloatArray, out: QuantArray, begin: number, end: number, s: number, lo: number, hi: number, zeroPoint: number): void {
  for (let i = begin; i < end; i++) {
    let v = Math.fround(Math.fround(x[i]) / s);
    if (v > hi) v = hi;
    else if (v < lo) v = lo;
    else if (v !== v) v = 0;
    out[i] = v + ROUND_EVEN - ROUND_EVEN + zeroPoint;
  }
}

// PyTorch: fl(x · r) with r = fl(1 / s) computed once (ATen quantize_val), ties to even.
// The double product of two float32s is exact, so Math.fround rounds it once, as float32 does.
function spanPytorch(x: FloatArray, out: QuantArray, begin: number, end: number, r: number, lo: number, hi: number, zeroPoint: number): void {
  for (let i = begin; i < end; i++) {
    let v = Math.fround(Math.fround(x[i]) * r);
    if (v > hi) v = hi;
    else if (v < lo) v = lo;
    else if (v !== v) v = 0;
    out[i] = v + ROUND_EVEN - ROUND_EVEN + zeroPoint;
  }
}

// TFLite: fl(x / s), ties away from zero (std::round). v − trunc(v) is exact, and twice it
// truncates to ±1 exactly when the fraction is at least one half in magnitude.
function spanTflite(x: FloatArray, out: QuantArray, begin: number, end: number, s: number, lo: number, hi: number, zeroPoint: number): void {
  for (let i = begin; i < end; i++) {
    let v = Math.fround(Math.fround(x[i]) / s);
    if (v > hi) v = hi;
    else if (v < lo) v = lo;
    else if (v !== v) v = 0;
    const t = Math.trunc(v);
    out[i] = t + Math.trunc((v - t) * 2) + zeroPoint;
  }
}

function lanesOnnx(x: FloatArray, out: QuantArray, begin: number, n: number, scale: Float32Array, zeroPoint: ArrayLike<number>, k0: number, qmin: number, qmax: number): void {
  for (let j = 0; j < n; j++) {
    const z = zeroPoint[k0 + j];
    let v = Math.fround(Math.fround(x[begin + j]) / scale[k0 + j]);
    if (v > qmax - z) v = qmax - z;
    else if (v < qmin - z) v = qmin - z;
    else if (v !== v) v = 0;
    out[begin + j] = v + ROUND_EVEN - ROUND_EVEN + z;
  }
}

function lanesPytorch(x: FloatArray, out: QuantArray, begin: number, n: number, scale: Float32Array, zeroPoint: ArrayLike<number>, k0: number, qmin: number, qmax: number): void {
  for (let j = 0; j < n; j++) {
    const z = zeroPoint[k0 + j];
    let v = Math.fround(Math.fround(x[begin + j]) * Math.fround(1 / scale[k0 + j]));
    if (v > qmax - z) v = qmax - z;
    else if (v < qmin - z) v = qmin - z;
    else if (v !== v) v = 0;
    out[begin + j] = v + ROUND_EVEN - ROUND_EVEN + z;
  }
}

function lanesTflite(x: FloatArray, out: QuantArray, begin: number, n: number, scale: Float32Array, zeroPoint: ArrayLike<number>, k0: number, qmin: number, qmax: number): void {
  for (let j = 0; j < n; j++) {
    const z = zeroPoint[k0 + j];
    let v = Math.fround(Math.fround(x[begin + j]) / scale[k0 + j]);
    if (v > qmax - z) v = qmax - z;
    else if (v < qmin - z) v = qmin - z;
    else if (v !== v) v = 0;
    const t = Math.trunc(v);
    out[begin + j] = t + Math.trunc((v - t) * 2) + z;
  }
}

/** Indexed by Rounding. */
export const QUANTIZE_SPANS: readonly QuantizeSpan[] = [spanOnnx, spanPytorch, spanTflite];
export const QUANTIZE_LANES: readonly QuantizeLanes[] = [lanesOnnx, lanesPytorch, lanesTflite];

/** The `step` a span loop takes for a float32 scale: the scale, or fl(1 / s) for PyTorch. */
export function stepOf(rounding: Rounding, s: number): number {
  return rounding === 1 ? Math.fround(1 / s) : s;
}
