#!/usr/bin/env node
// `npm test`: the same suites against every backend this machine can run: the addon at each
// kernel level the CPU supports (QUANTKIT_ISA caps the dispatcher), then the TypeScript
// backend and the WebAssembly module, then the C++ kernel test. `--only native|wasm|fallback|kernels` runs one kind (a comma
// list runs several); `--top` runs the addon at its top kernel level only; `--suites a,b` keeps
// only those suites (names without .test.js; scripts/node-matrix.js uses these three);
// `--skip-isa a,b` leaves those kernel levels out (never the top one); `--jobs N` runs N passes at once.
// QUANTKIT_BACKEND=native makes a missing addon fail the pass instead of falling back.
'use strict';
const { isFileSuite } = require('./support/suites');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { loadNative } = require('../dist/core/loader');

const here = __dirname;
const mocha = require.resolve('mocha/bin/mocha.js');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const only = option('--only')?.split(',');
const wanted = option('--suites')?.split(',').map((s) => `${s}.test.js`);
const files = fs.readdirSync(here).filter((f) => f.endsWith('.test.js') && (!wanted || wanted.includes(f))).sort();
const unknown = (wanted ?? []).filter((f) => !fs.existsSync(path.join(here, f)));
if (unknown.length > 0) {
  console.error(`--suites names no such suite: ${unknown.join(', ')}`);
  process.exit(1);
}
// Suites that compare the two backends directly or poke the addon: they need it, and
// running them once per kernel level is what checks each level.
const NATIVE_ONLY = new Set(['parity.test.js', 'native-glue.test.js']);
// Suites that do not depend on the backend at all: once is enough.
const ONCE = new Set(['types.test.js', 'backend-wasm.test.js']);
// The file suites (model files, ONNX models and the command): TypeScript over the facade, whose kernels the
// other suites check at every level; they run on the top native level and on the TypeScript backend.
const FILES = isFileSuite;

const { binding, reasons } = loadNative();
// `--skip-isa a,b` leaves levels out (CI: sse2, whose pass test:baseline repeats on an emulated SSE2-only CPU).
const skipIsa = option('--skip-isa')?.split(',') ?? [];
const levels = binding ? [...binding.isaAvailable].reverse().filter((isa, i) => i === 0 || !skipIsa.includes(isa)).slice(0, args.includes('--top') ? 1 : undefined) : ['(addon missing)'];
if (!binding) console.error(`The native addon does not load:\n- ${reasons.join('\n- ')}`);

const passes = [];
levels.forEach((isa, i) => {
  passes.push({
    label: `native, ${isa}`,
    env: { QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: binding ? isa : '' },
    files: files.filter((f) => i === 0 || (!ONCE.has(f) && !FILES(f))),
    kind: 'native',
  });
});
// The WebAssembly module (scripts/build-wasm.js; `npm test` builds it when stale) at its top
// kernel level: every suite the TypeScript backend runs, and native-glue, which drives its
// binding as it drives the addon's. QUANTKIT_BACKEND=wasm fails the pass when the module does not load.
passes.push({ label: 'wasm', env: { QUANTKIT_BACKEND: 'wasm', QUANTKIT_ISA: '' }, files: files.filter((f) => (f === 'native-glue.test.js' || !NATIVE_ONLY.has(f)) && !ONCE.has(f)), kind: 'wasm' });
passes.push({ label: 'fallback (TypeScript)', env: { QUANTKIT_BACKEND: 'fallback', QUANTKIT_ISA: '' }, files: files.filter((f) => !NATIVE_ONLY.has(f) && !ONCE.has(f)), kind: 'fallback' });
for (const pass of passes) pass.argv = (reporter) => [mocha, '--reporter', reporter, ...pass.files.map((f) => path.join(here, f))];
// The C++ kernel test: every ISA against the scalar reference with guard pages, below the
// addon (it needs a C++ toolchain, like the addon build itself); then the same test built
// with emscripten, the simd128 kernels against the scalar ones, both as WebAssembly. They
// print 'N passed, N failed'.
const kernelTest = path.join(here, '..', 'scripts', 'kernel-test.js');
passes.push({ label: 'kernels (C++)', files: ['kernel_test.cc'], kind: 'kernels', argv: () => [kernelTest] });
passes.push({ label: 'kernels (C++ as WebAssembly)', files: ['kernel_test.cc'], kind: 'kernels', argv: () => [kernelTest, '--wasm'] });

let passed = 0;
let failed = 0;
let pending = 0;
const summary = [];
// `--jobs N` runs N passes at once (CI: 2, on its 2 cores, since one mocha keeps one core
// busy); each pass's output is kept and printed whole, in order, when it and those before it
// are done.
const jobs = Math.max(1, Number(option('--jobs') ?? 1));

function runPass(pass, reporter) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, pass.argv(reporter), {
      env: { ...process.env, ...pass.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ pass, stdout, stderr, status, seconds: Math.round((Date.now() - started) / 1000) }));
  });
}

async function runPasses() {
  const todo = passes.filter((pass) => !((only && !only.includes(pass.kind)) || pass.files.length === 0)); // mocha given no file would run ./test
  // The longest first, so that two at a time finish together: the kernel tests build with emscripten.
  if (jobs > 1) todo.sort((a, b) => (b.kind === 'kernels') - (a.kind === 'kernels'));
  const results = new Array(todo.length);
  let next = 0;
  let printed = 0;
  const print = () => {
    while (printed < todo.length && results[printed]) {
      const { pass, stdout, stderr, status, seconds } = results[printed++];
      console.log(`\n=== ${pass.label}${pass.kind === 'kernels' ? '' : `: ${pass.files.length} suites`} ===`);
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      const word = (mocha, other) => (pass.kind === 'kernels' ? other : mocha);
      const count = (w) => Number((stdout.match(new RegExp(`(\\d+) ${w}`)) || [0, 0])[1]);
      const p = count(word('passing', 'passed'));
      const f = count(word('failing', 'failed')) + (status !== 0 && count(word('failing', 'failed')) === 0 ? 1 : 0); // a crash counts as a failure
      const s = count('pending');
      passed += p;
      failed += f;
      pending += s;
      summary.push(`${pass.label}: ${p} passed, ${f} failed${s ? `, ${s} pending` : ''} (${seconds} s)`);
    }
  };
  const worker = async () => {
    while (next < todo.length) {
      const k = next++;
      results[k] = await runPass(todo[k], todo[k] === todo.find((t) => t.kind !== 'kernels') ? 'spec' : 'dot');
      print();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));
}

async function main() {
  await runPasses();
  console.log(`\n${summary.join('\n')}`);
  console.log(`${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main();
