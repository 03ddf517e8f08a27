'use strict';
// Whole-file jobs (lib/io/convert): quantizeFile, dequantizeFile, compareFile. Expectations come
// from quantkit's own array calls on the floats read back (ggml.quantize, quantizeDynamic,
// dequantize, errorStats), which their own suites check against ggml's formulas and ONNX
// Runtime; here the question is whether the files carry exactly those bytes, in the documented
// layout, and whether both backends write the same files.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const qk = require('./support/quantkit');
const { prng } = require('./support/data');
const io = require('../dist/io');
const { quantizeFile, dequantizeFile, compareFile, ggufTypeFor, METADATA_KEY } = require('../dist/io/convert');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-convert-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function floats(n, seed, scale = 1) {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}
const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const sha = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

// A small checkpoint in the shapes real ones have: 2-D weights (f32, f16, bf16), a row length
// that k-quants cannot block (288 = 9 · 32) and one no ggml type can (100), a bias, an int64 buffer.
const W = floats(64 * 512, 1);
const H = floats(32 * 256, 2, 3);
const B = floats(16 * 256, 3, 0.5);
const K288 = floats(8 * 288, 4);
const K100 = floats(4 * 100, 5);
const BIAS = floats(64, 6);
const IDS = new BigInt64Array([0n, 1n, 2n, 9007199254740993n]);
const source = path.join(tmp, 'model.safetensors');

before(async () => {
  const t = (name, type, shape, data) => ({ name, type, shape, byteLength: data.byteLength, data: bytes(data) });
  await io.writeSafetensors(source, [
    t('layers.0.weight', 'f32', [64, 512], W),
    t('layers.0.bias', 'f32', [64], BIAS),
    t('layers.1.weight', 'f16', [32, 256], qk.toFloat16(H)),
    t('layers.2.weight', 'bf16', [16, 256], qk.toBFloat16(B)),
    t('odd.k288', 'f32', [8, 288], K288),
    t('odd.k100', 'f32', [4, 100], K100),
    t('position_ids', 'i64', [4], IDS),
  ], { metadata: { format: 'pt' } });
});

async function floatsOf(file, name) {
  const f = await io.openTensorFile(file);
  try {
    return await f.readFloat32(name);
  } finally {
    await f.close();
  }
}

describe(`quantizeFile → GGUF (${qk.backend.name})`, () => {
  for (const scheme of ['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k', 'f16', 'bf16']) {
    it(`${scheme}: each weight's blocks are ggml.quantize of its floats; biases stay F32; ints kept`, async () => {
      const out = path.join(tmp, `m-${scheme}.gguf`);
      const r = await quantizeFile(source, out, { scheme });
      const g = await io.openTensorFile(out);
      try {
        assert.equal(g.format, 'gguf');
        assert.equal(g.metadata['general.file_type'], { f16: 1, q4_0: 2, q4_1: 3, q8_0: 7, q5_0: 8, q5_1: 9, q4_k: 14, q5_k: 16, q6_k: 18, bf16: 32 }[scheme]);
        assert.equal(g.metadata.format, 'pt', 'the source metadata is carried over');
        for (const name of ['layers.0.weight', 'layers.1.weight', 'layers.2.weight', 'odd.k288', 'odd.k100']) {
          const info = g.tensor(name);
          const x = await floatsOf(source, name);
          const want = ggufTypeFor(scheme, info.shape[info.shape.length - 1]);
          assert.equal(info.type, want, name);
          const expected = want === 'f16' ? bytes(qk.toFloat16(x)) : want === 'bf16' ? bytes(qk.toBFloat16(x)) : qk.ggml.quantize(x, want);
          assert.deepEqual(await g.readBytes(name), expected, name);
        }
        assert.equal(g.tensor('layers.0.bias').type, 'f32');
        assert.deepEqual(await g.readFloat32('layers.0.bias'), BIAS);
        assert.equal(g.tensor('position_ids').type, 'i64');
        assert.deepEqual(new BigInt64Array((await g.readBytes('position_ids')).slice().buffer), IDS);
      } finally {
        await g.close();
      }
      assert.equal(r.tensors.length, 7);
      assert.equal(r.outputFormat, 'gguf');
      assert.equal(r.fileBytesOut, fs.statSync(out).size);
    });
  }

  it('k-quants fall back as llama.cpp does when a row is not a whole number of 256-blocks', () => {
    assert.equal(ggufTypeFor('q4_k', 288), 'q5_0');
    assert.equal(ggufTypeFor('q5_k', 288), 'q5_1');
    assert.equal(ggufTypeFor('q6_k', 288), 'q8_0');
    assert.equal(ggufTypeFor('q4_k', 100), 'f16');
    assert.equal(ggufTypeFor('q8_0', 100), 'f16');
    assert.equal(ggufTypeFor('q4_k', 512), 'q4_k');
  });

  it('chunked reads give the same file as whole-tensor reads (chunk boundaries inside tensors)', async () => {
    const a = path.join(tmp, 'chunk-a.gguf');
    const b = path.join(tmp, 'chunk-b.gguf');
    await quantizeFile(source, a, { scheme: 'q4_k', chunkElements: 512 });
    await quantizeFile(source, b, { scheme: 'q4_k' });
    assert.equal(sha(a), sha(b));
  });

  it('--include / --exclude / quantize1d pick the tensors', async () => {
    const out = path.join(tmp, 'pick.gguf');
    const r = await quantizeFile(source, out, { scheme: 'q8_0', include: 'layers.*', exclude: ['layers.1.*'], quantize1d: false });
    const act = Object.fromEntries(r.tensors.map((t) => [t.name, t.action + (t.note ? `: ${t.note}` : '')]));
    assert.equal(act['layers.0.weight'], 'quantized');
    assert.equal(act['layers.1.weight'], 'kept: matched by --exclude');
    assert.equal(act['odd.k288'], 'kept: not matched by --include');
    assert.match(act['layers.0.bias'], /^kept: rank 1/);
  });
});

describe(`quantizeFile → safetensors int8 / int4 layout (${qk.backend.name})`, () => {
  for (const [scheme, dtype, blockSize, symmetric] of [['int8-per-channel', 'int8', undefined, true], ['uint8-per-channel', 'uint8', undefined, false], ['int4-per-channel', 'int4', undefined, true], ['uint4-per-channel', 'uint4', undefined, false], ['uint4-block32', 'uint4', 32, false], ['int4-block128', 'int4', 128, false], ['int8-block32', 'int8', 32, false]]) {
    it(`${scheme}: codes, NAME.scale and NAME.zero_point are quantizeDynamic's; dequantizeFile restores dequantize()'s floats`, async () => {
      const out = path.join(tmp, `m-${scheme}.safetensors`);
      await quantizeFile(source, out, { scheme, chunkElements: 4096 });
      const f = await io.openTensorFile(out);
      try {
        const rec = JSON.parse(f.metadata[METADATA_KEY]);
        assert.equal(rec.version, 1);
        assert.equal(f.metadata.format, 'pt');
        const x = W;
        const rows = 64;
        const k = 512;
        const q = qk.quantizeDynamic(x, { dtype, symmetric, shape: [rows, k], axis: blockSize ? 1 : 0, ...(blockSize ? { blockSize } : {}) });
        assert.deepEqual(rec.tensors['layers.0.weight'], { scheme, dtype, shape: [rows, k], axis: 0, ...(blockSize ? { blockSize } : {}), symmetric, from: 'f32' });
        assert.deepEqual(await f.readBytes('layers.0.weight'), bytes(q.data));
        assert.deepEqual(await f.readFloat32('layers.0.weight.scale'), q.scale);
        assert.deepEqual(f.tensor('layers.0.weight.scale').shape, blockSize ? [rows, k / blockSize] : [rows]);
        if (symmetric) assert.throws(() => f.tensor('layers.0.weight.zero_point'));
        else {
          assert.deepEqual(await f.readBytes('layers.0.weight.zero_point'), bytes(q.zeroPoint));
          assert.equal(f.tensor('layers.0.weight.zero_point').type, dtype.startsWith('u') ? 'u8' : 'i8');
        }
        assert.ok(!rec.tensors['layers.0.bias'], 'the bias stays float');
        const back = path.join(tmp, `back-${scheme}.safetensors`);
        await dequantizeFile(out, back);
        const g = await io.openTensorFile(back);
        try {
          assert.deepEqual(g.tensors.map((t) => t.name), ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.2.weight', 'odd.k288', 'odd.k100', 'position_ids']);
          assert.deepEqual(await g.readFloat32('layers.0.weight'), qk.dequantize(q.data, q));
          assert.equal(g.metadata[METADATA_KEY], undefined);
          assert.equal(g.tensor('position_ids').type, 'i64');
        } finally {
          await g.close();
        }
      } finally {
        await f.close();
      }
    });
  }
});

describe(`dequantizeFile (${qk.backend.name})`, () => {
  it('GGUF q4_k back to f32 and f16 safetensors: ggml.dequantize of the blocks', async () => {
    const gguf = path.join(tmp, 'dq.gguf');
    await quantizeFile(source, gguf, { scheme: 'q4_k' });
    for (const dtype of ['f32', 'f16']) {
      const out = path.join(tmp, `dq-${dtype}.safetensors`);
      await dequantizeFile(gguf, out, { dtype });
      const f = await io.openTensorFile(out);
      try {
        const x = qk.ggml.dequantize(qk.ggml.quantize(W, 'q4_k'), 'q4_k', W.length);
        assert.equal(f.tensor('layers.0.weight').type, dtype);
        const got = await f.readFloat32('layers.0.weight');
        assert.deepEqual(got, dtype === 'f32' ? x : qk.fromFloat16(qk.toFloat16(x)));
      } finally {
        await f.close();
      }
    }
  });

  it('refuses a quantkit record that does not match its tensors, naming the tensor', async () => {
    const bad = path.join(tmp, 'bad-record.safetensors');
    const codes = new Int8Array(8);
    await io.writeSafetensors(bad, [{ name: 'w', type: 'i8', shape: [2, 4], byteLength: 8, data: bytes(codes) }], { metadata: { [METADATA_KEY]: JSON.stringify({ version: 1, tensors: { w: { scheme: 'int8', dtype: 'int8', shape: [2, 4], axis: 0, symmetric: true, from: 'f32' } } }) } });
    await assert.rejects(dequantizeFile(bad, path.join(tmp, 'never.safetensors')), /tensor w: w\.scale is missing/);
    assert.ok(!fs.existsSync(path.join(tmp, 'never.safetensors')));
  });
});

describe(`compareFile (${qk.backend.name})`, () => {
  it('per-tensor rows are compare()\'s; the whole-file SQNR pools Σx² / Σe²', async () => {
    const schemes = ['int8-per-channel', 'q4_0'];
    const r = await compareFile(source, { schemes });
    assert.deepEqual(r.left.map((l) => l.name).sort(), ['layers.0.bias', 'position_ids']);
    assert.equal(r.tensors.length, 5);
    let x2 = 0;
    let e2 = 0;
    for (const t of r.tensors) {
      const x = await floatsOf(source, t.name);
      // q4_0 is measured as the GGUF writer stores the tensor: rows of the last dimension, and
      // f16 where a row is not whole 32-blocks (odd.k100).
      const k = t.shape[t.shape.length - 1];
      const stored = ggufTypeFor('q4_0', k);
      const rows = qk.compare(x, { schemes: ['int8-per-channel', stored === 'f16' ? 'float16' : stored], shape: [t.shape[0], x.length / t.shape[0]] });
      assert.deepEqual(t.rows.map((row) => [row.bytes, row.mse, row.sqnrDb, row.storedAs]), rows.map((row, i) => [row.bytes, row.mse, row.sqnrDb, i === 1 && stored !== 'q4_0' ? stored : undefined]));
      assert.deepEqual(t.rows.map((row) => row.scheme), schemes);
      for (const v of x) x2 += v * v;
      e2 += rows[1].mse * x.length;
    }
    const total = r.total.find((row) => row.scheme === 'q4_0');
    assert.ok(Math.abs(total.sqnrDb - 10 * Math.log10(x2 / e2)) < 1e-9, `${total.sqnrDb} vs ${10 * Math.log10(x2 / e2)}`);
    assert.equal(total.skippedTensors, 0, 'odd.k100 is measured as f16, as the GGUF writer stores it');
    assert.equal(r.tensors.find((t) => t.name === 'odd.k100').rows[1].storedAs, 'f16');
    const worst = r.tensors.map((t) => Math.min(...t.rows.filter((x) => x.skipped === undefined).map((x) => x.sqnrDb)));
    assert.deepEqual(worst, [...worst].sort((a, b) => a - b), 'lowest SQNR first');
  });
});

describe('quantizeFile / dequantizeFile / compareFile: bad input', () => {
  it('a scheme the output format lacks is a RangeError listing the format\'s schemes', async () => {
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.gguf'), { scheme: 'int8' }), { name: 'RangeError', message: /Expected a gguf scheme \(q8_0, q4_0, .*\) for scheme but received "int8"/ });
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.safetensors'), { scheme: 'q4_k' }), { name: 'RangeError', message: /safetensors scheme/ });
  });
  it('an output name without a known extension asks for --to', async () => {
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.bin'), { scheme: 'q8_0' }), /Cannot tell the output format from .*x\.bin/);
  });
  it('OUT equal to IN is refused and IN is untouched', async () => {
    const before = sha(source);
    await assert.rejects(quantizeFile(source, source, { scheme: 'int8-per-channel' }), /Refusing to write .*: it is the input/);
    assert.equal(sha(source), before);
  });
  it('a missing input names the path', async () => {
    await assert.rejects(quantizeFile(path.join(tmp, 'nope.safetensors'), path.join(tmp, 'x.gguf'), { scheme: 'q8_0' }), /Cannot open .*nope\.safetensors/);
  });
  it('a tensor that cannot be quantized (NaN) fails naming it; no OUT and no temporary file are left, an existing OUT is untouched', async () => {
    const nan = path.join(tmp, 'nan.safetensors');
    const x = floats(4 * 64, 9);
    x[77] = NaN;
    await io.writeSafetensors(nan, [{ name: 'ok', type: 'f32', shape: [4, 64], byteLength: 1024, data: bytes(floats(256, 8)) }, { name: 'has.nan', type: 'f32', shape: [4, 64], byteLength: 1024, data: bytes(x) }]);
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const out = path.join(dir, 'out.gguf');
    await assert.rejects(quantizeFile(nan, out, { scheme: 'q8_0' }), /nan\.safetensors: tensor has\.nan: .*77/);
    assert.deepEqual(fs.readdirSync(dir), []);
    fs.writeFileSync(out, 'keep me');
    await assert.rejects(quantizeFile(nan, out, { scheme: 'q8_0' }), /tensor has\.nan/);
    assert.deepEqual(fs.readdirSync(dir), ['out.gguf']);
    assert.equal(fs.readFileSync(out, 'utf8'), 'keep me');
  });
  it('include / exclude must be glob strings; options must be an object', async () => {
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.gguf'), { scheme: 'q8_0', include: [3] }), { name: 'TypeError', message: /glob string .* for options.include but received an Array\(1\)/ });
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.gguf')), { name: 'TypeError', message: /options object with a scheme/ });
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.gguf'), { scheme: 'q8_0', quantise1d: true }), { name: 'TypeError', message: /Unknown key 'quantise1d' in options \(did you mean 'quantize1d'\?\)/ });
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.gguf'), { scheme: 'q8_0', onProgress: 'yes' }), { name: 'TypeError', message: /Expected a function for options.onProgress but received 'yes'/ });
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.gguf'), { scheme: 'q8_0', metadata: ['a=b'] }), { name: 'TypeError', message: /object of key-values for options.metadata/ });
    await assert.rejects(quantizeFile(source, path.join(tmp, 'x.gguf'), { scheme: 'q8_0', include: 'nothing.*' }), /--include "nothing\.\*" leaves no float tensor of rank ≥ 2 to quantize/);
    await assert.rejects(compareFile(source, { sort: 'best' }), { name: 'RangeError', message: /'sqnr', 'size' or 'file' for options.sort but received 'best'/ });
    await assert.rejects(compareFile(source, { schemes: 'q8_0' }), { name: 'TypeError', message: /array of scheme names or specs for schemes but received 'q8_0'/ });
    await assert.rejects(compareFile(source, { schemes: [] }), { name: 'RangeError', message: /at least one scheme/ });
    await assert.rejects(compareFile(source, { schemes: ['q8_0', 'int8', 'q8_0'] }), { name: 'RangeError', message: /'q8_0' is at schemes\[0\] and schemes\[2\]/ });
    await assert.rejects(compareFile(source, { schemes: ['q8_0', 'int9'] }), { name: 'TypeError', message: /for schemes\[1\] but received 'int9'/ });
    await assert.rejects(dequantizeFile(source, path.join(tmp, 'y.npy')), /dequantize writes safetensors: name the output \.safetensors/);
    await assert.rejects(dequantizeFile(source, path.join(tmp, 'y.safetensors'), { dtype: 'f8' }), { name: 'RangeError', message: /'f32' or 'f16' for dtype but received "f8"/ });
  });
});

describe('both backends write identical files', () => {
  it('native and fallback: the same bytes for every GGUF and safetensors scheme', function () {
    this.timeout(120000);
    const script = `
      const { quantizeFile } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'io', 'convert'))});
      const crypto = require('node:crypto'); const fs = require('node:fs'); const path = require('node:path');
      (async () => { const out = {};
        for (const s of ['q8_0','q4_0','q4_1','q5_0','q5_1','q4_k','q5_k','q6_k','f16','bf16','int8-per-channel','uint8-per-channel','int4-per-channel','uint4-block32','int4-block128']) {
          const f = path.join(process.argv[1], process.env.QUANTKIT_BACKEND + '-' + s + (s.includes('-') ? '.safetensors' : '.gguf'));
          await quantizeFile(process.argv[2], f, { scheme: s });
          out[s] = crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
        }
        console.log(JSON.stringify(out)); })().catch((e) => { console.error(e); process.exit(1); });`;
    const run = (backend) => {
      const r = spawnSync(process.execPath, ['-e', script, tmp, source], { env: { ...process.env, QUANTKIT_BACKEND: backend, QUANTKIT_ISA: backend === 'native' ? process.env.QUANTKIT_ISA || '' : '' }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    assert.deepEqual(run('fallback'), run('native'));
  });
});

describe(`quantizeFile from and to tfjs (${qk.backend.name})`, () => {
  // face-api's tiny face detector: a bare weights manifest with uint8-quantized float32 weights.
  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  const manifest = path.join(modelDir, 'tiny_face_detector_model-weights_manifest.json');

  it('tfjs (uint8-quantized) → GGUF q8_0: weights are ggml.quantize of the floats tfjs decodes; rank-1 weights become F32 values', async () => {
    const out = path.join(tmp, 'tiny-q8_0.gguf');
    const r = await quantizeFile(manifest, out, { scheme: 'q8_0' });
    assert.equal(r.inputFormat, 'tfjs');
    const src = await io.openTensorFile(manifest);
    const g = await io.openTensorFile(out);
    try {
      for (const t of src.tensors) {
        const x = await src.readFloat32(t.name);
        const info = g.tensor(t.name);
        assert.deepEqual(info.shape, t.shape, t.name);
        if (t.shape.length < 2) {
          assert.equal(info.type, 'f32', t.name);
          assert.deepEqual(await g.readFloat32(t.name), x, t.name);
        } else {
          const type = ggufTypeFor('q8_0', t.shape[t.shape.length - 1]);
          assert.equal(info.type, type, t.name);
          assert.deepEqual(await g.readBytes(t.name), type === 'f16' ? bytes(qk.toFloat16(x)) : qk.ggml.quantize(x, type), t.name);
        }
      }
    } finally {
      await src.close();
      await g.close();
    }
  });

  for (const scheme of ['uint8', 'uint16', 'float16']) {
    it(`tfjs → tfjs ${scheme}: every weight within half a step of the source, the manifest rewritten`, async () => {
      const dir = fs.mkdtempSync(path.join(tmp, `tfjs-${scheme}-`));
      const out = path.join(dir, 'tiny-weights_manifest.json');
      await quantizeFile(manifest, out, { scheme, quantize1d: true });
      await assert.rejects(quantizeFile(manifest, path.join(dir, 'model.json'), { scheme }), /has no tfjs model topology, so .*model\.json would be a bare weights manifest/);
      const src = await io.openTensorFile(manifest);
      const dst = await io.openTensorFile(out);
      try {
        assert.equal(dst.format, 'tfjs');
        assert.deepEqual(dst.tensors.map((t) => t.name), src.tensors.map((t) => t.name));
        for (const t of dst.tensors) {
          assert.equal(t.quantization.dtype, scheme, t.name);
          const x = await src.readFloat32(t.name);
          const y = await dst.readFloat32(t.name);
          const step = scheme === 'float16' ? 0 : t.quantization.scale;
          for (let i = 0; i < x.length; i++) {
            const tol = scheme === 'float16' ? Math.abs(x[i]) * 2 ** -11 + 2 ** -25 : step / 2 + 1e-6 * Math.abs(x[i]) + 1e-7;
            assert.ok(Math.abs(x[i] - y[i]) <= tol, `${t.name}[${i}]: ${x[i]} vs ${y[i]}`);
          }
        }
      } finally {
        await src.close();
        await dst.close();
      }
    });
  }

  it('tfjs → safetensors int8: quantized weights, rank-1 weights as float32 values; dequantize restores them', async () => {
    const out = path.join(tmp, 'tiny-int8.safetensors');
    await quantizeFile(manifest, out, { scheme: 'int8-per-channel' });
    const back = path.join(tmp, 'tiny-back.safetensors');
    await dequantizeFile(out, back);
    const src = await io.openTensorFile(manifest);
    const f = await io.openTensorFile(out);
    const b = await io.openTensorFile(back);
    try {
      for (const t of src.tensors) {
        const x = await src.readFloat32(t.name);
        if (t.shape.length < 2) {
          assert.equal(f.tensor(t.name).type, 'f32');
          assert.deepEqual(await f.readFloat32(t.name), x);
        } else {
          assert.equal(f.tensor(t.name).type, 'i8');
          const rows = t.shape[0];
          const q = qk.quantizeDynamic(x, { dtype: 'int8', symmetric: true, axis: 0, shape: [rows, x.length / rows] });
          assert.deepEqual(await b.readFloat32(t.name), qk.dequantize(q.data, q), t.name);
        }
      }
    } finally {
      await src.close();
      await f.close();
      await b.close();
    }
  });
});

describe(`already-quantized inputs, odd tensors, metadata (${qk.backend.name})`, () => {
  it('quantizing a file quantkit or ggml already quantized is refused (its codes would be read as weights)', async () => {
    const int8 = path.join(tmp, 'again-int8.safetensors');
    await quantizeFile(source, int8, { scheme: 'int8-per-channel' });
    await assert.rejects(quantizeFile(int8, path.join(tmp, 'again.gguf'), { scheme: 'q8_0' }), /already quantized by quantkit .*run quantkit dequantize on it first/);
    await assert.rejects(compareFile(int8), /already quantized by quantkit/);
    const gguf = path.join(tmp, 'again-q8_0.gguf');
    await quantizeFile(source, gguf, { scheme: 'q8_0' });
    await assert.rejects(quantizeFile(gguf, path.join(tmp, 'again-q4_0.gguf'), { scheme: 'q4_0' }), /already quantized \(\d+ tensors in ggml blocks, e\.g\. layers\.0\.weight Q8_0\)/);
    assert.ok(!fs.existsSync(path.join(tmp, 'again-q4_0.gguf')));
  });

  it('compare on a GGUF file compares its ggml tensors as the floats they decode to', async () => {
    const gguf = path.join(tmp, 'cmp-q4_k.gguf');
    await quantizeFile(source, gguf, { scheme: 'q4_k' });
    const r = await compareFile(gguf, { schemes: ['int8-per-channel'] });
    const names = r.tensors.map((t) => t.name).sort();
    assert.deepEqual(names, ['layers.0.weight', 'layers.1.weight', 'layers.2.weight', 'odd.k100', 'odd.k288']);
    const g = await io.openTensorFile(gguf);
    const x = await g.readFloat32('layers.0.weight');
    await g.close();
    const [row] = qk.compare(x, { schemes: ['int8-per-channel'], shape: [64, 512] });
    assert.equal(r.tensors.find((t) => t.name === 'layers.0.weight').rows[0].mse, row.mse);
  });

  it('a tensor with NaN or ±Inf is left out of compare with the reason; the others are compared', async () => {
    const f = path.join(tmp, 'cmp-nan.safetensors');
    const bad = floats(256, 11);
    bad[9] = -Infinity;
    await io.writeSafetensors(f, [{ name: 'good', type: 'f32', shape: [4, 64], byteLength: 1024, data: bytes(floats(256, 10)) }, { name: 'bad', type: 'f32', shape: [4, 64], byteLength: 1024, data: bytes(bad) }]);
    const r = await compareFile(f, { schemes: ['q8_0'] });
    assert.deepEqual(r.tensors.map((t) => t.name), ['good']);
    assert.deepEqual(r.left, [{ name: 'bad', why: 'element 9 is -Infinity: no scheme quantizes NaN or ±Inf' }]);
  });

  it('tfjs weights (channels last): per-channel schemes take the last axis', async () => {
    const manifest = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model', 'tiny_face_detector_model-weights_manifest.json');
    const r = await compareFile(manifest, { schemes: ['int8-per-channel'] });
    const src = await io.openTensorFile(manifest);
    try {
      for (const t of r.tensors) {
        const x = await src.readFloat32(t.name);
        const out = t.shape[t.shape.length - 1];
        const e = qk.errorStats(x, qk.computeParams(x, { axis: 1, shape: [x.length / out, out], dtype: 'int8', symmetric: true }));
        assert.equal(t.rows[0].mse, e.mse, t.name);
      }
    } finally {
      await src.close();
    }
  });

  it('GGUF metadata of every type survives dequantize to safetensors as text; quantization_version is always written', async () => {
    const gguf = path.join(tmp, 'meta.gguf');
    await io.writeGguf(gguf, {
      metadata: [{ key: 'n', value: 3 }, { key: 'b', value: true }, { key: 'big', type: 'u64', value: 18446744073709551615n }, { key: 'arr', type: 'array<u64>', value: [1n, 2n] }, { key: 's', value: 'x' }],
      tensors: [{ name: 'w', type: 'f32', shape: [2, 32], byteLength: 256, data: bytes(floats(64, 12)) }],
    });
    const out = path.join(tmp, 'meta.safetensors');
    await dequantizeFile(gguf, out);
    const f = await io.openTensorFile(out);
    const { 'quantkit.gguf': typed, ...flat } = f.metadata;
    assert.deepEqual(flat, { n: '3', b: 'true', big: '18446744073709551615', arr: '["1","2"]', s: 'x' });
    assert.ok(typeof typed === 'string');
    await f.close();
    // … and back to GGUF with the types they had (quantkit.gguf carries them).
    const again = path.join(tmp, 'meta-again.gguf');
    await quantizeFile(out, again, { scheme: 'q8_0', quantize1d: true });
    const a = await io.openGguf(again);
    for (const [key, type, value] of [['n', 'u32', 3], ['b', 'bool', true], ['big', 'u64', 18446744073709551615n], ['arr', 'array<u64>', [1n, 2n]], ['s', 'string', 'x']]) {
      assert.deepEqual(a.gguf.kv.get(key), { type, value }, key);
    }
    assert.equal(a.gguf.kv.get('quantkit.gguf'), undefined);
    await a.close();
    const q = path.join(tmp, 'meta-q8_0.gguf');
    await quantizeFile(out, q, { scheme: 'q8_0', include: 'nothing-matches-*' }).catch((e) => assert.match(e.message, /leaves no float tensor/));
    await quantizeFile(source, q, { scheme: 'q4_k', include: 'odd.k100' }); // every tensor falls back to f16
    const g = await io.openTensorFile(q);
    assert.equal(g.metadata['general.quantization_version'], 2);
    assert.equal(g.tensor('odd.k100').type, 'f16');
    await g.close();
  });
});

describe(`values a format cannot hold (${qk.backend.name})`, () => {
  const file = path.join(tmp, 'mask.safetensors');
  before(async () => {
    // An attention-mask-like tensor: 0 and −1e5, past float16's 65504.
    const mask = Float32Array.from({ length: 64 * 64 }, (_, i) => ((i % 64) > (i >> 6) ? -1e5 : 0));
    const u32 = Uint32Array.from({ length: 8 }, (_, i) => 4e9 + i);
    await io.writeSafetensors(file, [
      { name: 'mask', type: 'f32', shape: [64, 64], byteLength: mask.byteLength, data: bytes(mask) },
      { name: 'w', type: 'f32', shape: [4, 64], byteLength: 1024, data: bytes(floats(256, 3)) },
      { name: 'ids', type: 'u32', shape: [8], byteLength: 32, data: bytes(u32) },
    ]);
  });

  for (const scheme of ['q4_1', 'q5_1', 'q5_k', 'f16']) {
    it(`${scheme}: a block whose float16 scale or min would overflow is refused, naming the tensor and element, nothing written`, async () => {
      const out = path.join(tmp, `mask-${scheme}.gguf`);
      await assert.rejects(quantizeFile(file, out, { scheme }), { name: 'RangeError', message: new RegExp(`tensor mask: element \\d+ \\((0|-100000)\\) becomes -Infinity in ${scheme === 'q5_k' ? 'q5_1' : scheme}`) });
      assert.ok(!fs.existsSync(out));
    });
  }

  it('q8_0 holds it (its scale is max/127); u32 tensors become I64 in GGUF', async () => {
    const out = path.join(tmp, 'mask-q8_0.gguf');
    await quantizeFile(file, out, { scheme: 'q8_0' });
    const g = await io.openGguf(out);
    assert.equal(g.tensor('ids').type, 'i64');
    assert.deepEqual(new BigInt64Array((await g.readBytes('ids')).slice().buffer), BigInt64Array.from({ length: 8 }, (_, i) => BigInt(4e9 + i)));
    await g.close();
  });

  it('compare gives the overflowing schemes a skipped row and goes on', async () => {
    const r = await compareFile(file, { schemes: ['q8_0', 'q4_1'] });
    const mask = r.tensors.find((t) => t.name === 'mask');
    assert.equal(mask.rows[0].skipped, undefined);
    assert.match(mask.rows[1].skipped, /Infinity/);
    assert.equal(r.tensors.length, 2);
  });

  it('NaN in a tensor is refused by the safetensors schemes too (it would become the zero point)', async () => {
    const nan = path.join(tmp, 'nan2.safetensors');
    const x = floats(256, 4);
    x[100] = NaN;
    await io.writeSafetensors(nan, [{ name: 'w', type: 'f32', shape: [4, 64], byteLength: 1024, data: bytes(x) }]);
    await assert.rejects(quantizeFile(nan, path.join(tmp, 'nan2-int8.safetensors'), { scheme: 'int8-per-channel' }), /tensor w: element 100 is NaN: no scheme quantizes NaN/);
  });

  it('safetensors f16 / bf16 schemes cast the selected tensors; F16 refuses values past 65504', async () => {
    const out = path.join(tmp, 'w-bf16.safetensors');
    await quantizeFile(file, out, { scheme: 'bfloat16', exclude: 'mask' });
    const f = await io.openTensorFile(out);
    assert.equal(f.tensor('w').type, 'bf16');
    assert.equal(f.tensor('mask').type, 'f32');
    await f.close();
    await assert.rejects(quantizeFile(file, path.join(tmp, 'w-f16.safetensors'), { scheme: 'f16' }), /tensor mask: element \d+ \(-100000\) is past float16's largest value 65504/);
  });

  it('names: Q4_K as inspect prints it; --to must agree with OUT\'s extension; reserved metadata keys; an --exclude that leaves nothing', async () => {
    const r = await quantizeFile(source, path.join(tmp, 'upper.gguf'), { scheme: 'Q4_K' });
    assert.equal(r.scheme, 'q4_k');
    await assert.rejects(quantizeFile(source, path.join(tmp, 'y.gguf'), { scheme: 'int8-per-channel', to: 'safetensors' }), /y\.gguf is named as gguf but --to says safetensors/);
    await assert.rejects(quantizeFile(source, path.join(tmp, 'y.gguf'), { scheme: 'q8_0', metadata: { 'general.file_type': 3 } }), /cannot set 'general\.file_type'/);
    await assert.rejects(quantizeFile(source, path.join(tmp, 'y.gguf'), { scheme: 'q8_0', exclude: '**' }), /--exclude "\*\*" leaves no float tensor/);
  });
});
