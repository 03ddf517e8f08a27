'use strict';
// ggml itself as the oracle (test/support/ggml_oracle.py): llama.cpp's own libggml-base.so, from
// the @node-llama-cpp/linux-x64 npm package (a devDependency), called through ctypes from
// Debian's Python. Every ggml block type's bytes (quantize_row_*_ref) and floats
// (dequantize_row_*) against quantkit's, at every kernel level `npm test` runs; and GGUF files
// quantkit writes, read by ggml's gguf_init_from_file (the reader llama.cpp loads models with).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const qk = require('./support/quantkit');
const { prng } = require('./support/data');
const io = require('../dist/io');
const { quantizeFile } = require('../dist/io/convert');

// The package exports only its ES entry (dist/index.js); the binaries sit beside dist/.
const LIB = path.join(path.dirname(require.resolve('@node-llama-cpp/linux-x64')), '..', 'bins', 'linux-x64', 'libggml-base.so');
const ORACLE = path.join(__dirname, 'support', 'ggml_oracle.py');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-ggml-oracle-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Python without the sanitizer runtime the ASan run preloads into node.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LD_PRELOAD|ASAN_OPTIONS|LSAN_OPTIONS|UBSAN_OPTIONS)$/.test(k)));

function ggml(...args) {
  return execFileSync('/usr/bin/python3', [ORACLE, LIB, ...args], { encoding: 'utf8', env });
}
const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const TYPES = ['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k'];
const N = 1024; // four k-quant super-blocks, 32 legacy blocks

function rows() {
  const r = prng(20261130);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const make = (f) => Float32Array.from({ length: N }, (_, i) => f(i));
  return {
    gaussian: make(() => gauss()),
    ties: make((i) => ((i % 17) - 8) * 0.5), // values on the half-steps rounding decides
    zeros: make(() => 0),
    constant: make(() => 0.75),
    outlier: make((i) => (i % 97 === 5 ? 300 : gauss() * 0.01)),
    subnormal: make((i) => (i % 2 ? 1 : -1) * 1e-40 * (1 + (i % 5))),
    negative: make(() => -Math.abs(gauss()) - 0.1),
    huge: make((i) => (i % 3 - 1) * 1e30),
    grid: make((i) => Math.round(gauss() * 8) / 8),
  };
}

describe(`ggml's own library as the oracle (${qk.backend.name}/${qk.backend.isa})`, function () {
  this.timeout(120000);
  const data = rows();

  for (const type of TYPES) {
    it(`${type}: quantize gives ggml's quantize_row_ref bytes and dequantize ggml's floats, on ${Object.keys(data).length} kinds of rows`, () => {
      for (const [kind, x] of Object.entries(data)) {
        const input = path.join(tmp, `${type}-${kind}.f32`);
        const want = path.join(tmp, `${type}-${kind}.bin`);
        fs.writeFileSync(input, bytes(x));
        ggml('quantize', type, input, want);
        const blocks = qk.ggml.quantize(x, type);
        assert.deepEqual(blocks, new Uint8Array(fs.readFileSync(want)), `${type} ${kind}: bytes`);
        const floats = path.join(tmp, `${type}-${kind}.out.f32`);
        ggml('dequantize', type, want, String(N), floats);
        const theirs = new Float32Array(new Uint8Array(fs.readFileSync(floats)).buffer);
        const ours = qk.ggml.dequantize(blocks, type, N);
        for (let i = 0; i < N; i++) {
          if (Number.isNaN(theirs[i])) assert.ok(Number.isNaN(ours[i]), `${type} ${kind}[${i}]`);
          else assert.ok(Object.is(ours[i], theirs[i]), `${type} ${kind}[${i}]: ${ours[i]} vs ggml ${theirs[i]}`);
        }
      }
    });
  }

  it('GGUF files quantizeFile writes (every scheme) are read by ggml\'s gguf_init_from_file with the same tensors and keys', async () => {
    const src = path.join(tmp, 'src.safetensors');
    const r = prng(7);
    const t = (name, shape) => {
      const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
      return { name, type: 'f32', shape, byteLength: x.byteLength, data: bytes(x) };
    };
    await io.writeSafetensors(src, [t('blk.0.attn_q.weight', [64, 512]), t('blk.0.attn_norm.weight', [512]), t('blk.0.ffn_down.weight', [32, 288]), t('odd', [3, 5])], { metadata: { note: 'quantkit test' } });
    for (const scheme of ['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k', 'f16', 'bf16']) {
      const out = path.join(tmp, `m-${scheme}.gguf`);
      await quantizeFile(src, out, { scheme, metadata: { 'general.architecture': 'llama', 'test.count': 3 } });
      const theirs = JSON.parse(ggml('gguf', out));
      assert.equal(theirs.ok, true, `${scheme}: ggml refused the file`);
      const ours = await io.openGguf(out);
      try {
        assert.equal(theirs.version, 3);
        assert.equal(theirs.alignment, ours.gguf.alignment);
        assert.equal(theirs.dataOffset, ours.gguf.dataOffset);
        assert.deepEqual(theirs.tensors.map((x) => [x.name, x.type, x.offset, x.size]), ours.tensors.map((x) => [x.name, x.ggmlType, x.offset, x.byteLength]), scheme);
        assert.deepEqual(theirs.kv.map((k) => k.key), [...ours.gguf.kv.keys()], scheme);
      } finally {
        await ours.close();
      }
    }
  });

  it('metadata of every GGUF value type and a 64-byte alignment: ggml reads the file', async () => {
    const out = path.join(tmp, 'meta.gguf');
    const x = new Float32Array(64).fill(0.5);
    await io.writeGguf(out, {
      alignment: 64,
      metadata: [
        { key: 'a.u8', type: 'u8', value: 200 }, { key: 'a.i8', type: 'i8', value: -5 }, { key: 'a.u16', type: 'u16', value: 60000 },
        { key: 'a.i16', type: 'i16', value: -30000 }, { key: 'a.u32', type: 'u32', value: 4e9 }, { key: 'a.i32', type: 'i32', value: -2e9 },
        { key: 'a.f32', type: 'f32', value: 1.5 }, { key: 'a.bool', type: 'bool', value: true }, { key: 'a.str', type: 'string', value: 'héllo' },
        { key: 'a.u64', type: 'u64', value: 2n ** 63n }, { key: 'a.i64', type: 'i64', value: -(2n ** 62n) }, { key: 'a.f64', type: 'f64', value: Math.PI },
        { key: 'a.arr', type: 'array<string>', value: ['x', 'y'] }, { key: 'a.arr2', type: 'array<i32>', value: [1, -2, 3] },
      ],
      tensors: [{ name: 'w', type: 'q8_0', shape: [2, 32], byteLength: 68, data: qk.ggml.quantize(x, 'q8_0') }],
    });
    const theirs = JSON.parse(ggml('gguf', out));
    assert.equal(theirs.ok, true);
    assert.equal(theirs.alignment, 64);
    // ggml's gguf_type: UINT8 0, INT8 1, UINT16 2, INT16 3, UINT32 4, INT32 5, FLOAT32 6, BOOL 7, STRING 8, ARRAY 9, UINT64 10, INT64 11, FLOAT64 12
    const types = Object.fromEntries(theirs.kv.map((k) => [k.key, k.type]));
    assert.deepEqual([types['a.u8'], types['a.i8'], types['a.u16'], types['a.i16'], types['a.u32'], types['a.i32'], types['a.f32'], types['a.bool'], types['a.str'], types['a.arr'], types['a.u64'], types['a.i64'], types['a.f64']], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(theirs.tensors[0].type, 8); // GGML_TYPE_Q8_0
  });
});
