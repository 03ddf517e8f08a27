// ggml blocks in TypeScript: the same bytes as native/kernels/ggml/ggml.cc and ggml_kquants.cc
// (see ggml.h there for the layouts and rules). Each float32 operation of ggml's reference
// quantizer is one Math.fround here: a +, −, ·, / or sqrt of float32 values computed in
// double and rounded once to float32 is the correctly rounded float32 result. ggml's
// reference quantizers have no double-precision step.
import type { FloatArray } from '../../binding';
import { floatToHalf, halfToFloat } from './half';

const BLOCK = 32;
const HALF = 16;
const QK_K = 256;
const FLT_MAX = 3.4028234663852886e38;
/** Bytes of a block, by type code (0 Q8_0, 1 Q4_0, 2 Q4_1, 3 Q5_0, 4 Q5_1, 5 Q4_K, 6 Q5_K, 7 Q6_K). */
export const GGML_BLOCK_BYTES: readonly number[] = [34, 18, 20, 22, 24, 144, 176, 210];
/** Elements of a block, by type code: 32, or 256 for the k-quants. */
export const GGML_BLOCK_ELEMENTS: readonly number[] = [32, 32, 32, 32, 32, QK_K, QK_K, QK_K];

// One block's inputs as float32 values (a Float64Array is read as float32, SPEC §2.6).
const block = new Float64Array(QK_K);

function storeHalf(out: Uint8Array, at: number, v: number): void {
  const h = floatToHalf(v);
  out[at] = h & 0xff;
  out[at + 1] = h >>> 8;
}

// NaN, ±Inf: where the C reference's float -> int8 conversion is undefined, quantkit writes 0.
function unconvertible(v: number): boolean {
  return !(Math.abs(v) < 1073741824);
}

/** roundf: ties away from zero. |v| + 0.5 is exact in double for any float32 code value. */
function roundHalfAway(v: number): number {
  if (unconvertible(v)) return 0;
  const r = Math.floor(Math.abs(v) + 0.5);
  return v < 0 ? -r : r;
}

/** MIN(15, (int8_t)v): truncation toward zero. */
function nibble(v: number): number {
  if (unconvertible(v)) return 0;
  const t = Math.trunc(v) | 0;
  return t < 15 ? t : 15;
}

function quantizeQ8_0(out: Uint8Array, o: number): void {
  let amax = 0;
  for (let j = 0; j < BLOCK; j++) {
    const a = Math.abs(block[j]!);
    if (a > amax) amax = a;
  }
  const d = Math.fround(amax / 127);
  const id = d !== 0 ? Math.fround(1 / d) : 0;
  storeHalf(out, o, d);
  for (let j = 0; j < BLOCK; j++) out[o + 2 + j] = roundHalfAway(Math.fround(block[j]! * id)) & 0xff;
}

/**
 * The 32-value block's value of largest magnitude, with its sign (ggml's amax/max scan of
 * Q4_0 and Q5_0): the first one wins a tie (strict <), and an all-zero block gives +0.
 */
function signedAbsMax(): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < BLOCK; j++) {
    const a = Math.abs(block[j]!);
    if (amax < a) {
      amax = a;
      max = block[j]!;
    }
  }
  return max;
}

// The block's min and max (ggml's scan of Q4_1 and Q5_1, from ±FLT_MAX), set by blockMinMax().
let blockMin = 0;
let blockMax = 0;
function blockMinMax(): void {
  let min = FLT_MAX;
  let max = -FLT_MAX;
  for (let j = 0; j < BLOCK; j++) {
    const v = block[j]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  blockMin = min;
  blockMax = max;
}

function quantizeQ4_0(out: Uint8Array, o: number): void {
  const max = signedAbsMax();
  const d = Math.fround(max / -8); // −0 for an all-zero block, as in C
  const id = d !== 0 ? Math.fround(1 / d) : 0;
  storeHalf(out, o, d);
  for (let j = 0; j < HALF; j++) {
    const lo = nibble(Math.fround(Math.fround(block[j]! * id) + 8.5));
    const hi = nibble(Math.fround(Math.fround(block[j + HALF]! * id) + 8.5));
    out[o + 2 + j] = lo | (hi << 4);
  }
}

function quantizeQ4_1(out: Uint8Array, o: number): void {
  blockMinMax();
  const min = blockMin;
  const max = blockMax;
  const d = Math.fround(Math.fround(max - min) / 15);
  const id = d !== 0 ? Math.fround(1 / d) : 0;
  storeHalf(out, o, d);
  storeHalf(out, o + 2, min);
  for (let j = 0; j < HALF; j++) {
    const lo = nibble(Math.fround(Math.fround(Math.fround(block[j]! - min) * id) + 0.5));
    const hi = nibble(Math.fround(Math.fround(Math.fround(block[j + HALF]! - min) * id) + 0.5));
    out[o + 4 + j] = lo | (hi << 4);
  }
}

// ---- Q5_0, Q5_1 ---------------------------------------------------------------------------

/** MIN(31, (int8_t)v) as a byte (nibble()'s rule with 31). */
function code5Signed(v: number): number {
  if (unconvertible(v)) return 0;
  const t = Math.trunc(v) | 0;
  return (t < 31 ? t : 31) & 0xff;
}

/** (uint8_t)v: the low byte of the truncated value. */
function code5Unsigned(v: number): number {
  if (unconvertible(v)) return 0;
  return (Math.trunc(v) | 0) & 0xff;
}

function storeQh(out: Uint8Array, at: number, qh: number): void {
  out[at] = qh & 0xff;
  out[at + 1] = (qh >>> 8) & 0xff;
  out[at + 2] = (qh >>> 16) & 0xff;
  out[at + 3] = qh >>> 24;
}

function quantizeQ5_0(out: Uint8Array, o: number): void {
  const max = signedAbsMax();
  const d = Math.fround(max / -16);
  const id = d !== 0 ? Math.fround(1 / d) : 0;
  storeHalf(out, o, d);
  let qh = 0;
  for (let j = 0; j < HALF; j++) {
    const lo = code5Signed(Math.fround(Math.fround(block[j]! * id) + 16.5));
    const hi = code5Signed(Math.fround(Math.fround(block[j + HALF]! * id) + 16.5));
    out[o + 6 + j] = (lo & 0x0f) | ((hi & 0x0f) << 4);
    qh |= ((lo & 0x10) >>> 4) << j;
    qh |= ((hi & 0x10) >>> 4) << (j + HALF);
  }
  storeQh(out, o + 2, qh);
}

function quantizeQ5_1(out: Uint8Array, o: number): void {
  blockMinMax();
  const min = blockMin;
  const max = blockMax;
  const d = Math.fround(Math.fround(max - min) / 31);
  const id = d !== 0 ? Math.fround(1 / d) : 0;
  storeHalf(out, o, d);
  storeHalf(out, o + 2, min);
  let qh = 0;
  for (let j = 0; j < HALF; j++) {
    const lo = code5Unsigned(Math.fround(Math.fround(Math.fround(block[j]! - min) * id) + 0.5));
    const hi = code5Unsigned(Math.fround(Math.fround(Math.fround(block[j + HALF]! - min) * id) + 0.5));
    out[o + 8 + j] = (lo & 0x0f) | ((hi & 0x0f) << 4);
    qh |= ((lo & 0x10) >>> 4) << j;
    qh |= ((hi & 0x10) >>> 4) << (j + HALF);
  }
  storeQh(out, o + 4, qh);
}

// ---- k-quants (ggml_kquants.cc states the packings) ------------------------------------------

const GROUP_MAX_EPS = Math.fround(1e-15);
const TENTH = Math.fround(0.1);
const nearBits = new Float32Array(1);
const nearInt = new Int32Array(nearBits.buffer);

/** nearest_int: 1.5 · 2^23 added in float32; the integer is read from the mantissa bits. */
function nearestInt(v: number): number {
  nearBits[0] = v + 12582912; // the double sum rounded once to float32: the float32 sum
  return (nearInt[0]! & 0x007fffff) - 0x00400000;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

const L = new Uint8Array(QK_K); // codes of one super-block
const Laux = new Uint8Array(32);
const weights = new Float64Array(32);
const subScales = new Float64Array(16);
const subMins = new Float64Array(8);
let negMin = 0; // make_qkx2_quants' *the_min

/** make_qkx2_quants (use_mad false) on block[at .. at + n): returns the scale, sets negMin. */
function makeQkx2Quants(at: number, n: number, nmax: number, rmin: number, rdelta: number, nstep: number): number {
  const x = block;
  const f = Math.fround;
  let min = x[at]!;
  let max = x[at]!;
  let sumW = weights[0]!;
  let sumX = f(sumW * x[at]!);
  for (let i = 1; i < n; i++) {
    const v = x[at + i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    const w = weights[i]!;
    sumW = f(sumW + w);
    sumX = f(sumX + f(w * v));
  }
  if (min > 0) min = 0;
  if (max === min) {
    for (let i = 0; i < n; i++) L[at + i] = 0;
    negMin = -min;
    return 0;
  }
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(f(iscale * f(x[at + i]! - min))), 0, nmax);
    L[at + i] = l;
    let diff = f(f(f(scale * l) + min) - x[at + i]!);
    diff = f(diff * diff);
    bestError = f(bestError + f(weights[i]! * diff));
  }
  for (let is = 0; is <= nstep; is++) {
    // max − min with the min of the best trial so far, as in ggml (min moves when one wins).
    iscale = f(f(f(rmin + f(rdelta * is)) + nmax) / f(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = clamp(nearestInt(f(iscale * f(x[at + i]! - min))), 0, nmax);
      Laux[i] = l;
      const wl = f(weights[i]! * l);
      sumL = f(sumL + wl);
      sumL2 = f(sumL2 + f(wl * l));
      sumXL = f(sumXL + f(wl * x[at + i]!));
    }
    const D = f(f(sumW * sumL2) - f(sumL * sumL));
    if (D > 0) {
      let thisScale = f(f(f(sumW * sumXL) - f(sumX * sumL)) / D);
      let thisMin = f(f(f(sumL2 * sumX) - f(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = f(sumXL / sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) {
        let diff = f(f(f(thisScale * Laux[i]!) + thisMin) - x[at + i]!);
        diff = f(diff * diff);
        curError = f(curError + f(weights[i]! * diff));
      }
      if (curError < bestError) {
        for (let i = 0; i < n; i++) L[at + i] = Laux[i]!;
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  negMin = -min;
  return scale;
}

/** get_scale_min_k4 as scale | min << 8. */
function scaleMinK4(j: number, out: Uint8Array, p: number): number {
  if (j < 4) return (out[p + j]! & 63) | ((out[p + j + 4]! & 63) << 8);
  const sc = (out[p + j + 4]! & 0x0f) | ((out[p + j - 4]! >>> 6) << 4);
  const m = (out[p + j + 4]! >>> 4) | ((out[p + j]! >>> 6) << 4);
  return sc | (m << 8);
}

/** Q4_K / Q5_K: d, dmin and the 12 scale bytes at o; the final codes in L. */
function quantizeScalesMinsK(out: Uint8Array, o: number, nmax: number, rmin: number, rdelta: number, nstep: number): void {
  const f = Math.fround;
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 8; j++) {
    const at = 32 * j;
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = f(sumX2 + f(block[at + l]! * block[at + l]!));
    const avX = f(Math.sqrt(f(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = f(avX + Math.abs(block[at + l]!));
    const scale = makeQkx2Quants(at, 32, nmax, rmin, rdelta, nstep);
    subScales[j] = scale;
    subMins[j] = negMin;
    if (scale > maxScale) maxScale = scale;
    if (negMin > maxMin) maxMin = negMin;
  }
  const invScale = maxScale > 0 ? f(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? f(63 / maxMin) : 0;
  const p = o + 4;
  for (let j = 0; j < 8; j++) {
    // uint8_t then MIN(63, ·): the int is taken modulo 256 first.
    const ls = Math.min(63, nearestInt(f(invScale * subScales[j]!)) & 0xff);
    const lm = Math.min(63, nearestInt(f(invMin * subMins[j]!)) & 0xff);
    if (j < 4) {
      out[p + j] = ls;
      out[p + j + 4] = lm;
    } else {
      out[p + j + 4] = (ls & 0x0f) | ((lm & 0x0f) << 4);
      out[p + j - 4] |= (ls >>> 4) << 6;
      out[p + j] |= (lm >>> 4) << 6;
    }
  }
  storeHalf(out, o, f(maxScale / 63));
  storeHalf(out, o + 2, f(maxMin / 63));
  const dAll = halfToFloat(out[o]! | (out[o + 1]! << 8));
  const dminAll = halfToFloat(out[o + 2]! | (out[o + 3]! << 8));
  for (let j = 0; j < 8; j++) {
    const sm = scaleMinK4(j, out, p);
    const d = f(dAll * (sm & 0xff));
    if (d === 0) continue; // C's `if (!d)`: a NaN d does not skip
    const dm = f(dminAll * (sm >>> 8));
    for (let i = 32 * j; i < 32 * j + 32; i++) L[i] = clamp(nearestInt(f(f(block[i]! + dm) / d)), 0, nmax);
  }
}

function quantizeQ4_K(out: Uint8Array, o: number): void {
  quantizeScalesMinsK(out, o, 15, -1, TENTH, 20);
  for (let j = 0, q = o + 16; j < QK_K; j += 64, q += 32) {
    for (let l = 0; l < 32; l++) out[q + l] = L[j + l]! | (L[j + l + 32]! << 4);
  }
}

function quantizeQ5_K(out: Uint8Array, o: number): void {
  quantizeScalesMinsK(out, o, 31, -0.5, TENTH, 15);
  const qh = o + 16;
  out.fill(0, qh, qh + 32);
  let m1 = 1;
  let m2 = 2;
  for (let n = 0, ql = o + 48; n < QK_K; n += 64, ql += 32) {
    for (let j = 0; j < 32; j++) {
      let l1 = L[n + j]!;
      if (l1 > 15) {
        l1 -= 16;
        out[qh + j] |= m1;
      }
      let l2 = L[n + j + 32]!;
      if (l2 > 15) {
        l2 -= 16;
        out[qh + j] |= m2;
      }
      out[ql + j] = l1 | (l2 << 4);
    }
    m1 <<= 2;
    m2 <<= 2;
  }
}

/** make_qx_quants (rmse_type 1, weights x²) on block[at .. at + 16), nmax 32: L gets code + 32. */
function makeQxQuants(at: number, n: number, nmax: number): number {
  const x = block;
  const f = Math.fround;
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[at + i]!);
    if (ax > amax) {
      amax = ax;
      max = x[at + i]!;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    for (let i = 0; i < n; i++) L[at + i] = 0;
    return 0;
  }
  let iscale = f(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[at + i]!;
    const l = clamp(nearestInt(f(iscale * v)), -nmax, nmax - 1);
    L[at + i] = l + nmax;
    const w = f(v * v);
    sumlx = f(sumlx + f(f(w * v) * l));
    suml2 = f(suml2 + f(f(w * l) * l));
  }
  // C's `suml2 ? … : 0`: a NaN suml2 takes the division.
  let scale = suml2 !== 0 ? f(sumlx / suml2) : 0;
  let best = f(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = f(-f(nmax + f(TENTH * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[at + i]!;
      const l = clamp(nearestInt(f(iscale * v)), -nmax, nmax - 1);
      const w = f(v * v);
      sumlx = f(sumlx + f(f(w * v) * l));
      suml2 = f(suml2 + f(f(w * l) * l));
    }
    if (suml2 > 0 && f(sumlx * sumlx) > f(best * suml2)) {
      for (let i = 0; i < n; i++) L[at + i] = nmax + clamp(nearestInt(f(iscale * x[at + i]!)), -nmax, nmax - 1);
      scale = f(sumlx / suml2);
      best = f(scale * sumlx);
    }
  }
  return scale;
}

function quantizeQ6_K(out: Uint8Array, o: number): void {
  const f = Math.fround;
  let maxScale = 0;
  let maxAbsScale = 0;
  for (let ib = 0; ib < 16; ib++) {
    const scale = makeQxQuants(16 * ib, 16, 32);
    subScales[ib] = scale;
    const abs = Math.abs(scale);
    if (abs > maxAbsScale) {
      maxAbsScale = abs;
      maxScale = scale;
    }
  }
  if (maxAbsScale < GROUP_MAX_EPS) {
    out.fill(0, o, o + 210);
    return;
  }
  const iscale = f(-128 / maxScale);
  storeHalf(out, o + 208, f(1 / iscale));
  for (let ib = 0; ib < 16; ib++) out[o + 192 + ib] = Math.min(127, nearestInt(f(iscale * subScales[ib]!))) & 0xff;
  const dAll = halfToFloat(out[o + 208]! | (out[o + 209]! << 8));
  for (let j = 0; j < 16; j++) {
    const d = f(dAll * ((out[o + 192 + j]! << 24) >> 24));
    if (d === 0) continue;
    for (let i = 16 * j; i < 16 * j + 16; i++) L[i] = clamp(nearestInt(f(block[i]! / d)), -32, 31) + 32;
  }
  for (let j = 0, ql = o, qh = o + 128; j < QK_K; j += 128, ql += 64, qh += 32) {
    for (let l = 0; l < 32; l++) {
      const q1 = L[j + l]!;
      const q2 = L[j + l + 32]!;
      const q3 = L[j + l + 64]!;
      const q4 = L[j + l + 96]!;
      out[ql + l] = (q1 & 0x0f) | ((q3 & 0x0f) << 4);
      out[ql + l + 32] = (q2 & 0x0f) | ((q4 & 0x0f) << 4);
      out[qh + l] = (q1 >>> 4) | ((q2 >>> 4) << 2) | ((q3 >>> 4) << 4) | ((q4 >>> 4) << 6);
    }
  }
}

const QUANTIZERS: readonly ((out: Uint8Array, o: number) => void)[] = [
  quantizeQ8_0, quantizeQ4_0, quantizeQ4_1, quantizeQ5_0, quantizeQ5_1, quantizeQ4_K, quantizeQ5_K, quantizeQ6_K,
];

/** binding.ggmlQuantize: -1, or the index of the first non-finite float32 (nothing written). */
export function ggmlQuantize(x: FloatArray, out: Uint8Array, typeCode: number): number {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = Math.fround(x[i]!);
    if (v - v !== 0) return i;
  }
  const bytes = GGML_BLOCK_BYTES[typeCode]!;
  const elements = GGML_BLOCK_ELEMENTS[typeCode]!;
  const quantizeBlock = QUANTIZERS[typeCode]!;
  for (let b = 0, o = 0; b < n; b += elements, o += bytes) {
    for (let j = 0; j < elements; j++) block[j] = Math.fround(x[b + j]!);
    quantizeBlock(out, o);
  }
  return -1;
}

function dequantizeLegacy(bytes: Uint8Array, out: Float32Array, typeCode: number): void {
  const size = GGML_BLOCK_BYTES[typeCode]!;
  for (let o = 0, y = 0; y < out.length; o += size, y += BLOCK) {
    const d = halfToFloat(bytes[o]! | (bytes[o + 1]! << 8));
    let m = 0;
    if (typeCode === 0) {
      for (let j = 0; j < BLOCK; j++) out[y + j] = ((bytes[o + 2 + j]! << 24) >> 24) * d;
    } else if (typeCode === 1) {
      for (let j = 0; j < HALF; j++) {
        const q = bytes[o + 2 + j]!;
        out[y + j] = ((q & 0x0f) - 8) * d;
        out[y + j + HALF] = ((q >>> 4) - 8) * d;
      }
    } else if (typeCode === 2) {
      m = halfToFloat(bytes[o + 2]! | (bytes[o + 3]! << 8));
      for (let j = 0; j < HALF; j++) {
        const q = bytes[o + 4 + j]!;
        out[y + j] = (q & 0x0f) * d + m;
        out[y + j + HALF] = (q >>> 4) * d + m;
      }
    } else {
      // Q5_0 (typeCode 3) and Q5_1 (4): the fifth bits in a little-endian word before the nibbles.
      const five1 = typeCode === 4;
      if (five1) m = halfToFloat(bytes[o + 2]! | (bytes[o + 3]! << 8));
      const h = five1 ? o + 4 : o + 2;
      const qh = (bytes[h]! | (bytes[h + 1]! << 8) | (bytes[h + 2]! << 16) | (bytes[h + 3]! << 24)) >>> 0;
      const offset = five1 ? 0 : 16;
      for (let j = 0; j < HALF; j++) {
        const q = bytes[h + 4 + j]!;
        const lo = ((q & 0x0f) | (((qh >>> j) << 4) & 0x10)) - offset;
        const hi = ((q >>> 4) | ((qh >>> (j + 12)) & 0x10)) - offset;
        out[y + j] = five1 ? Math.fround(lo * d) + m : lo * d;
        out[y + j + HALF] = five1 ? Math.fround(hi * d) + m : hi * d;
      }
    }
    // A NaN result (only where d or m is Inf or NaN) is written as 0x7fc00000, as the addon does.
    if (!Number.isFinite(d) || !Number.isFinite(m)) {
      for (let j = 0; j < BLOCK; j++) if (Number.isNaN(out[y + j])) out[y + j] = NaN;
    }
  }
}

/** Q4_K (typeCode 5) and Q5_K (6): d·sc, dmin·m and their product with the code are exact. */
function dequantizeQ45_K(bytes: Uint8Array, out: Float32Array, typeCode: number): void {
  const size = GGML_BLOCK_BYTES[typeCode]!;
  const five = typeCode === 6;
  for (let o = 0, y = 0; y < out.length; o += size, y += QK_K) {
    const d = halfToFloat(bytes[o]! | (bytes[o + 1]! << 8));
    const dmin = halfToFloat(bytes[o + 2]! | (bytes[o + 3]! << 8));
    const p = o + 4;
    const qh = o + 16;
    let u1 = 1;
    let u2 = 2;
    for (let j = 0, is = 0, q = five ? o + 48 : o + 16, at = y; j < QK_K; j += 64, is += 2, q += 32, at += 64) {
      let sm = scaleMinK4(is, bytes, p);
      const d1 = Math.fround(d * (sm & 0xff));
      const m1 = Math.fround(dmin * (sm >>> 8));
      sm = scaleMinK4(is + 1, bytes, p);
      const d2 = Math.fround(d * (sm & 0xff));
      const m2 = Math.fround(dmin * (sm >>> 8));
      for (let l = 0; l < 32; l++) {
        const b = bytes[q + l]!;
        const h = five ? bytes[qh + l]! : 0;
        out[at + l] = Math.fround(d1 * ((b & 0x0f) + (h & u1 ? 16 : 0))) - m1;
        out[at + l + 32] = Math.fround(d2 * ((b >>> 4) + (h & u2 ? 16 : 0))) - m2;
      }
      u1 <<= 2;
      u2 <<= 2;
    }
    if (!Number.isFinite(d) || !Number.isFinite(dmin)) {
      for (let j = y; j < y + QK_K; j++) if (Number.isNaN(out[j])) out[j] = NaN;
    }
  }
}

/** Q6_K (typeCode 7): d·scale is exact, (d·scale)·q is rounded once more. */
function dequantizeQ6_K(bytes: Uint8Array, out: Float32Array): void {
  for (let o = 0, y = 0; y < out.length; o += 210, y += QK_K) {
    const d = halfToFloat(bytes[o + 208]! | (bytes[o + 209]! << 8));
    for (let n = 0, ql = o, qh = o + 128, sc = o + 192, at = y; n < QK_K; n += 128, ql += 64, qh += 32, sc += 8, at += 128) {
      for (let l = 0; l < 32; l++) {
        const is = l >>> 4;
        const h = bytes[qh + l]!;
        const a = bytes[ql + l]!;
        const b = bytes[ql + l + 32]!;
        const q1 = ((a & 0x0f) | ((h & 3) << 4)) - 32;
        const q2 = ((b & 0x0f) | (((h >>> 2) & 3) << 4)) - 32;
        const q3 = ((a >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
        const q4 = ((b >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
        out[at + l] = Math.fround(d * ((bytes[sc + is]! << 24) >> 24)) * q1;
        out[at + l + 32] = Math.fround(d * ((bytes[sc + is + 2]! << 24) >> 24)) * q2;
        out[at + l + 64] = Math.fround(d * ((bytes[sc + is + 4]! << 24) >> 24)) * q3;
        out[at + l + 96] = Math.fround(d * ((bytes[sc + is + 6]! << 24) >> 24)) * q4;
      }
    }
    if (!Number.isFinite(d)) {
      for (let j = y; j < y + QK_K; j++) if (Number.isNaN(out[j])) out[j] = NaN;
    }
  }
}

/** binding.ggmlDequantize: as ggml's dequantize_row_*, each stored value rounded as there. */
export function ggmlDequantize(bytes: Uint8Array, out: Float32Array, typeCode: number): void {
  if (typeCode === 5 || typeCode === 6) dequantizeQ45_K(bytes, out, typeCode);
  else if (typeCode === 7) dequantizeQ6_K(bytes, out);
  else dequantizeLegacy(bytes, out, typeCode);
}
