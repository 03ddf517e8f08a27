// The TypeScript backend's calibration calls (binding.d.ts errorStatsQuantize, errorStatsPair,
// histogramAdd), mirroring native/kernels/calibrate/calibrate.cc: blocks of 1024 pairs summed
// plainly, each block added to the groups with Neumaier's compensation. Counts, max |e| and its
// index are the addon's exactly; the sums agree to a few ulps (the addon sums in SIMD lanes).
import type { FloatArray, QuantArray, QuantkitBinding, Rounding } from '../../binding';

type QuantizeCall = (x: FloatArray, out: QuantArray, scale: number, zeroPoint: number, qmin: number, qmax: number, rounding: Rounding) => void;
type DequantizeCall = (q: QuantArray, out: Float32Array, scale: number, zeroPoint: number) => void;

export const ACC_SLOTS = 16;
const MAX_ABS = 10;
const MAX_INDEX = 11;
const COUNT = 12;
const NAN_COUNT = 13;
const BAD_COUNT = 14;
const FIRST_BAD = 15;
const BLOCK = 1024;
const CHUNK = 2048;
const FLT_MAX = 3.4028234663852886e38;

// One block's plain sums and what the walk in order gives; reused (one per module instance).
const block = new Float64Array(10); // x², e², x·x̂, x̂², |e|, max, maxIndex, count, nan, bad
let blockFirstBad = -1;

function sumBlock(x: ArrayLike<number>, y: ArrayLike<number>, begin: number, end: number): void {
  let x2 = 0, e2 = 0, xy = 0, y2 = 0, ab = 0, max = -1, maxIndex = -1, count = 0, nans = 0, bad = 0;
  let firstBad = -1;
  for (let i = begin; i < end; i++) {
    const xv = Math.fround(x[i]);
    const yv = y[i];
    if (xv !== xv || yv !== yv) {
      nans++;
      continue;
    }
    if (!(Math.abs(xv) <= FLT_MAX && Math.abs(yv) <= FLT_MAX)) {
      if (bad++ === 0) firstBad = i - begin;
      continue;
    }
    const e = xv - yv;
    const a = Math.abs(e);
    x2 += xv * xv;
    e2 += e * e;
    xy += xv * yv;
    y2 += yv * yv;
    ab += a;
    if (a > max) {
      max = a;
      maxIndex = i - begin;
    }
    count++;
  }
  block[0] = x2; block[1] = e2; block[2] = xy; block[3] = y2; block[4] = ab;
  block[5] = max; block[6] = maxIndex; block[7] = count; block[8] = nans; block[9] = bad;
  blockFirstBad = firstBad;
}

function addCompensated(acc: Float64Array, k: number, v: number): void {
  const s = acc[k];
  const t = s + v;
  acc[k + 1] += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
  acc[k] = t;
}

/** The last sumBlock into the group at `g`, its first element numbered `base`. */
function addBlock(acc: Float64Array, g: number, base: number): void {
  for (let k = 0; k < 5; k++) addCompensated(acc, g + 2 * k, block[k]);
  if (block[6] >= 0 && block[5] > acc[g + MAX_ABS]) {
    acc[g + MAX_ABS] = block[5];
    acc[g + MAX_INDEX] = base + block[6];
  }
  acc[g + COUNT] += block[7];
  acc[g + NAN_COUNT] += block[8];
  if (block[9] > 0) {
    if (acc[g + FIRST_BAD] < 0) acc[g + FIRST_BAD] = base + blockFirstBad;
    acc[g + BAD_COUNT] += block[9];
  }
}

export function initAcc(acc: Float64Array, groups: number): void {
  acc.fill(0, 0, groups * ACC_SLOTS);
  for (let g = 0; g < groups; g++) {
    acc[g * ACC_SLOTS + MAX_ABS] = -1;
    acc[g * ACC_SLOTS + MAX_INDEX] = -1;
    acc[g * ACC_SLOTS + FIRST_BAD] = -1;
  }
}

/** Group `from` (at offset f of src) into group `into` (at offset g of acc). */
export function mergeAcc(acc: Float64Array, g: number, src: Float64Array, f: number): void {
  for (let k = 0; k < 5; k++) {
    addCompensated(acc, g + 2 * k, src[f + 2 * k]);
    acc[g + 2 * k + 1] += src[f + 2 * k + 1];
  }
  const fm = src[f + MAX_ABS];
  const fi = src[f + MAX_INDEX];
  if (fm > acc[g + MAX_ABS] || (fm === acc[g + MAX_ABS] && fi >= 0 && (acc[g + MAX_INDEX] < 0 || fi < acc[g + MAX_INDEX]))) {
    acc[g + MAX_ABS] = fm;
    acc[g + MAX_INDEX] = fi;
  }
  acc[g + COUNT] += src[f + COUNT];
  acc[g + NAN_COUNT] += src[f + NAN_COUNT];
  acc[g + BAD_COUNT] += src[f + BAD_COUNT];
  const fb = src[f + FIRST_BAD];
  if (fb >= 0 && (acc[g + FIRST_BAD] < 0 || fb < acc[g + FIRST_BAD])) acc[g + FIRST_BAD] = fb;
}

// Rows shorter than this go to their channels pair by pair (each sum compensated on its own).
const SHORT_RUN = 64;

function addPair(acc: Float64Array, g: number, xv: number, yv: number, index: number): void {
  if (xv !== xv || yv !== yv) {
    acc[g + NAN_COUNT]++;
    return;
  }
  if (!(Math.abs(xv) <= FLT_MAX && Math.abs(yv) <= FLT_MAX)) {
    if (acc[g + FIRST_BAD] < 0) acc[g + FIRST_BAD] = index;
    acc[g + BAD_COUNT]++;
    return;
  }
  const e = xv - yv;
  const a = Math.abs(e);
  addCompensated(acc, g, xv * xv);
  addCompensated(acc, g + 2, e * e);
  addCompensated(acc, g + 4, xv * yv);
  addCompensated(acc, g + 6, yv * yv);
  addCompensated(acc, g + 8, a);
  if (a > acc[g + MAX_ABS]) {
    acc[g + MAX_ABS] = a;
    acc[g + MAX_INDEX] = index;
  }
  acc[g + COUNT]++;
}

/** Pairs [begin, end) of x and y (element i numbered base + i − begin) into acc. */
function accumulate(x: ArrayLike<number>, y: ArrayLike<number>, begin: number, end: number, base: number, acc: Float64Array, channels: number, inner: number): void {
  for (let b = begin; b < end; b += BLOCK) {
    sumBlock(x, y, b, Math.min(end, b + BLOCK));
    addBlock(acc, 0, base + (b - begin));
  }
  if (channels === 0) return;
  let i = begin;
  while (i < end) {
    const g = base + (i - begin);
    const c = Math.floor(g / inner) % channels;
    const len = Math.min(end - i, inner - (g % inner));
    const group = (1 + c) * ACC_SLOTS;
    if (inner < SHORT_RUN) {
      for (let j = 0; j < len; j++) addPair(acc, group, Math.fround(x[i + j]), y[i + j], g + j);
    } else {
      for (let b = 0; b < len; b += BLOCK) {
        sumBlock(x, y, i + b, i + Math.min(len, b + BLOCK));
        addBlock(acc, group, g + b);
      }
    }
    i += len;
  }
}

function errorStatsPair(x: FloatArray, xHat: Float32Array, acc: Float64Array, channels: number, inner: number, indexBase: number): void {
  accumulate(x, xHat, 0, x.length, indexBase, acc, channels, inner);
}

// [bin = clamp(fl(fl(x − lo) · invWidth), 0, n − 1), truncated] in float32 as the addon
// computes it, with the batch's min and max on the way.
function histogramAdd(x: FloatArray, counts: Float64Array, lo: number, invWidth: number, range: Float64Array): void {
  const top = counts.length - 1;
  const lo32 = Math.fround(lo);
  const inv32 = Math.fround(invWidth);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = Math.fround(x[i]);
    if (v !== v) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    let t = Math.fround(Math.fround(v - lo32) * inv32);
    t = t < 0 ? 0 : t > top ? top : t;
    counts[Math.trunc(t)]++;
  }
  if (min > max) range[0] = range[1] = NaN;
  else {
    range[0] = min + 0;
    range[1] = max + 0;
  }
}

const CODE_CTORS = [Uint8Array, Int8Array, Uint16Array, Int16Array] as const;

type CalibrateCalls = Pick<QuantkitBinding, 'errorStatsQuantize' | 'errorStatsPair' | 'histogramAdd'>;

export function calibrateCalls(quantize: QuantizeCall, dequantize: DequantizeCall): CalibrateCalls {
  const codes = CODE_CTORS.map((C) => new C(CHUNK));
  const xHat = new Float32Array(CHUNK);
  return {
    errorStatsQuantize(x, acc, codeType, scale, zeroPoint, qmin, qmax, rounding, channels, inner, indexBase) {
      const q = codes[codeType];
      for (let c = 0; c < x.length; c += CHUNK) {
        const m = Math.min(CHUNK, x.length - c);
        const xs = x.subarray(c, c + m);
        const qs = q.subarray(0, m);
        const ys = xHat.subarray(0, m);
        quantize(xs, qs, scale, zeroPoint, qmin, qmax, rounding);
        dequantize(qs, ys, scale, zeroPoint);
        accumulate(xs, ys, 0, m, indexBase + c, acc, channels, inner);
      }
    },
    errorStatsPair,
    histogramAdd,
  };
}
