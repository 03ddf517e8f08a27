'use strict';
// quantizeEmbeddings / embeddingRanges / dequantizeEmbeddings / unpackBits (README
// "Embeddings"): the 'sentence-transformers' convention bit for bit against a NumPy
// restatement of sentence_transformers.quantize_embeddings (run with Debian's python3-numpy),
// the default convention against a per-element reference, both backends through the same
// expectations, usearch i8 and b1 indexes built from the codes (recall@10 against float32,
// with and without rescoring), and the errors.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { prng } = require('./support/data');
const { requirePython, runPython, b64 } = require('./support/oracles');

const f = Math.fround;

function randomRows(rows, dim, seed, spread = 1) {
  const r = prng(seed);
  return Float32Array.from({ length: rows * dim }, () => (r() * 2 - 1) * spread * (1 + r()));
}

// The default convention, element by element (README "Embeddings").
function nearestCode(x, min, max, signed) {
  let step = f(f(max - min) / 255);
  if (step === 0) step = 1;
  let t = f(f(f(x) - min) / step);
  if (!(t > 0)) t = 0;
  if (t > 255) t = 255;
  let q = Math.floor(t);
  const rem = t - q;
  if (rem > 0.5 || (rem === 0.5 && q % 2 === 1)) q++;
  return signed ? q - 128 : q;
}

describe(`embeddings (${qk.backend.name}, ${qk.backend.isa})`, () => {
  describe('sentence-transformers oracle (NumPy restatement of quantize_embeddings)', function () {
    // Before the hook: a hook takes the suite's timeout when it is registered (importing torch is slow).
    this.timeout(Math.max(this.timeout(), 60000));
    before(function () {
      requirePython(this, 'numpy');
    });

    const oracle = (request) => runPython('st_quantize.py', request);

    for (const dim of [768, 13, 1, 40]) {
      for (const precision of ['int8', 'uint8', 'binary', 'ubinary']) {
        it(`${precision}, dim ${dim}: ranges from the input, from calibration rows, and given`, () => {
          const x = randomRows(37, dim, dim * 7 + precision.length);
          // Exact zeros and values outside the calibration range (clipped).
          for (let i = 0; i < x.length; i += 11) x[i] = 0;
          const ctor = precision.startsWith('u') ? Uint8Array : Int8Array;
          const codes = (buf) => new ctor(new Uint8Array(buf).buffer);
          const st = { convention: 'sentence-transformers', dim, precision };
          assert.deepEqual(qk.quantizeEmbeddings(x, st), codes(oracle({ dim, precision, embeddings: b64(x) })));
          if (precision.endsWith('int8')) {
            const calibration = randomRows(20, dim, 99 + dim, 0.7);
            assert.deepEqual(qk.quantizeEmbeddings(x, { ...st, calibration }), codes(oracle({ dim, precision, embeddings: b64(x), calibration: b64(calibration) })));
            const ranges = qk.embeddingRanges(calibration, dim);
            // A dimension of zero width: steps of 0 become 1.
            ranges.max[0] = ranges.min[0];
            const both = new Float32Array(2 * dim);
            both.set(ranges.min);
            both.set(ranges.max, dim);
            assert.deepEqual(qk.quantizeEmbeddings(x, { ...st, ranges }), codes(oracle({ dim, precision, embeddings: b64(x), ranges: b64(both) })));
          }
        });
      }
    }

    it('the default convention rounds, and its reconstruction error is lower', () => {
      const dim = 64;
      const x = randomRows(2000, dim, 5);
      const ranges = qk.embeddingRanges(x, dim);
      const meanError = (back) => {
        let e = 0;
        for (let i = 0; i < x.length; i++) e += Math.abs(back[i] - x[i]);
        return e / x.length;
      };
      const nearest = qk.quantizeEmbeddings(x, { dim, ranges });
      const st = qk.quantizeEmbeddings(x, { dim, ranges, convention: 'sentence-transformers' });
      assert.ok(nearest.some((v, i) => v !== st[i]));
      // The inverse the ranges imply, min + u · step, for both; and floor codes read at their bucket centres.
      const nearestError = meanError(qk.dequantizeEmbeddings(nearest, { dim, ranges }));
      const stError = meanError(qk.dequantizeEmbeddings(st, { dim, ranges }));
      const stCentreError = meanError(qk.dequantizeEmbeddings(st, { dim, ranges, convention: 'sentence-transformers' }));
      console.log(`      mean |x − x̂| over ${x.length} values: nearest ${nearestError.toExponential(3)}, sentence-transformers ${stError.toExponential(3)} (${(stError / nearestError).toFixed(2)}×), at bucket centres ${stCentreError.toExponential(3)}`);
      assert.ok(nearestError < 0.6 * stError, `${nearestError} vs ${stError}`);
    });
  });

  describe('the default convention, element by element', () => {
    for (const dim of [768, 33, 8, 1]) {
      for (const input of ['Float32Array', 'Float64Array', 'float16']) {
        it(`int8 and uint8, dim ${dim}, ${input} input, odd views, ties`, () => {
          let x = randomRows(9, dim, dim + input.length);
          const ranges = qk.embeddingRanges(x, dim);
          // Exact ties: min + (k + 0.5) · step for a few dimensions; NaN, ±Infinity, −0.
          for (let d = 0; d < Math.min(dim, 5); d++) {
            const step = f(f(ranges.max[d] - ranges.min[d]) / 255);
            x[dim + d] = f(ranges.min[d] + f(step * (d + 0.5)));
          }
          x[2 * dim] = NaN;
          if (dim > 2) x[2 * dim + 1] = Infinity;
          if (dim > 2) x[2 * dim + 2] = -Infinity;
          x[3 * dim] = -0;
          let arg = x;
          if (input === 'Float64Array') arg = Float64Array.from(x);
          if (input === 'float16') {
            const bits = qk.toFloat16(x);
            arg = { format: 'float16', bits };
            x = qk.fromFloat16(bits);
          }
          for (const precision of ['int8', 'uint8']) {
            const backing = new (precision === 'int8' ? Int8Array : Uint8Array)(x.length + 3);
            const out = backing.subarray(3);
            assert.equal(qk.quantizeEmbeddings(arg, { dim, precision, ranges }, out), out);
            for (let i = 0; i < x.length; i++) {
              assert.equal(out[i], nearestCode(x[i], ranges.min[i % dim], ranges.max[i % dim], precision === 'int8'), `element ${i}`);
            }
          }
        });
      }
    }

    it('binary / ubinary: signs packed per row, first dimension in the top bit; unpackBits inverts', () => {
      const dim = 21;
      const x = randomRows(5, dim, 3);
      x[0] = NaN;
      x[1] = -0;
      const u = qk.quantizeEmbeddings(x, { dim, precision: 'ubinary' });
      const b = qk.quantizeEmbeddings(x, { dim, precision: 'binary' });
      assert.equal(u.length, 5 * 3);
      const bits = qk.unpackBits(u, dim);
      for (let i = 0; i < x.length; i++) assert.equal(bits[i], x[i] > 0 ? 1 : 0, `element ${i}`);
      for (let i = 0; i < u.length; i++) assert.equal(b[i], u[i] - 128);
      assert.deepEqual(qk.unpackBits(b, dim), bits);
      // The padding bits of each row's last byte are 0.
      for (let r = 0; r < 5; r++) assert.equal(u[r * 3 + 2] & 0b111, 0);
    });

    it('embeddingRanges is the per-dimension min and max (one pass, NaN ignored)', () => {
      const dim = 17;
      const x = randomRows(300, dim, 8);
      x[5] = NaN;
      const { min, max } = qk.embeddingRanges(x, dim);
      for (let d = 0; d < dim; d++) {
        let lo = Infinity, hi = -Infinity;
        for (let r = 0; r < 300; r++) {
          const v = x[r * dim + d];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        assert.equal(min[d], lo);
        assert.equal(max[d], hi);
      }
    });

    it('a large batch (threads split it) equals the reference', function () {
      this.timeout(Math.max(this.timeout(), 30000));
      const dim = 768, rows = 6000; // 4.6 Mi values: more than one part
      const x = randomRows(rows, dim, 77);
      const ranges = qk.embeddingRanges(x, dim);
      const q = qk.quantizeEmbeddings(x, { dim, ranges });
      for (let i = 0; i < x.length; i += 331) assert.equal(q[i], nearestCode(x[i], ranges.min[i % dim], ranges.max[i % dim], true));
      const u = qk.quantizeEmbeddings(x, { dim, precision: 'ubinary' });
      const bits = qk.unpackBits(u, dim);
      for (let i = 0; i < x.length; i += 331) assert.equal(bits[i], x[i] > 0 ? 1 : 0);
    });

    it('dequantizeEmbeddings: min + u · step, within half a step', () => {
      const dim = 12;
      const x = randomRows(50, dim, 9);
      const ranges = qk.embeddingRanges(x, dim);
      const back = qk.dequantizeEmbeddings(qk.quantizeEmbeddings(x, { dim, ranges }), { dim, ranges });
      for (let i = 0; i < x.length; i++) {
        const d = i % dim;
        const step = f(f(ranges.max[d] - ranges.min[d]) / 255);
        assert.ok(Math.abs(back[i] - x[i]) <= step / 2 + 1e-6, `element ${i}`);
      }
    });
  });

  describe('usearch indexes from the codes: recall@10 against float32', function () {
    this.timeout(Math.max(this.timeout(), 60000));
    let usearch;
    before(() => {
      usearch = require('usearch');
    });

    it('int8 (i8, cos) and binary (b1, hamming), with and without float rescoring of the top 40', () => {
      const r = prng(5);
      const gauss = () => r() + r() + r() + r() + r() + r() - 3;
      const dim = 384, N = 5000, Q = 100, K = 10;
      const centers = Array.from({ length: 50 }, () => Float32Array.from({ length: dim }, gauss));
      const rows = (n) => {
        const x = new Float32Array(n * dim);
        for (let i = 0; i < n; i++) {
          const c = centers[Math.floor(r() * 50)];
          let norm = 0;
          for (let d = 0; d < dim; d++) norm += (x[i * dim + d] = c[d] + 1.2 * gauss()) ** 2;
          for (let d = 0; d < dim; d++) x[i * dim + d] /= Math.sqrt(norm);
        }
        return x;
      };
      const corpus = rows(N);
      const queries = rows(Q);
      const keys = BigUint64Array.from({ length: N }, (_, i) => BigInt(i));
      const truth = usearch.exactSearch(corpus, queries, dim, K, 'cos').keys;
      const ranges = qk.embeddingRanges(corpus, dim);

      const i8 = new usearch.Index({ dimensions: dim, metric: 'cos', quantization: 'i8', connectivity: 16 });
      i8.add(keys, qk.quantizeEmbeddings(corpus, { dim, ranges }), 1); // one thread: the same graph every run
      const i8Hits = i8.search(qk.quantizeEmbeddings(queries, { dim, ranges }), 4 * K, 1).keys;
      // usearch's JS binding takes b1 vectors one value a dimension: quantkit's packed bits, unpacked.
      const bitsOf = (x) => new Int8Array(qk.unpackBits(qk.quantizeEmbeddings(x, { dim, precision: 'ubinary' }), dim).buffer);
      const b1 = new usearch.Index({ dimensions: dim, metric: 'hamming', quantization: 'b1', connectivity: 16 });
      b1.add(keys, bitsOf(corpus), 1);
      const b1Hits = b1.search(bitsOf(queries), 4 * K, 1).keys;

      const recall = (hits, rescore) => {
        let found = 0;
        for (let q = 0; q < Q; q++) {
          const want = new Set(truth.subarray(q * K, (q + 1) * K));
          let candidates = Array.from(hits.subarray(q * 4 * K, (q + 1) * 4 * K));
          if (rescore) {
            const m = new Float32Array(candidates.length * dim);
            candidates.forEach((k, j) => m.set(corpus.subarray(Number(k) * dim, (Number(k) + 1) * dim), j * dim));
            // slice, not subarray: usearch's exactSearch reads a view from its buffer's start.
            const best = usearch.exactSearch(m, queries.slice(q * dim, (q + 1) * dim), dim, K, 'cos').keys;
            candidates = Array.from(best, (j) => candidates[Number(j)]);
          } else {
            candidates = candidates.slice(0, K);
          }
          for (const k of candidates) if (want.has(k)) found++;
        }
        return found / (Q * K);
      };
      const table = {
        int8: [recall(i8Hits, false), recall(i8Hits, true)],
        binary: [recall(b1Hits, false), recall(b1Hits, true)],
      };
      console.log(`      recall@10 vs float32 (${N} × ${dim}, ${Q} queries): int8 ${table.int8[0].toFixed(3)}, rescored ${table.int8[1].toFixed(3)}; binary ${table.binary[0].toFixed(3)}, rescored ${table.binary[1].toFixed(3)}`);
      assert.ok(table.int8[0] > 0.6 && table.int8[1] > 0.9, JSON.stringify(table));
      assert.ok(table.binary[0] > 0.2 && table.binary[1] > table.binary[0], JSON.stringify(table));
    });
  });

  describe('bad input: an error naming the argument, nothing written', () => {
    const x = randomRows(4, 6, 1);
    const out = new Int8Array(24).fill(5);
    it('dim that does not divide the input', () => {
      rejects(() => qk.quantizeEmbeddings(x, { dim: 5 }, out), 'RangeError', 'Expected opts.dim to divide embeddings.length 24 but received 5', out);
      rejects(() => qk.quantizeEmbeddings(x, { dim: 0 }, out), 'RangeError', 'Expected an integer in [1, 2147483648] for opts.dim but received 0', out);
      rejects(() => qk.embeddingRanges(x, 7), 'RangeError', 'Expected dim to divide rows.length 24 but received 7');
    });
    it('ranges of the wrong length or with max < min', () => {
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, ranges: { min: new Float32Array(5), max: new Float32Array(6) } }, out), 'RangeError', 'Expected 6 values (opts.dim) for opts.ranges.min but received Float32Array(5)', out);
      const max = new Float32Array(6).fill(1);
      max[2] = -1;
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, ranges: { min: new Float32Array(6), max } }, out), 'RangeError', 'Expected opts.ranges.max[2] ≥ opts.ranges.min[2] 0 but received -1', out);
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, ranges: { min: new Float32Array(6), mx: max } }, out), 'TypeError', "Unknown key 'mx' in opts.ranges (did you mean 'max'?); the valid keys are 'min', 'max'", out);
    });
    it('an out overlapping the codes (dequantizeEmbeddings) or the packed bits (unpackBits)', () => {
      const ranges = { min: new Float32Array(8).fill(-1), max: new Float32Array(8).fill(1) };
      const ab = new ArrayBuffer(512);
      const codes = new Int8Array(ab, 0, 64).fill(3);
      const over = new Float32Array(ab, 8, 64).fill(9);
      rejects(() => qk.dequantizeEmbeddings(codes, { dim: 8, ranges }, over), 'RangeError', "Expected out not to overlap the codes' memory but it does", over);
      const packed = new Uint8Array(ab, 0, 8).fill(0xa5);
      const bits = new Uint8Array(ab, 4, 64).fill(7);
      rejects(() => qk.unpackBits(packed, 8, bits), 'RangeError', "Expected out not to overlap the packed bits' memory but it does", bits);
      // Side by side in one buffer is fine.
      assert.deepEqual(Array.from(qk.unpackBits(new Uint8Array(ab, 0, 1), 8, new Uint8Array(ab, 1, 8))), [1, 0, 1, 0, 0, 1, 0, 1]);
    });
    it('out too small at its offset, of the wrong type', () => {
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, offset: 1 }, out), 'RangeError', 'Expected out to hold 24 elements from offset 1 but received Int8Array(24)', out);
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, precision: 'uint8' }, out), 'TypeError', "Expected a Uint8Array (precision 'uint8') for out but received Int8Array(24)", out);
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, precision: 'ubinary' }, new Uint8Array(3)), 'RangeError', 'Expected out to hold 4 elements from offset 0 but received Uint8Array(3)');
    });
    it('an infinite value where the range comes from the data; no value at all in a dimension', () => {
      const y = Float32Array.from(x);
      y[8] = Infinity;
      rejects(() => qk.quantizeEmbeddings(y, { dim: 6 }, out), 'RangeError', `Expected finite values in dimension 2 of embeddings (its range) but received [${Math.min(x[2], x[14], x[20])}, Infinity]`, out);
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, calibration: new Float32Array(6).fill(NaN) }, out), 'RangeError', 'Expected a value in dimension 0 of opts.calibration to take its range from but every one is NaN', out);
    });
    it('unknown options and precisions', () => {
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, precison: 'int8' }, out), 'TypeError', "Unknown key 'precison' in opts (did you mean 'precision'?); the valid keys are 'dim', 'precision', 'ranges', 'calibration', 'convention', 'offset'", out);
      rejects(() => qk.quantizeEmbeddings(x, { dim: 6, precision: 'int4' }, out), 'TypeError', "Expected one of 'int8', 'uint8', 'binary', 'ubinary' for opts.precision but received 'int4'", out);
    });
  });
});
