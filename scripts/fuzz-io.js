#!/usr/bin/env node
// Fuzzes the quantkit/io readers of safetensors, .npy and .npz with fast-check: valid files
// written by quantkit (and hand-built big-endian / Fortran-order .npy) are truncated, have bytes
// flipped, header bytes rewritten or bytes appended, then opened and read whole and by ranges.
// Every failure must be one of the documented errors: an Error or RangeError whose message
// names the file. Anything else fails the run: another error class, an uncaught exception or
// unhandled rejection (e.g. from a zip library callback), a case that takes over 10 s, or the
// process growing past a memory bound (a hostile size turned into an allocation).
//
//   npm run build:ts && node scripts/fuzz-io.js [--seconds N] [--seed S]   (default 45 s)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const fc = require('fast-check');
const io = require('../dist/io');

function option(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const seconds = Number(option('seconds') ?? process.env.QUANTKIT_FUZZ_IO_SECONDS ?? 45);
const seed = option('seed') === undefined ? Date.now() % 2 ** 31 : Number(option('seed'));
if (!(seconds > 0)) throw new RangeError(`Expected a positive number of seconds but received ${option('seconds')}`);
const CASE_TIMEOUT_MS = 10000;
const RSS_BOUND = 1.5 * 2 ** 30;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-fuzz-io-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

let stray;
process.on('uncaughtException', (e) => {
  stray ??= e;
});
process.on('unhandledRejection', (e) => {
  stray ??= e;
});

function bytesOf(type, n, k) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 37 + k * 11) & 0xff;
  if (type === 'bool') for (let i = 0; i < n; i++) out[i] &= 1;
  return out;
}

function npyHand(dict, data) {
  const text = Buffer.from(dict, 'latin1');
  const pad = 64 - ((10 + text.length + 1) % 64);
  const prefix = Buffer.from('\x93NUMPY\x01\x00\x00\x00', 'latin1');
  prefix.writeUInt16LE(text.length + pad + 1, 8);
  return Buffer.concat([prefix, text, Buffer.alloc(pad, 0x20), Buffer.from('\n'), Buffer.from(data)]);
}

async function seeds() {
  const SIZES = { f64: 8, f32: 4, f16: 2, bf16: 2, i64: 8, i32: 4, i16: 2, i8: 1, u64: 8, u32: 4, u16: 2, u8: 1, bool: 1, f8e4m3: 1, f8e5m2: 1 };
  const src = (name, type, shape, k) => {
    const n = shape.reduce((a, b) => a * b, 1) * SIZES[type];
    return { name, type, shape, byteLength: n, data: bytesOf(type, n, k) };
  };
  const st = Object.keys(SIZES).map((t, k) => src(`t.${t}`, t, [k % 3 + 1, 5], k));
  const npyTypes = ['bool', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f16', 'f32', 'f64'];
  const np = npyTypes.map((t, k) => src(`m${k}`, t, [3, k + 1], k));
  const files = [];
  const add = async (name, format, write) => {
    const p = path.join(dir, name);
    await write(p);
    files.push({ format, bytes: fs.readFileSync(p) });
  };
  await add('a.safetensors', 'safetensors', (p) => io.writeSafetensors(p, st, { metadata: { a: 'b', format: 'pt' } }));
  await add('b.safetensors', 'safetensors', (p) => io.writeSafetensors(p, st.slice(0, 2)));
  await add('c.npy', 'npy', (p) => io.writeNpy(p, np[6]));
  await add('d.npy', 'npy', (p) => io.writeNpy(p, src('x', 'f16', [2, 3, 4], 3)));
  files.push({ format: 'npy', bytes: npyHand("{'descr': '>f4', 'fortran_order': True, 'shape': (3, 4, 5), }", bytesOf('f32', 240, 1)) });
  files.push({ format: 'npy', bytes: npyHand("{'descr': '<i2', 'fortran_order': True, 'shape': (6, 7), }", bytesOf('i16', 84, 2)) });
  await add('e.npz', 'npz', (p) => io.writeNpz(p, np.slice(0, 5)));
  await add('f.npz', 'npz', (p) => io.writeNpz(p, np.slice(3, 9), { compress: true }));
  await add('g.npz', 'npz', (p) => io.writeNpz(p, [src('big', 'f32', [64, 64], 5)], { compress: true }));
  return files;
}

const OPEN = { safetensors: io.openSafetensors, npy: io.openNpy, npz: io.openNpz };

/** A mutation of `bytes`: the arbitrary picks positions and values as fractions of the length. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate'), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip'), edits: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }) }),
  // Edits in the first 200 bytes: header lengths, magic, versions, JSON / Python literal text.
  fc.record({ kind: fc.constant('header'), edits: fc.array(fc.tuple(fc.integer({ min: 0, max: 199 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('digits'), at: fc.integer({ min: 0, max: 400 }), text: fc.constantFrom('9', '99999999999', '-1', '1e300', '0', ',', ']', '"', "'", '(', ')', 'True', '{', '}', '\\u0000') }),
  fc.record({ kind: fc.constant('length'), value: fc.constantFrom(0, 1, 7, 8, 9, 0xff, 0xffff, 0x10000, 2 ** 31, 2 ** 32 - 1, 99999999, 100000001) }),
  fc.record({ kind: fc.constant('append'), n: fc.integer({ min: 1, max: 100 }) }),
);

function mutate(bytes, format, m) {
  const b = Buffer.from(bytes);
  switch (m.kind) {
    case 'truncate':
      return b.subarray(0, Math.floor(m.at * b.length));
    case 'flip':
      for (const [at, x] of m.edits) b[Math.min(b.length - 1, Math.floor(at * b.length))] ^= x;
      return b;
    case 'header':
      for (const [at, v] of m.edits) if (at < b.length) b[at] = v;
      return b;
    case 'digits': {
      const at = Math.min(m.at, b.length);
      return Buffer.concat([b.subarray(0, at), Buffer.from(m.text, 'latin1'), b.subarray(at)]);
    }
    case 'length':
      if (format === 'safetensors') b.writeBigUInt64LE(BigInt(m.value), 0);
      else if (format === 'npy') b.writeUInt16LE(m.value & 0xffff, 8);
      else {
        // npz: a central directory entry's uncompressed size.
        const cd = b.indexOf('PK\x01\x02');
        if (cd >= 0) b.writeUInt32LE(m.value >>> 0, cd + 24);
      }
      return b;
    case 'append':
      return Buffer.concat([b, Buffer.alloc(m.n, 0x41)]);
    default:
      throw new Error(m.kind);
  }
}

/** Opens and reads everything; returns the thrown error, if any. */
async function exercise(file, format) {
  let f;
  try {
    f = await OPEN[format](file);
    for (const t of f.tensors) {
      await f.readBytes(t.name);
      await f.readFloat32(t.name);
      if (t.elements > 2) {
        await f.readFloat32(t.name, 1, t.elements - 2);
        await f.readBytes(t.name, 1, t.byteLength - 2);
      }
    }
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await f?.close().catch(() => undefined);
  }
}

let n = 0;
const tally = {};
async function main() {
  const files = await seeds();
  const file = path.join(dir, 'case');
  const prop = fc.asyncProperty(fc.integer({ min: 0, max: files.length - 1 }), mutation, async (which, m) => {
    const { format, bytes } = files[which];
    fs.writeFileSync(file, mutate(bytes, format, m));
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CASE_TIMEOUT_MS);
    });
    const e = await Promise.race([exercise(file, format), timeout]);
    clearTimeout(timer);
    n++;
    if (e === 'timeout') throw new Error(`${format} ${JSON.stringify(m)}: no answer within ${CASE_TIMEOUT_MS} ms`);
    if (stray) throw new Error(`${format} ${JSON.stringify(m)}: an uncaught exception or unhandled rejection escaped: ${stray.stack ?? stray}`);
    const rss = process.memoryUsage().rss;
    if (rss > RSS_BOUND) throw new Error(`${format} ${JSON.stringify(m)}: the process grew to ${rss} bytes`);
    const key = e === undefined ? `${format}: read fine` : `${format}: ${e.constructor.name}`;
    tally[key] = (tally[key] ?? 0) + 1;
    if (e === undefined) return;
    if (e.constructor !== Error && e.constructor !== RangeError) throw new Error(`${format} ${JSON.stringify(m)}: undocumented error class ${e.constructor.name}: ${e.stack}`);
    if (!e.message.includes(file)) throw new Error(`${format} ${JSON.stringify(m)}: the error does not name the file: ${e.message}`);
  });
  const started = Date.now();
  await fc.assert(prop, { seed, numRuns: 1e9, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false });
  console.log(`fuzz-io: ${n} cases in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed}), only documented errors`);
  for (const [k, v] of Object.entries(tally).sort()) console.log(`  ${k.padEnd(28)} ${v}`);
}

main().catch((e) => {
  console.error(`fuzz-io: FAILED (seed ${seed})\n${e.message ?? e}`);
  process.exit(1);
});
