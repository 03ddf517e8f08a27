'use strict';
// quantkit/io GGUF: quantkit-written files parse in @huggingface/gguf with the same metadata
// and tensor infos; hand-built files (test/support/gguf-build.js, from the spec) read back as
// built; every hostile header field is refused with its error class and message; writes are
// all-or-nothing.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const qk = require('./support/quantkit');
const io = require('../dist/io');
const { Builder } = require('./support/gguf-build');
const { gguf } = require('@huggingface/gguf');

const f32bytes = (a) => new Uint8Array(Float32Array.from(a).buffer);
const bits = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function rejectsWith(promise, name, message) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.constructor.name, name, `error class for: ${e.message}`);
    if (message instanceof RegExp) assert.match(e.message, message);
    else assert.equal(e.message, message);
    return true;
  });
}

describe('io: GGUF', function () {
  this.timeout(20000);
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-gguf-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name) => path.join(dir, name);
  const put = (name, bytes) => {
    fs.writeFileSync(file(name), bytes);
    return file(name);
  };

  describe('writer, checked by @huggingface/gguf and by the reader', () => {
    const x = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) * 3);
    let out;
    let q8;
    before(async () => {
      q8 = qk.ggml.quantize(x, 'q8_0');
      out = file('w.gguf');
      await io.writeGguf(out, {
        metadata: [
          { key: 'general.architecture', value: 'llama' },
          { key: 'k.u8', type: 'u8', value: 255 },
          { key: 'k.i8', type: 'i8', value: -128 },
          { key: 'k.u16', type: 'u16', value: 65535 },
          { key: 'k.i16', type: 'i16', value: -32768 },
          { key: 'k.u32', value: 4294967295 },
          { key: 'k.i32', value: -5 },
          { key: 'k.f32', value: 0.25 },
          { key: 'k.bool', value: false },
          { key: 'k.u64', value: 2 ** 40 },
          { key: 'k.i64', value: -(2n ** 63n) },
          { key: 'k.f64', type: 'f64', value: Math.PI },
          { key: 'k.strs', value: ['a', 'ü', ''] },
          { key: 'k.ints', value: [1, -2, 3] },
          { key: 'k.floats', value: [1, 0.5] },
          { key: 'k.nested', value: [[1, 2], [3]] },
          { key: 'k.empty', type: 'array<string>', value: [] },
        ],
        tensors: [
          { name: 'a', type: 'f32', shape: [2, 3], byteLength: 24, data: f32bytes([1, 2, 3, 4, 5, 6]) },
          { name: 'b', type: 'q8_0', shape: [4, 32], byteLength: q8.length, data: q8 },
          { name: 'c', type: 'f16', shape: [3], byteLength: 6, data: new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7c00]).buffer) },
          { name: 'd', type: 'i32', shape: [], byteLength: 4, data: new Uint8Array(new Int32Array([-7]).buffer) },
        ],
      });
    });

    it('@huggingface/gguf reads the same metadata with the same types', async () => {
      const h = await gguf(out, { allowLocalFile: true, typedMetadata: true });
      const m = h.typedMetadata;
      assert.equal(m.version.value, 3);
      const expect = {
        'general.architecture': ['llama', 8], 'k.u8': [255, 0], 'k.i8': [-128, 1], 'k.u16': [65535, 2], 'k.i16': [-32768, 3],
        'k.u32': [4294967295, 4], 'k.i32': [-5, 5], 'k.f32': [0.25, 6], 'k.bool': [false, 7], 'k.u64': [2n ** 40n, 10],
        'k.i64': [-(2n ** 63n), 11], 'k.f64': [Math.PI, 12], 'general.quantization_version': [2, 4],
      };
      for (const [k, [v, t]] of Object.entries(expect)) {
        assert.equal(m[k].type, t, k);
        assert.deepEqual(m[k].value, v, k);
      }
      assert.deepEqual([m['k.strs'].type, m['k.strs'].subType, m['k.strs'].value], [9, 8, ['a', 'ü', '']]);
      assert.deepEqual([m['k.ints'].subType, m['k.ints'].value], [5, [1, -2, 3]]);
      assert.deepEqual([m['k.floats'].subType, m['k.floats'].value], [6, [1, 0.5]]);
      assert.deepEqual([m['k.nested'].subType, m['k.nested'].value], [9, [[1, 2], [3]]]);
      assert.deepEqual([m['k.empty'].subType, m['k.empty'].value], [8, []]);
    });

    it('@huggingface/gguf reads the same tensor infos (ggml order dims, aligned offsets)', async () => {
      const h = await gguf(out, { allowLocalFile: true });
      const f = await io.openGguf(out);
      try {
        assert.equal(h.tensorDataOffset, BigInt(f.gguf.dataOffset));
        assert.equal(f.gguf.dataOffset % 32, 0);
        assert.deepEqual(
          h.tensorInfos.map((t) => [t.name, t.n_dims, t.shape.map(Number), t.dtype, Number(t.offset)]),
          [['a', 2, [3, 2], 0, 0], ['b', 2, [32, 4], 8, 32], ['c', 1, [3], 1, 32 + 160], ['d', 0, [], 26, 32 + 160 + 32]],
        );
        assert.deepEqual(f.tensors.map((t) => [t.name, t.type, t.storedType, t.shape, t.elements, t.byteLength]), [
          ['a', 'f32', 'F32', [2, 3], 6, 24],
          ['b', 'q8_0', 'Q8_0', [4, 32], 128, 136],
          ['c', 'f16', 'F16', [3], 3, 6],
          ['d', 'i32', 'I32', [], 1, 4],
        ]);
      } finally {
        await f.close();
      }
    });

    it('the reader gives back the metadata, types and data', async () => {
      const f = await io.openGguf(out);
      try {
        assert.equal(f.format, 'gguf');
        assert.equal(f.metadata['k.u64'], 2n ** 40n);
        assert.deepEqual(f.gguf.kv.get('k.nested'), { type: 'array<array<u32>>', value: [[1, 2], [3]] });
        assert.deepEqual(f.gguf.kv.get('k.ints'), { type: 'array<i32>', value: [1, -2, 3] });
        assert.deepEqual(Array.from(await f.readFloat32('a')), [1, 2, 3, 4, 5, 6]);
        assert.deepEqual(Array.from(await f.readFloat32('a', 2, 3)), [3, 4, 5]);
        assert.deepEqual(bits(await f.readFloat32('b')), bits(qk.ggml.dequantize(q8, 'q8_0', 128)));
        assert.deepEqual(bits(await f.readFloat32('b', 64, 32)), bits(qk.ggml.dequantize(q8.subarray(68, 102), 'q8_0', 32)));
        assert.deepEqual(Array.from(await f.readFloat32('c')), [1, -2, Infinity]);
        assert.deepEqual(Array.from(await f.readFloat32('d')), [-7]);
        assert.deepEqual(Buffer.from(await f.readBytes('b', 34, 34)), Buffer.from(q8.subarray(34, 68)));
        await rejectsWith(f.readFloat32('b', 16, 32), 'RangeError', `${out}: tensor 'b' is Q8_0: start 16 and count 32 must be multiples of its block size 32`);
        await rejectsWith(f.readBytes('a', 20, 8), 'RangeError', `${out}: bytes [20, 28) are outside tensor 'a' (24 bytes)`);
        assert.throws(() => f.tensor('zz'), { name: 'Error', message: `${out}: no tensor named 'zz'` });
      } finally {
        await f.close();
      }
    });

    it('round trip: a file copied through reader and writer is byte-identical', async () => {
      const f = await io.openGguf(out);
      const copy = file('copy.gguf');
      await io.writeGguf(copy, {
        metadata: f.gguf.kv,
        tensors: await Promise.all(f.tensors.map(async (t) => ({ name: t.name, type: t.type, shape: t.shape, byteLength: t.byteLength, data: await f.readBytes(t.name) }))),
        inputs: [out],
      });
      await f.close();
      assert.ok(Buffer.from(fs.readFileSync(copy)).equals(fs.readFileSync(out)));
    });

    it('alignment 64 adds general.alignment and aligns every offset; progress reaches the total', async () => {
      const p = file('a64.gguf');
      const seen = [];
      const total = await io.writeGguf(p, {
        metadata: { name: 'x' },
        alignment: 64,
        tensors: [
          { name: 't1', type: 'f32', shape: [3], byteLength: 12, data: f32bytes([1, 2, 3]) },
          { name: 't2', type: 'f32', shape: [1], byteLength: 4, async *chunks() { yield f32bytes([7]).subarray(0, 2); yield f32bytes([7]).subarray(2); } },
        ],
        onProgress: (done, all, name) => seen.push([done, all, name]),
      });
      assert.equal(total, fs.statSync(p).size);
      const h = await gguf(p, { allowLocalFile: true, typedMetadata: true });
      assert.deepEqual(h.typedMetadata['general.alignment'], { value: 64, type: 4 });
      assert.deepEqual(h.tensorInfos.map((t) => Number(t.offset)), [0, 64]);
      assert.equal(Number(h.tensorDataOffset) % 64, 0);
      assert.equal(seen.length, 3);
      assert.deepEqual(seen.map((s) => s[2]), ['t1', 't2', 't2']);
      assert.ok(seen.every((s) => s[1] === Number(h.tensorDataOffset) + 128));
      const f = await io.openGguf(p);
      assert.equal(f.gguf.alignment, 64);
      assert.deepEqual(Array.from(await f.readFloat32('t2')), [7]);
      await f.close();
    });
  });

  describe('reader on hand-built files', () => {
    it('reads every value type, v2, nested arrays, and lists types it cannot decode', async () => {
      for (const version of [2, 3]) {
        const b = new Builder().header({ version, tensors: 3, kvs: 15 });
        b.kv('u8', 'u8', 200).kv('i8', 'i8', -3).kv('u16', 'u16', 60000).kv('i16', 'i16', -30000).kv('u32', 'u32', 3e9).kv('i32', 'i32', -2e9);
        b.kv('f32', 'f32', 1.5).kv('bool', 'bool', true).kv('str', 'string', 'héllo').kv('u64', 'u64', 2n ** 64n - 1n).kv('i64', 'i64', -1n).kv('f64', 'f64', 0.1);
        b.kv('arr', ['array', 'i16'], [1, -1]).kv('general.alignment', 'u32', 16);
        // [[u8 1, 2], []] : an array of arrays, by hand.
        b.str('nest').u32(9).u32(9).u64(2).u32(0).u64(2).u8(1).u8(2).u32(0).u64(0);
        b.tensor('f', [2], 0, 0).tensor('q2k', [256], 10, 16).tensor('i', [2, 1], 26, 16 + 96);
        b.padTo(16);
        b.f32(-1).f32(2).raw(Buffer.alloc(8)).raw(Buffer.alloc(84, 9)).raw(Buffer.alloc(12)).i32(5).i32(-6);
        const p = put(`v${version}.gguf`, b.bytes());
        const f = await io.openGguf(p);
        assert.equal(f.gguf.version, version);
        assert.equal(f.gguf.alignment, 16);
        const kv = Object.fromEntries([...f.gguf.kv].map(([k, v]) => [k, [v.type, v.value]]));
        assert.deepEqual(kv, {
          u8: ['u8', 200], i8: ['i8', -3], u16: ['u16', 60000], i16: ['i16', -30000], u32: ['u32', 3e9], i32: ['i32', -2e9],
          f32: ['f32', 1.5], bool: ['bool', true], str: ['string', 'héllo'], u64: ['u64', 2n ** 64n - 1n], i64: ['i64', -1n],
          f64: ['f64', 0.1], arr: ['array<i16>', [1, -1]], 'general.alignment': ['u32', 16], nest: ['array<array<u8>>', [[1, 2], []]],
        });
        assert.deepEqual(f.tensors.map((t) => [t.name, t.type, t.storedType, t.shape, t.decodable]), [
          ['f', 'f32', 'F32', [2], true],
          ['q2k', 'u8', 'Q2_K', [256], false],
          ['i', 'i32', 'I32', [1, 2], true],
        ]);
        assert.deepEqual(Array.from(await f.readFloat32('f')), [-1, 2]);
        assert.deepEqual(Array.from(await f.readFloat32('i')), [5, -6]);
        assert.deepEqual(Buffer.from(await f.readBytes('q2k')), Buffer.alloc(84, 9));
        await rejectsWith(f.readFloat32('q2k'), 'Error', `${p}: tensor 'q2k' has ggml type Q2_K, which quantkit cannot decode to float32 (not supported); readBytes gives its stored bytes`);
        await f.close();
        await rejectsWith(f.readBytes('f'), 'Error', `${p}: the file is closed`);
      }
    });

    it('detectFormat says gguf', async () => {
      const p = put('d.gguf', new Builder().header().bytes());
      assert.equal(await io.detectFormat(p), 'gguf');
      const f = await io.openGguf(p);
      assert.deepEqual([f.tensors.length, f.gguf.kv.size, f.gguf.dataOffset], [0, 0, 32]);
      await f.close();
    });
  });

  describe('hostile files', () => {
    const cases = [
      ['bad magic', () => new Builder().raw(Buffer.from('GGUX')).u32(3).u64(0).u64(0), 'Error', (p) => `${p}: not a GGUF file: the magic is 'GGUX', expected 'GGUF'`],
      ['version 1', () => new Builder().header({ version: 1 }), 'Error', (p) => `${p}: GGUF version 1 is not supported (it predates 64-bit counts; convert it with a current llama.cpp)`],
      ['version 4', () => new Builder().header({ version: 4 }), 'Error', (p) => `${p}: GGUF version 4 is not supported (quantkit reads versions 2 and 3)`],
      ['big-endian', () => new Builder().raw(Buffer.from('GGUF')).raw([0, 0, 0, 3]).u64(0).u64(0), 'Error', (p) => `${p}: GGUF version field is 50331648: a big-endian GGUF file, which quantkit does not read`],
      ['truncated header', () => new Builder().raw(Buffer.from('GGUF')).u32(3).u32(0), 'RangeError', (p) => `${p}: truncated header: the tensor count at byte 8 needs 8 bytes but the file ends at byte 12`],
      ['huge tensor count', () => new Builder().header({ tensors: 2n ** 62n }), 'RangeError', (p) => `${p}: the tensor count is ${2n ** 62n}, more than quantkit accepts (16777216)`],
      ['kv count past the file', () => new Builder().header({ kvs: 1000 }), 'RangeError', (p) => `${p}: the key-value count is 1000, more than the 0 bytes after the header start could hold`],
      ['string past EOF', () => new Builder().header({ kvs: 1 }).u64(100).raw(Buffer.from('abc')).raw(Buffer.alloc(10)), 'RangeError', (p) => `${p}: key 0 has a length of 100 bytes, past the end of the file (13 bytes remain at byte 32)`],
      ['gigabyte string', () => new Builder().header({ kvs: 1 }).str('k').u32(8).u64(2 ** 32).raw(Buffer.alloc(4)), 'RangeError', (p) => `${p}: the value of key 'k' has a length of 4294967296 bytes, more than quantkit accepts (67108864)`],
      ['unknown value type', () => new Builder().header({ kvs: 1 }).str('k').u32(13).u32(0), 'Error', (p) => `${p}: the value of key 'k' has an unknown value type 13 (GGUF value types are 0–12)`],
      ['array count past the file', () => new Builder().header({ kvs: 1 }).str('k').u32(9).u32(10).u64(1000).u64(0), 'RangeError', (p) => `${p}: the value of key 'k' has 1000 items of u64, which need at least 8000 bytes but only 8 remain`],
      ['array depth bomb', () => {
        const b = new Builder().header({ kvs: 1 }).str('k').u32(9);
        for (let i = 0; i < 20; i++) b.u32(9).u64(1);
        return b.u32(0).u64(0);
      }, 'RangeError', (p) => `${p}: the value of key 'k'[0][0][0][0][0][0][0][0] nests arrays deeper than 8 levels`],
      ['duplicate key', () => new Builder().header({ kvs: 2 }).kv('k', 'u8', 1).kv('k', 'u8', 2), 'Error', (p) => `${p}: duplicate key 'k' (key 1)`],
      ['alignment not u32', () => new Builder().header({ kvs: 1 }).kv('general.alignment', 'u64', 32), 'Error', (p) => `${p}: key 'general.alignment' must be of type u32 but is u64`],
      ['alignment not a power of two', () => new Builder().header({ kvs: 1 }).kv('general.alignment', 'u32', 24), 'Error', (p) => `${p}: key 'general.alignment' is 24, not a power of two`],
      ['unknown tensor type', () => new Builder().header({ tensors: 1 }).tensor('t', [4], 99, 0).padTo(32).raw(Buffer.alloc(64)), 'Error', (p) => `${p}: tensor 't' has an unknown ggml type 99`],
      ['n_dims 5', () => new Builder().header({ tensors: 1 }).tensor('t', [1, 1, 1, 1, 1], 0, 0).raw(Buffer.alloc(64)), 'RangeError', (p) => `${p}: tensor 't' has n_dims 5, more than 4`],
      ['dims product overflow', () => new Builder().header({ tensors: 1 }).tensor('t', [2 ** 30, 2 ** 30, 2 ** 30], 0, 0), 'RangeError', (p) => `${p}: tensor 't' has dimensions whose product overflows 2^53 − 1 (dimension 1 is 1073741824)`],
      ['row not whole blocks', () => new Builder().header({ tensors: 1 }).tensor('t', [16], 8, 0).raw(Buffer.alloc(64)), 'RangeError', (p) => `${p}: tensor 't' of type Q8_0 has 16 elements per row (ne[0]), not a multiple of its block size 32`],
      ['offset not aligned', () => new Builder().header({ tensors: 1 }).tensor('t', [1], 0, 4).padTo(32).raw(Buffer.alloc(64)), 'Error', (p) => `${p}: tensor 't' has offset 4, not a multiple of the alignment 32`],
      ['tensor past the end', () => new Builder().header({ tensors: 1 }).tensor('t', [100], 0, 0).padTo(32).raw(Buffer.alloc(64)), 'RangeError', (p) => `${p}: tensor 't' at data offset 0 with 400 bytes lies past the end of the file (data section starts at byte 64, file is 128 bytes)`],
      ['overlapping tensors', () => new Builder().header({ tensors: 2 }).tensor('a', [16], 0, 0).tensor('b', [1], 0, 32).padTo(32).raw(Buffer.alloc(64)), 'Error', (p) => `${p}: tensors 'a' (bytes [0, 64)) and 'b' (from byte 32) overlap in the data section`],
      ['duplicate tensor name', () => new Builder().header({ tensors: 2 }).tensor('a', [1], 0, 0).tensor('a', [1], 0, 32).padTo(32).raw(Buffer.alloc(64)), 'Error', (p) => `${p}: duplicate tensor name 'a' (tensor 1)`],
    ];
    cases.forEach(([what, build, name, message], i) => {
      it(`refuses ${what}`, async () => {
        const p = put(`h${i}.gguf`, build().bytes());
        await rejectsWith(io.openGguf(p), name, message(p));
      });
    });
  });

  describe('writer errors and atomicity', () => {
    const t1 = { name: 't', type: 'f32', shape: [2], byteLength: 8, data: f32bytes([1, 2]) };
    const cases = [
      ['u8 out of range', { metadata: [{ key: 'k', type: 'u8', value: 256 }] }, 'RangeError', "metadata key 'k': 256 is outside the range of u8 [0, 255]"],
      ['value of the wrong kind', { metadata: [{ key: 'k', type: 'string', value: 1 }] }, 'TypeError', "metadata key 'k': expected a string for type string but received number"],
      ['unknown type name', { metadata: [{ key: 'k', type: 'u128', value: 1 }] }, 'TypeError', "metadata key 'k': unknown GGUF type 'u128' (expected one of u8, i8, u16, i16, u32, i32, f32, bool, string, u64, i64, f64 or array<T>)"],
      ['null value', { metadata: { k: null } }, 'TypeError', "metadata key 'k': cannot store null in GGUF metadata (strings, booleans, numbers, bigints and arrays of them)"],
      ['mixed array', { metadata: { k: [1, 'a'] } }, 'TypeError', "metadata key 'k': array items of different kinds (u32, string); GGUF arrays hold one type"],
      ['empty untyped array', { metadata: { k: [] } }, 'TypeError', "metadata key 'k': an empty array needs an explicit type (e.g. 'array<u32>')"],
      ['duplicate key', { metadata: [{ key: 'k', value: 1 }, { key: 'k', value: 2 }] }, 'Error', "duplicate metadata key 'k'"],
      ['bad alignment', { alignment: 48 }, 'RangeError', 'expected a power of two up to 2^31 for alignment but received 48'],
      ['u8 tensor', { tensors: [{ ...t1, type: 'u8', byteLength: 2, data: new Uint8Array(2) }] }, 'TypeError', "tensor 't': type 'u8' cannot be stored in this format (it stores f32, f16, bf16, f64, i8, i16, i32, i64, q4_0, q4_1, q5_0, q5_1, q8_0, q4_k, q5_k, q6_k)"],
      ['long name', { tensors: [{ ...t1, name: 'n'.repeat(64) }] }, 'Error', `tensor '${'n'.repeat(64)}': its name is 64 UTF-8 bytes; GGUF readers (ggml) accept at most 63`],
      ['five dims', { tensors: [{ ...t1, shape: [1, 1, 1, 1, 2] }] }, 'RangeError', "tensor 't': shape [1, 1, 1, 1, 2] has 5 dims; GGUF holds at most 4"],
      ['row not whole blocks', { tensors: [{ name: 'q', type: 'q8_0', shape: [32, 16], byteLength: 544, data: new Uint8Array(544) }] }, 'RangeError', "tensor 'q': type q8_0 needs the innermost dimension to be a multiple of 32 but shape is [32, 16]"],
      ['byteLength mismatch', { tensors: [{ ...t1, byteLength: 12 }] }, 'RangeError', "tensor 't': expected byteLength 8 (shape [2] of f32) but received 12"],
      ['duplicate tensor', { tensors: [t1, t1] }, 'Error', "two tensors are named 't'"],
    ];
    cases.push(
      ['a misspelt option', { metdata: { a: 1 } }, 'TypeError', "Unknown key 'metdata' in options (did you mean 'metadata'?); the valid keys are 'metadata', 'tensors', 'alignment', 'inputs', 'onProgress'"],
      ['an unknown option', { compress: true }, 'TypeError', "Unknown key 'compress' in options; the valid keys are 'metadata', 'tensors', 'alignment', 'inputs', 'onProgress'"],
      ['alignment of the wrong type', { alignment: '32' }, 'TypeError', "expected a number for alignment but received '32'"],
      ['inputs of the wrong type', { inputs: 'a.safetensors' }, 'TypeError', "expected an array of file paths for inputs but received 'a.safetensors'"],
    );
    it('openGguf takes no options', async () => {
      const p = file('noopt.gguf');
      await io.writeGguf(p, { tensors: [t1] });
      await rejectsWith(io.openGguf(p, { bogus: 1 }), 'TypeError', `openGguf(${p}): Unknown key 'bogus' in options; it takes no options`);
      await rejectsWith(io.openTensorFile(p, { bogus: 1 }), 'TypeError', `openTensorFile(${p}): Unknown key 'bogus' in options; it takes no options`);
    });
    for (const [what, opts, name, message] of cases) {
      it(`refuses ${what}, writing nothing`, async () => {
        const p = file(`e-${what.replace(/\W/g, '_')}.gguf`);
        await rejectsWith(io.writeGguf(p, { tensors: [t1], ...opts }), name, `writeGguf(${p}): ${message}`);
        assert.equal(fs.existsSync(p), false);
      });
    }

    it('a source that fails or yields too few bytes leaves no OUT and no temporary file', async () => {
      const sub = fs.mkdtempSync(path.join(dir, 'atomic-'));
      const p = path.join(sub, 'out.gguf');
      fs.writeFileSync(p, 'previous');
      const failing = { name: 'x', type: 'f32', shape: [4], byteLength: 16, async *chunks() { yield new Uint8Array(8); throw new Error('source broke'); } };
      await rejectsWith(io.writeGguf(p, { tensors: [t1, failing] }), 'Error', 'source broke');
      const short = { name: 'x', type: 'f32', shape: [4], byteLength: 16, async *chunks() { yield new Uint8Array(8); } };
      await rejectsWith(io.writeGguf(p, { tensors: [short] }), 'RangeError', `writeGguf(${p}): tensor 'x': chunks() yielded 8 bytes but byteLength is 16`);
      const long = { name: 'x', type: 'f32', shape: [1], byteLength: 4, async *chunks() { yield new Uint8Array(8); } };
      await rejectsWith(io.writeGguf(p, { tensors: [long] }), 'RangeError', `writeGguf(${p}): tensor 'x': chunks() yielded more than its byteLength of 4 bytes`);
      assert.deepEqual(fs.readdirSync(sub), ['out.gguf']);
      assert.equal(fs.readFileSync(p, 'utf8'), 'previous');
      const fresh = path.join(sub, 'fresh.gguf');
      await rejectsWith(io.writeGguf(fresh, { tensors: [failing] }), 'Error', 'source broke');
      assert.deepEqual(fs.readdirSync(sub), ['out.gguf']);
    });

    it('u64/i64 metadata and arrays of them (bigint) go through every quantkit/io path without a JSON serialization error', async () => {
      const src = file('u64.gguf');
      const kv = [
        { key: 'k.big', type: 'u64', value: 2n ** 63n + 5n },
        { key: 'k.arr', type: 'array<u64>', value: [1n, 2n ** 64n - 1n] },
        { key: 'k.neg', type: 'array<i64>', value: [-(2n ** 63n), 3n] },
        { key: 'k.nested', type: 'array<array<u64>>', value: [[1n], [2n, 3n]] },
      ];
      const x = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i));
      await io.writeGguf(src, { metadata: kv, tensors: [{ name: 'w', type: 'f32', shape: [2, 32], byteLength: 256, data: new Uint8Array(x.buffer) }] });
      const f = await io.openGguf(src);
      assert.deepEqual({ ...f.metadata }, { 'k.big': 2n ** 63n + 5n, 'k.arr': [1n, 2n ** 64n - 1n], 'k.neg': [-(2n ** 63n), 3n], 'k.nested': [[1n], [2n, 3n]] });
      await f.close();
      const sub = fs.mkdtempSync(path.join(dir, 'u64-'));
      for (const [out, scheme] of [['q.gguf', 'q8_0'], ['q.safetensors', 'int8-per-channel'], ['q.json', 'uint8']]) await io.quantizeFile(src, path.join(sub, out), { scheme });
      const g = await io.openGguf(path.join(sub, 'q.gguf'));
      for (const { key, type, value } of kv) assert.deepEqual(g.gguf.kv.get(key), { type, value }, key);
      await g.close();
      await io.dequantizeFile(src, path.join(sub, 'd.safetensors'));
      await io.dequantizeFile(path.join(sub, 'q.gguf'), path.join(sub, 'd2.safetensors'));
      await io.compareFile(src, { schemes: ['q8_0'] });
    });

    it('refuses OUT == IN', async () => {
      const p = file('same.gguf');
      await io.writeGguf(p, { tensors: [t1] });
      const before = fs.readFileSync(p);
      await rejectsWith(io.writeGguf(p, { tensors: [t1], inputs: [p] }), 'Error', `Refusing to write ${p}: it is the input ${p} (write to another path, then rename)`);
      assert.ok(fs.readFileSync(p).equals(before));
    });
  });
});
