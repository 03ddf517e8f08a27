// The TypeScript backend's per-axis and blocked calls (binding.d.ts: quantizeAxis,
// dequantizeAxis, minMaxAxis). Per element, the arithmetic of fallback.ts's quantize and
// dequantize with that element's own scale and zero point (the quantize loops are in
// rounding.ts). The facade has validated every argument before these run.
import type { FloatArray, QuantArray, QuantkitBinding, Rounding } from '../../binding';
import { QUANTIZE_LANES, QUANTIZE_SPANS, stepOf } from './rounding';

export type AxisCalls = Pick<QuantkitBinding, 'quantizeAxis' | 'dequantizeAxis' | 'minMaxAxis' | 'findBadScale'>;

// Runs of one parameter go through the per-tensor loop, the rest through the per-lane one,
// both picked once for the convention.
function quantizeAxis(x: FloatArray, out: QuantArray, scale: Float32Array, zeroPoint: Int32Array, outer: number, d: number, inner: number, blockSize: number, qmin: number, qmax: number, rounding: Rounding): void {
  const span = QUANTIZE_SPANS[rounding];
  const quantizeLanes = QUANTIZE_LANES[rounding];
  const quantizeRun = (begin: number, n: number, k: number): void => {
    const z = zeroPoint[k];
    span(x, out, begin, begin + n, stepOf(rounding, scale[k]), qmin - z, qmax - z, z);
  };
  const nb = blockSize === 0 ? 0 : Math.ceil(d / blockSize);
  let e = 0;
  for (let o = 0; o < outer; o++) {
    if (blockSize === 0 && inner === 1) {
      quantizeLanes(x, out, e, d, scale, zeroPoint, 0, qmin, qmax);
      e += d;
      continue;
    }
    for (let a = 0; a < d; a++, e += inner) {
      if (blockSize === 0) quantizeRun(e, inner, a);
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

function findBadScale(scale: Float32Array): number {
  for (let k = 0; k < scale.length; k++) {
    const s = scale[k]!;
    if (!(s > 0 && s < Infinity)) return k;
  }
  return -1;
}

export const axisCalls: AxisCalls = { quantizeAxis, dequantizeAxis, minMaxAxis, findBadScale };
