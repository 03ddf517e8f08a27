#!/usr/bin/env node
// npm's prepack step (`npm pack`, `npm publish`): the tarball must carry a prebuild for this
// machine's platform that loads and is this version's, or every install of it compiles C++
// (and, without cmake and a compiler, silently runs the TypeScript backend). So:
//   - a prebuild in prebuilds/<platform>-<arch>/ that loads, reports this version, and was
//     built from the current sources is packed as it is (`npm run test:package` has just made
//     one: building it again would cost another 30-45 s);
//   - otherwise `npm run prebuild` makes it, and the result is checked the same way;
//   - if that fails, packing is refused with the reason (non-zero exit: npm makes no tarball).
// "Built from the current sources" is decided by content, never by modification times (a
// `cp -r` of the tree makes every file new): `npm run prebuild`, `npm run prebuild:arm64` and
// `npm run prebuild:win` record a SHA-256 of native/ and CMakeLists.txt next to the addon they make
// (prebuilds/<platform>/quantkit.sources.sha256, see native-sources.js), and it must equal the
// hash of the sources now. Prebuilds for other platforms (linux-arm64 and win32-x64, cross-built
// by `npm run prebuild:arm64` and `npm run prebuild:win`) are optional, but one that is there
// cannot be loaded here, so its record is all there is: a missing or different record refuses
// the pack (rebuild it, or delete its folder). QUANTKIT_PACK_WITHOUT_PREBUILD=1 packs without
// any check, for a deliberately prebuild-less tarball (test-package.js's install with neither
// prebuild nor compiler).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { diagnose, runShown } = require('./native-build');
const { RECORD, readRecord, sourcesHash } = require('./native-sources');

const root = path.join(__dirname, '..');
const { version } = require('../package.json');
const platform = `${process.platform}-${process.arch}`;
const prebuildsDir = path.join(root, 'prebuilds');

const truthy = (v) => v !== undefined && v !== '' && v !== '0' && v !== 'false';
const say = (line) => process.stderr.write(`quantkit prepack: ${line}\n`);
function refuse(why) {
  say(`refusing to pack: ${why}`);
  process.exit(1);
}

const short = (hash) => `${hash.slice(0, 12)}…`;

// The command that rebuilds each cross-compiled prebuild on this machine.
const CROSS_BUILDS = { 'linux-arm64': 'npm run prebuild:arm64', 'win32-x64': 'npm run prebuild:win' };

/** Why prebuilds/<dir>'s addon `rel` is not known to be built from sources hashing to `current`, or undefined when it is. */
function staleness(dir, rel, current) {
  const recorded = readRecord(root, dir);
  if (recorded === undefined) return `${rel} has no record of the sources it was built from (prebuilds/${dir}/${RECORD})`;
  if (recorded !== current) return `${rel} was built from other sources than native/ and CMakeLists.txt hold now (sha256 ${short(recorded)} recorded, ${short(current)} now)`;
  return undefined;
}

/** The platform folders under prebuilds/ that hold an addon, with their .node files. */
function prebuildDirs() {
  const dirs = fs.existsSync(prebuildsDir) ? fs.readdirSync(prebuildsDir).sort() : [];
  return dirs
    .filter((dir) => fs.statSync(path.join(prebuildsDir, dir)).isDirectory())
    .map((dir) => ({ dir, files: fs.readdirSync(path.join(prebuildsDir, dir)).filter((f) => f.endsWith('.node')) }));
}

/**
 * Refuses to pack when a prebuild for another platform is not recorded as built from the
 * current sources: it cannot be loaded here, and an old one would ship missing features.
 */
function checkOtherPlatforms(current) {
  for (const { dir, files } of prebuildDirs()) {
    if (dir === platform || files.length === 0) continue;
    const why = staleness(dir, `prebuilds/${dir}/${files.join(', ')}`, current);
    if (why === undefined) continue;
    const rebuild = CROSS_BUILDS[dir] ? `run \`${CROSS_BUILDS[dir]}\` to rebuild it` : `rebuild it on ${dir}`;
    refuse(`${why}. It may lack what the sources have now, and it cannot be loaded here to find out: ${rebuild}, or delete prebuilds/${dir} `
      + 'to pack without it (or set QUANTKIT_PACK_WITHOUT_PREBUILD=1 to pack without checking any prebuild).');
  }
}

/**
 * Loads this platform's prebuild the way an installed package does (dist/core/loader.js over
 * node-gyp-build), with build/ ignored (PREBUILDS_ONLY) and in a child process: a .node file
 * cannot be unloaded, so a process that loaded the old one would never see the new one.
 * Returns { file } when it is usable, else { problem }.
 */
function checkPrebuild(current) {
  const env = { ...process.env, PREBUILDS_ONLY: '1' };
  for (const name of ['QUANTKIT_ADDON', 'QUANTKIT_BACKEND', 'QUANTKIT_ISA', 'QUANTKIT_THREADS']) delete env[name];
  const probe = `
    const file = (() => { try { return require('node-gyp-build').path(${JSON.stringify(root)}); } catch { return undefined; } })();
    const { binding, reasons } = require(${JSON.stringify(path.join(root, 'dist', 'core', 'loader.js'))}).loadNative(${JSON.stringify(root)}, '');
    console.log(JSON.stringify({ file, ok: Boolean(binding), reasons }));`;
  const r = spawnSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' });
  if (r.status !== 0) return { problem: `the check could not run: ${r.stderr.trim().split('\n')[0]}` };
  const { file, ok, reasons } = JSON.parse(r.stdout);
  if (!file) return { problem: `prebuilds/${platform}/ holds no prebuild` };
  const rel = path.relative(root, file);
  if (!ok) return { problem: `${rel} is not usable: ${reasons.join('; ')}` };
  const why = staleness(platform, rel, current);
  return why === undefined ? { file } : { problem: why };
}

/** What the tarball will carry under prebuilds/, one entry per platform folder. */
function carried() {
  return prebuildDirs().map(({ dir, files }) => {
    const recorded = readRecord(root, dir);
    return `${dir} (${files.join(', ') || 'no .node file'}${recorded ? `; sources sha256 ${short(recorded)}` : ''})`;
  });
}

async function main() {
  if (truthy(process.env.QUANTKIT_PACK_WITHOUT_PREBUILD)) {
    say('QUANTKIT_PACK_WITHOUT_PREBUILD is set: packing without checking the prebuilds; every install of this tarball '
      + 'on a platform it has no prebuild for builds from source.');
  } else {
    if (!fs.existsSync(path.join(root, 'dist', 'core', 'loader.js'))) {
      // prepack runs before prepare, which compiles lib/ into dist/: the check needs it first.
      const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: ['ignore', 2, 2] });
      if (tsc.status !== 0) refuse('compiling lib/ into dist/ (the loader that checks the prebuild) failed');
    }
    const current = sourcesHash(root);
    checkOtherPlatforms(current);
    const before = checkPrebuild(current);
    if (before.file) {
      say(`${path.relative(root, before.file)} loads and is up to date (quantkit ${version}): not rebuilding it`);
    } else {
      say(`${before.problem}: building it with \`npm run prebuild\``);
      // npm_execpath is the npm that runs this script; plain `npm` from PATH is the fallback.
      const npm = process.env.npm_execpath && /\.[cm]?js$/.test(process.env.npm_execpath)
        ? [process.execPath, [process.env.npm_execpath]]
        : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
      const built = await runShown(npm[0], [...npm[1], 'run', 'prebuild'], { cwd: root });
      const after = built.status === 0 ? checkPrebuild(current) : { problem: `\`npm run prebuild\` failed: ${diagnose(built)}` };
      if (!after.file) {
        refuse(`the tarball would have no usable prebuild for ${platform}, so every install of it would compile C++ `
          + `or fall back to the TypeScript backend. ${before.problem}; ${after.problem}. Install cmake (3.19 or newer) `
          + 'and a C++17 compiler and pack again, or set QUANTKIT_PACK_WITHOUT_PREBUILD=1 to pack without it on purpose.');
      }
      say(`built ${path.relative(root, after.file)} (quantkit ${version}); it loads`);
    }
  }
  const list = carried();
  say(list.length > 0 ? `the tarball carries prebuilds for ${list.join('; ')}` : 'the tarball carries no prebuilds');
  say('installs on any other platform build from source with cmake-js (scripts/install.js)');
}

main().catch((e) => {
  say(`failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
