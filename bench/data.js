'use strict';
// Bench input: one seeded float32 tensor shaped like activations, and the fixed parameters
// every contender quantizes it with. The parent generates it once and hands the same
// bytes to every worker through files, so "the same data" is literal.

const { prng } = require('../test/support/data'); // seeded mulberry32

/** Fixed quantize/dequantize parameters: the grid of [-4, 4] on uint8, as float32. */
const FIXED = Object.freeze({ scale: Math.fround(8 / 255), zeroPoint: 128, dtype: 'uint8' });

/** Normal(MEAN, SD²): about 0.9 % of the values fall outside FIXED's range and clip. */
const MEAN = 0.25;
const SD = 1.5;

/** n float32 values ~ Normal(MEAN, SD²), Box–Muller over the seeded mulberry32 the tests use. */
function activations(n, seed) {
  const next = prng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - next(); // (0, 1]: log(u) stays finite
    const r = SD * Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * next();
    x[i] = MEAN + r * Math.cos(t);
    if (i + 1 < n) x[i + 1] = MEAN + r * Math.sin(t);
  }
  return x;
}

const DESCRIPTION = `float32 ~ Normal(${MEAN}, ${SD}²) (seeded mulberry32 + Box–Muller); fixed params scale=fround(8/255) zeroPoint=128 uint8 (≈0.9 % clipped)`;

module.exports = { FIXED, activations, DESCRIPTION };
