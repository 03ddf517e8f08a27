#!/usr/bin/env node
// Cross-compiles the addon for Windows x64 on a Linux machine with Debian's MinGW-w64
// (package mingw-w64: x86_64-w64-mingw32-g++-posix, the variant with std::thread) and puts it
// where node-gyp-build finds it on Windows: prebuilds/win32-x64/quantkit.node, the name
// `prebuildify --napi` gives on Windows (no libc tag there).
//
//   node scripts/build-win.js        (npm run prebuild:win)
//
// cmake/x86_64-w64-mingw32.cmake names the toolchain; CMakeLists.txt's if(MINGW) block makes the
// Node-API import library from node-api-headers' node_api.def with x86_64-w64-mingw32-dlltool
// (its imports resolve to NODE.EXE, the host executable) and links libstdc++, libgcc and
// winpthread statically. This script checks the result with objdump: the addon may import
// only from NODE.EXE and Windows' own DLLs, never a MinGW runtime DLL a user would not have.
// The build folder is build-win/addon, so the host's build/ is left alone.
//
// Next to the addon it records the SHA-256 of the sources it was built from
// (prebuilds/win32-x64/quantkit.sources.sha256, see scripts/native-sources.js): `npm pack`
// (scripts/prepack.js) refuses a win32-x64 prebuild whose record does not match the sources.
// scripts/test-wine.js runs the suites on it under Wine.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sourcesHash, writeRecord, removeRecord } = require('./native-sources');

const root = path.join(__dirname, '..');
const out = path.join(root, 'build-win', 'addon');
const toolchain = path.join(root, 'cmake', 'x86_64-w64-mingw32.cmake');
const prebuildDir = path.join(root, 'prebuilds', 'win32-x64');
const prebuild = path.join(prebuildDir, 'quantkit.node');
const CROSS = 'x86_64-w64-mingw32-';
// What a Windows x64 addon may import: node.exe's Node-API and DLLs every Windows has.
const ALLOWED_DLLS = new Set(['node.exe', 'kernel32.dll', 'msvcrt.dll', 'advapi32.dll', 'user32.dll', 'ws2_32.dll', 'bcrypt.dll', 'ntdll.dll']);

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status === null ? `signal ${r.signal}` : `code ${r.status}`}`);
  return r;
}

/** The DLLs a PE file imports, lower-cased, from objdump's 'DLL Name:' lines. */
function importedDlls(file) {
  const r = spawnSync(`${CROSS}objdump`, ['-p', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${CROSS}objdump -p ${file} failed: ${r.stderr}`);
  return [...r.stdout.matchAll(/^\s*DLL Name: (\S+)$/gm)].map((m) => m[1].toLowerCase());
}

function main() {
  for (const tool of ['g++-posix', 'dlltool', 'strip', 'objdump']) {
    if (spawnSync('sh', ['-c', `command -v ${CROSS}${tool}`]).status !== 0) {
      throw new Error(`${CROSS}${tool} is missing: apt-get install mingw-w64 (or run scripts/test-wine.js as root, which installs it)`);
    }
  }
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  // Hashed before building: sources edited during the build must not pass as built.
  const hash = sourcesHash(root);
  // cmake-js (on Linux) points CMAKE_LIBRARY_OUTPUT_DIRECTORY at Release/; a DLL is a runtime
  // artifact to CMake on Windows, so its folder is given too.
  run(process.execPath, [
    cmakeJs, 'compile', '--directory', root, '--out', out, '--arch', 'x64',
    `--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`, `--CDCMAKE_RUNTIME_OUTPUT_DIRECTORY=${path.join(out, 'Release')}`,
  ]);
  fs.mkdirSync(prebuildDir, { recursive: true });
  // No record while the addon is replaced: an interrupted copy or strip leaves a prebuild that
  // `npm pack` refuses rather than one it trusts.
  removeRecord(root, 'win32-x64');
  fs.copyFileSync(path.join(out, 'Release', 'quantkit.node'), prebuild);
  // As prebuildify --strip does on Linux (the export, import and relocation tables stay); the
  // MinGW binutils know PE.
  run(`${CROSS}strip`, ['--strip-all', prebuild]);
  const dlls = importedDlls(prebuild);
  if (!dlls.includes('node.exe')) throw new Error(`${prebuild} does not import Node-API from node.exe (imports: ${dlls.join(', ')})`);
  const foreign = dlls.filter((d) => !ALLOWED_DLLS.has(d));
  if (foreign.length > 0) throw new Error(`${prebuild} needs DLLs a Windows machine may not have: ${foreign.join(', ')} (link them statically)`);
  if (sourcesHash(root) !== hash) throw new Error('the sources changed during the build: run it again (no record of its sources was written, so `npm pack` refuses this prebuild)');
  writeRecord(root, 'win32-x64', hash);
  console.log(`win32-x64 imports: ${dlls.join(', ')}`);
  console.log(`win32-x64 sources: prebuilds/win32-x64/quantkit.sources.sha256 = ${hash}`);
  console.log(`win32-x64 addon: ${path.relative(root, prebuild)} (${fs.statSync(prebuild).size} bytes)`);
}

try {
  main();
} catch (e) {
  console.error(`build-win: ${e.message}`);
  process.exit(1);
}
