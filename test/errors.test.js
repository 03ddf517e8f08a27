'use strict';
// SPEC §4: every misuse throws synchronously, with the right class and a message naming
// the argument and what was received, before any element of `out` is touched.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');

const SENTINEL = 42;

function detached(Ctor, n) {
  const a = new Ctor(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

const x = new Float32Array([0.5, -1, 2]);
const u8 = { scale: 0.1, zeroPoint: 3, dtype: 'uint8' };

describe(`errors (${qk.backend.name}/${qk.backend.isa})`, () => {
  describe('quantize', () => {
    const out = () => new Uint8Array(3).fill(SENTINEL);
    it('x must be a Float32Array, Float64Array or 16-bit float input', () => {
      const o = out();
      rejects(() => qk.quantize([1, 2, 3], u8, o), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received an Array(3) (a plain Array is not accepted: pass new Float32Array(array))", o);
      rejects(() => qk.quantize(new Int8Array(3), u8, o), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received Int8Array(3)", o);
      rejects(() => qk.quantize(undefined, u8, o), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received undefined", o);
      rejects(() => qk.quantize(new DataView(new ArrayBuffer(12)), u8, o), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received DataView", o);
      // A Proxy passes `instanceof` but is no TypedArray: refused at the edge, by name.
      rejects(() => qk.quantize(new Proxy(new Float32Array(3), {}), u8, o), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received an object", o);
      const proxied = new Proxy(new Uint8Array(3), {});
      rejects(() => qk.quantize(x, u8, proxied), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for out but received an object");
      rejects(() => qk.dequantize(new Uint8Array(3), u8, new Proxy(new Float32Array(3), {})), 'TypeError', 'Expected a Float32Array for out but received an object');
    });
    it('params must be an object with a known dtype', () => {
      const o = out();
      rejects(() => qk.quantize(x, null, o), 'TypeError', 'Expected a QuantParams object for params but received null', o);
      rejects(() => qk.quantize(x, 0.1, o), 'TypeError', 'Expected a QuantParams object for params but received 0.1', o);
      rejects(() => qk.quantize(x, { ...u8, dtype: 'int3' }, o), 'TypeError', "Expected one of 'uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'uint2', 'int2', 'float8e4m3fn', 'float8e5m2' for params.dtype but received 'int3'", o);
      rejects(() => qk.quantize(x, { ...u8, dtype: 8 }, o), 'TypeError', "Expected one of 'uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'uint2', 'int2', 'float8e4m3fn', 'float8e5m2' for params.dtype but received 8", o);
    });
    it('scale must be a positive finite float32', () => {
      const o = out();
      for (const bad of [-1, 0, -0, NaN, Infinity, -Infinity, 1e-50, 1e39]) {
        const shown = Object.is(bad, -0) ? '-0' : String(bad);
        const asFloat32 = bad === 1e-50 ? ' (0 as float32)' : bad === 1e39 ? ' (Infinity as float32)' : '';
        rejects(() => qk.quantize(x, { ...u8, scale: bad }, o), 'RangeError', `Expected a positive finite float32 for params.scale but received ${shown}${asFloat32}`, o);
      }
      rejects(() => qk.quantize(x, { ...u8, scale: '0.1' }, o), 'TypeError', "Expected a number for params.scale but received '0.1'", o);
      rejects(() => qk.quantize(x, { ...u8, scale: undefined }, o), 'TypeError', 'Expected a number for params.scale but received undefined', o);
    });
    it('zeroPoint must be an integer inside [qmin, qmax]', () => {
      const o = out();
      rejects(() => qk.quantize(x, { ...u8, zeroPoint: 1.5 }, o), 'RangeError', 'Expected an integer in [0, 255] for params.zeroPoint but received 1.5', o);
      rejects(() => qk.quantize(x, { ...u8, zeroPoint: 256 }, o), 'RangeError', 'Expected an integer in [0, 255] for params.zeroPoint but received 256', o);
      rejects(() => qk.quantize(x, { ...u8, zeroPoint: -1 }, o), 'RangeError', 'Expected an integer in [0, 255] for params.zeroPoint but received -1', o);
      rejects(() => qk.quantize(x, { ...u8, zeroPoint: NaN }, o), 'RangeError', 'Expected an integer in [0, 255] for params.zeroPoint but received NaN', o);
      rejects(() => qk.quantize(x, { ...u8, zeroPoint: 16, bits: 4 }, o), 'RangeError', 'Expected an integer in [0, 15] for params.zeroPoint but received 16', o);
      rejects(() => qk.quantize(x, { ...u8, zeroPoint: null }, o), 'TypeError', 'Expected a number for params.zeroPoint but received null', o);
      const i8 = new Int8Array(3).fill(SENTINEL);
      rejects(() => qk.quantize(x, { scale: 1, zeroPoint: 128, dtype: 'int8' }, i8), 'RangeError', 'Expected an integer in [-128, 127] for params.zeroPoint but received 128', i8);
    });
    it('bits must be an integer from 2 to the dtype width', () => {
      const o = out();
      rejects(() => qk.quantize(x, { ...u8, bits: 9 }, o), 'RangeError', "Expected an integer in [2, 8] for params.bits (dtype 'uint8') but received 9", o);
      rejects(() => qk.quantize(x, { ...u8, bits: 1 }, o), 'RangeError', "Expected an integer in [2, 8] for params.bits (dtype 'uint8') but received 1", o);
      rejects(() => qk.quantize(x, { ...u8, bits: 4.5 }, o), 'RangeError', "Expected an integer in [2, 8] for params.bits (dtype 'uint8') but received 4.5", o);
      rejects(() => qk.quantize(x, { ...u8, bits: '8' }, o), 'TypeError', "Expected a number for params.bits but received '8'", o);
      const i16 = new Int16Array(3).fill(SENTINEL);
      rejects(() => qk.quantize(x, { scale: 1, zeroPoint: 0, dtype: 'int16', bits: 17 }, i16), 'RangeError', "Expected an integer in [2, 16] for params.bits (dtype 'int16') but received 17", i16);
    });
    it('out must be the TypedArray of the dtype, of the same length, not overlapping x', () => {
      const o = out();
      rejects(() => qk.quantize(x, u8, new Int8Array(3)), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for out but received Int8Array(3)");
      rejects(() => qk.quantize(x, u8, new Uint8ClampedArray(3)), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for out but received Uint8ClampedArray(3)");
      rejects(() => qk.quantize(x, { ...u8, dtype: 'int16' }, new Uint16Array(3)), 'TypeError', "Expected an Int16Array (dtype 'int16') for out but received Uint16Array(3)");
      rejects(() => qk.quantize(x, u8, [0, 0, 0]), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for out but received an Array(3)");
      const long = new Uint8Array(4).fill(SENTINEL);
      rejects(() => qk.quantize(x, u8, long), 'RangeError', 'Expected out.length to equal the input length 3 but received 4', long, o);
      const buffer = new ArrayBuffer(64);
      const xs = new Float32Array(buffer, 8, 3);
      xs.set(x);
      const overlapping = new Uint8Array(buffer, 18, 3).fill(SENTINEL);
      rejects(() => qk.quantize(xs, u8, overlapping), 'RangeError', "Expected out not to overlap the input's memory but it shares bytes [18, 20) of the same buffer", overlapping, xs);
      const adjacent = new Uint8Array(buffer, 20, 3);
      qk.quantize(xs, u8, adjacent); // touching but not sharing a byte is fine
    });
    it('refuses detached buffers', () => {
      const o = out();
      rejects(() => qk.quantize(detached(Float32Array, 3), u8, o), 'RangeError', 'Expected x to be attached but its buffer is detached', o);
      rejects(() => qk.quantize(new Float32Array(0), u8, detached(Uint8Array, 3)), 'RangeError', 'Expected out to be attached but its buffer is detached');
    });
  });

  describe('dequantize', () => {
    const q = new Uint8Array([1, 2, 3]);
    const out = () => new Float32Array(3).fill(SENTINEL);
    it('q must be the TypedArray of the dtype', () => {
      const o = out();
      rejects(() => qk.dequantize(new Int8Array(3), u8, o), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for q but received Int8Array(3)", o);
      rejects(() => qk.dequantize(x, u8, o), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for q but received Float32Array(3)", o);
      rejects(() => qk.dequantize(detached(Uint8Array, 3), u8, o), 'RangeError', 'Expected q to be attached but its buffer is detached', o);
    });
    it('params are checked as for quantize', () => {
      const o = out();
      rejects(() => qk.dequantize(q, { ...u8, scale: 0 }, o), 'RangeError', 'Expected a positive finite float32 for params.scale but received 0', o);
      rejects(() => qk.dequantize(q, { ...u8, zeroPoint: 300 }, o), 'RangeError', 'Expected an integer in [0, 255] for params.zeroPoint but received 300', o);
      rejects(() => qk.dequantize(q, { ...u8, dtype: 'float16' }, o), 'TypeError', "Expected one of 'uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'uint2', 'int2', 'float8e4m3fn', 'float8e5m2' for params.dtype but received 'float16'", o);
    });
    it('out must be a Float32Array of the same length, not overlapping q', () => {
      rejects(() => qk.dequantize(q, u8, new Float64Array(3)), 'TypeError', 'Expected a Float32Array for out but received Float64Array(3)');
      const short = out().subarray(1);
      rejects(() => qk.dequantize(q, u8, short), 'RangeError', 'Expected out.length to equal the input length 3 but received 2', short);
      const buffer = new ArrayBuffer(32);
      const qs = new Uint8Array(buffer, 1, 3);
      const o = new Float32Array(buffer, 0, 3).fill(SENTINEL);
      const snapshot = Array.from(o);
      assert.throws(() => qk.dequantize(qs, u8, o), { name: 'RangeError', message: "Expected out not to overlap the input's memory but it shares bytes [1, 4) of the same buffer" });
      assert.deepEqual(Array.from(o), snapshot);
      rejects(() => qk.dequantize(q, u8, detached(Float32Array, 3)), 'RangeError', 'Expected out to be attached but its buffer is detached');
    });
  });

  describe('paramsFromRange, computeParams, minMax', () => {
    it('the range must be finite float32 numbers with min <= max', () => {
      rejects(() => qk.paramsFromRange(2, 1), 'RangeError', 'Expected min <= max but received min 2 and max 1');
      rejects(() => qk.paramsFromRange(NaN, 1), 'RangeError', 'Expected a finite number for min but received NaN');
      rejects(() => qk.paramsFromRange(0, Infinity), 'RangeError', 'Expected a finite number for max but received Infinity');
      rejects(() => qk.paramsFromRange(0, 1e39), 'RangeError', 'Expected a finite float32 for max but received 1e+39');
      rejects(() => qk.paramsFromRange('0', 1), 'TypeError', "Expected a number for min but received '0'");
      rejects(() => qk.paramsFromRange(0), 'TypeError', 'Expected a number for max but received undefined');
    });
    it('a range whose scale is not a positive finite float32 is refused', () => {
      rejects(() => qk.paramsFromRange(0, 1e-44), 'RangeError', 'Expected the range [0, 1e-44] to give a positive finite float32 scale but it gives 0');
      rejects(() => qk.paramsFromRange(-3e38, 3e38), 'RangeError', 'Expected the range [-3e+38, 3e+38] to give a positive finite float32 scale but it gives Infinity');
    });
    it('options are checked', () => {
      rejects(() => qk.paramsFromRange(0, 1, 5), 'TypeError', 'Expected an options object for opts but received 5');
      rejects(() => qk.paramsFromRange(0, 1, { dtype: 'uint3' }), 'TypeError', "Expected one of 'uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'uint2', 'int2', 'float8e4m3fn', 'float8e5m2' for opts.dtype but received 'uint3'");
      rejects(() => qk.paramsFromRange(0, 1, { bits: 0 }), 'RangeError', "Expected an integer in [2, 8] for opts.bits (dtype 'uint8') but received 0");
      rejects(() => qk.paramsFromRange(0, 1, { symmetric: 'yes' }), 'TypeError', "Expected a boolean for opts.symmetric but received 'yes'");
      rejects(() => qk.computeParams(x, { dtype: 'int32' }), 'TypeError', "Expected one of 'uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'uint2', 'int2', 'float8e4m3fn', 'float8e5m2' for opts.dtype but received 'int32'");
    });
    it('the data must be a float array', () => {
      rejects(() => qk.computeParams([1, 2]), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received an Array(2) (a plain Array is not accepted: pass new Float32Array(array))");
      rejects(() => qk.minMax(new Uint8Array(2)), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received Uint8Array(2)");
      rejects(() => qk.minMax(detached(Float64Array, 2)), 'RangeError', 'Expected x to be attached but its buffer is detached');
    });
  });

  describe('quantizeDynamic', () => {
    it('checks x, options and out before writing', () => {
      const o = new Uint8Array(3).fill(SENTINEL);
      rejects(() => qk.quantizeDynamic('x', { out: o }), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received 'x'", o);
      rejects(() => qk.quantizeDynamic(x, { out: new Int8Array(3) }), 'TypeError', "Expected a Uint8Array (dtype 'uint8') for opts.out but received Int8Array(3)");
      rejects(() => qk.quantizeDynamic(x, { dtype: 'int8', out: o }), 'TypeError', "Expected an Int8Array (dtype 'int8') for opts.out but received Uint8Array(3)", o);
      const short = new Uint8Array(2).fill(SENTINEL);
      rejects(() => qk.quantizeDynamic(x, { out: short }), 'RangeError', 'Expected opts.out.length to equal the input length 3 but received 2', short);
      rejects(() => qk.quantizeDynamic(x, { bits: 12, out: o }), 'RangeError', "Expected an integer in [2, 8] for opts.bits (dtype 'uint8') but received 12", o);
      rejects(() => qk.quantizeDynamic(x, []), 'TypeError', 'Expected an options object for opts but received an Array(0)');
      rejects(() => qk.quantizeDynamic(new Float64Array([1, 1e300, 3]), { out: o }), 'RangeError', 'Expected x to hold only finite values (NaN is ignored) but its range is [1, Infinity]', o);
    });
  });
});
