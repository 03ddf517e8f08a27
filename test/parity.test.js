'use strict';
// SPEC §5: the addon and the TypeScript backend return identical bits for every input.
// Both bindings are loaded side by side and fed the same arbitrary inputs by fast-check.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { loadNative } = require('../dist/core/loader');
const { fallbackBinding } = require('../dist/backend-ts');
const { qRange } = require('./support/reference');

const { binding: native, reasons } = loadNative();
const CTORS = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array };
const WIDTH = { uint8: 8, int8: 8, uint16: 16, int16: 16 };
const RUNS = Number(process.env.QUANTKIT_PARITY_RUNS || 150);

const bitsOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A float32 value: anything at all, an exact tie of `scale`, a neighbour of one, or a special. */
const float32Value = (scale) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.float() }, // includes NaN, ±Infinity, -0 and subnormals
    { weight: 2, arbitrary: fc.integer({ min: -70000, max: 70000 }).map((k) => Math.fround((k + 0.5) * scale)) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: -300, max: 300 }), fc.constantFrom(-1, 1)).map(([k, d]) => {
        const t = new Float32Array([(k + 0.5) * scale]);
        new Int32Array(t.buffer)[0] += d * (t[0] < 0 ? -1 : 1);
        return t[0];
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1.4e-45, -1.4e-45, 3.4028234663852886e38) },
  );

const scaleArb = fc
  .oneof(fc.float({ min: Math.fround(1e-6), max: Math.fround(1e3), noNaN: true }), fc.float({ min: Math.fround(1.4e-45), max: Math.fround(3e38), noNaN: true }))
  .filter((s) => s > 0 && Number.isFinite(s));

const paramsArb = fc
  .record({ dtype: fc.constantFrom('uint8', 'int8', 'uint16', 'int16'), narrow: fc.boolean(), bitsSeed: fc.nat(), zSeed: fc.nat(), scale: scaleArb })
  .map(({ dtype, narrow, bitsSeed, zSeed, scale }) => {
    const bits = narrow ? 2 + (bitsSeed % (WIDTH[dtype] - 1)) : WIDTH[dtype];
    const [qmin, qmax] = qRange(dtype, bits);
    return { dtype, scale, qmin, qmax, zeroPoint: qmin + (zSeed % (qmax - qmin + 1)) };
  });

/** Float data at an arbitrary element offset inside a larger buffer, as Float32Array or Float64Array. */
const inputArb = (scale) =>
  fc
    .record({ values: fc.array(float32Value(scale), { maxLength: 5000, size: 'max' }), offset: fc.nat(7), f64: fc.boolean() })
    .map(({ values, offset, f64 }) => {
      const Ctor = f64 ? Float64Array : Float32Array;
      const backing = new Ctor(values.length + offset + 3);
      const x = backing.subarray(offset, offset + values.length);
      x.set(values);
      return x;
    });

describe('parity: native addon vs TypeScript backend', () => {
  before(function () {
    if (!native) throw new Error(`the native addon is needed for the parity suite:\n- ${reasons.join('\n- ')}`);
  });

  it(`quantize: every output byte equal (${RUNS} runs, lengths 0–5000, odd offsets, all dtypes, bit widths and conventions)`, () => {
    fc.assert(
      fc.property(
        paramsArb.chain((p) => fc.tuple(fc.constant(p), inputArb(p.scale), fc.nat(5), fc.constantFrom(0, 1, 2))),
        ([p, x, outOffset, rounding]) => {
          const Ctor = CTORS[p.dtype];
          const a = new Ctor(x.length + outOffset).subarray(outOffset);
          const b = new Ctor(x.length);
          native.quantize(x, a, p.scale, p.zeroPoint, p.qmin, p.qmax, rounding);
          fallbackBinding.quantize(x, b, p.scale, p.zeroPoint, p.qmin, p.qmax, rounding);
          assert.deepEqual(bitsOf(a), bitsOf(b));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`dequantize: every output bit equal (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(paramsArb, fc.array(fc.integer(), { maxLength: 5000, size: 'max' }), fc.nat(5), (p, raw, offset) => {
        const Ctor = CTORS[p.dtype];
        const q = new Ctor(raw.length + offset).subarray(offset);
        q.set(raw.map((v) => v)); // wraps into the container, codes outside [qmin, qmax] included
        const a = new Float32Array(q.length);
        const b = new Float32Array(q.length);
        native.dequantize(q, a, p.scale, p.zeroPoint);
        fallbackBinding.dequantize(q, b, p.scale, p.zeroPoint);
        assert.deepEqual(bitsOf(a), bitsOf(b));
      }),
      { numRuns: RUNS },
    );
  });

  it('large inputs split across threads give the same bits as one pass (quantize, dequantize, minMax)', function () {
    this.timeout(60000);
    // Long enough for the addon to split the call (parts of at least 2 Mi elements), with
    // odd lengths, NaN, ±Inf, the extremes and -0 placed on and around every part boundary.
    const n = (1 << 22) + 4099;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.fround(Math.sin(i * 0.618) * 900);
    const boundaries = [0, n >> 1, (n >> 1) & ~63, n / 4, (n / 4) * 3, n - 1].map(Math.floor);
    for (const b of boundaries) {
      for (let d = -3; d <= 3; d++) {
        const i = Math.min(n - 1, Math.max(0, b + d));
        x[i] = [NaN, Infinity, -Infinity, -0, 1e30, -1e30, 0.5][d + 3];
      }
    }
    for (const [dtype, scale, zeroPoint, qmin, qmax, rounding] of [['uint8', 8, 128, 0, 255, 0], ['int16', 0.03, -5, -32768, 32767, 1], ['int8', 0.5, 3, -128, 127, 2]]) {
      const a = new CTORS[dtype](n);
      const b = new CTORS[dtype](n);
      native.quantize(x, a, scale, zeroPoint, qmin, qmax, rounding);
      fallbackBinding.quantize(x, b, scale, zeroPoint, qmin, qmax, rounding);
      assert.deepEqual(bitsOf(a), bitsOf(b), `quantize ${dtype} rounding ${rounding}`);
      const fa = new Float32Array(n);
      const fb = new Float32Array(n);
      native.dequantize(a, fa, scale, zeroPoint);
      fallbackBinding.dequantize(a, fb, scale, zeroPoint);
      assert.deepEqual(bitsOf(fa), bitsOf(fb), `dequantize ${dtype}`);
    }
    const ra = new Float64Array(2);
    const rb = new Float64Array(2);
    for (const view of [x, x.subarray(3), x.subarray(0, n - 5)]) {
      native.minMax(view, ra);
      fallbackBinding.minMax(view, rb);
      assert.deepEqual(ra, rb);
    }
    // Only the far part holds numbers: the merge must not keep the NaN, NaN of the others.
    const sparse = new Float32Array(n).fill(NaN);
    sparse[n - 2] = -0;
    native.minMax(sparse, ra);
    assert.ok(Object.is(ra[0], 0) && Object.is(ra[1], 0), `[${ra[0]}, ${ra[1]}]`);
    sparse[1] = 7;
    sparse[n >> 1] = -7;
    native.minMax(sparse, ra);
    assert.deepEqual(Array.from(ra), [-7, 7]);
  });

  it(`minMax: the same two numbers, -0 and NaN rules included (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(inputArb(1), (x) => {
        const a = new Float64Array(2);
        const b = new Float64Array(2);
        native.minMax(x, a);
        fallbackBinding.minMax(x, b);
        const [a0, a1] = a;
        const [b0, b1] = b;
        assert.ok(Object.is(a0, b0) && Object.is(a1, b1), `native [${a0}, ${a1}] vs fallback [${b0}, ${b1}]`);
      }),
      { numRuns: RUNS },
    );
  });

  // ggml blocks, every type (0 Q8_0 … 7 Q6_K): finite float32 rows of 1–3 blocks made of a
  // magnitude, ties of that magnitude's grid, repeats, zeros and the float32 extremes.
  const GGML = [[32, 34], [32, 18], [32, 20], [32, 22], [32, 24], [256, 144], [256, 176], [256, 210]];
  const finiteValue = (mag) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.float({ min: -1, max: 1, noNaN: true }).map((v) => Math.fround(v * mag)) },
      { weight: 2, arbitrary: fc.integer({ min: -40, max: 40 }).map((k) => Math.fround(((k + 0.5) * mag) / 16)) },
      { weight: 1, arbitrary: fc.constantFrom(0, -0, 1.4e-45, -1.4e-45, 3.4028234663852886e38, -3.4028234663852886e38) },
    );
  const ggmlRowArb = fc
    .tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(1e-40, 1e-20, 1e-3, 1, 300, 7e4, 1e20, 1e36))
    .chain(([code, blocks, mag]) =>
      fc.tuple(fc.constant(code), fc.array(finiteValue(mag), { minLength: blocks * GGML[code][0], maxLength: blocks * GGML[code][0] })),
    );

  it(`ggml blocks: every type, the same bytes and floats (${RUNS} runs)`, function () {
    this.timeout(60000);
    fc.assert(
      fc.property(ggmlRowArb, fc.nat(), ([code, values], seed) => {
        const [elements, size] = GGML[code];
        const x = Float32Array.from(values);
        const a = new Uint8Array((x.length / elements) * size);
        const b = new Uint8Array(a.length);
        assert.equal(native.ggmlQuantize(x, a, code), -1);
        assert.equal(fallbackBinding.ggmlQuantize(x, b, code), -1);
        assert.deepEqual(a, b, `type ${code}`);
        // Any bytes dequantize alike too (Inf and NaN scales included).
        let s = seed >>> 0;
        for (let i = 0; i < a.length; i += 1 + (s % 5)) {
          s = (Math.imul(s, 1103515245) + 12345) >>> 0;
          a[i] = s >>> 24;
        }
        const ya = new Float32Array(x.length);
        const yb = new Float32Array(x.length);
        native.ggmlDequantize(a, ya, code);
        fallbackBinding.ggmlDequantize(a, yb, code);
        assert.deepEqual(bitsOf(ya), bitsOf(yb), `type ${code} dequantize`);
      }),
      { numRuns: RUNS },
    );
  });
});
