'use strict';
// An independent statement of SPEC §2 for the tests, written for clarity rather than
// speed, and differently from lib/fallback.ts (no rounding trick, explicit special cases).

const RANGES = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
};
const CTORS = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array };

function qRange(dtype, bits) {
  const [lo, hi] = RANGES[dtype];
  if (bits === undefined) return [lo, hi];
  return lo < 0 ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

/** Nearest integer, ties to even, by inspecting the fraction. */
function rintEven(v) {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function quantizeValue(x, scale, zeroPoint, qmin, qmax) {
  const v = Math.fround(Math.fround(x) / Math.fround(scale));
  if (Number.isNaN(v)) return zeroPoint;
  if (v === Infinity) return qmax;
  if (v === -Infinity) return qmin;
  return Math.min(qmax, Math.max(qmin, rintEven(v) + zeroPoint));
}

function quantizeRef(x, { scale, zeroPoint, dtype = 'uint8', bits }) {
  const [qmin, qmax] = qRange(dtype, bits);
  return CTORS[dtype].from(x, (v) => quantizeValue(v, scale, zeroPoint, qmin, qmax));
}

function dequantizeRef(q, { scale, zeroPoint }) {
  return Float32Array.from(q, (v) => Math.fround((v - zeroPoint) * Math.fround(scale)));
}

/** SPEC §2.3 affine parameters, step by step in float32. */
function affineRef(min, max, qmin, qmax) {
  const f = Math.fround;
  const lo = Math.min(f(min), 0);
  const hi = Math.max(f(max), 0);
  const scale = hi === lo ? 1 : f(f(hi - lo) / (qmax - qmin));
  const z = f(qmin - f(lo / scale));
  return { scale, zeroPoint: rintEven(Math.min(qmax, Math.max(qmin, z))) };
}

// The value of a float16 / bfloat16 pattern, from the formats' definitions (IEEE binary16;
// bfloat16 is the top half of a float32), not from the code under test.
function halfValue(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (e ? 2 ** (e - 15) * (1 + m / 1024) : 2 ** -14 * (m / 1024));
}

function bfloat16Value(b) {
  const sign = b & 0x8000 ? -1 : 1;
  const e = (b >> 7) & 0xff;
  const m = b & 0x7f;
  if (e === 0xff) return m ? NaN : sign * Infinity;
  return sign * (e ? 2 ** (e - 127) * (1 + m / 128) : 2 ** -126 * (m / 128));
}

module.exports = { RANGES, CTORS, qRange, rintEven, quantizeValue, quantizeRef, dequantizeRef, affineRef, halfValue, bfloat16Value };
