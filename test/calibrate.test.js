'use strict';
// Streaming calibration (README "Calibrate and compare"): observers against PyTorch itself
// (torch.ao.quantization's MinMaxObserver, MovingAverageMinMaxObserver and their per-channel
// forms, per-tensor and per-channel, affine and symmetric, quint8 and qint8, fed the same
// batches: min_val, max_val after every batch and calculate_qparams() bit for bit), quantize
// under convention 'pytorch' against torch.quantize_per_tensor / quantize_per_channel, the
// 'onnx' parameters against paramsFromRange, and every refusal (state left as it was).
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { prng, tiesFor } = require('./support/data');
const { torchOracle } = require('./support/torch');

const TORCH_DTYPE = { uint8: 'quint8', int8: 'qint8' };

function rangeOf(dtype, bits) {
  const signed = dtype.startsWith('int');
  const b = bits ?? 8;
  return signed ? [-(2 ** (b - 1)), 2 ** (b - 1) - 1] : [0, 2 ** b - 1];
}

/** Batches of varied length, centre and spread; float32 values. */
function batches(seed, count = 6, shapeOf = (r) => [1 + Math.floor(r() * 300)]) {
  const r = prng(seed);
  const out = [];
  for (let b = 0; b < count; b++) {
    const shape = shapeOf(r, b);
    const n = shape.reduce((p, v) => p * v, 1);
    const centre = (r() * 2 - 1) * 3;
    const spread = 10 ** (r() * 4 - 2);
    const positive = b === 2; // one batch all ≥ 0 (a ReLU output)
    const data = Float32Array.from({ length: n }, () => {
      const v = centre + (r() * 2 - 1) * spread;
      return positive ? Math.abs(v) : v;
    });
    out.push({ shape, data });
  }
  return out;
}

const toJson = (b) => ({ shape: b.shape, data: Array.from(b.data) });

function sameFloats(actual, expected, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Object.is(actual[i], expected[i]), `${what}[${i}]: quantkit ${actual[i]} torch ${expected[i]}`);
  }
}

describe('calibrate: observers against PyTorch (torch.ao.quantization)', function () {
  this.timeout(120000);
  const cases = [];
  const runs = [];
  let seed = 1;
  for (const method of ['minmax', 'moving-average']) {
    for (const dtype of ['uint8', 'int8']) {
      for (const symmetric of [false, true]) {
        for (const bits of [undefined, 6]) {
          for (const c of method === 'moving-average' ? [undefined, 0.3] : [undefined]) {
            // per-tensor
            const bs = batches(seed++);
            const args = { dtype: TORCH_DTYPE[dtype], qscheme: symmetric ? 'per_tensor_symmetric' : 'per_tensor_affine' };
            if (bits !== undefined) [args.quant_min, args.quant_max] = rangeOf(dtype, bits);
            if (c !== undefined) args.averaging_constant = c;
            cases.push({ kind: 'observer', cls: method === 'minmax' ? 'MinMaxObserver' : 'MovingAverageMinMaxObserver', args, batches: bs.map(toJson) });
            runs.push({ method, dtype, symmetric, bits, c, batches: bs, perChannel: false, label: `${method} ${dtype} ${symmetric ? 'symmetric' : 'affine'} bits ${bits ?? 8} c ${c ?? 'default'}` });
            // per-channel, along each axis of a rank-3 batch whose first dimension varies
            for (const axis of [0, 1, 2]) {
              const dims = [3, 4, 5];
              const pb = batches(seed++, 5, (r) => {
                const s = dims.slice();
                if (axis !== 0) s[0] = 1 + Math.floor(r() * 4);
                return s;
              });
              const pargs = { ...args, qscheme: symmetric ? 'per_channel_symmetric' : 'per_channel_affine', ch_axis: axis };
              cases.push({ kind: 'observer', cls: method === 'minmax' ? 'PerChannelMinMaxObserver' : 'MovingAveragePerChannelMinMaxObserver', args: pargs, batches: pb.map(toJson) });
              runs.push({ method, dtype, symmetric, bits, c, batches: pb, perChannel: true, axis, label: `per-channel axis ${axis} ${method} ${dtype} ${symmetric ? 'symmetric' : 'affine'} bits ${bits ?? 8} c ${c ?? 'default'}` });
            }
          }
        }
      }
    }
  }
  // Degenerate streams: only zeros (torch's eps floor), one value, a constant negative batch.
  for (const [label, values] of [['zeros', [0, 0, 0]], ['one value', [0.3]], ['constant negative', [-2.5, -2.5]], ['tiny', [1e-9, -3e-10]]]) {
    for (const dtype of ['uint8', 'int8']) {
      for (const symmetric of [false, true]) {
        const bs = [{ shape: [values.length], data: Float32Array.from(values) }];
        cases.push({ kind: 'observer', cls: 'MinMaxObserver', args: { dtype: TORCH_DTYPE[dtype], qscheme: symmetric ? 'per_tensor_symmetric' : 'per_tensor_affine' }, batches: bs.map(toJson) });
        runs.push({ method: 'minmax', dtype, symmetric, batches: bs, perChannel: false, label: `${label} ${dtype} ${symmetric ? 'symmetric' : 'affine'}` });
      }
    }
  }

  let results;
  before(function () {
    results = torchOracle(cases);
  });

  it(`${runs.length} streams: min_val / max_val after every batch and calculate_qparams(), bit for bit`, function () {
    runs.forEach((run, k) => {
      const t = results[k];
      const opts = run.c === undefined ? {} : { averagingConstant: run.c };
      const obs = run.perChannel
        ? qk.createObserver(run.method, { ...opts, axis: run.axis, shape: run.batches[0].shape })
        : qk.createObserver(run.method, opts);
      run.batches.forEach((b, i) => {
        if (run.perChannel) obs.observe(b.data, b.shape);
        else obs.observe(b.data);
        const r = obs.range();
        sameFloats(run.perChannel ? r.min : [r.min], t.states[i].min, `${run.label}: min after batch ${i}`);
        sameFloats(run.perChannel ? r.max : [r.max], t.states[i].max, `${run.label}: max after batch ${i}`);
      });
      const p = obs.params({ dtype: run.dtype, symmetric: run.symmetric, bits: run.bits, convention: 'pytorch' });
      assert.equal(p.convention, 'pytorch');
      sameFloats(run.perChannel ? p.scale : [p.scale], t.scale, `${run.label}: scale`);
      assert.deepEqual(run.perChannel ? Array.from(p.zeroPoint) : [p.zeroPoint], t.zero_point, `${run.label}: zero point`);
    });
  });
});

describe("calibrate: quantize with convention 'pytorch' against torch.quantize_per_tensor / quantize_per_channel", function () {
  this.timeout(120000);
  const r = prng(77);
  const cases = [];
  const runs = [];
  for (const dtype of ['uint8', 'int8']) {
    const [qmin, qmax] = rangeOf(dtype);
    for (const scale of [0.00214854861, 0.1, 0.0173, 3.7, 1e-4].map(Math.fround)) {
      const zeroPoint = dtype === 'uint8' ? Math.floor(r() * 256) : Math.floor(r() * 256) - 128;
      const random = Array.from({ length: 500 }, () => Math.fround((r() * 2 - 1) * scale * 200));
      const ties = Array.from(tiesFor(scale, -150, 150));
      const saturating = [qmax + 1, qmax + 0.5, qmin - 1, qmin - 0.5, 1e6, -1e6, 12345.5].map((k) => Math.fround(k * scale));
      const x = Float32Array.from([...random, ...ties, ...saturating, 0, -0]);
      cases.push({ kind: 'quantize_per_tensor', shape: [x.length], data: Array.from(x, (v) => (Object.is(v, -0) ? 0 : v)), scale, zero_point: zeroPoint, dtype: TORCH_DTYPE[dtype] });
      runs.push({ x, params: { scale, zeroPoint, dtype, convention: 'pytorch' } });
      void qmin;
    }
    // per-channel: axis 1 of [6, 4, 5], each channel its own scale and zero point
    const shape = [6, 4, 5];
    const scales = Float32Array.from({ length: 4 }, () => Math.fround(10 ** (r() * 3 - 3)));
    const zps = Array.from({ length: 4 }, () => (dtype === 'uint8' ? Math.floor(r() * 256) : Math.floor(r() * 256) - 128));
    const x = new Float32Array(6 * 4 * 5);
    for (let e = 0; e < x.length; e++) {
      const a = Math.floor(e / 5) % 4;
      const k = Math.floor(r() * 600) - 300;
      x[e] = e % 3 === 0 ? Math.fround((k + 0.5) * scales[a]) : Math.fround((r() * 2 - 1) * scales[a] * 300);
    }
    cases.push({ kind: 'quantize_per_channel', shape, data: Array.from(x), scales: Array.from(scales), zero_points: zps, axis: 1, dtype: TORCH_DTYPE[dtype] });
    runs.push({ x, params: { scale: scales, zeroPoint: (dtype === 'uint8' ? Uint8Array : Int8Array).from(zps), axis: 1, shape, dtype, convention: 'pytorch' } });
  }

  it(`${runs.length} tensors of random, tie and saturating values give torch's integers`, function () {
    const results = torchOracle(cases);
    runs.forEach((run, k) => {
      const q = qk.quantize(run.x, run.params);
      const want = results[k].q;
      for (let i = 0; i < want.length; i++) {
        assert.equal(q[i], want[i], `case ${k} x[${i}] = ${run.x[i]}: quantkit ${q[i]} torch ${want[i]}`);
      }
    });
  });
});

describe("calibrate: 'onnx' parameters are SPEC §2.3's", function () {
  it('per-tensor params equal paramsFromRange of the observed range, for every dtype and bits', function () {
    const obs = qk.createObserver('minmax');
    for (const b of batches(5)) obs.observe(b.data);
    const { min, max } = obs.range();
    for (const dtype of ['uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'float8e4m3fn']) {
      for (const symmetric of [false, true]) {
        const bits = dtype.endsWith('16') ? 12 : undefined;
        assert.deepEqual(obs.params({ dtype, symmetric, bits }), qk.paramsFromRange(min, max, { dtype, symmetric, bits }));
      }
    }
  });

  it('per-channel params hold paramsFromRange of each channel', function () {
    const shape = [2, 3, 4];
    const obs = qk.createObserver('moving-average', { axis: -2, shape });
    for (const b of batches(9, 4, () => shape)) obs.observe(b.data);
    const r = obs.range();
    const p = obs.params({ dtype: 'int8' });
    assert.equal(p.axis, 1);
    assert.deepEqual(p.shape, shape);
    assert.ok(p.zeroPoint instanceof Int8Array);
    for (let k = 0; k < 3; k++) {
      const want = qk.paramsFromRange(r.min[k], r.max[k], { dtype: 'int8' });
      assert.equal(p.scale[k], want.scale);
      assert.equal(p.zeroPoint[k], want.zeroPoint);
    }
    // and quantize takes them as they are
    assert.equal(qk.quantize(batches(3, 1, () => shape)[0].data, p).length, 24);
  });
});

describe('calibrate: observer input', function () {
  it('ignores NaN: a batch with NaN observes as the same batch without it', function () {
    for (const method of ['minmax', 'moving-average']) {
      const a = qk.createObserver(method);
      const b = qk.createObserver(method);
      for (const bt of batches(11)) {
        const withNaN = Float32Array.from([NaN, ...bt.data, NaN]);
        a.observe(withNaN);
        b.observe(bt.data);
      }
      assert.deepEqual(a.range(), b.range());
    }
  });

  it('skips empty and all-NaN batches (the moving average does not move)', function () {
    const o = qk.createObserver('moving-average');
    o.observe(new Float32Array([1, 2]));
    o.observe(new Float32Array(0));
    o.observe(new Float32Array([NaN, NaN]));
    assert.deepEqual(o.range(), { min: 1, max: 2 });
    assert.equal(o.batches, 3);
  });

  it('reads Float64Array as float32 and 16-bit floats as their float32 values', function () {
    const x = Float64Array.from([0.1, -0.7, 3.3]);
    const o = qk.createObserver('minmax').observe(x);
    assert.deepEqual(o.range(), { min: Math.fround(-0.7), max: Math.fround(3.3) });
    const bits = qk.toFloat16(x);
    const h = qk.createObserver('minmax').observe({ format: 'float16', bits });
    const w = qk.fromFloat16(bits);
    assert.deepEqual(h.range(), { min: Math.min(...w), max: Math.max(...w) });
    const ch = qk.createObserver('minmax', { axis: 0, shape: [3] }).observe({ format: 'bfloat16', bits: qk.toBFloat16(x) });
    assert.deepEqual(Array.from(ch.range().min), Array.from(qk.fromBFloat16(qk.toBFloat16(x))));
  });

  it('per-channel: a channel with no number in a batch keeps its range; batches may change every dimension but the axis', function () {
    const o = qk.createObserver('minmax', { axis: 1, shape: [1, 2] });
    o.observe(new Float32Array([1, NaN]));
    o.observe(new Float32Array([3, -1, NaN, 4, 0, NaN]), [3, 2]);
    assert.deepEqual(Array.from(o.range().min), [0, -1]);
    assert.deepEqual(Array.from(o.range().max), [3, 4]);
  });
});

describe('calibrate: bad input', function () {
  /** fn must throw `cls` with exactly `message`, and the observer's range must be what it was. */
  function refused(obs, fn, cls, message) {
    let before;
    try {
      before = JSON.stringify(obs.range(), (k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));
    } catch (e) {
      before = e.message;
    }
    const batches0 = obs.batches;
    assert.throws(fn, (e) => e instanceof cls && e.message === message);
    let after;
    try {
      after = JSON.stringify(obs.range(), (k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));
    } catch (e) {
      after = e.message;
    }
    assert.equal(after, before, 'the refused batch changed the state');
    assert.equal(obs.batches, batches0);
  }

  it('an unknown method or option, a bad averagingConstant: TypeError / RangeError naming it', function () {
    assert.throws(() => qk.createObserver('kl'), { name: 'TypeError', message: "Expected one of 'minmax', 'moving-average', 'percentile', 'entropy', 'mse' for method but received 'kl'" });
    assert.throws(() => qk.createObserver('minmax', { averagingConstant: 0.1 }), { name: 'TypeError', message: "Unknown key 'averagingConstant' in opts; the valid keys are 'axis', 'shape'" });
    assert.throws(() => qk.createObserver('moving-average', { averagingConstnat: 0.1 }), { name: 'TypeError', message: "Unknown key 'averagingConstnat' in opts (did you mean 'averagingConstant'?); the valid keys are 'axis', 'shape', 'averagingConstant'" });
    assert.throws(() => qk.createObserver('moving-average', { averagingConstant: 0 }), { name: 'RangeError', message: 'Expected a number in (0, 1] for opts.averagingConstant but received 0' });
    assert.throws(() => qk.createObserver('minmax', { axis: 0 }), { name: 'TypeError', message: 'Expected opts.shape with opts.axis (the shape of a batch) but received undefined' });
    assert.throws(() => qk.createObserver('minmax', { axis: 3, shape: [2, 2] }), { name: 'RangeError', message: 'Expected an integer in [-2, 1] for opts.axis (rank 2) but received 3' });
    const o = qk.createObserver('minmax').observe(new Float32Array([1]));
    assert.throws(() => o.params({ dtpye: 'int8' }), { name: 'TypeError', message: "Unknown key 'dtpye' in opts (did you mean 'dtype'?); the valid keys are 'dtype', 'bits', 'symmetric', 'convention'" });
    assert.throws(() => o.params({ convention: 'numpy' }), { name: 'TypeError', message: "Expected one of 'onnx', 'pytorch', 'tflite' for opts.convention but received 'numpy'" });
    assert.throws(() => o.params({ dtype: 'float8e4m3fn', convention: 'pytorch' }), { name: 'RangeError' });
  });

  it('params() before any observe, and after an all-NaN stream: RangeError', function () {
    for (const method of ['minmax', 'moving-average']) {
      const o = qk.createObserver(method);
      const msg = `Expected the '${method}' observer to have seen at least one number before range() or params() but it has seen none (no batch, or only empty and all-NaN ones)`;
      assert.throws(() => o.params(), { name: 'RangeError', message: msg });
      o.observe(new Float32Array([NaN, NaN])).observe(new Float64Array([NaN]));
      assert.throws(() => o.params(), { name: 'RangeError', message: msg });
      const c = qk.createObserver(method, { axis: 0, shape: [2] });
      c.observe(new Float32Array([1, NaN]));
      assert.throws(() => c.params(), { name: 'RangeError', message: `Expected the '${method}' observer to have seen a number in every channel before range() or params() but channel 1 has none` });
    }
  });

  it('±Inf in a batch: RangeError naming the element; the state is as it was', function () {
    for (const method of ['minmax', 'moving-average']) {
      const o = qk.createObserver(method).observe(new Float32Array([1, 2]));
      refused(o, () => o.observe(new Float32Array([0, 5, -Infinity])), RangeError, 'Expected finite float32 values for x (NaN is ignored) but received x[2] = -Infinity');
      refused(o, () => o.observe(new Float64Array([0, 1e300])), RangeError, 'Expected finite float32 values for x (NaN is ignored) but received x[1] = 1e+300');
      const c = qk.createObserver(method, { axis: 1, shape: [2, 2] }).observe(new Float32Array([1, 2, 3, 4]));
      refused(c, () => c.observe(new Float32Array([9, 9, Infinity, 9])), RangeError, 'Expected finite float32 values for x (NaN is ignored) but received x[2] = Infinity');
    }
  });

  it('a per-channel batch whose length or shape does not fit: RangeError; the state is as it was', function () {
    const c = qk.createObserver('moving-average', { axis: 1, shape: [2, 3] }).observe(new Float32Array(6).fill(1));
    refused(c, () => c.observe(new Float32Array(5)), RangeError, 'Expected x.length to equal 6, the product of opts.shape [2, 3], but received 5');
    refused(c, () => c.observe(new Float32Array(8), [2, 4]), RangeError, 'Expected shape to have rank 2 and 3 channels along axis 1 but received [2, 4]');
    refused(c, () => c.observe(new Float32Array(6), [6]), RangeError, 'Expected shape to have rank 2 and 3 channels along axis 1 but received [6]');
    refused(c, () => c.observe([1, 2, 3, 4, 5, 6]), TypeError, "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received an Array(6) (a plain Array is not accepted: pass new Float32Array(array))");
    const t = qk.createObserver('minmax');
    refused(t, () => t.observe(new Float32Array(2), [2]), TypeError, 'Expected no shape argument for a per-tensor observer (create it with opts.axis and opts.shape for per-channel) but received an Array(1)');
  });
});

// ---- histogram observers ---------------------------------------------------------------

const { runPython } = require('./support/torch');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Test tensors in 4 batches of growing spread (so the histogram grows), by distribution. */
function distribution(kind, seed, batchCount = 4, n = 20000) {
  const r = prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const draw = {
    gaussian: () => gauss(),
    laplacian: () => (r() < 0.5 ? 1 : -1) * -Math.log(1 - r()),
    uniform: () => r() * 4 - 1.5,
    relu: () => Math.max(0, gauss() + 0.3),
    outliers: () => (r() < 0.001 ? gauss() * 60 : gauss()),
  }[kind];
  return Array.from({ length: batchCount }, (_, b) => Float32Array.from({ length: n }, () => draw() * (1 + 0.4 * b)));
}
const DISTRIBUTIONS = ['gaussian', 'laplacian', 'uniform', 'relu', 'outliers'];

const histTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-hist-'));
let histFile = 0;
function f32File(a) {
  const f = path.join(histTmp, `${histFile++}.f32`);
  fs.writeFileSync(f, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  return f;
}
after(() => fs.rmSync(histTmp, { recursive: true, force: true }));

describe('calibrate: histogram observers against NumPy restatements of the published algorithms', function () {
  this.timeout(300000);
  const data = DISTRIBUTIONS.map((kind, k) => ({ kind, batches: distribution(kind, 100 + k) }));

  it("the collector is ONNX Runtime's HistogramCollector (2048 bins growing by whole bins), count for count", function () {
    const cases = data.map((d) => ({ kind: 'collect', bins: 2048, batches: d.batches.map(f32File) }));
    const refs = runPython('histogram_reference.py', cases);
    data.forEach((d, k) => {
      const o = qk.createObserver('percentile');
      d.batches.forEach((b) => o.observe(b));
      const h = o.histogram();
      assert.equal(h.hi, refs[k].half, `${d.kind}: T`);
      assert.ok(h.counts.length > 2048, `${d.kind}: the histogram grew`);
      assert.deepEqual(Array.from(h.counts), refs[k].counts, `${d.kind}: counts`);
    });
  });

  it("'percentile' (symmetric on |x| and two-tailed) and 'entropy' (int8: 128 levels, uint8: 256) give the restatements' thresholds", function () {
    const cases = [];
    const checks = [];
    for (const d of data) {
      for (const [percentile, symmetric] of [[99.999, false], [99.9, true], [99, false], [99.99, true]]) {
        const o = qk.createObserver('percentile', { percentile, symmetric });
        d.batches.forEach((b) => o.observe(b));
        const h = o.histogram();
        cases.push({ kind: 'percentile', counts: Array.from(h.counts), lo: h.lo, width: h.width, min: h.min, max: h.max, percentile, symmetric });
        checks.push((ref) => assert.deepEqual(o.range(), { min: Math.fround(ref.min), max: Math.fround(ref.max) }, `${d.kind} percentile ${percentile} symmetric ${symmetric}`));
      }
      for (const dtype of ['int8', 'uint8']) {
        const o = qk.createObserver('entropy', { dtype });
        d.batches.forEach((b) => o.observe(b));
        const h = o.histogram();
        cases.push({ kind: 'entropy', counts: Array.from(h.counts), width: h.width, levels: dtype === 'int8' ? 128 : 256 });
        checks.push((ref) => assert.deepEqual(o.range(), { min: Math.fround(Math.max(h.min, -ref.threshold)), max: Math.fround(Math.min(h.max, ref.threshold)) }, `${d.kind} entropy ${dtype}`));
      }
    }
    const refs = runPython('histogram_reference.py', cases);
    checks.forEach((check, k) => check(refs[k]));
  });
});

describe("calibrate: 'mse' against PyTorch's HistogramObserver (real quantize → dequantize MSE)", function () {
  this.timeout(300000);
  it('is never worse and mostly better, for uint8 affine and int8 symmetric, on synthetic tensors and real weights', function () {
    const rows = [];
    const cases = [];
    const { recognizerWeight } = require('./support/real-weights');
    const real = ['linear_85.w_0', 'conv2d_180.w_0'].map((name) => {
      const w = recognizerWeight(name).values;
      const q = Math.ceil(w.length / 4);
      return [`PP-OCRv4 ${name} (${w.length})`, [0, 1, 2, 3].map((b) => w.subarray(b * q, Math.min(w.length, (b + 1) * q)))];
    });
    const sets = [...DISTRIBUTIONS.map((kind, k) => [kind, distribution(kind, 200 + k)]), ...real];
    for (const [kind, batches] of sets) {
      for (const [dtype, symmetric] of [['uint8', false], ['int8', true]]) {
        cases.push({ kind: 'observer', cls: 'HistogramObserver', args: { dtype: TORCH_DTYPE[dtype], qscheme: symmetric ? 'per_tensor_symmetric' : 'per_tensor_affine' }, batches: batches.map((b) => ({ shape: [b.length], data: Array.from(b) })) });
        rows.push({ kind, dtype, symmetric, batches });
      }
    }
    const refs = torchOracle(cases);
    let better = 0;
    const table = [];
    rows.forEach((row, i) => {
      const all = new Float32Array(row.batches.reduce((n, b) => n + b.length, 0));
      let off = 0;
      for (const b of row.batches) {
        all.set(b, off);
        off += b.length;
      }
      const o = qk.createObserver('mse', { dtype: row.dtype, symmetric: row.symmetric, convention: 'pytorch' });
      row.batches.forEach((b) => o.observe(b));
      const ours = qk.errorStats(all, o.params()).mse;
      const torchParams = { scale: refs[i].scale[0], zeroPoint: refs[i].zero_point[0], dtype: row.dtype, convention: 'pytorch' };
      const theirs = qk.errorStats(all, torchParams).mse;
      const minmax = qk.errorStats(all, qk.createObserver('minmax').observe(all).params({ dtype: row.dtype, symmetric: row.symmetric, convention: 'pytorch' })).mse;
      table.push(`| ${row.kind} | ${row.dtype} ${row.symmetric ? 'symmetric' : 'affine'} | ${ours.toExponential(3)} | ${theirs.toExponential(3)} | ${minmax.toExponential(3)} | ${(theirs / ours).toFixed(3)} |`);
      assert.ok(ours <= theirs, `${row.kind} ${row.dtype}: mse observer ${ours} > HistogramObserver ${theirs}`);
      if (ours < theirs) better++;
    });
    if (process.env.QUANTKIT_PRINT_TABLES) console.log(['| data | target | mse observer | HistogramObserver | minmax | ratio |', ...table].join('\n'));
    assert.ok(better > rows.length / 2, `strictly smaller on ${better} of ${rows.length}`);
  });
});

describe('calibrate: histogram observers, input and refusals', function () {
  it('zeros before the first nonzero value, all-zero streams, NaN', function () {
    const o = qk.createObserver('percentile', { bins: 16 });
    o.observe(new Float32Array([0, 0, NaN]));
    assert.deepEqual(o.range(), { min: 0, max: 0 });
    assert.deepEqual(o.params(), qk.paramsFromRange(0, 0));
    o.observe(new Float32Array([1, -1]));
    const h = o.histogram();
    assert.equal(h.counts.length, 16);
    assert.deepEqual([h.counts[0], h.counts[8], h.counts[15]], [1, 2, 1]); // −1, the two earlier zeros, 1 (the top edge)
  });

  it('merges bins in pairs instead of growing past 8 × the initial count', function () {
    const o = qk.createObserver('mse', { bins: 16 });
    o.observe(new Float32Array([1, -1, 0.5]));
    o.observe(new Float32Array([1000]));
    const h = o.histogram();
    assert.ok(h.counts.length <= 128, `bins ${h.counts.length}`);
    assert.equal(h.counts.reduce((a, b) => a + b, 0), 4);
    assert.ok(h.hi >= 1000);
    assert.equal(h.lo, -h.hi);
  });

  it('refuses bad options, ±Inf and params before data; the state is kept', function () {
    assert.throws(() => qk.createObserver('percentile', { percentile: 40 }), { name: 'RangeError', message: 'Expected a number in (50, 100] for opts.percentile but received 40' });
    assert.throws(() => qk.createObserver('entropy', { bins: 15 }), { name: 'RangeError', message: 'Expected an integer in [16, 4096] for opts.bins but received 15' });
    assert.throws(() => qk.createObserver('entropy', { bins: 8192 }), { name: 'RangeError', message: 'Expected an integer in [16, 4096] for opts.bins but received 8192' });
    assert.throws(() => qk.createObserver('entropy', { bins: 17 }), { name: 'RangeError', message: 'Expected an even number for opts.bins (0 lies on a bin edge) but received 17' });
    assert.throws(() => qk.createObserver('entropy', { symmetric: true }), { name: 'TypeError', message: "Unknown key 'symmetric' in opts; the valid keys are 'bins', 'dtype', 'bits'" });
    assert.throws(() => qk.createObserver('mse', { dtype: 'float8e4m3fn' }), { name: 'RangeError' });
    const o = qk.createObserver('entropy');
    assert.throws(() => o.params(), { name: 'RangeError', message: "Expected the 'entropy' observer to have seen at least one number before range() or params() but it has seen none (no batch, or only empty and all-NaN ones)" });
    o.observe(new Float32Array([1, 2, -3]));
    const before = JSON.stringify(Array.from(o.histogram().counts));
    assert.throws(() => o.observe(new Float32Array([1, Infinity])), { name: 'RangeError', message: 'Expected finite float32 values for x (NaN is ignored) but received x[1] = Infinity' });
    assert.equal(JSON.stringify(Array.from(o.histogram().counts)), before);
    assert.equal(o.batches, 1);
    assert.throws(() => o.params({ bins: 3 }), { name: 'TypeError', message: "Unknown key 'bins' in opts (did you mean 'bits'?); the valid keys are 'dtype', 'bits', 'symmetric', 'convention'" });
  });
});
