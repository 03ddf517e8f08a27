'use strict';
// errorStats (README "Calibrate and compare"): every kind of parameters against a NumPy float64
// reference (test/support/numpy_stats.py) computed from quantkit's own round trip through the
// public quantize / dequantize (so the fused call is checked against the separate ones too),
// sums within 1e-12 relative, counts, max and its index exactly, per-channel statistics, a
// 16M-element tensor, the documented values of empty, all-NaN, exact and zero-norm inputs, the
// stored sizes, and every refusal.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const qk = require('./support/quantkit');
const { prng } = require('./support/data');
const { runPython } = require('./support/torch');

const REL = 1e-12;

function close(actual, expected, what) {
  if (expected === 'Infinity') expected = Infinity;
  if (!Number.isFinite(expected)) return assert.equal(actual, expected, what);
  const tol = REL * Math.max(Math.abs(expected), 1e-300);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs NumPy ${expected} (relative ${Math.abs(actual - expected) / Math.abs(expected)})`);
}

function sameStats(s, ref, what) {
  assert.equal(s.count, ref.count, `${what}: count`);
  assert.equal(s.nanCount, ref.nanCount, `${what}: nanCount`);
  if (ref.count === 0) return;
  for (const k of ['mse', 'rmse', 'meanAbs', 'sqnrDb']) close(s[k], ref[k], `${what}: ${k}`);
  if (ref.cosine !== null) close(s.cosine, ref.cosine, `${what}: cosine`);
  assert.equal(s.maxAbs, ref.maxAbs, `${what}: maxAbs`);
  assert.equal(s.maxAbsIndex, ref.maxAbsIndex, `${what}: maxAbsIndex`);
}

/** Mostly gaussian values, a few outliers, and NaNs when `nan`. */
function data(n, seed, { nan = true, scale = 1 } = {}) {
  const r = prng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    x[i] = (r() < 0.002 ? g * 20 : g) * scale;
    if (nan && r() < 0.01) x[i] = NaN;
  }
  return x;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-stats-'));
let fileNo = 0;
function file(a) {
  const f = path.join(tmp, `${fileNo++}.f32`);
  fs.writeFileSync(f, Buffer.from(Float32Array.from(a).buffer));
  return f;
}
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every kind: the second argument of errorStats and quantkit's own round trip of x. */
function kinds(x, shape) {
  const n = x.length;
  const trip = (p) => qk.dequantize(qk.quantize(x, p), p, new Float32Array(n));
  const list = [];
  const add = (label, target, xHat, expectBytes) => list.push({ label, target, xHat, expectBytes });
  for (const [dtype, opts] of [['uint8', {}], ['int8', { symmetric: true }], ['uint16', { bits: 12 }], ['int16', {}], ['int8', { convention: 'pytorch' }], ['uint8', { convention: 'tflite' }]]) {
    const p = qk.computeParams(x, { dtype, ...opts });
    add(`per-tensor ${dtype} ${JSON.stringify(opts)}`, p, trip(p), n * (dtype.endsWith('16') ? 2 : 1) + 4 + (dtype.endsWith('16') ? 2 : 1));
  }
  for (const dtype of ['int4', 'uint2']) {
    const p = qk.computeParams(x, { dtype });
    add(`packed ${dtype}`, p, trip(p), Math.ceil((n * (dtype === 'int4' ? 4 : 2)) / 8) + 5);
  }
  const axes = [
    { axis: 0, shape, dtype: 'int8' },
    { axis: -1, shape, dtype: 'uint4', symmetric: true },
    { axis: 1, shape, blockSize: 16, dtype: 'int8' },
    { axis: 0, shape, blockSize: 5, dtype: 'uint8' },
  ];
  for (const o of axes) {
    const p = qk.computeParams(x, o);
    const count = p.scale.length;
    const zpBytes = o.dtype === 'uint4' ? Math.ceil((count * 4) / 8) : count;
    add(`axis ${JSON.stringify({ ...o, shape: undefined })}`, p, trip(p), (o.dtype === 'uint4' ? Math.ceil((n * 4) / 8) : n) + 4 * count + zpBytes);
  }
  for (const dtype of ['float8e4m3fn', 'float8e5m2']) {
    const p = qk.computeParams(x, { dtype });
    add(`float8 ${dtype}`, p, trip(p), n + 5);
  }
  const f8 = { scale: 0.002, dtype: 'float8e5m2', saturate: false };
  add('float8e5m2 saturate false', f8, trip(f8), n + 5);
  add('float16', { dtype: 'float16' }, qk.fromFloat16(qk.toFloat16(x)), 2 * n);
  add('bfloat16', { dtype: 'bfloat16' }, qk.fromBFloat16(qk.toBFloat16(x)), 2 * n);
  const noisy = Float32Array.from(x, (v, i) => v + ((i % 7) - 3) * 1e-3);
  add('x against xHat', noisy, noisy, 4 * n);
  return list;
}

describe('errorStats against a NumPy float64 reference', function () {
  this.timeout(300000);
  const shape = [64, 80];
  const n = 64 * 80;

  it('every kind of parameters, per-tensor and per-channel along each axis', function () {
    const x = data(n, 3);
    const cases = [];
    const runs = [];
    for (const k of kinds(x, shape)) {
      for (const axis of [undefined, 0, 1]) {
        const opts = axis === undefined ? undefined : { axis, shape };
        cases.push({ x: file(x), y: file(k.xHat), ...(axis === undefined ? {} : { outer: axis === 0 ? 1 : 64, d: shape[axis], inner: axis === 0 ? 80 : 1 }) });
        runs.push({ k, opts });
      }
    }
    // ggml: no NaN (its quantizers refuse it), a length that is whole blocks.
    const g = data(n, 4, { nan: false });
    for (const type of ['q8_0', 'q4_0', 'q4_1']) {
      const xHat = qk.ggml.dequantize(qk.ggml.quantize(g, type), type, n);
      cases.push({ x: file(g), y: file(xHat), outer: 64, d: 80, inner: 1 });
      runs.push({ k: { label: `ggml ${type}`, target: { ggml: type }, x: g, expectBytes: (n / 32) * qk.ggml.blockBytes(type) }, opts: { axis: 1, shape } });
    }
    const refs = runPython('numpy_stats.py', cases);
    runs.forEach(({ k, opts }, i) => {
      const s = qk.errorStats(k.x ?? x, k.target, opts);
      const what = `${k.label}${opts ? ` per-channel axis ${opts.axis}` : ''}`;
      sameStats(s, refs[i], what);
      assert.equal(s.bytes, k.expectBytes, `${what}: bytes`);
      assert.equal(s.bitsPerElement, (k.expectBytes * 8) / n);
      if (opts) {
        assert.equal(s.channels.mse.length, shape[opts.axis]);
        refs[i].channels.forEach((ref, c) => {
          const one = Object.fromEntries(Object.entries(s.channels).map(([key, v]) => [key, v[c]]));
          sameStats(one, ref, `${what} channel ${c}`);
        });
      } else {
        assert.equal(s.channels, undefined);
      }
    });
  });

  it('per-tensor integer parameters without NaN (the fused path), every convention, dtype and a narrowed range', function () {
    const x = data(50000, 8, { nan: false, scale: 2 });
    const cases = [];
    const runs = [];
    for (const convention of ['onnx', 'pytorch', 'tflite']) {
      for (const [dtype, bits, symmetric] of [['uint8', undefined, false], ['int8', undefined, true], ['int16', undefined, false], ['uint16', 9, true], ['int4', undefined, false]]) {
        // a range narrower than the data, so that some values saturate
        const p = { ...qk.paramsFromRange(-3, 2.5, { dtype, bits, symmetric }), convention };
        const xHat = qk.dequantize(qk.quantize(x, p), { ...p, count: x.length });
        cases.push({ x: file(x), y: file(xHat) });
        runs.push({ p, label: `${convention} ${dtype} bits ${bits ?? 'full'} ${symmetric ? 'symmetric' : 'affine'}` });
      }
    }
    const refs = runPython('numpy_stats.py', cases);
    runs.forEach(({ p, label }, i) => sameStats(qk.errorStats(x, p), refs[i], label));
  });

  it('per-axis parameters give per-channel statistics along their own shape', function () {
    const x = data(n, 5);
    const p = qk.computeParams(x, { axis: 1, shape, dtype: 'int8' });
    const a = qk.errorStats(x, p, { axis: 1 });
    const b = qk.errorStats(x, p, { axis: 1, shape });
    assert.deepEqual(a, b);
  });

  it('Float64Array and 16-bit x are read as their float32 values', function () {
    const x = data(1000, 6);
    const p = qk.computeParams(x, { dtype: 'int8' });
    assert.deepEqual(qk.errorStats(Float64Array.from(x), p), qk.errorStats(x, p));
    const bits = qk.toFloat16(x);
    const w = qk.fromFloat16(bits);
    assert.deepEqual(qk.errorStats({ format: 'float16', bits }, p), qk.errorStats(w, p));
  });

  it('16M elements, int8 per-tensor (fused) and x against xHat: within 1e-12 of NumPy', function () {
    const big = data(1 << 24, 7, { scale: 3, nan: false });
    const p = qk.computeParams(big, { dtype: 'int8' });
    const xHat = qk.dequantize(qk.quantize(big, p), p);
    const refs = runPython('numpy_stats.py', [{ x: file(big), y: file(xHat) }]);
    sameStats(qk.errorStats(big, p), refs[0], '16M fused');
    sameStats(qk.errorStats(big, xHat), refs[0], '16M pairs');
  });
});

describe('errorStats: documented values', function () {
  const p = { scale: 0.5, zeroPoint: 0, dtype: 'int8' };

  it('empty and all-NaN x: count 0, zeros, maxAbsIndex −1, sqnrDb Infinity, cosine 1', function () {
    for (const x of [new Float32Array(0), new Float32Array([NaN, NaN])]) {
      const s = qk.errorStats(x, p);
      assert.deepEqual({ ...s }, { count: 0, nanCount: x.length, mse: 0, rmse: 0, meanAbs: 0, maxAbs: 0, maxAbsIndex: -1, sqnrDb: Infinity, cosine: 1, bytes: x.length + 5, bitsPerElement: x.length ? ((x.length + 5) * 8) / x.length : 0 });
    }
  });

  it('an exact round trip: mse 0, sqnrDb Infinity, cosine 1; an all-zero x: cosine 1', function () {
    const s = qk.errorStats(new Float32Array([0.5, -1, 2, 0]), p);
    assert.equal(s.mse, 0);
    assert.equal(s.sqnrDb, Infinity);
    assert.equal(s.cosine, 1);
    assert.equal(s.maxAbs, 0);
    assert.equal(s.maxAbsIndex, 0);
    const z = qk.errorStats(new Float32Array(5), p);
    assert.equal(z.cosine, 1);
    assert.equal(z.sqnrDb, Infinity);
    // zero x against a nonzero xHat: sqnrDb −Infinity, cosine 0
    const w = qk.errorStats(new Float32Array(3), new Float32Array([1, 0, 0]));
    assert.equal(w.sqnrDb, -Infinity);
    assert.equal(w.cosine, 0);
    assert.equal(w.maxAbsIndex, 0);
  });

  it('NaN in x or xHat excludes the pair and counts it', function () {
    const s = qk.errorStats(new Float32Array([1, NaN, 3, 4]), new Float32Array([1, 2, NaN, 5]));
    assert.equal(s.count, 2);
    assert.equal(s.nanCount, 2);
    assert.equal(s.mse, 0.5);
    assert.equal(s.maxAbsIndex, 3);
  });

  it('maxAbsIndex is the first of equal largest errors', function () {
    const s = qk.errorStats(new Float32Array([0, 1, 0, 1]), new Float32Array([0, 0, 0, 0]));
    assert.equal(s.maxAbsIndex, 1);
  });
});

describe('errorStats: bad input', function () {
  const x = new Float32Array([1, 2, 3, 4]);
  const p = { scale: 0.5, zeroPoint: 0, dtype: 'int8' };
  const cases = [
    [() => qk.errorStats(x, new Float32Array(3)), 'RangeError', 'Expected xHat.length to equal x.length 4 but received 3'],
    [() => qk.errorStats(x, { scale: new Float32Array(1), dtype: 'int8', axis: 0, shape: [4] }), 'RangeError', 'Expected params.scale.length to equal 4 (shape[axis] = 4) but received 1'],
    [() => qk.errorStats(x, { ...qk.computeParams(new Float32Array(6), { axis: 0, shape: [2, 3] }) }), 'RangeError', 'Expected x.length to equal 6, the product of params.shape [2, 3], but received 4'],
    [() => qk.errorStats(x, { ggml: 'q4_0' }), 'RangeError', 'Expected x.length to be a multiple of 32 (q4_0 blocks) but received 4'],
    [() => qk.errorStats(x, { ggml: 'q6_k' }), 'RangeError', 'Expected x.length to be a multiple of 256 (q6_k blocks) but received 4'],
    [() => qk.errorStats(x, { ggml: 'q3_k' }), 'TypeError', "Expected one of 'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k' for params.ggml but received 'q3_k'"],
    [() => qk.errorStats(new Float32Array(32).fill(NaN), { ggml: 'q8_0' }), 'RangeError', 'Expected a finite float32 for x[0] but received NaN'],
    [() => qk.errorStats(new Float32Array([1, -Infinity]), p), 'RangeError', 'Expected finite float32 values for x (NaN is excluded and counted) but received x[1] = -Infinity'],
    [() => qk.errorStats(x, new Float32Array([1, 2, Infinity, 4])), 'RangeError', 'Expected finite values for xHat (NaN is excluded and counted) but received xHat[2] = Infinity'],
    [() => qk.errorStats(new Float32Array([1, 1e5]), { dtype: 'float16' }), 'RangeError', 'Expected a float16 conversion to round-trip x[1] = 100000 to a finite value but it gives ±Infinity'],
    [() => qk.errorStats(x, p, { axis: 0 }), 'TypeError', 'Expected opts.shape with opts.axis (params has no shape) but received undefined'],
    [() => qk.errorStats(x, p, { axis: 0, shape: [3] }), 'RangeError', 'Expected x.length to equal 3, the product of opts.shape [3], but received 4'],
    [() => qk.errorStats(x, p, { axes: 0 }), 'TypeError', "Unknown key 'axes' in opts (did you mean 'axis'?); the valid keys are 'axis', 'shape'"],
    [() => qk.errorStats(x, 3), 'TypeError', "Expected quantization parameters, { ggml }, { dtype: 'float16' | 'bfloat16' } or a float array for params but received 3"],
    [() => qk.errorStats(x, { scale: -1, zeroPoint: 0, dtype: 'int8' }), 'RangeError', 'Expected a positive finite float32 for params.scale but received -1'],
    [() => qk.errorStats([1, 2], p), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received an Array(2) (a plain Array is not accepted: pass new Float32Array(array))"],
  ];
  for (const [fn, cls, message] of cases) {
    it(message, function () {
      assert.throws(fn, (e) => e.constructor.name === cls && e.message === message);
    });
  }
});

describe('errorStats and histogram calls: the addon and the TypeScript backend side by side', function () {
  const fc = require('fast-check');
  const { loadNative } = require('../dist/core/loader');
  const { fallbackBinding } = require('../dist/backend-ts');
  const { binding: native, reasons } = loadNative();
  before(function () {
    if (!native) throw new Error(`the native addon is needed for this comparison:\n- ${reasons.join('\n- ')}`);
  });

  const value = fc.oneof(
    { weight: 6, arbitrary: fc.float({ min: -100, max: 100, noNaN: true }) },
    { weight: 1, arbitrary: fc.float() }, // NaN, ±Inf, subnormals, extremes
    { weight: 1, arbitrary: fc.integer({ min: -300, max: 300 }).map((k) => Math.fround((k + 0.5) * 0.25)) },
  );
  const RANGES = [[0, 255], [-128, 127], [0, 65535], [-32768, 32767]];

  /** Counts, max and index exactly; each sum to 1e-12 of its scale (x·x̂ of sqrt(Σx² Σx̂²)). */
  function sameAcc(a, b, groups) {
    for (let g = 0; g < groups; g++) {
      const o = 16 * g;
      for (const k of [10, 11, 12, 13, 14, 15]) assert.equal(b[o + k], a[o + k], `group ${g} slot ${k}`);
      const sum = (acc, k) => acc[o + k] + acc[o + k + 1];
      const scale = [sum(a, 0), sum(a, 2), Math.sqrt(Math.abs(sum(a, 0) * sum(a, 6))), sum(a, 6), sum(a, 8)];
      for (let k = 0; k < 5; k++) {
        const tol = 1e-12 * scale[k] + 1e-300;
        assert.ok(Math.abs(sum(a, 2 * k) - sum(b, 2 * k)) <= tol || (!Number.isFinite(scale[k])), `group ${g} sum ${k}: ${sum(a, 2 * k)} vs ${sum(b, 2 * k)}`);
      }
    }
  }

  const fresh = (groups) => {
    const acc = new Float64Array(16 * groups);
    for (let g = 0; g < groups; g++) acc[16 * g + 10] = acc[16 * g + 11] = acc[16 * g + 15] = -1;
    return acc;
  };

  it('errorStatsQuantize and errorStatsPair give the same counts, maxima and indices, and sums within 1e-12', function () {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3000, size: 'max' }), fc.nat(3), fc.integer({ min: 0, max: 2 }), fc.float({ min: Math.fround(1e-3), max: 100, noNaN: true }), fc.nat(), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 70 }), fc.nat(1000),
        (values, type, rounding, scale, zSeed, channels, inner, base) => {
          const x = Float32Array.from(values);
          const [qmin, qmax] = RANGES[type];
          const zeroPoint = qmin + (zSeed % (qmax - qmin + 1));
          const groups = 1 + channels;
          const a = fresh(groups);
          const b = fresh(groups);
          native.errorStatsQuantize(x, a, type, scale, zeroPoint, qmin, qmax, rounding, channels, inner, base);
          fallbackBinding.errorStatsQuantize(x, b, type, scale, zeroPoint, qmin, qmax, rounding, channels, inner, base);
          sameAcc(a, b, groups);
          const y = Float32Array.from(values.reverse());
          const c = fresh(groups);
          const d = fresh(groups);
          native.errorStatsPair(Float64Array.from(x), y, c, channels, inner, base);
          fallbackBinding.errorStatsPair(Float64Array.from(x), y, d, channels, inner, base);
          sameAcc(c, d, groups);
        }),
      { numRuns: 200 },
    );
  });

  it('histogramAdd gives the same counts and range', function () {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3000, size: 'max' }), fc.integer({ min: 1, max: 5000 }), fc.float({ min: Math.fround(0.01), max: 1000, noNaN: true }), fc.boolean(),
        (values, bins, half, f64) => {
          const x = f64 ? Float64Array.from(values) : Float32Array.from(values);
          const a = new Float64Array(bins);
          const b = new Float64Array(bins);
          const ra = new Float64Array(2);
          const rb = new Float64Array(2);
          native.histogramAdd(x, a, -half, bins / (2 * half), ra);
          fallbackBinding.histogramAdd(x, b, -half, bins / (2 * half), rb);
          assert.deepEqual(Array.from(a), Array.from(b));
          assert.deepEqual(Array.from(ra), Array.from(rb));
        }),
      { numRuns: 200 },
    );
  });
});
