#!/usr/bin/env node
// Builds and runs the native kernel test (native/kernels/test/kernel_test.cc): every ISA's
// kernels against the scalar reference, bit for bit, with guard pages. Extra arguments go
// to the test program (e.g. --exhaustive, --require avx512, --bench-only).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'build-test');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
run(process.execPath, [cmakeJs, 'configure', '--out', out, '--CDQUANTKIT_BUILD_TESTS=ON']);
run('cmake', ['--build', out, '--target', 'quantkit_kernel_test']);
const args = process.argv.slice(2);
run(path.join(out, 'quantkit_kernel_test'), args.length ? args : ['--no-bench']);
