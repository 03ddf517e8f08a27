#!/usr/bin/env node
// npm's install step for quantkit: use a prebuilt or already-built addon when one loads,
// otherwise build it from source with cmake-js. A failed build never fails `npm install`:
// the TypeScript backend takes over, and `backend.reason` says why (QUANTKIT_BACKEND=native
// turns that into an error instead).
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const truthy = (v) => v !== undefined && v !== '' && v !== '0' && v !== 'false';
const forceBuild = truthy(process.env.QUANTKIT_BUILD_FROM_SOURCE) || truthy(process.env.npm_config_build_from_source);

function say(line) {
  process.stderr.write(`quantkit: ${line}\n`);
}

function existingAddon() {
  try {
    const file = require('node-gyp-build').path(root);
    require(file);
    return file;
  } catch {
    return undefined;
  }
}

function build() {
  let cmakeJs;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  } catch {
    return 'cmake-js is not installed (it is an optional dependency; install it to build from source)';
  }
  const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--directory', root], { stdio: 'inherit', cwd: root });
  if (r.error) return `cmake-js could not run: ${r.error.message}`;
  if (r.status !== 0) return `cmake-js exited with ${r.status === null ? `signal ${r.signal}` : `code ${r.status}`}`;
  return existingAddon() ? undefined : 'the build finished but the addon does not load';
}

if (truthy(process.env.QUANTKIT_SKIP_BUILD)) {
  say('QUANTKIT_SKIP_BUILD is set: not building the native addon');
} else {
  const found = forceBuild ? undefined : existingAddon();
  if (found) {
    say(`using the native addon at ${path.relative(root, found)}`);
  } else {
    const failure = build();
    if (failure) {
      say(`the native addon was not built: ${failure}.`);
      say('quantkit still works, with its TypeScript backend (same results, slower).');
    } else {
      say('native addon built');
    }
  }
}
