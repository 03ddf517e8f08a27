'use strict';
// compare() and formatTable() (README "Calibrate and compare"): every row is the errorStats of
// the parameters its scheme is documented to get, restated here through the public calls
// (computeParams, createObserver, ggml / float16 targets); skipped and refused schemes; option
// checks; the table's shape; and a real weight tensor of PaddleOCR's recognizer.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { rejects } = require('./support/assert');
const { prng } = require('./support/data');
const { recognizerWeight } = require('./support/real-weights');

function gaussian(n, seed, sigma = 0.05) {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()) * sigma);
}

// What each default scheme is documented to run, through the public calls.
function expectedTarget(scheme, x, shape, calibration = 'minmax') {
  const rows = shape;
  const observed = (method, opts, params) => {
    const o = qk.createObserver(method, opts);
    o.observe(x);
    return o.params(params);
  };
  switch (scheme) {
    case 'uint8': return observed(calibration, calibration === 'entropy' || calibration === 'mse' ? { dtype: 'uint8' } : {}, { dtype: 'uint8' });
    case 'int8-per-channel': return qk.computeParams(x, { axis: 0, shape: rows, dtype: 'int8', symmetric: true });
    case 'int4-block32': return qk.computeParams(x, { axis: 1, shape: [rows[0], x.length / rows[0]], blockSize: 32, dtype: 'int4' });
    case 'int4-block128': return qk.computeParams(x, { axis: 1, shape: [rows[0], x.length / rows[0]], blockSize: 128, dtype: 'int4' });
    case 'uint4-block32': return qk.computeParams(x, { axis: 1, shape: [rows[0], x.length / rows[0]], blockSize: 32, dtype: 'uint4' });
    case 'q8_0': case 'q4_0': case 'q4_1': case 'q5_0': case 'q5_1': case 'q4_k': case 'q5_k': case 'q6_k': return { ggml: scheme };
    case 'float8e4m3fn': return qk.computeParams(x, { dtype: 'float8e4m3fn' });
    case 'float16': case 'bfloat16': return { dtype: scheme };
    default: throw new Error(scheme);
  }
}

describe(`compare (${qk.backend.name}/${qk.backend.isa})`, () => {
  const shape = [48, 256];
  const x = gaussian(48 * 256, 1);
  x[77] = 0.9; // an outlier, so that calibration methods differ

  it('has one row per default scheme, each the errorStats of the documented parameters', () => {
    const rows = qk.compare(x, { shape });
    assert.deepEqual(rows.map((r) => r.scheme), [...qk.DEFAULT_SCHEMES]);
    for (const row of rows) {
      const e = qk.errorStats(x, expectedTarget(row.scheme, x, shape));
      for (const k of ['bytes', 'bitsPerElement', 'mse', 'sqnrDb', 'cosine', 'maxAbs']) assert.equal(row[k], e[k], `${row.scheme} ${k}`);
      assert.ok(row.ms >= 0 && Number.isFinite(row.ms), `${row.scheme} ms`);
      assert.equal(row.skipped, undefined);
    }
    // The stored sizes as the formats define them: codes plus float32 scales and zero points.
    const by = Object.fromEntries(rows.map((r) => [r.scheme, r]));
    const n = x.length;
    assert.equal(by.uint8.bytes, n + 4 + 1);
    assert.equal(by.q8_0.bytes, (n / 32) * 34);
    assert.equal(by.q4_0.bytes, (n / 32) * 18);
    assert.equal(by.q4_1.bytes, (n / 32) * 20);
    assert.equal(by.float16.bytes, 2 * n);
    // And the order anyone would expect of their errors.
    assert.ok(by.float16.sqnrDb > by.bfloat16.sqnrDb && by.bfloat16.sqnrDb > by.q8_0.sqnrDb && by.q8_0.sqnrDb > by.q4_0.sqnrDb);
    assert.ok(by['int4-block32'].mse < by['int4-block128'].mse);
  });

  it('the ggml k-quants and Q5 types by name: rows are errorStats of their blocks, sizes as ggml lays them out', () => {
    const names = ['q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k'];
    const rows = qk.compare(x, { shape, schemes: names });
    const n = x.length;
    const bytes = { q5_0: (n / 32) * 22, q5_1: (n / 32) * 24, q4_k: (n / 256) * 144, q5_k: (n / 256) * 176, q6_k: (n / 256) * 210 };
    for (const row of rows) {
      const e = qk.errorStats(x, { ggml: row.scheme });
      for (const k of ['bytes', 'mse', 'sqnrDb', 'maxAbs']) assert.equal(row[k], e[k], `${row.scheme} ${k}`);
      assert.equal(row.bytes, bytes[row.scheme]);
      // errorStats' x̂ is ggml.dequantize of ggml.quantize, independently of compare().
      const back = qk.ggml.dequantize(qk.ggml.quantize(x, row.scheme), row.scheme, n);
      let se = 0;
      for (let i = 0; i < n; i++) se += (x[i] - back[i]) ** 2;
      assert.ok(Math.abs(row.mse - se / n) <= 1e-12 * Math.max(1, se / n), row.scheme);
    }
    const by = Object.fromEntries(rows.map((r) => [r.scheme, r]));
    assert.ok(by.q6_k.sqnrDb > by.q5_k.sqnrDb && by.q5_k.sqnrDb > by.q4_k.sqnrDb);
  });

  for (const calibration of ['percentile', 'entropy', 'mse']) {
    it(`opts.calibration '${calibration}' sets the per-tensor ranges from that observer`, () => {
      const [row] = qk.compare(x, { shape, calibration, schemes: ['uint8'] });
      const e = qk.errorStats(x, expectedTarget('uint8', x, shape, calibration));
      assert.equal(row.mse, e.mse);
      // The outlier stretches the min/max range; 'percentile' and 'mse' clip it ('entropy' may keep it).
      if (calibration !== 'entropy') assert.notEqual(row.mse, qk.compare(x, { schemes: ['uint8'] })[0].mse);
    });
  }

  it('custom schemes by their parts, and named ones in the order given', () => {
    const rows = qk.compare(x, { shape, schemes: ['q4_0', { name: 'int3 blocks of 64', dtype: 'int8', bits: 3, blockSize: 64 }, { name: 'uint8 per row', dtype: 'uint8', perChannel: true }] });
    assert.deepEqual(rows.map((r) => r.scheme), ['q4_0', 'int3 blocks of 64', 'uint8 per row']);
    assert.equal(rows[1].mse, qk.errorStats(x, qk.computeParams(x, { axis: 1, shape, blockSize: 64, dtype: 'int8', bits: 3 })).mse);
    // its own axis: blocks down the columns
    const [col] = qk.compare(x, { shape, schemes: [{ name: 'cols', dtype: 'int4', blockSize: 16, axis: 0 }] });
    assert.equal(col.mse, qk.errorStats(x, qk.computeParams(x, { axis: 0, shape, blockSize: 16, dtype: 'int4' })).mse);
    assert.equal(rows[2].mse, qk.errorStats(x, qk.computeParams(x, { axis: 0, shape, dtype: 'uint8' })).mse);
  });

  it('a default scheme that does not apply is a skipped row; one asked for by name is a RangeError', () => {
    const odd = x.subarray(0, 100);
    const rows = qk.compare(odd);
    const skipped = rows.filter((r) => r.skipped !== undefined).map((r) => [r.scheme, r.skipped]);
    assert.deepEqual(skipped, [
      ['int8-per-channel', 'per-channel needs opts.shape with at least 2 dimensions'],
      ['q8_0', 'x.length 100 is not a multiple of 32 (q8_0 blocks)'],
      ['q4_0', 'x.length 100 is not a multiple of 32 (q4_0 blocks)'],
      ['q4_1', 'x.length 100 is not a multiple of 32 (q4_1 blocks)'],
    ]);
    assert.ok(rows.filter((r) => r.skipped === undefined).every((r) => Number.isFinite(r.mse)));
    rejects(() => qk.compare(odd, { schemes: ['q8_0'] }), 'RangeError', "Expected scheme 'q8_0' to apply to x but x.length 100 is not a multiple of 32 (q8_0 blocks)");
    rejects(() => qk.compare(new Float32Array(288), { schemes: ['q4_k'] }), 'RangeError', "Expected scheme 'q4_k' to apply to x but x.length 288 is not a multiple of 256 (q4_k blocks)");
  });

  it('refuses bad options by name', () => {
    rejects(() => qk.compare(x, { scheme: ['q8_0'] }), 'TypeError', "Unknown key 'scheme' in opts (did you mean 'schemes'?); the valid keys are 'schemes', 'calibration', 'shape'");
    assert.throws(() => qk.compare(x, { schemes: ['q8_1'] }), { name: 'TypeError', message: /^Expected a scheme name \(did you mean 'q8_0'\?\) or \{ name, dtype, … \} for opts\.schemes\[0\] but received 'q8_1'; the names are 'uint8', / });
    rejects(() => qk.compare(x, { calibration: 'histogram' }), 'TypeError', "Expected one of 'minmax', 'moving-average', 'percentile', 'entropy', 'mse' for opts.calibration but received 'histogram'");
    rejects(() => qk.compare(x, { shape: [48, 255] }), 'RangeError', 'Expected x.length to equal 12240, the product of opts.shape [48, 255], but received 12288');
    rejects(() => qk.compare(x, { schemes: [{ name: 'a', dtype: 'int8', perChannel: true, blockSize: 32 }] }), 'RangeError', 'Expected either opts.schemes[0].perChannel or opts.schemes[0].blockSize but received both');
    rejects(() => qk.compare(x, { schemes: [{ name: 'a', dtype: 'int8', blocksize: 32 }] }), 'TypeError', "Unknown key 'blocksize' in opts.schemes[0] (did you mean 'blockSize'?); the valid keys are 'name', 'dtype', 'bits', 'symmetric', 'perChannel', 'blockSize', 'axis', 'ggml'");
    rejects(() => qk.compare([1, 2]), 'TypeError', "Expected a Float32Array, Float64Array, Float16Array or { format: 'float16' | 'bfloat16', bits: Uint16Array } for x but received an Array(2) (a plain Array is not accepted: pass new Float32Array(array))");
  });

  it('formatTable: a header, a rule and one aligned line per row', () => {
    const rows = qk.compare(x.subarray(0, 100));
    const lines = qk.formatTable(rows).split('\n');
    assert.equal(lines.length, rows.length + 2);
    assert.match(lines[0], /^scheme\s+bits\/elem\s+bytes\s+MSE\s+SQNR dB\s+cosine\s+max \|err\|\s+ms$/);
    assert.match(lines[1], /^-+( {2}-+){7}$/);
    const numeric = lines.slice(2).filter((l) => !l.includes('skipped'));
    assert.equal(new Set(numeric.map((l) => l.length)).size, 1, 'numeric rows end in the same column');
    assert.ok(lines.some((l) => /^q8_0 .*skipped: x\.length 100 is not a multiple of 32/.test(l)));
    assert.ok(JSON.parse(JSON.stringify(rows)).length === rows.length); // plain JSON rows
    rejects(() => qk.formatTable({}), 'TypeError', 'Expected the array compare() returns for rows but received an object');
    rejects(() => qk.formatTable([null]), 'TypeError', 'Expected a compare() row for rows[0] but received null');
  });

  it('a real weight tensor (PP-OCRv4 recognizer) gives the documented rows', function () {
    this.timeout(Math.max(this.timeout(), 60000));
    const { dims, values } = recognizerWeight('linear_85.w_0');
    const rows = qk.compare(values, { shape: dims });
    assert.equal(rows.length, qk.DEFAULT_SCHEMES.length);
    for (const row of rows) {
      if (row.skipped !== undefined) continue;
      assert.equal(row.mse, qk.errorStats(values, expectedTarget(row.scheme, values, dims)).mse, row.scheme);
    }
  });
});
