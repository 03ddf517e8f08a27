'use strict';
// ggml blocks (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K): the bytes of ggml's reference
// row quantizers (quantize_row_*_ref in ggml-quants.c) and the floats of its dequantize_row_*.
// The expectations come from independent statements of those formulas (below for Q8_0, Q4_0
// and Q4_1; support/ggml_reference.js for the others: its own float16 rounding, its own
// roundf and nearest_int, a DataView block writer) and from blocks derived by hand; never
// from the code under test.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { prng, nextFloat32 } = require('./support/data');
const kref = require('./support/ggml_reference');

const { ggml } = qk;
const { refHalf, refHalfValue } = kref;
// In type-code order (binding.ggmlQuantize's typeCode).
const ALL_BYTES = { q8_0: 34, q4_0: 18, q4_1: 20, q5_0: 22, q5_1: 24, q4_k: 144, q5_k: 176, q6_k: 210 };
const ALL_TYPES = Object.keys(ALL_BYTES);
const ELEMENTS = { q8_0: 32, q4_0: 32, q4_1: 32, q5_0: 32, q5_1: 32, q4_k: 256, q5_k: 256, q6_k: 256 };
const TYPE_LIST = "'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k'";
// The first three, with the reference below; the others' is support/ggml_reference.js.
const BYTES = { q8_0: 34, q4_0: 18, q4_1: 20 };
const TYPES = Object.keys(BYTES);
const NEW_TYPES = Object.keys(kref.TYPES);
const FLT_MAX = 3.4028234663852886e38;
const f = Math.fround;

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
  it('blockSize, blockElements and blockBytes', () => {
    assert.equal(ggml.blockSize, 32);
    assert.deepEqual(ALL_TYPES.map((t) => ggml.blockBytes(t)), [34, 18, 20, 22, 24, 144, 176, 210]);
    assert.deepEqual(ALL_TYPES.map((t) => ggml.blockElements(t)), [32, 32, 32, 32, 32, 256, 256, 256]);
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
      rejects(() => ggml.quantize(x, 'q3_k', out), 'TypeError', `Expected one of ${TYPE_LIST} for type but received 'q3_k'`, out);
      rejects(() => ggml.quantize(x, undefined), 'TypeError', `Expected one of ${TYPE_LIST} for type but received undefined`);
      rejects(() => ggml.dequantize(out, 'Q8_0', 64), 'TypeError', `Expected one of ${TYPE_LIST} for type but received 'Q8_0'`);
      rejects(() => ggml.dequantize(out, 'Q4_K', 256), 'TypeError', `Expected one of ${TYPE_LIST} for type but received 'Q4_K'`);
      rejects(() => ggml.blockBytes(8), 'TypeError', `Expected one of ${TYPE_LIST} for type but received 8`);
      rejects(() => ggml.blockElements('q2_k'), 'TypeError', `Expected one of ${TYPE_LIST} for type but received 'q2_k'`);
    });

    it('x and its length', () => {
      rejects(() => ggml.quantize([1, 2], 'q8_0'), 'TypeError', 'Expected a Float32Array or Float64Array for x but received an Array(2) (a plain Array is not accepted: pass new Float32Array(array))');
      rejects(() => ggml.quantize(new Float32Array(33), 'q8_0'), 'RangeError', 'Expected x.length to be a multiple of 32 (the q8_0 block size) but received 33');
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
      rejects(() => ggml.dequantize(bytes, 'q4_0', 48), 'RangeError', 'Expected n to be a multiple of 32 (the q4_0 block size) but received 48');
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

// ---- Q5_0, Q5_1 and the k-quants (support/ggml_reference.js) ------------------------------

function checkNew(x, type, what) {
  const got = ggml.quantize(x, type);
  const want = kref.refQuantize(x, type);
  if (hex(got) !== hex(want)) {
    const size = ALL_BYTES[type];
    for (let b = 0; b * size < want.length; b++) {
      const g = hex(got.subarray(b * size, (b + 1) * size));
      const w = hex(want.subarray(b * size, (b + 1) * size));
      assert.equal(g, w, `${type} ${what}: block ${b}`);
    }
  }
  return got;
}

function gaussian(r) {
  return Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
}

/** Rows of `sb` super-blocks (256 elements): every super-block a different kind of data. */
function kRows(seed, sb, spread = 1) {
  const r = prng(seed);
  const x = new Float32Array(sb * 256);
  for (let b = 0; b < sb; b++) {
    const kind = b % 12;
    const mag = spread * 10 ** (r() * 6 - 3);
    for (let j = 0; j < 256; j++) {
      let v = gaussian(r) * mag;
      if (kind === 1) v = 0; // all zero
      else if (kind === 2) v = j === 77 ? v * 1e5 : v; // one huge outlier
      else if (kind === 3) v = -Math.abs(v); // negative only
      else if (kind === 4) v = Math.abs(v) + mag; // positive, away from 0
      else if (kind === 5) v = mag; // constant
      else if (kind === 6) v = -mag; // constant negative
      else if (kind === 7) v = Math.round(gaussian(r) * 6); // integers: exact ties in nearest_int
      else if (kind === 8) v = (Math.round(gaussian(r) * 6) + 0.5) * 0.25; // halves of quarters
      else if (kind === 9) v = gaussian(r) * 1e-41; // subnormal float32
      else if (kind === 10) v = (j >> 5) % 2 ? 0 : v; // zero sub-blocks among others
      else if (kind === 11) v = j % 16 === 0 ? v : v * 1e-6; // one large value per 16
      x[b * 256 + j] = v;
    }
  }
  return x;
}

// Values on and next to a grid: a row's own dequantized values (the codes' exact points) and
// their float32 neighbours, and the midpoints between them (nearest_int ties).
function gridRows(type, seed) {
  const x = kRows(seed, 8, 3);
  const y = ggml.dequantize(ggml.quantize(x, type), type, x.length);
  const out = new Float32Array(x.length * 3);
  for (let i = 0; i < x.length; i++) {
    out[i] = y[i];
    out[x.length + i] = nextFloat32(y[i], i % 2 ? 1 : -1);
    const j = i % 256 === 255 ? i - 1 : i + 1;
    out[2 * x.length + i] = f((y[i] + y[j]) / 2);
  }
  return out;
}

/** Q5_0 / Q5_1 blocks with values at and around every code boundary (as boundaryBlocks). */
function q5Boundaries(type, lo, hi) {
  const points = [];
  if (type === 'q5_0') {
    const max = Math.abs(lo) >= Math.abs(hi) ? lo : hi;
    const id = f(1 / f(max / -16));
    for (let n = 1; n <= 32; n++) points.push((n - 16.5) / id);
  } else {
    const id = f(1 / f(f(hi - lo) / 31));
    for (let n = 1; n <= 31; n++) points.push(lo + (n - 0.5) / id);
  }
  const [a, b] = [Math.min(lo, hi), Math.max(lo, hi)];
  const bound = Math.max(Math.abs(lo), Math.abs(hi));
  const values = [];
  for (const p of points) {
    let v = f(p);
    for (let s = 0; s < 3; s++) v = nextFloat32(v, -1);
    for (let s = 0; s < 7; s++, v = nextFloat32(v, 1)) {
      if (type === 'q5_1' ? v >= a && v <= b : Math.abs(v) <= bound) values.push(v);
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

describe(`ggml Q5_0, Q5_1, Q4_K, Q5_K, Q6_K (${qk.backend.name}/${qk.backend.isa})`, () => {
  describe('blocks derived by hand', () => {
    it('q5_0: d = max/−16; codes trunc(x/d + 16.5) split into nibbles and qh bits', () => {
      // max = −16: d = 1. x[0] = −16 -> 0, x[1] = 15 -> 31, x[2] = 0.5 -> 17, x[16] = −0.6 -> 15, zeros -> 16.
      const x = block(0, { 0: -16, 1: 15, 2: 0.5, 16: -0.6 });
      // qs[j] = low nibbles of codes j and j + 16: [0|15<<4, 15|0<<4, 1|0<<4, 0|0<<4 …]
      const qs = ['f0', '0f', '01'].concat(Array(13).fill('00')).join('');
      // qh: bit j for code j ≥ 16 (1, 2, 3..15), bit j + 16 for code j + 16 ≥ 16 (17..31; not 16).
      let qh = 0;
      for (let j = 1; j < 16; j++) qh |= 1 << j;
      for (let j = 17; j < 32; j++) qh |= 1 << j;
      const qhHex = Buffer.from(new Uint32Array([qh >>> 0]).buffer).toString('hex');
      assert.equal(hex(checkNew(x, 'q5_0', 'hand')), '003c' + qhHex + qs);
    });

    it('q5_1: d = (max − min)/31, m = min, no MIN clamp', () => {
      const x = block(0, { 0: 31, 1: 15.5, 2: f(15.4999) });
      // min 0, max 31: d = 1, m = 0. 31 -> 31 (0x1f), 15.5 -> 16, 15.4999 -> 15, zeros 0.
      const qh = (1 << 0) | (1 << 1);
      const qhHex = Buffer.from(new Uint32Array([qh]).buffer).toString('hex');
      assert.equal(hex(checkNew(x, 'q5_1', 'hand')), '003c' + '0000' + qhHex + '0f' + '00' + '0f' + '00'.repeat(13));
    });

    it('all-zero super-blocks are all-zero bytes; an all-zero q5_0 block has d = −0 and every code 16', () => {
      assert.equal(hex(checkNew(new Float32Array(32), 'q5_0', 'zero')), '0080' + 'ffffffff' + '00'.repeat(16));
      assert.equal(hex(checkNew(new Float32Array(32), 'q5_1', 'zero')), '00'.repeat(24));
      for (const type of ['q4_k', 'q5_k', 'q6_k']) {
        assert.equal(hex(checkNew(new Float32Array(512), type, 'zero')), '00'.repeat(2 * ALL_BYTES[type]), type);
      }
    });

    it('q6_k: a super-block whose group scales are all below GROUP_MAX_EPS (1e-15) is all zero', () => {
      assert.equal(hex(checkNew(new Float32Array(256).fill(f(9e-16)), 'q6_k', 'eps')), '00'.repeat(210));
      // 1e-14 passes the group's amax test, but its least-squares scale (≈ 3e-16) does not.
      assert.equal(hex(checkNew(new Float32Array(256).fill(1e-14), 'q6_k', 'eps')), '00'.repeat(210));
      assert.notEqual(hex(checkNew(new Float32Array(256).fill(1e-10), 'q6_k', 'eps')), '00'.repeat(210));
    });

    it('nearest_int of the reference: ties to even, and its bit trick beyond 2^22', () => {
      const cases = [[0.5, 0], [1.5, 2], [2.5, 2], [-0.5, 0], [-1.5, -2], [7.49999, 7], [4194303, 4194303], [1e10, -2804999], [Infinity, -4194304], [NaN, 0]];
      for (const [v, want] of cases) assert.equal(kref.nearestInt(f(v)), want, `nearest_int(${v})`);
    });
  });

  for (const type of NEW_TYPES) {
    describe(`${type} matches the reference byte for byte`, () => {
      const k = ELEMENTS[type] === 256;

      it('random rows of several super-blocks (every kind of data)', function () {
        this.timeout(60000);
        for (const [seed, spread] of [[1, 1], [2, 1e-3], [3, 1e3], [4, 1e-20], [5, 1e20], [6, 1e-36], [7, 3e4], [8, 1e30]]) {
          checkNew(kRows(seed, 12, spread), type, `seed ${seed}`);
        }
      });

      it('values on and next to the codes and the midpoints between them', function () {
        this.timeout(60000);
        checkNew(gridRows(type, 13), type, 'grid');
        if (!k) {
          const ranges = type === 'q5_0' ? [[-16, 1], [-1, 24], [-0.3, 0.29], [1e4, -7e3], [-1e-5, 0]] : [[0, 31], [-1, 2], [0.1, 0.7], [-5e3, 1e4], [-3e-5, -1e-5]];
          for (const [lo, hi] of ranges) checkNew(q5Boundaries(type, lo, hi), type, `range [${lo}, ${hi}]`);
        }
      });

      it('huge values (scales past float16, sums past float32) and tiny ones', () => {
        const x = new Float32Array(512);
        for (let j = 0; j < 256; j++) x[j] = (j % 7) * 1e6 - 3e6;
        x[300] = 3e38;
        x[301] = -3e38;
        x[400] = 1e-45;
        checkNew(x, type, 'huge');
      });

      it('a Float64Array reads as float32', () => {
        const x32 = kRows(11, 2, 5);
        const x64 = Float64Array.from(x32, (v, i) => v * (i % 3 === 0 ? 1 + 2 ** -40 : 1));
        assert.equal(hex(ggml.quantize(x64, type)), hex(ggml.quantize(x32, type)));
        checkNew(x64, type, 'f64');
      });

      it('subarrays at odd offsets and the out argument', () => {
        const x = kRows(21, 2, 2);
        const shifted = new Float32Array(new ArrayBuffer(x.byteLength + 4), 4, x.length);
        shifted.set(x);
        const want = kref.refQuantize(x, type);
        const outBuf = new Uint8Array(want.length + 3);
        const out = outBuf.subarray(1, 1 + want.length);
        assert.equal(ggml.quantize(shifted, type, out), out);
        assert.equal(hex(out), hex(want));
        assert.deepEqual([outBuf[0], outBuf[outBuf.length - 2], outBuf[outBuf.length - 1]], [0, 0, 0]);
        assert.equal(ggml.quantize(new Float32Array(0), type).length, 0);
      });

      it('dequantize: every byte pattern of d (and m or dmin), random codes and scales', function () {
        this.timeout(60000);
        const size = ALL_BYTES[type];
        const r = prng(37 + size);
        const nb = k ? 4096 : 65536;
        const bytes = new Uint8Array(nb * size);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
        const dAt = type === 'q6_k' ? 208 : 0;
        for (let b = 0; b < nb; b++) {
          const h = k ? (b * 16 + (b >> 12)) & 0xffff : b; // every 16th pattern for the k-quants, Inf and NaN included
          bytes[b * size + dAt] = h & 0xff;
          bytes[b * size + dAt + 1] = h >> 8;
        }
        assertFloatsEqual(ggml.dequantize(bytes, type, nb * ELEMENTS[type]), kref.refDequantize(bytes, type), type);
      });

      it('dequantize into out at an offset', () => {
        const n = 3 * ELEMENTS[type];
        const bytes = ggml.quantize(kRows(41, k ? 3 : 1, 7).subarray(0, n), type);
        const outBuf = new Float32Array(n + 2);
        const out = outBuf.subarray(1, 1 + n);
        assert.equal(ggml.dequantize(bytes, type, n, out), out);
        assertFloatsEqual(out, kref.refDequantize(bytes, type), type);
        assert.deepEqual([outBuf[0], outBuf[n + 1]], [0, 0]);
      });
    });
  }

  it('round trip: more bits, less error (Gaussian rows); k-quants beat their 32-blocks', () => {
    const r = prng(99);
    const x = Float32Array.from({ length: 256 * 64 }, () => gaussian(r));
    const rmse = {};
    for (const type of ALL_TYPES) {
      const y = ggml.dequantize(ggml.quantize(x, type), type, x.length);
      let s = 0;
      for (let i = 0; i < x.length; i++) s += (y[i] - x[i]) ** 2;
      rmse[type] = Math.sqrt(s / x.length);
    }
    const order = (a, b) => assert.ok(rmse[a] < rmse[b], `${a} ${rmse[a]} < ${b} ${rmse[b]}`);
    order('q6_k', 'q5_k');
    order('q5_k', 'q4_k');
    order('q6_k', 'q4_k');
    order('q5_1', 'q4_1');
    order('q5_0', 'q4_0');
    order('q4_k', 'q4_0');
    order('q5_k', 'q5_0');
    order('q8_0', 'q6_k');
    assert.ok(rmse.q6_k < 0.02 && rmse.q4_k < 0.1, JSON.stringify(rmse));
  });

  // 4 Mi + 768 elements: the addon splits the call across threads in whole super-blocks.
  describe('large calls (split across threads in the addon)', function () {
    this.timeout(120000);
    const n = (1 << 22) + 768;
    const x = kRows(93, n / 256, 50);
    for (const type of NEW_TYPES) {
      it(`${type}: the split call equals 64 Ki-element calls; blocks at the part boundaries match the reference`, () => {
        const size = ALL_BYTES[type];
        const e = ELEMENTS[type];
        const nb = n / e;
        const got = ggml.quantize(x, type);
        const pieces = [];
        for (let i = 0; i < n; i += 1 << 16) pieces.push(ggml.quantize(x.subarray(i, Math.min(n, i + (1 << 16))), type));
        assert.ok(Buffer.from(got.buffer, got.byteOffset, got.length).equals(Buffer.concat(pieces)));
        for (const b0 of [0, nb >> 1, nb >> 2, (nb >> 2) * 3, nb - 1]) {
          for (let b = Math.max(0, b0 - 1); b <= Math.min(nb - 1, b0 + 1); b++) {
            assert.equal(hex(got.subarray(b * size, (b + 1) * size)), hex(kref.refQuantize(x.subarray(b * e, (b + 1) * e), type)), `block ${b}`);
          }
        }
        const y = ggml.dequantize(got, type, n);
        for (let i = 0; i < n; i += 1 << 16) {
          const m = Math.min(n, i + (1 << 16));
          const part = ggml.dequantize(got.subarray((i / e) * size, (m / e) * size), type, m - i);
          assert.equal(hex(y.subarray(i, m)), hex(part), `dequantize elements ${i}..`);
        }
      });
    }
  });

  describe('errors', () => {
    const SENT = 0xab;

    it('lengths: x and n a multiple of the type\'s block elements, out and bytes of its bytes', () => {
      rejects(() => ggml.quantize(new Float32Array(288), 'q4_k'), 'RangeError', 'Expected x.length to be a multiple of 256 (the q4_k block size) but received 288');
      rejects(() => ggml.quantize(new Float32Array(48), 'q5_0'), 'RangeError', 'Expected x.length to be a multiple of 32 (the q5_0 block size) but received 48');
      const out = new Uint8Array(143).fill(SENT);
      rejects(() => ggml.quantize(new Float32Array(256), 'q4_k', out), 'RangeError', 'Expected out.length to be 144 (1 q4_k block of 144 bytes) but received 143', out);
      const out2 = new Uint8Array(421).fill(SENT);
      rejects(() => ggml.quantize(new Float32Array(512), 'q6_k', out2), 'RangeError', 'Expected out.length to be 420 (2 q6_k blocks of 210 bytes) but received 421', out2);
      rejects(() => ggml.dequantize(new Uint8Array(176), 'q5_k', 128), 'RangeError', 'Expected n to be a multiple of 256 (the q5_k block size) but received 128');
      rejects(() => ggml.dequantize(new Uint8Array(176), 'q5_k', 512), 'RangeError', 'Expected bytes.length to be 352 (2 q5_k blocks of 176 bytes) but received 176');
      const y = new Float32Array(255).fill(7);
      rejects(() => ggml.dequantize(new Uint8Array(210), 'q6_k', 256, y), 'RangeError', 'Expected out.length to equal n 256 but received 255', y);
    });

    it('non-finite values name the first one, nothing written', () => {
      for (const type of NEW_TYPES) {
        const n = 2 * ELEMENTS[type];
        const out = new Uint8Array(2 * ALL_BYTES[type]).fill(SENT);
        const bad = new Float32Array(n).fill(1);
        bad[n - 3] = NaN;
        bad[n - 1] = Infinity;
        rejects(() => ggml.quantize(bad, type, out), 'RangeError', `Expected a finite float32 for x[${n - 3}] but received NaN`, out);
        const wide = new Float64Array(n);
        wide[5] = -1e39;
        rejects(() => ggml.quantize(wide, type, out), 'RangeError', 'Expected a finite float32 for x[5] but received -1e+39 (-Infinity as float32)', out);
      }
    });
  });
});

// Only in the addon's passes (the fallback pass checks the TS backend against the formulas above).
(qk.backend.name === 'native' ? describe : () => {})('ggml blocks: addon and TypeScript backend side by side', () => {
  const { loadNative } = require('../dist/core/loader');
  const { fallbackBinding } = require('../dist/backend-ts');
  const { binding: native } = loadNative();

  for (const [code, type] of ALL_TYPES.entries()) {
    it(`${type}: identical bytes and floats`, () => {
      const x = randomBlocks(61 + code, 512, 10);
      const nb = x.length / ELEMENTS[type];
      const a = new Uint8Array(nb * ALL_BYTES[type]);
      const b = new Uint8Array(nb * ALL_BYTES[type]);
      assert.equal(native.ggmlQuantize(x, a, code), -1);
      assert.equal(fallbackBinding.ggmlQuantize(x, b, code), -1);
      assert.equal(hex(a), hex(b));
      const r = prng(71 + code);
      for (let i = 0; i < a.length; i++) a[i] = Math.floor(r() * 256);
      const ya = new Float32Array(x.length);
      const yb = new Float32Array(x.length);
      native.ggmlDequantize(a, ya, code);
      fallbackBinding.ggmlDequantize(a, yb, code);
      assert.equal(hex(ya), hex(yb));
    });
  }

  it('a 4 Mi-element call (split across threads in the addon) gives the bytes and floats of unsplit calls on its parts', function () {
    // The split is what is under test: the same addon on pieces below the split threshold (2 Mi
    // elements a part) is the reference, so the check stays fast under emulation too (the
    // TypeScript backend's equality with the addon is checked above on smaller calls).
    this.timeout(120000);
    const n = (1 << 22) + 256 * 5;
    const x = randomBlocks(81, n / 32, 300);
    const piece = 1 << 20; // a multiple of every block size, below the split threshold
    for (const [code, type] of ALL_TYPES.entries()) {
      const per = ALL_BYTES[type] / ELEMENTS[type];
      const a = new Uint8Array((n / ELEMENTS[type]) * ALL_BYTES[type]);
      assert.equal(native.ggmlQuantize(x, a, code), -1);
      const b = new Uint8Array(a.length);
      for (let s = 0; s < n; s += piece) {
        const e = Math.min(n, s + piece);
        assert.equal(native.ggmlQuantize(x.subarray(s, e), b.subarray(s * per, e * per), code), -1);
      }
      assert.ok(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), `${type} quantize`);
      const r = prng(83 + code);
      for (let i = 0; i < a.length; i += 7) a[i] = Math.floor(r() * 256); // any bits, Inf/NaN scales too
      const ya = new Float32Array(n);
      const yb = new Float32Array(n);
      native.ggmlDequantize(a, ya, code);
      for (let s = 0; s < n; s += piece) {
        const e = Math.min(n, s + piece);
        native.ggmlDequantize(a.subarray(s * per, e * per), yb.subarray(s, e), code);
      }
      assert.ok(Buffer.from(ya.buffer).equals(Buffer.from(yb.buffer)), `${type} dequantize`);
    }
  });

  it('the addon refuses what would be unsafe on its own', () => {
    const x = new Float32Array(32);
    assert.throws(() => native.ggmlQuantize(x, new Uint8Array(33), 0), { name: 'RangeError', message: 'Expected out.length to be 34 but received 33' });
    assert.throws(() => native.ggmlQuantize(x, new Uint8Array(34), 8), { name: 'RangeError', message: 'Expected an integer in [0, 7] for typeCode but received 8' });
    assert.throws(() => native.ggmlQuantize(x, new Uint8Array(0), 5), { name: 'RangeError', message: 'Expected x.length to be a multiple of 256 but received 32' });
    assert.throws(() => native.ggmlQuantize(new Float32Array(256), new Uint8Array(143), 5), { name: 'RangeError', message: 'Expected out.length to be 144 but received 143' });
    assert.throws(() => native.ggmlDequantize(new Uint8Array(210), new Float32Array(288), 7), { name: 'RangeError', message: 'Expected out.length to be a multiple of 256 but received 288' });
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
