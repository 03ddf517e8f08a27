'use strict';
// Deterministic test data: a seeded PRNG and the edge values SPEC §5 lists.

function prng(seed) {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** prng(seed) with the draws the ONNX oracle's generators need; the same sequence as prng(seed). */
function randomSource(seed) {
  const next = prng(seed);
  return {
    next,
    /** An integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    /** Any 32-bit pattern, e.g. for a float32 of random bits. */
    u32: () => Math.floor(next() * 4294967296) >>> 0,
  };
}

function randomFloats(n, seed, spread = 10) {
  const r = prng(seed);
  // A plain loop: Float32Array.from with a map function is ten times slower on millions.
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (r() * 2 - 1) * spread;
  return x;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 next to v towards +Infinity (dir 1) or -Infinity (dir -1). */
function nextFloat32(v, dir) {
  f32[0] = v;
  if (v === 0) {
    u32[0] = 1;
    return dir > 0 ? f32[0] : -f32[0];
  }
  u32[0] += (v > 0) === (dir > 0) ? 1 : -1;
  return f32[0];
}

function float32FromBits(bits) {
  u32[0] = bits >>> 0;
  return f32[0];
}

/** NaN, infinities, signed zeros, subnormals, extremes. */
const SPECIALS = [
  NaN,
  float32FromBits(0x7fc00001), // quiet NaN with a payload
  float32FromBits(0xffc00000), // negative quiet NaN
  float32FromBits(0x7f800001), // signalling NaN
  Infinity,
  -Infinity,
  0,
  -0,
  float32FromBits(1), // smallest subnormal
  -float32FromBits(1),
  float32FromBits(0x007fffff), // largest subnormal
  float32FromBits(0x00800000), // smallest normal
  3.4028234663852886e38, // FLT_MAX
  -3.4028234663852886e38,
  2 ** 31,
  -(2 ** 31),
  1e10,
  -1e10,
];

/** Values whose quotient by `scale` is exactly k + 0.5 for a spread of k, and their float32 neighbours. */
function tiesFor(scale, kMin = -300, kMax = 300) {
  const out = [];
  for (let k = kMin; k <= kMax; k++) {
    const t = Math.fround((k + 0.5) * scale);
    out.push(t, nextFloat32(t, 1), nextFloat32(t, -1));
  }
  return Float32Array.from(out);
}

module.exports = { prng, randomSource, randomFloats, nextFloat32, float32FromBits, SPECIALS, tiesFor };
