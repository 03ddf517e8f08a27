#!/usr/bin/env node
// Builds the WebAssembly module of the 'wasm' backend (lib/backend-wasm) with Debian's
// emscripten (emcmake + CMake: CMakeLists.txt's EMSCRIPTEN branch; the kernels with 128-bit
// SIMD, native/ops and native/wasm's C ABI, no Node-API) and puts it where the loader and
// the browser build look: prebuilds/wasm/quantkit.wasm, with the SHA-256 of the sources it
// was built from (scripts/native-sources.js), which `npm pack` (scripts/prepack.js) checks.
//
//   node scripts/build-wasm.js [--if-stale] [--kernel-test]
//
// --if-stale: nothing to do when the module's record matches the sources (npm test runs this).
// --kernel-test: also the C++ kernel test (QUANTKIT_BUILD_TESTS), as build-wasm/quantkit_kernel_test.js.
// emscripten's optimizer needs Debian's acorn: NODE_PATH=/usr/share/nodejs is set here.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sourcesHash, readRecord, writeRecord, removeRecord } = require('./native-sources');

const root = path.join(__dirname, '..');
const out = path.join(root, 'build-wasm');
const target = path.join(root, 'prebuilds', 'wasm', 'quantkit.wasm');
const env = { ...process.env, NODE_PATH: [process.env.NODE_PATH, '/usr/share/nodejs'].filter(Boolean).join(path.delimiter) };

function run(cmd, args) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status === null ? `signal ${r.signal}` : `code ${r.status}`}`);
}

function main() {
  const kernelTest = process.argv.includes('--kernel-test');
  const hash = sourcesHash(root);
  if (process.argv.includes('--if-stale') && !kernelTest && fs.existsSync(target) && readRecord(root, 'wasm') === hash) {
    console.log(`build-wasm: ${path.relative(root, target)} is up to date`);
    return;
  }
  if (spawnSync('sh', ['-c', 'command -v emcmake']).status !== 0) {
    throw new Error('emcmake is missing: apt-get install emscripten (Debian 12 has 3.1.6)');
  }
  run('emcmake', ['cmake', '-S', root, '-B', out, '-DCMAKE_BUILD_TYPE=Release', `-DQUANTKIT_BUILD_TESTS=${kernelTest ? 'ON' : 'OFF'}`]);
  run('cmake', ['--build', out, '-j', '2']);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // No record while the module is replaced: an interrupted copy leaves one `npm pack` refuses.
  removeRecord(root, 'wasm');
  fs.copyFileSync(path.join(out, 'quantkit_wasm.wasm'), target);
  if (sourcesHash(root) !== hash) throw new Error('the sources changed during the build: run it again (no record of its sources was written)');
  writeRecord(root, 'wasm', hash);
  console.log(`wasm module: ${path.relative(root, target)} (${fs.statSync(target).size} bytes), sources ${hash}`);
}

try {
  main();
} catch (e) {
  console.error(`build-wasm: ${e.message}`);
  process.exit(1);
}
