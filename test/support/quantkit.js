'use strict';
// Loads the package under test and makes sure the backend the run asked for is the one
// that is live: a native pass that silently fell back would prove nothing.
const assert = require('node:assert/strict');
const quantkit = require('../..');

const wanted = process.env.QUANTKIT_BACKEND;
if (wanted === 'native' || wanted === 'fallback') {
  assert.equal(quantkit.backend.name, wanted, `QUANTKIT_BACKEND=${wanted} but the live backend is ${quantkit.backend.name}`);
}
if (process.env.QUANTKIT_ISA && quantkit.backend.name === 'native') {
  assert.equal(quantkit.backend.isa, process.env.QUANTKIT_ISA, `QUANTKIT_ISA=${process.env.QUANTKIT_ISA} but the addon runs ${quantkit.backend.isa}`);
}

// A run that knows which kernel the dispatcher must pick by itself (test-baseline.js) says so.
if (process.env.QUANTKIT_EXPECT_ISA) {
  assert.equal(quantkit.backend.isa, process.env.QUANTKIT_EXPECT_ISA, `the dispatcher picked ${quantkit.backend.isa}`);
}

module.exports = quantkit;
