#!/usr/bin/env node
// `npm run test:asan`: the addon, the kernels and the kernel test built with
// AddressSanitizer + UndefinedBehaviorSanitizer (CMake option QUANTKIT_SANITIZE) into
// build-asan/, then, with the sanitizer runtime preloaded into node:
//   - the mocha suites at every kernel level this CPU runs (QUANTKIT_ADDON names the
//     sanitized addon, QUANTKIT_ISA caps the level), as test/run.js runs them;
//   - the kernel test (every ISA vs the scalar reference, guard pages);
//   - the glue fed random JS values (scripts/leak-test.js --only glue).
// Any sanitizer report fails the run: ASan and LSan write theirs to files (log_path),
// printed at the end, so that a report at a process exit is not missed; GCC's UBSan
// writes to stderr, which is scanned. Every check aborts on its first report.
//
// The file suites (io-*, cli, the ONNX model suites) run at the top kernel level only.
// Left out: test/types.test.js and test/module.test.js. They check the package's typings,
// ESM entry and loader by spawning tsc and node, never call a kernel, and the loader tests
// assume QUANTKIT_ADDON is unset.
//
// Leak detection stays on (LeakSanitizer at each process exit). Node itself does not free
// V8's heap bookkeeping at exit, and onnxruntime-node (the test oracle) keeps allocations
// to the end: scripts/lsan-node.supp names exactly those, by their own frames, so that
// a leak in the addon is still reported.
//
//   node scripts/test-asan.js [--glue-calls N] [--jobs N]   (--jobs: kernel levels run at once, default 2)
'use strict';
const { isFileSuite } = require('../test/support/suites');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'build-asan');
const testDir = path.join(root, 'test');
const SKIP = new Set(['types.test.js', 'module.test.js']);

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function say(line) {
  console.log(`test:asan: ${line}`);
}

function run(cmd, args, opts = {}) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status ?? r.signal}`);
}

// The compiler CMake picked for build-asan, and the ASan runtime that goes with it.
function asanRuntime() {
  const cache = fs.readFileSync(path.join(out, 'CMakeCache.txt'), 'utf8');
  const cxx = (cache.match(/^CMAKE_CXX_COMPILER:\w+=(.*)$/m) || [])[1];
  if (!cxx) throw new Error('build-asan/CMakeCache.txt names no C++ compiler');
  const r = spawnSync(cxx, ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const file = (r.stdout || '').trim();
  if (!path.isAbsolute(file) || !fs.existsSync(file)) {
    throw new Error(`${cxx} has no libasan.so to preload into node (test:asan expects GCC, whose ASan runtime is a shared library)`);
  }
  return fs.realpathSync(file);
}

// Runs a child with its output shown, and counts the sanitizer reports on its stderr
// (GCC's UBSan writes there even when log_path is set).
const REPORT = /^(.*runtime error: .*|==\d+==ERROR: \w+Sanitizer.*)$/gm;
let stderrReports = 0;
function child(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  process.stdout.write(r.stdout || '');
  process.stderr.write(r.stderr || '');
  stderrReports += ((r.stderr || '').match(REPORT) || []).length;
  return r;
}

// child() without waiting: several levels run at once (one mocha keeps one core busy).
function childAsync(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    c.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    c.on('error', reject);
    c.on('close', (status, signal) => resolve({ stdout, stderr, status, signal }));
  });
}

function shown(r) {
  process.stdout.write(r.stdout || '');
  process.stderr.write(r.stderr || '');
  stderrReports += ((r.stderr || '').match(REPORT) || []).length;
  return r;
}

function countMocha(stdout) {
  const count = (word) => Number((stdout.match(new RegExp(`(\\d+) ${word}`)) || [0, 0])[1]);
  return { passed: count('passing'), failed: count('failing'), pending: count('pending') };
}

async function main() {
  const t0 = Date.now();
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  run(process.execPath, [cmakeJs, 'configure', '--out', out, '--CDQUANTKIT_SANITIZE=ON', '--CDQUANTKIT_BUILD_TESTS=ON']);
  run('cmake', ['--build', out, '--target', 'quantkit', 'quantkit_kernel_test']);
  const addon = path.join(out, 'Release', 'quantkit.node');
  const libasan = asanRuntime();
  say(`built in ${((Date.now() - t0) / 1000).toFixed(0)} s; preloading ${libasan}`);

  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-asan-'));
  const supp = path.join(__dirname, 'lsan-node.supp');
  const sanitizerEnv = {
    ASAN_OPTIONS: `detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_init_order=1:log_path=${logs}/asan`,
    LSAN_OPTIONS: `suppressions=${supp}:print_suppressions=0`,
    UBSAN_OPTIONS: `halt_on_error=1:print_stacktrace=1:report_error_type=1:log_path=${logs}/ubsan`,
  };
  const nodeEnv = {
    ...process.env,
    ...sanitizerEnv,
    LD_PRELOAD: libasan,
    QUANTKIT_ADDON: addon,
    QUANTKIT_BACKEND: 'native',
  };

  const summary = [];
  let passed = 0;
  let failed = 0;
  const record = (label, p, f, extra = '') => {
    passed += p;
    failed += f;
    summary.push(`${label}: ${p} passed, ${f} failed${extra}`);
  };

  // The levels the sanitized addon can run here, asked of the addon itself.
  const probe = spawnSync(process.execPath, ['-p', `JSON.stringify(require(${JSON.stringify(addon)}).isaAvailable)`], { env: nodeEnv, encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(probe.stderr);
    throw new Error('the sanitized addon does not load under node with the ASan runtime preloaded');
  }
  const levels = JSON.parse(probe.stdout).reverse();
  const mocha = require.resolve('mocha/bin/mocha.js');
  const all = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.js') && !SKIP.has(f)).sort();
  // The file suites (model files, ONNX models, the command: TypeScript over facade calls the
  // kernel suites check at every level) run at the top level only, as in npm test.
  const fileSuite = isFileSuite;
  // The ONNX real-model matrix is left to npm test: its time goes to ONNX Runtime and sharp, and
  // its addon calls are the ONNX mode suites' (which run here) on bigger tensors.
  const sanitized = all.filter((f) => f !== 'onnx-models.test.js');
  // Two levels at once (--jobs N), each one's output shown whole when it is done, in order.
  const jobs = Math.max(1, Number(option('jobs', '2')));
  const runs = levels.map((isa, k) => ({ isa, files: k === 0 ? sanitized : sanitized.filter((f) => !fileSuite(f)) }));
  let next = 0;
  const results = new Array(runs.length);
  await Promise.all(Array.from({ length: Math.min(jobs, runs.length) }, async () => {
    while (next < runs.length) {
      const k = next++;
      const { isa, files } = runs[k];
      results[k] = await childAsync(process.execPath, [mocha, '--reporter', 'dot', '--timeout', '120000', ...files.map((f) => path.join(testDir, f))], { ...nodeEnv, QUANTKIT_ISA: isa });
    }
  }));
  runs.forEach(({ isa, files }, k) => {
    console.log(`\n=== native (ASan + UBSan), ${isa}: ${files.length} suites ===`);
    const r = shown(results[k]);
    const c = countMocha(r.stdout);
    const crash = r.status !== 0 && c.failed === 0 ? 1 : 0; // a sanitizer abort or a crash
    record(`mocha, ${isa}`, c.passed, c.failed + crash, crash ? ` (exit ${r.status ?? r.signal})` : '');
  });

  console.log('\n=== kernel test (ASan + UBSan): every ISA vs the scalar reference ===');
  const kt = child(path.join(out, 'quantkit_kernel_test'), ['--no-bench'], { ...process.env, ...sanitizerEnv });
  const km = (kt.stdout || '').match(/(\d+) passed, (\d+) failed/);
  record('kernel test', km ? Number(km[1]) : 0, (km ? Number(km[2]) : 0) + (kt.status !== 0 && !(km && Number(km[2]) > 0) ? 1 : 0));

  console.log('\n=== native glue fed random JS values (ASan + UBSan) ===');
  const glue = child(process.execPath, [path.join(__dirname, 'leak-test.js'), '--only', 'glue', '--glue-calls', option('glue-calls', '30000')], nodeEnv);
  const gm = (glue.stdout || '').match(/(\d+) passed, (\d+) failed\s*$/);
  record('glue', gm ? Number(gm[1]) : 0, (gm ? Number(gm[2]) : 0) + (glue.status !== 0 && !(gm && Number(gm[2]) > 0) ? 1 : 0));

  // Every report, from any process or thread: each is a failure.
  const reports = fs.readdirSync(logs).map((f) => path.join(logs, f)).filter((f) => fs.statSync(f).size > 0);
  for (const file of reports) {
    console.log(`\n=== sanitizer report ${path.basename(file)} ===`);
    const text = fs.readFileSync(file, 'utf8');
    console.log(text.length > 20000 ? `${text.slice(0, 20000)}\n[... ${text.length - 20000} more characters in ${file}]` : text);
  }
  record('sanitizer reports', 0, reports.length + stderrReports, reports.length ? ` (files kept in ${logs})` : '');
  if (reports.length === 0) fs.rmSync(logs, { recursive: true, force: true });

  console.log(`\n${summary.join('\n')}`);
  say(`took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`test:asan: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
