'use strict';
// PyTorch as an oracle: Debian's python3-torch (1.13), importable only from /usr/bin/python3
// (TOOLCHAIN-NOTES). Cases go to test/support/torch_oracle.py as JSON on stdin; nothing torch
// computes is copied into a test. When torch is missing the suites that need it fail with
// this message (CI installs it: .ci/run).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const PYTHON = process.env.QUANTKIT_TORCH_PYTHON || '/usr/bin/python3';
const MISSING = `PyTorch is the oracle of this suite but '${PYTHON} -c "import torch"' fails; install it with ` +
  "'apt-get install -y python3-torch python3-numpy python3-scipy' (Debian; .ci/run does this)";

// The oracle is not under test: under `npm run test:asan` the sanitizer runtime preloaded
// into node must not follow it into Python (whose own allocations LeakSanitizer would report).
const pythonEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LD_PRELOAD|ASAN_OPTIONS|LSAN_OPTIONS|UBSAN_OPTIONS)$/.test(k)));

let probed;
/** undefined when torch imports, else why not. */
function torchMissing() {
  if (probed === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', env: pythonEnv });
    probed = r.status === 0 ? '' : `${MISSING}\n${(r.stderr || String(r.error || '')).trim().split('\n').pop()}`;
  }
  return probed || undefined;
}

/** Runs `script` (a file in test/support) with the JSON of `input` on stdin; returns its JSON output. */
function runPython(script, input) {
  const missing = torchMissing();
  if (missing) throw new Error(missing);
  const r = spawnSync(PYTHON, [path.join(__dirname, script)], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 30, env: pythonEnv });
  if (r.status !== 0) throw new Error(`${script} failed (status ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The torch results of each case (see torch_oracle.py for the case kinds). */
function torchOracle(cases) {
  return runPython('torch_oracle.py', cases).results;
}

module.exports = { torchOracle, torchMissing, runPython };
