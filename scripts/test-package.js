#!/usr/bin/env node
// The package as users get it, in CI: a prebuild made with `npm run prebuild`, a real
// `npm pack`, and real installs into empty projects:
//   1. the tarball holds what a user needs and nothing else;
//   2. installed with install scripts disabled, it loads the native backend from the prebuild;
//   3. with no prebuild and no compiler, the install still succeeds, the TypeScript backend
//      runs, `backend.reason` says why in one line, and QUANTKIT_BACKEND=native turns the
//      same situation into an error that lists every reason.
// Prints 'N passed, N failed' and exits non-zero on any failure.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-package-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const { version } = require('../package.json');

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

/** npm pack into `work`; returns the tarball's path and its file list. */
function pack(label) {
  const dest = path.join(work, label);
  fs.mkdirSync(dest);
  const r = must(npm, ['pack', '--json', '--pack-destination', dest], { cwd: root });
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path) };
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

const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
console.log(`=== package: prebuild, npm pack, installs (in ${work}) ===`);

// 1. A prebuild for this platform, then the tarball.
must(npm, ['run', 'prebuild'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const withPrebuild = pack('with-prebuild');
const prebuildFile = fs.readdirSync(prebuildDir).find((f) => f.endsWith('.node'));

check('the tarball holds the prebuild, the compiled JS, the typings and the sources to build from', () => {
  const want = [
    `prebuilds/${process.platform}-${process.arch}/${prebuildFile}`,
    'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts', 'dist/loader.js', 'dist/fallback.js',
    'binding.d.ts', 'scripts/install.js', 'CMakeLists.txt', 'native/addon.cc', 'native/kernels/dispatch.cc',
    'README.md', 'package.json',
  ];
  for (const f of want) assert.ok(withPrebuild.files.includes(f), `missing ${f}`);
});

check('the tarball holds nothing a user does not need', () => {
  const unwanted = withPrebuild.files.filter((f) => /^(test|bench|lib|build[^/]*|node_modules|\.ci|native\/kernels\/test|native\/fuzz)\//.test(f) || /\.tgz$/.test(f));
  assert.deepEqual(unwanted, []);
});

// 2. Installed with install scripts disabled: the prebuild alone gives the native backend.
const a = install('prebuild', withPrebuild.tarball, { flags: ['--ignore-scripts'] });
check('installed with --ignore-scripts, the native backend loads from the prebuild', () => {
  const r = backendIn(a.dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.backend.name, 'native');
  assert.equal(r.backend.version, version);
  assert.ok(!fs.existsSync(path.join(a.dir, 'node_modules', 'quantkit', 'build')), 'nothing was built');
});
check('that install quantizes right, from CommonJS and ESM', () => {
  const expected = '128,129,130,255,1,0';
  const code = "quantize(new Float32Array([0, 2, 3, 1000, -254, -1000]), { scale: 2, zeroPoint: 128, dtype: 'uint8' }).join(',')";
  const cjs = must(process.execPath, ['-e', `const { quantize } = require('quantkit'); console.log(${code})`], { cwd: a.dir });
  const esm = must(process.execPath, ['--input-type=module', '-e', `import { quantize } from 'quantkit'; console.log(${code})`], { cwd: a.dir });
  assert.equal(cjs.stdout.trim(), expected);
  assert.equal(esm.stdout.trim(), expected);
});

// 3. No prebuild and no compiler: the same package, packed without prebuilds/, installed
// with its install script running but cmake and the C++ compiler out of reach.
// Set aside outside prebuilds/ (npm pack takes everything under it), on the same filesystem.
const aside = path.join(root, `build-prebuild-aside-${process.pid}`);
fs.renameSync(prebuildDir, aside);
let withoutPrebuild;
try {
  withoutPrebuild = pack('without-prebuild');
} finally {
  fs.renameSync(aside, prebuildDir);
}
const bare = path.join(work, 'bin');
fs.mkdirSync(bare);
for (const tool of ['node', 'npm', 'npx', 'sh']) {
  const found = run('sh', ['-c', `command -v ${tool}`]).stdout.trim();
  if (found) fs.symlinkSync(found, path.join(bare, tool));
}
const noCompiler = { ...process.env, PATH: bare, CXX: '', CC: '' };
let b;
check('with no prebuild and no compiler, npm install still succeeds and says why', () => {
  const forThisPlatform = withoutPrebuild.files.filter((f) => f.startsWith(`prebuilds/${process.platform}-${process.arch}`));
  assert.deepEqual(forThisPlatform, [], 'this tarball has no prebuild for this platform');
  b = install('no-compiler', withoutPrebuild.tarball, { env: noCompiler, flags: ['--foreground-scripts'] });
  assert.match(b.log, /quantkit: the native addon was not built: /);
  assert.match(b.log, /quantkit still works, with its TypeScript backend/);
});
check('… then the TypeScript backend runs, and backend.reason says why in one line', () => {
  const r = backendIn(b.dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.backend.name, 'fallback');
  assert.equal(r.backend.isa, 'js');
  assert.match(r.backend.reason, /^the addon could not be loaded: No native build was found/);
  assert.ok(!r.backend.reason.includes('\n'));
});
check('… and QUANTKIT_BACKEND=native makes it an error listing every reason', () => {
  const r = backendIn(b.dir, { QUANTKIT_BACKEND: 'native' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /QUANTKIT_BACKEND=native but the native addon is not usable:\n- the addon could not be loaded: No native build was found/);
});

check('with the prebuild, the install script builds nothing (and needs no compiler)', () => {
  const c = install('prebuild-scripts', withPrebuild.tarball, { env: noCompiler, flags: ['--foreground-scripts'] });
  assert.match(c.log, new RegExp(`quantkit: using the native addon at prebuilds/${process.platform}-${process.arch}/`));
  const r = backendIn(c.dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.backend.name, 'native');
});

fs.rmSync(work, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
