'use strict';
// ggml blocks (Q8_0, Q4_0, Q4_1): the bytes of ggml's reference row quantizers
// (quantize_row_*_ref in ggml-quants.c) and the floats of its dequantize_row_*.
// The expectations come from an independent statement of those formulas below (its own
// float16 rounding, its own roundf, a DataView block writer) and from blocks derived by
// hand; never from the code under test.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { prng, nextFloat32 } = require('./support/data');

const { ggml } = qk;
const BYTES = { q8_0: 34, q4_0: 18, q4_1: 20 };
const TYPES = Object.keys(BYTES);
const FLT_MAX = 3.4028234663852886e38;
const f = Math.fround;

// ---- reference: float16 by arithmetic (round to nearest, ties to even) ----------------
const TIE_EVEN = 6755399441055744; // 1.5 · 2^52
const rne = (v) => v + TIE_EVEN - TIE_EVEN; // 0 <= v < 2^51

function refHalf(v) {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest finite 65504 (or is Inf)
  if (a < 2 ** -14) return sign | rne(a * 2 ** 24); // subnormal; 1024 is the smallest normal's code
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  let m = rne((a / 2 ** e) * 1024);
  if (m === 2048) {
    m = 1024;
    e++;
  }
  return sign | ((e + 15) << 10) | (m - 1024);
}

function refHalfValue(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
}

// ---- reference: the three quantizers, float32 step by step ----------------------------
// C's float -> int8 conversion of NaN/Inf is undefined; quantkit's rule is code 0.
const finiteCode = (v) => Number.isFinite(v);
function roundf(v) {
  if (!finiteCode(v)) return 0;
  let t = Math.trunc(v);
  if (Math.abs(v - t) >= 0.5) t += Math.sign(v);
  return t;
}
const truncMin15 = (v) => (finiteCode(v) ? Math.min(15, Math.trunc(v)) : 0);

function refQuantize(x, type) {
  const nb = x.length / 32;
  const size = BYTES[type];
  const out = new Uint8Array(nb * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < nb; i++) {
    const b = Array.from({ length: 32 }, (_, j) => f(x[i * 32 + j]));
    const at = i * size;
    if (type === 'q8_0') {
      const amax = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const d = f(amax / 127);
      const id = d !== 0 ? f(1 / d) : 0;
      view.setUint16(at, refHalf(d), true);
      b.forEach((v, j) => view.setInt8(at + 2 + j, roundf(f(v * id))));
    } else if (type === 'q4_0') {
      let amax = 0;
      let max = 0;
      for (const v of b) if (amax < Math.abs(v)) [amax, max] = [Math.abs(v), v];
      const d = f(max / -8);
      const id = d !== 0 ? f(1 / d) : 0;
      view.setUint16(at, refHalf(d), true);
      const codes = b.map((v) => truncMin15(f(f(v * id) + 8.5)));
      for (let j = 0; j < 16; j++) view.setUint8(at + 2 + j, codes[j] + 16 * codes[j + 16]);
    } else {
      let min = FLT_MAX;
      let max = -FLT_MAX;
      for (const v of b) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const d = f(f(max - min) / 15);
      const id = d !== 0 ? f(1 / d) : 0;
      view.setUint16(at, refHalf(d), true);
      view.setUint16(at + 2, refHalf(min), true);
      const codes = b.map((v) => truncMin15(f(f(f(v - min) * id) + 0.5)));
      for (let j = 0; j < 16; j++) view.setUint8(at + 4 + j, codes[j] + 16 * codes[j + 16]);
    }
  }
  return out;
}

function refDequantize(bytes, type) {
  const size = BYTES[type];
  const nb = bytes.length / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let i = 0; i < nb; i++) {
    const at = i * size;
    const d = refHalfValue(view.getUint16(at, true));
    if (type === 'q8_0') {
      for (let j = 0; j < 32; j++) out.push(f(view.getInt8(at + 2 + j) * d));
    } else {
      const m = type === 'q4_1' ? refHalfValue(view.getUint16(at + 2, true)) : 0;
      const base = type === 'q4_1' ? at + 4 : at + 2;
      const lo = [];
      const hi = [];
      for (let j = 0; j < 16; j++) {
        const byte = view.getUint8(base + j);
        lo.push(byte % 16);
        hi.push(Math.floor(byte / 16));
      }
      for (const q of [...lo, ...hi]) out.push(type === 'q4_0' ? f((q - 8) * d) : f(f(q * d) + m));
    }
  }
  return out;
}

// ---- helpers -----------------------------------------------------------------------------
const hex = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (v) => {
  f32[0] = v;
  return u32[0];
};

function assertFloatsEqual(actual, expected, what) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      assert.equal(bitsOf(a).toString(16), '7fc00000', `${what}[${i}] is the canonical NaN`);
    } else if (!Object.is(a, e)) {
      assert.fail(`${what}[${i}]: ${a} !== ${e}`);
    }
  }
}

function checkQuantize(x, type, what) {
  const got = ggml.quantize(x, type);
  assert.equal(hex(got), hex(refQuantize(x, type)), `${type} ${what}`);
  return got;
}

/** One block from a sparse description: `fill` everywhere, then `at` overrides. */
function block(fill, at = {}) {
  const x = new Float32Array(32).fill(fill);
  for (const [j, v] of Object.entries(at)) x[Number(j)] = v;
  return x;
}

function randomBlocks(seed, blocks, spread) {
  const r = prng(seed);
  const x = new Float32Array(blocks * 32);
  for (let b = 0; b < blocks; b++) {
    const kind = Math.floor(r() * 8);
    const mag = spread * 10 ** (r() * 3 - 3);
    for (let j = 0; j < 32; j++) {
      let v = (r() * 2 - 1) * mag;
      if (kind === 0) v = 0; // all-zero block
      else if (kind === 1) v = j === 5 ? v : 0; // a single non-zero
      else if (kind === 2) v = Math.abs(v) + mag; // all positive (Q4_0's d negative)
      else if (kind === 3) v = -Math.abs(v) - mag; // all negative
      else if (kind === 4) v = Math.round(v); // integers: many exact ties after scaling
      x[b * 32 + j] = v;
    }
  }
  return x;
}

// Blocks whose extremes are lo and hi (elements 0 and 1), filled with the float32 values
// within 3 ulps of every point where the reference's code changes (a roundf tie for Q8_0,
// an integer after + 8.5 or + 0.5 for Q4_0 and Q4_1) for that block's own d and id.
const BOUNDARY_RANGES = {
  q8_0: [[-127, 127], [-3, 100], [-7e5, 1], [0, 1e-3], [-0.3, 0.2]],
  q4_0: [[-8, 1], [-1, 24], [-0.3, 0.29], [1e4, -7e3], [-1e-5, 0]],
  q4_1: [[0, 15], [-1, 2], [0.1, 0.7], [-5e3, 1e4], [-3e-5, -1e-5]],
};

function boundaryBlocks(type, lo, hi) {
  const points = [];
  if (type === 'q8_0') {
    const d = f(Math.max(Math.abs(lo), Math.abs(hi)) / 127);
    const id = f(1 / d);
    for (let k = -128; k <= 127; k++) points.push((k + 0.5) / id);
  } else if (type === 'q4_0') {
    const max = Math.abs(lo) >= Math.abs(hi) ? lo : hi;
    const id = f(1 / f(max / -8));
    for (let n = 1; n <= 16; n++) points.push((n - 8.5) / id);
  } else {
    const id = f(1 / f(f(hi - lo) / 15));
    for (let n = 1; n <= 15; n++) points.push(lo + (n - 0.5) / id);
  }
  const [a, b] = [Math.min(lo, hi), Math.max(lo, hi)];
  const bound = Math.max(Math.abs(lo), Math.abs(hi));
  const values = [];
  for (const p of points) {
    let v = f(p);
    for (let s = 0; s < 3; s++) v = nextFloat32(v, -1);
    for (let s = 0; s < 7; s++, v = nextFloat32(v, 1)) {
      if (type === 'q4_1' ? v >= a && v <= b : Math.abs(v) <= bound) values.push(v);
    }
  }
  const x = new Float32Array(Math.max(1, Math.ceil(values.length / 30)) * 32);
  for (let blk = 0, i = 0; blk < x.length / 32; blk++) {
    x[blk * 32] = lo;
    x[blk * 32 + 1] = hi;
    for (let j = 2; j < 32; j++) x[blk * 32 + j] = i < values.length ? values[i++] : lo;
  }
  return x;
}

describe(`ggml blocks (${qk.backend.name}/${qk.backend.isa})`, () => {
  it('blockSize and blockBytes', () => {
    assert.equal(ggml.blockSize, 32);
    assert.deepEqual(TYPES.map((t) => ggml.blockBytes(t)), [34, 18, 20]);
  });

  describe('reference float16 (the test\'s own)', () => {
    it('rounds to nearest even, including subnormals and overflow', () => {
      const cases = [
        [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519.99, 0x7bff], [65520, 0x7c00], [Infinity, 0x7c00],
        [-0, 0x8000], [2 ** -24, 0x0001], [2 ** -25, 0x0000], [f(2 ** -25 * 1.0000001), 0x0001], [3 * 2 ** -25, 0x0002],
        [2 ** -14, 0x0400], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [0.1, 0x2e66],
      ];
      for (const [v, h] of cases) assert.equal(refHalf(f(v)).toString(16), h.toString(16), `half(${v})`);
    });
  });

  describe('blocks derived by hand from the reference formulas', () => {
    it('q8_0: d = amax/127 = 1; roundf ties away from zero', () => {
      const x = block(0, { 0: 127, 1: -127, 2: 2.5, 3: -2.5, 4: 0.5, 5: -0.5, 6: f(1.4999999), 7: -0, 31: 3.5 });
      const want = '003c' + '7f81' + '03fd' + '01ff' + '01' + '00' + '00'.repeat(23) + '04';
      assert.equal(hex(checkQuantize(x, 'q8_0', 'hand')), want);
    });

    it('q8_0: an all-zero block is 34 zero bytes', () => {
      assert.equal(hex(checkQuantize(block(0), 'q8_0', 'zero')), '00'.repeat(34));
    });

    it('q4_0: a negative extreme gives d = 1; nibbles trunc(x + 8.5), j low / j+16 high', () => {
      // d = −8 / −8 = 1, id = 1. x[0]=7 -> 15, x[1]=−0.6 -> 7, x[2]=0.5 -> 9, x[5]=−8 -> 0,
      // x[16]=7.4 -> 15 (MIN), x[17]=−0.5 -> 8, zeros -> 8.
      const x = block(0, { 0: 7, 1: -0.6, 2: 0.5, 5: -8, 16: 7.4, 17: -0.5 });
      const want = '003c' + 'ff' + '87' + '89' + '88' + '88' + '80' + '88'.repeat(10);
      assert.equal(hex(checkQuantize(x, 'q4_0', 'hand')), want);
    });

    it('q4_0: the signed max: a positive extreme gives a negative d', () => {
      // max = 8: d = −1 (0xbc00), id = −1: 8 -> trunc(0.5) = 0, −8 -> MIN(15, 16) = 15, 0 -> 8.
      const x = block(0, { 3: 8, 19: -8 });
      const want = '00bc' + '88'.repeat(3) + 'f0' + '88'.repeat(12);
      assert.equal(hex(checkQuantize(x, 'q4_0', 'hand')), want);
    });

    it('q4_0: equal magnitudes, the first wins (strict <)', () => {
      assert.equal(hex(checkQuantize(block(0, { 0: 3, 1: -3 }), 'q4_0', 'tie')).slice(0, 4), '00b6'); // d = −0.375
      assert.equal(hex(checkQuantize(block(0, { 0: -3, 1: 3 }), 'q4_0', 'tie')).slice(0, 4), '0036'); // d = 0.375
    });

    it('q4_0: an all-zero block has d = −0 (0x8000) and every code 8', () => {
      assert.equal(hex(checkQuantize(block(0), 'q4_0', 'zero')), '0080' + '88'.repeat(16));
    });

    it('q4_1: d = (max − min)/15, m = min, nibbles trunc((x − min)·id + 0.5)', () => {
      // min = −1, max = 14: d = 1, m = −1 (0xbc00). x[0]=14 -> 15, x[1]=6.5 -> 8, x[2]=f(6.4999) -> 7, x[16]=−1 -> 0.
      const x = block(0, { 0: 14, 1: 6.5, 2: f(6.4999), 16: -1 });
      const want = '003c' + '00bc' + '0f' + '18' + '17' + '11'.repeat(13);
      assert.equal(hex(checkQuantize(x, 'q4_1', 'hand')), want);
    });

    it('q4_1: min == max gives d = 0 and every code 0; m keeps the sign of −0', () => {
      assert.equal(hex(checkQuantize(block(3), 'q4_1', 'flat')), '0000' + '0042' + '00'.repeat(16));
      assert.equal(hex(checkQuantize(block(-0), 'q4_1', '-0')), '0000' + '0080' + '00'.repeat(16));
      assert.equal(hex(checkQuantize(block(0, { 0: -0 }), 'q4_1', '-0 first')), '0000' + '0080' + '00'.repeat(16));
      assert.equal(hex(checkQuantize(block(0, { 1: -0 }), 'q4_1', '+0 first')), '0000' + '0000' + '00'.repeat(16));
    });

    it('tiny blocks where 1/d overflows float32: fp16 d is 0 and every code 0 (the x86-64 reference)', () => {
      const tiny = f(1e-40);
      assert.equal(hex(checkQuantize(block(0, { 4: tiny }), 'q8_0', 'tiny')), '00'.repeat(34));
      assert.equal(hex(checkQuantize(block(0, { 4: tiny }), 'q4_0', 'tiny')), '0080' + '00'.repeat(16));
      assert.equal(hex(checkQuantize(block(0, { 4: tiny }), 'q4_1', 'tiny')), '0000' + '0000' + '00'.repeat(16));
    });

    it('scales beyond float16 become Inf (as ggml)', () => {
      assert.equal(hex(checkQuantize(block(0, { 0: 1e7 }), 'q8_0', 'big')).slice(0, 4), '007c');
      assert.equal(hex(checkQuantize(block(0, { 0: 1e6 }), 'q4_0', 'big')).slice(0, 4), '00fc');
      // max − min overflows float32: d = Inf, id = 0, every code 0 ((x − min)·0 is 0 or NaN).
      assert.equal(hex(checkQuantize(block(0, { 0: 3e38, 1: -3e38 }), 'q4_1', 'huge')), '007c' + '00fc' + '00'.repeat(16));
    });
  });

  describe('quantize matches the reference formulas byte for byte', () => {
    for (const type of TYPES) {
      it(`${type}: random blocks over many magnitudes`, () => {
        for (const [seed, spread] of [[1, 1], [2, 1e-3], [3, 1e3], [4, 1e-20], [5, 1e20], [6, 1e-38], [7, 3e4], [8, 1e36]]) {
          checkQuantize(randomBlocks(seed, 64, spread), type, `seed ${seed}`);
        }
      });

      it(`${type}: a Float64Array reads as float32`, () => {
        const x32 = randomBlocks(11, 16, 5);
        // Off by far less than half a float32 ulp: the same float32 values.
        const x64 = Float64Array.from(x32, (v, i) => v * (i % 3 === 0 ? 1 + 2 ** -40 : 1));
        assert.equal(hex(ggml.quantize(x64, type)), hex(ggml.quantize(x32, type)));
        checkQuantize(x64, type, 'f64');
      });

      it(`${type}: values on and next to every code boundary, for many block scales`, () => {
        for (const [lo, hi] of BOUNDARY_RANGES[type]) checkQuantize(boundaryBlocks(type, lo, hi), type, `range [${lo}, ${hi}]`);
      });

      it(`${type}: subarrays at odd offsets and the out argument`, () => {
        const x = randomBlocks(21, 6, 2);
        const buf = new ArrayBuffer(x.byteLength + 4);
        const shifted = new Float32Array(buf, 4, x.length);
        shifted.set(x);
        const want = refQuantize(x, type);
        const outBuf = new Uint8Array(want.length + 3);
        const out = outBuf.subarray(1, 1 + want.length);
        assert.equal(ggml.quantize(shifted, type, out), out);
        assert.equal(hex(out), hex(want));
        assert.deepEqual([outBuf[0], outBuf[outBuf.length - 2], outBuf[outBuf.length - 1]], [0, 0, 0]);
        assert.equal(ggml.quantize(new Float32Array(0), type).length, 0);
      });
    }
  });

  // 4 Mi + 96 elements: the addon splits such a call across threads (parts of at least
  // 2 Mi elements, on 64-element boundaries, so whole blocks). Every block is checked: the
  // whole output against the same data quantized in 64 Ki-element calls (one thread each),
  // and the blocks on and around every possible part boundary against the reference.
  describe('large calls (split across threads in the addon)', function () {
    this.timeout(120000);
    const n = (1 << 22) + 96;
    const nb = n / 32;
    const x = randomBlocks(91, nb, 50);
    const edges = [0, nb >> 1, nb >> 2, (nb >> 2) * 3, nb / 8, nb - 1].map((b) => Math.floor(b));
    const sampled = (b) => edges.some((e) => Math.abs(b - e) <= 3);
    const inPieces = (fn, total, piece) => {
      const parts = [];
      for (let i = 0; i < total; i += piece) parts.push(fn(i, Math.min(total, i + piece)));
      return parts;
    };

    for (const type of TYPES) {
      it(`${type}: quantize and dequantize, every block`, () => {
        const size = BYTES[type];
        const got = ggml.quantize(x, type);
        const pieces = Buffer.concat(inPieces((a, b) => ggml.quantize(x.subarray(a, b), type), n, 1 << 16));
        assert.ok(Buffer.from(got.buffer, got.byteOffset, got.length).equals(pieces), 'the split call equals 64 Ki-element calls');
        for (let b = 0; b < nb; b++) {
          if (!sampled(b)) continue;
          const want = refQuantize(x.subarray(b * 32, b * 32 + 32), type);
          assert.equal(hex(got.subarray(b * size, (b + 1) * size)), hex(want), `block ${b}`);
        }
        const y = ggml.dequantize(got, type, n);
        const yPieces = inPieces((a, b) => ggml.dequantize(got.subarray((a / 32) * size, (b / 32) * size), type, b - a), n, 1 << 16);
        let at = 0;
        for (const part of yPieces) {
          assert.equal(hex(y.subarray(at, at + part.length)), hex(part), `dequantize elements ${at}..`);
          at += part.length;
        }
        for (let b = 0; b < nb; b++) {
          if (sampled(b)) assertFloatsEqual(y.subarray(b * 32, b * 32 + 32), refDequantize(got.subarray(b * size, (b + 1) * size), type), `block ${b}`);
        }
      });
    }

    it('a non-finite value in any part is reported (the first of them) and nothing is written', () => {
      const out = new Uint8Array(nb * BYTES.q4_1).fill(0x5a);
      const bad = x.slice();
      const late = n - 40;
      const middle = (n >> 1) + 7;
      bad[late] = Infinity;
      rejects(() => ggml.quantize(bad, 'q4_1', out), 'RangeError', `Expected a finite float32 for x[${late}] but received Infinity`, out);
      bad[middle] = NaN;
      rejects(() => ggml.quantize(bad, 'q4_1', out), 'RangeError', `Expected a finite float32 for x[${middle}] but received NaN`, out);
      bad[3] = -Infinity;
      rejects(() => ggml.quantize(bad, 'q4_1', out), 'RangeError', 'Expected a finite float32 for x[3] but received -Infinity', out);
      const wide = Float64Array.from(x);
      wide[middle + 64] = -1e39;
      const out8 = new Uint8Array(nb * BYTES.q8_0).fill(0x5a);
      rejects(() => ggml.quantize(wide, 'q8_0', out8), 'RangeError',
        `Expected a finite float32 for x[${middle + 64}] but received -1e+39 (-Infinity as float32)`, out8);
    });
  });

  describe('dequantize matches the reference formulas exactly', () => {
    for (const type of TYPES) {
      it(`${type}: every byte pattern of d (and m), random codes`, () => {
        const size = BYTES[type];
        const r = prng(31 + size);
        const nb = 65536;
        const bytes = new Uint8Array(nb * size);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
        for (let b = 0; b < nb; b++) {
          bytes[b * size] = b & 0xff; // every fp16 d: zeros, subnormals, Inf, NaN
          bytes[b * size + 1] = b >> 8;
        }
        const got = ggml.dequantize(bytes, type, nb * 32);
        assertFloatsEqual(got, refDequantize(bytes, type), type);
      });

      it(`${type}: the out argument at an offset`, () => {
        const size = BYTES[type];
        const bytes = ggml.quantize(randomBlocks(41, 3, 7), type);
        const outBuf = new Float32Array(3 * 32 + 2);
        const out = outBuf.subarray(1, 1 + 96);
        assert.equal(ggml.dequantize(bytes, type, 96, out), out);
        assertFloatsEqual(out, refDequantize(bytes, type), type);
        assert.deepEqual([outBuf[0], outBuf[97]], [0, 0]);
        assert.equal(size * 3, bytes.length);
      });

      it(`${type}: round trip within the block's step`, () => {
        const x = randomBlocks(51, 128, 3);
        const y = ggml.dequantize(ggml.quantize(x, type), type, x.length);
        for (let b = 0; b < x.length / 32; b++) {
          const blk = Array.from(x.subarray(b * 32, b * 32 + 32));
          const lo = Math.min(...blk);
          const hi = Math.max(...blk);
          const amax = Math.max(-lo, hi);
          // Half a step (a whole one for Q4_0, whose side opposite the extreme clips at +7), plus
          // the float16 rounding of d (2^-11 relative, or 2^-25 absolute below 2^-14) times the
          // largest code, plus that of m.
          const fp16Err = (v) => Math.abs(v) * 2 ** -11 + 2 ** -25;
          const bound =
            type === 'q8_0' ? (amax / 127) * 0.5 + 127 * fp16Err(amax / 127) :
            type === 'q4_0' ? amax / 8 + 8 * fp16Err(amax / 8) :
            ((hi - lo) / 15) * 0.5 + 15 * fp16Err((hi - lo) / 15) + fp16Err(lo);
          for (let j = 0; j < 32; j++) {
            const err = Math.abs(y[b * 32 + j] - blk[j]);
            assert.ok(err <= bound * 1.0001 + 1e-30, `${type} block ${b}[${j}]: |${y[b * 32 + j]} - ${blk[j]}| = ${err} > ${bound}`);
          }
        }
      });
    }
  });

  describe('errors', () => {
    const SENT = 0xab;
    const x = new Float32Array(64).fill(1);

    it('type', () => {
      const out = new Uint8Array(68).fill(SENT);
      rejects(() => ggml.quantize(x, 'q5_0', out), 'TypeError', "Expected one of 'q8_0', 'q4_0', 'q4_1' for type but received 'q5_0'", out);
      rejects(() => ggml.quantize(x, undefined), 'TypeError', "Expected one of 'q8_0', 'q4_0', 'q4_1' for type but received undefined");
      rejects(() => ggml.dequantize(out, 'Q8_0', 64), 'TypeError', "Expected one of 'q8_0', 'q4_0', 'q4_1' for type but received 'Q8_0'");
      rejects(() => ggml.blockBytes(8), 'TypeError', "Expected one of 'q8_0', 'q4_0', 'q4_1' for type but received 8");
    });

    it('x and its length', () => {
      rejects(() => ggml.quantize([1, 2], 'q8_0'), 'TypeError', 'Expected a Float32Array or Float64Array for x but received an Array(2) (a plain Array is not accepted: pass new Float32Array(array))');
      rejects(() => ggml.quantize(new Float32Array(33), 'q8_0'), 'RangeError', 'Expected x.length to be a multiple of 32 (the ggml block size) but received 33');
    });

    it('out', () => {
      rejects(() => ggml.quantize(x, 'q8_0', new Int8Array(68)), 'TypeError', 'Expected a Uint8Array for out but received Int8Array(68)');
      const long = new Uint8Array(37).fill(SENT);
      rejects(() => ggml.quantize(x, 'q4_0', long), 'RangeError', 'Expected out.length to be 36 (2 q4_0 blocks of 18 bytes) but received 37', long);
    });

    it('out of the wrong length or overlapping x', () => {
      const out = new Uint8Array(67).fill(SENT);
      rejects(() => ggml.quantize(x, 'q8_0', out), 'RangeError', 'Expected out.length to be 68 (2 q8_0 blocks of 34 bytes) but received 67', out);
      const buf = new ArrayBuffer(400);
      const xs = new Float32Array(buf, 0, 64);
      const overlap = new Uint8Array(buf, 200, 40);
      rejects(() => ggml.quantize(xs, 'q4_1', overlap), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [200, 240) of the same buffer", overlap);
    });

    it('non-finite values name the first one, nothing written', () => {
      for (const type of TYPES) {
        const out = new Uint8Array(2 * BYTES[type]).fill(SENT);
        const bad = new Float32Array(64).fill(1);
        bad[40] = NaN;
        bad[50] = Infinity;
        rejects(() => ggml.quantize(bad, type, out), 'RangeError', 'Expected a finite float32 for x[40] but received NaN', out);
        bad[40] = -Infinity;
        rejects(() => ggml.quantize(bad, type, out), 'RangeError', 'Expected a finite float32 for x[40] but received -Infinity', out);
        const wide = new Float64Array(64);
        wide[63] = 1e39;
        rejects(() => ggml.quantize(wide, type, out), 'RangeError', 'Expected a finite float32 for x[63] but received 1e+39 (Infinity as float32)', out);
      }
    });

    it('dequantize: bytes, n and out', () => {
      const bytes = new Uint8Array(36);
      rejects(() => ggml.dequantize(new Int8Array(36), 'q4_0', 64), 'TypeError', 'Expected a Uint8Array for bytes but received Int8Array(36)');
      rejects(() => ggml.dequantize(bytes, 'q4_0', '64'), 'TypeError', "Expected a number for n but received '64'");
      rejects(() => ggml.dequantize(bytes, 'q4_0', 64.5), 'RangeError', 'Expected a non-negative integer for n but received 64.5');
      rejects(() => ggml.dequantize(bytes, 'q4_0', -32), 'RangeError', 'Expected a non-negative integer for n but received -32');
      rejects(() => ggml.dequantize(bytes, 'q4_0', 48), 'RangeError', 'Expected n to be a multiple of 32 (the ggml block size) but received 48');
      rejects(() => ggml.dequantize(bytes, 'q8_0', 64), 'RangeError', 'Expected bytes.length to be 68 (2 q8_0 blocks of 34 bytes) but received 36');
      const out = new Float32Array(63).fill(7);
      rejects(() => ggml.dequantize(bytes, 'q4_0', 64, out), 'RangeError', 'Expected out.length to equal n 64 but received 63', out);
      rejects(() => ggml.dequantize(bytes, 'q4_0', 64, new Float64Array(64)), 'TypeError', 'Expected a Float32Array for out but received Float64Array(64)');
      const buf = new ArrayBuffer(300);
      const inBytes = new Uint8Array(buf, 0, 36);
      const overlap = new Float32Array(buf, 32, 64);
      overlap.fill(7);
      rejects(() => ggml.dequantize(inBytes, 'q4_0', 64, overlap), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [32, 36) of the same buffer", overlap);
    });
  });
});

// Only in the addon's passes (the fallback pass checks the TS backend against the formulas above).
(qk.backend.name === 'native' ? describe : () => {})('ggml blocks: addon and TypeScript backend side by side', () => {
  const { loadNative } = require('../dist/core/loader');
  const { fallbackBinding } = require('../dist/backend-ts');
  const { binding: native } = loadNative();

  for (const [code, type] of TYPES.entries()) {
    it(`${type}: identical bytes and floats`, () => {
      const x = randomBlocks(61 + code, 512, 10);
      const a = new Uint8Array(512 * BYTES[type]);
      const b = new Uint8Array(512 * BYTES[type]);
      assert.equal(native.ggmlQuantize(x, a, code), -1);
      assert.equal(fallbackBinding.ggmlQuantize(x, b, code), -1);
      assert.equal(hex(a), hex(b));
      const r = prng(71 + code);
      for (let i = 0; i < a.length; i++) a[i] = Math.floor(r() * 256);
      const ya = new Float32Array(512 * 32);
      const yb = new Float32Array(512 * 32);
      native.ggmlDequantize(a, ya, code);
      fallbackBinding.ggmlDequantize(a, yb, code);
      assert.equal(hex(ya), hex(yb));
    });
  }

  it('a 4 Mi-element call (split across threads in the addon): identical bytes and floats', function () {
    this.timeout(120000);
    const n = (1 << 22) + 32 * 5;
    const x = randomBlocks(81, n / 32, 300);
    for (const [code, type] of TYPES.entries()) {
      const a = new Uint8Array((n / 32) * BYTES[type]);
      const b = new Uint8Array(a.length);
      assert.equal(native.ggmlQuantize(x, a, code), -1);
      assert.equal(fallbackBinding.ggmlQuantize(x, b, code), -1);
      assert.ok(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), `${type} quantize`);
      const r = prng(83 + code);
      for (let i = 0; i < a.length; i += 7) a[i] = Math.floor(r() * 256); // any bits, Inf/NaN scales too
      const ya = new Float32Array(n);
      const yb = new Float32Array(n);
      native.ggmlDequantize(a, ya, code);
      fallbackBinding.ggmlDequantize(a, yb, code);
      assert.ok(Buffer.from(ya.buffer).equals(Buffer.from(yb.buffer)), `${type} dequantize`);
    }
  });

  it('the addon refuses what would be unsafe on its own', () => {
    const x = new Float32Array(32);
    assert.throws(() => native.ggmlQuantize(x, new Uint8Array(33), 0), { name: 'RangeError', message: 'Expected out.length to be 34 but received 33' });
    assert.throws(() => native.ggmlQuantize(x, new Uint8Array(34), 3), { name: 'RangeError', message: 'Expected an integer in [0, 2] for typeCode but received 3' });
    assert.throws(() => native.ggmlQuantize(new Float32Array(31), new Uint8Array(34), 0), { name: 'RangeError', message: 'Expected x.length to be a multiple of 32 but received 31' });
    assert.throws(() => native.ggmlDequantize(new Uint8Array(18), new Float32Array(32), 0), { name: 'RangeError', message: 'Expected bytes.length to be 34 but received 18' });
    assert.throws(() => native.ggmlDequantize(new Float32Array(32), new Float32Array(32), 0), { name: 'TypeError', message: 'Expected a Uint8Array for bytes but received a Float32Array' });
    const buf = new ArrayBuffer(256);
    assert.throws(() => native.ggmlDequantize(new Uint8Array(buf, 0, 34), new Float32Array(buf, 32, 32), 0), { name: 'RangeError' });
    const nan = new Float32Array(32);
    nan[7] = NaN;
    const out = new Uint8Array(34).fill(9);
    assert.equal(native.ggmlQuantize(nan, out, 0), 7);
    assert.deepEqual([...new Set(out)], [9]);
  });
});
