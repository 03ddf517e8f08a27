#!/usr/bin/env node
// prebuildify builds with node-gyp; quantkit builds with cmake-js. prebuildify's --node-gyp
// hook runs this script in node-gyp's place: it takes node-gyp's `rebuild` call
// (`rebuild --target=… --devdir=… --arch=… --release|--debug`) and runs the same build with
// cmake-js, which leaves the addon in build/Release (or build/Debug) where prebuildify
// looks for it. A Node-API addon does not depend on the target Node version, so --target
// and --devdir have nothing to select and are ignored.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
if (args[0] !== 'rebuild') {
  console.error(`cmake-js-as-node-gyp: only 'rebuild' is supported, received: ${args.join(' ')}`);
  process.exit(2);
}
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const cmakeJs = [require.resolve('cmake-js/bin/cmake-js'), 'rebuild', '--directory', path.join(__dirname, '..')];
const arch = option('arch');
if (arch) cmakeJs.push('--arch', arch);
if (args.includes('--debug')) cmakeJs.push('--debug');
const r = spawnSync(process.execPath, cmakeJs, { stdio: 'inherit' });
process.exit(r.status ?? 1);
