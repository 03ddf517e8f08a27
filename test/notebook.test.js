'use strict';
// The README's first example: the "Quantization 101" notebook's weights, done right.
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');

// The notebook's weights, recovered as its printed dequantized values plus its printed errors.
const w = new Float32Array([0.85587667, -0.36584455, -0.34001106, 0.27359124, -0.45362043, -0.04938544, -0.02085308, 0.02207538, 0.38768908, -0.54231637]);

describe(`the notebook, done right (${qk.backend.name}/${qk.backend.isa})`, () => {
  const params = qk.computeParams(w);

  it('finds its range and parameters: scale 0.0054831104, zeroPoint 99', () => {
    assert.deepEqual(qk.minMax(w), { min: Math.fround(-0.54231637), max: Math.fround(0.85587667) });
    assert.equal(params.scale, Math.fround(0.0054831104));
    assert.equal(params.zeroPoint, 99);
  });

  it('rounds where the notebook truncated: every error within scale/2', () => {
    const q = qk.quantize(w, params);
    const back = qk.dequantize(q, params);
    const errors = Array.from(w, (v, i) => Math.abs(v - back[i]));
    assert.ok(Math.max(...errors) <= params.scale / 2, `max error ${Math.max(...errors)}`);
    // The notebook's truncating cast loses up to a whole step on the same weights.
    const truncated = Array.from(w, (v) => Math.min(255, Math.max(0, Math.trunc(v / params.scale + 99))));
    const notebookErrors = truncated.map((t, i) => Math.abs(w[i] - params.scale * (t - 99)));
    assert.ok(Math.max(...notebookErrors) > params.scale * 0.9, `notebook max error ${Math.max(...notebookErrors)}`);
    assert.deepEqual(truncated, [255, 32, 36, 148, 16, 89, 95, 103, 169, 0]); // the notebook's printed q
  });

  it('quantizeDynamic gives the same parameters and codes in one call', () => {
    const r = qk.quantizeDynamic(w);
    assert.equal(r.scale, params.scale);
    assert.equal(r.zeroPoint, params.zeroPoint);
    assert.deepEqual(r.data, qk.quantize(w, params));
  });
});
