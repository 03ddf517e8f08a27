'use strict';
// params.convention (README "Conventions"): each framework's quantize integers, exactly.
// The reference below restates the three formulas independently of lib/ and native/:
// Math.fround for every float32 operation, rounding by inspecting the fraction, clamping
// after rounding (the kernels clamp before it), and the special values spelled out.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { prng, nextFloat32, float32FromBits, SPECIALS } = require('./support/data');

const f = Math.fround;
const CONVENTIONS = ['onnx', 'pytorch', 'tflite'];
const RANGES = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint4: [0, 15], int4: [-8, 7], uint2: [0, 3], int2: [-2, 1],
};
const PLAIN = ['uint8', 'int8', 'uint16', 'int16'];
const PACKED = ['uint4', 'int4', 'uint2', 'int2'];
const FLT_MAX = float32FromBits(0x7f7fffff);

function rangeOf(dtype, bits) {
  const [lo, hi] = RANGES[dtype];
  if (bits === undefined) return [lo, hi];
  return lo < 0 ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

/** Nearest integer, ties to even (ONNX rint, C nearbyint). */
function roundEven(v) {
  const fl = Math.floor(v);
  const d = v - fl;
  if (d !== 0.5) return d < 0.5 ? fl : fl + 1;
  return fl % 2 === 0 ? fl : fl + 1;
}

/** Nearest integer, ties away from zero (C round, TfLiteRound). */
function roundAway(v) {
  const a = Math.abs(v);
  const fl = Math.floor(a);
  const r = a - fl >= 0.5 ? fl + 1 : fl;
  return v < 0 ? -r : r;
}

/** The float32 value each framework rounds: fl(x / s), or fl(x · fl(1 / s)) for PyTorch. */
function quotient(convention, x, scale) {
  const xf = f(x);
  const s = f(scale);
  return convention === 'pytorch' ? f(xf * f(1 / s)) : f(xf / s);
}

function codeOf(convention, x, scale, zeroPoint, qmin, qmax) {
  const v = quotient(convention, x, scale);
  if (Number.isNaN(v)) return zeroPoint; // SPEC's rule; PyTorch and TFLite leave NaN undefined
  if (v === Infinity) return qmax;
  if (v === -Infinity) return qmin;
  const r = convention === 'tflite' ? roundAway(v) : roundEven(v);
  return Math.min(qmax, Math.max(qmin, r + zeroPoint));
}

function refCodes(x, { scale, zeroPoint = 0, dtype = 'uint8', bits, convention = 'onnx' }) {
  const [qmin, qmax] = rangeOf(dtype, bits);
  return Array.from(x, (v) => codeOf(convention, v, scale, zeroPoint, qmin, qmax));
}

/** quantize's result as plain numbers, packed dtypes unpacked. */
function codes(q, dtype, n) {
  return PACKED.includes(dtype) ? Array.from(qk.unpack(q, dtype, n)) : Array.from(q);
}

// Exact ties k + 1/2 of a scale (k from -4 to 3) and their float32 neighbours; with a power
// of two scale t · s is exact, so these are ties of x / s for every convention.
function tiesAround(scale) {
  const out = [];
  for (let k = -4; k <= 3; k++) {
    const x = f((k + 0.5) * scale);
    out.push(x, nextFloat32(x, 1), nextFloat32(x, -1));
  }
  return out;
}

// Values where fl(x / s) and fl(x · fl(1 / s)) differ, found by search among near-ties of
// random scales (they are rare: the reciprocal's rounding error must decide a tie).
function divergentCases(count, seed) {
  const r = prng(seed);
  const found = [];
  for (let tries = 0; found.length < count && tries < 2e6; tries++) {
    const scale = f(2 ** (r() * 20 - 12) * (1 + r()));
    const k = Math.floor(r() * 200) - 100;
    let x = f((k + 0.5) * scale);
    const step = Math.floor(r() * 5) - 2;
    for (let i = 0; i < Math.abs(step); i++) x = nextFloat32(x, Math.sign(step));
    if (quotient('onnx', x, scale) !== quotient('pytorch', x, scale)) found.push({ x, scale });
  }
  return found;
}

/** Length past every SIMD width with an odd tail: edge values cycled through random data. */
function longWith(values, n, seed, spread) {
  const r = prng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = i % 3 === 0 ? values[(i / 3) % values.length] : (r() * 2 - 1) * spread;
  return x;
}

describe(`params.convention (${qk.backend.name}/${qk.backend.isa})`, () => {
  it('the README example: 0.5, 1.5, 2.5 and their negatives under each convention', () => {
    const x = new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, -2.4999998]);
    const p = { scale: 1, zeroPoint: 0, dtype: 'int8' };
    // Ties to even for ONNX and PyTorch, away from zero for TFLite (std::round).
    assert.deepEqual(Array.from(qk.quantize(x, { ...p, convention: 'onnx' })), [0, 2, 2, 0, -2, -2, 2, -2]);
    assert.deepEqual(Array.from(qk.quantize(x, { ...p, convention: 'pytorch' })), [0, 2, 2, 0, -2, -2, 2, -2]);
    assert.deepEqual(Array.from(qk.quantize(x, { ...p, convention: 'tflite' })), [1, 2, 3, -1, -2, -3, 2, -2]);
    assert.deepEqual(qk.quantize(x, p), qk.quantize(x, { ...p, convention: 'onnx' }), "'onnx' is the default");
  });

  it("fbgemm's own example: 0.273939937 / 0.00214854861 is 127.499992, times the reciprocal 127.5", () => {
    const x = new Float32Array([0.273939937]);
    const p = { scale: 0.00214854861, zeroPoint: 0, dtype: 'uint8' };
    assert.deepEqual(Array.from(qk.quantize(x, { ...p, convention: 'onnx' })), [127]);
    assert.deepEqual(Array.from(qk.quantize(x, { ...p, convention: 'pytorch' })), [128]);
    assert.deepEqual(Array.from(qk.quantize(x, { ...p, convention: 'tflite' })), [127]);
  });

  it('finds values where fl(x / s) and fl(x · fl(1 / s)) differ, and gives each convention its own integer', () => {
    const cases = divergentCases(400, 7);
    assert.ok(cases.length >= 100, `only ${cases.length} divergent values found`);
    let differ = 0;
    for (const convention of CONVENTIONS) {
      for (const { x, scale } of cases) {
        const p = { scale, zeroPoint: 3, dtype: 'int16', convention };
        const got = Array.from(qk.quantize(new Float32Array([x]), p));
        assert.deepEqual(got, refCodes([x], p), `${convention} x=${x} scale=${scale}`);
      }
    }
    for (const { x, scale } of cases) {
      if (codeOf('onnx', x, scale, 0, -32768, 32767) !== codeOf('pytorch', x, scale, 0, -32768, 32767)) differ++;
    }
    assert.ok(differ > 0, 'some divergent quotients must change the integer');
  });

  for (const convention of CONVENTIONS) {
    describe(convention, () => {
      const edges = (scale) => [
        ...tiesAround(scale), ...SPECIALS, 0, -0, FLT_MAX, -FLT_MAX, 1e30, -1e30,
        float32FromBits(1), float32FromBits(0x80000001), float32FromBits(0x00800000),
      ];

      for (const dtype of PLAIN) {
        it(`${dtype}: ties at several scales, NaN, ±Inf, −0, subnormals, huge; 1037 elements and offsets`, () => {
          const [qmin, qmax] = rangeOf(dtype);
          for (const scale of [1, 0.5, 0.25, 3, 0.1, 0.0078125, 1e-3, 7.3e-5, 0.0235294122, 2 ** 20, 1e-40]) {
            const zeroPoint = Math.floor((qmin + qmax + 1) / 2) - 3;
            const p = { scale, zeroPoint, dtype, convention };
            const x = longWith(edges(scale), 1037, 11, scale * 300);
            assert.deepEqual(Array.from(qk.quantize(x, p)), refCodes(x, p), `scale ${scale}`);
            // Sub-arrays at odd element offsets put the edges in the SIMD bodies and the tails.
            for (const off of [1, 3, 7]) {
              const view = x.subarray(off, off + 1003);
              const out = new CTOR[dtype](1010).subarray(5, 5 + 1003);
              qk.quantize(view, p, out);
              assert.deepEqual(Array.from(out), refCodes(view, p), `scale ${scale} offset ${off}`);
            }
            // Float64 input is rounded to float32 first.
            const x64 = Float64Array.from(x, (v, i) => (i % 2 ? v : v * (1 + 2 ** -30)));
            assert.deepEqual(Array.from(qk.quantize(x64, p)), refCodes(Float32Array.from(x64), p), `f64 scale ${scale}`);
          }
        });
      }

      it('bits narrow the range as for ONNX', () => {
        const x = longWith(edges(0.5), 1001, 12, 20);
        for (const [dtype, bits] of [['int8', 4], ['uint8', 3], ['int16', 10], ['uint16', 2]]) {
          const [qmin, qmax] = rangeOf(dtype, bits);
          const p = { scale: 0.5, zeroPoint: Math.floor((qmin + qmax) / 2), dtype, bits, convention };
          assert.deepEqual(Array.from(qk.quantize(x, p)), refCodes(x, p), `${dtype} bits ${bits}`);
        }
      });

      for (const dtype of PACKED) {
        it(`${dtype} (packed): odd lengths past a 4096-element chunk`, () => {
          const [qmin, qmax] = rangeOf(dtype);
          for (const n of [1, 7, 1001, 4099]) {
            const x = longWith(edges(0.5), n, 13 + n, 3);
            const p = { scale: 0.5, zeroPoint: qmin + 1, dtype, convention };
            assert.deepEqual(codes(qk.quantize(x, p), dtype, n), refCodes(x, p), `n ${n}`);
            const p2 = { scale: 0.25, zeroPoint: qmax, dtype, convention };
            assert.deepEqual(codes(qk.quantize(Float64Array.from(x), p2), dtype, n), refCodes(x, p2), `f64 n ${n}`);
          }
        });
      }

      // Per-axis and blocked: every element against the reference with its own parameter,
      // in layouts that reach each native path (whole runs, per-lane rows, gathered lanes).
      const layouts = [
        { shape: [3, 347], axis: 0 },
        { shape: [3, 347], axis: 1 },
        { shape: [4, 41, 3], axis: 1 },
        { shape: [5, 203], axis: 1, blockSize: 32 },
        { shape: [7, 30, 5], axis: 1, blockSize: 4 },
        { shape: [2, 33, 20], axis: -2, blockSize: 5 },
      ];
      for (const l of layouts) {
        for (const dtype of ['int8', 'uint16', 'int4']) {
          it(`per-axis/blocked ${dtype}, shape [${l.shape}] axis ${l.axis}${l.blockSize ? ` block ${l.blockSize}` : ''}`, () => {
            const n = l.shape.reduce((a, b) => a * b, 1);
            const rank = l.shape.length;
            const axis = l.axis < 0 ? l.axis + rank : l.axis;
            const inner = l.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
            const d = l.shape[axis];
            const nb = l.blockSize ? Math.ceil(d / l.blockSize) : 0;
            const count = l.blockSize ? (n / (d * inner)) * nb * inner : d;
            const r = prng(count + n);
            const [qmin, qmax] = rangeOf(dtype);
            const scale = Float32Array.from({ length: count }, (_, k) => [0.5, 0.25, 1, 3, 0.1, 7.3e-5][k % 6] * (1 + (k % 3) * 0.125));
            const zero = new (dtype === 'uint16' ? Uint16Array : Int8Array)(count).map(() => qmin + Math.floor(r() * (qmax - qmin + 1)));
            // Parameter index of element e (ONNX: channel a, or block (o, a / blockSize, i)).
            const paramOf = (e) => {
              const i = e % inner;
              const a = Math.floor(e / inner) % d;
              const o = Math.floor(e / (inner * d));
              return l.blockSize ? (o * nb + Math.floor(a / l.blockSize)) * inner + i : a;
            };
            const x = new Float32Array(n);
            for (let e = 0; e < n; e++) {
              const s = scale[paramOf(e)];
              const pick = e % 4;
              // Exact ties of the element's own scale, specials, and random values.
              x[e] = pick === 0 ? f((Math.floor(r() * 40) - 20 + 0.5) * s) : pick === 1 ? SPECIALS[e % SPECIALS.length] : (r() * 2 - 1) * s * 200;
            }
            const p = { scale, zeroPoint: zero, axis: l.axis, shape: l.shape, dtype, convention };
            if (l.blockSize) p.blockSize = l.blockSize;
            const want = Array.from(x, (v, e) => codeOf(convention, v, scale[paramOf(e)], zero[paramOf(e)], qmin, qmax));
            assert.deepEqual(codes(qk.quantize(x, p), dtype, n), want);
            assert.deepEqual(codes(qk.quantize(Float64Array.from(x), p), dtype, n), want, 'float64 input');
          });
        }
      }

      it('quantizeDynamic: the convention rounds the data and is carried into the result (per-tensor, packed, per-axis)', () => {
        const x = longWith([0.5, -0.5, 1.5, 2.5, NaN, -0, 1e-45], 1029, 21, 7);
        for (const dtype of ['uint8', 'int8', 'int16', 'uint4', 'int2']) {
          const r = qk.quantizeDynamic(x, { dtype, convention });
          assert.equal(r.convention, convention);
          const plain = qk.quantizeDynamic(x, { dtype });
          assert.equal(plain.convention, undefined);
          // The parameters are computeParams' under the same convention ('pytorch': torch's math).
          const p = qk.computeParams(x, { dtype, convention });
          assert.equal(r.scale, p.scale);
          assert.equal(r.zeroPoint, p.zeroPoint);
          if (convention !== 'pytorch') assert.equal(r.scale, plain.scale, 'onnx and tflite share SPEC §2.3');
          assert.deepEqual(codes(r.data, dtype, x.length), refCodes(x, { scale: r.scale, zeroPoint: r.zeroPoint, dtype, convention }), dtype);
        }
        const a = qk.quantizeDynamic(x, { dtype: 'int8', axis: 1, shape: [147, 7], convention });
        assert.equal(a.convention, convention);
        assert.deepEqual(Array.from(a.data), Array.from(x, (v, e) => codeOf(convention, v, a.scale[e % 7], a.zeroPoint[e % 7], -128, 127)));
      });

      it(`computeParams / paramsFromRange pass the convention through, with ${convention === 'pytorch' ? "torch.ao's" : 'SPEC §2.3'} parameter math`, () => {
        const x = longWith([3, -1], 100, 22, 4);
        const withC = qk.computeParams(x, { dtype: 'int8', convention });
        const without = qk.computeParams(x, { dtype: 'int8' });
        const axisParams = qk.computeParams(x, { axis: 0, shape: [4, 25], convention });
        assert.equal(axisParams.convention, convention);
        if (convention !== 'pytorch') {
          assert.deepEqual(withC, { ...without, convention });
          assert.deepEqual(qk.paramsFromRange(-1, 3, { convention, symmetric: true }), { ...qk.paramsFromRange(-1, 3, { symmetric: true }), convention });
          assert.deepEqual(Array.from(axisParams.scale), Array.from(qk.computeParams(x, { axis: 0, shape: [4, 25] }).scale));
          return;
        }
        // 'pytorch': what a minmax observer's params() gives under that convention, which the
        // calibrate suite checks against torch's MinMaxObserver / PerChannelMinMaxObserver.
        for (const [dtype, symmetric] of [['int8', false], ['int8', true], ['uint8', false], ['uint8', true]]) {
          const obs = qk.createObserver('minmax');
          obs.observe(x);
          const want = obs.params({ dtype, symmetric, convention });
          const got = qk.computeParams(x, { dtype, symmetric, convention });
          assert.equal(got.scale, want.scale, `${dtype} ${symmetric}`);
          assert.equal(got.zeroPoint, want.zeroPoint, `${dtype} ${symmetric}`);
          const r = qk.minMax(x);
          assert.deepEqual(qk.paramsFromRange(r.min, r.max, { dtype, symmetric, convention }), got);
        }
        // symmetric int8 divides by 127.5 (torch), not 127 (ONNX); [0, 0] gives eps, not 1
        assert.equal(qk.paramsFromRange(-1, 3, { dtype: 'int8', symmetric: true, convention }).scale, Math.fround(3 / 127.5));
        assert.equal(qk.paramsFromRange(0, 0, { convention }).scale, 2 ** -23);
        const perChannel = qk.createObserver('minmax', { axis: 0, shape: [4, 25] });
        perChannel.observe(x);
        assert.deepEqual(axisParams.scale, perChannel.params({ dtype: 'uint8', convention }).scale);
      });

      it('toUnsigned / toSigned keep the convention, and their codes are quantize\'s for the other dtype', () => {
        const x = longWith([0.5, -0.5, 2.5, -2.5, NaN, Infinity, -Infinity], 1001, 23, 40);
        const p8 = { scale: 0.5, zeroPoint: -3, dtype: 'int8', convention };
        const u = qk.toUnsigned(qk.quantize(x, p8), p8);
        assert.equal(u.params.convention, convention);
        assert.deepEqual(Array.from(u.data), Array.from(qk.quantize(x, u.params)));
        const p16 = { scale: 0.25, zeroPoint: 40000, dtype: 'uint16', convention };
        const s16 = qk.toSigned(qk.quantize(x, p16), p16);
        assert.equal(s16.params.convention, convention);
        assert.deepEqual(Array.from(s16.data), refCodes(x, s16.params));
      });

      it('dequantize accepts the convention and ignores it (the same formula in all three frameworks)', () => {
        const q = Int8Array.from({ length: 1001 }, (_, i) => (i * 37) % 256 - 128);
        const p = { scale: 0.0235294122, zeroPoint: -7, dtype: 'int8' };
        assert.deepEqual(qk.dequantize(q, { ...p, convention }), qk.dequantize(q, p));
        const ap = { scale: new Float32Array([0.5, 3]), zeroPoint: new Int8Array([1, -2]), axis: 1, shape: [500, 2], dtype: 'int8' };
        const q2 = q.subarray(0, 1000);
        assert.deepEqual(qk.dequantize(q2, { ...ap, convention }), qk.dequantize(q2, ap));
      });
    });
  }

  it('random data, scales, zero points, dtypes and conventions (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PLAIN, ...PACKED),
        fc.constantFrom(...CONVENTIONS),
        fc.float({ min: f(1e-6), max: f(1e6), noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.float(), { minLength: 0, maxLength: 1200 }),
        (dtype, convention, scale, zf, values) => {
          const [qmin, qmax] = rangeOf(dtype);
          const zeroPoint = qmin + Math.floor(zf * (qmax - qmin));
          const x = Float32Array.from(values, (v, i) => (i % 2 ? v : v * scale));
          const p = { scale, zeroPoint, dtype, convention };
          assert.deepEqual(codes(qk.quantize(x, p), dtype, x.length), refCodes(x, p));
        },
      ),
      { numRuns: 200 },
    );
  });

  describe('errors', () => {
    const msg = (name, v) => `Expected one of 'onnx', 'pytorch', 'tflite' for ${name} but received ${v}`;
    for (const [bad, shown] of [['numpy', "'numpy'"], ['ONNX', "'ONNX'"], [1, '1'], [null, 'null'], [{}, 'an object']]) {
      it(`refuses convention ${shown} with a TypeError, nothing written`, () => {
        const x = new Float32Array([1, 2, 3]);
        const out = new Uint8Array(3).fill(9);
        rejects(() => qk.quantize(x, { scale: 1, zeroPoint: 0, dtype: 'uint8', convention: bad }, out), 'TypeError', msg('params.convention', shown), out);
        const packed = new Uint8Array(2).fill(9);
        rejects(() => qk.quantize(x, { scale: 1, zeroPoint: 0, dtype: 'int4', convention: bad }, packed), 'TypeError', msg('params.convention', shown), packed);
        const axisOut = new Int8Array(3).fill(9);
        rejects(() => qk.quantize(x, { scale: new Float32Array([1, 1, 1]), axis: 0, shape: [3], dtype: 'int8', convention: bad }, axisOut), 'TypeError', msg('params.convention', shown), axisOut);
        const dynOut = new Uint8Array(3).fill(9);
        rejects(() => qk.quantizeDynamic(x, { convention: bad, out: dynOut }), 'TypeError', msg('opts.convention', shown), dynOut);
        rejects(() => qk.quantizeDynamic(x, { convention: bad, axis: 0, shape: [3] }), 'TypeError', msg('opts.convention', shown));
        rejects(() => qk.computeParams(x, { convention: bad }), 'TypeError', msg('opts.convention', shown));
        rejects(() => qk.computeParams(x, { convention: bad, axis: 0, shape: [3] }), 'TypeError', msg('opts.convention', shown));
        rejects(() => qk.paramsFromRange(0, 1, { convention: bad }), 'TypeError', msg('opts.convention', shown));
        const deq = new Float32Array(3).fill(9);
        rejects(() => qk.dequantize(new Uint8Array(3), { scale: 1, zeroPoint: 0, dtype: 'uint8', convention: bad }, deq), 'TypeError', msg('params.convention', shown), deq);
      });
    }
  });
});

const CTOR = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array };
