'use strict';

// ONNX Runtime as the oracle (SPEC §2): first the harness proves itself on the ONNX
// project's published vectors, then quantkit (each available backend) is held to
// ONNX Runtime bit for bit, and to the SPEC where the SPEC deliberately differs:
//   - NaN quantizes to the zero point (ORT: qmin);
//   - dynamic quantization ignores NaN (ORT: depends on where the NaN sits);
//   - an infinite range, or one whose float32 scale overflows to Infinity or
//     underflows to 0, is a RangeError (ORT: scale Infinity or 0).

const assert = require('node:assert/strict');
const path = require('node:path');

const {
  ortQuantize,
  ortDequantize,
  ortDynamicQuantize,
  createQuantizeSession,
  createDequantizeSession,
  createDynamicQuantizeSession,
  releaseCachedSessions,
  ortVersion,
} = require('./support/ort');
const vectors = require('./support/onnx-vectors');
const { RANGES, CTORS, rintEven, affineRef } = require('./support/reference');
const { randomSource, nextFloat32, float32FromBits } = require('./support/data');

// The order fixes each dtype's seeds (1000 + index, ...).
const DTYPES = ['uint8', 'int8', 'uint16', 'int16'];
const FLT_MAX = 3.4028234663852886e38;
const FLT_MIN = 1.1754943508222875e-38; // smallest normal float32
const DENORM_MIN = 1.401298464324817e-45; // 2^-149

// ---------------------------------------------------------------------------
// Helpers; float32 bits, the seeded PRNG (every random test names its seed) and the
// SPEC §2 reference formulas come from ./support/data and ./support/reference.

/** The next float32 above f (nextafterf(f, +Inf)); f finite. */
const nextUp = (f) => nextFloat32(f, 1);
const nextDown = (f) => nextFloat32(f, -1);

function finiteMinMax(x) {
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min > max ? { min: 0, max: 0 } : { min, max };
}

/** The middle code: 128, 0, 32768, 0 (never -0, which Math.round(-0.5) would give). */
function midCode(dtype) {
  const [qmin, qmax] = RANGES[dtype];
  return Math.floor((qmin + qmax + 1) / 2);
}

function zeroPointsFor(dtype, rnd) {
  const [qmin, qmax] = RANGES[dtype];
  return [qmin, qmax, midCode(dtype), rnd.int(qmin, qmax), rnd.int(qmin, qmax)];
}

function show(v) {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * actual[i] must equal expected(i) for every i (Object.is: +0 and -0 differ).
 * On failure the message names the first few mismatches and the input that caused them.
 */
function assertElements(actual, expected, length, what, inputAt = () => undefined) {
  assert.equal(actual.length, length, `${what}: length`);
  const bad = [];
  let count = 0;
  for (let i = 0; i < length; i++) {
    const e = expected(i);
    if (!Object.is(actual[i], e)) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] input ${show(inputAt(i))}: expected ${show(e)}, got ${show(actual[i])}`);
    }
  }
  if (count > 0) assert.fail(`${what}: ${count} of ${length} elements differ\n  ${bad.join('\n  ')}`);
}

function assertSameArray(actual, expected, what, input) {
  assertElements(actual, (i) => expected[i], expected.length, what, input ? (i) => input[i] : undefined);
}

// ---------------------------------------------------------------------------
// Input generators (all float32)

/** Values spread over the dtype's range at scale s, around codes, ties and far outside. */
function codeRangeValues(rnd, n, dtype, scale, zeroPoint) {
  const [qmin, qmax] = RANGES[dtype];
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rnd.int(qmin - zeroPoint - 3, qmax - zeroPoint + 3);
    const r = rnd.next();
    if (r < 0.4) x[i] = (k + rnd.next()) * scale;
    else if (r < 0.6) x[i] = (k + 0.5) * scale;
    else if (r < 0.7) x[i] = k * scale;
    else if (r < 0.9) x[i] = (rnd.next() - 0.5) * 3 * (qmax - qmin) * scale;
    else x[i] = (rnd.next() - 0.5) * 2 ** rnd.int(-149, 127);
  }
  return x;
}

/** Any float32 bit pattern: NaNs, infinities, subnormals and huge values included. */
function randomBitsValues(rnd, n) {
  const x = new Float32Array(n);
  const u = new Uint32Array(x.buffer);
  for (let i = 0; i < n; i++) u[i] = rnd.u32();
  return x;
}

/** An array for dynamic quantization: varied length, magnitude, offset and shape. */
function dynamicInput(rnd) {
  const n = rnd.pick([1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, rnd.int(1, 600), rnd.int(1, 5000)]);
  const mag = 10 ** (rnd.next() * 60 - 30);
  const kind = rnd.int(0, 5);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rnd.next();
    if (kind === 0) x[i] = (u - 0.5) * mag; // around zero
    else if (kind === 1) x[i] = (1 + u) * mag; // all positive, min adjusted to 0
    else if (kind === 2) x[i] = -(1 + u) * mag; // all negative, max adjusted to 0
    else if (kind === 3) x[i] = (u - 0.2) * mag; // lopsided
    else if (kind === 4) x[i] = Math.round((u - 0.5) * 20) * mag; // repeats and exact multiples
    else x[i] = (u - 0.5) * 2 ** rnd.int(-100, 100); // mixed magnitudes
  }
  return x;
}

// ---------------------------------------------------------------------------
// The package under test, once per backend

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist') + path.sep;

/**
 * The package with QUANTKIT_BACKEND = backendName, or the load error. When the environment
 * already asks for that backend (test/run.js does), this is the shared instance every test
 * file sees. Otherwise a private copy is loaded with the variable set for the moment, and
 * the module cache is put back as it was, so other test files keep their own instance.
 */
function loadQuantkit(backendName) {
  if (process.env.QUANTKIT_BACKEND === backendName) {
    try {
      return { qk: require(ROOT) };
    } catch (error) {
      return { error };
    }
  }
  const savedEnv = process.env.QUANTKIT_BACKEND;
  const distKeys = () => Object.keys(require.cache).filter((key) => key.startsWith(DIST));
  const savedModules = Object.fromEntries(distKeys().map((key) => [key, require.cache[key]]));
  for (const key of distKeys()) delete require.cache[key];
  process.env.QUANTKIT_BACKEND = backendName;
  try {
    return { qk: require(ROOT) };
  } catch (error) {
    return { error };
  } finally {
    if (savedEnv === undefined) delete process.env.QUANTKIT_BACKEND;
    else process.env.QUANTKIT_BACKEND = savedEnv;
    for (const key of distKeys()) delete require.cache[key];
    Object.assign(require.cache, savedModules);
  }
}

const BACKENDS = process.env.QUANTKIT_BACKEND ? [process.env.QUANTKIT_BACKEND] : ['native', 'fallback'];

// ---------------------------------------------------------------------------

describe(`ONNX Runtime oracle (onnxruntime-node ${ortVersion})`, function () {
  this.timeout(20000);

  after(releaseCachedSessions);

  describe('harness: ONNX published vectors through ONNX Runtime', function () {
    for (const v of vectors.QUANTIZE) {
      it(`${v.name} (${v.dtype})`, async function () {
        const y = await ortQuantize(Float32Array.from(v.x), v.scale, v.zeroPoint, v.dtype);
        assert.ok(y instanceof CTORS[v.dtype]);
        assertSameArray(y, v.y, v.name, v.x);
      });
    }
    for (const v of vectors.DEQUANTIZE) {
      it(`${v.name} (${v.dtype})`, async function () {
        const y = await ortDequantize(CTORS[v.dtype].from(v.x), v.scale, v.zeroPoint, v.dtype);
        assert.ok(y instanceof Float32Array);
        assertSameArray(y, v.y, v.name, v.x);
      });
    }
    for (const v of vectors.DYNAMIC_QUANTIZE) {
      it(`${v.name}`, async function () {
        const r = await ortDynamicQuantize(Float32Array.from(v.x));
        assert.equal(r.scale, v.scale);
        assert.equal(r.zeroPoint, v.zeroPoint);
        assertSameArray(r.data, v.y, v.name, v.x);
      });
    }
    it('scale and zero point given as initializers give the same bits as graph inputs', async function () {
      const rnd = randomSource(7);
      for (const dtype of DTYPES) {
        const x = codeRangeValues(rnd, 200, dtype, 0.37, 3);
        const a = await ortQuantize(x, Math.fround(0.37), 3, dtype);
        const b = await ortQuantize(x, Math.fround(0.37), 3, dtype, { paramsAs: 'initializers' });
        assertSameArray(a, b, `${dtype} quantize`, x);
        const c = await ortDequantize(a, Math.fround(0.37), 3, dtype);
        const d = await ortDequantize(a, Math.fround(0.37), 3, dtype, { paramsAs: 'initializers' });
        assertSameArray(c, d, `${dtype} dequantize`, a);
      }
    });

    it('the benchmark sessions (create*Session().run) give the cached helpers\' bits', async function () {
      const x = codeRangeValues(randomSource(8), 100, 'int8', 0.05, -3);
      const q = await createQuantizeSession('int8');
      const dq = await createDequantizeSession('int8');
      const dyn = await createDynamicQuantizeSession();
      try {
        const qx = await q.run(x, 0.05, -3);
        assertSameArray(qx, await ortQuantize(x, 0.05, -3, 'int8'), 'quantize', x);
        assertSameArray(await dq.run(qx, 0.05, -3), await ortDequantize(qx, 0.05, -3, 'int8'), 'dequantize', qx);
        const a = await dyn.run(x);
        const b = await ortDynamicQuantize(x);
        assert.deepEqual([a.scale, a.zeroPoint], [b.scale, b.zeroPoint]);
        assertSameArray(a.data, b.data, 'dynamic', x);
      } finally {
        await Promise.all([q.release(), dq.release(), dyn.release()]);
      }
    });
  });

  // What ORT 1.30 does on its own, pinned so that a change of oracle is noticed.
  describe('harness: ONNX Runtime behaviour the tests rely on', function () {
    it('QuantizeLinear divides (no reciprocal multiply) and rounds ties to even', async function () {
      const s = Math.fround(0.3);
      const x = [];
      for (let k = -60; k < 60; k++) x.push(Math.fround((k + 0.5) * s));
      const q = await ortQuantize(Float32Array.from(x), s, 0, 'int8');
      const byDivision = x.map((v) => Math.max(-128, Math.min(127, rintEven(Math.fround(v / s)))));
      const byReciprocal = x.map((v) => Math.max(-128, Math.min(127, rintEven(Math.fround(v * Math.fround(1 / s))))));
      assertSameArray(q, byDivision, 'ORT vs fl(x / s)', x);
      assert.notDeepEqual(byDivision, byReciprocal, 'the inputs must tell division from reciprocal multiply');
      const ties = await ortQuantize(Float32Array.of(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5), 1, 0, 'int16');
      assertSameArray(ties, [-2, -2, 0, 0, 2, 2], 'ties', [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]);
    });

    it('QuantizeLinear: +Inf gives qmax, -Inf qmin, -0 the zero point (and NaN qmin on x64)', async function () {
      // NaN is undefined in ONNX; what MLAS returns depends on its kernel, so it is pinned
      // only where it was observed (x86-64: qmin for every NaN payload and position).
      for (const dtype of DTYPES) {
        const [qmin, qmax] = RANGES[dtype];
        const z = qmin + 5;
        const x = Float32Array.of(Infinity, -Infinity, -0, NaN, float32FromBits(0xffc00000), float32FromBits(0x7f800001));
        const q = await ortQuantize(x, 0.5, z, dtype);
        assertSameArray(q.subarray(0, 3), [qmax, qmin, z], dtype, x);
        if (process.arch === 'x64') assertSameArray(q.subarray(3), [qmin, qmin, qmin], `${dtype} NaN`, x.subarray(3));
      }
    });

    it('DequantizeLinear of q == z is +0', async function () {
      for (const dtype of DTYPES) {
        const z = RANGES[dtype][1];
        const y = await ortDequantize(CTORS[dtype].of(z), 0.25, z, dtype);
        assert.ok(Object.is(y[0], 0), `${dtype}: ${show(y[0])}`);
      }
    });

    it('DynamicQuantizeLinear: all zeros and empty give scale 1, zero point 0', async function () {
      for (const x of [new Float32Array(5), new Float32Array(40).fill(-0), new Float32Array(0)]) {
        const r = await ortDynamicQuantize(x);
        assert.deepEqual([r.scale, r.zeroPoint, r.data.length], [1, 0, x.length]);
        assert.ok(r.data.every((q) => q === 0));
      }
    });

    it('DynamicQuantizeLinear parameters equal the SPEC §2.3 formulas on finite input', async function () {
      const rnd = randomSource(9000);
      for (let t = 0; t < 100; t++) {
        const x = dynamicInput(rnd);
        const { min, max } = finiteMinMax(x);
        const expected = affineRef(min, max, 0, 255);
        const ort = await ortDynamicQuantize(x);
        assert.deepEqual([ort.scale, ort.zeroPoint], [expected.scale, expected.zeroPoint], `input ${t}`);
      }
    });

    it('DynamicQuantizeLinear: odd inputs where the SPEC departs from ORT', async function () {
      // Written down so the RangeError / NaN choices below stay justified. The NaN cases
      // depend on the MLAS min/max kernel and are pinned only where observed (x86-64).
      if (process.arch === 'x64') {
        const allNaN = await ortDynamicQuantize(new Float32Array(16).fill(NaN));
        assert.ok(Number.isNaN(allNaN.scale), `all-NaN x16 scale ${allNaN.scale}`);
        assert.equal(allNaN.zeroPoint, 255);
        const nanAtLane7 = await ortDynamicQuantize(Float32Array.of(1, 2, 3, 4, 5, 6, 7, NaN, 9));
        assert.ok(Number.isNaN(nanAtLane7.scale), `NaN at index 7 of 9: scale ${nanAtLane7.scale}`);
      }
      const tiny = await ortDynamicQuantize(Float32Array.of(DENORM_MIN));
      assert.deepEqual([tiny.scale, tiny.zeroPoint, tiny.data[0]], [0, 255, 255]);
      const wide = await ortDynamicQuantize(Float32Array.of(-FLT_MAX, FLT_MAX));
      assert.deepEqual([wide.scale, wide.zeroPoint], [Infinity, 0]);
      const inf = await ortDynamicQuantize(Float32Array.of(1, Infinity, -2));
      assert.deepEqual([inf.scale, inf.zeroPoint], [Infinity, 0]);
    });
  });

  for (const backendName of BACKENDS) {
    describe(`quantkit [${backendName}]`, function () {
      const loaded = loadQuantkit(backendName);
      if (loaded.error) {
        it('loads', function () {
          const why = `quantkit could not be loaded with QUANTKIT_BACKEND=${backendName} ` +
            `(run 'npm run build:ts', and 'npm run build:native' for the addon): ${loaded.error.message}`;
          // Without an explicit QUANTKIT_BACKEND a missing addon only skips its half; a missing
          // dist, or an addon asked for by name, fails.
          const fallbackWorks = backendName === 'native' && !process.env.QUANTKIT_BACKEND && !loadQuantkit('fallback').error;
          if (fallbackWorks) {
            console.warn(`      skipped: ${why}`);
            this.skip();
          }
          throw new Error(why);
        });
        return;
      }
      const qk = loaded.qk;

      it(`reports backend ${backendName}`, function () {
        assert.equal(qk.backend.name, backendName);
      });

      describe('published ONNX vectors', function () {
        for (const v of vectors.QUANTIZE) {
          it(`${v.name} (${v.dtype})`, function () {
            const q = qk.quantize(Float32Array.from(v.x), { scale: v.scale, zeroPoint: v.zeroPoint, dtype: v.dtype });
            assert.ok(q instanceof CTORS[v.dtype]);
            assertSameArray(q, v.y, v.name, v.x);
          });
        }
        for (const v of vectors.DEQUANTIZE) {
          it(`${v.name} (${v.dtype})`, function () {
            const y = qk.dequantize(CTORS[v.dtype].from(v.x), { scale: v.scale, zeroPoint: v.zeroPoint, dtype: v.dtype });
            assert.ok(y instanceof Float32Array);
            assertSameArray(y, v.y, v.name, v.x);
          });
        }
        for (const v of vectors.DYNAMIC_QUANTIZE) {
          it(`${v.name}`, function () {
            const r = qk.quantizeDynamic(Float32Array.from(v.x));
            assert.equal(r.dtype, 'uint8');
            assert.equal(r.scale, v.scale);
            assert.equal(r.zeroPoint, v.zeroPoint);
            assert.ok(r.data instanceof Uint8Array);
            assertSameArray(r.data, v.y, v.name, v.x);
          });
        }
      });

      describe('quantize vs ONNX Runtime QuantizeLinear', function () {
        for (const dtype of DTYPES) {
          it(`${dtype}: random values around the codes, several scales and zero points`, async function () {
            const seed = 1000 + DTYPES.indexOf(dtype);
            const rnd = randomSource(seed);
            const scales = [1, 0.5, 2, Math.fround(0.1), Math.fround(0.3), Math.fround(1 / 3), Math.fround(0.007),
              Math.fround(123.456), Math.fround(3e-5), Math.fround(1e-40), Math.fround(1e30)];
            for (let t = 0; t < 20; t++) scales.push(Math.fround(Math.exp((rnd.next() - 0.5) * 40)));
            for (const scale of scales) {
              for (const zeroPoint of zeroPointsFor(dtype, rnd)) {
                const x = codeRangeValues(rnd, 257, dtype, scale, zeroPoint);
                const params = { scale, zeroPoint, dtype };
                const expected = await ortQuantize(x, scale, zeroPoint, dtype);
                assertSameArray(qk.quantize(x, params), expected, `seed ${seed} s=${scale} z=${zeroPoint}`, x);
              }
            }
          });

          it(`${dtype}: exact ties (k + 0.5)·s and their float32 neighbours`, async function () {
            const [qmin, qmax] = RANGES[dtype];
            const rnd = randomSource(2000 + DTYPES.indexOf(dtype));
            let exactTies = 0;
            for (const scale of [1, 0.5, 2, 3, Math.fround(0.1), Math.fround(0.3), Math.fround(1 / 3), Math.fround(0.007),
              Math.fround(1e-3), Math.fround(123.456), DENORM_MIN * 3, FLT_MIN]) {
              for (const zeroPoint of [qmin, qmax, midCode(dtype), rnd.int(qmin, qmax)]) {
                const ks = [];
                for (let k = -300; k <= 300; k++) ks.push(k);
                for (let j = 0; j < 200; j++) ks.push(rnd.int(qmin - zeroPoint - 2, qmax - zeroPoint + 1));
                for (const k of [qmin - zeroPoint - 1, qmin - zeroPoint, qmax - zeroPoint - 1, qmax - zeroPoint]) ks.push(k);
                const values = [];
                for (const k of ks) {
                  const tie = Math.fround((k + 0.5) * scale);
                  values.push(tie, nextUp(tie), nextDown(tie));
                  if (Math.fround(tie / scale) === k + 0.5) exactTies++;
                }
                const x = Float32Array.from(values);
                const expected = await ortQuantize(x, scale, zeroPoint, dtype);
                assertSameArray(qk.quantize(x, { scale, zeroPoint, dtype }), expected, `s=${scale} z=${zeroPoint}`, x);
              }
            }
            assert.ok(exactTies > 10000, `only ${exactTies} exact ties were generated`);
          });

          it(`${dtype}: huge and subnormal values and scales`, async function () {
            const [qmin, qmax] = RANGES[dtype];
            const special = [FLT_MAX, nextDown(FLT_MAX), 1e38, 1e30, 65536, 1, FLT_MIN, nextDown(FLT_MIN), 1e-40,
              DENORM_MIN * 3, DENORM_MIN * 2, DENORM_MIN, 0];
            const x = Float32Array.from([...special, ...special.map((v) => -v)]);
            for (const scale of [DENORM_MIN, DENORM_MIN * 2, DENORM_MIN * 3, Math.fround(1e-40), FLT_MIN, nextDown(FLT_MIN),
              Math.fround(1e-30), 1, Math.fround(1e30), Math.fround(1e38), FLT_MAX]) {
              for (const zeroPoint of [qmin, qmax, midCode(dtype)]) {
                const expected = await ortQuantize(x, scale, zeroPoint, dtype);
                assertSameArray(qk.quantize(x, { scale, zeroPoint, dtype }), expected, `s=${scale} z=${zeroPoint}`, x);
              }
            }
          });

          it(`${dtype}: any float32 bit pattern (NaN → zero point per SPEC, ORT gives qmin)`, async function () {
            const seed = 3000 + DTYPES.indexOf(dtype);
            const rnd = randomSource(seed);
            let nans = 0;
            for (let t = 0; t < 8; t++) {
              const x = randomBitsValues(rnd, 4096);
              const scale = Math.fround(2 ** rnd.int(-140, 120) * (1 + rnd.next()));
              const zeroPoint = rnd.pick(zeroPointsFor(dtype, rnd));
              const ort = await ortQuantize(x, scale, zeroPoint, dtype);
              const q = qk.quantize(x, { scale, zeroPoint, dtype });
              assertElements(q, (i) => {
                if (!Number.isNaN(x[i])) return ort[i];
                nans++;
                return zeroPoint;
              }, x.length, `seed ${seed} s=${scale} z=${zeroPoint}`, (i) => x[i]);
            }
            assert.ok(nans > 20, `only ${nans} NaNs were generated`);
          });

          it(`${dtype}: ±Inf, -0, +0 and NaN at every position of short and SIMD-sized arrays`, async function () {
            const [qmin, qmax] = RANGES[dtype];
            const zeroPoint = qmin === 0 ? 3 : -3;
            const params = { scale: 0.5, zeroPoint, dtype };
            for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129]) {
              const x = new Float32Array(n);
              for (let i = 0; i < n; i++) x[i] = [NaN, Infinity, -Infinity, -0, 0, 1.25, -1.25][(i * 5 + n) % 7];
              const ort = await ortQuantize(x, 0.5, zeroPoint, dtype);
              const expected = (i) => (Number.isNaN(x[i]) ? zeroPoint : ort[i]);
              assertElements(qk.quantize(x, params), expected, n, `n=${n}`, (i) => x[i]);
              for (let i = 0; i < n; i++) {
                if (x[i] === Infinity) assert.equal(ort[i], qmax);
                if (x[i] === -Infinity) assert.equal(ort[i], qmin);
                if (x[i] === 0) assert.equal(ort[i], zeroPoint);
              }
            }
          });

          it(`${dtype}: sub-array views at odd offsets, \`out\`, and Float64Array input`, async function () {
            const rnd = randomSource(4000 + DTYPES.indexOf(dtype));
            const scale = Math.fround(0.0123);
            const zeroPoint = rnd.int(...RANGES[dtype]);
            const params = { scale, zeroPoint, dtype };
            const base = codeRangeValues(rnd, 301, dtype, scale, zeroPoint);
            for (const [start, end] of [[1, 300], [3, 36], [5, 6], [7, 7]]) {
              const x = base.subarray(start, end);
              const expected = await ortQuantize(x, scale, zeroPoint, dtype);
              const outBuffer = new CTORS[dtype](x.length + 3).fill(RANGES[dtype][1]);
              const out = outBuffer.subarray(1, 1 + x.length);
              assert.equal(qk.quantize(x, params, out), out, 'returns out');
              assertSameArray(out, expected, `view [${start}, ${end})`, x);
              assert.equal(outBuffer[0], RANGES[dtype][1], 'wrote before out');
              assert.equal(outBuffer[outBuffer.length - 1], RANGES[dtype][1], 'wrote after out');
            }
            // Doubles within a quarter float32 ulp of exact ties: rounding them to float32 first
            // (SPEC §2.6) gives the tie; dividing the double directly would not.
            const nearTies = [];
            for (let k = -40; k < 40; k++) {
              const tie = Math.fround((k + 0.5) * scale);
              const quarterUlp = (nextUp(Math.abs(tie)) - Math.abs(tie)) / 4;
              nearTies.push(tie + quarterUlp, tie - quarterUlp);
            }
            const doubles = Float64Array.from([...base, ...nearTies], (v, i) => v + (i % 3) * 1e-12 * (v || 1));
            const expected = await ortQuantize(Float32Array.from(doubles), scale, zeroPoint, dtype);
            assertSameArray(qk.quantize(doubles, params), expected, 'Float64Array input', doubles);
          });
        }
      });

      describe('dequantize vs ONNX Runtime DequantizeLinear', function () {
        for (const dtype of DTYPES) {
          it(`${dtype}: every code, scales from 2^-149 to FLT_MAX (overflow to ±Inf), q == z is +0`, async function () {
            const [qmin, qmax] = RANGES[dtype];
            const rnd = randomSource(5000 + DTYPES.indexOf(dtype));
            const q = new CTORS[dtype](qmax - qmin + 1);
            for (let i = 0; i < q.length; i++) q[i] = qmin + i;
            const scales = [1, Math.fround(0.1), Math.fround(0.0078125), DENORM_MIN, Math.fround(1e-40), FLT_MIN,
              Math.fround(1e30), Math.fround(1e36), FLT_MAX];
            for (let t = 0; t < 3; t++) scales.push(Math.fround(Math.exp((rnd.next() - 0.5) * 60)));
            let sawInfinity = false;
            for (const scale of scales) {
              for (const zeroPoint of [qmin, qmax, rnd.int(qmin, qmax)]) {
                const expected = await ortDequantize(q, scale, zeroPoint, dtype);
                const y = qk.dequantize(q, { scale, zeroPoint, dtype });
                assertSameArray(y, expected, `s=${scale} z=${zeroPoint}`, q);
                const zi = zeroPoint - qmin;
                assert.ok(Object.is(y[zi], 0), `q == z gives ${show(y[zi])}`);
                sawInfinity ||= expected.some((v) => !Number.isFinite(v));
              }
            }
            assert.ok(sawInfinity, '(q - z) · FLT_MAX should overflow to ±Inf');
          });
        }

        it('a NaN input round-trips to +0 (quantize gives the zero point)', function () {
          for (const dtype of DTYPES) {
            const params = { scale: 0.5, zeroPoint: RANGES[dtype][0] + 1, dtype };
            const y = qk.dequantize(qk.quantize(Float32Array.of(NaN), params), params);
            assert.ok(Object.is(y[0], 0), `${dtype}: ${show(y[0])}`);
          }
        });
      });

      describe('quantizeDynamic vs ONNX Runtime DynamicQuantizeLinear', function () {
        async function assertMatchesOrt(x, what) {
          const ort = await ortDynamicQuantize(x);
          const r = qk.quantizeDynamic(x);
          assert.equal(r.dtype, 'uint8', what);
          assert.equal(r.scale, ort.scale, `${what}: scale`);
          assert.equal(r.zeroPoint, ort.zeroPoint, `${what}: zeroPoint`);
          assertSameArray(r.data, ort.data, `${what}: data`, x);
          return { ort, r };
        }

        it('many random finite arrays: same scale, zero point and data', async function () {
          const seed = 6000;
          const rnd = randomSource(seed);
          for (let t = 0; t < 1000; t++) {
            const x = dynamicInput(rnd);
            const { r } = await assertMatchesOrt(x, `seed ${seed} array ${t} (n=${x.length})`);
            // The parameter helpers agree with the fused call.
            const { min, max } = finiteMinMax(x);
            const fromRange = qk.paramsFromRange(min, max);
            assert.deepEqual([fromRange.scale, fromRange.zeroPoint], [r.scale, r.zeroPoint], `paramsFromRange, array ${t}`);
            const computed = qk.computeParams(x);
            assert.deepEqual([computed.scale, computed.zeroPoint], [r.scale, r.zeroPoint], `computeParams, array ${t}`);
          }
        });

        it('all zeros (+0 and -0), a single zero and empty: scale 1, zero point 0', async function () {
          for (const x of [new Float32Array(1), new Float32Array(9), new Float32Array(33).fill(-0), new Float32Array(0)]) {
            const { r } = await assertMatchesOrt(x, `zeros n=${x.length}`);
            assert.deepEqual([r.scale, r.zeroPoint], [1, 0]);
          }
        });

        it('constant, single-value and one-sided arrays', async function () {
          const cases = [[5, 5, 5], [-5, -5, -5], [0.001], [-1e20], [3, 0, 3, 0, 3, 0, 3, 0, 3], [1e-30, 2e-30]];
          for (const c of cases) await assertMatchesOrt(Float32Array.from(c), `[${c}]`);
        });

        it('subnormal ranges whose scale stays positive', async function () {
          const cases = [[-1e-40, 1e-40], [0, 1e-40], [1e-38], [FLT_MIN], [128 * DENORM_MIN], [-64 * DENORM_MIN, 64 * DENORM_MIN],
            [382 * DENORM_MIN], [383 * DENORM_MIN], [0, 2e-43, 1e-44, -0]];
          for (const c of cases) {
            const { r } = await assertMatchesOrt(Float32Array.from(c), `[${c}]`);
            assert.ok(r.scale > 0);
          }
        });

        it('huge ranges whose max − min is still finite', async function () {
          const half = 1.7014117331926443e38; // largest value v with fl(v − (−v)) finite
          const cases = [[FLT_MAX], [-FLT_MAX], [-FLT_MAX, 0], [-FLT_MAX, 1], [-1e38, 1e38], [-half, half], [FLT_MAX, 1, -1e30]];
          for (const c of cases) {
            const { r } = await assertMatchesOrt(Float32Array.from(c), `[${c}]`);
            assert.ok(Number.isFinite(r.scale));
          }
        });

        it('NaN mixed with numbers is ignored (ORT: position-dependent) and quantizes to the zero point', async function () {
          const rnd = randomSource(7000);
          for (let t = 0; t < 60; t++) {
            const x = dynamicInput(rnd);
            const nanCount = t < 10 ? 1 : rnd.int(1, Math.max(1, x.length >> 2));
            for (let j = 0; j < nanCount; j++) x[t < 10 ? Math.max(0, x.length - 1 - t) : rnd.int(0, x.length - 1)] = NaN;
            const numbers = x.filter((v) => !Number.isNaN(v));
            const ort = await ortDynamicQuantize(numbers);
            const r = qk.quantizeDynamic(x);
            assert.equal(r.scale, ort.scale, `array ${t}: scale`);
            assert.equal(r.zeroPoint, ort.zeroPoint, `array ${t}: zeroPoint`);
            let k = 0;
            const expected = Array.from(x, (v) => (Number.isNaN(v) ? ort.zeroPoint : ort.data[k++]));
            assertSameArray(r.data, expected, `array ${t}`, x);
          }
        });

        it('all-NaN counts as [0, 0]: scale 1, zero point 0 (ORT: NaN scale for length ≥ 8)', function () {
          for (const n of [1, 7, 8, 37]) {
            const r = qk.quantizeDynamic(new Float32Array(n).fill(NaN));
            assert.deepEqual([r.scale, r.zeroPoint], [1, 0], `n=${n}`);
            assert.ok(r.data.every((q) => q === 0), `n=${n}`);
          }
        });

        it('an infinite value is a RangeError and leaves out untouched (ORT: scale Infinity)', function () {
          for (const c of [[1, Infinity, -2], [1, -Infinity], [Infinity], [NaN, -Infinity, 0]]) {
            const out = new Uint8Array(c.length).fill(77);
            assert.throws(() => qk.quantizeDynamic(Float32Array.from(c), { out }), RangeError, `[${c}]`);
            assert.ok(out.every((q) => q === 77), `[${c}]: out was written`);
          }
        });

        it('a range whose float32 scale overflows or underflows is a RangeError (ORT: scale Infinity or 0)', function () {
          const half = 1.7014117331926443e38;
          // max − min overflows (the last one is an exact tie between FLT_MAX and 2^128, rounded up to Inf)
          const cases = [[-FLT_MAX, FLT_MAX], [-2e38, 2e38], [-nextUp(half), nextUp(half)], [-half, nextUp(half)],
            [DENORM_MIN], [-DENORM_MIN], [0, DENORM_MIN], [127 * DENORM_MIN], [-64 * DENORM_MIN, 63 * DENORM_MIN]]; // (max − min) / 255 underflows
          for (const c of cases) {
            const out = new Uint8Array(c.length).fill(77);
            assert.throws(() => qk.quantizeDynamic(Float32Array.from(c), { out }), RangeError, `[${c}]`);
            assert.ok(out.every((q) => q === 77), `[${c}]: out was written`);
          }
        });

        for (const dtype of ['int8', 'uint16', 'int16']) {
          it(`${dtype} (no ORT op): SPEC §2.3 parameters, data equal to ORT QuantizeLinear with them`, async function () {
            const [qmin, qmax] = RANGES[dtype];
            const seed = 8000 + DTYPES.indexOf(dtype);
            const rnd = randomSource(seed);
            const inputs = [new Float32Array(0), new Float32Array(4), Float32Array.of(5, 5), Float32Array.of(-1e-40, 1e-40)];
            for (let t = 0; t < 80; t++) inputs.push(dynamicInput(rnd));
            for (const [t, x] of inputs.entries()) {
              const { min, max } = finiteMinMax(x);
              const expected = affineRef(min, max, qmin, qmax);
              const r = qk.quantizeDynamic(x, { dtype });
              assert.equal(r.dtype, dtype);
              assert.ok(r.data instanceof CTORS[dtype]);
              assert.deepEqual([r.scale, r.zeroPoint], [expected.scale, expected.zeroPoint], `seed ${seed} input ${t}`);
              const ort = await ortQuantize(x, r.scale, r.zeroPoint, dtype);
              assertSameArray(r.data, ort, `seed ${seed} input ${t}`, x);
            }
          });
        }

      });
    });
  }
});
