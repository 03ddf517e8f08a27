#!/usr/bin/env node
// npm's install step for quantkit: use a prebuilt or already-built addon when one loads,
// otherwise build it from source with cmake-js. A failed build never fails `npm install`:
// the WebAssembly backend takes over (the TypeScript one where that cannot run). Why the build failed is kept in build/install-failure.json
// (scripts/native-build.js), so that `backend.reason` can say it long after npm has hidden
// this script's output; QUANTKIT_BACKEND=native turns the fallback into an error instead.
'use strict';

const path = require('node:path');
const { BUILD_ADVICE, diagnose, removeFailureRecord, runShown, writeFailureRecord } = require('./native-build');

const root = path.join(__dirname, '..');
const truthy = (v) => v !== undefined && v !== '' && v !== '0' && v !== 'false';
const forceBuild = truthy(process.env.QUANTKIT_BUILD_FROM_SOURCE) || truthy(process.env.npm_config_build_from_source);
const skipBuild = truthy(process.env.QUANTKIT_SKIP_BUILD);

function say(line) {
  process.stderr.write(`quantkit: ${line}\n`);
}

/** The addon node-gyp-build would load (a prebuild or build/Release), if it loads; else the error. */
function existingAddon() {
  try {
    const file = require('node-gyp-build').path(root);
    require(file);
    return { file };
  } catch (e) {
    return { error: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
  }
}

/** Builds the addon; undefined on success, else the failure ({ reason, advice?, output }). */
async function build() {
  let cmakeJs;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  } catch {
    return {
      reason: 'cmake-js is not installed (an optional dependency of quantkit, left out by --omit=optional?)',
      advice: 'to use the native addon, install cmake (3.19 or newer) and a C++17 compiler, then reinstall quantkit with its optional dependencies',
    };
  }
  const r = await runShown(process.execPath, [cmakeJs, 'compile', '--directory', root], { cwd: root });
  if (r.status !== 0) return { reason: diagnose(r), output: r.output };
  const loaded = existingAddon();
  return loaded.file ? undefined : { reason: `the build finished but the addon does not load: ${loaded.error}`, output: r.output };
}

function fellBack(failure) {
  const file = writeFailureRecord(root, failure);
  say(`the native addon was not built: ${failure.reason}.`);
  // The WebAssembly module ships in the package (prebuilds/wasm); without it, TypeScript.
  const wasm = require('node:fs').existsSync(path.join(root, 'prebuilds', 'wasm', 'quantkit.wasm'));
  say(`quantkit still works, with its ${wasm ? 'WebAssembly' : 'TypeScript'} backend (same results, slower); \`backend.reason\` says why.`);
  say(`${failure.advice ?? BUILD_ADVICE} (details: ${path.relative(root, file)}).`);
}

async function main() {
  const found = forceBuild ? {} : existingAddon();
  if (found.file) {
    removeFailureRecord(root);
    say(`using the native addon at ${path.relative(root, found.file)}`);
    return;
  }
  if (skipBuild) {
    fellBack({
      reason: 'QUANTKIT_SKIP_BUILD was set',
      advice: 'to use the native addon, unset QUANTKIT_SKIP_BUILD, then run `npm rebuild quantkit` (it needs cmake 3.19 or newer and a C++17 compiler)',
    });
    return;
  }
  const failure = await build();
  if (!failure) {
    removeFailureRecord(root);
    say('native addon built');
    return;
  }
  // Asked to build from source while a prebuild exists: a failed build still leaves that.
  const prebuilt = existingAddon();
  if (prebuilt.file) {
    removeFailureRecord(root);
    say(`the build from source failed (${failure.reason}); using the native addon at ${path.relative(root, prebuilt.file)}`);
    return;
  }
  fellBack(failure);
}

main().catch((e) => {
  // A bug here must not fail `npm install` either: the loader still falls back and says why.
  say(`the install step failed: ${e instanceof Error ? e.stack : String(e)}`);
});
