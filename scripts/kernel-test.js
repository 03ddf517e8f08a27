#!/usr/bin/env node
// Builds and runs the native kernel test (native/kernels/test/kernel_test.cc): every ISA's
// kernels against the scalar reference, bit for bit, with guard pages. Extra arguments go
// to the test program (e.g. --exhaustive, --require avx512, --bench-only).
//
// --wasm builds the same test with emscripten (emcmake, into build-wasm-test/) and runs it
// under this node: the simd128 kernels against the scalar reference, both compiled to
// WebAssembly. Needs emscripten on PATH (Debian: apt-get install emscripten).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: env ?? process.env });
  if (r.error) {
    if (r.error.code === 'ENOENT') {
      console.error(`kernel-test: '${cmd}' was not found on PATH${cmd.startsWith('em') ? ' (install emscripten)' : ''}`);
      process.exit(1);
    }
    throw r.error;
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const argv = process.argv.slice(2);
const wasm = argv.includes('--wasm');
const args = argv.filter((a) => a !== '--wasm');
const testArgs = args.length ? args : ['--no-bench'];

if (wasm) {
  const out = path.join(root, 'build-wasm-test');
  // Debian's emscripten runs its optimizer with node and needs Debian's acorn from there.
  const env = {
    ...process.env,
    NODE_PATH: ['/usr/share/nodejs', process.env.NODE_PATH].filter(Boolean).join(path.delimiter),
  };
  run('emcmake', ['cmake', '-S', root, '-B', out, '-DCMAKE_BUILD_TYPE=Release', '-DQUANTKIT_BUILD_TESTS=ON'], env);
  run('cmake', ['--build', out, '--target', 'quantkit_kernel_test', '-j2'], env);
  run(process.execPath, [path.join(out, 'quantkit_kernel_test.js'), ...testArgs]);
} else {
  const out = path.join(root, 'build-test');
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  run(process.execPath, [cmakeJs, 'configure', '--out', out, '--CDQUANTKIT_BUILD_TESTS=ON']);
  run('cmake', ['--build', out, '--target', 'quantkit_kernel_test']);
  run(path.join(out, 'quantkit_kernel_test'), testArgs);
}
