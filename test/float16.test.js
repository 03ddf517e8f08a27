'use strict';
// float16 / bfloat16 conversions against ONNX Runtime's Cast (the oracle), plus rules the
// oracle does not pin down, checked against formulas from the IEEE encodings (support/reference.js).
// test/run.js runs this suite for the addon at every kernel level and for the TypeScript
// backend, so agreement with ORT is also agreement between backends and ISAs.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { randomSource } = require('./support/data');
const { halfValue } = require('./support/reference');
const { ortToFloat16, ortFromFloat16, ortToBFloat16, ortFromBFloat16, releaseCastSessions } = require('./support/ort-cast');

const f32OfBits = (bits) => new Float32Array(Uint32Array.from(bits).buffer);
const bitsOf = (f) => new Uint32Array(f.buffer, f.byteOffset, f.length);
const hex = (v) => `0x${v.toString(16)}`;


const isNaN32 = (b) => (b & 0x7fffffff) > 0x7f800000;
// The NaN rules of README "float16 and bfloat16".
const halfNaN = (b) => ((b >>> 16) & 0x8000) | 0x7e00 | ((b >>> 13) & 0x3ff);
const bf16NaN = (b) => ((b >>> 16) & 0x8000) | 0x7fc0;

function assertBitsEqual(actual, expected, what, inputs) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(`${what}: element ${i} (input ${hex(inputs[i])}) gives ${hex(actual[i])}, expected ${hex(expected[i])}`);
    }
  }
}

// Inputs that matter for float32 -> float16: every tie between neighbouring float16 values
// (at every exponent, subnormals included) and the float32 on either side of it, the
// overflow boundary, signed zeros and infinities, NaNs with assorted payloads.
function halfEdgeBits() {
  const out = [];
  const f = new Float32Array(1);
  const u = bitsOf(f);
  for (let h = 0; h < 0x7c00; h += h < 0x800 ? 1 : 7) {
    const lo = halfValue(h);
    const hi = h === 0x7bff ? 65536 : halfValue(h + 1); // above 65504 the "next" step is 65536
    f[0] = (lo + hi) / 2; // exact: 11 significant bits plus one
    const t = u[0];
    for (const b of [t - 1, t, t + 1]) out.push(b, (b | 0x80000000) >>> 0);
  }
  f[0] = 65519.99;
  out.push(0x477fe000 /* 65504 */, u[0], 0x477ff000 /* 65520 */, 0x477fefff, 0x47800000, 0x7f7fffff, 0x33000000, 0x33000001, 0x32ffffff,
    0x387fe000, 0x387ff000, 0x38800000, 1, 0x80000001, 0x007fffff, 0, 0x80000000, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fa00000, 0x7fbfffff, 0x7f802000, 0x7fc02000, 0x7fffffff, 0xffffffff, 0x7f801fff);
  return out.map((b) => b >>> 0);
}

function bf16EdgeBits() {
  const out = [];
  for (let e = 0; e < 255; e++) {
    for (const m of [0x0000, 0x8000, 0x18000, 0x7fff, 0x8001, 0x17fff, 0x7f8000, 0x7fffff, 0x7f7fff]) {
      const b = ((e << 23) | (m & 0x7fffff)) >>> 0;
      out.push(b, (b | 0x80000000) >>> 0);
    }
  }
  out.push(0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0x7fbfffff, 0x7f808000, 0x7fff0000, 0xffff8000);
  return out;
}

function randomBits(n, seed) {
  const r = randomSource(seed);
  return Array.from({ length: n }, () => r.u32());
}

// ONNX Runtime's NaN outputs depend on which of its code paths an element takes (its SIMD
// body keeps NaN payloads; its scalar tail, and the whole array on a CPU without the SIMD
// it wants, gives the canonical sign | 0x7e00), so NaN lanes are held to ORT only as
// "a NaN of the same sign"; quantkit's one rule for every element is checked on its own.
async function checkToFloat16(bits) {
  const x = f32OfBits(bits);
  const ours = qk.toFloat16(x);
  const theirs = await ortToFloat16(x);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if (!isNaN32(b)) {
      if (ours[i] !== theirs[i]) assert.fail(`toFloat16(${hex(b)}) = ${hex(ours[i])}, ORT ${hex(theirs[i])}`);
      // And the value is within half a float16 step of the input, or ±Inf beyond 65520.
      continue;
    }
    assert.equal(ours[i], halfNaN(b), `toFloat16(${hex(b)}) follows the NaN rule`);
    const sameSignNaN = (theirs[i] & 0x7c00) === 0x7c00 && (theirs[i] & 0x3ff) !== 0 && (theirs[i] & 0x8000) === ((b >>> 16) & 0x8000);
    assert.ok(sameSignNaN, `ORT gives a NaN of the same sign for ${hex(b)}, not ${hex(theirs[i])}`);
  }
  return ours;
}

describe(`float16 and bfloat16 (${qk.backend.name}/${qk.backend.isa})`, function () {
  this.timeout(60000);
  after(releaseCastSessions);

  describe('fromFloat16', () => {
    it('all 2^16 patterns: exactly ORT Cast, and the IEEE value', async () => {
      const h = Uint16Array.from({ length: 65536 }, (_, i) => i);
      const ours = qk.fromFloat16(h);
      const theirs = bitsOf(await ortFromFloat16(h));
      const isNaN16 = (v) => (v & 0x7c00) === 0x7c00 && (v & 0x3ff) !== 0;
      // NaN lanes: ORT's payload handling depends on its code path (see checkToFloat16).
      const finite = (a) => a.map((v, i) => (isNaN16(i) ? 0 : v));
      assertBitsEqual(finite(bitsOf(ours)), finite(theirs), 'fromFloat16', h);
      for (let i = 0; i < 65536; i++) {
        if (isNaN16(i)) assert.ok(Number.isNaN(new Float32Array(new Uint32Array([theirs[i]]).buffer)[0]) && theirs[i] >>> 31 === i >>> 15, `ORT: NaN of the same sign for ${hex(i)}`);
      }
      for (let i = 0; i < 65536; i++) {
        const v = halfValue(i);
        if (Number.isNaN(v)) assert.ok(Number.isNaN(ours[i]));
        else assert.ok(Object.is(ours[i], v === 0 && i & 0x8000 ? -0 : v), `fromFloat16(${hex(i)})`);
      }
    });
    // ORT quietens signalling NaNs in its SIMD body only (its scalar tail keeps them), so
    // it is held to "a NaN of the same sign, with the payload" here.
    it('keeps NaN payloads and sets the quiet bit, in every lane position', async () => {
      for (const n of [1, 3, 8, 9, 16, 17, 33, 47]) {
        const h = Uint16Array.from({ length: n }, (_, i) => [0x7c01, 0xfd55, 0x7e00, 0x7dff, 0xffff, 0x3c00][i % 6]);
        const ours = bitsOf(qk.fromFloat16(h));
        const theirs = bitsOf(await ortFromFloat16(h));
        for (let i = 0; i < n; i++) {
          if ((h[i] & 0x7fff) <= 0x7c00) continue;
          const payload = (((h[i] & 0x8000) << 16) | 0x7f800000 | ((h[i] & 0x3ff) << 13)) >>> 0;
          assert.equal(ours[i], (payload | 0x00400000) >>> 0, `fromFloat16(${hex(h[i])})`);
          assert.equal((theirs[i] & ~0x00400000) >>> 0, (payload & ~0x00400000) >>> 0, `ORT at ${i} of ${n}: the payload, quiet or not`);
        }
      }
    });
  });

  describe('fromBFloat16', () => {
    it('all 2^16 patterns: exactly ORT Cast (bits << 16)', async () => {
      const h = Uint16Array.from({ length: 65536 }, (_, i) => i);
      const ours = bitsOf(qk.fromBFloat16(h));
      assertBitsEqual(ours, bitsOf(await ortFromBFloat16(h)), 'fromBFloat16', h);
      for (let i = 0; i < 65536; i++) assert.equal(ours[i], (i << 16) >>> 0);
    });
  });

  describe('toFloat16', () => {
    it('ties at every exponent and their neighbours, subnormals, overflow, ±0, ±Inf, NaN payloads: as ORT', async () => {
      const bits = halfEdgeBits();
      const ours = await checkToFloat16(bits);
      const at = (b) => ours[bits.indexOf(b)];
      assert.equal(at(0x477fe000), 0x7bff); // 65504
      assert.equal(at(0x477fefff), 0x7bff); // just below 65520
      assert.equal(at(0x477ff000), 0x7c00); // 65520 ties to the "even" 65536 = Inf
      assert.equal(at(0x33000000), 0x0000); // 2^-25 ties to 0
      assert.equal(at(0x33000001), 0x0001);
      assert.equal(at(0x80000000), 0x8000);
    });
    it('random float32 bit patterns, every length 0..40 (tails): as ORT', async () => {
      await checkToFloat16(randomBits(1 << 18, 7));
      for (let n = 0; n <= 40; n++) await checkToFloat16(randomBits(n, 100 + n));
      // Values in float16's range, where random bit patterns rarely land.
      const r = randomSource(9);
      const inRange = Array.from({ length: 1 << 16 }, () => ((r.int(0x33000000, 0x47800000) | (r.next() < 0.5 ? 0x80000000 : 0)) >>> 0));
      await checkToFloat16(inRange);
    });
    it('every float16 value converts back to itself (NaNs to their quiet form)', () => {
      const h = Uint16Array.from({ length: 65536 }, (_, i) => i);
      const back = qk.toFloat16(qk.fromFloat16(h));
      for (let i = 0; i < 65536; i++) {
        const nan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
        assert.equal(back[i], nan ? i | 0x200 : i);
      }
    });
    it('a Float64Array is read as float32 first (NaN: quiet bit set, top payload bits kept)', () => {
      const r = randomSource(3);
      const d = Float64Array.from({ length: 1001 }, () => (r.next() - 0.5) * 2 ** r.int(-30, 20));
      d.set([65519.99, 65520, -0, Infinity, 2 ** -25, 2 ** -25 + 2 ** -60], 0);
      const words = new Uint32Array(d.buffer);
      words[2 * 10 + 1] = 0x7ff00000; words[2 * 10] = 1; // signalling NaN, payload only in the low word
      words[2 * 11 + 1] = 0xfff40000; words[2 * 11] = 0; // negative NaN with a high payload
      const ours = qk.toFloat16(d);
      const viaF32 = qk.toFloat16(Float32Array.from(d));
      for (let i = 0; i < d.length; i++) if (i !== 10 && i !== 11) assert.equal(ours[i], viaF32[i], `element ${i}`);
      assert.equal(ours[10], 0x7e00);
      assert.equal(ours[11], 0xfe00 | (0x40000 >>> 10));
      assert.equal(ours[4], 0); // 2^-25 as float32 is the tie: to even
      assert.equal(ours[5], 0); // but 2^-25 + 2^-60 rounds to 2^-25 as float32 first, so 0 too
    });
  });

  describe('toBFloat16', () => {
    it('ties at every exponent and their neighbours, ±0, ±Inf, overflow, NaN: as ORT', async () => {
      const bits = bf16EdgeBits();
      const ours = qk.toBFloat16(f32OfBits(bits));
      const theirs = await ortToBFloat16(f32OfBits(bits));
      assertBitsEqual(ours, theirs, 'toBFloat16', bits);
      bits.forEach((b, i) => { if (isNaN32(b)) assert.equal(ours[i], bf16NaN(b)); });
      assert.equal(ours[bits.indexOf(0x7f7fffff)], 0x7f80);
    });
    it('random float32 bit patterns, every length 0..40: as ORT', async () => {
      for (const bits of [randomBits(1 << 18, 11), ...Array.from({ length: 41 }, (_, n) => randomBits(n, 200 + n))]) {
        assertBitsEqual(qk.toBFloat16(f32OfBits(bits)), await ortToBFloat16(f32OfBits(bits)), 'toBFloat16', bits);
      }
    });
    it('a Float64Array is read as float32 first', () => {
      const r = randomSource(5);
      const d = Float64Array.from({ length: 777 }, () => (r.next() - 0.5) * 2 ** r.int(-140, 140));
      assert.deepEqual(qk.toBFloat16(d), qk.toBFloat16(Float32Array.from(d)));
    });
  });

  // 4 Mi + 5 elements: the addon splits such a call across threads (parts of at least 2 Mi
  // on 64-element boundaries); every element must come out as in a small call. The inputs
  // repeat patterns with a period (65537) prime to every part length, and the edge values
  // sit on and around each possible boundary.
  describe('large arrays (split across threads in the addon)', () => {
    const n = (1 << 22) + 5;
    const boundaries = [0, n >> 1, (n >> 1) & ~63, (n >> 2) & ~63, ((n >> 2) * 3) & ~63, n - 1];

    it('toFloat16 and toBFloat16: every element as ORT Cast', async () => {
      const r = randomSource(41);
      const pool = [...halfEdgeBits(), ...bf16EdgeBits()];
      const period = Uint32Array.from({ length: 65537 }, (_, i) => (i < pool.length ? pool[i] : r.u32()));
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = period[i % 65537];
      for (const b of boundaries) for (let d = -2; d <= 2; d++) bits[Math.min(n - 1, Math.max(0, b + d))] = [0x7fc00001, 0x477ff000, 0x80000000, 0xff800000, 0x33000001][d + 2];
      const x = new Float32Array(bits.buffer);
      const half = qk.toFloat16(x);
      const halfOrt = await ortToFloat16(x);
      const bf = qk.toBFloat16(x);
      const bfOrt = await ortToBFloat16(x);
      for (let i = 0; i < n; i++) {
        const b = bits[i];
        if (isNaN32(b)) {
          if (half[i] !== halfNaN(b) || bf[i] !== bf16NaN(b)) assert.fail(`element ${i} (${hex(b)}): NaN rule`);
        } else if (half[i] !== halfOrt[i]) {
          assert.fail(`toFloat16 element ${i} (${hex(b)}) gives ${hex(half[i])}, ORT ${hex(halfOrt[i])}`);
        }
        if (bf[i] !== bfOrt[i]) assert.fail(`toBFloat16 element ${i} (${hex(b)}) gives ${hex(bf[i])}, ORT ${hex(bfOrt[i])}`);
      }
      // A Float64Array input takes the same split.
      const wide = Float64Array.from(x.subarray(0, n));
      assert.ok(Buffer.from(qk.toFloat16(wide).buffer).equals(Buffer.from(half.buffer)), 'toFloat16 of the float64 copy');
    });

    it('fromFloat16 and fromBFloat16: every element as the IEEE value (bits << 16 for bfloat16)', () => {
      // Expected bits of every pattern from the formulas above, then looked up per element.
      const halfBits = new Uint32Array(65536);
      const one = new Float32Array(1);
      for (let h = 0; h < 65536; h++) {
        const v = halfValue(h);
        if (Number.isNaN(v)) {
          halfBits[h] = (((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x3ff) << 13)) >>> 0;
        } else {
          one[0] = v === 0 && h & 0x8000 ? -0 : v;
          halfBits[h] = bitsOf(one)[0];
        }
      }
      const h = new Uint16Array(n);
      for (let i = 0; i < n; i++) h[i] = (i * 40503 + (i >>> 16)) & 0xffff;
      for (const b of boundaries) for (let d = -2; d <= 2; d++) h[Math.min(n - 1, Math.max(0, b + d))] = [0x7c01, 0x8000, 0xfc00, 0x0001, 0xfe55][d + 2];
      const a = bitsOf(qk.fromFloat16(h));
      const c = bitsOf(qk.fromBFloat16(h));
      for (let i = 0; i < n; i++) {
        if (a[i] !== halfBits[h[i]]) assert.fail(`fromFloat16 element ${i} (${hex(h[i])}) gives ${hex(a[i])}, expected ${hex(halfBits[h[i]])}`);
        if (c[i] !== ((h[i] << 16) >>> 0)) assert.fail(`fromBFloat16 element ${i} (${hex(h[i])}) gives ${hex(c[i])}`);
      }
    });
  });

  describe('arrays', () => {
    it('out is written in place at any offset and returned; inputs at odd offsets work', () => {
      const buf = new ArrayBuffer(64 * 4 + 8);
      const x = new Float32Array(buf, 4, 37).map((_, i) => (i - 18) * 1.37);
      const out = new Uint16Array(new ArrayBuffer(200), 2, 37);
      assert.equal(qk.toFloat16(x, out), out);
      assert.deepEqual(out, qk.toFloat16(Float32Array.from(x)));
      const h = new Uint16Array(new ArrayBuffer(100), 6, 37);
      h.set(out);
      const back = new Float32Array(new ArrayBuffer(400), 12, 37);
      assert.equal(qk.fromFloat16(h, back), back);
      assert.deepEqual(back, qk.fromFloat16(Uint16Array.from(h)));
      const b = new Uint16Array(new ArrayBuffer(100), 2, 37);
      assert.equal(qk.toBFloat16(x, b), b);
      assert.equal(qk.fromBFloat16(b, back), back);
      assert.deepEqual(qk.toBFloat16(back), b);
      assert.deepEqual(qk.toFloat16(new Float32Array(0)), new Uint16Array(0));
      assert.deepEqual(qk.fromBFloat16(new Uint16Array(0)), new Float32Array(0));
    });

    it('errors: TypeError for types, RangeError for lengths, overlap and detached buffers; nothing written', () => {

      const x = new Float32Array([1, 2, 3]);
      const o = new Uint16Array(3).fill(7);
      const F16 = globalThis.Float16Array ? 'a Uint16Array or Float16Array' : 'a Uint16Array';
      rejects(() => qk.toFloat16([1, 2, 3], o), 'TypeError', 'Expected a Float32Array or Float64Array for x but received an Array(3) (a plain Array is not accepted: pass new Float32Array(array))', o);
      rejects(() => qk.toFloat16(x, new Int16Array(3)), 'TypeError', `Expected ${F16} for out but received Int16Array(3)`);
      rejects(() => qk.toBFloat16(x, new Float32Array(3)), 'TypeError', 'Expected a Uint16Array for out but received Float32Array(3)');
      rejects(() => qk.toFloat16(x, new Uint16Array(2)), 'RangeError', 'Expected out.length to equal the input length 3 but received 2');
      rejects(() => qk.fromFloat16(new Int16Array(3)), 'TypeError', `Expected ${F16} for h but received Int16Array(3)`);
      rejects(() => qk.fromBFloat16(new Uint8Array(3)), 'TypeError', 'Expected a Uint16Array for h but received Uint8Array(3)');
      const f = new Float32Array(3).fill(5);
      rejects(() => qk.fromFloat16(o, new Float64Array(3)), 'TypeError', 'Expected a Float32Array for out but received Float64Array(3)');
      rejects(() => qk.fromBFloat16(o, new Float32Array(4)), 'RangeError', 'Expected out.length to equal the input length 3 but received 4');
      const shared = new ArrayBuffer(16);
      const xs = new Float32Array(shared, 0, 3);
      const os = new Uint16Array(shared, 8, 3);
      rejects(() => qk.toFloat16(xs, os), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [8, 12) of the same buffer", os);
      const hs = new Uint16Array(shared, 0, 2);
      const fs = new Float32Array(shared, 0, 2);
      rejects(() => qk.fromFloat16(hs, fs), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [0, 4) of the same buffer", fs);
      const gone = new Uint16Array(3);
      structuredClone(gone.buffer, { transfer: [gone.buffer] });
      rejects(() => qk.fromFloat16(gone, f), 'RangeError', 'Expected h to be attached but its buffer is detached', f);
      rejects(() => qk.toBFloat16(x, gone), 'RangeError', 'Expected out to be attached but its buffer is detached');
    });

  });

  // The runtime's own float16 type: Node 24 and 26 have it, Node 22 only with --js-float16array,
  // Node 20 not at all. scripts/node-matrix.js runs this suite on each. Where the runtime has
  // none, these tests are reported as pending (not applicable), never as passed.
  const F16 = globalThis.Float16Array;
  const needsF16 = (ctx) => {
    if (!F16) ctx.skip();
  };
  describe(`Float16Array (${F16 ? 'this runtime has it' : `not applicable: ${process.version} has no Float16Array`})`, () => {
    // float32 edge values of float16: ±0, ±Inf, NaN, the largest finite (65504), the first
    // overflow (65520) and the value just below it, subnormals, the smallest subnormal's
    // halfway point, ties to even, and random floats of every magnitude and random bits.
    function edgeAndRandom(n, seed) {
      const r = randomSource(seed);
      const edges = [0, -0, Infinity, -Infinity, NaN, -NaN, 65504, 65519.996, 65520, -65520, 1, -1, 2 ** -14, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -26, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1, 1e-8, 1e30];
      const x = new Float32Array(n);
      x.set(edges);
      for (let i = edges.length; i < n; i++) x[i] = i % 3 === 0 ? f32OfBits([r.u32()])[0] : (r.next() - 0.5) * 2 ** r.int(-30, 20);
      return x;
    }
    const isHalfNaN = (b) => (b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0;

    it('toFloat16 into a Float16Array out at a byte offset: written through its own bytes, returned, neighbours untouched', function () {
      needsF16(this);
      const x = edgeAndRandom(1001, 71);
      const buf = new ArrayBuffer(2 * (x.length + 5));
      new Uint16Array(buf).fill(0xabcd);
      const out = new F16(buf, 6, x.length);
      assert.equal(qk.toFloat16(x, out), out);
      assertBitsEqual(new Uint16Array(buf, 6, x.length), qk.toFloat16(x), 'bits in the Float16Array', bitsOf(x));
      const all = new Uint16Array(buf);
      assert.deepEqual([all[0], all[1], all[2], all[all.length - 2], all[all.length - 1]], [0xabcd, 0xabcd, 0xabcd, 0xabcd, 0xabcd], 'neighbours untouched');
      // Float64Array input: rounded to float32 first, as with a Uint16Array out.
      const x64 = Float64Array.from(x, (v, i) => v + (i % 2 ? 1e-12 : 0));
      const out64 = new F16(x.length);
      qk.toFloat16(x64, out64);
      assertBitsEqual(new Uint16Array(out64.buffer), qk.toFloat16(x64), 'Float64Array input', bitsOf(x));
    });

    it("toFloat16 gives the runtime's own float32 → float16 conversion (new Float16Array(x)) bit for bit; NaN stays NaN", function () {
      needsF16(this);
      const x = edgeAndRandom(20000, 72);
      const ours = qk.toFloat16(x);
      const theirs = new Uint16Array(new F16(x).buffer);
      const xb = bitsOf(x);
      for (let i = 0; i < x.length; i++) {
        if (isNaN32(xb[i])) assert.ok(isHalfNaN(ours[i]) && isHalfNaN(theirs[i]), `NaN at ${i}: ${hex(ours[i])}, runtime ${hex(theirs[i])}`);
        else if (ours[i] !== theirs[i]) assert.fail(`element ${i} (${x[i]}, ${hex(xb[i])}): quantkit ${hex(ours[i])}, runtime ${hex(theirs[i])}`);
      }
    });

    it("fromFloat16 of a Float16Array at a byte offset: every pattern equals fromFloat16 of its bits and the runtime's own value", function () {
      needsF16(this);
      const buf = new ArrayBuffer(2 * (65536 + 4));
      const bits = new Uint16Array(buf, 6, 65536);
      for (let i = 0; i < 65536; i++) bits[i] = i;
      const h = new F16(buf, 6, 65536);
      const got = qk.fromFloat16(h);
      assertBitsEqual(bitsOf(got), bitsOf(qk.fromFloat16(Uint16Array.from(bits))), 'Float16Array vs its bits', bits);
      for (let i = 0; i < 65536; i++) {
        const v = h[i];
        if (Number.isNaN(v) ? !Number.isNaN(got[i]) : !Object.is(got[i], v)) assert.fail(`pattern ${hex(i)}: quantkit ${got[i]}, runtime ${v}`);
      }
      const into = new Float32Array(new ArrayBuffer(4 * 65539), 12, 65536);
      assert.equal(qk.fromFloat16(h, into), into);
      assertBitsEqual(bitsOf(into), bitsOf(got), 'into out at an offset', bits);
    });

    it('toFloat16 without out still returns a Uint16Array (the documented return type on every Node)', function () {
      needsF16(this);
      const r = qk.toFloat16(new Float32Array([1, 2]));
      assert.equal(Object.prototype.toString.call(r), '[object Uint16Array]');
    });

    it('errors: bfloat16 refuses a Float16Array; detached, wrong length and overlap are RangeErrors; nothing written', function () {
      needsF16(this);
      const x = new Float32Array([1, 2, 3]);
      const o = new F16(3).fill(5);
      rejects(() => qk.toBFloat16(x, new F16(3)), 'TypeError', 'Expected a Uint16Array for out but received Float16Array(3)');
      rejects(() => qk.fromBFloat16(new F16(3)), 'TypeError', 'Expected a Uint16Array for h but received Float16Array(3)');
      rejects(() => qk.toFloat16(x, new F16(4)), 'RangeError', 'Expected out.length to equal the input length 3 but received 4');
      rejects(() => qk.fromFloat16(o, new Float32Array(2)), 'RangeError', 'Expected out.length to equal the input length 3 but received 2');
      const shared = new ArrayBuffer(16);
      const hs = new F16(shared, 4, 4);
      const fs = new Float32Array(shared, 0, 4);
      rejects(() => qk.fromFloat16(hs, fs), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [4, 12) of the same buffer", fs);
      const xs = new Float32Array(shared, 0, 2);
      const os = new F16(shared, 6, 2);
      rejects(() => qk.toFloat16(xs, os), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [6, 8) of the same buffer", os);
      const gone = new F16(3);
      structuredClone(gone.buffer, { transfer: [gone.buffer] });
      rejects(() => qk.fromFloat16(gone), 'RangeError', 'Expected h to be attached but its buffer is detached');
      rejects(() => qk.toFloat16(x, gone), 'RangeError', 'Expected out to be attached but its buffer is detached');
      assert.deepEqual(Array.from(o), [5, 5, 5]);
    });
  });
});
