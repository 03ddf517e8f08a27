#!/usr/bin/env node
// Which sources a prebuild was made from, by content: a SHA-256 over native/ and CMakeLists.txt
// (the files the tarball ships to build from: native/'s folders that package.json "files"
// leaves out, the kernel tests and fuzzers, are not part of the addon and are not hashed).
// Each path (relative, '/'-separated, sorted) is hashed with its length and its bytes, so a
// renamed, added or removed file changes the hash as an edit does; modification times play no
// part (a `cp -r` of the tree gives every file a new one).
//
// `npm run prebuild` and `npm run prebuild:arm64` record the hash next to the addon they make,
// as prebuilds/<platform>/quantkit.sources.sha256 (one line: the hex digest). node-gyp-build
// only considers *.node files there, so the loader never sees it; the tarball ships it, so an
// installed prebuild can still be matched with the sources it came from. scripts/prepack.js
// compares it with the current hash.
//
//   node scripts/native-sources.js                 prints the current hash
//   node scripts/native-sources.js --record [dir]  writes it for prebuilds/<dir> (default: this
//                                                  machine's <platform>-<arch>)
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const RECORD = 'quantkit.sources.sha256';

/** The files the hash covers, relative and '/'-separated, sorted. */
function sourceFiles(root) {
  const { files = [] } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  // "!native/kernels/test/" → "native/kernels/test": folders of native/ that are not shipped.
  const skipped = files.filter((f) => f.startsWith('!native/')).map((f) => f.slice(1).replace(/\/+$/, ''));
  const out = [];
  const visit = (rel) => {
    if (skipped.includes(rel)) return;
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (st === undefined) return;
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(path.join(root, rel))) visit(`${rel}/${name}`);
    } else if (st.isFile()) {
      out.push(rel);
    }
  };
  visit('native');
  visit('CMakeLists.txt');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The hex SHA-256 of the sources under `root` (see the top of this file). */
function sourcesHash(root) {
  const h = crypto.createHash('sha256');
  for (const rel of sourceFiles(root)) {
    const bytes = fs.readFileSync(path.join(root, rel));
    h.update(`${rel}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}

const recordPath = (root, dir) => path.join(root, 'prebuilds', dir, RECORD);

/** The hash recorded for prebuilds/<dir>, or undefined when there is none (or it is malformed). */
function readRecord(root, dir) {
  let text;
  try {
    text = fs.readFileSync(recordPath(root, dir), 'utf8').trim();
  } catch {
    return undefined;
  }
  return /^[0-9a-f]{64}$/.test(text) ? text : undefined;
}

function writeRecord(root, dir, hash) {
  fs.mkdirSync(path.dirname(recordPath(root, dir)), { recursive: true });
  fs.writeFileSync(recordPath(root, dir), `${hash}\n`);
}

function removeRecord(root, dir) {
  fs.rmSync(recordPath(root, dir), { force: true });
}

module.exports = { RECORD, sourceFiles, sourcesHash, readRecord, writeRecord, removeRecord, recordPath };

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const i = process.argv.indexOf('--record');
  const hash = sourcesHash(root);
  if (i < 0) {
    console.log(hash);
  } else {
    const dir = process.argv[i + 1] ?? `${process.platform}-${process.arch}`;
    const hasAddon = fs.existsSync(path.join(root, 'prebuilds', dir)) && fs.readdirSync(path.join(root, 'prebuilds', dir)).some((f) => f.endsWith('.node'));
    if (!hasAddon) {
      console.error(`native-sources: prebuilds/${dir} holds no .node file: nothing to record the sources of`);
      process.exit(1);
    }
    writeRecord(root, dir, hash);
    console.log(`native-sources: prebuilds/${dir}/${RECORD} = ${hash}`);
  }
}
