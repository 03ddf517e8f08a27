'use strict';
// Assertions shared by the error-path suites (SPEC §4).
const assert = require('node:assert/strict');

/**
 * fn must throw an error of class `name` (e.g. 'RangeError') whose message is exactly
 * `message`, and leave every array in `arrays` as it was: nothing is written on error.
 */
function rejects(fn, name, message, ...arrays) {
  const before = arrays.map((a) => Array.from(a));
  assert.throws(fn, (e) => {
    assert.equal(e.constructor.name, name, `error class for: ${e.message}`);
    assert.equal(e.message, message);
    return true;
  });
  arrays.forEach((a, i) => assert.deepEqual(Array.from(a), before[i], 'out was not touched'));
}

/** The error fn throws (to compare another call's error with it); fails when it throws none. */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to throw');
}

module.exports = { rejects, thrown };
