'use strict';
// int8 <-> uint8 and int16 <-> uint16 codes without a float round trip: codes and zero point
// move by 2^(b−1), so quantizing with the moved parameters gives the moved codes and every
// dequantized value is unchanged, bit for bit.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { CTORS, qRange, quantizeRef } = require('./support/reference');
const { randomFloats, SPECIALS, tiesFor } = require('./support/data');

const PAIRS = [['int8', 'uint8'], ['int16', 'uint16']];
const bitsOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);


describe(`signed and unsigned codes (${qk.backend.name}/${qk.backend.isa})`, () => {
  for (const [signed, unsigned] of PAIRS) {
    const width = signed === 'int8' ? 8 : 16;
    for (const bits of [undefined, 2, 5, width - 1]) {
      const label = `${signed} ↔ ${unsigned}${bits ? `, ${bits} bits` : ''}`;
      it(`${label}: the moved parameters quantize to the moved codes, and dequantize to the same values`, () => {
        const [smin, smax] = qRange(signed, bits);
        const offset = 2 ** ((bits ?? width) - 1);
        for (const zeroPoint of [smin, smax, 0, smin + 1]) {
          const sp = { scale: 0.037, zeroPoint, dtype: signed, ...(bits ? { bits } : {}) };
          const x = new Float32Array([...randomFloats(1500, zeroPoint & 0xff, 0.037 * offset * 3), ...tiesFor(0.037, -40, 40), ...SPECIALS]);
          const q = qk.quantize(x, sp);
          const u = qk.toUnsigned(q, sp);
          assert.deepEqual(u.params, { scale: 0.037, zeroPoint: zeroPoint + offset, dtype: unsigned, ...(bits ? { bits } : {}) });
          assert.ok(u.data instanceof CTORS[unsigned]);
          assert.deepEqual(u.data, quantizeRef(x, u.params), 'toUnsigned(quantize(x, p)) = quantize(x, toUnsigned p)');
          assert.deepEqual(u.data, CTORS[unsigned].from(q, (v) => v + offset));
          assert.deepEqual(bitsOf(qk.dequantize(u.data, u.params)), bitsOf(qk.dequantize(q, sp)));
          const back = qk.toSigned(u.data, u.params);
          assert.deepEqual(back.params, sp);
          assert.deepEqual(back.data, q);
        }
      });
    }

    it(`${signed} ↔ ${unsigned}: in place, through a view of the same memory`, () => {
      const sp = { scale: 0.5, zeroPoint: 3, dtype: signed };
      const x = randomFloats(333, 4, 100);
      const q = qk.quantize(x, sp);
      const copy = q.slice();
      const view = new CTORS[unsigned](q.buffer, q.byteOffset, q.length);
      const u = qk.toUnsigned(q, sp, view);
      assert.equal(u.data, view);
      assert.deepEqual(view, qk.toUnsigned(copy, sp).data);
      const s = qk.toSigned(view, u.params, q);
      assert.equal(s.data, q);
      assert.deepEqual(q, copy);
    });

    it(`${signed} ↔ ${unsigned}: into out at an odd offset, and empty input`, () => {
      const sp = { scale: 1, zeroPoint: -1, dtype: signed };
      const q = CTORS[signed].from({ length: 50 }, (_, i) => (i * 37) % 100 - 50);
      const backing = new CTORS[unsigned](60).fill(9);
      const out = backing.subarray(3, 53);
      assert.equal(qk.toUnsigned(q, sp, out).data, out);
      assert.deepEqual(out, CTORS[unsigned].from(q, (v) => v + 2 ** (width - 1)));
      assert.ok(backing.subarray(0, 3).every((v) => v === 9) && backing.subarray(53).every((v) => v === 9));
      assert.deepEqual(qk.toUnsigned(new CTORS[signed](0), sp).data, new CTORS[unsigned](0));
    });
  }

  for (const [signed, unsigned, width] of [['int4', 'uint4', 4], ['int2', 'uint2', 2]]) {
    for (const bits of [undefined, width - 1]) {
      if (bits === 1) continue;
      const label = `${signed} ↔ ${unsigned}${bits ? `, ${bits} bits` : ''}`;
      const b = bits ?? width;
      const offset = 2 ** (b - 1);
      for (const n of [1000, 1001, 1003]) {
        it(`${label}, ${n} elements: moved codes are the codes of the moved parameters; padding stays 0`, () => {
          for (const zeroPoint of [-offset, offset - 1, 0]) {
            const sp = { scale: 0.25, zeroPoint, dtype: signed, count: n, ...(bits ? { bits } : {}) };
            const x = new Float32Array([...randomFloats(n - SPECIALS.length, n + zeroPoint, 0.25 * offset * 3), ...SPECIALS]);
            const q = qk.quantize(x, sp);
            const u = qk.toUnsigned(q, sp);
            assert.deepEqual(u.params, { scale: 0.25, zeroPoint: zeroPoint + offset, dtype: unsigned, count: n, ...(bits ? { bits } : {}) });
            assert.deepEqual(u.data, qk.quantize(x, u.params), 'toUnsigned(quantize(x, p)) = quantize(x, toUnsigned p)');
            // Element by element, from the unpacked values (not from the byte table).
            assert.deepEqual(qk.unpack(u.data, unsigned, n), Uint8Array.from(qk.unpack(q, signed, n), (v) => v + offset));
            assert.deepEqual(qk.dequantize(u.data, u.params), qk.dequantize(q, sp));
            const back = qk.toSigned(u.data, u.params);
            assert.deepEqual(back.params, sp);
            assert.deepEqual(back.data, q);
          }
        });
      }
    }

    it(`${signed} ↔ ${unsigned}: in place; without params.count every field is an element`, () => {
      const sp = { scale: 1, zeroPoint: 0, dtype: signed };
      const n = 8 / width * 50 - 1; // the last byte has one field of padding
      const values = Int8Array.from({ length: n }, (_, i) => (i % (2 ** width)) - 2 ** (width - 1));
      const q = qk.pack(values, signed);
      const copy = q.slice();
      const u = qk.toUnsigned(q, sp, q);
      assert.equal(u.data, q);
      assert.equal(u.params.count, undefined);
      const all = qk.unpack(q, unsigned, n + 1);
      assert.deepEqual(all.subarray(0, n), Uint8Array.from(values, (v) => v + 2 ** (width - 1)));
      assert.equal(all[n], 2 ** (width - 1), 'the padding field moved like a code');
      assert.deepEqual(qk.toSigned(q, u.params, q).data, copy);
    });
  }

  it('refuses the wrong direction, wrong arrays and partial overlap, writing nothing', () => {
    const q = new Int8Array([1, 2, 3]);
    const p = { scale: 1, zeroPoint: 0, dtype: 'int8' };
    const out = new Uint8Array(3).fill(7);
    rejects(() => qk.toSigned(q, p, out), 'TypeError', "Expected 'uint8', 'uint16', 'uint4' or 'uint2' for params.dtype but received 'int8'", out);
    rejects(() => qk.toUnsigned(new Uint8Array(3), { ...p, dtype: 'uint8' }, new Int8Array(3)), 'TypeError', "Expected 'int8', 'int16', 'int4' or 'int2' for params.dtype but received 'uint8'");
    rejects(() => qk.toUnsigned(new Uint8Array(2), { ...p, dtype: 'uint4' }), 'TypeError', "Expected 'int8', 'int16', 'int4' or 'int2' for params.dtype but received 'uint4'");
    const packed = new Uint8Array(2).fill(0x11);
    rejects(() => qk.toUnsigned(packed, { ...p, dtype: 'int4', count: 5 }), 'RangeError', "Expected q.length to equal 3 (5 'int4' values packed) but received 2", packed);
    rejects(() => qk.toUnsigned(packed, { ...p, dtype: 'int4', count: -1 }), 'RangeError', 'Expected a non-negative integer for params.count but received -1', packed);
    rejects(() => qk.toUnsigned(packed, { ...p, dtype: 'int2' }, new Uint8Array(3)), 'RangeError', 'Expected out.length to equal the input length 2 but received 3');
    rejects(() => qk.toUnsigned(new Uint8Array(3), p, out), 'TypeError', "Expected an Int8Array (dtype 'int8') for q but received Uint8Array(3)", out);
    rejects(() => qk.toUnsigned(q, p, new Uint16Array(3)), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for out but received Uint16Array(3)");
    rejects(() => qk.toUnsigned(q, p, new Uint8Array(4)), 'RangeError', 'Expected out.length to equal the input length 3 but received 4');
    rejects(() => qk.toUnsigned(q, { ...p, scale: 0 }, out), 'RangeError', 'Expected a positive finite float32 for params.scale but received 0', out);
    const shared = new Int8Array(8).fill(1);
    const overlapping = new Uint8Array(shared.buffer, 1, 4);
    rejects(() => qk.toUnsigned(shared.subarray(0, 4), p, overlapping), 'RangeError', "Expected out to be q's own memory or not to overlap it, but it overlaps part of it", overlapping);
  });
});
