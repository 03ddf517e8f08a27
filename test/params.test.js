'use strict';
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { RANGES, qRange, affineRef, quantizeRef } = require('./support/reference');
const { prng, randomFloats, SPECIALS } = require('./support/data');

const DTYPES = Object.keys(RANGES);

describe(`params (${qk.backend.name}/${qk.backend.isa})`, () => {
  describe('paramsFromRange', () => {
    it("gives the notebook's parameters for its weights' range: scale 0.0054831104, zeroPoint 99", () => {
      const p = qk.paramsFromRange(-0.5423163771629333, 0.8558766841888428);
      assert.deepEqual(p, { scale: Math.fround(0.0054831104), zeroPoint: 99, dtype: 'uint8' });
    });

    for (const dtype of DTYPES) {
      for (const bits of [undefined, 2, 4, 8, dtype.endsWith('16') ? 11 : 6]) {
        it(`${dtype}${bits ? `, ${bits} bits` : ''}: affine parameters as SPEC §2.3 on random ranges`, () => {
          const [qmin, qmax] = qRange(dtype, bits);
          const r = prng(bits ?? 1);
          for (let i = 0; i < 300; i++) {
            const a = (r() * 2 - 1) * 10 ** (r() * 8 - 4);
            const b = (r() * 2 - 1) * 10 ** (r() * 8 - 4);
            const [min, max] = a <= b ? [a, b] : [b, a];
            const p = qk.paramsFromRange(min, max, { dtype, bits });
            const want = affineRef(min, max, qmin, qmax);
            assert.equal(p.scale, want.scale, `scale of [${min}, ${max}]`);
            assert.equal(p.zeroPoint, want.zeroPoint, `zeroPoint of [${min}, ${max}]`);
            assert.equal(p.dtype, dtype);
            assert.equal(p.bits, bits === undefined || bits === (dtype.endsWith('16') ? 16 : 8) ? undefined : bits);
            assert.ok(Number.isInteger(p.zeroPoint) && p.zeroPoint >= qmin && p.zeroPoint <= qmax);
          }
        });
      }
    }

    it('widens the range to hold 0, so that 0.0 quantizes exactly', () => {
      assert.deepEqual(qk.paramsFromRange(2, 5), { scale: Math.fround(5 / 255), zeroPoint: 0, dtype: 'uint8' });
      assert.deepEqual(qk.paramsFromRange(-5, -2), { scale: Math.fround(5 / 255), zeroPoint: 255, dtype: 'uint8' });
      const p = qk.paramsFromRange(-1.3, 2.9, { dtype: 'int8' });
      const zero = qk.dequantize(qk.quantize(new Float32Array([0]), p), p);
      assert.equal(zero[0], 0);
    });

    it('uses scale 1 for an empty range [0, 0]', () => {
      assert.deepEqual(qk.paramsFromRange(0, 0), { scale: 1, zeroPoint: 0, dtype: 'uint8' });
      assert.deepEqual(qk.paramsFromRange(0, 0, { dtype: 'int8' }), { scale: 1, zeroPoint: -128, dtype: 'int8' });
    });

    it('symmetric: centre zero point and int8 over [-127, 127]', () => {
      assert.deepEqual(qk.paramsFromRange(-1, 2, { dtype: 'int8', symmetric: true }), { scale: Math.fround(2 / 127), zeroPoint: 0, dtype: 'int8' });
      assert.deepEqual(qk.paramsFromRange(-3, 2, { symmetric: true }), { scale: Math.fround(3 / 127), zeroPoint: 128, dtype: 'uint8' });
      assert.deepEqual(qk.paramsFromRange(-3, 2, { dtype: 'int16', symmetric: true }), { scale: Math.fround(3 / 32767), zeroPoint: 0, dtype: 'int16' });
      assert.deepEqual(qk.paramsFromRange(-3, 2, { dtype: 'uint8', bits: 4, symmetric: true }), { scale: Math.fround(3 / 7), zeroPoint: 8, dtype: 'uint8', bits: 4 });
      assert.deepEqual(qk.paramsFromRange(0, 0, { dtype: 'int8', symmetric: true }), { scale: 1, zeroPoint: 0, dtype: 'int8' });
      const p = qk.paramsFromRange(-2, 2, { dtype: 'int8', symmetric: true });
      assert.deepEqual(Array.from(qk.quantize(new Float32Array([-2, 2, -100]), p)), [-127, 127, -128]);
    });

    it('reads the range ends as float32', () => {
      assert.deepEqual(qk.paramsFromRange(-0.1, 0.7), qk.paramsFromRange(Math.fround(-0.1), Math.fround(0.7)));
    });
  });

  describe('minMax', () => {
    it('ignores NaN and finds the extremes of random data at every length', () => {
      const data = randomFloats(700, 3, 1000);
      for (let n = 1; n <= 700; n += n < 70 ? 1 : 37) {
        const x = data.subarray(0, n);
        let min = Infinity;
        let max = -Infinity;
        for (const v of x) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        assert.deepEqual(qk.minMax(x), { min, max }, `length ${n}`);
      }
    });
    it('skips NaN wherever it stands', () => {
      for (let at = 0; at < 40; at++) {
        const x = randomFloats(40, at, 5);
        const want = qk.minMax(x);
        x[at] = NaN;
        const without = Array.from(x).filter((v) => !Number.isNaN(v));
        assert.deepEqual(qk.minMax(x), { min: Math.min(...without), max: Math.max(...without) });
        assert.ok(qk.minMax(x).min >= want.min);
      }
    });
    it('reports ±Infinity, and NaN, NaN when there is no number at all', () => {
      assert.deepEqual(qk.minMax(Float32Array.from(SPECIALS)), { min: -Infinity, max: Infinity });
      assert.deepEqual(qk.minMax(new Float32Array(0)), { min: NaN, max: NaN });
      assert.deepEqual(qk.minMax(new Float32Array(33).fill(NaN)), { min: NaN, max: NaN });
    });
    it('reports -0 as 0', () => {
      const r = qk.minMax(new Float32Array([-0, -0, -0]));
      assert.ok(Object.is(r.min, 0) && Object.is(r.max, 0));
    });
    it('reads Float64Array as float32', () => {
      const r = qk.minMax(new Float64Array([0.1, -0.7, 1e300, NaN]));
      assert.deepEqual(r, { min: Math.fround(-0.7), max: Infinity });
    });
  });

  describe('computeParams', () => {
    it('equals paramsFromRange of the data range, NaN ignored', () => {
      const x = randomFloats(1001, 12, 3);
      x[5] = NaN;
      const { min, max } = qk.minMax(x);
      for (const dtype of DTYPES) {
        for (const symmetric of [false, true]) {
          assert.deepEqual(qk.computeParams(x, { dtype, symmetric }), qk.paramsFromRange(min, max, { dtype, symmetric }));
        }
      }
    });
    it('treats empty and all-NaN data as the range [0, 0]', () => {
      assert.deepEqual(qk.computeParams(new Float32Array(0)), { scale: 1, zeroPoint: 0, dtype: 'uint8' });
      assert.deepEqual(qk.computeParams(new Float64Array([NaN, NaN]), { dtype: 'int8' }), { scale: 1, zeroPoint: -128, dtype: 'int8' });
    });
    it('refuses data with an infinite value', () => {
      assert.throws(() => qk.computeParams(new Float32Array([1, -Infinity])), {
        name: 'RangeError',
        message: "Expected x to hold only finite values (NaN is ignored) but its range is [-Infinity, 1]",
      });
    });
  });

  describe('quantizeDynamic', () => {
    for (const dtype of DTYPES) {
      it(`${dtype}: parameters of the data range, then quantize with them`, () => {
        for (let seed = 0; seed < 20; seed++) {
          const x = randomFloats(257 + seed, seed, 10 ** ((seed % 7) - 3));
          if (seed % 3 === 0) x.forEach((v, i) => (x[i] = Math.abs(v))); // all non-negative
          if (seed % 3 === 1) x.forEach((v, i) => (x[i] = -Math.abs(v))); // all non-positive
          const r = qk.quantizeDynamic(x, { dtype });
          const p = qk.computeParams(x, { dtype });
          assert.deepEqual({ scale: r.scale, zeroPoint: r.zeroPoint, dtype: r.dtype }, p);
          assert.deepEqual(r.data, quantizeRef(x, p));
        }
      });
    }
    it('honours bits and writes into out', () => {
      const x = randomFloats(100, 1, 2);
      const backing = new Int8Array(110).fill(9);
      const out = backing.subarray(5, 105);
      const r = qk.quantizeDynamic(x, { dtype: 'int8', bits: 4, out });
      assert.equal(r.data, out);
      assert.equal(r.bits, 4);
      assert.deepEqual(out, quantizeRef(x, r));
      assert.ok(out.every((v) => v >= -8 && v <= 7));
      assert.ok(backing.subarray(0, 5).every((v) => v === 9) && backing.subarray(105).every((v) => v === 9));
    });
    it('gives scale 1 for all-zero input, and the zero point for NaN', () => {
      const r = qk.quantizeDynamic(new Float32Array([0, -0, NaN, 0]));
      assert.deepEqual({ scale: r.scale, zeroPoint: r.zeroPoint }, { scale: 1, zeroPoint: 0 });
      assert.deepEqual(Array.from(r.data), [0, 0, 0, 0]);
      const s = qk.quantizeDynamic(new Float32Array([NaN, 1, -1, NaN]));
      assert.equal(s.data[0], s.zeroPoint);
      assert.equal(s.data[3], s.zeroPoint);
    });
    it('refuses an infinite input without writing anything', () => {
      const out = new Uint8Array(3).fill(42);
      assert.throws(() => qk.quantizeDynamic(new Float32Array([1, Infinity, 2]), { out }), {
        name: 'RangeError',
        message: 'Expected x to hold only finite values (NaN is ignored) but its range is [1, Infinity]',
      });
      assert.deepEqual(Array.from(out), [42, 42, 42]);
    });
  });
});
