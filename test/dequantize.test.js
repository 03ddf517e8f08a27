'use strict';
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { CTORS, RANGES, qRange, dequantizeRef } = require('./support/reference');
const { prng } = require('./support/data');

function randomCodes(dtype, n, seed, bits) {
  const [lo, hi] = qRange(dtype, bits);
  const r = prng(seed);
  return CTORS[dtype].from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

describe(`dequantize (${qk.backend.name}/${qk.backend.isa})`, () => {
  for (const dtype of Object.keys(RANGES)) {
    const [qmin, qmax] = RANGES[dtype];
    for (const [scale, zeroPoint] of [[0.0054831104, qmin], [0.1, qmax], [3.5e-40, Math.trunc((qmin + qmax) / 2)], [1e30, qmin + 1]]) {
      it(`${dtype}: fl(float32(q − z) · s), scale ${scale}, zeroPoint ${zeroPoint}`, () => {
        const q = randomCodes(dtype, 3001, zeroPoint & 0xff);
        q[0] = qmin;
        q[1] = qmax;
        q[2] = zeroPoint;
        const params = { scale, zeroPoint, dtype };
        const x = qk.dequantize(q, params);
        assert.ok(x instanceof Float32Array);
        assert.deepEqual(x, dequantizeRef(q, params));
      });
    }
    it(`${dtype}: the zero point dequantizes to +0, never -0`, () => {
      const z = Math.trunc((qmin + qmax) / 2);
      const x = qk.dequantize(new CTORS[dtype]([z, z]), { scale: 0.5, zeroPoint: z, dtype });
      assert.ok(Object.is(x[0], 0) && Object.is(x[1], 0));
    });
    it(`${dtype}: inverts quantize within scale/2 inside the range`, () => {
      const [lo, hi] = qRange(dtype, 8);
      const params = { scale: 0.01, zeroPoint: Math.trunc((lo + hi) / 2), dtype, bits: 8 };
      const r = prng(4);
      const x = Float32Array.from({ length: 1000 }, () => (lo - params.zeroPoint + r() * (hi - lo)) * params.scale);
      const back = qk.dequantize(qk.quantize(x, params), params);
      x.forEach((v, i) => assert.ok(Math.abs(v - back[i]) <= params.scale / 2 + 1e-7, `x[${i}] = ${v} came back as ${back[i]}`));
    });
  }

  it('writes into out at any byteOffset and returns it', () => {
    const q = randomCodes('int16', 300, 1);
    for (let offset = 0; offset < 6; offset++) {
      const backing = new Float32Array(320).fill(-7);
      const out = backing.subarray(offset, offset + 290);
      const src = q.subarray(offset + 3, offset + 293);
      const params = { scale: 0.25, zeroPoint: -9, dtype: 'int16' };
      assert.equal(qk.dequantize(src, params, out), out);
      assert.deepEqual(out, dequantizeRef(src, params));
      assert.ok(backing.subarray(0, offset).every((v) => v === -7));
      assert.ok(backing.subarray(offset + 290).every((v) => v === -7));
    }
  });

  it('handles empty input and every short length', () => {
    const q = randomCodes('uint8', 150, 2);
    for (let n = 0; n <= 140; n++) {
      const src = q.subarray(0, n);
      assert.deepEqual(qk.dequantize(src, { scale: 0.3, zeroPoint: 77, dtype: 'uint8' }), dequantizeRef(src, { scale: 0.3, zeroPoint: 77 }), `length ${n}`);
    }
  });

  it('does not clamp codes outside a narrowed bits range', () => {
    const q = new Uint8Array([0, 15, 16, 255]);
    const x = qk.dequantize(q, { scale: 1, zeroPoint: 8, dtype: 'uint8', bits: 4 });
    assert.deepEqual(Array.from(x), [-8, 7, 8, 247]);
  });
});
