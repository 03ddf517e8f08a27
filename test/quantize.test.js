'use strict';
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { CTORS, qRange, quantizeRef, rintEven } = require('./support/reference');
const { randomFloats, SPECIALS, tiesFor, nextFloat32 } = require('./support/data');

const DTYPES = ['uint8', 'int8', 'uint16', 'int16'];

function middle(dtype, bits) {
  const [lo, hi] = qRange(dtype, bits);
  return Math.floor((lo + hi + 1) / 2);
}

describe(`quantize (${qk.backend.name}/${qk.backend.isa})`, () => {
  for (const dtype of DTYPES) {
    describe(dtype, () => {
      const [qmin, qmax] = qRange(dtype);
      const cases = [
        { scale: 0.5, zeroPoint: middle(dtype) },
        { scale: 0.0054831104, zeroPoint: qmin },
        { scale: 3, zeroPoint: qmax },
        { scale: 1e-3, zeroPoint: middle(dtype) - 7 },
        { scale: 1e-30, zeroPoint: middle(dtype) },
        { scale: 7.3e12, zeroPoint: middle(dtype) },
      ];
      for (const c of cases) {
        const params = { ...c, dtype };
        it(`matches SPEC §2.1 on random data, scale ${c.scale}, zeroPoint ${c.zeroPoint}`, () => {
          const x = randomFloats(4099, 17, c.scale * 400);
          const q = qk.quantize(x, params);
          assert.ok(q instanceof CTORS[dtype]);
          assert.deepEqual(q, quantizeRef(x, params));
        });
        it(`rounds exact ties to even and keeps their neighbours, scale ${c.scale}`, () => {
          const x = tiesFor(c.scale);
          assert.deepEqual(qk.quantize(x, params), quantizeRef(x, params));
        });
      }
      it('maps NaN to the zero point, ±Infinity to qmax/qmin, -0 to the zero point', () => {
        const params = { scale: 0.25, zeroPoint: middle(dtype) + 3, dtype };
        const x = Float32Array.from(SPECIALS);
        const q = qk.quantize(x, params);
        SPECIALS.forEach((v, i) => {
          if (Number.isNaN(v)) assert.equal(q[i], params.zeroPoint, `NaN at ${i}`);
          if (v === Infinity) assert.equal(q[i], qmax);
          if (v === -Infinity) assert.equal(q[i], qmin);
          if (v === 0) assert.equal(q[i], params.zeroPoint, Object.is(v, -0) ? '-0' : '+0');
        });
        assert.deepEqual(q, quantizeRef(x, params));
      });
      it('ties to even at concrete values: -2.5 → -2, 0.5 → 0, 1.5 → 2, 2.5 → 2 (scale 1)', () => {
        const z = middle(dtype);
        const q = qk.quantize(new Float32Array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5]), { scale: 1, zeroPoint: z, dtype });
        assert.deepEqual(Array.from(q, (v) => v - z), [-2, -2, 0, 0, 2, 2, 4]);
      });
      for (const bits of [2, 3, 5, dtype.endsWith('16') ? 12 : 7]) {
        it(`clamps into the ${bits}-bit range`, () => {
          const [lo, hi] = qRange(dtype, bits);
          const params = { scale: 0.1, zeroPoint: middle(dtype, bits), dtype, bits };
          const x = randomFloats(999, bits, 0.1 * 2 ** (bits + 1));
          const q = qk.quantize(x, params);
          assert.deepEqual(q, quantizeRef(x, params));
          assert.ok(q.every((v) => v >= lo && v <= hi));
          assert.ok(q.includes(lo) && q.includes(hi), 'both ends of the narrowed range are reached');
        });
      }
    });
  }

  it('maps signalling NaNs (written as bits: a JS number would quieten them) to the zero point', () => {
    // 0x7f800001 and 0xff800001: the smallest signalling NaNs; 0x7fbfffff: the largest.
    const patterns = [0x7f800001, 0xff800001, 0x7fbfffff, 0xffbfffff, 0x7fc00000];
    for (const dtype of DTYPES) {
      const x = randomFloats(300, 77, 10);
      const bits = new Uint32Array(x.buffer);
      for (let i = 0; i < x.length; i += 7) bits[i] = patterns[(i / 7) % patterns.length];
      const params = { scale: 0.1, zeroPoint: middle(dtype) - 1, dtype };
      const q = qk.quantize(x, params);
      for (let i = 0; i < x.length; i += 7) assert.equal(q[i], params.zeroPoint, `NaN bits 0x${bits[i].toString(16)} at ${i}`);
      assert.deepEqual(q, quantizeRef(x, params));
      const f64 = Float64Array.from(x);
      assert.deepEqual(qk.quantize(f64, params), q);
    }
  });

  it('divides rather than multiplying by the reciprocal', () => {
    // For scale 0.3f, x/s and x*(1/s) round to different integers for some x near a tie
    // (x = -2.25 is one); hunt for them rather than trusting a constant.
    const s = Math.fround(0.3);
    const inv = Math.fround(1 / s);
    let found;
    for (let k = 0; k < 30000 && found === undefined; k++) {
      for (const x of [Math.fround((k + 0.5) * s), Math.fround(-(k + 0.5) * s)]) {
        if (rintEven(Math.fround(x / s)) !== rintEven(Math.fround(x * inv))) found = x;
      }
    }
    assert.notEqual(found, undefined, 'a distinguishing input exists');
    const q = qk.quantize(new Float32Array([found]), { scale: s, zeroPoint: 0, dtype: 'int16' });
    assert.equal(q[0], rintEven(Math.fround(found / s)));
  });

  it('reads Float64Array input as float32 (SPEC §2.6)', () => {
    const r = randomFloats(2001, 5, 50);
    const x64 = Float64Array.from(r, (v, i) => (i % 3 === 0 ? v + 1e-9 : v)); // not float32-exact
    const ties = tiesFor(0.5, -40, 40);
    const x = new Float64Array([...x64, ...ties, ...SPECIALS, 1e300, -1e300, 1e-300]);
    const params = { scale: 0.5, zeroPoint: 3, dtype: 'int8' };
    const viaF32 = qk.quantize(Float32Array.from(x), params);
    assert.deepEqual(qk.quantize(x, params), viaF32);
  });

  it('handles empty input, length 1, and every length around the vector widths', () => {
    const params = { scale: 0.05, zeroPoint: 100, dtype: 'uint8' };
    const data = randomFloats(200, 9, 8);
    for (let n = 0; n <= 130; n++) {
      const x = data.subarray(0, n);
      assert.deepEqual(qk.quantize(x, params), quantizeRef(x, params), `length ${n}`);
    }
  });

  it('writes into out in place, at any byteOffset, and returns it', () => {
    for (const dtype of DTYPES) {
      const Ctor = CTORS[dtype];
      const params = { scale: 0.03, zeroPoint: middle(dtype), dtype };
      for (let offset = 0; offset < 9; offset++) {
        const n = 77 + offset;
        const xs = randomFloats(n + 20, offset, 3).subarray(offset + 1, offset + 1 + n);
        const backing = new Ctor(n + 16).fill(qRange(dtype)[0] + 1);
        const out = backing.subarray(offset, offset + n);
        const returned = qk.quantize(xs, params, out);
        assert.equal(returned, out);
        assert.deepEqual(out, quantizeRef(xs, params));
        assert.ok(backing.subarray(0, offset).every((v) => v === qRange(dtype)[0] + 1), 'bytes before out untouched');
        assert.ok(backing.subarray(offset + n).every((v) => v === qRange(dtype)[0] + 1), 'bytes after out untouched');
      }
    }
  });

  it('reads x from an odd byte offset inside a shared buffer', () => {
    // A Float32Array must start at a multiple of 4 bytes; 4 (not 16) is the odd case for SIMD loads.
    const buffer = new ArrayBuffer(4 * 1000 + 64);
    const x = new Float32Array(buffer, 4, 999);
    x.set(randomFloats(999, 3, 5));
    const q = new Uint8Array(buffer, 4 * 1000 + 3, 50); // out in the same buffer, not overlapping
    const head = x.subarray(0, 50);
    qk.quantize(head, { scale: 0.02, zeroPoint: 128, dtype: 'uint8' }, q);
    assert.deepEqual(q, quantizeRef(head, { scale: 0.02, zeroPoint: 128, dtype: 'uint8' }));
  });

  it('works on a SharedArrayBuffer', () => {
    const x = new Float32Array(new SharedArrayBuffer(4 * 300));
    x.set(randomFloats(300, 8, 2));
    const out = new Int8Array(new SharedArrayBuffer(300));
    qk.quantize(x, { scale: 0.02, zeroPoint: -3, dtype: 'int8' }, out);
    assert.deepEqual(out, quantizeRef(x, { scale: 0.02, zeroPoint: -3, dtype: 'int8' }));
  });

  it('rounds ties away from zero for tflite exactly, at every position (a C library roundf may not)', () => {
    // 0.5 − 2⁻²⁵ is the float32 just below one half: it rounds to 0, though fl(v + 0.5) is 1
    // (MinGW-w64's roundf gave 1 under Wine). Each value at every position of a 37-element
    // array, so that both the vector body and the scalar tail see it.
    const below = Math.fround(0.5 - 2 ** -25);
    const cases = [[below, 0], [-below, 0], [0.5, 1], [-0.5, -1], [1.5, 2], [2.5, 3], [-2.5, -3], [1 - 2 ** -24, 1], [126.5, 127]];
    for (const [v, want] of cases) {
      for (let at = 0; at < 37; at++) {
        const x = new Float32Array(37);
        x[at] = v;
        const q = qk.quantize(x, { scale: 1, zeroPoint: 0, dtype: 'int8', convention: 'tflite' });
        assert.equal(q[at], want, `tflite round(${v}) at ${at}`);
      }
    }
  });

  it('uses the scale as float32', () => {
    const s = 0.1; // not a float32
    const x = Float32Array.from({ length: 500 }, (_, i) => Math.fround((i - 250) * 0.05 + 0.025));
    const q = qk.quantize(x, { scale: s, zeroPoint: 0, dtype: 'int16' });
    assert.deepEqual(q, qk.quantize(x, { scale: Math.fround(s), zeroPoint: 0, dtype: 'int16' }));
    assert.deepEqual(q, quantizeRef(x, { scale: s, zeroPoint: 0, dtype: 'int16' }));
  });

  it('saturates huge quotients instead of wrapping', () => {
    const x = new Float32Array([3e38, -3e38, 1e20, -1e20, nextFloat32(65535.5, 1), 2 ** 31, -(2 ** 31) - 256]);
    assert.deepEqual(Array.from(qk.quantize(x, { scale: 1, zeroPoint: 0, dtype: 'uint16' })), [65535, 0, 65535, 0, 65535, 65535, 0]);
    assert.deepEqual(Array.from(qk.quantize(x, { scale: 1e-30, zeroPoint: 0, dtype: 'int8' })), [127, -128, 127, -128, 127, 127, -128]);
  });
});
