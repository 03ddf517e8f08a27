'use strict';
// Why the addon cannot be used, and what to do: the loader's explanation over package roots
// made to look like an install (no prebuild, a prebuild for another system, a file the
// dynamic loader rejects, a failure kept by the install step), and the install step's
// diagnosis of a failed build. The real installs are in scripts/test-package.js.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadBackend, loadNative } = require('../dist/core/loader');
const { FAILURE_RECORD, BUILD_ADVICE, diagnose, writeFailureRecord, removeFailureRecord } = require('../scripts/native-build');

const ROOT = path.join(__dirname, '..');
const { version } = require('../package.json');
const PLATFORM = `${process.platform}-${process.arch}`;
const ADVICE = 'to use the native addon, install cmake (3.19 or newer) and a C++17 compiler, then run `npm rebuild quantkit`';

describe('loader: why the addon cannot be used, and what to do', () => {
  let tmp;
  let n = 0;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-loader-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A package root: its package.json, and `files` (relative path → content). */
  function packageRoot(files = {}) {
    const dir = path.join(tmp, `root-${n++}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'quantkit', version }));
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    }
    return dir;
  }
  const record = (fields) => JSON.stringify({ version, platform: process.platform, arch: process.arch, ...fields });
  const reasonIn = (dir) => loadBackend({}, dir).info.reason;

  it('no prebuild and no install-time build: says so, that install scripts may not have run, and what to do', () => {
    const reason = reasonIn(packageRoot());
    assert.match(reason, /^the addon could not be loaded: No native build was found for platform=/);
    assert.ok(reason.includes(`; quantkit has no prebuild for ${PLATFORM}; nothing was built from source at install time (were install scripts disabled, e.g. --ignore-scripts?); the WebAssembly module could not be read (ENOENT: `), reason);
    assert.ok(reason.endsWith(`quantkit.wasm; in a checkout, run 'npm run build:wasm'); ${ADVICE}`), reason);
    assert.ok(!reason.includes('\n'));
  });

  it('prebuilds for this platform that do not fit this system are named as such', () => {
    // uv0 never matches a real libuv major, as a musl build does not match glibc.
    const reason = reasonIn(packageRoot({ [`prebuilds/${PLATFORM}/quantkit.uv0.node`]: '' }));
    assert.ok(reason.includes(`; none of the prebuilds for ${PLATFORM} fits this system; `), reason);
    assert.ok(reason.endsWith(`; ${ADVICE}`), reason);
  });

  it('a failure kept by the install step is the reason, with its own advice', () => {
    const dir = packageRoot({ [FAILURE_RECORD]: record({ reason: 'CMake was not found on PATH', advice: 'to use the native addon, do X' }) });
    const reason = reasonIn(dir);
    assert.ok(reason.includes(`; quantkit has no prebuild for ${PLATFORM}; the native addon was not built at install time: CMake was not found on PATH; the WebAssembly module could not be read`), reason);
    assert.ok(reason.endsWith('; to use the native addon, do X'), reason);
    assert.ok(!reason.includes('nothing was built'), reason);
  });

  it('a kept failure without advice gets the usual advice', () => {
    const reason = reasonIn(packageRoot({ [FAILURE_RECORD]: record({ reason: 'the build exited with code 2' }) }));
    assert.ok(reason.includes('; the native addon was not built at install time: the build exited with code 2; the WebAssembly module could not be read'), reason);
    assert.ok(reason.endsWith(`; ${ADVICE}`), reason);
  });

  it('a kept failure of another version, another platform, or unreadable, is not believed', () => {
    for (const content of [
      record({ reason: 'old', version: '0.0.1' }),
      record({ reason: 'elsewhere', arch: process.arch === 'x64' ? 'arm64' : 'x64' }),
      '{ not json',
      'null',
    ]) {
      const reason = reasonIn(packageRoot({ [FAILURE_RECORD]: content }));
      assert.ok(reason.includes('; nothing was built from source at install time'), `${content}: ${reason}`);
      assert.ok(reason.endsWith(`; ${ADVICE}`), reason);
    }
  });

  it('an addon the dynamic loader rejects: its error, the kept failure and the advice', () => {
    const dir = packageRoot({
      [`prebuilds/${PLATFORM}/quantkit.node`]: 'not an ELF file',
      [FAILURE_RECORD]: record({ reason: 'no C++ compiler was found (g++ or clang++ on PATH)' }),
    });
    const { binding, reasons, advice } = loadNative(dir, '');
    assert.equal(binding, undefined);
    // dlopen says '<file>: invalid ELF header'; Windows' LoadLibrary '<file> is not a valid Win32 application'.
    assert.match(reasons[0], process.platform === 'win32' ? /^the addon could not be loaded: .*quantkit\.node\b[^\r\n]*$/ : /^the addon could not be loaded: .*quantkit\.node: /);
    assert.deepEqual(reasons.slice(1), ['the native addon was not built at install time: no C++ compiler was found (g++ or clang++ on PATH)']);
    assert.equal(advice, ADVICE);
  });

  it('QUANTKIT_BACKEND=native: an error listing every reason, then the advice', () => {
    const dir = packageRoot({ [FAILURE_RECORD]: record({ reason: 'CMake was not found on PATH' }) });
    assert.throws(() => loadBackend({ QUANTKIT_BACKEND: 'native' }, dir), (e) => {
      const lines = e.message.split('\n');
      assert.equal(lines[0], 'QUANTKIT_BACKEND=native but the native addon is not usable:');
      assert.match(lines[1], /^- the addon could not be loaded: No native build was found/);
      assert.deepEqual(lines.slice(2), [
        `- quantkit has no prebuild for ${PLATFORM}`,
        '- the native addon was not built at install time: CMake was not found on PATH',
        'To use the native addon, install cmake (3.19 or newer) and a C++17 compiler, then run `npm rebuild quantkit`.',
      ]);
      return true;
    });
  });

  it('a file named by QUANTKIT_ADDON, or an addon that refuses a bad QUANTKIT_ISA, gets no build advice', () => {
    const named = loadNative(packageRoot(), path.join(tmp, 'missing.node'));
    assert.equal(named.advice, undefined);
    assert.ok(loadNative().binding, 'this test needs the built addon');
    // The addon under test (QUANTKIT_ADDON under the sanitizer and arm64 runs), found by
    // node-gyp-build as a prebuild; it reads QUANTKIT_ISA when it loads, so in a process of its own.
    const addon = process.env.QUANTKIT_ADDON || require('node-gyp-build').path(ROOT);
    const dir = packageRoot();
    fs.mkdirSync(path.join(dir, 'prebuilds', PLATFORM), { recursive: true });
    fs.copyFileSync(addon, path.join(dir, 'prebuilds', PLATFORM, 'quantkit.node'));
    const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require('./dist/core/loader').loadNative(${JSON.stringify(dir)}, '')))`], {
      cwd: ROOT,
      env: { ...process.env, QUANTKIT_ISA: 'mmx', QUANTKIT_ADDON: '' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const refused = JSON.parse(r.stdout);
    assert.equal(refused.reasons.length, 1, refused.reasons.join('\n'));
    assert.match(refused.reasons[0], /^the addon could not be loaded: Expected QUANTKIT_ISA to be one of/);
    assert.equal(refused.advice, undefined);
  });

  it('what the install step writes is what the loader reads, and a success removes it', () => {
    const dir = packageRoot();
    const file = writeFailureRecord(dir, { reason: 'CMake was not found on PATH', output: '\u001b[31mERROR\u001b[0m cmake\n\n' });
    assert.equal(file, path.join(dir, 'build', 'install-failure.json'));
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).output, ['ERROR cmake']);
    assert.ok(reasonIn(dir).includes('; the native addon was not built at install time: CMake was not found on PATH; '));
    removeFailureRecord(dir);
    assert.ok(!fs.existsSync(file));
    assert.ok(reasonIn(dir).includes('; nothing was built from source at install time'));
  });

  it('the loader and the install step give the same advice', () => {
    assert.equal(BUILD_ADVICE, ADVICE);
  });
});

describe('install step: why a build failed', () => {
  let tmp;
  let withCompiler;
  let withCmake;
  let empty;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-diagnose-'));
    const tool = (dir, name) => {
      fs.mkdirSync(dir, { recursive: true });
      // On Windows a program on PATH is found by its PATHEXT extension (scripts/native-build.js's onPath).
      fs.writeFileSync(path.join(dir, process.platform === 'win32' ? `${name}.exe` : name), '#!/bin/sh\n', { mode: 0o755 });
      return dir;
    };
    withCompiler = tool(path.join(tmp, 'compiler'), 'g++');
    withCmake = tool(path.join(tmp, 'cmake'), 'cmake');
    empty = tool(path.join(tmp, 'empty'), 'unrelated');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const TOOLSET = "ERROR OMG C++ Compiler toolset is not available. Install proper compiler toolset with your package manager, eg. 'sudo apt-get install g++'.\n";
  const NO_CMAKE = "ERROR OMG CMake executable is not found. Please use your system's package manager to install it, or you can get installers from there: http://cmake.org.\n";

  it('cmake-js missing the compiler: CMake is looked for on PATH too, and every missing tool named', () => {
    assert.equal(diagnose({ status: 1, output: TOOLSET }, { PATH: empty }), 'CMake was not found on PATH and no C++ compiler was found (g++ or clang++ on PATH)');
    assert.equal(diagnose({ status: 1, output: TOOLSET }, { PATH: withCmake }), 'no C++ compiler was found (g++ or clang++ on PATH)');
  });

  it('cmake-js missing CMake: the compiler is looked for on PATH too', () => {
    assert.equal(diagnose({ status: 1, output: NO_CMAKE }, { PATH: withCompiler }), 'CMake was not found on PATH');
    assert.equal(diagnose({ status: 1, output: NO_CMAKE }, { PATH: empty }), 'CMake was not found on PATH and no C++ compiler was found (g++ or clang++ on PATH)');
  });

  it('PATH alone decides nothing: a wrapper may have searched another', () => {
    assert.equal(diagnose({ status: 1, output: 'Error: spawn strip ENOENT\n' }, { PATH: empty }), 'strip was not found on PATH');
    assert.equal(diagnose({ status: 2, output: 'ninja: build stopped: subcommand failed.\n' }, { PATH: empty }), 'the build exited with code 2');
  });

  it('an old CMake, a missing build tool, CMake finding no compiler', () => {
    const path_ = [withCmake, withCompiler].join(path.delimiter);
    assert.equal(diagnose({ status: 1, output: 'CMake Error at CMakeLists.txt:1 (cmake_minimum_required):\n  CMake 3.19 or higher is required.  You are running version 3.16.3\n' }, { PATH: path_ }),
      'CMake 3.16.3 is too old (3.19 or newer is needed)');
    assert.equal(diagnose({ status: 1, output: 'CMake Error: CMake was unable to find a build program corresponding to "Ninja".  CMAKE_MAKE_PROGRAM is not set.\n' }, { PATH: path_ }),
      'no build tool was found (ninja or make)');
    assert.equal(diagnose({ status: 1, output: 'CMake Error at CMakeLists.txt:2 (project):\n  No CMAKE_CXX_COMPILER could be found.\n' }, { PATH: path_ }),
      'no C++ compiler was found (g++ or clang++ on PATH)');
  });

  it('a compile error: the exit code and the first error line, without colour codes', () => {
    const output = "[1/9] c++ -c addon.cc\n\u001b[1m../native/addon.cc:12:3: \u001b[31merror: \u001b[0m'foo' was not declared in this scope\nninja: build stopped: subcommand failed.\nERR! OMG process terminated\n";
    assert.equal(diagnose({ status: 1, output }, { PATH: [withCmake, withCompiler].join(path.delimiter) }),
      "the build exited with code 1: ../native/addon.cc:12:3: error: 'foo' was not declared in this scope");
    assert.equal(diagnose({ status: null, signal: 'SIGKILL', output: '' }, { PATH: empty }), 'the build was killed by SIGKILL');
    assert.equal(diagnose({ error: new Error('spawn /usr/bin/node EACCES'), output: '' }, {}), 'the build could not start: spawn /usr/bin/node EACCES');
  });
});
