'use strict';
// float16 and bfloat16 input to quantize, computeParams, minMax and quantizeDynamic: the codes
// of a 16-bit value are the codes of its (exact) float32 value. Checked against ONNX Runtime's
// QuantizeLinear with a float16 x over every float16 pattern, and against a reference that
// decodes the 16-bit values from their definitions, across chunk boundaries, packed and
// per-axis parameters, sub-array views and the error paths.
const assert = require('node:assert/strict');
const ort = require('onnxruntime-node');
const { onnx } = require('onnx-proto');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { CTORS, qRange, quantizeRef, halfValue, bfloat16Value } = require('./support/reference');
const { prng } = require('./support/data');
const { buildModel } = require('./support/onnx-graphs');

const DataType = onnx.TensorProto.DataType;
const ONNX_TYPES = { uint8: DataType.UINT8, int8: DataType.INT8, uint16: DataType.UINT16, int16: DataType.INT16 };

const decode = (format, bits) => Float64Array.from(bits, format === 'float16' ? halfValue : bfloat16Value);

const ALL_PATTERNS = Uint16Array.from({ length: 65536 }, (_, i) => i);
// Past one widening chunk (16384 elements) by an odd amount, so chunk seams and an odd tail occur.
const LONG = 3 * 16384 + 13;

function randomBits(n, seed) {
  const next = prng(seed);
  return Uint16Array.from({ length: n }, () => Math.floor(next() * 65536));
}

// Random finite 16-bit values of moderate size (a scale then spreads them over the whole code range).
function moderateBits(format, n, seed) {
  const next = prng(seed);
  const values = Float32Array.from({ length: n }, () => (next() - 0.5) * 8);
  return format === 'float16' ? qk.toFloat16(values) : qk.toBFloat16(values);
}

// QuantizeLinear with float16 x (ONNX ties x and y_scale to one type T1, so the scale is float16 too).
// x and the scale are float16 initializers, not inputs: where the runtime has Float16Array
// (Node 24+), onnxruntime-node takes no float16 input tensor (microsoft/onnxruntime#26791).
async function ortQuantizeHalf(h, scaleBits, zeroPoint, dtype) {
  const raw = (bits) => new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength).slice();
  const model = buildModel({
    opType: 'QuantizeLinear',
    opset: 21,
    nodeInputs: ['x', 'y_scale', 'y_zero_point'],
    nodeOutputs: ['y'],
    inputs: [{ name: 'y_zero_point', elemType: ONNX_TYPES[dtype], dims: [] }],
    outputs: [{ name: 'y', elemType: ONNX_TYPES[dtype], dims: [h.length] }],
    initializers: [
      { name: 'x', dataType: DataType.FLOAT16, dims: [h.length], rawData: raw(h) },
      { name: 'y_scale', dataType: DataType.FLOAT16, dims: [], rawData: raw(Uint16Array.of(scaleBits)) },
    ],
  });
  const session = await ort.InferenceSession.create(model);
  try {
    return (await session.run({ y_zero_point: new ort.Tensor(dtype, CTORS[dtype].of(zeroPoint), []) })).y.data;
  } finally {
    await session.release();
  }
}

describe(`float16 and bfloat16 input (${qk.backend.name}/${qk.backend.isa})`, function () {
  this.timeout(60000);

  describe('against ONNX Runtime QuantizeLinear with float16 x (opset 21)', () => {
    // Scales that are float16 values: 1, 1/3 rounded, 0.1 rounded, a subnormal, the largest finite.
    const SCALES = [0x3c00, 0x3555, 0x2e66, 0x0001, 0x7bff];
    for (const dtype of ['uint8', 'int8', 'uint16', 'int16']) {
      it(`${dtype}: every float16 pattern at five float16 scales, bit for bit`, async () => {
        const [qmin, qmax] = qRange(dtype);
        const zeroPoint = dtype.startsWith('u') ? Math.floor(qmax / 3) : -3;
        const x = decode('float16', ALL_PATTERNS);
        let compared = 0;
        for (const scaleBits of SCALES) {
          const scale = halfValue(scaleBits);
          const ours = qk.quantize({ format: 'float16', bits: ALL_PATTERNS }, { scale, zeroPoint, dtype });
          const theirs = await ortQuantizeHalf(ALL_PATTERNS, scaleBits, zeroPoint, dtype);
          for (let i = 0; i < 65536; i++) {
            const v = x[i];
            if (Number.isNaN(v)) {
              // NaN -> zero point (README "Numbers"); ORT's NaN result is unspecified.
              assert.equal(ours[i], zeroPoint, `NaN pattern 0x${i.toString(16)}`);
            } else if (Math.abs(Math.fround(v / scale)) >= 2 ** 31) {
              // ORT converts x / scale through int32 and wraps from 2^31 on (README table); quantkit saturates.
              assert.equal(ours[i], v > 0 ? qmax : qmin, `saturated 0x${i.toString(16)} at scale ${scale}`);
            } else {
              compared++;
              if (ours[i] !== theirs[i]) {
                assert.fail(`float16 0x${i.toString(16)} (${v}) at scale ${scale}: quantkit ${ours[i]}, ORT ${theirs[i]}`);
              }
            }
          }
        }
        assert.ok(compared > 250000, `${compared} lanes compared with ORT`);
      });
    }
  });

  describe('the codes of the float32 values', () => {
    for (const format of ['float16', 'bfloat16']) {
      for (const dtype of ['uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'uint2', 'int2']) {
        it(`${format} → ${dtype}: random patterns (NaN, ±Inf, subnormals included) across chunk seams`, () => {
          const bits = randomBits(LONG, 7 + dtype.length);
          const x = decode(format, bits);
          for (const scale of [0.03125, 0.7, 3e-3, 1e-40]) {
            const { signed, width } = qk.dtypes[dtype];
            const params = { scale, zeroPoint: (signed ? -(2 ** (width - 1)) : 0) + 1, dtype };
            const ours = qk.quantize({ format, bits }, params);
            assert.deepEqual(ours, qk.quantize(Float32Array.from(x), params), 'the same codes as the float32 values');
            if (!['uint4', 'int4', 'uint2', 'int2'].includes(dtype)) assert.deepEqual(ours, quantizeRef(x, params), 'the reference');
          }
        });
      }

      it(`${format} → float8e4m3fn and float8e5m2, saturating or not: the codes of the float32 values`, () => {
        const bits = randomBits(LONG, 21);
        // Widened by the conversion call (checked against ORT's Cast in float16.test.js): a
        // float8 NaN keeps the sign of x, which a JS number cannot carry.
        const x = format === 'float16' ? qk.fromFloat16(bits) : qk.fromBFloat16(bits);
        for (const dtype of ['float8e4m3fn', 'float8e5m2']) {
          for (const saturate of [true, false]) {
            const params = { scale: 0.75, dtype, saturate };
            assert.deepEqual(qk.quantize({ format, bits }, params), qk.quantize(x, params));
          }
        }
        const moderate = moderateBits(format, LONG, 22);
        const opts = { dtype: 'float8e5m2' };
        assert.deepEqual(qk.quantizeDynamic({ format, bits: moderate }, opts), qk.quantizeDynamic(Float32Array.from(decode(format, moderate)), opts));
      });

      it(`${format}: every convention gives the codes of the float32 values (per-tensor, packed, blocked, dynamic)`, () => {
        const bits = moderateBits(format, LONG, 23);
        const x = Float32Array.from(decode(format, bits));
        for (const convention of ['onnx', 'pytorch', 'tflite']) {
          // A scale whose quotients land on many exact ties and reciprocal-rounding cases.
          for (const params of [{ scale: 0.0078125, zeroPoint: 3, dtype: 'int8', convention }, { scale: 0.3, zeroPoint: 1, dtype: 'int4', convention }]) {
            assert.deepEqual(qk.quantize({ format, bits }, params), qk.quantize(x, params), `${convention} ${params.dtype}`);
          }
          const layout = { axis: 0, shape: [LONG], blockSize: 32, dtype: 'uint8', convention };
          assert.deepEqual(qk.quantizeDynamic({ format, bits }, layout), qk.quantizeDynamic(x, layout));
          assert.deepEqual(qk.quantizeDynamic({ format, bits }, { dtype: 'int16', convention }), qk.quantizeDynamic(x, { dtype: 'int16', convention }));
        }
      });

      it(`${format}: out at an odd byte offset is written in place and returned; its neighbours are untouched`, () => {
        const bits = moderateBits(format, LONG, 11);
        const params = { scale: 0.02, zeroPoint: -5, dtype: 'int16' };
        const buffer = new ArrayBuffer(2 * (LONG + 3));
        const whole = new Int16Array(buffer).fill(0x5a5a);
        const out = new Int16Array(buffer, 2, LONG);
        assert.equal(qk.quantize({ format, bits }, params, out), out);
        assert.deepEqual(out, quantizeRef(decode(format, bits), params));
        assert.equal(whole[0], 0x5a5a);
        assert.equal(whole[LONG + 1], 0x5a5a);
        assert.equal(whole[LONG + 2], 0x5a5a);
      });

      it(`${format}: bits viewed at an odd element offset of a larger buffer`, () => {
        const all = moderateBits(format, LONG + 5, 12);
        const bits = all.subarray(3, LONG + 4);
        const params = { scale: 0.05, zeroPoint: 128, dtype: 'uint8' };
        assert.deepEqual(qk.quantize({ format, bits }, params), quantizeRef(decode(format, bits), params));
      });

      it(`${format}: packed int4 of an odd length into a given out`, () => {
        const bits = moderateBits(format, LONG, 13);
        const params = { scale: 0.6, zeroPoint: 1, dtype: 'int4' };
        const out = new Uint8Array(Math.ceil(LONG / 2)).fill(0xee);
        assert.equal(qk.quantize({ format, bits }, params, out), out);
        assert.deepEqual(out, qk.quantize(Float32Array.from(decode(format, bits)), params));
        assert.equal(out[out.length - 1] >> 4, 0, 'padding nibble is zero');
      });

      it(`${format}: minMax and computeParams equal those of the float32 values`, () => {
        const cases = [moderateBits(format, LONG, 14), randomBits(LONG, 15), new Uint16Array(0)];
        // All NaN, NaN with one number at the very end, −0 only.
        const nan = format === 'float16' ? 0x7e00 : 0x7fc0;
        cases.push(new Uint16Array(40000).fill(nan));
        const lastOnly = new Uint16Array(40000).fill(nan);
        lastOnly[39999] = format === 'float16' ? 0x4000 : 0x4000; // 2 (float16), 2 (bfloat16)
        cases.push(lastOnly, new Uint16Array(5).fill(0x8000));
        for (const bits of cases) {
          const x = Float32Array.from(decode(format, bits));
          const mm = qk.minMax({ format, bits });
          assert.deepEqual(mm, qk.minMax(x));
          assert.ok(!Object.is(mm.min, -0) && !Object.is(mm.max, -0), '−0 is reported as 0');
          const finite = x.every((v) => Number.isFinite(v) || Number.isNaN(v));
          if (finite) {
            for (const opts of [undefined, { dtype: 'int8', symmetric: true }, { dtype: 'uint4' }, { dtype: 'int16', bits: 9 }]) {
              assert.deepEqual(qk.computeParams({ format, bits }, opts), qk.computeParams(x, opts));
            }
          } else {
            assert.throws(() => qk.computeParams({ format, bits }), RangeError);
          }
        }
        assert.equal(qk.minMax({ format, bits: lastOnly }).max, 2);
      });

      it(`${format}: quantizeDynamic equals quantizeDynamic of the float32 values (8-bit, packed, out given)`, () => {
        const bits = moderateBits(format, LONG, 16);
        const x = Float32Array.from(decode(format, bits));
        for (const opts of [undefined, { dtype: 'int8' }, { dtype: 'int4' }, { dtype: 'uint16', bits: 12 }]) {
          assert.deepEqual(qk.quantizeDynamic({ format, bits }, opts), qk.quantizeDynamic(x, opts));
        }
        const out = new Int8Array(LONG);
        const r = qk.quantizeDynamic({ format, bits }, { dtype: 'int8', out });
        assert.equal(r.data, out);
      });

      it(`${format}: per-axis and blocked parameters`, () => {
        const shape = [37, 6, 71];
        const n = shape.reduce((a, b) => a * b);
        const bits = moderateBits(format, n, 17);
        const x = Float32Array.from(decode(format, bits));
        for (const layout of [{ axis: 1, shape }, { axis: 2, shape, blockSize: 16 }, { axis: 0, shape, blockSize: 5 }]) {
          const opts = { dtype: 'int8', ...layout };
          const params = qk.computeParams({ format, bits }, opts);
          assert.deepEqual(params, qk.computeParams(x, opts));
          assert.deepEqual(qk.quantize({ format, bits }, params), qk.quantize(x, params));
          assert.deepEqual(qk.quantizeDynamic({ format, bits }, opts), qk.quantizeDynamic(x, opts));
        }
      });
    }
  });

  describe('errors', () => {
    const bits = Uint16Array.of(0x3c00, 0x4000, 0x4200);
    const p = { scale: 0.1, zeroPoint: 0, dtype: 'uint8' };
    const INPUTS = "a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array }";

    it('an unknown format is a TypeError that names x.format; out is untouched', () => {
      const o = new Uint8Array(3).fill(9);
      rejects(() => qk.quantize({ format: 'half', bits }, p, o), 'TypeError', "Expected 'float16' or 'bfloat16' for x.format but received 'half'", o);
      rejects(() => qk.minMax({ bits }), 'TypeError', "Expected 'float16' or 'bfloat16' for x.format but received undefined");
      rejects(() => qk.minMax({}), 'TypeError', `Expected ${INPUTS} for x but received an object`);
    });

    it('bits must be a Uint16Array', () => {
      const o = new Uint8Array(3).fill(9);
      rejects(() => qk.quantize({ format: 'float16', bits: new Int16Array(3) }, p, o), 'TypeError', 'Expected a Uint16Array for x.bits but received Int16Array(3)', o);
      rejects(() => qk.computeParams({ format: 'bfloat16', bits: [1, 2] }), 'TypeError', 'Expected a Uint16Array for x.bits but received an Array(2)');
      rejects(() => qk.quantizeDynamic({ format: 'float16' }), 'TypeError', 'Expected a Uint16Array for x.bits but received undefined');
    });

    it('a Uint16Array alone is not taken for 16-bit floats', () => {
      rejects(() => qk.quantize(bits, p), 'TypeError', `Expected ${INPUTS} for x but received Uint16Array(3)`);
    });

    it('out of the wrong length, type or overlapping the bits is refused before anything is written', () => {
      const o = new Uint8Array(4).fill(9);
      rejects(() => qk.quantize({ format: 'float16', bits }, p, o), 'RangeError', 'Expected out.length to equal the input length 3 but received 4', o);
      const i8 = new Int8Array(3).fill(9);
      rejects(() => qk.quantize({ format: 'float16', bits }, p, i8), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for out but received Int8Array(3)", i8);
      const shared = new Uint16Array(8).fill(0x3c00);
      const alias = new Uint8Array(shared.buffer, 4, 4);
      rejects(
        () => qk.quantize({ format: 'float16', bits: shared.subarray(0, 4) }, p, alias),
        'RangeError',
        "Expected out not to overlap the input's memory but it shares bytes [4, 8) of the same buffer",
        alias,
      );
    });

    it('a detached bits buffer is a RangeError', () => {
      const b = new Uint16Array(4);
      structuredClone(b.buffer, { transfer: [b.buffer] });
      rejects(() => qk.quantize({ format: 'float16', bits: b }, p), 'RangeError', 'Expected x.bits to be attached but its buffer is detached');
    });

    it('bad params are refused before anything is written', () => {
      const o = new Uint8Array(3).fill(9);
      assert.throws(() => qk.quantize({ format: 'float16', bits }, { scale: -1, zeroPoint: 0, dtype: 'uint8' }, o), RangeError);
      assert.deepEqual(o, new Uint8Array(3).fill(9));
    });
  });
  // The runtime's own float16 type, wherever float16 bits are taken: Node 24 and 26 have it,
  // Node 22 only with --js-float16array, Node 20 not at all (scripts/node-matrix.js runs this
  // suite on each). Where the runtime has none these tests are pending (not applicable).
  const F16 = globalThis.Float16Array;
  const needsF16 = (ctx) => {
    if (!F16) ctx.skip();
  };
  describe(`a Float16Array wherever float16 bits are taken (${F16 ? 'this runtime has it' : `not applicable: ${process.version} has no Float16Array`})`, () => {
    // Random patterns (NaN, ±Inf, subnormals) past a widening chunk, at an odd element offset of a
    // larger buffer: a Float16Array and a { format: 'float16', bits } view of the same bytes.
    function both(n, seed, pattern = randomBits) {
      const buf = new ArrayBuffer(2 * (n + 8));
      const bits = new Uint16Array(buf, 2 * 3, n);
      bits.set(pattern === randomBits ? randomBits(n, seed) : moderateBits('float16', n, seed));
      return { f16: new F16(buf, 2 * 3, n), half: { format: 'float16', bits } };
    }

    it('quantize, computeParams, minMax, quantizeDynamic: the same as { format, bits } over the same memory', function () {
      needsF16(this);
      const { f16, half } = both(LONG, 81, moderateBits);
      const p = qk.computeParams(f16, { dtype: 'int8' });
      assert.deepEqual(p, qk.computeParams(half, { dtype: 'int8' }));
      assert.deepEqual(qk.quantize(f16, p), qk.quantize(half, p));
      const out = new Int8Array(LONG + 3).subarray(1, LONG + 1);
      assert.equal(qk.quantize(f16, p, out), out);
      assert.deepEqual(out, qk.quantize(half, p));
      assert.deepEqual(qk.minMax(f16), qk.minMax(half));
      assert.deepEqual(qk.quantizeDynamic(f16), qk.quantizeDynamic(half));
      assert.deepEqual(qk.quantizeDynamic(f16, { dtype: 'int4' }), qk.quantizeDynamic(half, { dtype: 'int4' }));
      const axis = { axis: 1, shape: [LONG / 5, 5], dtype: 'uint8' };
      const pa = qk.computeParams(f16, axis);
      assert.deepEqual(pa, qk.computeParams(half, axis));
      assert.deepEqual(qk.quantize(f16, pa), qk.quantize(half, pa));
      const r = both(LONG, 82);
      assert.deepEqual(qk.minMax(r.f16), qk.minMax(r.half), 'NaN and ±Inf patterns');
      assert.deepEqual(qk.quantize(r.f16, p), qk.quantize(r.half, p), 'NaN and ±Inf patterns');
    });

    it('observers, errorStats, compare, quantizeEmbeddings and embeddingRanges: the same as { format, bits }', function () {
      needsF16(this);
      const { f16, half } = both(4096, 83, moderateBits);
      const p = qk.computeParams(half, { dtype: 'uint8' });
      for (const method of ['minmax', 'percentile']) {
        assert.deepEqual(qk.createObserver(method).observe(f16).params({ dtype: 'int8' }), qk.createObserver(method).observe(half).params({ dtype: 'int8' }), method);
      }
      assert.deepEqual(qk.errorStats(f16, p), qk.errorStats(half, p));
      const w = qk.fromFloat16(half.bits);
      assert.deepEqual(qk.errorStats(w, f16), qk.errorStats(w, half), 'a Float16Array as xHat');
      const rows = (x) => qk.compare(x, { schemes: ['int8', 'q8_0', 'float16'] }).map(({ ms, ...row }) => row); // ms: its own timing
      assert.deepEqual(rows(f16), rows(half));
      assert.deepEqual(qk.quantizeEmbeddings(f16, { dim: 64 }), qk.quantizeEmbeddings(half, { dim: 64 }));
      assert.deepEqual(qk.quantizeEmbeddings(f16, { dim: 64, precision: 'ubinary' }), qk.quantizeEmbeddings(half, { dim: 64, precision: 'ubinary' }));
      assert.deepEqual(qk.embeddingRanges(f16, 64), qk.embeddingRanges(half, 64));
    });

    it("imageToTensor's float16 output into a Float16Array out at an offset: the bits of the Uint16Array output; other outputs refuse it", function () {
      needsF16(this);
      const width = 5;
      const height = 3;
      const next = prng(84);
      const pixels = Uint8Array.from({ length: width * height * 3 }, () => Math.floor(next() * 256));
      const opts = { width, height, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], dtype: 'float16' };
      const expected = qk.imageToTensor(pixels, opts);
      const size = expected.length;
      const buf = new ArrayBuffer(2 * (2 * size + 4));
      new Uint16Array(buf).fill(0xabcd);
      const out = new F16(buf, 2, 2 * size + 2);
      assert.equal(qk.imageToTensor(pixels, { ...opts, offset: size }, out), out);
      const all = new Uint16Array(buf);
      assert.deepEqual(all.subarray(1 + size, 1 + 2 * size), expected);
      assert.ok(all.subarray(0, 1 + size).every((b) => b === 0xabcd) && all.subarray(1 + 2 * size).every((b) => b === 0xabcd), 'neighbours untouched');
      const f = new F16(size);
      assert.throws(() => qk.imageToTensor(pixels, { ...opts, dtype: 'float32' }, f), (e) => e instanceof TypeError && /Float32Array/.test(e.message) && /Float16Array\(45\)/.test(e.message), 'float32 output');
      assert.throws(() => qk.imageToTensor(pixels, { width, height, channels: 3, params: { scale: 1 / 255, zeroPoint: 0, dtype: 'uint16' } }, f), (e) => e instanceof TypeError && /Uint16Array/.test(e.message) && !/or Float16Array/.test(e.message), 'uint16 codes are not float16');
      assert.ok(f.every((v) => v === 0), 'nothing written');
    });

    it("quantizeModel's calibration feeds: a float16 model input takes a Float16Array as the Uint16Array of its bits", function () {
      needsF16(this);
      const { f16 } = both(1000, 85);
      const { checkFeed } = require('../dist/onnx/calibrate-model');
      const feed = checkFeed([{ name: 'x', elemType: DataType.FLOAT16, dims: [10, 100] }], { x: { data: f16, dims: [10, 100] } }, 'feed');
      const data = feed.get('x').data;
      assert.equal(Object.prototype.toString.call(data), '[object Uint16Array]');
      assert.ok(data.buffer === f16.buffer && data.byteOffset === f16.byteOffset && data.length === f16.length, 'a view of the same memory');
      assert.throws(() => checkFeed([{ name: 'x', elemType: DataType.FLOAT, dims: [1000] }], { x: { data: f16, dims: [1000] } }, 'feed'),
        (e) => e instanceof TypeError && /expected its data to be a Float32Array but received a Float16Array/.test(e.message));
    });

    it('errors: a Float16Array is not bits of another format; detached is a RangeError; nothing written', function () {
      needsF16(this);
      const p = { scale: 0.5, zeroPoint: 0, dtype: 'uint8' };
      const o = new Uint8Array(3).fill(9);
      rejects(() => qk.quantize({ format: 'bfloat16', bits: new F16(3) }, p, o), 'TypeError', 'Expected a Uint16Array for x.bits but received Float16Array(3)', o);
      const gone = new F16(3);
      structuredClone(gone.buffer, { transfer: [gone.buffer] });
      rejects(() => qk.quantize(gone, p, o), 'RangeError', 'Expected x to be attached but its buffer is detached', o);
      const shared = new F16(8).fill(1);
      const alias = new Uint8Array(shared.buffer, 4, 4);
      rejects(() => qk.quantize(shared.subarray(0, 4), p, alias), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [4, 8) of the same buffer", alias);
    });
  });
});
