'use strict';
// float8e4m3fn and float8e5m2 (README "float8") against ONNX Runtime (QuantizeLinear,
// DequantizeLinear and Cast, opset 19) and against a reference written here from the
// formats' definitions: round to nearest even over the list of representable values, the
// ONNX saturate rule for overflow. test/run.js runs this suite on every backend and ISA.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { randomSource } = require('./support/data');
const { ortQuantizeFloat8, ortDequantizeFloat8, ortCastFloat8, releaseFloat8Sessions } = require('./support/ort-float8');
const vectors = require('./support/onnx-vectors-float8');

const FORMATS = {
  // mantissa bits, bias, largest finite code, whether the all-ones exponent is Inf/NaN (IEEE-like)
  float8e4m3fn: { m: 3, bias: 7, maxCode: 0x7e, max: 448, ieee: false },
  float8e5m2: { m: 2, bias: 15, maxCode: 0x7b, max: 57344, ieee: true },
};

const bitsOf = (f) => new Uint32Array(f.buffer, f.byteOffset, f.length);
const f32OfBits = (bits) => new Float32Array(Uint32Array.from(bits).buffer);
const hex = (v) => `0x${(v >>> 0).toString(16)}`;
const signOf = (v) => (Object.is(v, -0) || v < 0 ? 1 : 0);
const nanSign = (f, i) => bitsOf(f)[i] >>> 31;

/** The value of a float8 code, from the format's definition. */
function float8Value(code, format) {
  const f = FORMATS[format];
  const sign = code & 0x80 ? -1 : 1;
  const ebits = 7 - f.m;
  const e = (code & 0x7f) >> f.m;
  const mant = code & ((1 << f.m) - 1);
  if (f.ieee && e === (1 << ebits) - 1) return mant ? NaN : sign * Infinity;
  if (!f.ieee && (code & 0x7f) === 0x7f) return NaN;
  const v = e === 0 ? 2 ** (1 - f.bias) * (mant / 2 ** f.m) : 2 ** (e - f.bias) * (1 + mant / 2 ** f.m);
  return sign * v;
}

/**
 * The code of v (a float32 value) by the README rule: round to nearest over the
 * representable values, ties to the even code; beyond the largest finite value the next step
 * up (480 / 65536) stands for "overflow", which saturate turns into ±max, else NaN / ±Inf.
 */
function referenceCode(v, format, saturate) {
  const f = FORMATS[format];
  const overflow = f.ieee ? 0x7c : 0x7f;
  if (Number.isNaN(v)) throw new Error('NaN is handled by the caller');
  const sign = signOf(v) ? 0x80 : 0;
  const a = Math.abs(v);
  const next = f.max + 2 ** (Math.floor(Math.log2(f.max)) - f.m);
  // Beyond the step after max every candidate is further away (and the distances would no
  // longer be exact in a double).
  if (a >= next) return sign | (saturate ? f.maxCode : overflow);
  let best = 0;
  let bestDist = Infinity;
  for (let c = 0; c <= f.maxCode + 1; c++) {
    const w = c === f.maxCode + 1 ? next : float8Value(c, format);
    const d = Math.abs(a - w);
    if (d < bestDist || (d === bestDist && (c & 1) === 0)) {
      best = c;
      bestDist = d;
    }
  }
  if (best === f.maxCode + 1) return sign | (saturate ? f.maxCode : overflow);
  return sign | best;
}

/** Where ONNX Runtime 1.30 differs from the rule (README "float8"): what it gives instead, or undefined. */
function ortDeviation(q, format, saturate) {
  const a = Math.abs(q);
  if (saturate || Number.isNaN(q)) return undefined;
  if (format === 'float8e4m3fn' && a >= 480 && a < 496) return q < 0 ? -448 : 448;
  if (format === 'float8e5m2' && a >= 61440 && a < 65536) return NaN;
  return undefined;
}

// Float32 inputs that matter: every representable value, every tie between neighbours and
// the float32 on either side of it (subnormals included), the overflow boundary and beyond,
// ±0, ±Inf, NaNs, float32 subnormals, both signs.
function edgeBits(format) {
  const f = FORMATS[format];
  const out = [];
  const one = new Float32Array(1);
  const u = bitsOf(one);
  const step = 2 ** (Math.floor(Math.log2(f.max)) - f.m);
  for (let c = 0; c <= f.maxCode; c++) {
    const v = float8Value(c, format);
    const w = c === f.maxCode ? f.max + step : float8Value(c + 1, format);
    one[0] = v;
    out.push(u[0]);
    one[0] = (v + w) / 2;
    const t = u[0];
    out.push(t - 1, t, t + 1);
  }
  for (const v of [f.max + step, f.max + 1.5 * step, f.max + 2 * step, 480, 481, 490, 495.9, 496, 511, 512, 61439, 61440, 61441, 65535, 65536, 1e6, 3.4e38, 1e-30, 2 ** -10, 2 ** -17, 2 ** -18]) {
    one[0] = v;
    out.push(u[0], u[0] - 1, u[0] + 1);
  }
  out.push(0, 1, 0x007fffff, 0x7f7fffff, 0x7f800000, 0x7fc00000, 0x7f800001, 0x7fbfffff, 0x7fffffff);
  const both = [];
  for (const b of out) both.push(b >>> 0, (b | 0x80000000) >>> 0);
  return both;
}

function randomInputs(n, seed) {
  const r = randomSource(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = r.next();
    if (k < 0.005) x[i] = r.pick([NaN, Infinity, -Infinity, 0, -0]);
    else x[i] = (r.next() < 0.5 ? -1 : 1) * 2 ** (r.next() * 44 - 24) * (1 + r.next());
  }
  return x;
}

/**
 * ours (codes) against ONNX Runtime's decoded QuantizeLinear output for the same x and scale:
 * the same value (sign of zero included) or a NaN of the same sign, except where README
 * documents that ORT 1.30 differs; and ours against referenceCode everywhere.
 */
function check(x, scale, format, saturate, ours, theirs) {
  for (let i = 0; i < x.length; i++) {
    const what = `${format} saturate=${saturate} x=${x[i]} (${hex(bitsOf(x)[i])}) / ${scale}`;
    const q = Math.fround(x[i] / Math.fround(scale));
    const expected = Number.isNaN(x[i]) ? (nanSign(x, i) << 7) | 0x7f : referenceCode(q, format, saturate);
    if (ours[i] !== expected) assert.fail(`${what}: code ${hex(ours[i])}, expected ${hex(expected)}`);
    const mine = float8Value(ours[i], format);
    const deviation = ortDeviation(q, format, saturate);
    const want = deviation === undefined ? mine : deviation;
    if (Number.isNaN(want)) {
      if (!(Number.isNaN(theirs[i]) && (deviation !== undefined || nanSign(theirs, i) === ours[i] >>> 7))) assert.fail(`${what}: ORT ${theirs[i]}, expected a NaN (ours ${hex(ours[i])})`);
    } else if (!Object.is(theirs[i], want)) {
      assert.fail(`${what}: ORT ${Object.is(theirs[i], -0) ? '-0' : theirs[i]}, expected ${Object.is(want, -0) ? '-0' : want} (ours ${hex(ours[i])})`);
    }
  }
}

describe(`float8 (${qk.backend.name}/${qk.backend.isa})`, function () {
  this.timeout(120000);
  after(releaseFloat8Sessions);

  for (const format of Object.keys(FORMATS)) {
    describe(format, () => {
      const codes = Uint8Array.from({ length: 256 }, (_, i) => i);

      it('the format definition used here decodes every code as ORT Cast does', async () => {
        const theirs = await ortCastFloat8(codes, format);
        for (let c = 0; c < 256; c++) {
          const v = float8Value(c, format);
          if (Number.isNaN(v)) assert.ok(Number.isNaN(theirs[c]) && nanSign(theirs, c) === c >>> 7, `code ${hex(c)}: ORT ${theirs[c]}`);
          else assert.ok(Object.is(theirs[c], c === 0x80 ? -0 : v), `code ${hex(c)}: ORT ${theirs[c]}, definition ${v}`);
        }
      });

      it('dequantize: every code at assorted scales is ORT DequantizeLinear (zero point absent or 0)', async () => {
        for (const scale of [1, 2, 0.5, 0.1, 3.7e-3, 1234.5678, 1e-40, 3e38, 1.401298464324817e-45]) {
          const s = Math.fround(scale);
          const ours = qk.dequantize(codes, { scale, dtype: format });
          for (const zeroPoint of [undefined, 0]) {
            const theirs = await ortDequantizeFloat8(codes, s, format, { zeroPoint });
            for (let c = 0; c < 256; c++) {
              const v = float8Value(c, format);
              if (Number.isNaN(v)) {
                assert.ok(Number.isNaN(theirs[c]) && nanSign(theirs, c) === c >>> 7, `ORT: NaN of the sign of ${hex(c)}`);
                // quantkit's NaN rule: the canonical NaN of the code's sign, whatever the scale.
                assert.equal(bitsOf(ours)[c], c & 0x80 ? 0xffc00000 : 0x7fc00000, `code ${hex(c)}`);
              } else {
                assert.equal(bitsOf(ours)[c], bitsOf(theirs)[c], `code ${hex(c)} · ${s}: ours ${ours[c]}, ORT ${theirs[c]}`);
                assert.ok(Object.is(ours[c], Math.fround(v * s)), `code ${hex(c)} · ${s} is fl(value · scale)`);
              }
            }
          }
        }
      });

      for (const saturate of [true, false]) {
        it(`quantize, saturate ${saturate}: ties, subnormals, overflow, ±Inf, NaN, −0 at scale 1 and 0.75 (opsets 19 and 21)`, async () => {
          const bits = edgeBits(format);
          for (const scale of [1, 0.75]) {
            // At 0.75 the inputs are scaled so that x / s lands on the same edges.
            const x = scale === 1 ? f32OfBits(bits) : Float32Array.from(f32OfBits(bits), (v) => v * 0.75);
            const ours = qk.quantize(x, { scale, dtype: format, saturate });
            for (const opset of [19, 21]) check(x, scale, format, saturate, ours, await ortQuantizeFloat8(x, scale, format, saturate, { opset }));
          }
        });

        it(`quantize, saturate ${saturate}: random data at random scales`, async () => {
          const r = randomSource(saturate ? 81 : 82);
          for (let k = 0; k < 8; k++) {
            const x = randomInputs(4099, 1000 * k + (saturate ? 1 : 2));
            const scale = k === 0 ? 1 : Math.fround(2 ** (r.next() * 30 - 15) * (1 + r.next()));
            const ours = qk.quantize(x, { scale, dtype: format, saturate });
            check(x, scale, format, saturate, ours, await ortQuantizeFloat8(x, scale, format, saturate));
          }
        });
      }

      it('ORT ignores a float8 zero point in QuantizeLinear (why quantkit accepts only 0)', async () => {
        const one = format === 'float8e4m3fn' ? 0x38 : 0x3c; // the code of 1.0
        const x = Float32Array.of(0, 1, -1, 2);
        const theirs = await ortQuantizeFloat8(x, 1, format, true, { zeroPoint: one });
        assert.deepEqual(Array.from(theirs), [0, 1, -1, 2]);
        await assert.rejects(ortDequantizeFloat8(Uint8Array.of(0, one), 1, format, { zeroPoint: one }), /zero point/);
      });

      it('the ORT 1.30 deviations README lists are what ORT does', async () => {
        const x = format === 'float8e4m3fn' ? Float32Array.of(480, -480, 490, 495.99, -495.99) : Float32Array.of(61440, -61440, 63000, 65535, -65535);
        const theirs = await ortQuantizeFloat8(x, 1, format, false);
        const ours = qk.quantize(x, { scale: 1, dtype: format, saturate: false });
        for (let i = 0; i < x.length; i++) {
          if (format === 'float8e4m3fn') {
            assert.ok(Object.is(theirs[i], x[i] < 0 ? -448 : 448), `ORT gives ±448 for ${x[i]}`);
            assert.equal(ours[i], (x[i] < 0 ? 0x80 : 0) | 0x7f, `quantkit gives NaN for ${x[i]}`);
          } else {
            assert.ok(Number.isNaN(theirs[i]), `ORT gives NaN for ${x[i]}`);
            assert.equal(ours[i], (x[i] < 0 ? 0x80 : 0) | 0x7c, `quantkit gives ±Inf for ${x[i]}`);
          }
        }
      });

      it('Float64Array input is read as float32, views at odd offsets and odd lengths work', () => {
        const x = randomInputs(1001, 7);
        x[3] = f32OfBits([0xffc00000])[0];
        x[4] = f32OfBits([0x7fc00001])[0];
        const expected = qk.quantize(x, { scale: 0.3, dtype: format, saturate: false });
        assert.equal(expected[3], 0xff);
        assert.equal(expected[4], 0x7f);
        const wide = Float64Array.from(x);
        // A negative NaN in a Float64Array keeps its sign too.
        new Uint32Array(wide.buffer, 3 * 8, 2)[1] = 0xfff80000;
        assert.deepEqual(qk.quantize(wide, { scale: 0.3, dtype: format, saturate: false }), expected);
        // Doubles that round to those float32s.
        const nudged = Float64Array.from(x, (v) => (Number.isFinite(v) && v !== 0 ? v * (1 + 2 ** -30) : v));
        nudged[3] = NaN;
        const fromNudged = qk.quantize(nudged, { scale: 0.3, dtype: format, saturate: false });
        fromNudged[3] = expected[3];
        assert.deepEqual(fromNudged, expected);
        const pool = new Uint8Array(1100);
        const view = pool.subarray(37, 37 + 999);
        assert.equal(qk.quantize(x.subarray(1, 1000), { scale: 0.3, dtype: format, saturate: false }, view), view);
        assert.deepEqual(view, expected.subarray(1, 1000));
        assert.ok(pool.subarray(0, 37).every((v) => v === 0) && pool.subarray(1036).every((v) => v === 0));
        const outPool = new Float32Array(1100);
        const outView = outPool.subarray(5, 5 + 999);
        assert.equal(qk.dequantize(view, { scale: 0.3, dtype: format }, outView), outView);
        assert.deepEqual(bitsOf(outView), bitsOf(qk.dequantize(expected.subarray(1, 1000), { scale: 0.3, dtype: format })));
        assert.deepEqual(qk.quantize(new Float32Array(0), { scale: 1, dtype: format }), new Uint8Array(0));
      });

      it('a call large enough to be split across threads gives the bits of small calls', () => {
        // 4 Mi elements and more run in parts on QUANTKIT_THREADS threads (default 2); each
        // part starts at its own offset of x and out.
        const n = (4 << 20) + 37;
        const x = randomInputs(n, 21);
        const params = { scale: 0.37, dtype: format, saturate: false };
        const whole = qk.quantize(x, params);
        const pieces = new Uint8Array(n);
        for (let i = 0; i < n; i += 100003) qk.quantize(x.subarray(i, Math.min(n, i + 100003)), params, pieces.subarray(i, Math.min(n, i + 100003)));
        assert.ok(whole.every((v, i) => v === pieces[i]), 'quantize');
        const back = bitsOf(qk.dequantize(whole, params));
        const backPieces = new Float32Array(n);
        for (let i = 0; i < n; i += 100003) qk.dequantize(whole.subarray(i, Math.min(n, i + 100003)), params, backPieces.subarray(i, Math.min(n, i + 100003)));
        const backPiecesBits = bitsOf(backPieces);
        assert.ok(back.every((v, i) => v === backPiecesBits[i]), 'dequantize');
      });

      it('paramsFromRange, computeParams, quantizeDynamic: zero point 0, scale max(|min|, |max|) / largest finite', () => {
        const { max } = FORMATS[format];
        assert.deepEqual(qk.paramsFromRange(-3, 1.5, { dtype: format }), { scale: Math.fround(3 / max), zeroPoint: 0, dtype: format });
        assert.deepEqual(qk.paramsFromRange(0.25, 7, { dtype: format, symmetric: true }), { scale: Math.fround(7 / max), zeroPoint: 0, dtype: format });
        assert.deepEqual(qk.paramsFromRange(0, 0, { dtype: format }), { scale: 1, zeroPoint: 0, dtype: format });
        const x = randomInputs(5000, 11).map((v) => (Number.isFinite(v) ? v : 0.5));
        x[17] = NaN;
        let amax = 0;
        for (const v of x) if (!Number.isNaN(v)) amax = Math.max(amax, Math.abs(v));
        const params = qk.computeParams(x, { dtype: format });
        assert.deepEqual(params, { scale: Math.fround(amax / max), zeroPoint: 0, dtype: format });
        const r = qk.quantizeDynamic(x, { dtype: format });
        assert.deepEqual({ scale: r.scale, zeroPoint: r.zeroPoint, dtype: r.dtype }, params);
        assert.deepEqual(r.data, qk.quantize(x, params));
        // The largest |x| lands on the largest finite code (saturating: it may round just past it).
        const big = x.findIndex((v) => Math.abs(v) === amax);
        assert.equal(r.data[big] & 0x7f, FORMATS[format].maxCode);
        const out = new Uint8Array(5000);
        assert.equal(qk.quantizeDynamic(x, { dtype: format, out }).data, out);
        assert.deepEqual(out, r.data);
      });

      it('published ONNX test vectors', async () => {
        for (const v of vectors.QUANTIZE.filter((c) => c.dtype === format)) {
          const decoded = await ortCastFloat8(Uint8Array.from(v.codes), format);
          assert.deepEqual(Array.from(decoded), v.values, `${v.name}: the transcribed codes are the listed values`);
          const ours = qk.quantize(Float32Array.from(v.x), { scale: v.scale, zeroPoint: v.zeroPoint, dtype: format });
          assert.deepEqual(Array.from(ours), v.codes, v.name);
        }
        for (const v of vectors.DEQUANTIZE.filter((c) => c.dtype === format)) {
          const decoded = await ortCastFloat8(Uint8Array.from(v.codes), format);
          assert.deepEqual(Array.from(decoded), v.values, `${v.name}: the transcribed codes are the listed values`);
          const params = { scale: v.scale, dtype: format };
          if (v.zeroPoint !== undefined) params.zeroPoint = v.zeroPoint;
          assert.deepEqual(Array.from(qk.dequantize(Uint8Array.from(v.codes), params)), v.y, v.name);
        }
      });
    });
  }

  describe('errors (nothing written)', () => {
    const x = Float32Array.of(1, 2, 3);
    const fresh = () => new Uint8Array([9, 9, 9]);

    it('zero point other than 0', () => {
      const out = fresh();
      rejects(() => qk.quantize(x, { scale: 1, zeroPoint: 1, dtype: 'float8e4m3fn' }, out), 'RangeError',
        "Expected 0 (the only float8 zero point ONNX Runtime accepts) for params.zeroPoint (dtype 'float8e4m3fn') but received 1", out);
      const f = new Float32Array(3).fill(7);
      rejects(() => qk.dequantize(fresh(), { scale: 1, zeroPoint: 0.5, dtype: 'float8e5m2' }, f), 'RangeError',
        "Expected 0 (the only float8 zero point ONNX Runtime accepts) for params.zeroPoint (dtype 'float8e5m2') but received 0.5", f);
      rejects(() => qk.quantize(x, { scale: 1, zeroPoint: '0', dtype: 'float8e5m2' }, out), 'TypeError',
        "Expected a number for params.zeroPoint but received '0'", out);
    });

    it("a convention other than 'onnx' (float8 codes round as ONNX's Cast does)", () => {
      const out = fresh();
      const why = "'onnx' or nothing (float8 codes round as ONNX's Cast does; 'pytorch' and 'tflite' are integer conventions)";
      rejects(() => qk.quantize(x, { scale: 1, dtype: 'float8e4m3fn', convention: 'pytorch' }, out), 'RangeError', `Expected ${why} for params.convention but received 'pytorch'`, out);
      rejects(() => qk.quantizeDynamic(x, { dtype: 'float8e5m2', convention: 'tflite', out }), 'RangeError', `Expected ${why} for opts.convention but received 'tflite'`, out);
      assert.throws(() => qk.computeParams(x, { dtype: 'float8e5m2', convention: 'pytorch' }), { name: 'RangeError', message: `Expected ${why} for opts.convention but received 'pytorch'` });
      rejects(() => qk.quantize(x, { scale: 1, dtype: 'float8e4m3fn', convention: 'numpy' }, out), 'TypeError', "Expected one of 'onnx', 'pytorch', 'tflite' for params.convention but received 'numpy'", out);
      assert.deepEqual(qk.quantize(x, { scale: 1, dtype: 'float8e4m3fn', convention: 'onnx' }), qk.quantize(x, { scale: 1, dtype: 'float8e4m3fn' }));
      assert.equal(qk.computeParams(x, { dtype: 'float8e4m3fn', convention: 'onnx' }).convention, 'onnx');
    });

    it('bits', () => {
      const out = fresh();
      rejects(() => qk.quantize(x, { scale: 1, bits: 4, dtype: 'float8e4m3fn' }, out), 'RangeError',
        "Expected no value for params.bits (dtype 'float8e4m3fn' is a float format, without an integer bit width) but received 4", out);
      rejects(() => qk.quantizeDynamic(x, { bits: 8, dtype: 'float8e5m2', out }), 'RangeError',
        "Expected no value for opts.bits (dtype 'float8e5m2' is a float format, without an integer bit width) but received 8", out);
      assert.throws(() => qk.paramsFromRange(0, 1, { bits: 8, dtype: 'float8e5m2' }), { name: 'RangeError', message: "Expected no value for opts.bits (dtype 'float8e5m2' is a float format, without an integer bit width) but received 8" });
    });

    it('saturate, scale, arrays', () => {
      const out = fresh();
      rejects(() => qk.quantize(x, { scale: 1, saturate: 1, dtype: 'float8e4m3fn' }, out), 'TypeError',
        'Expected a boolean for params.saturate but received 1', out);
      rejects(() => qk.quantize(x, { scale: 0, dtype: 'float8e4m3fn' }, out), 'RangeError',
        'Expected a positive finite float32 for params.scale but received 0', out);
      rejects(() => qk.quantize(x, { scale: 1, dtype: 'float8e4m3fn' }, new Int8Array(3)), 'TypeError',
        "Expected a Uint8Array (dtype 'float8e4m3fn') for out but received Int8Array(3)");
      rejects(() => qk.quantize(x, { scale: 1, dtype: 'float8e5m2' }, new Uint8Array(4)), 'RangeError',
        'Expected out.length to equal the input length 3 but received 4');
      const buffer = new ArrayBuffer(16);
      const shared = new Uint8Array(buffer, 4, 3);
      shared.fill(5);
      rejects(() => qk.quantize(new Float32Array(buffer, 0, 3), { scale: 1, dtype: 'float8e5m2' }, shared), 'RangeError',
        "Expected out not to overlap the input's memory but it shares bytes [4, 7) of the same buffer", shared);
      const f = new Float32Array(3).fill(7);
      rejects(() => qk.dequantize(new Int8Array(3), { scale: 1, dtype: 'float8e5m2' }, f), 'TypeError',
        "Expected a Uint8Array (dtype 'float8e5m2') for q but received Int8Array(3)", f);
      rejects(() => qk.dequantize(fresh(), { scale: 1, dtype: 'float8e5m2' }, new Float32Array(2)), 'RangeError',
        'Expected out.length to equal the input length 3 but received 2');
    });

    it('per-axis and blocked float8 parameters, sign conversion', () => {
      const out = fresh();
      rejects(() => qk.quantize(x, { scale: Float32Array.of(1, 1, 1), axis: 0, shape: [3], dtype: 'float8e4m3fn' }, out), 'RangeError',
        "Expected an integer dtype for params.dtype with an axis (per-axis and blocked float8 parameters are not supported) but received 'float8e4m3fn'", out);
      assert.throws(() => qk.computeParams(x, { axis: 0, shape: [3], dtype: 'float8e5m2' }), { name: 'RangeError', message: "Expected an integer dtype for opts.dtype with an axis (per-axis and blocked float8 parameters are not supported) but received 'float8e5m2'" });
      rejects(() => qk.quantizeDynamic(x, { axis: 0, shape: [3], dtype: 'float8e5m2', out }), 'RangeError',
        "Expected an integer dtype for opts.dtype with an axis (per-axis and blocked float8 parameters are not supported) but received 'float8e5m2'", out);
      rejects(() => qk.toUnsigned(out, { scale: 1, zeroPoint: 0, dtype: 'float8e4m3fn' }), 'TypeError',
        "Expected 'int8', 'int16', 'int4' or 'int2' for params.dtype but received 'float8e4m3fn'", out);
    });

    it('an infinite value in dynamic quantization', () => {
      const out = fresh();
      rejects(() => qk.quantizeDynamic(Float32Array.of(1, Infinity, 2), { dtype: 'float8e4m3fn', out }), 'RangeError',
        'Expected x to hold only finite values (NaN is ignored) but its range is [1, Infinity]', out);
    });
  });
});
