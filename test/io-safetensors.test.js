'use strict';
// quantkit/io safetensors: writer output byte for byte against the reference implementation's
// own test vectors, round trips of every dtype, ranged reads, metadata, every header validation
// of the reference (huggingface/safetensors, safetensors/src/tensor.rs) with its exact error,
// and all-or-nothing writes. The Python `safetensors` module is not installed with
// /usr/bin/python3, so the format is restated here by building headers by hand.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const io = require('../dist/io');
const { scratch, safetensorsBytes, rejectsWith, randomBytesFor, chunked, listDir, referenceDecode, sameFloats } = require('./support/io');

const DTYPES = {
  F64: ['f64', 8], F32: ['f32', 4], F16: ['f16', 2], BF16: ['bf16', 2],
  I64: ['i64', 8], I32: ['i32', 4], I16: ['i16', 2], I8: ['i8', 1],
  U64: ['u64', 8], U32: ['u32', 4], U16: ['u16', 2], U8: ['u8', 1],
  BOOL: ['bool', 1], F8_E4M3: ['f8e4m3', 1], F8_E5M2: ['f8e5m2', 1],
};

const f32bytes = (values) => new Uint8Array(new Float32Array(values).buffer);

describe('io: safetensors', function () {
  let tmp;
  beforeEach(() => {
    tmp = scratch('st');
  });
  afterEach(() => tmp.cleanup());

  const write = (name, bytes) => {
    const p = tmp.file(name);
    fs.writeFileSync(p, bytes);
    return p;
  };

  describe('writer layout matches the reference implementation', function () {
    // Expected bytes copied from the reference's unit tests (tensor.rs test_serialization,
    // test_serialization_forced_alignement, test_empty).
    it('one F32 tensor whose header needs no padding', async function () {
      const out = tmp.file('a.safetensors');
      await io.writeSafetensors(out, [{ name: 'attn.0', type: 'f32', shape: [1, 2, 3], byteLength: 24, data: f32bytes([0, 1, 2, 3, 4, 5]) }]);
      const expected = [
        64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
        116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
        58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
        101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
        0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
      ];
      assert.deepEqual([...fs.readFileSync(out)], expected);
    });

    it('pads the header with spaces to a multiple of 8', async function () {
      const out = tmp.file('a.safetensors');
      await io.writeSafetensors(out, [{ name: 'attn0', type: 'f32', shape: [1, 1, 2, 3], byteLength: 24, data: f32bytes([0, 1, 2, 3, 4, 5]) }]);
      const expected = [
        72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
        121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
        91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
        115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
        32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
        160, 64,
      ];
      assert.deepEqual([...fs.readFileSync(out)], expected);
    });

    it('no tensors, with and without __metadata__', async function () {
      const a = tmp.file('a.safetensors');
      await io.writeSafetensors(a, []);
      assert.deepEqual([...fs.readFileSync(a)], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
      const b = tmp.file('b.safetensors');
      await io.writeSafetensors(b, [], { metadata: { framework: 'pt' } });
      assert.deepEqual([...fs.readFileSync(b)], [
        40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
        95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
        116, 34, 125, 125, 32, 32, 32, 32, 32,
      ]);
      const f = await io.openSafetensors(b);
      assert.deepEqual(f.metadata, { framework: 'pt' });
      assert.equal(f.tensors.length, 0);
      await f.close();
    });

    it('keeps the given order for data offsets, integer-like names included', async function () {
      const out = tmp.file('a.safetensors');
      const t = (name) => ({ name, type: 'u8', shape: [2], byteLength: 2, data: new Uint8Array([name.length, 7]) });
      await io.writeSafetensors(out, [t('z'), t('10'), t('a.b')]);
      const bytes = fs.readFileSync(out);
      const n = Number(bytes.readBigUInt64LE(0));
      assert.equal(n % 8, 0);
      assert.equal(bytes.subarray(8, 8 + n).toString().trimEnd(),
        '{"z":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"10":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"a.b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}');
      const f = await io.openSafetensors(out);
      assert.deepEqual(f.tensors.map((x) => x.name), ['z', '10', 'a.b']);
      await f.close();
    });
  });

  describe('round trips', function () {
    for (const [dtype, [type, size]] of Object.entries(DTYPES)) {
      it(`${dtype}: bytes identical, float32 decoding exact`, async function () {
        const shapes = [[3, 5], [], [0, 4], [2, 1, 3]];
        const sources = shapes.map((shape, i) => {
          const elements = shape.reduce((a, b) => a * b, 1);
          return { name: `t${i}`, type, shape, byteLength: elements * size, data: randomBytesFor(type, elements * size, 11 + i) };
        });
        const out = tmp.file(`${dtype}.safetensors`);
        await io.writeSafetensors(out, sources, { metadata: { dtype, 'ünï': 'cödé ✓' } });
        assert.equal(await io.detectFormat(out), 'safetensors');
        const f = await io.openSafetensors(out);
        try {
          assert.equal(f.format, 'safetensors');
          assert.deepEqual(f.metadata, { dtype, 'ünï': 'cödé ✓' });
          assert.deepEqual(f.tensors.map((t) => [t.name, t.type, t.storedType, [...t.shape], t.elements, t.byteLength]),
            sources.map((s) => [s.name, type, dtype, s.shape, s.byteLength / size, s.byteLength]));
          for (const s of sources) {
            assert.deepEqual(await f.readBytes(s.name), s.data);
            sameFloats(await f.readFloat32(s.name), referenceDecode(s.data, type), `${dtype} ${s.name}`);
          }
          // Ranged reads.
          const s = sources[0];
          assert.deepEqual(await f.readBytes('t0', 5, 7), s.data.subarray(5, 12));
          assert.deepEqual(await f.readBytes('t0', s.byteLength), new Uint8Array(0));
          sameFloats(await f.readFloat32('t0', 4, 6), referenceDecode(s.data.subarray(4 * size, 10 * size), type));
          sameFloats(await f.readFloat32('t0', 14), referenceDecode(s.data.subarray(14 * size), type));
        } finally {
          await f.close();
        }
      });
    }

    it('streams chunked sources and reports progress', async function () {
      const a = randomBytesFor('u8', 40, 3);
      const b = randomBytesFor('u8', 24, 4);
      const progress = [];
      const out = tmp.file('c.safetensors');
      await io.writeSafetensors(out, [
        { name: 'a', type: 'f32', shape: [10], byteLength: 40, chunks: chunked(a, [5, 1, 13]) },
        { name: 'b', type: 'i16', shape: [3, 4], byteLength: 24, chunks: chunked(b, [24]) },
      ], { onProgress: (done, total, name) => progress.push([done, total, name]) });
      assert.deepEqual(progress.at(-1), [64, 64, 'b']);
      assert.ok(progress.every(([d], i) => i === 0 || d > progress[i - 1][0]));
      assert.ok(progress.some(([, , n]) => n === 'a'));
      const f = await io.openSafetensors(out);
      assert.deepEqual(await f.readBytes('a'), a);
      assert.deepEqual(await f.readBytes('b'), b);
      await f.close();
    });

    it('reads a hand-built file: header order unlike data order, whitespace, unknown fields, empty tensors', async function () {
      const header = ' \n'; // JSON whitespace after the object is allowed (the reference pads with spaces)
      const json = '{ "b" : {"dtype":"I8","shape":[2],"data_offsets":[4,6], "extra": 1},\n' +
        '"e": {"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},' +
        '"a": {"dtype":"F16","shape":[2],"data_offsets":[0,4]}, "__metadata__": {"k": "v"}}' + header;
      const p = write('h.safetensors', safetensorsBytes(json, new Uint8Array([0, 0x3c, 0, 0xc0, 0xff, 5])));
      const f = await io.openSafetensors(p);
      assert.deepEqual(f.tensors.map((t) => t.name), ['a', 'e', 'b']);
      assert.deepEqual(f.metadata, { k: 'v' });
      sameFloats(await f.readFloat32('a'), new Float32Array([1, -2]));
      sameFloats(await f.readFloat32('b'), new Float32Array([-1, 5]));
      sameFloats(await f.readFloat32('e'), new Float32Array(0));
      await f.close();
    });
  });

  describe('reader errors', function () {
    let p;
    const good = () => ({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    const open = (bytes) => io.openSafetensors((p = write('x.safetensors', bytes)));

    it('tensor(), ranges and reads after close()', async function () {
      await io.writeSafetensors(tmp.file('a.safetensors'), [{ name: 'w', type: 'f32', shape: [2], byteLength: 8, data: f32bytes([1, 2]) }]);
      p = tmp.file('a.safetensors');
      const f = await io.openSafetensors(p);
      assert.throws(() => f.tensor('nope'), { name: 'Error', message: `${p}: no tensor named 'nope' (it has 1 tensors: 'w')` });
      await rejectsWith(f.readBytes('w', 3, 6), 'RangeError', `${p}: tensor 'w': bytes [3, 9) lie outside the tensor's 8 bytes`);
      await rejectsWith(f.readBytes('w', 9), 'RangeError', `${p}: tensor 'w': expected a start byte index in [0, 8] but received 9`);
      await rejectsWith(f.readFloat32('w', 1, 2), 'RangeError', `${p}: tensor 'w': elements [1, 3) lie outside the tensor's 2 elements`);
      await rejectsWith(f.readFloat32('w', 0.5), 'RangeError', `${p}: tensor 'w': expected a start element index in [0, 2] but received 0.5`);
      await f.close();
      await rejectsWith(f.readBytes('w'), 'Error', `${p}: read after close()`);
    });

    it('fewer than 8 bytes', async function () {
      await rejectsWith(open(Buffer.from([1, 2, 3])), 'RangeError', `${p}: not a safetensors file: 3 bytes, fewer than the 8-byte header length`);
    });

    it('a header length of gigabytes or 2^64 − 1 (nothing allocated)', async function () {
      await rejectsWith(open(safetensorsBytes(good(), new Uint8Array(8), { length: 5e9 })), 'RangeError',
        `${p}: safetensors header length 5000000000 bytes exceeds the 100000000-byte limit of the format's reference implementation`);
      const b = safetensorsBytes('{}');
      b.writeBigUInt64LE(0xffffffffffffffffn);
      await rejectsWith(open(b), 'RangeError', `${p}: safetensors header length 18446744073709551615 bytes exceeds the 100000000-byte limit of the format's reference implementation`);
    });

    it('a truncated header', async function () {
      await rejectsWith(open(safetensorsBytes('{"w":{}}', new Uint8Array(0), { length: 1000 })), 'RangeError', `${p}: safetensors header of 1000 bytes is truncated: the file has only 16 bytes`);
    });

    it('a header that is not UTF-8, not starting with {, not JSON, or not an object', async function () {
      const bad = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xc3, 0x7d])]);
      await rejectsWith(open(bad), 'Error', `${p}: safetensors header is not valid UTF-8`);
      await rejectsWith(open(safetensorsBytes(' {}')), 'Error', `${p}: safetensors header does not start with '{'`);
      await rejectsWith(open(safetensorsBytes('[1]')), 'Error', `${p}: safetensors header does not start with '{'`);
      await rejectsWith(open(safetensorsBytes('{"w":')), 'Error', /^.*x\.safetensors: safetensors header is not valid JSON: /);
      await rejectsWith(open(safetensorsBytes('{} {}')), 'Error', /: safetensors header is not valid JSON: /);
      await rejectsWith(open(safetensorsBytes('{"w": 3}')), 'Error', `${p}: tensor 'w' is a number (3), not an object with dtype, shape and data_offsets`);
    });

    it('duplicate names', async function () {
      const json = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}';
      await rejectsWith(open(safetensorsBytes(json, new Uint8Array(2))), 'Error', `${p}: safetensors header names 'w' twice`);
      const meta = '{"__metadata__":{},"__metadata__":{"a":"b"}}';
      await rejectsWith(open(safetensorsBytes(meta)), 'Error', `${p}: safetensors header names '__metadata__' twice`);
      // An escaped spelling of the same name is the same name.
      const esc = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"\\u0077":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}';
      await rejectsWith(open(safetensorsBytes(esc, new Uint8Array(2))), 'Error', `${p}: safetensors header names 'w' twice`);
    });

    it('__metadata__ not string → string', async function () {
      await rejectsWith(open(safetensorsBytes({ __metadata__: { a: 1 } })), 'Error', `${p}: __metadata__ 'a' is a number (1), not a string`);
      await rejectsWith(open(safetensorsBytes({ __metadata__: ['a'] })), 'Error', `${p}: __metadata__ is an array, not an object of strings`);
      await rejectsWith(open(safetensorsBytes({ __metadata__: null })), 'Error', `${p}: __metadata__ is null, not an object of strings`);
    });

    it('unknown or unsupported dtype', async function () {
      const all = 'F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E4M3, F8_E5M2';
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16))), 'Error',
        `${p}: tensor 'w': dtype 'F128' is an unknown dtype (quantkit reads ${all})`);
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'F4', shape: [2], data_offsets: [0, 1] } }, new Uint8Array(1))), 'Error',
        `${p}: tensor 'w': dtype 'F4' is a safetensors dtype quantkit does not read (quantkit reads ${all})`);
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'toString', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))), 'Error',
        `${p}: tensor 'w': dtype 'toString' is an unknown dtype (quantkit reads ${all})`);
      await rejectsWith(open(safetensorsBytes({ w: { shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))), 'Error', `${p}: tensor 'w': dtype is missing, not a string`);
    });

    it('malformed shape or data_offsets', async function () {
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'U8', shape: 3, data_offsets: [0, 3] } }, new Uint8Array(3))), 'Error', `${p}: tensor 'w': shape is a number (3), not an array of dimensions`);
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'U8', shape: [-1], data_offsets: [0, 3] } }, new Uint8Array(3))), 'RangeError', `${p}: tensor 'w': shape [-1] has a dimension that is not a non-negative integer: -1`);
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'U8', shape: ['3'], data_offsets: [0, 3] } }, new Uint8Array(3))), 'RangeError', `${p}: tensor 'w': shape [3] has a dimension that is not a non-negative integer: 3`);
      for (const offsets of [[0], [0, 3, 4], ['0', 3], [0, 1.5], [-1, 3], [0, 2 ** 60], null]) {
        await rejectsWith(open(safetensorsBytes({ w: { dtype: 'U8', shape: [3], data_offsets: offsets } }, new Uint8Array(3))), 'Error',
          `${p}: tensor 'w': data_offsets is ${Array.isArray(offsets) ? JSON.stringify(offsets) : 'null'}, not [begin, end] with non-negative integers`);
      }
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'U8', shape: [0], data_offsets: [3, 0] } }, new Uint8Array(3))), 'RangeError', `${p}: tensor 'w': data_offsets [3, 0] ends before it begins`);
    });

    it('offsets past the end of the file', async function () {
      const header = JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } });
      await rejectsWith(open(safetensorsBytes(header, new Uint8Array(8))), 'RangeError', `${p}: tensor 'w': data_offsets [0, 16] lies past the end of the file (its data area has 8 bytes)`);
    });

    it('byte size not matching shape × dtype', async function () {
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8))), 'RangeError',
        `${p}: tensor 'w': data_offsets [0, 8] span 8 bytes but shape [3] of F32 needs 12`);
    });

    it('shapes whose product overflows', async function () {
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'U8', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 8] } }, new Uint8Array(8))), 'RangeError',
        `${p}: tensor 'w': shape [1073741824, 1073741824, 1073741824] has more than 2^53 elements`);
      await rejectsWith(open(safetensorsBytes({ w: { dtype: 'F64', shape: [2 ** 26, 2 ** 26], data_offsets: [0, 8] } }, new Uint8Array(8))), 'RangeError',
        `${p}: tensor 'w': shape [67108864, 67108864] of F64 has more than 2^53 bytes`);
    });

    it('overlaps, holes and trailing bytes (the data area must be tiled exactly)', async function () {
      const t = (b, e) => ({ dtype: 'U8', shape: [e - b], data_offsets: [b, e] });
      await rejectsWith(open(safetensorsBytes({ a: t(0, 4), b: t(2, 6) }, new Uint8Array(6))), 'RangeError',
        `${p}: tensor 'b': data_offsets [2, 6] overlaps the bytes before the end of tensor 'a'; safetensors requires tensors to cover the data area contiguously (this one must begin at 4)`);
      await rejectsWith(open(safetensorsBytes({ a: t(0, 4), b: t(0, 4) }, new Uint8Array(4))), 'RangeError',
        `${p}: tensor 'b': data_offsets [0, 4] overlaps the bytes before the end of tensor 'a'; safetensors requires tensors to cover the data area contiguously (this one must begin at 4)`);
      await rejectsWith(open(safetensorsBytes({ a: t(0, 2), b: t(4, 6) }, new Uint8Array(6))), 'RangeError',
        `${p}: tensor 'b': data_offsets [4, 6] leaves a hole of 2 bytes after the end of tensor 'a'; safetensors requires tensors to cover the data area contiguously (this one must begin at 2)`);
      await rejectsWith(open(safetensorsBytes({ a: t(2, 6) }, new Uint8Array(6))), 'RangeError',
        `${p}: tensor 'a': data_offsets [2, 6] leaves a hole of 2 bytes after the start of the data area; safetensors requires tensors to cover the data area contiguously (this one must begin at 0)`);
      await rejectsWith(open(safetensorsBytes({ a: t(0, 4) }, new Uint8Array(7))), 'RangeError',
        `${p}: the tensors end at byte 4 of the data area but it has 7 bytes (3 trailing bytes no tensor covers)`);
      await rejectsWith(open(safetensorsBytes({}, new Uint8Array(1))), 'RangeError',
        `${p}: the tensors end at byte 0 of the data area but it has 1 bytes (1 trailing bytes no tensor covers)`);
    });

    it('a missing file or a folder', async function () {
      await rejectsWith(io.openSafetensors(tmp.file('none')), 'Error', new RegExp(`^Cannot open ${tmp.file('none').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}: ENOENT`));
      await rejectsWith(io.openSafetensors(tmp.dir), 'Error', `Cannot read ${tmp.dir}: not a regular file`);
    });
  });

  describe('writer errors and atomicity', function () {
    const src = (over = {}) => ({ name: 'w', type: 'f32', shape: [2], byteLength: 8, data: f32bytes([1, 2]), ...over });
    let out;
    beforeEach(() => {
      out = tmp.file('out.safetensors');
    });
    const w = (tensors, opts) => io.writeSafetensors(out, tensors, opts);

    it('overwriting keeps OUT\'s permission bits (a 0600 file stays 0600); a new OUT gets the umask default', async function () {
      if (process.platform === 'win32') this.skip(); // Windows files have no owner/group/other bits (chmod sets read-only only)
      fs.writeFileSync(out, 'previous');
      fs.chmodSync(out, 0o600);
      await w([src()]);
      assert.equal(fs.statSync(out).mode & 0o777, 0o600);
      fs.chmodSync(out, 0o640);
      await w([src()]);
      assert.equal(fs.statSync(out).mode & 0o777, 0o640);
      const fresh = tmp.file('fresh.safetensors');
      await io.writeSafetensors(fresh, [src()]);
      const umask = process.umask();
      assert.equal(fs.statSync(fresh).mode & 0o777, 0o666 & ~umask);
    });

    it('rejects malformed sources before creating anything', async function () {
      const what = `writeSafetensors(${out})`;
      await rejectsWith(w('x'), 'TypeError', `${what}: expected an array of tensor sources but received 'x'`);
      await rejectsWith(w([src(), src()]), 'Error', `${what}: two tensors are named 'w'`);
      await rejectsWith(w([src({ name: '__metadata__' })]), 'Error', `${what}: '__metadata__' is reserved and cannot name a tensor`);
      await rejectsWith(w([src({ name: '' })]), 'TypeError', `${what}: expected a non-empty string for tensors[0].name but received ''`);
      await rejectsWith(w([src({ name: 'a\uD800' })]), 'TypeError', `${what}: tensor name at index 0 contains a lone UTF-16 surrogate and cannot be stored as UTF-8`);
      await rejectsWith(w([src({ type: 'q4_0', shape: [32], byteLength: 18, data: new Uint8Array(18) })]), 'TypeError',
        `${what}: tensor 'w': type 'q4_0' cannot be stored in this format (it stores f64, f32, f16, bf16, i64, i32, i16, i8, u64, u32, u16, u8, bool, f8e4m3, f8e5m2)`);
      await rejectsWith(w([src({ type: 'float32' })]), 'TypeError', `${what}: tensor 'w': expected an element type for type but received 'float32'`);
      await rejectsWith(w([src({ byteLength: 4 })]), 'RangeError', `${what}: tensor 'w': expected byteLength 8 (shape [2] of f32) but received 4`);
      await rejectsWith(w([src({ data: new Uint8Array(4) })]), 'RangeError', `${what}: tensor 'w': data has 4 bytes but byteLength is 8`);
      await rejectsWith(w([src({ data: new Float32Array(2) })]), 'TypeError', `${what}: tensor 'w': expected a Uint8Array for data but received a Float32Array`);
      await rejectsWith(w([src({ data: undefined })]), 'TypeError', `${what}: tensor 'w': expected data (a Uint8Array) or a chunks() function`);
      await rejectsWith(w([src({ shape: [2.5] })]), 'RangeError', `${what}: tensor 'w': shape [2.5] has a dimension that is not a non-negative integer: 2.5`);
      await rejectsWith(w([src()], { metadata: { a: 1 } }), 'TypeError', `${what}: expected a string for metadata['a'] but received number`);
      await rejectsWith(w([src()], { metadata: 'a' }), 'TypeError', `${what}: expected an object of strings for metadata but received string`);
      assert.deepEqual(listDir(tmp.dir), []);
    });

    it('checks its options: a misspelt key names the nearest valid one, each value its type; nothing is created', async function () {
      const what = `writeSafetensors(${out})`;
      const keys = "the valid keys are 'metadata', 'inputs', 'onProgress'";
      await rejectsWith(w([src()], { metdata: { a: 'b' } }), 'TypeError', `${what}: Unknown key 'metdata' in options (did you mean 'metadata'?); ${keys}`);
      await rejectsWith(w([src()], { bogus: 1 }), 'TypeError', `${what}: Unknown key 'bogus' in options; ${keys}`);
      await rejectsWith(w([src()], 'metadata'), 'TypeError', `${what}: Expected an options object for options but received 'metadata'`);
      await rejectsWith(w([src()], { inputs: 'in.safetensors' }), 'TypeError', `${what}: expected an array of file paths for inputs but received 'in.safetensors'`);
      await rejectsWith(w([src()], { onProgress: true }), 'TypeError', `${what}: expected a function for onProgress but received true`);
      assert.deepEqual(listDir(tmp.dir), []);
    });

    it('openSafetensors and openTensorFile take no options: a key is an error, {} is fine', async function () {
      await w([src()]);
      await rejectsWith(io.openSafetensors(out, { bogus: 1 }), 'TypeError', `openSafetensors(${out}): Unknown key 'bogus' in options; it takes no options`);
      await rejectsWith(io.openTensorFile(out, { bogus: 1 }), 'TypeError', `openTensorFile(${out}): Unknown key 'bogus' in options; it takes no options`);
      await rejectsWith(io.openTensorFile(out, 0), 'TypeError', `openTensorFile(${out}): expected no options (it takes none) but received 0 (an index passed by Array.prototype.map? call it as paths.map((p) => open(p)))`);
      for (const f of [await io.openSafetensors(out, {}), await io.openTensorFile(out, {}), await io.openTensorFile(out, undefined)]) await f.close();
    });

    it('chunks() yielding too many, too few or non-bytes: no OUT and no temporary file', async function () {
      const what = `writeSafetensors(${out})`;
      await rejectsWith(w([src({ data: undefined, chunks: chunked(new Uint8Array(12)) })]), 'RangeError', `${what}: tensor 'w': chunks() yielded more than its byteLength of 8 bytes`);
      await rejectsWith(w([src({ data: undefined, chunks: chunked(new Uint8Array(5)) })]), 'RangeError', `${what}: tensor 'w': chunks() yielded 5 bytes but byteLength is 8`);
      await rejectsWith(w([src({ data: undefined, chunks: async function* () { yield [1, 2]; } })]), 'TypeError', `${what}: tensor 'w': chunks() yielded an Array of length 2 instead of a Uint8Array`);
      assert.deepEqual(listDir(tmp.dir), []);
    });

    it('a source that throws midway leaves no OUT and no temporary file; a pre-existing OUT is untouched', async function () {
      const boom = {
        name: 'b', type: 'u8', shape: [100], byteLength: 100,
        async *chunks() {
          yield new Uint8Array(50);
          throw new Error('disk of the source failed');
        },
      };
      await rejectsWith(w([src(), boom]), 'Error', 'disk of the source failed');
      assert.deepEqual(listDir(tmp.dir), []);
      fs.writeFileSync(out, 'previous contents');
      await rejectsWith(w([src(), boom]), 'Error', 'disk of the source failed');
      assert.deepEqual(listDir(tmp.dir), ['out.safetensors']);
      assert.equal(fs.readFileSync(out, 'utf8'), 'previous contents');
      // A successful write replaces it.
      await w([src()]);
      assert.equal((await io.openSafetensors(out).then(async (f) => { const n = f.tensors.length; await f.close(); return n; })), 1);
    });

    it('OUT equal to an input (same path, or a hard link) is refused before anything is written', async function () {
      await w([src()]);
      const before = fs.readFileSync(out);
      await rejectsWith(w([src()], { inputs: [out] }), 'Error', `Refusing to write ${out}: it is the input ${out} (write to another path, then rename)`);
      const link = tmp.file('link.safetensors');
      fs.linkSync(out, link);
      await rejectsWith(w([src()], { inputs: [link] }), 'Error', `Refusing to write ${out}: it is the input ${link} (write to another path, then rename)`);
      const rel = path.relative(process.cwd(), out);
      await rejectsWith(io.writeSafetensors(rel, [src()], { inputs: [out] }), 'Error', `Refusing to write ${rel}: it is the input ${out} (write to another path, then rename)`);
      assert.deepEqual(fs.readFileSync(out), before);
      assert.deepEqual(listDir(tmp.dir), ['link.safetensors', 'out.safetensors']);
    });

    it('OUT that exists and is not a regular file (device, folder, FIFO, socket) is refused and left as it is', async function () {
      if (process.platform === 'win32') {
        // No device nodes, FIFOs or Unix-domain sockets in a Windows folder: the folder cases only.
        await rejectsWith(io.writeSafetensors(tmp.dir, [src()]), 'Error', `Refusing to write ${tmp.dir}: it is a folder`);
        await rejectsWith(io.writeSafetensors('.', [src()]), 'Error', 'Refusing to write .: it is a folder');
        return;
      }
      // As root a rename over /dev/null would replace it: use a device node of our own then.
      let dev = '/dev/null';
      if (process.getuid?.() === 0 && require('node:child_process').spawnSync('mknod', ['-m', '666', tmp.file('null'), 'c', '1', '3']).status === 0) dev = tmp.file('null');
      await rejectsWith(io.writeSafetensors(dev, [src()]), 'Error', `Refusing to write ${dev}: it is a character device`);
      assert.ok(fs.statSync(dev).isCharacterDevice());
      await rejectsWith(io.writeSafetensors(tmp.dir, [src()]), 'Error', `Refusing to write ${tmp.dir}: it is a folder`);
      await rejectsWith(io.writeSafetensors('.', [src()]), 'Error', 'Refusing to write .: it is a folder');
      const fifo = tmp.file('fifo');
      if (require('node:child_process').spawnSync('mkfifo', [fifo]).status === 0) {
        await rejectsWith(io.writeSafetensors(fifo, [src()]), 'Error', `Refusing to write ${fifo}: it is a FIFO (named pipe)`);
        assert.ok(fs.statSync(fifo).isFIFO());
      }
      const sock = tmp.file('sock');
      const server = require('node:net').createServer();
      await new Promise((resolve) => server.listen(sock, resolve));
      try {
        await rejectsWith(io.writeSafetensors(sock, [src()]), 'Error', `Refusing to write ${sock}: it is a socket`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      const devLink = tmp.file('null-link');
      fs.symlinkSync('/dev/null', devLink);
      await rejectsWith(io.writeSafetensors(devLink, [src()]), 'Error', `Refusing to write ${devLink} (a link to /dev/null): it is a character device`);
      assert.ok(fs.lstatSync(devLink).isSymbolicLink());
      assert.ok(!listDir(tmp.dir).some((f) => f.endsWith('.tmp')));
    });

    it('OUT that is a symbolic link: its target is replaced and the link kept; a link to an input is refused', async function () {
      if (process.platform === 'win32') this.skip(); // symbolic links need a privilege on Windows (and Wine's are not POSIX links)
      const target = tmp.file('target.safetensors');
      fs.writeFileSync(target, 'old');
      const link = tmp.file('link.safetensors');
      fs.symlinkSync('target.safetensors', link);
      await io.writeSafetensors(link, [src()]);
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      const f = await io.openSafetensors(target);
      assert.deepEqual(f.tensors.map((t) => t.name), ['w']);
      await f.close();
      // A dangling link creates its target, as a shell's `>` does.
      const dangling = tmp.file('dangling.safetensors');
      fs.symlinkSync('made.safetensors', dangling);
      await io.writeSafetensors(dangling, [src()]);
      assert.ok(fs.lstatSync(dangling).isSymbolicLink() && fs.statSync(tmp.file('made.safetensors')).isFile());
      // The OUT == IN check is made on the resolved path too.
      const before = fs.readFileSync(target);
      await rejectsWith(io.writeSafetensors(link, [src()], { inputs: [target] }), 'Error', `Refusing to write ${link}: it is the input ${target} (write to another path, then rename)`);
      assert.deepEqual(fs.readFileSync(target), before);
      assert.deepEqual(listDir(tmp.dir), ['dangling.safetensors', 'link.safetensors', 'made.safetensors', 'target.safetensors']);
    });

    it('OS errors name OUT, not the temporary file, with the OS error as cause; a read-only OUT is refused', async function () {
      if (process.platform === 'linux') {
        const e = await rejectsWith(io.writeSafetensors('/proc/out.safetensors', [src()]), 'Error', 'Cannot write /proc/out.safetensors: ENOENT no such file or directory (while creating a temporary file in /proc)');
        assert.equal(e.cause.code, 'ENOENT');
      }
      // Permission checks: root passes them, so run as nobody when root.
      if (process.platform === 'win32') this.skip();
      const ro = tmp.file('ro');
      fs.mkdirSync(ro);
      fs.writeFileSync(tmp.file('readonly.safetensors'), 'keep');
      fs.chmodSync(tmp.file('readonly.safetensors'), 0o444);
      fs.chmodSync(ro, 0o555);
      fs.chmodSync(tmp.dir, 0o777);
      const code = `const io = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'io'))});
        const src = { name: 'w', type: 'f32', shape: [2], byteLength: 8, data: new Uint8Array(8) };
        (async () => {
          for (const out of process.argv.slice(1)) {
            try { await io.writeSafetensors(out, [src]); console.log('written'); }
            catch (e) { console.log(e.message + ' | cause ' + (e.cause && e.cause.code)); }
          }
        })();`;
      const asUser = process.getuid() === 0 ? { uid: 65534, gid: 65534 } : {};
      const r = require('node:child_process').spawnSync(process.execPath, ['-e', code, path.join(ro, 'out.safetensors'), tmp.file('readonly.safetensors')], { encoding: 'utf8', ...asUser });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [
        `Cannot write ${path.join(ro, 'out.safetensors')}: EACCES permission denied (while creating a temporary file in ${ro}) | cause EACCES`,
        `Refusing to write ${tmp.file('readonly.safetensors')}: it is not writable by this process (EACCES) | cause EACCES`,
      ]);
      assert.equal(fs.readFileSync(tmp.file('readonly.safetensors'), 'utf8'), 'keep');
      assert.deepEqual(listDir(ro), []);
    });
  });
});
