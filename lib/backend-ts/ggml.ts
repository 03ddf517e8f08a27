// ggml Q8_0 / Q4_0 / Q4_1 blocks in TypeScript: the same bytes as native/kernels/ggml/ggml.cc
// (see ggml.h there for the layouts and rules). Each float32 operation of ggml's reference
// quantizer is one Math.fround here: a +, −, · or / of two float32 values computed in
// double and rounded once to float32 is the correctly rounded float32 result.
import type { FloatArray } from '../../binding';
import { floatToHalf, halfToFloat } from './half';

const BLOCK = 32;
const HALF = 16;
const FLT_MAX = 3.4028234663852886e38;
/** Bytes of a block, by type code (0 = Q8_0, 1 = Q4_0, 2 = Q4_1). */
export const GGML_BLOCK_BYTES: readonly number[] = [34, 18, 20];

// One block's inputs as float32 values (a Float64Array is read as float32, SPEC §2.6).
const block = new Float64Array(BLOCK);

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

function quantizeQ4_0(out: Uint8Array, o: number): void {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < BLOCK; j++) {
    const a = Math.abs(block[j]!);
    if (amax < a) {
      amax = a;
      max = block[j]!;
    }
  }
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
  let min = FLT_MAX;
  let max = -FLT_MAX;
  for (let j = 0; j < BLOCK; j++) {
    const v = block[j]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
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

/** binding.ggmlQuantize: -1, or the index of the first non-finite float32 (nothing written). */
export function ggmlQuantize(x: FloatArray, out: Uint8Array, typeCode: number): number {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = Math.fround(x[i]!);
    if (v - v !== 0) return i;
  }
  const bytes = GGML_BLOCK_BYTES[typeCode]!;
  const quantizeBlock = typeCode === 0 ? quantizeQ8_0 : typeCode === 1 ? quantizeQ4_0 : quantizeQ4_1;
  for (let b = 0, o = 0; b < n; b += BLOCK, o += bytes) {
    for (let j = 0; j < BLOCK; j++) block[j] = Math.fround(x[b + j]!);
    quantizeBlock(out, o);
  }
  return -1;
}

/** binding.ggmlDequantize. q · d is exact, so each stored value is rounded once. */
export function ggmlDequantize(bytes: Uint8Array, out: Float32Array, typeCode: number): void {
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
    } else {
      m = halfToFloat(bytes[o + 2]! | (bytes[o + 3]! << 8));
      for (let j = 0; j < HALF; j++) {
        const q = bytes[o + 4 + j]!;
        out[y + j] = (q & 0x0f) * d + m;
        out[y + j + HALF] = (q >>> 4) * d + m;
      }
    }
    // A NaN result (only where d or m is Inf or NaN) is written as 0x7fc00000, as the addon does.
    if (!Number.isFinite(d) || !Number.isFinite(m)) {
      for (let j = 0; j < BLOCK; j++) if (Number.isNaN(out[y + j])) out[y + j] = NaN;
    }
  }
}
