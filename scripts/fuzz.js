#!/usr/bin/env node
// `npm run fuzz`: builds the libFuzzer targets of native/fuzz with Clang, AddressSanitizer
// and UndefinedBehaviorSanitizer (CMake option QUANTKIT_BUILD_FUZZERS, so the kernels get
// exactly the per-ISA flags of the shipped build) and runs each for a bounded time, all
// at once (one per core):
//
//   fuzz_kernels  every runnable ISA's quantize / dequantize / minmax / ggml blocks vs the scalar reference
//   fuzz_args     the glue's argument checks (native/args/args.h, packed_args.h, axis_args.h,
//                 ggml_args.h, recode_args.h), with the byte extents every accepted call
//                 touches, and the split of large calls
//
//   node scripts/fuzz.js [--seconds N] [--only NAME]     (or QUANTKIT_FUZZ_SECONDS=N)
//
// Clang and libFuzzer are installed with apt-get when missing (as root, on Debian/Ubuntu).
// No seed corpus is checked in: both targets decode their bytes into valid calls most of
// the time and reach every kernel loop within seconds. The corpus grows in
// build-fuzz/corpus/NAME between local runs; a crash or mismatch is saved under
// build-fuzz/artifacts/ and replays with `build-fuzz/NAME FILE`.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'build-fuzz');
const TARGETS = ['fuzz_kernels', 'fuzz_args'];

function option(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const seconds = Number(option('seconds') ?? process.env.QUANTKIT_FUZZ_SECONDS ?? 60);
const only = option('only');
if (!(seconds > 0)) throw new RangeError(`Expected a positive number of seconds but received ${option('seconds') ?? process.env.QUANTKIT_FUZZ_SECONDS}`);
if (only !== undefined && !TARGETS.includes(only)) throw new RangeError(`Expected --only to be one of ${TARGETS.join(', ')} but received '${only}'`);

function say(line) {
  console.log(`fuzz: ${line}`);
}

function run(cmd, args, opts = {}) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status ?? r.signal}`);
}

// A Clang that can link a fuzzer with ASan and UBSan: QUANTKIT_FUZZ_CXX, else clang++ or a
// versioned clang++-N on PATH.
function findClang() {
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-fuzz-probe-'));
  const src = path.join(probeDir, 'probe.cc');
  fs.writeFileSync(src, 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n');
  const names = [process.env.QUANTKIT_FUZZ_CXX, 'clang++', ...Array.from({ length: 10 }, (_, i) => `clang++-${21 - i}`)].filter(Boolean);
  try {
    for (const name of names) {
      const r = spawnSync(name, ['-fsanitize=fuzzer,address,undefined', src, '-o', path.join(probeDir, 'probe')], { encoding: 'utf8' });
      if (!r.error && r.status === 0) return name;
    }
  } finally {
    fs.rmSync(probeDir, { recursive: true, force: true });
  }
  return undefined;
}

function installClang() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error('no Clang with libFuzzer found; install clang and its compiler-rt (Debian: apt-get install clang libclang-rt-dev), or set QUANTKIT_FUZZ_CXX');
  }
  say('no Clang with libFuzzer found: installing clang and libclang-rt-dev with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  run('apt-get', [...lock, 'update', '-qq'], { env });
  run('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', 'clang', 'libclang-rt-dev'], { env });
}

// llvm-symbolizer of the same version, for readable stacks in a report.
function symbolizerFor(cxx) {
  const v = spawnSync(cxx, ['--version'], { encoding: 'utf8' }).stdout.match(/version (\d+)/);
  const candidates = [v && `/usr/lib/llvm-${v[1]}/bin/llvm-symbolizer`, '/usr/bin/llvm-symbolizer'].filter(Boolean);
  return candidates.find((f) => fs.existsSync(f));
}

function fuzz(name, symbolizer) {
  const corpus = path.join(out, 'corpus', name);
  const artifacts = path.join(out, 'artifacts');
  fs.mkdirSync(corpus, { recursive: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const args = [`-max_total_time=${seconds}`, '-timeout=30', '-rss_limit_mb=2048', '-print_final_stats=1',
    `-artifact_prefix=${artifacts}${path.sep}${name}-`, corpus];
  const log = path.join(out, `${name}.log`);
  say(`${name}: ${seconds} s, log in ${path.relative(root, log)}`);
  const env = {
    ...process.env,
    ASAN_OPTIONS: 'halt_on_error=1:detect_leaks=1',
    UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
    ...(symbolizer ? { ASAN_SYMBOLIZER_PATH: symbolizer } : {}),
  };
  return new Promise((resolve) => {
    const fd = fs.openSync(log, 'w');
    const child = spawn(path.join(out, name), args, { cwd: root, env, stdio: ['ignore', fd, fd] });
    child.on('error', (e) => resolve({ name, ok: false, detail: e.message, log }));
    child.on('exit', (code, signal) => {
      fs.closeSync(fd);
      const text = fs.readFileSync(log, 'utf8');
      const runs = (text.match(/stat::number_of_executed_units:\s*(\d+)/) || [])[1];
      const found = /MISMATCH|INVARIANT BROKEN|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:/.test(text);
      const ok = code === 0 && !found;
      resolve({ name, ok, detail: ok ? `${runs} inputs, no failure` : `exit ${code ?? signal}`, log, text });
    });
  });
}

async function main() {
  let cxx = findClang();
  if (!cxx) {
    installClang();
    cxx = findClang();
    if (!cxx) throw new Error('clang was installed but still cannot link a fuzzer (is libclang-rt-dev of the same version there?)');
  }
  say(`compiler: ${cxx} (${spawnSync(cxx, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]})`);
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  run(process.execPath, [cmakeJs, 'configure', '--out', out, '--CDQUANTKIT_SANITIZE=ON', '--CDQUANTKIT_BUILD_FUZZERS=ON', `--CDCMAKE_CXX_COMPILER=${cxx}`]);
  const targets = only ? [only] : TARGETS;
  run('cmake', ['--build', out, '--target', ...targets]);
  const t0 = Date.now();
  const results = await Promise.all(targets.map((t) => fuzz(t, symbolizerFor(cxx))));
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    if (r.ok) passed++;
    else failed++;
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail}`);
    if (!r.ok && r.text) {
      // The report: from the first sanitizer or mismatch line, at most 60 lines.
      const lines = r.text.split('\n');
      const start = Math.max(0, lines.findIndex((l) => /MISMATCH|INVARIANT|ERROR:|runtime error:|deadly signal/.test(l)));
      console.log(lines.slice(start, start + 60).map((l) => `    ${l}`).join('\n'));
      const artifact = (r.text.match(/Test unit written to (\S+)/) || [])[1];
      if (artifact) console.log(`    replay: ${path.relative(root, path.join(out, r.name))} ${path.relative(root, artifact)}`);
    }
  }
  say(`fuzzing took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`fuzz: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
