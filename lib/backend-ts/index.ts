// The pure-TypeScript backend: the same calls as the addon (binding.d.ts) and the same bits.
// The facade has validated every argument before these run.
import type { FloatArray, QuantArray, QuantkitBinding, Rounding } from '../../binding';
import { QUANTIZE_SPANS, stepOf } from './rounding';
import { version } from '../core/version';
import { convertCalls } from './convert';
import { ggmlDequantize, ggmlQuantize } from './ggml';
import { packedCalls } from './packed';
import { axisCalls } from './axis';
import { float8Calls } from './float8';
import { calibrateCalls } from './calibrate';
import { preprocessCalls } from './preprocess';

// The loops run in chunks through a small inner function. One long loop straight in the
// called function sometimes gets its optimized code thrown away on entry when the first
// calls are large ("insufficient type feedback"), and then stays about 2× slower for the
// life of the process; a chunked inner loop is optimized reliably.
const CHUNK = 4096;

function quantize(x: FloatArray, out: QuantArray, scale: number, zeroPoint: number, qmin: number, qmax: number, rounding: Rounding): void {
  const span = QUANTIZE_SPANS[rounding];
  const step = stepOf(rounding, Math.fround(scale));
  const n = x.length;
  for (let i = 0; i < n; i += CHUNK) span(x, out, i, Math.min(n, i + CHUNK), step, qmin - zeroPoint, qmax - zeroPoint, zeroPoint);
}

// (q − z) is an exact integer and its product with s is exact in a double, so the store
// into the Float32Array is the single float32 rounding of fl((q − z) · s).
function dequantizeChunk(q: QuantArray, out: Float32Array, begin: number, end: number, s: number, zeroPoint: number): void {
  for (let i = begin; i < end; i++) out[i] = (q[i] - zeroPoint) * s;
}

function dequantize(q: QuantArray, out: Float32Array, scale: number, zeroPoint: number): void {
  const s = Math.fround(scale);
  const n = q.length;
  for (let i = 0; i < n; i += CHUNK) dequantizeChunk(q, out, i, Math.min(n, i + CHUNK), s, zeroPoint);
}

// binding.d.ts: the per-call floor bench/overhead.js measures; nothing to do.
function callFloor(_x: FloatArray, _out: QuantArray, _scale: number, _zeroPoint: number, _qmin: number, _qmax: number, _rounding: Rounding): void {}

// binding.d.ts: every call of this backend runs on its caller's thread; nothing to cap.
function capThreads(_n: number): void {}

function minMax(x: FloatArray, out: Float64Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = Math.fround(x[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) {
    out[0] = out[1] = NaN;
  } else {
    out[0] = lo + 0; // + 0 turns −0 into +0, as the addon does
    out[1] = hi + 0;
  }
}

// (q + offset) stored into the other signedness wraps modulo 2^width, as the addon's cast does;
// q and out may be the same memory, each element being read before it is written.
function recode(q: QuantArray, out: QuantArray, offset: number): void {
  const n = q.length;
  for (let i = 0; i < n; i++) out[i] = q[i] + offset;
}

export const fallbackBinding: QuantkitBinding = {
  version,
  isa: 'js',
  isaAvailable: ['js'],
  threads: 1,
  quantize,
  callFloor,
  capThreads,
  dequantize,
  minMax,
  ...convertCalls,
  ggmlQuantize,
  ggmlDequantize,
  ...packedCalls(quantize, dequantize),
  ...axisCalls,
  recode,
  ...float8Calls(),
  ...calibrateCalls(quantize, dequantize),
  ...preprocessCalls,
};
