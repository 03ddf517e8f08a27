#!/usr/bin/env node
// Prints a SHA-256 of everything quantkit computes for a fixed, large pseudo-random input:
// quantize (float32 and float64 input), dequantize, minMax and quantizeDynamic, for every
// dtype, full and narrow bit widths, affine and symmetric parameters, at odd element
// offsets, including one call large enough to be split across threads. The same numbers
// must come out on every machine, backend and kernel, so the digests of two runs (e.g.
// x86-64 AVX2 and arm64 NEON, see scripts/test-arm64.js) are equal or something differs.
//
//   node scripts/digest.js [--verbose]     one line per case with --verbose
//
// The backend is chosen as usual (QUANTKIT_BACKEND, QUANTKIT_ISA, QUANTKIT_ADDON).
// Last line: `digest <hex>`.
'use strict';
const crypto = require('node:crypto');
const qk = require('..');
const { prng, SPECIALS, tiesFor } = require('../test/support/data');

const verbose = process.argv.includes('--verbose');
const N = (1 << 20) + 37;
const N_SPLIT = (1 << 22) + 37; // at least 4 Mi elements: split across QUANTKIT_THREADS threads
const total = crypto.createHash('sha256');

function bytesOf(view) {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function record(label, ...views) {
  const h = crypto.createHash('sha256');
  for (const v of views) h.update(bytesOf(v));
  const hex = h.digest('hex');
  total.update(`${label} ${hex}\n`);
  if (verbose) console.log(`${label.padEnd(44)} ${hex.slice(0, 16)}`);
}

/** Numbers as float64 bits, so that -0, NaN and the last bit all count. */
function numbers(...values) {
  return Float64Array.from(values);
}

// --- inputs -----------------------------------------------------------------------------

/**
 * Float32 data: plain values at several spreads, exact ties, edges, any bit pattern.
 * Bit patterns are written through an integer view: a JS number cannot carry a signaling
 * NaN (reading one from a Float32Array quiets it), and kernels must skip those too.
 */
function float32Input(n, seed) {
  const r = prng(seed);
  const ties = tiesFor(0.02, -200, 200);
  const x = new Float32Array(n);
  const bits = new Uint32Array(x.buffer);
  const u32 = () => Math.floor(r() * 4294967296) >>> 0;
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.6) x[i] = (r() * 2 - 1) * [1, 4, 100, 3000][Math.floor(r() * 4)];
    else if (k < 0.8) x[i] = ties[Math.floor(r() * ties.length)];
    else if (k < 0.88) x[i] = SPECIALS[Math.floor(r() * SPECIALS.length)];
    else if (k < 0.9) bits[i] = (u32() & 0x803fffff) | 0x7f800001; // a signaling NaN, either sign
    else bits[i] = u32();
  }
  return x;
}

/** Float64 data: float32 values widened, midpoints between float32 neighbours, any double. */
function float64Input(x32, seed) {
  const r = prng(seed);
  const x = new Float64Array(x32.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < x.length; i++) {
    const v = x32[i];
    const k = r();
    if (k < 0.4 || !Number.isFinite(v)) {
      x[i] = v;
    } else if (k < 0.8) {
      f[0] = v;
      u[0] += 1;
      x[i] = (v + f[0]) / 2; // a tie for the float64 -> float32 rounding
    } else {
      x[i] = (r() * 2 - 1) * 2 ** Math.floor(r() * 300 - 150);
    }
  }
  return x;
}

/** Finite data with some NaN, for quantizeDynamic (an infinite range is a RangeError). */
function finiteInput(n, seed, spread) {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.01 ? NaN : (r() * 2 - 1.2) * spread));
}

// --- cases ------------------------------------------------------------------------------

const CTORS = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array };
const x32 = float32Input(N + 16, 1);
const x64 = float64Input(x32, 2);
const finite = finiteInput(N + 16, 3, 7);

for (const dtype of ['uint8', 'int8', 'uint16', 'int16']) {
  const narrow = dtype.endsWith('8') ? 4 : 12;
  for (const bits of [undefined, narrow]) {
    for (const symmetric of [false, true]) {
      const params = qk.paramsFromRange(-3.1, 5.3, { dtype, bits, symmetric });
      const label = `${dtype} bits=${bits ?? 'full'} ${symmetric ? 'symmetric' : 'affine'}`;
      const Q = CTORS[dtype];
      // Odd offsets on both sides: x from element 3, out from element 5.
      const q = new Q(N + 16);
      qk.quantize(x32.subarray(3, 3 + N), params, q.subarray(5, 5 + N));
      record(`quantize f32 ${label}`, q, numbers(params.scale, params.zeroPoint));
      const q64 = new Q(N + 16);
      qk.quantize(x64.subarray(1, 1 + N), params, q64.subarray(7, 7 + N));
      record(`quantize f64 ${label}`, q64);
      const back = new Float32Array(N + 16);
      qk.dequantize(q.subarray(5, 5 + N), params, back.subarray(1, 1 + N));
      record(`dequantize ${label}`, back);
    }
    const dyn = qk.quantizeDynamic(finite.subarray(1, 1 + N), { dtype, bits });
    record(`quantizeDynamic ${dtype} bits=${bits ?? 'full'}`, dyn.data, numbers(dyn.scale, dyn.zeroPoint));
  }
}
for (const [label, x] of [['f32', x32], ['f64', x64], ['finite f32', finite]]) {
  for (const offset of [0, 1, 3]) {
    const m = qk.minMax(x.subarray(offset, offset + N - offset));
    record(`minMax ${label} +${offset}`, numbers(m.min, m.max));
  }
  // Short windows: the vector body, the tail, NaN, -0 and extremes in every position.
  const r = prng(5);
  const windows = [];
  for (let k = 0; k < 512; k++) {
    const begin = Math.floor(r() * (N - 300));
    const m = qk.minMax(x.subarray(begin, begin + Math.floor(r() * 300)));
    windows.push(m.min, m.max);
  }
  record(`minMax ${label}, 512 windows of 0-299`, Float64Array.from(windows));
}
// The other frameworks' roundings (README "Conventions"): per-tensor, packed and per-axis.
for (const convention of ['pytorch', 'tflite']) {
  for (const dtype of ['uint8', 'int16', 'int4']) {
    const params = { ...qk.paramsFromRange(-3.1, 5.3, { dtype }), convention };
    record(`quantize f32 ${dtype} ${convention}`, qk.quantize(x32.subarray(3, 3 + N), params));
    record(`quantize f64 ${dtype} ${convention}`, qk.quantize(x64.subarray(1, 1 + N), params));
  }
  const axisParams = qk.computeParams(finite.subarray(0, 1 << 20), { axis: 1, shape: [1 << 14, 64], dtype: 'int8', blockSize: 16, convention });
  record(`quantize f32 int8 blocked ${convention}`, qk.quantize(x32.subarray(0, 1 << 20), axisParams));
}
{
  const big = float32Input(N_SPLIT, 4);
  const params = qk.paramsFromRange(-10, 10, { dtype: 'uint8' });
  record(`quantize f32 uint8, ${N_SPLIT} elements`, qk.quantize(big, params));
  const m = qk.minMax(big);
  record(`minMax f32, ${N_SPLIT} elements`, numbers(m.min, m.max));
}

console.log(`backend ${qk.backend.name} ${qk.backend.isa} (${process.arch}, node ${process.version})`);
console.log(`digest ${total.digest('hex')}`);
