#!/usr/bin/env node
// Installs the Python oracles of the preprocessing suites when they are missing: Debian's
// python3-torchvision (torchvision's ToTensor / Normalize / save_image, for
// test/preprocess-image.test.js) and python3-numpy (the sentence-transformers restatement, for
// test/embeddings.test.js). Only Debian's /usr/bin/python3 sees them. Needs root and apt-get
// (as CI has); the lock timeout lets it wait for another apt run.
'use strict';
const { spawnSync } = require('node:child_process');

const PYTHON = '/usr/bin/python3';
const PACKAGES = ['python3-torchvision', 'python3-numpy'];

function present() {
  return spawnSync(PYTHON, ['-c', 'import torchvision, numpy'], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`${cmd} ${args.join(' ')} failed`);
    process.exit(1);
  }
}

if (present()) {
  console.log('preprocess oracles: python3-torchvision and python3-numpy are installed');
} else {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(`preprocess oracles: ${PYTHON} cannot import torchvision and numpy; install ${PACKAGES.join(' ')} (Debian, as root)`);
    process.exit(1);
  }
  console.log(`preprocess oracles: installing ${PACKAGES.join(' ')} with apt-get`);
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  run('apt-get', [...lock, 'update', '-qq']);
  run('apt-get', [...lock, 'install', '-y', '-qq', ...PACKAGES]);
  if (!present()) {
    console.error(`preprocess oracles: ${PYTHON} still cannot import torchvision and numpy`);
    process.exit(1);
  }
}
