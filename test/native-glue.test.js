'use strict';
// The addon can be reached directly, bypassing the facade: it must refuse anything that
// would be memory-unsafe with a JS exception, never a crash (SPEC §4).
const assert = require('node:assert/strict');
const { loadNative, loadWasm } = require('../dist/core/loader');

// The WebAssembly module's binding (lib/backend-wasm) unwraps in TypeScript what the glue
// unwraps in C++, with the same checks and words: under QUANTKIT_BACKEND=wasm it is the one tested.
const wasm = process.env.QUANTKIT_BACKEND === 'wasm';
const { binding, reasons } = wasm ? (({ binding: b, reason }) => ({ binding: b, reasons: [reason] }))(loadWasm()) : loadNative();

function detached(Ctor, n) {
  const a = new Ctor(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

function throwsClean(fn, name, pattern) {
  assert.throws(fn, (e) => {
    assert.equal(e.constructor.name, name, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('native glue, called directly', () => {
  before(function () {
    if (!binding) throw new Error(`the native addon is needed for this suite:\n- ${reasons.join('\n- ')}`);
  });

  it('describes itself', () => {
    assert.equal(binding.version, require('../package.json').version);
    assert.ok(binding.isaAvailable.includes(binding.isa), `${binding.isa} in ${binding.isaAvailable}`);
    assert.equal(binding.isaAvailable[0], 'scalar');
  });

  it('checks the argument count', () => {
    throwsClean(() => binding.quantize(), 'TypeError', /quantize takes 7 arguments but received 0/);
    throwsClean(() => binding.dequantize(new Uint8Array(1)), 'TypeError', /dequantize takes 4 arguments but received 1/);
    throwsClean(() => binding.minMax(), 'TypeError', /minMax takes 2 arguments but received 0/);
  });

  it('refuses wrong array types, lengths, overlap and detached buffers', () => {
    const x = new Float32Array(8);
    throwsClean(() => binding.quantize(new Int32Array(8), new Uint8Array(8), 1, 0, 0, 255, 0), 'TypeError', /Float32Array or Float64Array for x but received an Int32Array/);
    throwsClean(() => binding.quantize(x, new Uint8ClampedArray(8), 1, 0, 0, 255, 0), 'TypeError', /for out but received a Uint8ClampedArray/);
    throwsClean(() => binding.quantize(x, new Uint8Array(9), 1, 0, 0, 255, 0), 'RangeError', /out.length to equal the input length 8 but received 9/);
    throwsClean(() => binding.quantize(x, new Uint8Array(x.buffer, 4, 8), 1, 0, 0, 255, 0), 'RangeError', /not to overlap/);
    throwsClean(() => binding.quantize(detached(Float32Array, 8), new Uint8Array(0), 1, 0, 0, 255, 0), 'RangeError', /detached/);
    throwsClean(() => binding.dequantize(new Uint8Array(8), new Float64Array(8), 1, 0), 'TypeError', /Float32Array for out but received a Float64Array/);
    throwsClean(() => binding.dequantize(new Int16Array(8), new Float32Array(7), 1, 0), 'RangeError', /input length 8 but received 7/);
    const shared = new ArrayBuffer(64);
    throwsClean(() => binding.dequantize(new Uint8Array(shared, 0, 8), new Float32Array(shared, 4, 8), 1, 0), 'RangeError', /not to overlap/);
    throwsClean(() => binding.minMax(new BigInt64Array(2), new Float64Array(2)), 'TypeError', /received a BigInt64Array/);
    throwsClean(() => binding.minMax(new Float32Array(2), new Float32Array(2)), 'TypeError', /Float64Array for out but received a Float32Array/);
    throwsClean(() => binding.minMax(new Float32Array(2), new Float64Array(3)), 'RangeError', /out.length to be 2 but received 3/);
    const both = new Float64Array(4);
    throwsClean(() => binding.minMax(both.subarray(1, 3), both.subarray(2, 4)), 'RangeError', /not to overlap/);
  });

  it('refuses parameters the kernels cannot take', () => {
    const x = new Float32Array(4);
    const q = new Int8Array(4);
    throwsClean(() => binding.quantize(x, q, 0, 0, -128, 127, 0), 'RangeError', /positive finite float32 for scale but received 0/);
    throwsClean(() => binding.quantize(x, q, 1e-50, 0, -128, 127, 0), 'RangeError', /positive finite float32 for scale/);
    throwsClean(() => binding.quantize(x, q, NaN, 0, -128, 127, 0), 'RangeError', /scale but received nan/i);
    throwsClean(() => binding.quantize(x, q, '1', 0, -128, 127, 0), 'TypeError', /number for scale but received a string/);
    throwsClean(() => binding.quantize(x, q, 1, 0, -129, 127, 0), 'RangeError', /integer in \[-128, 127\] for qmin but received -129/);
    throwsClean(() => binding.quantize(x, q, 1, 0, -128, 128, 0), 'RangeError', /for qmax but received 128/);
    throwsClean(() => binding.quantize(x, q, 1, 0, 5, 5, 0), 'RangeError', /qmin < qmax/);
    throwsClean(() => binding.quantize(x, q, 1, 8, -8, 7, 0), 'RangeError', /integer in \[-8, 7\] for zeroPoint but received 8/);
    throwsClean(() => binding.quantize(x, q, 1, 0.5, -8, 7, 0), 'RangeError', /for zeroPoint but received 0.5/);
    throwsClean(() => binding.dequantize(new Uint16Array(4), new Float32Array(4), 1, -1), 'RangeError', /integer in \[0, 65535\] for zeroPoint but received -1/);
    // The trailing rounding (0 onnx, 1 pytorch, 2 tflite) indexes the kernel table.
    for (const bad of [3, -1, 0.5, NaN, 2 ** 31]) {
      throwsClean(() => binding.quantize(x, q, 1, 0, -128, 127, bad), 'RangeError', /integer in \[0, 2\] for rounding but received/);
      throwsClean(() => binding.quantizePacked(x, new Uint8Array(2), 4, true, 1, 0, -8, 7, bad), 'RangeError', /for rounding but received/);
      throwsClean(() => binding.quantizeAxis(x, q, new Float32Array([1]), new Int32Array(1), 1, 1, 4, 0, -128, 127, bad), 'RangeError', /for rounding but received/);
    }
    throwsClean(() => binding.quantize(x, q, 1, 0, -128, 127, '1'), 'TypeError', /number for rounding but received a string/);
  });

  it('recode refuses what would be memory-unsafe or meaningless', () => {
    throwsClean(() => binding.recode(new Int8Array(4), new Int8Array(4), 128), 'TypeError', /q's width with the other signedness/);
    throwsClean(() => binding.recode(new Int8Array(4), new Uint16Array(4), 128), 'TypeError', /q's width with the other signedness/);
    throwsClean(() => binding.recode(new Int8Array(4), new Uint8Array(5), 128), 'RangeError', /input length 4 but received 5/);
    const shared = new ArrayBuffer(16);
    throwsClean(() => binding.recode(new Int8Array(shared, 0, 8), new Uint8Array(shared, 4, 8), 128), 'RangeError', /not to overlap/);
    throwsClean(() => binding.recode(new Int8Array(4), new Uint8Array(4), 129), 'RangeError', /integer in \[-128, 128\] for offset but received 129/);
    throwsClean(() => binding.recode(new Int16Array(4), new Uint16Array(4), 0.5), 'RangeError', /for offset but received 0.5/);
    const same = new Int16Array([-32768, -1, 0, 32767]);
    binding.recode(same, new Uint16Array(same.buffer), 32768); // in place is allowed
    assert.deepEqual(Array.from(new Uint16Array(same.buffer)), [0, 32767, 32768, 65535]);
  });

  it('refuses what the float8 kernels cannot take', () => {
    const x = new Float32Array(8);
    const q = new Uint8Array(8);
    throwsClean(() => binding.quantizeFloat8(x, q, 0, true), 'TypeError', /quantizeFloat8 takes 5 arguments but received 4/);
    throwsClean(() => binding.quantizeFloat8(x, new Int8Array(8), 0, true, 1), 'TypeError', /Uint8Array for out but received an Int8Array/);
    throwsClean(() => binding.quantizeFloat8(x, new Uint8Array(7), 0, true, 1), 'RangeError', /input length 8 but received 7/);
    throwsClean(() => binding.quantizeFloat8(x, new Uint8Array(x.buffer, 4, 8), 0, true, 1), 'RangeError', /not to overlap/);
    throwsClean(() => binding.quantizeFloat8(x, q, 2, true, 1), 'RangeError', /0 \(float8e4m3fn\) or 1 \(float8e5m2\) for format but received 2/);
    throwsClean(() => binding.quantizeFloat8(x, q, 0.5, true, 1), 'RangeError', /for format but received 0.5/);
    throwsClean(() => binding.quantizeFloat8(x, q, 0, 1, 1), 'TypeError', /boolean for saturate but received 1/);
    throwsClean(() => binding.quantizeFloat8(x, q, 1, false, -1), 'RangeError', /positive finite float32 for scale but received -1/);
    throwsClean(() => binding.dequantizeFloat8(q, new Float32Array(8), 1), 'TypeError', /dequantizeFloat8 takes 4 arguments but received 3/);
    throwsClean(() => binding.dequantizeFloat8(q, new Float64Array(8), 1, 1), 'TypeError', /Float32Array for out but received a Float64Array/);
    throwsClean(() => binding.dequantizeFloat8(new Uint8Array(9), new Float32Array(8), 1, 1), 'RangeError', /input length 9 but received 8/);
    throwsClean(() => binding.dequantizeFloat8(q, new Float32Array(8), '0', 1), 'TypeError', /number for format but received a string/);
    throwsClean(() => binding.dequantizeFloat8(q, new Float32Array(8), 0, Infinity), 'RangeError', /scale but received inf/);
    throwsClean(() => binding.dequantizeFloat8(detached(Uint8Array, 8), new Float32Array(0), 0, 1), 'RangeError', /detached/);
  });

  it('findBadScale: the first scale that is not a positive finite float32, at every position', () => {
    for (const n of [0, 1, 63, 64, 65, 200, 768]) {
      const s = new Float32Array(n + 3).fill(0.5).subarray(3); // a view at a byte offset
      assert.equal(binding.findBadScale(s), -1);
      for (const bad of [0, -0, -1, NaN, Infinity, -Infinity, -1e-45]) {
        for (const at of new Set([0, n >> 1, n - 1].filter((k) => k >= 0 && k < n))) {
          s.fill(3.4028234663852886e38); // FLT_MAX and the smallest subnormal are fine
          s[n - 1 - at] = 1e-45;
          s[at] = bad;
          if (at !== n - 1) s[n - 1] = Number.NaN; // a later bad one does not win
          assert.equal(binding.findBadScale(s), at, `${bad} at ${at} of ${n}`);
        }
      }
    }
    throwsClean(() => binding.findBadScale(new Float64Array(2)), 'TypeError', /Float32Array for scale but received a Float64Array/);
    throwsClean(() => binding.findBadScale(), 'TypeError', /findBadScale takes 1 argument/);
  });

  it('refuses what the calibrate kernels cannot take', () => {
    const x = new Float32Array(8);
    const acc = new Float64Array(16);
    throwsClean(() => binding.errorStatsQuantize(x, acc, 1, 1, 0, -128, 127, 0, 0, 1), 'TypeError', /errorStatsQuantize takes 11 arguments but received 10/);
    throwsClean(() => binding.errorStatsQuantize(x, new Float32Array(16), 1, 1, 0, -128, 127, 0, 0, 1, 0), 'TypeError', /Float64Array for acc but received a Float32Array/);
    throwsClean(() => binding.errorStatsQuantize(x, new Float64Array(32), 1, 1, 0, -128, 127, 0, 0, 1, 0), 'RangeError', /acc.length to equal 16 · \(1 \+ channels\) = 16 but received 32/);
    throwsClean(() => binding.errorStatsQuantize(x, acc, 4, 1, 0, -128, 127, 0, 0, 1, 0), 'RangeError', /\[0, 3\] for codeType but received 4/);
    throwsClean(() => binding.errorStatsQuantize(x, acc, 0, 1, 0, -128, 127, 0, 0, 1, 0), 'RangeError', /\[0, 255\] for qmin but received -128/);
    throwsClean(() => binding.errorStatsQuantize(x, acc, 1, 0, 0, -128, 127, 0, 0, 1, 0), 'RangeError', /positive finite float32 for scale/);
    throwsClean(() => binding.errorStatsQuantize(x, acc, 1, 1, 0, -128, 127, 0, 2, 0, 0), 'RangeError', /for inner but received 0/);
    throwsClean(() => binding.errorStatsQuantize(x, acc, 1, 1, 0, -128, 127, 0, 0, 1, -1), 'RangeError', /for indexBase but received -1/);
    const shared = new Float64Array(20);
    throwsClean(() => binding.errorStatsPair(new Float64Array(shared.buffer, 0, 4), new Float32Array(4), shared.subarray(2, 18), 0, 1, 0), 'RangeError', /acc not to overlap/);
    throwsClean(() => binding.errorStatsPair(x, new Float32Array(7), acc, 0, 1, 0), 'RangeError', /xHat.length to equal x.length 8 but received 7/);
    throwsClean(() => binding.errorStatsPair(x, new Float64Array(8), acc, 0, 1, 0), 'TypeError', /Float32Array for xHat but received a Float64Array/);
    throwsClean(() => binding.errorStatsPair(detached(Float32Array, 8), new Float32Array(0), acc, 0, 1, 0), 'RangeError', /detached/);
    const range = new Float64Array(2);
    throwsClean(() => binding.histogramAdd(x, new Float64Array(0), 0, 1, range), 'RangeError', /counts.length in \[1, 2\^22\] but received 0/);
    throwsClean(() => binding.histogramAdd(x, new Float64Array(4), 1e300, 1, range), 'RangeError', /finite float32 for lo/);
    throwsClean(() => binding.histogramAdd(x, new Float64Array(4), 0, 1e-50, range), 'RangeError', /positive finite float32 for invWidth/);
    throwsClean(() => binding.histogramAdd(x, new Float64Array(4), 0, 1, new Float64Array(3)), 'RangeError', /range.length to be 2/);
    throwsClean(() => binding.histogramAdd(x, new Float64Array(4), '0', 1, range), 'TypeError', /number for lo but received a string/);
    // accepted calls write only their own outputs
    const counts = new Float64Array(4);
    binding.histogramAdd(new Float32Array([-1, 0, 0.5, NaN, 9]), counts, -1, 2, range);
    assert.deepEqual(Array.from(counts), [1, 0, 1, 2]); // −1 | 0 | 0.5 and 9 (clamped); NaN skipped
    assert.deepEqual(Array.from(range), [-1, 9]);
  });

  // Every call of the binding with its declared arity (binding.d.ts).
  const CALLS = [
    ['quantize', 7], ['dequantize', 4], ['minMax', 2], ['quantizePacked', 9], ['dequantizePacked', 6], ['pack', 4],
    ['unpack', 4], ['recode', 3], ['quantizeAxis', 11], ['dequantizeAxis', 8], ['minMaxAxis', 6], ['ggmlQuantize', 3],
    ['ggmlDequantize', 3], ['toFloat16', 2], ['fromFloat16', 2], ['toBFloat16', 2], ['fromBFloat16', 2],
    ['quantizeFloat8', 5], ['dequantizeFloat8', 4], ['findBadScale', 1], ['errorStatsQuantize', 11], ['errorStatsPair', 6], ['histogramAdd', 5],
    ['imageToTensor', 6], ['quantizeEmbeddings', 6], ['binarizeEmbeddings', 3], ['callFloor', 7], ['capThreads', 1],
  ];

  it('capThreads takes an integer from 0 to 8, caps only its own thread, and changes no bits', async () => {
    assert.throws(() => binding.capThreads('1'), { name: 'TypeError', message: "Expected a number for n but received a string" });
    for (const bad of [-1, 9, 1.5, NaN]) assert.throws(() => binding.capThreads(bad), { name: 'RangeError', message: /^Expected an integer from 0 to 8 for n but received / });
    assert.throws(() => binding.capThreads(), { name: 'TypeError', message: 'capThreads takes 1 argument but received 0' });
    const n = 5 << 20; // split into parts without the cap
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 100);
    const a = new Int8Array(n);
    const b = new Int8Array(n);
    binding.quantize(x, a, 0.5, 0, -128, 127, 0);
    binding.capThreads(1);
    try {
      binding.quantize(x, b, 0.5, 0, -128, 127, 0);
    } finally {
      binding.capThreads(0);
    }
    assert.deepEqual(b, a);
  });

  it('has exactly the calls this suite drives', () => {
    // The WebAssembly binding adds its memory's allocate and release (lib/backend-wasm).
    const own = wasm ? ['allocate', 'release'] : [];
    const functions = Object.keys(binding).filter((k) => typeof binding[k] === 'function').sort();
    assert.deepEqual(functions, [...CALLS.map(([name]) => name), ...own].sort());
  });

  it('survives any JS value in any position, in every call', function () {
    // 68,000 calls, about a second alone, several on a loaded machine: a count, not a timing.
    // Never lower a longer timeout the run set (under qemu it takes minutes).
    this.timeout(Math.max(this.timeout(), 30000));
    const values = [
      undefined, null, true, 0, -1, 0.5, NaN, Infinity, 1e300, 'str', Symbol('s'), 10n, {}, [], () => {},
      new ArrayBuffer(8), new DataView(new ArrayBuffer(8)), new Float32Array(3), new Float64Array(3), new Uint8Array(3),
      new Int8Array(3), new Uint16Array(3), new Int16Array(3), new Int32Array(3), new Uint8ClampedArray(3), new Float64Array(2),
      detached(Float32Array, 3), detached(Uint8Array, 3), new Float32Array(new SharedArrayBuffer(12)),
      // Values that pass some of the first checks (types, small integers), so that later checks are reached too.
      false, 1, 2, 3, 4, 8, 32, 127, -128, new Float32Array(32), new Uint8Array(34), new Uint8Array(16),
      new Int32Array(4), new Float32Array(4), new Int8Array(32), new Float64Array(32), new Uint16Array(32),
    ];
    let calls = 0;
    let r = 1;
    const pick = () => values[(r = (r * 1103515245 + 12345) >>> 0) % values.length];
    for (let i = 0; i < 4000; i++) {
      for (const [name, arity] of CALLS) {
        // The declared arity, sometimes one more or one less: the count is checked too.
        const args = Array.from({ length: arity + (i % 7 === 0 ? 1 : i % 11 === 0 ? -1 : 0) }, pick);
        try {
          binding[name](...args);
        } catch (e) {
          assert.ok(e instanceof TypeError || e instanceof RangeError, `${name}: ${e}`);
        }
        calls++;
      }
    }
    assert.equal(calls, 4000 * CALLS.length);
  });
});
