// Building the addon from source, and saying why it failed. Shared by npm's install step
// (install.js), which keeps the reason for `backend.reason`, and by prepack.js, which refuses
// to pack without a prebuild and says why it could not make one. Shipped with install.js.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/**
 * Where install.js keeps why the install-time build failed, relative to the package root;
 * lib/loader.ts reads the same path. build/ is not in package.json's "files", so `npm pack`
 * never ships a developer's record, and it outlives the install in node_modules/quantkit.
 */
const FAILURE_RECORD = path.join('build', 'install-failure.json');

/** The usual fix for a failed build; lib/loader.ts gives the same advice when it has no record. */
const BUILD_ADVICE = 'to use the native addon, install cmake (3.19 or newer) and a C++17 compiler, then run `npm rebuild quantkit`';

// Build output kept for the diagnosis and the record: a failed configure or compile says
// what went wrong near its end, and a full build log is hundreds of kilobytes.
const KEEP_BYTES = 256 * 1024;
const RECORD_LINES = 20;

function onPath(name, env = process.env) {
  const exts = process.platform === 'win32' ? (env.PATHEXT || '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      try {
        fs.accessSync(path.join(dir, name + ext), fs.constants.X_OK);
        return true;
      } catch {
        // not here; the next directory may have it
      }
    }
  }
  return false;
}

/**
 * Runs a build command with its output shown on stderr as it comes (npm shows an install
 * script's output only with --foreground-scripts or on failure, and a build is slow) and kept
 * for the diagnosis. stdout goes to stderr too: `npm pack --json` prints its JSON on stdout.
 */
function runShown(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    let output = '';
    const keep = (chunk) => {
      process.stderr.write(chunk);
      output += chunk.toString('utf8');
      if (output.length > 2 * KEEP_BYTES) output = output.slice(-KEEP_BYTES);
    };
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ status: null, signal: null, error, output }));
    child.on('close', (status, signal) => resolve({ status, signal, error: undefined, output }));
  });
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

/** The last non-empty lines of build output, without colour codes. */
function lastLines(output, n = RECORD_LINES) {
  return stripAnsi(output).split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(-n);
}

/**
 * Why a build failed, in one line naming what is missing. cmake-js stops at the first tool it
 * misses (the compiler before CMake), so once the output shows a missing tool, PATH in `env`
 * (what cmake-js searched) is looked at for the others: the user needs to know every one.
 * PATH alone decides nothing, since a wrapper may search another (prebuildify adds node's
 * own directory to it).
 */
function diagnose({ status, signal, error, output }, env = process.env) {
  if (error) return `the build could not start: ${error.message}`;
  const text = stripAnsi(output);
  const noCmake = /CMake executable is not found/.test(text);
  const noCompiler = /C\+\+ Compiler toolset is not available|No CMAKE_CXX_COMPILER could be found|Could not find compiler set in environment variable CXX/.test(text);
  const missing = [];
  if (noCmake || (noCompiler && !env.npm_config_cmake_path && !onPath('cmake', env))) missing.push('CMake was not found on PATH');
  // cmake-js itself insists on g++ or clang++ on PATH, whatever CXX says.
  if (noCompiler || (noCmake && !onPath('g++', env) && !onPath('clang++', env))) missing.push('no C++ compiler was found (g++ or clang++ on PATH)');
  const old = text.match(/CMake (\S+) or higher is required\.\s+You are running version (\S+)/);
  if (old) missing.push(`CMake ${old[2]} is too old (${old[1]} or newer is needed)`);
  if (/CMAKE_MAKE_PROGRAM is not set|[Uu]nable to find a build program/.test(text)) missing.push('no build tool was found (ninja or make)');
  // Any other program a step tried to start (prebuildify's `strip`, say).
  const spawnFailed = text.match(/spawn (\S+) ENOENT/);
  if (spawnFailed && missing.length === 0) missing.push(`${spawnFailed[1]} was not found on PATH`);
  if (missing.length > 0) return missing.join(' and ');
  const how = status === null ? `was killed by ${signal}` : `exited with code ${status}`;
  const firstError = lastLines(output, 400).find((l) => /\berror\b/i.test(l) && !/^npm (ERR|error)/.test(l));
  return `the build ${how}${firstError ? `: ${firstError.trim()}` : ''}`;
}

/** Keeps a failed build's reason and advice for lib/loader.ts (and for a person reading build/). */
function writeFailureRecord(root, { reason, advice = BUILD_ADVICE, output = '' }) {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const record = { version, platform: process.platform, arch: process.arch, reason, advice, output: lastLines(output) };
  const file = path.join(root, FAILURE_RECORD);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

function removeFailureRecord(root) {
  fs.rmSync(path.join(root, FAILURE_RECORD), { force: true });
}

module.exports = { FAILURE_RECORD, BUILD_ADVICE, onPath, runShown, lastLines, diagnose, writeFailureRecord, removeFailureRecord };
