'use strict';
// Which suites run where: the one rule test/run.js, scripts/test-asan.js, test-baseline.js and
// test-arm64.js share.

/**
 * The file and async suites (model files, ONNX models, the command, async twins and streams):
 * TypeScript over facade calls whose kernels the other suites check at every level. They run
 * on the top native level and on the TypeScript backend (and under ASan at its top level), not
 * again at each kernel level nor under qemu.
 */
function isFileSuite(f) {
  return /^(io-.*|onnx-(?!oracle|vectors).*|cli|async(-.*)?)\.test\.js$/.test(f);
}

module.exports = { isFileSuite };
