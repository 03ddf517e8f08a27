// Preloaded (NODE_OPTIONS=--require) into an arm64 Node running under qemu-user on an
// x86-64 machine, by scripts/test-arm64.js. Tests start child Node processes with
// process.execPath, which is the arm64 binary: the host kernel cannot execute it without
// binfmt_misc, which a container rarely has. QUANTKIT_QEMU_NODE names a launcher script
// that runs the same Node under qemu, and children inherit the preload, so they do too.
'use strict';
if (process.env.QUANTKIT_QEMU_NODE) process.execPath = process.env.QUANTKIT_QEMU_NODE;
