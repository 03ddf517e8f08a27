'use strict';
// Runs the Python oracles (Debian's python3-torchvision / python3-numpy, which only
// /usr/bin/python3 sees; scripts/preprocess-oracles.js installs them, and .ci/run calls it). Without them a suite skips
// its oracle tests, except in CI (CI set), where their absence is a failure.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const PYTHON = '/usr/bin/python3';

// Python runs without what a sanitizer run preloads into node (scripts/test-asan.js): its
// exit-time allocations would otherwise be reported as leaks of the run.
const env = { ...process.env };
for (const k of ['LD_PRELOAD', 'ASAN_OPTIONS', 'LSAN_OPTIONS', 'UBSAN_OPTIONS']) delete env[k];

function has(modules) {
  return spawnSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore', env }).status === 0;
}

/** Calls this.skip() (or throws in CI) when `modules` cannot be imported by /usr/bin/python3. */
function requirePython(ctx, modules) {
  if (has(modules)) return;
  if (process.env.CI) throw new Error(`${PYTHON} cannot import ${modules} (apt-get install python3-torchvision python3-numpy)`);
  ctx.skip();
}

/** Runs test/support/<script> with a JSON request on stdin; returns stdout as a Buffer. */
function runPython(script, request) {
  const r = spawnSync(PYTHON, [path.join(__dirname, script)], { input: JSON.stringify(request), maxBuffer: 1 << 30, env });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return r.stdout;
}

const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

module.exports = { requirePython, runPython, b64, PYTHON, pythonEnv: env };
