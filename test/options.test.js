'use strict';
// Strict options (README "Options and errors"): every options and params object is checked
// key by key, with the nearest valid key suggested; keys that only make sense together are
// refused alone; the exported tables cannot be changed; messages that used to mislead.
// Nothing is written when a call is refused.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { prng } = require('./support/data');

const SENTINEL = 42;
const x = new Float32Array([0.5, -1, 2, 0.25]);
const u8 = { scale: 0.1, zeroPoint: 3, dtype: 'uint8' };
const RANGE_KEYS = "the valid keys are 'dtype', 'bits', 'symmetric', 'convention' (with 'axis' and 'shape': also 'blockSize')";

describe(`options and messages (${qk.backend.name}/${qk.backend.isa})`, () => {
  describe('unknown keys: a TypeError naming the key and the nearest valid one', () => {
    it('computeParams and paramsFromRange options', () => {
      rejects(() => qk.computeParams(x, { symetric: true }), 'TypeError', `Unknown key 'symetric' in opts (did you mean 'symmetric'?); ${RANGE_KEYS}`);
      rejects(() => qk.paramsFromRange(-1, 1, { dtyp: 'int8' }), 'TypeError', `Unknown key 'dtyp' in opts (did you mean 'dtype'?); ${RANGE_KEYS}`);
      rejects(() => qk.computeParams(x, { Bits: 4 }), 'TypeError', `Unknown key 'Bits' in opts (did you mean 'bits'?); ${RANGE_KEYS}`);
      // Nothing near: no suggestion, only the list.
      rejects(() => qk.computeParams(x, { rounding: 'even' }), 'TypeError', `Unknown key 'rounding' in opts; ${RANGE_KEYS}`);
      // 'axes' is near 'axis' (valid with a shape), whether or not a shape is there
      rejects(() => qk.computeParams(x, { axes: 0 }), 'TypeError', `Unknown key 'axes' in opts (did you mean 'axis'?); ${RANGE_KEYS}`);
      rejects(() => qk.computeParams(x, { axes: 1, shape: [2, 2] }), 'TypeError', `Unknown key 'axes' in opts (did you mean 'axis'?); ${RANGE_KEYS}`);
      rejects(() => qk.quantize(x, { ...u8, blocksize: 2 }), 'TypeError',
        "Unknown key 'blocksize' in params (did you mean 'blockSize'?); the valid keys are 'scale', 'zeroPoint', 'dtype', 'bits', 'convention', 'count', 'saturate', 'data', 'axis' (per-axis params add 'shape' and 'blockSize')");
      rejects(() => qk.paramsFromRange([0], [1], { axes: 0, shape: [1] }), 'TypeError',
        "Unknown key 'axes' in opts (did you mean 'axis'?); the valid keys are 'axis', 'shape', 'blockSize', 'dtype', 'bits', 'symmetric', 'convention' (per-axis and blocked options)");
      rejects(() => qk.computeParams(x, { axis: 0, shape: [4], axes: 1 }), 'TypeError',
        "Unknown key 'axes' in opts (did you mean 'axis'?); the valid keys are 'axis', 'shape', 'blockSize', 'dtype', 'bits', 'symmetric', 'convention' (per-axis and blocked options)");
    });

    it('quantizeDynamic options, with out untouched', () => {
      const out = new Uint8Array(4).fill(SENTINEL);
      rejects(() => qk.quantizeDynamic(x, { out, dtpye: 'uint8' }), 'TypeError',
        "Unknown key 'dtpye' in opts (did you mean 'dtype'?); the valid keys are 'dtype', 'bits', 'symmetric', 'convention', 'out' (with 'axis' and 'shape': also 'blockSize')", out);
      rejects(() => qk.quantizeDynamic(x, { out, axis: 0, shape: [4], blocksize: 2 }), 'TypeError',
        "Unknown key 'blocksize' in opts (did you mean 'blockSize'?); the valid keys are 'axis', 'shape', 'blockSize', 'dtype', 'bits', 'symmetric', 'convention', 'out' (per-axis and blocked options)", out);
    });

    it('quantize and dequantize params, per-tensor and per-axis', () => {
      const out = new Uint8Array(4).fill(SENTINEL);
      rejects(() => qk.quantize(x, { ...u8, zeroPoints: 3 }, out), 'TypeError',
        "Unknown key 'zeroPoints' in params (did you mean 'zeroPoint'?); the valid keys are 'scale', 'zeroPoint', 'dtype', 'bits', 'convention', 'count', 'saturate', 'data', 'axis' (per-axis params add 'shape' and 'blockSize')", out);
      const f = new Float32Array(4).fill(SENTINEL);
      rejects(() => qk.dequantize(new Uint8Array(4), { ...u8, scales: 1 }, f), 'TypeError',
        "Unknown key 'scales' in params (did you mean 'scale'?); the valid keys are 'scale', 'zeroPoint', 'dtype', 'bits', 'convention', 'count', 'saturate', 'data', 'axis' (per-axis params add 'shape' and 'blockSize')", f);
      const axisParams = { scale: new Float32Array([0.1, 0.2]), axis: 0, shape: [2, 2], dtype: 'uint8', zeropoint: new Uint8Array(2) };
      rejects(() => qk.quantize(x, axisParams, out), 'TypeError',
        "Unknown key 'zeropoint' in params (did you mean 'zeroPoint'?); the valid keys are 'scale', 'zeroPoint', 'axis', 'shape', 'blockSize', 'dtype', 'bits', 'convention', 'data' (per-axis and blocked params)", out);
      rejects(() => qk.toUnsigned(new Int8Array(2), { scale: 1, zeroPoint: 0, dtype: 'int8', signed: true }), 'TypeError',
        "Unknown key 'signed' in params; the valid keys are 'scale', 'zeroPoint', 'dtype', 'bits', 'convention', 'count', 'saturate', 'data', 'axis' (per-axis params add 'shape' and 'blockSize')");
    });

    it('16-bit float input and per-channel minMax options', () => {
      rejects(() => qk.minMax({ format: 'float16', bits: new Uint16Array(2), bit: 1 }), 'TypeError',
        "Unknown key 'bit' in x (did you mean 'bits'?); the valid keys are 'format', 'bits'");
      rejects(() => qk.minMax(x, { axis: 0, shape: [4], dtype: 'int8' }), 'TypeError',
        "Unknown key 'dtype' in opts; the valid keys are 'axis', 'shape', 'blockSize' (per-channel ranges)");
      rejects(() => qk.minMax(x, { exis: 0 }), 'TypeError', "Unknown key 'exis' in opts (did you mean 'axis'?); the valid keys are 'axis', 'shape', 'blockSize' (per-channel ranges)");
    });

    it('what quantkit returns is accepted back as params', () => {
      const r = qk.quantizeDynamic(x, { dtype: 'int4' }); // has data and count
      assert.deepEqual(Array.from(qk.dequantize(r.data, r)), Array.from(qk.dequantize(r.data, { scale: r.scale, zeroPoint: r.zeroPoint, dtype: 'int4', count: 4 })));
      const a = qk.quantizeDynamic(x, { axis: 0, shape: [2, 2], dtype: 'int8' }); // has data
      assert.equal(qk.dequantize(a.data, a).length, 4);
      const s = qk.toUnsigned(qk.quantize(x, { scale: 0.1, zeroPoint: 0, dtype: 'int8' }), { scale: 0.1, zeroPoint: 0, dtype: 'int8' });
      assert.equal(qk.quantize(x, s.params).length, 4);
      // A key set to undefined is still a key: a typo is a typo.
      assert.throws(() => qk.computeParams(x, { symetric: undefined }), /Unknown key 'symetric'/);
      // Inherited keys are not the caller's options.
      const inherited = Object.create({ whatever: 1 });
      inherited.dtype = 'int8';
      assert.equal(qk.computeParams(x, inherited).dtype, 'int8');
    });
  });

  describe('keys that need another key', () => {
    it('blockSize or shape without axis is a RangeError, nothing written', () => {
      const out = new Uint8Array(4).fill(SENTINEL);
      rejects(() => qk.quantize(x, { ...u8, blockSize: 2 }, out), 'RangeError',
        'Expected params.axis alongside params.blockSize but received undefined (per-axis and blocked parameters need both axis and shape; without axis they are per-tensor)', out);
      rejects(() => qk.quantize(x, { ...u8, shape: [4] }, out), 'RangeError',
        'Expected params.axis alongside params.shape but received undefined (per-axis and blocked parameters need both axis and shape; without axis they are per-tensor)', out);
      rejects(() => qk.computeParams(x, { blockSize: 32 }), 'RangeError',
        'Expected opts.axis alongside opts.blockSize but received undefined (per-axis and blocked options need both axis and shape; without axis they are per-tensor)');
      rejects(() => qk.quantizeDynamic(x, { blockSize: 2, out }), 'RangeError',
        'Expected opts.axis alongside opts.blockSize but received undefined (per-axis and blocked options need both axis and shape; without axis they are per-tensor)', out);
      rejects(() => qk.minMax(x, { shape: [4] }), 'RangeError',
        'Expected opts.axis alongside opts.shape but received undefined (per-axis and blocked options need both axis and shape; without axis they are per-tensor)');
    });

    it('an array of scales without axis says per-axis params need axis and shape', () => {
      const out = new Uint8Array(4).fill(SENTINEL);
      rejects(() => qk.quantize(x, { scale: new Float32Array(4).fill(0.1), zeroPoint: 0, dtype: 'uint8' }, out), 'TypeError',
        'Expected a number for params.scale but received Float32Array(4) (an array of scales is per-axis: add params.axis and params.shape)', out);
    });
  });

  describe('quantizeDynamic takes symmetric', () => {
    const r = prng(7);
    const data = Float32Array.from({ length: 101 }, () => r() * 3 - 1);
    for (const dtype of ['int8', 'uint8', 'int4', 'int16']) {
      it(`${dtype}: the parameters and codes of computeParams({ symmetric: true }) then quantize`, () => {
        const d = qk.quantizeDynamic(data, { dtype, symmetric: true });
        const p = qk.computeParams(data, { dtype, symmetric: true });
        assert.equal(d.scale, p.scale);
        assert.equal(d.zeroPoint, p.zeroPoint);
        assert.deepEqual(d.data, qk.quantize(data, p));
        // and not the affine ones: the data is lopsided, so they differ
        assert.notEqual(d.scale, qk.quantizeDynamic(data, { dtype }).scale);
      });
    }
    it('per-axis too', () => {
      const d = qk.quantizeDynamic(data.subarray(0, 100), { axis: 1, shape: [10, 10], dtype: 'int8', symmetric: true });
      const p = qk.computeParams(data.subarray(0, 100), { axis: 1, shape: [10, 10], dtype: 'int8', symmetric: true });
      assert.deepEqual(d.scale, p.scale);
      assert.deepEqual(d.zeroPoint, p.zeroPoint);
      assert.deepEqual(d.data, qk.quantize(data.subarray(0, 100), p));
    });
  });

  describe('found by a new user', () => {
    it('toUnsigned and toSigned say that per-axis params are not supported', () => {
      const p = qk.computeParams(new Float32Array(16), { axis: 1, shape: [4, 4], dtype: 'int8' });
      rejects(() => qk.toUnsigned(new Int8Array(16), p), 'RangeError',
        'Expected per-tensor params (without axis) for toUnsigned but received params.axis 1 (per-axis params are not supported here)');
    });
    it('stored ranges read back from JSON: null (an empty channel) counts as NaN', () => {
      const data = new Float32Array([NaN, 1, NaN, -2]);
      const { min, max } = qk.minMax(data, { axis: 1, shape: [-1, 2] });
      const back = JSON.parse(JSON.stringify({ min: Array.from(min), max: Array.from(max) }));
      assert.equal(back.min[0], null);
      const p = qk.paramsFromRange(back.min, back.max, { axis: 1, shape: [-1, 2], dtype: 'int8' });
      assert.deepEqual(p.scale, qk.computeParams(data, { axis: 1, shape: [2, 2], dtype: 'int8' }).scale);
      rejects(() => qk.paramsFromRange([null, 0], [1, 1], { axis: 0, shape: [2] }), 'RangeError', 'Expected a finite number for min[0] but received NaN');
    });
    it('saturate must be a boolean even where it is ignored; a packed count must fit x', () => {
      rejects(() => qk.quantize(x, { ...u8, saturate: 'yes' }), 'TypeError', "Expected a boolean for params.saturate but received 'yes'");
      const out = new Uint8Array(2).fill(SENTINEL);
      rejects(() => qk.quantize(x, { scale: 1, zeroPoint: 0, dtype: 'int4', count: 3 }, out), 'RangeError', 'Expected params.count to equal x.length 4 but received 3', out);
      rejects(() => qk.quantize({ format: 'float16', bits: new Uint16Array(4) }, { scale: 1, zeroPoint: 0, dtype: 'int4', count: 5 }, out), 'RangeError', 'Expected params.count to equal x.length 4 but received 5', out);
      assert.equal(qk.quantize({ format: 'float16', bits: new Uint16Array(4) }, { scale: 1, zeroPoint: 0, dtype: 'int4', count: 4 }).length, 2);
    });
    it('a view that a shrunk resizable ArrayBuffer left out of bounds is refused, not read as empty', function () {
      if (typeof ArrayBuffer.prototype.resize !== 'function') this.skip();
      const buffer = new ArrayBuffer(16, { maxByteLength: 64 });
      const view = new Float32Array(buffer, 8, 2);
      buffer.resize(4);
      assert.equal(view.length, 0);
      rejects(() => qk.quantize(view, u8), 'RangeError', 'Expected x to lie inside its buffer but its resizable ArrayBuffer shrank below it');
      const ob = new ArrayBuffer(16, { maxByteLength: 64 });
      const outView = new Uint8Array(ob, 8, 4);
      ob.resize(2);
      rejects(() => qk.quantize(new Float32Array(0), u8, outView), 'RangeError', 'Expected out to lie inside its buffer but its resizable ArrayBuffer shrank below it');
    });
  });

  describe('found by a second new user', () => {
    it('a TypedArray that went through JSON is named as such, with how to rebuild it', () => {
      const j = JSON.parse(JSON.stringify(qk.minMax(new Float32Array(8), { axis: 1, shape: [-1, 4] })));
      rejects(() => qk.paramsFromRange(j.min, j.max, { axis: 1, shape: [-1, 4] }), 'TypeError',
        "Expected a Float32Array, Float64Array or Array of numbers for min but received an object with keys '0'…'3' (a TypedArray after JSON? rebuild it from Object.values(it), or store Array.from(it))");
    });
    it('plain Arrays get the hint in errorStats and imageToTensor too', () => {
      rejects(() => qk.errorStats(new Float32Array(2), [1, 2]), 'TypeError',
        "Expected quantization parameters, { ggml }, { dtype: 'float16' | 'bfloat16' } or a float array for params but received an Array(2) (a plain Array is not accepted: pass new Float32Array(array))");
      rejects(() => qk.imageToTensor([1, 2, 3], { width: 1, height: 1, channels: 3 }), 'TypeError',
        'Expected a Uint8Array, Buffer or Uint8ClampedArray (HWC bytes) for pixels but received an Array(3) (a plain Array is not accepted: pass new Uint8Array(array))');
    });
    it('DEFAULT_SCHEMES and an observer\'s batch count cannot be changed', () => {
      assert.ok(Object.isFrozen(qk.DEFAULT_SCHEMES));
      assert.throws(() => { 'use strict'; qk.DEFAULT_SCHEMES.push('int8'); }, TypeError);
      for (const o of [qk.createObserver('minmax'), qk.createObserver('minmax', { axis: 0, shape: [2, 2] }), qk.createObserver('entropy')]) {
        o.observe(new Float32Array([1, 2, 3, 4]));
        assert.throws(() => { 'use strict'; o.batches = 99; }, TypeError);
        assert.equal(o.batches, 1);
      }
    });
  });

  describe('messages that used to mislead', () => {
    it("'an' before Int8Array and Int16Array", () => {
      rejects(() => qk.quantize(x, { scale: 1, zeroPoint: 0, dtype: 'int8' }, new Uint8Array(4)), 'TypeError', "Expected an Int8Array (dtype 'int8') for out but received Uint8Array(4)");
      rejects(() => qk.dequantize(new Uint16Array(4), { scale: 1, zeroPoint: 0, dtype: 'int16' }), 'TypeError', "Expected an Int16Array (dtype 'int16') for q but received Uint16Array(4)");
    });
    it('a scale that float32 cannot hold says what it becomes', () => {
      rejects(() => qk.quantize(x, { ...u8, scale: 1e-50 }), 'RangeError', 'Expected a positive finite float32 for params.scale but received 1e-50 (0 as float32)');
      rejects(() => qk.quantize(x, { ...u8, scale: 4e38 }), 'RangeError', 'Expected a positive finite float32 for params.scale but received 4e+38 (Infinity as float32)');
    });
    it('a shape that does not fit names the shape and its product', () => {
      rejects(() => qk.quantize(new Float32Array(32), { scale: new Float32Array(4).fill(1), axis: 0, shape: [4, 16], dtype: 'int8' }), 'RangeError',
        'Expected x.length to equal 64, the product of params.shape [4, 16], but received 32');
    });
    it('a plain Array says how to make a TypedArray of it', () => {
      rejects(() => qk.quantize([1, 2, 3], u8), 'TypeError',
        "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received an Array(3) (a plain Array is not accepted: pass new Float32Array(array))");
      rejects(() => qk.dequantize([1, 2, 3], { scale: 1, zeroPoint: 0, dtype: 'int8' }), 'TypeError',
        "Expected an Int8Array (dtype 'int8') for q but received an Array(3) (a plain Array is not accepted: pass new Int8Array(array))");
      rejects(() => qk.ggml.quantize([1, 2, 3], 'q8_0'), 'TypeError',
        'Expected a Float32Array or Float64Array for x but received an Array(3) (a plain Array is not accepted: pass new Float32Array(array))');
    });
  });

  describe('exported tables cannot be changed', () => {
    it('dtypes is frozen at every level, and quantize is unaffected by attempts', () => {
      const before = qk.quantize(x, { scale: 0.1, zeroPoint: 0, dtype: 'int8' });
      assert.ok(Object.isFrozen(qk.dtypes));
      for (const info of Object.values(qk.dtypes)) {
        assert.ok(Object.isFrozen(info), info.name);
        assert.ok(Object.isFrozen(info.ranges), info.name);
        for (const r of info.ranges) if (r !== undefined) assert.ok(Object.isFrozen(r), info.name);
      }
      assert.throws(() => { 'use strict'; qk.dtypes.int8.ranges = []; }, TypeError);
      assert.throws(() => { 'use strict'; qk.dtypes.int8.ranges[8][0] = 0; }, TypeError);
      assert.throws(() => { 'use strict'; qk.dtypes.int3 = qk.dtypes.int8; }, TypeError);
      assert.deepEqual(qk.quantize(x, { scale: 0.1, zeroPoint: 0, dtype: 'int8' }), before);
    });
    it('backend, ggml, the default export and the module itself are frozen', () => {
      assert.ok(Object.isFrozen(qk.backend));
      assert.ok(Object.isFrozen(qk.ggml));
      assert.ok(Object.isFrozen(qk.default));
      assert.ok(Object.isFrozen(qk)); // require('quantkit'), and ESM's default import
      assert.throws(() => { 'use strict'; qk.quantize = null; }, TypeError);
      assert.equal(typeof qk.quantize, 'function');
    });
  });

  describe('per-axis parameters reused on other tensors (shape with -1)', () => {
    const r = prng(11);
    const rows = 6;
    const dim = 8;
    const batch = Float32Array.from({ length: rows * dim }, () => r() * 4 - 2);
    const one = batch.subarray(2 * dim, 3 * dim);

    it('computeParams keeps the -1, and the params quantize one row as they quantize the batch', () => {
      const p = qk.computeParams(batch, { axis: 1, shape: [-1, dim], dtype: 'int8', symmetric: true });
      assert.deepEqual(p.shape, [-1, dim]);
      const full = qk.computeParams(batch, { axis: 1, shape: [rows, dim], dtype: 'int8', symmetric: true });
      assert.deepEqual(p.scale, full.scale);
      const all = qk.quantize(batch, p);
      assert.deepEqual(all, qk.quantize(batch, full));
      assert.deepEqual(qk.quantize(one, p), all.subarray(2 * dim, 3 * dim));
      assert.deepEqual(qk.dequantize(qk.quantize(one, p), p), qk.dequantize(all, p).subarray(2 * dim, 3 * dim));
      // any number of rows, and the axis may count from the end
      assert.equal(qk.quantize(batch.subarray(0, 3 * dim), { ...p, axis: -1 }).length, 3 * dim);
    });

    it('packed dequantize finds the count from the bytes when it is unambiguous, else asks for out', () => {
      const p = qk.computeParams(batch, { axis: 1, shape: [-1, dim], dtype: 'int4' });
      const q = qk.quantize(one, p); // 8 int4 values: 4 bytes
      assert.equal(q.length, 4);
      assert.deepEqual(qk.dequantize(q, p), qk.dequantize(q, p, new Float32Array(dim)));
      const narrow = qk.computeParams(new Float32Array([1, 2, 3]), { axis: 0, shape: [-1], dtype: 'int4' });
      const [s] = narrow.scale;
      const pn = { scale: new Float32Array([s]), zeroPoint: new Int8Array(1), axis: 1, shape: [-1, 1], dtype: 'int4' };
      rejects(() => qk.dequantize(new Uint8Array(2), pn), 'RangeError',
        'Expected q.length 2 to hold exactly one multiple of 1 packed elements (the product of params.shape [-1, 1] without its -1) but it could hold 4 or 3; pass out, whose length is the element count');
      assert.equal(qk.dequantize(new Uint8Array(2), pn, new Float32Array(3)).length, 3);
    });

    it('refuses what cannot be resolved', () => {
      const p = qk.computeParams(batch, { axis: 1, shape: [-1, dim], dtype: 'int8' });
      const out = new Int8Array(7).fill(SENTINEL);
      rejects(() => qk.quantize(new Float32Array(7), p, out), 'RangeError',
        'Expected x.length to be a multiple of 8, the product of params.shape [-1, 8] without its -1, but received 7', out);
      rejects(() => qk.quantize(new Float32Array(8), { ...p, shape: [-1, -1] }), 'RangeError',
        'Expected a non-negative integer (only one dimension may be -1) for params.shape[1] but received -1');
      rejects(() => qk.quantize(new Float32Array(8), { ...p, shape: [-1, 0, 8] }), 'RangeError',
        'Expected params.shape [-1, 0, 8] to have no zero dimension beside its -1 (the -1 cannot be inferred)');
      // -1 at the axis resolves too, but then the scale count must match what it became
      rejects(() => qk.quantize(new Float32Array(16), { ...p, axis: 0, shape: [-1, 8], scale: new Float32Array(3).fill(1), zeroPoint: undefined }), 'RangeError',
        'Expected params.scale.length to equal 2 (shape[axis] = 2) but received 3');
    });
  });

  describe('per-channel ranges: minMax(x, { axis, shape }) and paramsFromRange(min[], max[], opts)', () => {
    const r = prng(5);
    const data = Float32Array.from({ length: 4 * 6 }, () => r() * 10 - 5);
    data[7] = NaN; // channel 1 of row 1
    for (let i = 0; i < 4; i++) data[i * 6 + 4] = NaN; // channel 4 has no number

    it('minMax per channel equals a plain loop, NaN ignored, NaN for an empty channel', () => {
      const { min, max } = qk.minMax(data, { axis: 1, shape: [4, 6] });
      assert.ok(min instanceof Float32Array && max instanceof Float32Array);
      for (let c = 0; c < 6; c++) {
        const values = [0, 1, 2, 3].map((i) => data[i * 6 + c]).filter((v) => !Number.isNaN(v));
        if (values.length === 0) {
          assert.ok(Number.isNaN(min[c]) && Number.isNaN(max[c]));
        } else {
          assert.equal(min[c], Math.min(...values));
          assert.equal(max[c], Math.max(...values));
        }
      }
      // per block along the axis, too
      const blocked = qk.minMax(data, { axis: 1, shape: [4, 6], blockSize: 4 });
      assert.equal(blocked.min.length, 8);
    });

    it('paramsFromRange of those ranges is computeParams of the data, for every dtype', () => {
      const { min, max } = qk.minMax(data, { axis: 1, shape: [4, 6] });
      for (const dtype of ['uint8', 'int8', 'int4', 'uint16']) {
        for (const symmetric of [false, true]) {
          const a = qk.paramsFromRange(min, max, { axis: 1, shape: [-1, 6], dtype, symmetric });
          const b = qk.computeParams(data, { axis: 1, shape: [4, 6], dtype, symmetric });
          assert.deepEqual(a.scale, b.scale, `${dtype} ${symmetric}`);
          assert.deepEqual(a.zeroPoint, b.zeroPoint, `${dtype} ${symmetric}`);
          assert.deepEqual(a.shape, [-1, 6]);
        }
      }
      // Arrays of numbers and Float64Arrays too
      const p = qk.paramsFromRange([-1, 0], [1, 2], { axis: 0, shape: [2], dtype: 'int8' });
      assert.deepEqual(p.scale, new Float32Array([qk.paramsFromRange(-1, 1, { dtype: 'int8' }).scale, qk.paramsFromRange(0, 2, { dtype: 'int8' }).scale]));
    });

    it('refuses bad ranges by index', () => {
      const opts = { axis: 0, shape: [2, 3] };
      rejects(() => qk.paramsFromRange(new Float32Array(3), new Float32Array(2), opts), 'RangeError', 'Expected min.length to equal 2 (shape[axis] = 2) but received 3');
      rejects(() => qk.paramsFromRange([0, 2], [1, 1], opts), 'RangeError', 'Expected min[1] <= max[1] but received 2 and 1');
      rejects(() => qk.paramsFromRange([0, Infinity], [1, 1], opts), 'RangeError', 'Expected a finite number for min[1] but received Infinity');
      rejects(() => qk.paramsFromRange([0, 0], [1, 1], { shape: [2, 3] }), 'TypeError', 'Expected opts.axis and opts.shape with per-channel ranges (min is an Array(2)) but received no axis');
      rejects(() => qk.paramsFromRange(0, 1, opts), 'TypeError', 'Expected arrays of per-channel ranges for min and max with opts.axis but received 0 and 1');
      rejects(() => qk.paramsFromRange('a', [1, 1], opts), 'TypeError', "Expected arrays of per-channel ranges for min and max with opts.axis but received 'a' and an Array(2)");
      rejects(() => qk.paramsFromRange([0, 0], [1, 1], { axis: 0, shape: [-1, 3] }), 'RangeError',
        'Expected opts.shape [-1, 3] to have no -1 at the axis (without data the parameter count cannot depend on it)');
    });
  });
});
