// The TypeScript backend's per-axis and blocked calls (binding.d.ts: quantizeAxis,
// dequantizeAxis, minMaxAxis). Per element, the arithmetic of fallback.ts's quantize and
// dequantize with that element's own scale and zero point. The facade has validated every
// argument before these run.
import type { FloatArray, QuantArray, QuantkitBinding } from '../binding';

export type AxisCalls = Pick<QuantkitBinding, 'quantizeAxis' | 'dequantizeAxis' | 'minMaxAxis'>;

// 1.5 · 2^52: see fallback.ts (round to nearest integer, ties to even).
const ROUND_EVEN = 6755399441055744;

// n elements from `begin`, all using parameter k.
function quantizeRun(x: FloatArray, out: QuantArray, begin: number, n: number, scale: Float32Array, zeroPoint: Int32Array, k: number, qmin: number, qmax: number): void {
  const s = scale[k];
  const z = zeroPoint[k];
  const lo = qmin - z;
  const hi = qmax - z;
  for (let e = begin; e < begin + n; e++) {
    let v = Math.fround(Math.fround(x[e]) / s);
    if (v > hi) v = hi;
    else if (v < lo) v = lo;
    else if (v !== v) v = 0;
    out[e] = v + ROUND_EVEN - ROUND_EVEN + z;
  }
}

// n elements from `begin`, element j using parameter k0 + j.
function quantizeLanes(x: FloatArray, out: QuantArray, begin: number, n: number, scale: Float32Array, zeroPoint: Int32Array, k0: number, qmin: number, qmax: number): void {
  for (let j = 0; j < n; j++) {
    const s = scale[k0 + j];
    const z = zeroPoint[k0 + j];
    let v = Math.fround(Math.fround(x[begin + j]) / s);
    if (v > qmax - z) v = qmax - z;
    else if (v < qmin - z) v = qmin - z;
    else if (v !== v) v = 0;
    out[begin + j] = v + ROUND_EVEN - ROUND_EVEN + z;
  }
}

function quantizeAxis(x: FloatArray, out: QuantArray, scale: Float32Array, zeroPoint: Int32Array, outer: number, d: number, inner: number, blockSize: number, qmin: number, qmax: number): void {
  const nb = blockSize === 0 ? 0 : Math.ceil(d / blockSize);
  let e = 0;
  for (let o = 0; o < outer; o++) {
    if (blockSize === 0 && inner === 1) {
      quantizeLanes(x, out, e, d, scale, zeroPoint, 0, qmin, qmax);
      e += d;
      continue;
    }
    for (let a = 0; a < d; a++, e += inner) {
      if (blockSize === 0) quantizeRun(x, out, e, inner, scale, zeroPoint, a, qmin, qmax);
      else quantizeLanes(x, out, e, inner, scale, zeroPoint, (o * nb + Math.floor(a / blockSize)) * inner, qmin, qmax);
    }
  }
}

// (q − z) is exact and so is its product with s in a double: the store is the one rounding.
function dequantizeAxis(q: QuantArray, out: Float32Array, scale: Float32Array, zeroPoint: Int32Array, outer: number, d: number, inner: number, blockSize: number): void {
  const nb = blockSize === 0 ? 0 : Math.ceil(d / blockSize);
  let e = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < d; a++) {
      const k0 = blockSize === 0 ? a : (o * nb + Math.floor(a / blockSize)) * inner;
      const step = blockSize === 0 ? 0 : 1;
      for (let i = 0; i < inner; i++, e++) {
        const k = k0 + step * i;
        out[e] = (q[e] - zeroPoint[k]) * scale[k];
      }
    }
  }
}

function minMaxAxis(x: FloatArray, out: Float64Array, outer: number, d: number, inner: number, blockSize: number): void {
  const count = out.length / 2;
  const lo = new Float64Array(count).fill(Infinity);
  const hi = new Float64Array(count).fill(-Infinity);
  const nb = blockSize === 0 ? 0 : Math.ceil(d / blockSize);
  let e = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < d; a++) {
      const k0 = blockSize === 0 ? a : (o * nb + Math.floor(a / blockSize)) * inner;
      const step = blockSize === 0 ? 0 : 1;
      for (let i = 0; i < inner; i++, e++) {
        const k = k0 + step * i;
        const v = Math.fround(x[e]);
        if (v < lo[k]) lo[k] = v;
        if (v > hi[k]) hi[k] = v;
      }
    }
  }
  for (let k = 0; k < count; k++) {
    if (lo[k] > hi[k]) {
      out[2 * k] = out[2 * k + 1] = NaN;
    } else {
      out[2 * k] = lo[k] + 0; // + 0 turns −0 into +0, as the addon does
      out[2 * k + 1] = hi[k] + 0;
    }
  }
}

export const axisCalls: AxisCalls = { quantizeAxis, dequantizeAxis, minMaxAxis };
