'use strict';
// What the qdq suites share: ONNX Runtime's compute_scale_zp for an activation's float32 range
// (quant_utils.py, restated: float32 subtraction, then the float64 scale; zero point from it;
// the scale rounded to float32 last), numpy's round (rint) and the seeded data the models use.
const assert = require('node:assert/strict');
const { rint: numpyRint } = require('./ort-weight-ref');

/** numpy's round (half to even), as an integer code: −0 comes out as 0. */
const rint = (v) => numpyRint(v) + 0;

const f32 = Math.fround;

/** ORT quant_utils.compute_scale_zp for float32 rmin/rmax: { scale (float32), zp }. */
function ortScaleZp(rmin, rmax, qmin, qmax, symmetric) {
  let lo = f32(Math.min(rmin, 0));
  let hi = f32(Math.max(rmax, 0));
  if (symmetric) {
    const a = Math.max(-lo, hi);
    lo = -a;
    hi = a;
  }
  const scale = f32(hi - lo) / (qmax - qmin); // numpy: float32 subtraction, then float64
  if (scale < 2 ** -126) return { scale: 1, zp: 0 };
  return { scale: f32(scale), zp: symmetric ? rint((qmin + qmax) / 2) : rint(qmin - lo / scale) };
}

/** n float32 values in [−s, s) from a linear congruential generator seeded with `seed`. */
function rnd(n, seed, s = 1) {
  let x = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    a[i] = ((x / 2 ** 32) * 2 - 1) * s;
  }
  return a;
}

/** An initializer's values by name (float32, uint8, int8 or int32 codes) with its dims and data type; an assertion when missing. */
function initValues(m, name) {
  const t = m.graph.initializer.find((x) => x.name === name);
  assert.ok(t, `initializer ${name}`);
  const raw = t.rawData;
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const C = { 1: Float32Array, 2: Uint8Array, 3: Int8Array, 6: Int32Array }[t.dataType];
  return { data: new C(buf), dims: t.dims.map(Number), dataType: t.dataType };
}

module.exports = { ortScaleZp, rint, rnd, initValues };
