'use strict';
// Packed sub-byte dtypes (uint4, int4, uint2, int2): the SPEC §2 numbers of the 8-bit path,
// packed as ONNX packs them (element i in byte floor(i·b/8) at bit (i·b) mod 8, unused high
// bits of the last byte zero). Expected bytes come from test/support/reference.js and an
// independent packer below; ONNX Runtime is the oracle for the numbers and the bit order.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { quantizeValue, rintEven } = require('./support/reference');
const { buildModel, castOutputToInt8 } = require('./support/onnx-graphs');

const WIDTH = { uint4: 4, int4: 4, uint2: 2, int2: 2 };
const RANGE = { uint4: [0, 15], int4: [-8, 7], uint2: [0, 3], int2: [-2, 1] };
const PACKED = Object.keys(WIDTH);

/** Element i's bits at (i·b) mod 8 of byte floor(i·b/8), written bit by bit. */
function packRef(values, b) {
  const out = new Uint8Array(Math.ceil((values.length * b) / 8));
  for (let i = 0; i < values.length; i++) {
    for (let k = 0; k < b; k++) {
      const bit = Math.floor(((values[i] % 2 ** b) + 2 ** b) / 2 ** k) % 2; // two's complement, digit k
      const pos = i * b + k;
      out[Math.floor(pos / 8)] += bit * 2 ** (pos % 8);
    }
  }
  return out;
}

function unpackRef(bytes, n, dtype) {
  const b = WIDTH[dtype];
  const out = [];
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < b; k++) {
      const pos = i * b + k;
      v += (Math.floor(bytes[Math.floor(pos / 8)] / 2 ** (pos % 8)) % 2) * 2 ** k;
    }
    out.push(RANGE[dtype][0] < 0 && v >= 2 ** (b - 1) ? v - 2 ** b : v);
  }
  return out;
}

function rangeOf(dtype, bits) {
  const b = bits ?? WIDTH[dtype];
  return RANGE[dtype][0] < 0 ? [-(2 ** (b - 1)), 2 ** (b - 1) - 1] : [0, 2 ** b - 1];
}

function expectedQuantize(x, { scale, zeroPoint, dtype, bits }) {
  const [qmin, qmax] = rangeOf(dtype, bits);
  return packRef(Array.from(x, (v) => quantizeValue(v, scale, zeroPoint, qmin, qmax)), WIDTH[dtype]);
}

function expectedDequantize(bytes, n, { scale, zeroPoint, dtype }) {
  return Float32Array.from(unpackRef(bytes, n, dtype), (v) => Math.fround((v - zeroPoint) * Math.fround(scale)));
}

// A deterministic generator (no Math.random: a failure must be reproducible).
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** n values around the quantization grid of `scale`: exact ties, neighbours, specials. */
function values(n, scale, rand) {
  const specials = [NaN, Infinity, -Infinity, -0, 0, 1.4e-45, -1.4e-45, 3.4e38, -3.4e38];
  return Float32Array.from({ length: n }, () => {
    const r = rand();
    if (r < 0.1) return specials[Math.floor(rand() * specials.length)];
    if (r < 0.5) return (Math.floor(rand() * 40) - 20 + 0.5) * scale; // an exact tie
    return (rand() * 40 - 20) * scale;
  });
}

const bytesOf = (a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

describe(`packed sub-byte dtypes (${qk.backend.name}/${qk.backend.isa})`, () => {
  it('the ranges and bit order of the ONNX spec (fixed vectors)', () => {
    // ONNX: int4 [-8, 7], uint4 [0, 15], int2 [-2, 1], uint2 [0, 3]; the first element in the low bits.
    assert.deepEqual(bytesOf(qk.pack(Uint8Array.of(1, 2, 3, 4, 5), 'uint4')), [0x21, 0x43, 0x05]);
    assert.deepEqual(bytesOf(qk.pack(Int8Array.of(-1, -8, 7), 'int4')), [0x8f, 0x07]);
    assert.deepEqual(bytesOf(qk.pack(Uint8Array.of(3, 2, 1, 0, 1), 'uint2')), [0x1b, 0x01]);
    assert.deepEqual(bytesOf(qk.pack(Int8Array.of(-1, -2, 1, 0, 1), 'int2')), [0x1b, 0x01]);
    assert.deepEqual(Array.from(qk.unpack(Uint8Array.of(0x8f, 0xf7), 'int4', 3)), [-1, -8, 7]);
    assert.ok(qk.unpack(Uint8Array.of(0), 'int4', 1) instanceof Int8Array);
    assert.ok(qk.unpack(Uint8Array.of(0), 'uint2', 1) instanceof Uint8Array);
    const q = qk.quantize(Float32Array.of(-100, -1, 0, 0.25, 0.75, 100, NaN), { scale: 0.5, zeroPoint: 1, dtype: 'int4' });
    // codes -8, -1, 1, 1 (0.5 ties to even 0, +1), 3 (1.5 → 2, +1), 7, 1 (NaN → zero point)
    assert.deepEqual(bytesOf(q), [0xf8, 0x11, 0x73, 0x01]);
  });

  for (const dtype of PACKED) {
    const b = WIDTH[dtype];
    describe(dtype, () => {
      it('quantize: every length 0..300, offsets of x and out, ties, NaN, ±Inf, −0 (SPEC reference)', () => {
        const rand = rng(b * 7919 + (dtype[0] === 'i' ? 1 : 0));
        const [qmin, qmax] = RANGE[dtype];
        for (let n = 0; n <= 300; n++) {
          const scale = Math.fround(0.01 + rand() * 3);
          const zeroPoint = qmin + Math.floor(rand() * (qmax - qmin + 1));
          const p = { scale, zeroPoint, dtype };
          const xOff = n % 5;
          const f64 = n % 3 === 0;
          const x = new (f64 ? Float64Array : Float32Array)(n + xOff + 2).subarray(xOff, xOff + n);
          x.set(values(n, scale, rand));
          const want = bytesOf(expectedQuantize(x, p));
          assert.deepEqual(bytesOf(qk.quantize(x, p)), want, `n=${n}`);
          const outOff = 1 + (n % 3); // odd and even byte offsets
          const backing = new Uint8Array(want.length + outOff + 2).fill(0xa5);
          const out = backing.subarray(outOff, outOff + want.length);
          assert.equal(qk.quantize(x, p, out), out);
          assert.deepEqual(bytesOf(out), want, `n=${n} in place`);
          assert.equal(backing[outOff - 1], 0xa5, 'the byte before out untouched');
          assert.equal(backing[outOff + want.length], 0xa5, 'the byte after out untouched');
        }
      });

      it('quantize: narrowed bits, and a long input across chunk and thread boundaries', function () {
        const rand = rng(101 + b);
        const bitsList = b === 4 ? [2, 3, 4] : [2];
        for (const bits of bitsList) {
          const [qmin, qmax] = rangeOf(dtype, bits);
          const p = { scale: 0.37, zeroPoint: Math.floor((qmin + qmax) / 2), dtype, bits };
          const x = values(10007, 0.37, rand);
          assert.deepEqual(bytesOf(qk.quantize(x, p)), bytesOf(expectedQuantize(x, p)), `bits=${bits}`);
        }
        // 4 Mi + 13 elements: two threads in the addon (parts on 64-element boundaries). The
        // split is the same code for every packed dtype, so one signed 4-bit and one unsigned
        // 2-bit type carry it (the bit-by-bit reference is slow, above all under emulation).
        if (dtype !== 'int4' && dtype !== 'uint2') return;
        const n = (1 << 22) + 13;
        this.timeout(300000);
        const x = new Float32Array(n);
        for (let i = 0; i < n; i++) x[i] = ((i * 2654435761) % 1000) / 37 - 13.5;
        const p = { scale: 0.75, zeroPoint: rangeOf(dtype)[0] + 1, dtype };
        const got = qk.quantize(x, p);
        const want = expectedQuantize(x, p);
        assert.equal(got.length, want.length);
        assert.ok(got.every((v, i) => v === want[i]), 'every byte of a 4 Mi input');
        const back = qk.dequantize(got, p, new Float32Array(n));
        const wantBack = expectedDequantize(want, n, p);
        assert.ok(back.every((v, i) => Object.is(v, wantBack[i])), 'every value dequantized');
      });

      it('dequantize: lengths 0..300 by out.length and by params.count, offsets, padding bits ignored', () => {
        const rand = rng(31 * b + 3);
        const [qmin, qmax] = RANGE[dtype];
        for (let n = 0; n <= 300; n++) {
          const bytes = Math.ceil((n * b) / 8);
          const qOff = n % 4;
          const q = new Uint8Array(bytes + qOff).subarray(qOff);
          for (let i = 0; i < bytes; i++) q[i] = Math.floor(rand() * 256); // padding bits too
          const p = { scale: Math.fround(0.001 + rand() * 5), zeroPoint: qmin + Math.floor(rand() * (qmax - qmin + 1)), dtype };
          const want = Array.from(expectedDequantize(q, n, p));
          assert.deepEqual(Array.from(qk.dequantize(q, { ...p, count: n })), want, `n=${n} count`);
          const out = new Float32Array(n + 1).subarray(1);
          assert.equal(qk.dequantize(q, p, out), out);
          assert.deepEqual(Array.from(out), want, `n=${n} out`);
          assert.ok(!want.some((v) => Object.is(v, -0)), 'never −0');
        }
      });

      it('quantizeDynamic returns count, and dequantize(r.data, r) round-trips within half a step', () => {
        const rand = rng(77 + b);
        for (const n of [0, 1, 2, 3, 5, 64, 333]) {
          const x = Float32Array.from({ length: n }, () => rand() * 8 - 3);
          const r = qk.quantizeDynamic(x, { dtype });
          assert.equal(r.count, n);
          assert.equal(r.dtype, dtype);
          const p = qk.computeParams(x, { dtype });
          assert.equal(r.scale, p.scale);
          assert.equal(r.zeroPoint, p.zeroPoint);
          assert.deepEqual(bytesOf(r.data), bytesOf(expectedQuantize(x, r)));
          const back = qk.dequantize(r.data, r);
          assert.equal(back.length, n);
          back.forEach((v, i) => assert.ok(Math.abs(v - x[i]) <= r.scale / 2 + 1e-6, `${v} vs ${x[i]}`));
          const into = new Uint8Array(Math.ceil((n * b) / 8) + 3).subarray(3);
          assert.equal(qk.quantizeDynamic(x, { dtype, out: into }).data, into);
          assert.deepEqual(bytesOf(into), bytesOf(r.data));
        }
      });

      it('paramsFromRange / computeParams use the packed ranges (affine and symmetric)', () => {
        const [qmin, qmax] = RANGE[dtype];
        const f = Math.fround;
        const a = qk.paramsFromRange(-1, 3, { dtype });
        const scale = f(f(3 - -1) / (qmax - qmin));
        assert.equal(a.scale, scale);
        assert.equal(a.zeroPoint, rintEven(Math.min(qmax, Math.max(qmin, f(qmin - f(-1 / scale))))));
        assert.equal(a.dtype, dtype);
        const s = qk.paramsFromRange(-1, 3, { dtype, symmetric: true });
        assert.equal(s.scale, f(3 / (2 ** (b - 1) - 1)));
        assert.equal(s.zeroPoint, qmin < 0 ? 0 : 2 ** (b - 1));
        if (b === 4) {
          const n = qk.paramsFromRange(0, 1, { dtype, bits: 3 });
          assert.equal(n.bits, 3);
          assert.equal(n.scale, f(1 / 7));
        }
      });

      it('pack / unpack: round trip for every value, every length 0..40, offsets', () => {
        const [lo, hi] = RANGE[dtype];
        const Signed = lo < 0 ? Int8Array : Uint8Array;
        for (let n = 0; n <= 40; n++) {
          const v = new Signed(n + 1).subarray(1);
          for (let i = 0; i < n; i++) v[i] = lo + ((i * 7 + n) % (hi - lo + 1));
          const want = packRef(Array.from(v), b);
          const packed = qk.pack(v, dtype);
          assert.deepEqual(bytesOf(packed), bytesOf(want), `n=${n}`);
          const out = new Uint8Array(want.length + 1).subarray(1);
          assert.equal(qk.pack(v, dtype, out), out);
          assert.deepEqual(bytesOf(out), bytesOf(want));
          const back = qk.unpack(packed, dtype, n);
          assert.ok(back instanceof Signed);
          assert.deepEqual(Array.from(back), Array.from(v));
          const into = new Signed(n + 2).subarray(2);
          assert.equal(qk.unpack(packed, dtype, n, into), into);
          assert.deepEqual(Array.from(into), Array.from(v));
        }
        // an unsigned dtype from an Int8Array and a signed one from a Uint8Array (in range)
        if (lo < 0) assert.deepEqual(bytesOf(qk.pack(Uint8Array.of(1, 0), dtype)), bytesOf(packRef([1, 0], b)));
        else assert.deepEqual(bytesOf(qk.pack(Int8Array.of(hi, 0), dtype)), bytesOf(packRef([hi, 0], b)));
        // quantize = pack(8-bit quantize) for the same range
        const x = values(99, 0.3, rng(5));
        const codes = Array.from(x, (t) => quantizeValue(t, 0.3, 0, lo, hi));
        assert.deepEqual(bytesOf(qk.quantize(x, { scale: 0.3, zeroPoint: lo < 0 ? 0 : 1, dtype })), bytesOf(packRef(Array.from(x, (t) => quantizeValue(t, 0.3, lo < 0 ? 0 : 1, lo, hi)), b)));
        assert.deepEqual(bytesOf(qk.pack(Signed.from(codes), dtype)), bytesOf(packRef(codes, b)));
      });
    });
  }

  describe('errors: the class, the message, and out untouched', () => {
    const x = new Float32Array([0.5, -1, 2]);
    const i4 = { scale: 0.1, zeroPoint: 0, dtype: 'int4' };

    it('quantize', () => {
      const o = new Uint8Array(2).fill(42);
      rejects(() => qk.quantize(x, i4, new Int8Array(2)), 'TypeError', "Expected a Uint8Array (dtype 'int4') for out but received Int8Array(2)");
      rejects(() => qk.quantize(x, i4, new Uint8Array(3).fill(42)), 'RangeError', "Expected out.length to equal 2 (3 'int4' values packed) but received 3");
      rejects(() => qk.quantize(x, { ...i4, zeroPoint: 8 }, o), 'RangeError', 'Expected an integer in [-8, 7] for params.zeroPoint but received 8', o);
      rejects(() => qk.quantize(x, { ...i4, dtype: 'uint2', zeroPoint: 4 }, new Uint8Array(1)), 'RangeError', 'Expected an integer in [0, 3] for params.zeroPoint but received 4');
      rejects(() => qk.quantize(x, { ...i4, bits: 5 }, o), 'RangeError', "Expected an integer in [2, 4] for params.bits (dtype 'int4') but received 5", o);
      rejects(() => qk.quantize(x, { ...i4, dtype: 'int2', bits: 3 }, new Uint8Array(1)), 'RangeError', "Expected an integer in [2, 2] for params.bits (dtype 'int2') but received 3");
      rejects(() => qk.quantize(x, { ...i4, bits: 2, zeroPoint: 2 }, o), 'RangeError', 'Expected an integer in [-2, 1] for params.zeroPoint but received 2', o);
      const shared = new Float32Array(4);
      const overlap = new Uint8Array(shared.buffer, 2, 2).fill(42);
      rejects(() => qk.quantize(shared.subarray(0, 3), i4, overlap), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [2, 4) of the same buffer", overlap);
      rejects(() => qk.quantizeDynamic(x, { dtype: 'uint4', out: new Uint8Array(3) }), 'RangeError', "Expected opts.out.length to equal 2 (3 'uint4' values packed) but received 3");
      rejects(() => qk.quantizeDynamic(Float32Array.of(1, Infinity), { dtype: 'uint4', out: o }), 'RangeError', "Expected opts.out.length to equal 1 (2 'uint4' values packed) but received 2", o);
      const o1 = new Uint8Array(1).fill(42);
      rejects(() => qk.quantizeDynamic(Float32Array.of(1, Infinity), { dtype: 'uint4', out: o1 }), 'RangeError', 'Expected x to hold only finite values (NaN is ignored) but its range is [1, Infinity]', o1);
    });

    it('dequantize', () => {
      const q = Uint8Array.of(0x21, 0x03);
      const o = new Float32Array(3).fill(42);
      rejects(() => qk.dequantize(q, i4), 'TypeError', "Expected an element count for params.count (dtype 'int4' is packed; or pass out) but received undefined");
      rejects(() => qk.dequantize(q, { ...i4, count: '3' }), 'TypeError', "Expected a number for params.count but received '3'");
      rejects(() => qk.dequantize(q, { ...i4, count: -1 }), 'RangeError', 'Expected a non-negative integer for params.count but received -1');
      rejects(() => qk.dequantize(q, { ...i4, count: 2.5 }), 'RangeError', 'Expected a non-negative integer for params.count but received 2.5');
      rejects(() => qk.dequantize(q, { ...i4, count: 5 }), 'RangeError', "Expected q.length to equal 3 (5 'int4' values packed) but received 2");
      rejects(() => qk.dequantize(q, { ...i4, count: 2 }, o), 'RangeError', 'Expected params.count to equal out.length 3 but received 2', o);
      const o5 = new Float32Array(5).fill(42);
      rejects(() => qk.dequantize(q, i4, o5), 'RangeError', "Expected q.length to equal 3 (5 'int4' values packed) but received 2", o5);
      rejects(() => qk.dequantize(new Int8Array(2), { ...i4, count: 3 }), 'TypeError', "Expected a Uint8Array (dtype 'int4') for q but received Int8Array(2)");
      rejects(() => qk.dequantize(q, i4, new Float64Array(3)), 'TypeError', 'Expected a Float32Array for out but received Float64Array(3)');
      const buf = new ArrayBuffer(16);
      const shared = new Uint8Array(buf, 4, 2);
      const overlap = new Float32Array(buf, 4, 3).fill(42);
      rejects(() => qk.dequantize(shared, i4, overlap), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [4, 6) of the same buffer", overlap);
    });

    it('pack and unpack', () => {
      const o = new Uint8Array(2).fill(42);
      rejects(() => qk.pack([1, 2], 'int4'), 'TypeError', 'Expected an Int8Array or Uint8Array for values but received an Array(2)');
      rejects(() => qk.pack(Int8Array.of(1), 'int8'), 'TypeError', "Expected one of 'uint4', 'int4', 'uint2', 'int2' for dtype but received 'int8'");
      rejects(() => qk.pack(Int8Array.of(1, 2, 3), 'int4', new Uint8Array(1)), 'RangeError', "Expected out.length to equal 2 (3 'int4' values packed) but received 1");
      rejects(() => qk.pack(Int8Array.of(1, 2, 3), 'int4', new Int8Array(2)), 'TypeError', "Expected a Uint8Array (dtype 'int4') for out but received Int8Array(2)");
      rejects(() => qk.pack(Int8Array.of(1, 2, 8), 'int4', o), 'RangeError', "Expected an integer in [-8, 7] for values[2] (dtype 'int4') but received 8", o);
      rejects(() => qk.pack(Int8Array.of(0, -1, 9), 'uint4', o), 'RangeError', "Expected an integer in [0, 15] for values[1] (dtype 'uint4') but received -1", o);
      rejects(() => qk.pack(Uint8Array.of(0, 255), 'int4', new Uint8Array(1).fill(42)), 'RangeError', "Expected an integer in [-8, 7] for values[1] (dtype 'int4') but received 255");
      const o1 = new Uint8Array(1).fill(42);
      rejects(() => qk.pack(Uint8Array.of(3, 3, 4), 'uint2', o1), 'RangeError', "Expected an integer in [0, 3] for values[2] (dtype 'uint2') but received 4", o1);
      const shared = new Uint8Array(8);
      rejects(() => qk.pack(shared.subarray(0, 4), 'uint4', shared.subarray(3, 5)), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [3, 4) of the same buffer");
      const u = new Int8Array(3).fill(42);
      rejects(() => qk.unpack(Uint8Array.of(1, 2), 'int4', 3, new Uint8Array(3)), 'TypeError', "Expected an Int8Array (dtype 'int4') for out but received Uint8Array(3)");
      rejects(() => qk.unpack(Uint8Array.of(1, 2), 'uint4', 3, new Int8Array(3)), 'TypeError', "Expected a Uint8Array (dtype 'uint4') for out but received Int8Array(3)");
      rejects(() => qk.unpack(Uint8Array.of(1, 2), 'int4', 4, u), 'RangeError', 'Expected out.length to equal count 4 but received 3', u);
      rejects(() => qk.unpack(Uint8Array.of(1, 2), 'int4', 5), 'RangeError', "Expected packed.length to equal 3 (5 'int4' values packed) but received 2");
      rejects(() => qk.unpack(Uint8Array.of(1, 2), 'int2', 9), 'RangeError', "Expected packed.length to equal 3 (9 'int2' values packed) but received 2");
      rejects(() => qk.unpack(Uint8Array.of(1, 2), 'int4', undefined), 'TypeError', 'Expected a number for count but received undefined');
      rejects(() => qk.unpack(Uint8Array.of(1, 2), 'int4', -3), 'RangeError', 'Expected a non-negative integer for count but received -3');
      rejects(() => qk.unpack(new Int8Array(2), 'int4', 3), 'TypeError', "Expected a Uint8Array (dtype 'int4') for packed but received Int8Array(2)");
      rejects(() => qk.unpack(Uint8Array.of(1, 2), 'float16', 3), 'TypeError', "Expected one of 'uint4', 'int4', 'uint2', 'int2' for dtype but received 'float16'");
      const detachedQ = new Uint8Array(2);
      structuredClone(detachedQ.buffer, { transfer: [detachedQ.buffer] });
      rejects(() => qk.unpack(detachedQ, 'int4', 0), 'RangeError', 'Expected packed to be attached but its buffer is detached');
    });
  });
});

// ONNX Runtime as the oracle. onnxruntime-node 1.30 cannot pass int4/uint4/int2/uint2 tensors
// across its JS boundary ("Tensor.type is not supported: int4"; reading an int4 output aborts
// the process), so the packed tensors stay inside the graph: QuantizeLinear's output goes
// through Cast to int8, and DequantizeLinear reads packed bytes from an initializer's raw_data
// (which ORT unpacks in ONNX order).
describe(`packed dtypes against ONNX Runtime (${qk.backend.name}/${qk.backend.isa})`, function () {
  this.timeout(120000);
  let ort;
  before(() => {
    ort = require('onnxruntime-node');
  });
  // ONNX TensorProto.DataType codes; 2-bit types need opset 25 (ORT 1.30 runs them there).
  const ONNX = { uint4: 21, int4: 22, uint2: 25, int2: 26 };
  const OPSET = { uint4: 21, int4: 21, uint2: 25, int2: 25 };
  const FLOAT = 1;
  const dims = (d) => d;

  async function ortQuantize(x, { scale, zeroPoint, dtype }) {
    const model = buildModel({
      opType: 'QuantizeLinear',
      opset: OPSET[dtype],
      nodeInputs: ['x', 's', 'z'],
      nodeOutputs: ['q'],
      inputs: [{ name: 'x', elemType: FLOAT, dims: dims(['N']) }],
      outputs: [{ name: 'q', elemType: ONNX[dtype], dims: ['N'] }],
      initializers: [
        { name: 's', dataType: FLOAT, dims: [], floatData: [scale] },
        { name: 'z', dataType: ONNX[dtype], dims: [], int32Data: [zeroPoint] },
      ],
    });
    const { onnx } = require('onnx-proto');
    const m = castOutputToInt8(onnx.ModelProto.decode(model));
    const session = await ort.InferenceSession.create(onnx.ModelProto.encode(m).finish());
    try {
      return (await session.run({ x: new ort.Tensor('float32', x, [x.length]) })).q.data;
    } finally {
      await session.release();
    }
  }

  async function ortDequantize(bytes, n, { scale, zeroPoint, dtype }) {
    const model = buildModel({
      opType: 'DequantizeLinear',
      opset: OPSET[dtype],
      nodeInputs: ['q', 's', 'z'],
      nodeOutputs: ['y'],
      inputs: [],
      outputs: [{ name: 'y', elemType: FLOAT, dims: [n] }],
      initializers: [
        { name: 'q', dataType: ONNX[dtype], dims: [n], rawData: bytes },
        { name: 's', dataType: FLOAT, dims: [], floatData: [scale] },
        { name: 'z', dataType: ONNX[dtype], dims: [], int32Data: [zeroPoint] },
      ],
    });
    const session = await ort.InferenceSession.create(model);
    try {
      return (await session.run({})).y.data;
    } finally {
      await session.release();
    }
  }

  for (const dtype of PACKED) {
    it(`${dtype}: QuantizeLinear (opset ${OPSET[dtype]}) equals unpack(quantize(x)) on every non-NaN value`, async () => {
      const rand = rng(1234 + ONNX[dtype]);
      const [qmin, qmax] = RANGE[dtype];
      for (let run = 0; run < 12; run++) {
        const scale = Math.fround(0.02 + rand() * 2);
        const zeroPoint = qmin + (run % (qmax - qmin + 1));
        const p = { scale, zeroPoint, dtype };
        // Left out: NaN (ONNX leaves it undefined, ORT gives qmin, quantkit the zero point, SPEC §2.1)
        // and |x / s| >= 2^31, where ORT 1.30's sub-byte QuantizeLinear converts to int32 first
        // and wraps (int4, zero point -2: -Inf gives 7; uint2: 1e30 gives 0), while quantkit
        // saturates as SPEC §2.1 says and as ORT's own 8-bit kernels do (tested above).
        const x = values(257 + run, scale, rand).map((v) => (Number.isNaN(v) || Math.abs(Math.fround(v / scale)) >= 2 ** 31 ? 0.5 * scale : v));
        const want = await ortQuantize(x, p);
        assert.deepEqual(Array.from(qk.unpack(qk.quantize(x, p), dtype, x.length)), Array.from(want), `run ${run}`);
      }
    });

    it(`${dtype}: DequantizeLinear (opset ${OPSET[dtype]}) of packed bytes, odd and even counts, padding bits set`, async () => {
      const rand = rng(4321 + ONNX[dtype]);
      const [qmin, qmax] = RANGE[dtype];
      for (const n of [1, 2, 3, 4, 5, 7, 8, 63, 64, 255, 1001]) {
        const bytes = Uint8Array.from({ length: Math.ceil((n * WIDTH[dtype]) / 8) }, () => Math.floor(rand() * 256));
        const p = { scale: Math.fround(0.001 + rand() * 4), zeroPoint: qmin + Math.floor(rand() * (qmax - qmin + 1)), dtype };
        const want = await ortDequantize(bytes, n, p);
        assert.deepEqual(Array.from(qk.dequantize(bytes, { ...p, count: n })), Array.from(want), `n=${n}`);
      }
    });
  }
});
