'use strict';
// Bit-for-bit comparison of a contender's output with the oracle's (onnxruntime-node),
// run by each worker before it times anything and again on the last timed output.

function bitsView(a) {
  if (a instanceof Float32Array) return new Uint32Array(a.buffer, a.byteOffset, a.length);
  return a;
}

/**
 * { equal, mismatches, first: { index, actual, expected }, maxAbsDiff, scale?, zeroPoint? }.
 * Float32 values compare by their bits, so -0 against +0 or two NaN payloads count.
 */
function compareOutput(actual, expected) {
  const a = actual.data;
  const e = expected.data;
  const report = { equal: true, mismatches: 0, maxAbsDiff: 0 };
  if (a.length !== e.length || a.BYTES_PER_ELEMENT !== e.BYTES_PER_ELEMENT) {
    return { equal: false, mismatches: Math.max(a.length, e.length), maxAbsDiff: NaN, shape: `${a.constructor.name}(${a.length}) vs ${e.constructor.name}(${e.length})` };
  }
  const ab = bitsView(a);
  const eb = bitsView(e);
  let mismatches = 0;
  let maxAbsDiff = 0;
  let first = -1;
  for (let i = 0; i < ab.length; i++) {
    if (ab[i] !== eb[i]) {
      if (first < 0) first = i;
      mismatches++;
      const d = Math.abs(a[i] - e[i]);
      if (!(d <= maxAbsDiff)) maxAbsDiff = d;
    }
  }
  report.mismatches = mismatches;
  report.maxAbsDiff = maxAbsDiff;
  if (first >= 0) report.first = { index: first, actual: a[first], expected: e[first] };
  if (expected.scale !== undefined) {
    report.scale = { actual: actual.scale, expected: expected.scale };
    report.zeroPoint = { actual: actual.zeroPoint, expected: expected.zeroPoint };
  }
  report.equal =
    mismatches === 0 &&
    (expected.scale === undefined || (Object.is(actual.scale, expected.scale) && Object.is(actual.zeroPoint, expected.zeroPoint)));
  return report;
}

module.exports = { compareOutput };
