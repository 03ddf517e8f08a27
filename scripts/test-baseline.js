#!/usr/bin/env node
// The shipped x86-64 binary executes nothing beyond the x86-64 baseline (SSE2) outside the
// dispatched kernels. Shown by running the native test suites on an emulated baseline CPU:
// qemu-user with the qemu64 model minus SSE3, SSSE3, SSE4.1/4.2 and POPCNT raises SIGILL on
// any instruction the CPU lacks (AVX included), so the glue, the dispatcher (cpuid, XGETBV
// only behind the OSXSAVE bit), the scalar and SSE2 kernels and every ISA table accessor
// must keep to SSE2, and the dispatcher must not pick AVX2 there.
// Prints 'N passed, N failed'; exits non-zero on any failure. `--jobs N`: shards run at once (default 2).
'use strict';
const { isFileSuite } = require('../test/support/suites');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

if (process.arch !== 'x64') {
  console.log('test-baseline: only meaningful on x86-64; nothing to do here');
  console.log('0 passed, 0 failed');
  process.exit(0);
}

const root = path.join(__dirname, '..');
const CPU = 'qemu64,-pni,-ssse3,-sse4.1,-sse4.2,-popcnt';

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
if (!have('qemu-x86_64')) {
  console.log('test-baseline: installing qemu-user (Debian) for qemu-x86_64');
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'qemu-user']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed`);
      process.exit(1);
    }
  }
}

// Every suite but the typings check, which runs no addon code, and the WebAssembly binding's own
// suite: V8 runs WebAssembly SIMD only with SSE4.1, so on this CPU the module does not compile
// (module.test.js checks that the loader then falls back to TypeScript and says why).
const skip = new Set(['types.test.js', 'backend-wasm.test.js']);
// The file suites (io-*, cli, and the ONNX model suites onnx-* other than the kernel oracles onnx-oracle/onnx-vectors-*: TypeScript over facade calls the kernel suites check here) run in
// npm test and under ASan, not again on the emulated CPU.
const files = fs.readdirSync(path.join(root, 'test')).filter((f) => f.endsWith('.test.js') && !skip.has(f) && !isFileSuite(f)).sort();

// Two shards at once (one emulated mocha keeps one core busy), balanced by file size.
const jobs = Math.max(1, Number(process.argv.includes('--jobs') ? process.argv[process.argv.indexOf('--jobs') + 1] : 2));
const shards = Array.from({ length: jobs }, () => ({ files: [], bytes: 0 }));
for (const f of [...files].sort((a, b) => fs.statSync(path.join(root, 'test', b)).size - fs.statSync(path.join(root, 'test', a)).size)) {
  const shard = shards.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  shard.files.push(f);
  shard.bytes += fs.statSync(path.join(root, 'test', f)).size;
}

function runShard(shard) {
  return new Promise((resolve) => {
    const c = spawn(
      'qemu-x86_64',
      ['-cpu', CPU, process.execPath, require.resolve('mocha/bin/mocha.js'), '--reporter', 'dot', '--timeout', '120000', ...shard.files.sort().map((f) => path.join(root, 'test', f))],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
        // No QUANTKIT_ISA: the dispatcher itself must find SSE2 as the best level here.
        // QUANTKIT_NO_SHARP: sharp's prebuilt libvips (loaded by the transformers.js oracle too)
        // needs x86-64-v2 and dies with SIGILL here; those oracle parts run in npm test instead.
        env: { ...process.env, QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: '', QUANTKIT_EXPECT_ISA: 'sse2', QUANTKIT_NO_SHARP: '1' },
      },
    );
    let stdout = '';
    c.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    c.on('close', (status, signal) => resolve({ stdout, status, signal }));
  });
}

(async () => {
  console.log(`=== native suites on an emulated baseline x86-64 CPU (qemu-x86_64 -cpu ${CPU}), ${shards.length} shards ===`);
  const results = await Promise.all(shards.map(runShard));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const r of results) {
    process.stdout.write(r.stdout);
    const count = (word) => Number((r.stdout.match(new RegExp(`(\\d+) ${word}`)) || [0, 0])[1]);
    passed += count('passing');
    failed += count('failing') + (r.status !== 0 && count('failing') === 0 ? 1 : 0);
    skipped += count('pending');
    if (r.signal) console.log(`mocha died with ${r.signal}`);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped (third-party binaries this CPU cannot run; they run in npm test)` : ''}`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
})();
