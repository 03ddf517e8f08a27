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
const sessions = new Map();
async function ortQuantizeHalf(h, scaleBits, zeroPoint, dtype) {
  if (!sessions.has(dtype)) {
    const model = buildModel({
      opType: 'QuantizeLinear',
      opset: 21,
      nodeInputs: ['x', 'y_scale', 'y_zero_point'],
      nodeOutputs: ['y'],
      inputs: [
        { name: 'x', elemType: DataType.FLOAT16, dims: ['N'] },
        { name: 'y_scale', elemType: DataType.FLOAT16, dims: [] },
        { name: 'y_zero_point', elemType: ONNX_TYPES[dtype], dims: [] },
      ],
      outputs: [{ name: 'y', elemType: ONNX_TYPES[dtype], dims: ['N'] }],
    });
    sessions.set(dtype, await ort.InferenceSession.create(model));
  }
  const out = await sessions.get(dtype).run({
    x: new ort.Tensor('float16', h, [h.length]),
    y_scale: new ort.Tensor('float16', Uint16Array.of(scaleBits), []),
    y_zero_point: new ort.Tensor(dtype, CTORS[dtype].of(zeroPoint), []),
  });
  return out.y.data;
}

describe(`float16 and bfloat16 input (${qk.backend.name}/${qk.backend.isa})`, function () {
  this.timeout(60000);
  after(async () => {
    for (const s of sessions.values()) await s.release();
    sessions.clear();
  });

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
});
