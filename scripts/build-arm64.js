#!/usr/bin/env node
// Cross-compiles the addon for arm64 Linux on an x86-64 Linux machine with Debian's cross
// toolchain (g++-aarch64-linux-gnu) and puts it where node-gyp-build finds it on arm64:
// prebuilds/linux-arm64/quantkit.glibc.node, the name `npm run prebuild` (prebuildify
// --napi --tag-libc) gives the x64 prebuild. The glibc tag keeps node-gyp-build from
// picking it on musl (Alpine), where it could not load.
//
//   node scripts/build-arm64.js [--kernel-test]
//
// --kernel-test also builds the C++ kernel test (QUANTKIT_BUILD_TESTS) for arm64, as
// build-arm64/addon/quantkit_kernel_test. The build folder is build-arm64/addon, so the
// host's build/ (and its x86-64 addon) is left alone.
//
// Next to the addon it records the SHA-256 of the sources it was built from
// (prebuilds/linux-arm64/quantkit.sources.sha256, see scripts/native-sources.js): `npm pack`
// (scripts/prepack.js) refuses to pack an arm64 prebuild whose record does not match the
// sources, since it cannot load it on this machine to find out.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sourcesHash, writeRecord, removeRecord } = require('./native-sources');

const root = path.join(__dirname, '..');
const out = path.join(root, 'build-arm64', 'addon');
const toolchain = path.join(root, 'cmake', 'aarch64-linux-gnu.cmake');
const prebuildDir = path.join(root, 'prebuilds', 'linux-arm64');
const prebuild = path.join(prebuildDir, 'quantkit.glibc.node');
const CROSS = 'aarch64-linux-gnu-';

function run(cmd, args) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status === null ? `signal ${r.signal}` : `code ${r.status}`}`);
}

function main() {
  const kernelTest = process.argv.includes('--kernel-test');
  if (spawnSync('sh', ['-c', `command -v ${CROSS}g++`]).status !== 0) {
    throw new Error(`${CROSS}g++ is missing: apt-get install g++-aarch64-linux-gnu (or run scripts/test-arm64.js, which installs it)`);
  }
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  // Hashed before building: sources edited during the build must not pass as built.
  const hash = sourcesHash(root);
  // `compile` configures when needed and builds incrementally; every target of the
  // configured project is built, so --kernel-test adds the test program to the same run.
  run(process.execPath, [
    cmakeJs, 'compile', '--directory', root, '--out', out, '--arch', 'arm64',
    `--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`, `--CDQUANTKIT_BUILD_TESTS=${kernelTest ? 'ON' : 'OFF'}`,
  ]);
  fs.mkdirSync(prebuildDir, { recursive: true });
  // No record while the addon is replaced: an interrupted copy or strip leaves a prebuild that
  // `npm pack` refuses rather than one it trusts.
  removeRecord(root, 'linux-arm64');
  fs.copyFileSync(path.join(out, 'Release', 'quantkit.node'), prebuild);
  // As prebuildify --strip does for the x64 prebuild; the cross binutils know the format.
  run(`${CROSS}strip`, ['--strip-all', prebuild]);
  if (sourcesHash(root) !== hash) throw new Error('the sources changed during the build: run it again (no record of its sources was written, so `npm pack` refuses this prebuild)');
  writeRecord(root, 'linux-arm64', hash);
  console.log(`arm64 sources: prebuilds/linux-arm64/quantkit.sources.sha256 = ${hash}`);
  console.log(`arm64 addon: ${path.relative(root, prebuild)} (${fs.statSync(prebuild).size} bytes)`);
  if (kernelTest) console.log(`arm64 kernel test: ${path.relative(root, path.join(out, 'quantkit_kernel_test'))}`);
}

try {
  main();
} catch (e) {
  console.error(`build-arm64: ${e.message}`);
  process.exit(1);
}
