'use strict';
// quantkit/io NumPy: .npy and .npz against NumPy itself (/usr/bin/python3 with numpy, through
// test/support/npy_oracle.py): files NumPy writes (versions 1.0/2.0/3.0, both byte orders,
// Fortran order, np.savez and np.savez_compressed) read by quantkit element for element, and
// files quantkit writes loaded by NumPy; plus every header and archive validation with its
// exact error, and all-or-nothing writes.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const io = require('../dist/io');
const { requirePython, runPython } = require('./support/oracles');
const { scratch, rejectsWith, randomBytesFor, chunked, listDir, referenceDecode, sameFloats } = require('./support/io');

const fromB64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));
const f32 = (s) => { const b = fromB64(s); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
const oracle = (request) => JSON.parse(runPython('npy_oracle.py', request).toString());

const TYPES = { bool: ['b1', 1], i8: ['i1', 1], u8: ['u1', 1], i16: ['i2', 2], u16: ['u2', 2], i32: ['i4', 4], u32: ['u4', 4], i64: ['i8', 8], u64: ['u8', 8], f16: ['f2', 2], f32: ['f4', 4], f64: ['f8', 8] };

/** The bytes of a .npy file with header text `dict` (padded as NumPy pads) and `data`. */
function npyBytes(dict, data = new Uint8Array(0), { version = 1, rawLength } = {}) {
  const text = Buffer.from(dict, version === 3 ? 'utf8' : 'latin1');
  const pre = version === 1 ? 10 : 12;
  const pad = 64 - ((pre + text.length + 1) % 64);
  const header = Buffer.concat([text, Buffer.alloc(pad, 0x20), Buffer.from('\n')]);
  const prefix = Buffer.alloc(pre);
  Buffer.from('\x93NUMPY', 'latin1').copy(prefix);
  prefix[6] = version;
  if (version === 1) prefix.writeUInt16LE(rawLength ?? header.length, 8);
  else prefix.writeUInt32LE(rawLength ?? header.length, 8);
  return Buffer.concat([prefix, header, Buffer.from(data)]);
}

describe('io: NumPy .npy and .npz', function () {
  this.timeout(60000);
  let tmp;
  beforeEach(() => {
    tmp = scratch('npy');
  });
  afterEach(() => tmp.cleanup());
  const write = (name, bytes) => {
    const p = tmp.file(name);
    fs.writeFileSync(p, bytes);
    return p;
  };

  describe('quantkit writes, quantkit and NumPy read', function () {
    for (const [type, [code, size]] of Object.entries(TYPES)) {
      it(`${type}: .npy round trip lossless, NumPy loads the same bytes`, async function () {
        const cases = [[4, 5], [], [0, 3], [7]].map((shape, i) => {
          const n = shape.reduce((a, b) => a * b, 1);
          return { shape, data: randomBytesFor(type, n * size, 5 + i), file: tmp.file(`${type}${i}.npy`) };
        });
        for (const c of cases) {
          await io.writeNpy(c.file, { name: 'x', type, shape: c.shape, byteLength: c.data.length, chunks: chunked(c.data, [5, 2]) });
          assert.equal(await io.detectFormat(c.file), 'npy');
          const f = await io.openNpy(c.file);
          const t = f.tensor(f.tensors[0].name);
          assert.deepEqual([t.type, t.storedType, [...t.shape], t.fortranOrder, [...t.version]], [type, `${size === 1 ? '|' : '<'}${code}`, c.shape, false, [1, 0]]);
          assert.deepEqual(await f.readBytes(t.name), c.data);
          sameFloats(await f.readFloat32(t.name), referenceDecode(c.data, type));
          await f.close();
          assert.equal(fs.statSync(c.file).size % 64, c.data.length % 64, 'data starts at a multiple of 64');
        }
        requirePython(this, 'numpy');
        const { loaded } = oracle({ load: cases.map((c) => c.file) });
        for (const c of cases) {
          const l = loaded[c.file];
          assert.deepEqual([l.descr, l.shape, l.fortran], [`${size === 1 ? '|' : '<'}${code}`, c.shape, false]);
          assert.deepEqual(fromB64(l.c), c.data);
          if (type !== 'i64' && type !== 'u64') sameFloats(await io.decodeToFloat32(c.data, type), f32(l.f32), type);
        }
      });
    }

    it('.npy files are byte for byte those of np.save', async function () {
      requirePython(this, 'numpy');
      const cases = [['f4', [3, 4]], ['i8', [5]], ['b1', []], ['f2', [2, 0, 3]], ['u2', [1, 2, 3, 4, 5, 6]]];
      const { written } = oracle({ write: cases.map(([code, shape], i) => ({ file: tmp.file(`np${i}.npy`), descr: `<${code}`, shape, seed: i })) });
      for (const [i, [code, shape]] of cases.entries()) {
        const type = Object.keys(TYPES).find((k) => TYPES[k][0] === code);
        const ours = tmp.file(`qk${i}.npy`);
        const data = fromB64(written[tmp.file(`np${i}.npy`)].c);
        await io.writeNpy(ours, { name: 'x', type, shape, byteLength: data.length, data });
        assert.deepEqual(fs.readFileSync(ours), fs.readFileSync(tmp.file(`np${i}.npy`)), `${code} ${shape}`);
      }
    });

    it('version 2.0 when the header does not fit in 1.0', async function () {
      const shape = new Array(25000).fill(1);
      const out = tmp.file('v2.npy');
      await io.writeNpy(out, { name: 'x', type: 'u8', shape, byteLength: 1, data: new Uint8Array([9]) });
      const b = fs.readFileSync(out);
      assert.deepEqual([b[6], b[7]], [2, 0]);
      assert.equal((12 + b.readUInt32LE(8)) % 64, 0);
      const f = await io.openNpy(out);
      assert.deepEqual([...f.tensors[0].version], [2, 0]);
      assert.equal(f.tensors[0].shape.length, 25000);
      sameFloats(await f.readFloat32('v2'), new Float32Array([9]));
      await f.close();
    });

    for (const compress of [false, true]) {
      it(`.npz (${compress ? 'deflated' : 'stored'}): round trip, NumPy loads every member`, async function () {
        const sources = Object.entries(TYPES).map(([type, [, size]], i) => {
          const shape = [3, i + 1];
          const data = randomBytesFor(type, shape[0] * shape[1] * size, 40 + i);
          return { name: `m.${type}`, type, shape, byteLength: data.length, data };
        });
        sources.push({ name: 'big', type: 'f32', shape: [300, 1000], byteLength: 1.2e6, chunks: chunked(randomBytesFor('f32', 1.2e6, 9), [65536, 1000]) });
        const out = tmp.file('a.npz');
        const progress = [];
        await io.writeNpz(out, sources, { compress, onProgress: (d, t, n) => progress.push([d, t, n]) });
        assert.deepEqual(progress.at(-1).slice(0, 2), [progress.at(-1)[1], sources.reduce((a, s) => a + s.byteLength, 0)]);
        assert.equal(await io.detectFormat(out), 'npz');
        const f = await io.openNpz(out);
        assert.deepEqual(f.metadata, { members: sources.map((s) => `${s.name}.npy`) });
        assert.deepEqual(f.tensors.map((t) => t.name), sources.map((s) => s.name));
        const big = randomBytesFor('f32', 1.2e6, 9);
        for (const s of sources.slice(0, -1)) assert.deepEqual(await f.readBytes(s.name), s.data);
        assert.deepEqual(await f.readBytes('big', 1e6 + 3, 1001), big.subarray(1e6 + 3, 1e6 + 1004));
        sameFloats(await f.readFloat32('big', 299000, 1000), referenceDecode(big.subarray(1196000), 'f32'));
        sameFloats(await f.readFloat32('big', 7, 3), referenceDecode(big.subarray(28, 40), 'f32'));
        await f.close();
        requirePython(this, 'numpy');
        const { loaded } = oracle({ load: [out] });
        assert.deepEqual(loaded[out].files, sources.map((s) => s.name));
        for (const s of sources.slice(0, -1)) assert.deepEqual(fromB64(loaded[out].members[s.name].c), s.data, s.name);
        assert.deepEqual(fromB64(loaded[out].members.big.c), big);
      });
    }

    it('types NumPy has no dtype for are refused', async function () {
      const out = tmp.file('x.npy');
      await rejectsWith(io.writeNpy(out, { name: 'x', type: 'bf16', shape: [1], byteLength: 2, data: new Uint8Array(2) }), 'TypeError',
        `writeNpy(${out}): tensor 'x': type 'bf16' cannot be stored in this format (it stores bool, i8, u8, i16, u16, i32, u32, i64, u64, f16, f32, f64)`);
      await rejectsWith(io.writeNpz(out, [{ name: 'x', type: 'f8e4m3', shape: [1], byteLength: 1, data: new Uint8Array(1) }]), 'TypeError',
        `writeNpz(${out}): tensor 'x': type 'f8e4m3' cannot be stored in this format (it stores bool, i8, u8, i16, u16, i32, u32, i64, u64, f16, f32, f64)`);
      assert.deepEqual(listDir(tmp.dir), []);
    });
  });

  describe('NumPy writes, quantkit reads', function () {
    before(function () {
      requirePython(this, 'numpy');
    });

    it('every dtype, both byte orders, C and Fortran order, versions 1.0, 2.0 and 3.0', async function () {
      const cases = [];
      let seed = 100;
      for (const [, [code]] of Object.entries(TYPES)) {
        for (const order of code.endsWith('1') ? ['|'] : ['<', '>']) {
          for (const fortran of [false, true]) {
            for (const version of [[1, 0], [2, 0], [3, 0]]) {
              const shape = fortran ? [3, 4, 5] : [6, 7];
              cases.push({ file: tmp.file(`c${cases.length}.npy`), descr: `${order}${code}`, shape, fortran, version, seed: seed++ });
            }
          }
        }
      }
      cases.push({ file: tmp.file('scalar.npy'), descr: '>f8', shape: [], fortran: false, version: null, seed: 1 });
      cases.push({ file: tmp.file('empty.npy'), descr: '<i4', shape: [3, 0, 2], fortran: true, version: null, seed: 1 });
      cases.push({ file: tmp.file('col.npy'), descr: '>f4', shape: [5, 1], fortran: true, version: null, seed: 1 });
      const { written } = oracle({ write: cases });
      for (const c of cases) {
        const expect = written[c.file];
        const f = await io.openNpy(c.file);
        const t = f.tensors[0];
        const what = `${c.descr} ${c.fortran ? 'F' : 'C'} v${c.version}`;
        assert.deepEqual([t.storedType, [...t.shape], t.fortranOrder, t.littleEndian], [expect.descr, c.shape, expect.fortran, !c.descr.startsWith('>')], what);
        if (c.version) assert.deepEqual([...t.version], c.version, what);
        const cBytes = fromB64(expect.c);
        assert.deepEqual(await f.readBytes(t.name), cBytes, what);
        if (!/[iu]8$/.test(c.descr)) sameFloats(await f.readFloat32(t.name), f32(expect.f32), what);
        else sameFloats(await f.readFloat32(t.name), referenceDecode(cBytes, t.type, !t.littleEndian), what);
        if (t.elements > 10) {
          // Ranged reads in C order, also through a Fortran layout.
          const size = t.byteLength / t.elements;
          sameFloats(await f.readFloat32(t.name, 7, 9), referenceDecode(cBytes.subarray(7 * size, 16 * size), t.type, !t.littleEndian), `${what} range`);
          assert.deepEqual(await f.readBytes(t.name, 5, 11), cBytes.subarray(5, 16), `${what} byte range`);
        }
        await f.close();
      }
    });

    it('np.savez and np.savez_compressed archives', async function () {
      const members = {
        a: { descr: '<f4', shape: [40, 30], seed: 1 },
        'b/c': { descr: '>i2', shape: [7], seed: 2 },
        f: { descr: '<f8', shape: [5, 6], fortran: true, seed: 3 },
        s: { descr: '|b1', shape: [], seed: 4 },
      };
      const cases = [false, true].map((compressed) => ({ file: tmp.file(`${compressed ? 'c' : 's'}.npz`), npz: { compressed, members } }));
      const { written } = oracle({ write: cases });
      for (const c of cases) {
        const f = await io.openNpz(c.file);
        assert.deepEqual(f.tensors.map((t) => t.name).sort(), Object.keys(members).sort());
        for (const name of Object.keys(members)) {
          const expect = written[`${c.file}:${name}`];
          const t = f.tensor(name);
          assert.deepEqual(await f.readBytes(name), fromB64(expect.c), `${c.file} ${name}`);
          sameFloats(await f.readFloat32(name), f32(expect.f32), `${c.file} ${name}`);
          if (t.elements > 100) {
            sameFloats(await f.readFloat32(name, 1000, 150), f32(expect.f32).subarray(1000, 1150));
          }
        }
        await f.close();
      }
    });
  });

  describe('.npy header errors', function () {
    let p;
    const open = (bytes) => io.openNpy((p = write('x.npy', bytes)));
    const ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";

    it('a valid hand-built header with Python 2 spellings and double quotes', async function () {
      const f = await open(npyBytes('{"descr": "<i2", "shape": (2L, 1L), "fortran_order": False}', new Uint8Array([1, 0, 255, 255])));
      sameFloats(await f.readFloat32('x'), new Float32Array([1, -1]));
      await f.close();
    });

    it('magic, version, header length', async function () {
      await rejectsWith(open(Buffer.from('\x93NUMPX\x01\x00\x00\x00', 'latin1')), 'Error', `${p}: not a .npy file (it does not start with \\x93NUMPY)`);
      await rejectsWith(open(Buffer.from('\x93NUMPY\x01', 'latin1')), 'Error', `${p}: not a .npy file (it does not start with \\x93NUMPY)`);
      await rejectsWith(open(Buffer.from('\x93NUMPY\x04\x00\x10\x00', 'latin1')), 'Error', `${p}: .npy format version 4.0 is not supported (quantkit reads 1.0, 2.0 and 3.0)`);
      await rejectsWith(open(npyBytes(ok, new Uint8Array(8), { version: 2, rawLength: 0xffffffff })), 'RangeError', `${p}: .npy header length 4294967295 bytes exceeds quantkit's limit of 1048576`);
      await rejectsWith(open(npyBytes(ok, new Uint8Array(0), { rawLength: 5000 })), 'RangeError', `${p}: .npy header of 5000 bytes is truncated: there are only 128 bytes`);
      await rejectsWith(open(Buffer.from('\x93NUMPY\x02\x00\x10\x00', 'latin1')), 'RangeError', `${p}: .npy file ends inside its header length`);
    });

    it('not a Python literal', async function () {
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ")), 'Error', /x\.npy: \.npy header is not a valid Python literal \(expected a value at character 118\)/);
      await rejectsWith(open(npyBytes("{'descr': __import__('os')}")), 'Error', /x\.npy: \.npy header is not a valid Python literal \(expected a value at character 10\)/);
      await rejectsWith(open(npyBytes('(' .repeat(100))), 'Error', /x\.npy: \.npy header is not a valid Python literal \(nesting too deep at character 65\)/);
      await rejectsWith(open(npyBytes("[1, 2]")), 'Error', `${p}: .npy header is a list, not a dict`);
      await rejectsWith(open(npyBytes(Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1'), new Uint8Array(0), { version: 3 })), 'Error', /x\.npy: \.npy header is not a valid Python literal/);
      const bad = npyBytes('{}', new Uint8Array(0), { version: 3 });
      bad[12] = 0xc3;
      await rejectsWith(open(bad), 'Error', `${p}: .npy 3.0 header is not valid UTF-8`);
    });

    it('keys and values', async function () {
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'shape': (2,)}")), 'Error', `${p}: .npy header has keys 'descr', 'shape'; expected exactly 'descr', 'fortran_order' and 'shape'`);
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}")), 'Error', `${p}: .npy header has keys 'descr', 'fortran_order', 'shape', 'x'; expected exactly 'descr', 'fortran_order' and 'shape'`);
      await rejectsWith(open(npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}")), 'Error', `${p}: .npy header 'descr' is a list, not a dtype string (a structured dtype: quantkit reads plain numeric arrays only)`);
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}")), 'Error', `${p}: .npy header 'fortran_order' is 0, not True or False`);
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}")), 'Error', `${p}: .npy header 'shape' is a list, not a tuple of ints`);
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}")), 'Error', `${p}: .npy header 'shape' is 2, not a tuple of ints`);
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1)}")), 'RangeError', `${p}: .npy header 'shape' has -1, not a non-negative integer`);
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 99999999999999999999)}")), 'RangeError', `${p}: .npy header 'shape' has 100000000000000000000, not a non-negative integer`);
      await rejectsWith(open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}")), 'RangeError', `${p}: .npy shape (4294967296, 4294967296) has more than 2^53 elements`);
      await rejectsWith(open(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (67108864, 67108864)}")), 'RangeError', `${p}: .npy shape (67108864, 67108864) of '<f8' has more than 2^53 bytes`);
    });

    it('unsupported dtypes are named', async function () {
      const tail = '(quantkit reads b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4, f8 in either byte order)';
      const d = (descr) => npyBytes(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2,), }`, new Uint8Array(64));
      await rejectsWith(open(d('|O')), 'Error', `${p}: NumPy dtype '|O' is not supported: object arrays hold pickled Python objects and are never read ${tail}`);
      await rejectsWith(open(d('<U5')), 'Error', `${p}: NumPy dtype '<U5' is not supported: string arrays are not tensors ${tail}`);
      await rejectsWith(open(d('<c8')), 'Error', `${p}: NumPy dtype '<c8' is not supported: complex numbers are not supported ${tail}`);
      await rejectsWith(open(d('<M8[ns]')), 'Error', `${p}: NumPy dtype '<M8[ns]' is not supported: not a dtype quantkit reads ${tail}`);
      await rejectsWith(open(d('<f16')), 'Error', `${p}: NumPy dtype '<f16' is not supported: not a dtype quantkit reads ${tail}`);
      await rejectsWith(open(d('|V8')), 'Error', `${p}: NumPy dtype '|V8' is not supported: void/structured dtypes are not tensors ${tail}`);
      await rejectsWith(open(d('constructor')), 'Error', `${p}: NumPy dtype 'constructor' is not supported: not a dtype quantkit reads ${tail}`);
    });

    it('truncated data, ranges, close', async function () {
      await rejectsWith(open(npyBytes(ok, new Uint8Array(7))), 'RangeError', `${p}: .npy data is truncated: shape (2) of '<f4' needs 8 bytes after the header but there are 7`);
      const f = await open(npyBytes(ok, new Uint8Array(new Float32Array([1, 2]).buffer)));
      assert.throws(() => f.tensor('y'), { name: 'Error', message: `${p}: no tensor named 'y' (it has 1 tensors: 'x')` });
      await rejectsWith(f.readFloat32('x', 1, 2), 'RangeError', `${p}: tensor 'x': elements [1, 3) lie outside the tensor's 2 elements`);
      await f.close();
      await rejectsWith(f.readFloat32('x'), 'Error', `${p}: read after close()`);
    });
  });

  describe('.npz archive errors', function () {
    const yazl = require('yazl');
    const zipOf = async (members, compress = true) => {
      const zip = new yazl.ZipFile();
      for (const [name, bytes] of members) zip.addBuffer(Buffer.from(bytes), name, { compress });
      zip.end();
      const parts = [];
      for await (const c of zip.outputStream) parts.push(c);
      return Buffer.concat(parts);
    };
    const goodNpy = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (64,), }", new Uint8Array(256));
    const centralHeaders = (b) => {
      const at = [];
      for (let i = b.indexOf('PK\x01\x02'); i >= 0; i = b.indexOf('PK\x01\x02', i + 1)) at.push(i);
      return at;
    };
    let p;
    const open = (bytes) => io.openNpz((p = write('x.npz', bytes)));

    it('a member that is not .npy is listed in metadata.otherMembers and skipped, as NumPy does', async function () {
      const f = await open(await zipOf([['notes.txt', 'hi'], ['a.npy', goodNpy], ['sub/README', 'x']]));
      assert.deepEqual(f.tensors.map((t) => t.name), ['a']);
      assert.deepEqual(f.metadata.members, ['a.npy']);
      assert.deepEqual(f.metadata.otherMembers, ['notes.txt', 'sub/README']);
      assert.deepEqual(await f.readBytes('a'), new Uint8Array(256));
      await f.close();
    });

    it('a member named twice', async function () {
      await rejectsWith(open(await zipOf([['a.npy', goodNpy], ['a.npy', goodNpy]])), 'Error', `${p}: member 'a.npy' appears twice in the archive`);
      await rejectsWith(open(await zipOf([['a.npy', 'not numpy at all']])), 'Error', `${p}: member 'a.npy': not a .npy file (it does not start with \\x93NUMPY)`);
    });

    it('truncated or not a zip', async function () {
      const z = await zipOf([['a.npy', goodNpy]]);
      await rejectsWith(open(z.subarray(0, z.length - 30)), 'Error', /x\.npz: not a readable zip archive: /);
      await rejectsWith(open(Buffer.from('PK\x03\x04 garbage', 'latin1')), 'Error', /x\.npz: not a readable zip archive: /);
      // Central directory intact, member data cut: the member lies past the end.
      const stored = await zipOf([['a.npy', goodNpy]], false);
      const cd = centralHeaders(stored)[0];
      const cut = Buffer.concat([stored.subarray(0, 100), stored.subarray(cd)]);
      cut.writeUInt32LE(100, cut.length - 22 + 16); // the end record's central directory offset
      await rejectsWith(open(cut), 'Error', /x\.npz: not a readable zip archive: file data overflows file bounds: /);
    });

    it('corrupt deflate data', async function () {
      const z = await zipOf([['a.npy', goodNpy]]);
      const bad = Buffer.from(z);
      for (let i = 40; i < 60; i++) bad[i] ^= 0xa5;
      await rejectsWith(open(bad), 'Error', /x\.npz: member 'a\.npy' is corrupt: /);
    });

    it('zip bombs: sizes beyond deflate, or larger than the data', async function () {
      const z = await zipOf([['a.npy', goodNpy]]);
      const bomb = Buffer.from(z);
      bomb.writeUInt32LE(0x7fffffff, centralHeaders(bomb)[0] + 24);
      await rejectsWith(open(bomb), 'RangeError', /x\.npz: member 'a\.npy' claims 2147483647 bytes from \d+ compressed bytes, more than deflate can produce: a zip bomb or a corrupt entry/);
      // A plausible but false size: the header reads, the data ends early and yauzl says so.
      const shortNpy = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (80,), }", new Uint8Array(256));
      const liar = await zipOf([['a.npy', shortNpy]]);
      liar.writeUInt32LE(shortNpy.length + 64, centralHeaders(liar)[0] + 24);
      const f = await open(liar);
      // The first read checks the whole member's CRC-32, which meets the early end.
      await rejectsWith(f.readBytes('a', 200, 56), 'Error', /x\.npz: member 'a\.npy' is corrupt: /);
      await rejectsWith(f.readBytes('a', 250, 20), 'Error', /x\.npz: member 'a\.npy' is corrupt: /);
      await f.close();
    });

    it('a member whose CRC-32 does not match is refused on its first read, stored or deflated; the others read', async function () {
      const { crc32, tableCrc32 } = require('../dist/io/npy/npz');
      const zlib = require('node:zlib');
      const other = npyBytes("{'descr': '<u1', 'fortran_order': False, 'shape': (3,), }", new Uint8Array([7, 8, 9]));
      const values = new Uint8Array(256);
      for (let i = 0; i < 256; i++) values[i] = i;
      const w = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (64,), }", values);
      const realCrc = zlib.crc32 ? zlib.crc32(w) : tableCrc32(w);
      const hex = (v) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
      // Stored: two data bytes flipped (the .npy header intact, so it opens).
      const stored = await zipOf([['w.npy', w], ['o.npy', other]], false);
      const at = stored.indexOf(w) + w.length - 10;
      stored[at] ^= 0x40;
      stored[at + 1] ^= 0x01;
      const bad = Buffer.from(w);
      bad[w.length - 10] ^= 0x40;
      bad[w.length - 9] ^= 0x01;
      let f = await open(stored);
      const message = `${p}: member 'w.npy': CRC-32 mismatch (stored ${hex(realCrc)}, computed ${hex(crc32(bad))})`;
      await rejectsWith(f.readFloat32('w'), 'Error', message);
      await rejectsWith(f.readBytes('w', 0, 4), 'Error', message);
      assert.deepEqual(await f.readBytes('o'), new Uint8Array([7, 8, 9]));
      await f.close();
      // Deflated: the stored CRC-32 changed in the local and central headers, the data intact.
      const deflated = await zipOf([['w.npy', w], ['o.npy', other]], true);
      const cd = centralHeaders(deflated)[0];
      assert.equal(deflated.readUInt32LE(cd + 16), realCrc);
      deflated.writeUInt32LE((realCrc ^ 0x1000) >>> 0, cd + 16);
      deflated.writeUInt32LE((realCrc ^ 0x1000) >>> 0, 14);
      f = await open(deflated);
      await rejectsWith(f.readFloat32('w', 3, 2), 'Error', `${p}: member 'w.npy': CRC-32 mismatch (stored ${hex(realCrc ^ 0x1000)}, computed ${hex(realCrc)})`);
      assert.deepEqual(await f.readBytes('o'), new Uint8Array([7, 8, 9]));
      await f.close();
      // The table fallback (Node before 20.15 / 22.2) is zip's CRC-32 too.
      assert.equal(tableCrc32(w), realCrc);
      assert.equal(tableCrc32(w.subarray(100), tableCrc32(w.subarray(0, 100))), realCrc);
      assert.equal(tableCrc32(new Uint8Array(0)), 0);
      assert.equal(tableCrc32(Buffer.from('123456789')), 0xcbf43926);
    });

    it('unsupported compression method', async function () {
      const z = await zipOf([['a.npy', goodNpy]]);
      z.writeUInt16LE(12, centralHeaders(z)[0] + 10);
      await rejectsWith(open(z), 'Error', `${p}: member 'a.npy' uses compression method 12; quantkit reads stored (0) and deflated (8) members`);
    });
  });

  describe('atomic writes', function () {
    const boom = {
      name: 'b', type: 'u8', shape: [100], byteLength: 100,
      async *chunks() {
        yield new Uint8Array(50);
        throw new Error('source failed');
      },
    };
    for (const [label, fn] of [['writeNpy', (out, opts) => io.writeNpy(out, boom, opts)], ['writeNpz', (out, opts) => io.writeNpz(out, [boom], opts)], ['writeNpz compressed', (out, opts) => io.writeNpz(out, [boom], { compress: true, ...opts })]]) {
      it(`${label}: a failing source leaves no OUT and no temporary file; a pre-existing OUT is untouched; OUT == IN refused`, async function () {
        const out = tmp.file('out.bin');
        await rejectsWith(fn(out), 'Error', 'source failed');
        assert.deepEqual(listDir(tmp.dir), []);
        fs.writeFileSync(out, 'before');
        await rejectsWith(fn(out), 'Error', 'source failed');
        assert.deepEqual(listDir(tmp.dir), ['out.bin']);
        assert.equal(fs.readFileSync(out, 'utf8'), 'before');
        await rejectsWith(fn(out, { inputs: [out] }), 'Error', `Refusing to write ${out}: it is the input ${out} (write to another path, then rename)`);
        assert.equal(fs.readFileSync(out, 'utf8'), 'before');
        assert.deepEqual(listDir(tmp.dir), ['out.bin']);
      });
    }
  });

  describe('options', function () {
    const t = { name: 'x', type: 'u8', shape: [1], byteLength: 1, data: new Uint8Array([4]) };
    it('writeNpy / writeNpz check their options: a misspelt key names the nearest valid one; nothing is created', async function () {
      const out = tmp.file('o.npz');
      await rejectsWith(io.writeNpy(out, t, { bogus: 1 }), 'TypeError', `writeNpy(${out}): Unknown key 'bogus' in options; the valid keys are 'inputs', 'onProgress'`);
      await rejectsWith(io.writeNpy(out, t, { input: [] }), 'TypeError', `writeNpy(${out}): Unknown key 'input' in options (did you mean 'inputs'?); the valid keys are 'inputs', 'onProgress'`);
      await rejectsWith(io.writeNpz(out, [t], { compres: true }), 'TypeError', `writeNpz(${out}): Unknown key 'compres' in options (did you mean 'compress'?); the valid keys are 'compress', 'inputs', 'onProgress'`);
      await rejectsWith(io.writeNpz(out, [t], { compress: 'yes' }), 'TypeError', `writeNpz(${out}): expected a boolean for compress but received 'yes'`);
      await rejectsWith(io.writeNpz(out, [t], { onProgress: 'log' }), 'TypeError', `writeNpz(${out}): expected a function for onProgress but received 'log'`);
      assert.deepEqual(listDir(tmp.dir), []);
    });
    it('openNpy / openNpz take no options', async function () {
      const a = tmp.file('a.npy');
      const b = tmp.file('b.npz');
      await io.writeNpy(a, t);
      await io.writeNpz(b, [t]);
      await rejectsWith(io.openNpy(a, { mmap: true }), 'TypeError', `openNpy(${a}): Unknown key 'mmap' in options; it takes no options`);
      await rejectsWith(io.openNpz(b, { bogus: 1 }), 'TypeError', `openNpz(${b}): Unknown key 'bogus' in options; it takes no options`);
      await rejectsWith(io.openTensorFile(b, { bogus: 1 }), 'TypeError', `openTensorFile(${b}): Unknown key 'bogus' in options; it takes no options`);
    });
  });

  describe('openTensorFile', function () {
    it('dispatches on content, not name', async function () {
      const a = tmp.file('weights.bin');
      await io.writeSafetensors(a, [{ name: 'w', type: 'u8', shape: [1], byteLength: 1, data: new Uint8Array([3]) }]);
      const b = tmp.file('other.bin');
      await io.writeNpy(b, { name: 'x', type: 'u8', shape: [1], byteLength: 1, data: new Uint8Array([4]) });
      const c = tmp.file('third.bin');
      await io.writeNpz(c, [{ name: 'x', type: 'u8', shape: [1], byteLength: 1, data: new Uint8Array([5]) }]);
      for (const [p, format, name, value] of [[a, 'safetensors', 'w', 3], [b, 'npy', 'other.bin', 4], [c, 'npz', 'x', 5]]) {
        const f = await io.openTensorFile(p);
        assert.equal(f.format, format);
        sameFloats(await f.readFloat32(name), new Float32Array([value]));
        await f.close();
      }
      const d = write('junk.bin', 'hello world, not a tensor file');
      await rejectsWith(io.openTensorFile(d), 'Error', `${d}: not a file quantkit reads (safetensors, .npy, .npz, GGUF or tfjs model.json / weights manifest); it starts with bytes 68 65 6c 6c 6f 20 77 6f`);
      const e = write('empty.bin', '');
      await rejectsWith(io.openTensorFile(e), 'Error', `${e}: not a file quantkit reads (safetensors, .npy, .npz, GGUF or tfjs model.json / weights manifest); it is empty (0 bytes)`);
    });
  });
});
