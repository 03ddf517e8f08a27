#!/usr/bin/env node
// The package as users get it, in CI: a real `npm pack` (whose prepack step builds the
// prebuild, or refuses), and real installs into empty projects:
//   1. `npm pack` builds this platform's prebuild when it is missing, reuses it when it is up
//      to date (by the SHA-256 of the sources recorded beside it, not by dates), and refuses (no
//      tarball) when it can build none or when another platform's prebuild (linux-arm64,
//      win32-x64: cross-built, so they cannot be loaded here) is not recorded as built from the
//      current sources; the tarball holds what a user needs and
//      nothing else;
//   2. installed with install scripts disabled, it loads the native backend from the prebuild;
//   3. with no prebuild and no compiler, the install still succeeds, the TypeScript backend
//      runs, `backend.reason` says why in one line (the build's own failure, kept from install
//      time) and what to do, QUANTKIT_BACKEND=native turns the same situation into an error
//      that lists every reason, and doing what the reason says (`npm rebuild quantkit` with
//      cmake and a compiler) gives the native backend.
// Prints 'N passed, N failed' and exits non-zero on any failure.
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-package-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const { version } = require('../package.json');
const { RECORD, readRecord, sourcesHash } = require('./native-sources');

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
    console.log(`  ok    ${name}`);
  } catch (e) {
    failed++;
    console.log(`  FAIL  ${name}\n        ${String(e.message).split('\n').join('\n        ')}`);
  }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  return r;
}

function must(cmd, args, opts) {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** npm pack into `work`; returns the tarball's path, its file list and what prepack said. */
function pack(label, env = process.env) {
  const dest = path.join(work, label);
  fs.mkdirSync(dest);
  const r = must(npm, ['pack', '--json', '--pack-destination', dest], { cwd: root, env });
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path), log: r.stderr };
}

/** An empty project with the tarball installed; `env` and extra npm flags for the install. */
function install(label, tarball, { flags = [], env = process.env } = {}) {
  const dir = path.join(work, `project-${label}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `try-${label}`, version: '1.0.0', private: true }));
  const r = must(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...flags, tarball], { cwd: dir, env });
  return { dir, log: r.stdout + r.stderr };
}

function backendIn(dir, env = {}) {
  const r = run(process.execPath, ['-e', "console.log(JSON.stringify(require('quantkit').backend))"], {
    cwd: dir,
    env: { ...process.env, QUANTKIT_BACKEND: '', QUANTKIT_ADDON: '', ...env },
  });
  return { ...r, backend: r.status === 0 ? JSON.parse(r.stdout) : undefined };
}

const platform = `${process.platform}-${process.arch}`;
const prebuildDir = path.join(root, 'prebuilds', platform);
const ADVICE = 'install cmake (3.19 or newer) and a C++17 compiler, then run `npm rebuild quantkit`';
console.log(`=== package: npm pack and its prebuild, installs (in ${work}) ===`);

// A PATH with node and npm but no cmake, no compiler, no strip. node is linked in, not
// symlinked: process.execPath resolves symlinks, and prebuildify puts node's directory
// (/usr/bin, with cmake and g++ in it) back on PATH.
const bare = path.join(work, 'bin');
fs.mkdirSync(bare);
try {
  fs.linkSync(process.execPath, path.join(bare, 'node'));
} catch {
  fs.copyFileSync(process.execPath, path.join(bare, 'node'));
  fs.chmodSync(path.join(bare, 'node'), 0o755);
}
for (const tool of ['npm', 'npx', 'sh']) {
  const found = run('sh', ['-c', `command -v ${tool}`]).stdout.trim();
  if (found) fs.symlinkSync(found, path.join(bare, tool));
}
const noCompiler = { ...process.env, PATH: bare, CXX: '', CC: '' };

// Set aside outside prebuilds/ (npm pack takes everything under it), on the same filesystem.
const aside = path.join(root, `build-prebuild-aside-${process.pid}`);
function withoutPrebuild(fn) {
  fs.renameSync(prebuildDir, aside);
  try {
    return fn();
  } finally {
    fs.rmSync(prebuildDir, { recursive: true, force: true });
    fs.renameSync(aside, prebuildDir);
  }
}

/** Runs `fn`, then puts `dir` back as it was before (a copy is kept aside meanwhile). */
function preserving(dir, fn) {
  const copy = `${aside}-copy`;
  fs.cpSync(dir, copy, { recursive: true, preserveTimestamps: true });
  try {
    return fn();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(copy, dir);
  }
}

// The cross-built prebuilds: platform folder, addon file name (node-gyp-build's naming there), the
// npm script that rebuilds it.
const CROSS = [
  { dir: 'linux-arm64', file: 'quantkit.glibc.node', script: 'prebuild:arm64' },
  { dir: 'win32-x64', file: 'quantkit.node', script: 'prebuild:win' },
].filter((c) => c.dir !== platform);

// A stand-in prebuild for `cross` (never loaded: this machine cannot), with a record of the
// sources it was built from when `record` is given; the real cross-built ones, if any, are set
// aside meanwhile (so that only the stand-in decides the pack).
function withCross(cross, record, fn) {
  const had = CROSS.filter((c) => fs.existsSync(path.join(root, 'prebuilds', c.dir)));
  for (const c of had) fs.renameSync(path.join(root, 'prebuilds', c.dir), `${aside}-${c.dir}`);
  const dir = path.join(root, 'prebuilds', cross.dir);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, cross.file), `a stand-in for a ${cross.dir} addon`);
    if (record !== undefined) fs.writeFileSync(path.join(dir, RECORD), `${record}\n`);
    return fn();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const c of had) fs.renameSync(`${aside}-${c.dir}`, path.join(root, 'prebuilds', c.dir));
  }
}

/** npm pack that is expected to be refused: its stderr, after checking that no tarball was made. */
function packRefused(label, env = process.env) {
  const dest = path.join(work, label);
  fs.mkdirSync(dest);
  const r = run(npm, ['pack', '--json', '--pack-destination', dest], { cwd: root, env });
  assert.notEqual(r.status, 0, 'npm pack succeeded');
  assert.deepEqual(fs.readdirSync(dest), [], 'a tarball was made');
  return r.stderr;
}

// A step outside a check that throws (an npm pack or install that fails) ends the run as a
// failure, still with the summary line.
try {
  // 1. npm pack from no prebuild: prepack builds it (the only build of this run).
  fs.rmSync(prebuildDir, { recursive: true, force: true });
  const built = pack('built');
  check('npm pack without a prebuild builds one, checks that it loads, and says what the tarball carries', () => {
    assert.match(built.log, new RegExp(`quantkit prepack: prebuilds/${platform}/ holds no prebuild: building it with \`npm run prebuild\``));
    assert.match(built.log, new RegExp(`quantkit prepack: built prebuilds/${platform}/\\S+\\.node \\(quantkit ${version.replace(/\./g, '\\.')}\\); it loads`));
    assert.match(built.log, new RegExp(`quantkit prepack: the tarball carries prebuilds for [^\\n]*${platform} \\(`));
    assert.ok(built.files.some((f) => f.startsWith(`prebuilds/${platform}/`) && f.endsWith('.node')), `no prebuilds/${platform}/*.node in the tarball`);
    assert.equal(readRecord(root, platform), sourcesHash(root), `prebuilds/${platform}/${RECORD} is not the hash of the sources`);
    assert.ok(built.files.includes(`prebuilds/${platform}/${RECORD}`), `no prebuilds/${platform}/${RECORD} in the tarball`);
  });

  const prebuildFile = fs.readdirSync(prebuildDir).find((f) => f.endsWith('.node'));
  const builtStat = fs.statSync(path.join(prebuildDir, prebuildFile));
  const withPrebuild = pack('with-prebuild');
  check('the tarball carries the WebAssembly module and every cross-built prebuild prebuilds/ holds (CI builds win32-x64 before this step)', () => {
    assert.ok(withPrebuild.files.includes('prebuilds/wasm/quantkit.wasm'), 'no prebuilds/wasm/quantkit.wasm');
    const held = CROSS.filter((c) => fs.existsSync(path.join(root, 'prebuilds', c.dir, c.file)));
    // In CI (.ci/run builds it first) a missing Windows prebuild is itself a failure.
    if (process.env.CI) assert.ok(held.some((c) => c.dir === 'win32-x64'), 'CI: prebuilds/win32-x64 was not built before test:package');
    for (const c of held) assert.ok(withPrebuild.files.includes(`prebuilds/${c.dir}/${c.file}`), `prebuilds/${c.dir}/${c.file} is not in the tarball`);
  });
  check('npm pack with an up-to-date prebuild that loads packs it without building again', () => {
    assert.match(withPrebuild.log, new RegExp(`quantkit prepack: prebuilds/${platform}/${prebuildFile} loads and is up to date \\(quantkit ${version.replace(/\./g, '\\.')}\\): not rebuilding it`));
    assert.doesNotMatch(withPrebuild.log, /> quantkit@\S+ prebuild\n/, 'npm run prebuild ran');
    const now = fs.statSync(path.join(prebuildDir, prebuildFile));
    assert.equal(now.mtimeMs, builtStat.mtimeMs, 'the prebuild was rewritten');
  });

  check('the tarball holds the prebuild, the compiled JS, the typings and the sources to build from', () => {
    const want = [
      `prebuilds/${platform}/${prebuildFile}`,
      'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts', 'dist/core/loader.js', 'dist/backend-ts/index.js',
      'binding.d.ts', 'scripts/install.js', 'scripts/native-build.js', 'CMakeLists.txt', 'native/addon.cc', 'native/kernels/isa/dispatch.cc',
      'README.md', 'package.json',
      'dist/browser/quantkit.mjs', 'dist/browser/quantkit.wasm', 'dist/browser/index.d.mts',
      'prebuilds/wasm/quantkit.wasm', 'prebuilds/wasm/quantkit.sources.sha256', 'dist/backend-wasm/index.js', 'native/ops/quantize.cc', 'native/wasm/exports.cc',
    ];
    for (const f of want) assert.ok(withPrebuild.files.includes(f), `missing ${f}`);
  });

  check('the tarball holds nothing a user does not need', () => {
    const unwanted = withPrebuild.files.filter((f) => /^(test|bench|lib|build[^/]*|node_modules|\.ci|native\/kernels\/test|native\/fuzz)\//.test(f) || /\.tgz$/.test(f)
      || (f.startsWith('scripts/') && !['scripts/install.js', 'scripts/native-build.js'].includes(f)));
    assert.deepEqual(unwanted, []);
  });

  // With no prebuild and no way to build one, npm pack refuses and makes no tarball.
  check('npm pack with no prebuild and no compiler refuses, says why and what to do, and makes no tarball', () => {
    const dest = path.join(work, 'refused');
    fs.mkdirSync(dest);
    const r = withoutPrebuild(() => run(npm, ['pack', '--json', '--pack-destination', dest], { cwd: root, env: noCompiler }));
    assert.notEqual(r.status, 0, 'npm pack succeeded');
    assert.match(r.stderr, new RegExp(`quantkit prepack: refusing to pack: the tarball would have no usable prebuild for ${platform}`));
    assert.match(r.stderr, /`npm run prebuild` failed: CMake was not found on PATH and no C\+\+ compiler was found/);
    assert.match(r.stderr, /Install cmake \(3\.19 or newer\) and a C\+\+17 compiler and pack again, or set QUANTKIT_PACK_WITHOUT_PREBUILD=1/);
    assert.deepEqual(fs.readdirSync(dest), []);
  });

  // The prebuild as a `cp -r` leaves it: newer than every source, but built from other ones.
  check('a prebuild recorded as built from other sources is stale however new its file: npm pack rebuilds it (here, with no compiler, refuses)', () => {
    preserving(prebuildDir, () => {
      fs.writeFileSync(path.join(prebuildDir, RECORD), `${'0'.repeat(64)}\n`);
      const later = new Date(Date.now() + 3600e3);
      fs.utimesSync(path.join(prebuildDir, prebuildFile), later, later);
      const err = packRefused('stale-x64', noCompiler);
      assert.match(err, new RegExp(`quantkit prepack: prebuilds/${platform}/${prebuildFile.replace(/\./g, '\\.')} was built from other sources than native/ and CMakeLists\\.txt hold now \\(sha256 0{12}… recorded, [0-9a-f]{12}… now\\): building it with \`npm run prebuild\``));
      assert.match(err, /quantkit prepack: refusing to pack: the tarball would have no usable prebuild/);
    });
  });

  for (const cross of CROSS) {
    const { dir, file, script } = cross;
    const rel = `prebuilds/${dir}/${file}`;
    const relRe = rel.replace(/[.]/g, '\\.');
    const ADVICE_CROSS = `run \`npm run ${script}\` to rebuild it, or delete prebuilds/${dir} to pack without it (or set QUANTKIT_PACK_WITHOUT_PREBUILD=1 to pack without checking any prebuild)`;
    check(`a ${dir} prebuild with no record of its sources refuses the pack, saying how to rebuild or drop it`, () => {
      const err = withCross(cross, undefined, () => packRefused(`${dir}-unrecorded`));
      assert.ok(err.includes(`quantkit prepack: refusing to pack: ${rel} has no record of the sources it was built from (prebuilds/${dir}/${RECORD}). `), err);
      assert.ok(err.includes(ADVICE_CROSS), err);
    });
    check(`a ${dir} prebuild recorded as built from other sources refuses the pack`, () => {
      const err = withCross(cross, 'f'.repeat(64), () => packRefused(`${dir}-stale`));
      assert.match(err, new RegExp(`quantkit prepack: refusing to pack: ${relRe} was built from other sources than native/ and CMakeLists\\.txt hold now \\(sha256 f{12}… recorded, [0-9a-f]{12}… now\\)\\. `));
      assert.ok(err.includes(ADVICE_CROSS), err);
    });
    check(`a ${dir} prebuild recorded as built from the current sources is packed, with its record`, () => {
      const packed = withCross(cross, sourcesHash(root), () => pack(`${dir}-current`));
      assert.ok(packed.files.includes(rel) && packed.files.includes(`prebuilds/${dir}/${RECORD}`), packed.files.join(' '));
      assert.match(packed.log, new RegExp(`quantkit prepack: the tarball carries prebuilds for [^\\n]*${dir} \\(${file.replace(/[.]/g, '\\.')}; sources sha256 [0-9a-f]{12}…\\)`));
    });
    check(`QUANTKIT_PACK_WITHOUT_PREBUILD=1 packs a stale ${dir} prebuild without checking it`, () => {
      const packed = withCross(cross, undefined, () => pack(`${dir}-unchecked`, { ...process.env, QUANTKIT_PACK_WITHOUT_PREBUILD: '1' }));
      assert.ok(packed.files.includes(rel));
    });
  }

  // 2. Installed with install scripts disabled: the prebuild alone gives the native backend.
  const a = install('prebuild', withPrebuild.tarball, { flags: ['--ignore-scripts'] });
  check('installed with --ignore-scripts, the native backend loads from the prebuild', () => {
    const r = backendIn(a.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.backend.name, 'native');
    assert.equal(r.backend.version, version);
    assert.ok(!fs.existsSync(path.join(a.dir, 'node_modules', 'quantkit', 'build')), 'nothing was built');
  });
  check('the installed prebuild\'s record is the hash of the sources installed with it (and the loader ignored it)', () => {
    const installed = path.join(a.dir, 'node_modules', 'quantkit');
    assert.equal(readRecord(installed, platform), sourcesHash(installed));
  });
  check('that install quantizes right, from CommonJS and ESM', () => {
    const expected = '128,129,130,255,1,0';
    const code = "quantize(new Float32Array([0, 2, 3, 1000, -254, -1000]), { scale: 2, zeroPoint: 128, dtype: 'uint8' }).join(',')";
    const cjs = must(process.execPath, ['-e', `const { quantize } = require('quantkit'); console.log(${code})`], { cwd: a.dir });
    const esm = must(process.execPath, ['--input-type=module', '-e', `import { quantize } from 'quantkit'; console.log(${code})`], { cwd: a.dir });
    assert.equal(cjs.stdout.trim(), expected);
    assert.equal(esm.stdout.trim(), expected);
  });

  // 3. No prebuild and no compiler: the same package packed on purpose without prebuilds/,
  // installed with its install script running but cmake and the C++ compiler out of reach.
  const noPrebuild = withoutPrebuild(() => pack('without-prebuild', { ...process.env, QUANTKIT_PACK_WITHOUT_PREBUILD: '1' }));
  check('QUANTKIT_PACK_WITHOUT_PREBUILD=1 packs without this platform\'s prebuild, and says so', () => {
    assert.match(noPrebuild.log, /quantkit prepack: QUANTKIT_PACK_WITHOUT_PREBUILD is set: packing without checking the prebuilds/);
    assert.deepEqual(noPrebuild.files.filter((f) => f.startsWith(`prebuilds/${platform}/`)), []);
  });

  let b;
  const failureRecord = () => path.join(b.dir, 'node_modules', 'quantkit', 'build', 'install-failure.json');
  check('with no prebuild and no compiler, npm install still succeeds, says why and what to do, and keeps the reason', () => {
    b = install('no-compiler', noPrebuild.tarball, { env: noCompiler, flags: ['--foreground-scripts'] });
    assert.match(b.log, /quantkit: the native addon was not built: CMake was not found on PATH and no C\+\+ compiler was found \(g\+\+ or clang\+\+ on PATH\)\./);
    assert.match(b.log, /quantkit still works, with its WebAssembly backend/);
    assert.ok(b.log.includes(`quantkit: to use the native addon, ${ADVICE}`), 'no advice in the install log');
    const record = JSON.parse(fs.readFileSync(failureRecord(), 'utf8'));
    assert.equal(record.version, version);
    assert.match(record.reason, /^CMake was not found on PATH/);
  });
  check('… then the WebAssembly backend runs, and backend.reason says why and what to do, in one line', () => {
    const r = backendIn(b.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.backend.name, 'wasm');
    assert.equal(r.backend.isa, 'simd128');
    assert.match(r.backend.reason, /^the addon could not be loaded: No native build was found/);
    assert.ok(r.backend.reason.includes(`; quantkit has no prebuild for ${platform}; `), r.backend.reason);
    assert.ok(r.backend.reason.includes('; the native addon was not built at install time: CMake was not found on PATH and no C++ compiler was found'), r.backend.reason);
    assert.ok(r.backend.reason.endsWith(`; to use the native addon, ${ADVICE}`), r.backend.reason);
    assert.ok(!r.backend.reason.includes('\n'));
  });
  check('… and QUANTKIT_BACKEND=native makes it an error listing every reason and the advice', () => {
    const r = backendIn(b.dir, { QUANTKIT_BACKEND: 'native' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(
      'QUANTKIT_BACKEND=native but the native addon is not usable:\\n- the addon could not be loaded: No native build was found[^\\n]*\\n'
      + `- quantkit has no prebuild for ${platform}\\n- the native addon was not built at install time: CMake was not found on PATH[^\\n]*\\n`
      + `To use the native addon, ${ADVICE.replace(/[.()`+]/g, '\\$&')}\\.`));
  });

  check('installed with --ignore-scripts and no prebuild, backend.reason says nothing was built, and what to do', () => {
    const d = install('no-prebuild-no-scripts', noPrebuild.tarball, { flags: ['--ignore-scripts'] });
    const r = backendIn(d.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.backend.name, 'wasm');
    assert.ok(r.backend.reason.includes('; nothing was built from source at install time (were install scripts disabled, e.g. --ignore-scripts?); '), r.backend.reason);
    assert.ok(r.backend.reason.endsWith(`; to use the native addon, ${ADVICE}`), r.backend.reason);
  });

  check('with the prebuild, the install script builds nothing (and needs no compiler)', () => {
    const c = install('prebuild-scripts', withPrebuild.tarball, { env: noCompiler, flags: ['--foreground-scripts'] });
    assert.match(c.log, new RegExp(`quantkit: using the native addon at prebuilds/${platform}/`));
    assert.ok(!fs.existsSync(path.join(c.dir, 'node_modules', 'quantkit', 'build')), 'something was built, or a failure kept');
    const r = backendIn(c.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.backend.name, 'native');
  });

  // Last, as it builds: the advice works. With cmake and a compiler back on PATH,
  // `npm rebuild quantkit` builds the addon, the backend is native and the kept failure is gone.
  check('doing what backend.reason says (`npm rebuild quantkit` with cmake and a compiler) gives the native backend', () => {
    must(npm, ['rebuild', 'quantkit', '--foreground-scripts'], { cwd: b.dir });
    const r = backendIn(b.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.backend.name, 'native', r.backend.reason);
    assert.ok(!fs.existsSync(failureRecord()), 'the failure record was kept after a successful build');
  });
} catch (e) {
  failed++;
  console.log(`  FAIL  the run stopped: ${String(e.message).split('\n').join('\n        ')}`);
}

fs.rmSync(work, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
