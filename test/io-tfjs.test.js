'use strict';
// quantkit/io tfjs: every real face-api model decodes to exactly what @tensorflow/tfjs decodes
// from the same files; quantkit-written models (uint8, uint16, float16, none) load in tfjs
// (decodeWeights, loadLayersModel) with the same tensors quantkit's reader gives; hostile
// manifests are refused; writes are all-or-nothing.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
require('./support/quantkit');
const io = require('../dist/io');
const { tfjsAffineParams } = require('../dist/io/tfjs');

// tfjs prints a hint about tfjs-node on load; keep the test output clean.
const log = console.log;
const warn = console.warn;
console.log = console.warn = () => {};
const tf = require('@tensorflow/tfjs');
tf.tensor([0]).dispose();
console.log = log;
console.warn = warn;

const FACE = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
const bits = (a) => new Uint32Array(Float32Array.from(a).buffer);
const f32bytes = (a) => new Uint8Array(Float32Array.from(a).buffer);

async function rejectsWith(promise, name, message) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.constructor.name, name, `error class for: ${e.message}`);
    if (message instanceof RegExp) assert.match(e.message, message);
    else assert.equal(e.message, message);
    return true;
  });
}

/** What tfjs decodes from a json (model.json or manifest) and its shards. */
function tfDecode(jsonPath) {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const groups = Array.isArray(json) ? json : json.weightsManifest;
  const out = {};
  for (const g of groups) {
    const buf = Buffer.concat(g.paths.map((p) => fs.readFileSync(path.join(path.dirname(jsonPath), p))));
    Object.assign(out, tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), g.weights));
  }
  return out;
}

async function assertSameAsTfjs(jsonPath) {
  const expected = tfDecode(jsonPath);
  const f = await io.openTfjs(jsonPath);
  try {
    assert.deepEqual(f.tensors.map((t) => t.name).sort(), Object.keys(expected).sort());
    for (const t of f.tensors) {
      const e = expected[t.name];
      assert.deepEqual(t.shape, e.shape, t.name);
      assert.equal(t.dtype, e.dtype, t.name);
      assert.deepEqual(bits(await f.readFloat32(t.name)), bits(e.dataSync()), t.name);
    }
    return f.tensors;
  } finally {
    await f.close();
    Object.values(expected).forEach((t) => t.dispose());
  }
}

describe('io: tfjs', function () {
  this.timeout(60000);
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-tfjs-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sub = () => fs.mkdtempSync(path.join(dir, 'm-'));

  describe('reader against tfjs on the face-api models', () => {
    const models = fs.readdirSync(FACE).filter((f) => f.endsWith('-weights_manifest.json'));
    it('finds the seven models', () => assert.equal(models.length, 7));
    for (const m of models) {
      it(`${m} decodes bit for bit as tf.io.decodeWeights`, async () => {
        const tensors = await assertSameAsTfjs(path.join(FACE, m));
        assert.ok(tensors.some((t) => t.quantization?.dtype === 'uint8'));
      });
    }
    it('lists quantized weights by their stored type, ranges read as sub-ranges', async () => {
      const p = path.join(FACE, 'tiny_face_detector_model-weights_manifest.json');
      assert.equal(await io.detectFormat(p), 'tfjs');
      const f = await io.openTfjs(p);
      const t = f.tensor('conv0/filters');
      assert.deepEqual([t.type, t.storedType, t.dtype, t.elements, t.byteLength, t.offset], ['u8', 'float32 (uint8 quantization)', 'float32', 432, 432, 0]);
      assert.equal(f.tfjs.kind, 'weights-manifest');
      const all = await f.readFloat32('conv0/filters');
      assert.deepEqual(bits(await f.readFloat32('conv0/filters', 100, 7)), bits(all.subarray(100, 107)));
      await rejectsWith(f.readFloat32('conv0/filters', 430, 5), 'RangeError', `${p}: elements [430, 435) are outside weight 'conv0/filters' (432 elements)`);
      assert.throws(() => f.tensor('nope'), { message: `${p}: no weight named 'nope'` });
      await f.close();
    });
  });

  describe('writer, loaded back by tfjs', () => {
    const rnd = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 43758.5453 % 1 * 3 - 0.5);
    const special = Float32Array.from([0, -0, 1e-8, -1e-8, 65504, 70000, -70000, 6e-8, 1 / 3, NaN, Infinity, -Infinity]);
    const sources = () => [
      { name: 'dense/kernel', type: 'f32', shape: [400, 30], byteLength: 48000, data: f32bytes(rnd(12000, 1)) },
      { name: 'dense/bias', type: 'f32', shape: [30], byteLength: 120, data: f32bytes(rnd(30, 2).map((v) => v + 2)) },
      { name: 'const', type: 'f32', shape: [3], byteLength: 12, data: f32bytes([0.7, 0.7, 0.7]) },
      { name: 'neg', type: 'f32', shape: [4], byteLength: 16, data: f32bytes([-1, -2, -3, -4]) },
      { name: 'ids', type: 'i64', shape: [3], byteLength: 24, data: new Uint8Array(new BigInt64Array([5n, -7n, 2n ** 31n - 1n]).buffer) },
      { name: 'mask', type: 'bool', shape: [2, 2], byteLength: 4, data: new Uint8Array([1, 0, 2, 1]) },
      { name: 'half', type: 'f16', shape: [2], byteLength: 4, data: new Uint8Array(new Uint16Array([0x3555, 0x8001]).buffer) },
    ];
    for (const quantize of [undefined, 'uint8', 'uint16', 'float16']) {
      it(`quantize ${quantize ?? 'none'}: tfjs decodes the same tensors quantkit reads, in several shards`, async () => {
        const d = sub();
        const out = path.join(d, 'weights_manifest.json');
        const progress = [];
        const r = await io.writeTfjs(out, { tensors: sources(), quantize, shardBytes: 4096, onProgress: (a, b, n) => progress.push([a, b, n]) });
        const per = { uint8: 1, uint16: 2, float16: 2 }[quantize] ?? 4;
        const total = (12000 + 30 + 3 + 4 + 2) * per + 12 + 4;
        assert.equal(r.weightBytes, total);
        const n = Math.ceil(total / 4096);
        assert.deepEqual(r.shards.map((s) => path.basename(s)), Array.from({ length: n }, (_, i) => `weights_manifest.group1-shard${i + 1}of${n}.bin`));
        assert.deepEqual(fs.readdirSync(d).sort(), [...r.shards.map((s) => path.basename(s)), 'weights_manifest.json'].sort());
        assert.deepEqual(progress.at(-1), [total, total, 'half']);
        const tensors = await assertSameAsTfjs(out);
        const q = Object.fromEntries(tensors.map((t) => [t.name, t.quantization?.dtype]));
        assert.deepEqual(q, { 'dense/kernel': quantize, 'dense/bias': quantize, const: quantize, neg: quantize, ids: undefined, mask: undefined, half: quantize });
        const f = await io.openTfjs(out);
        assert.deepEqual(Array.from(await f.readFloat32('ids')), [5, -7, 2 ** 31]); // 2^31 − 1 as float32
        assert.deepEqual(Array.from(await f.readFloat32('mask')), [1, 0, 1, 1]);
        if (quantize === 'uint8' || quantize === 'uint16') {
          // A constant weight: codes 0, scale 1, min the value (quantization.py's single-value case).
          assert.deepEqual([f.tensor('const').quantization.scale, f.tensor('const').quantization.min], [1, Math.fround(0.7)]);
          assert.deepEqual(Array.from(await f.readBytes('const')), quantize === 'uint8' ? [0, 0, 0] : [0, 0, 0, 0, 0, 0]);
          // All negative: no nudging, the max maps to the top code.
          assert.deepEqual(Array.from(await f.readFloat32('neg')).map((v) => Math.round(v * 1e4) / 1e4), [-1, -2, -3, -4]);
          // Zero is exactly representable when the range covers it.
          const k = f.tensor('dense/kernel').quantization;
          assert.equal(Math.fround(Math.round(-k.min / k.scale) * k.scale + k.min), 0);
        }
        if (quantize === undefined) assert.deepEqual(bits(await f.readFloat32('dense/kernel')), bits(rnd(12000, 1)));
        await f.close();
      });
    }

    it('uint8 parameters and codes as tfjs-converter computes them (write_weights.py docstring example)', async () => {
      const p = tfjsAffineParams(Float32Array.from([0, -0.1, 1.2]), 'uint8');
      assert.ok(Math.abs(p.min - -0.10196078817) < 1e-10 && Math.abs(p.scale - 0.00509803940852) < 1e-13, JSON.stringify(p));
      const d = sub();
      const out = path.join(d, 'm.json');
      await io.writeTfjs(out, { tensors: [{ name: 'w', type: 'f32', shape: [3], byteLength: 12, data: f32bytes([0, -0.1, 1.2]) }], quantize: 'uint8' });
      assert.deepEqual(Array.from(fs.readFileSync(path.join(d, 'm.group1-shard1of1.bin'))), [20, 0, 255]);
      const manifest = JSON.parse(fs.readFileSync(out, 'utf8'));
      assert.deepEqual(Object.keys(manifest[0].weights[0].quantization), ['dtype', 'min', 'scale', 'original_dtype']);
      const reader = await io.openTfjs(out);
      try {
        assert.equal(reader.tensor('w').quantization.originalDtype, 'float32');
      } finally {
        await reader.close();
      }
    });

    it('float16: special values (±0, subnormals, overflow, NaN, ±Inf) decode as tfjs decodes them', async () => {
      const d = sub();
      const out = path.join(d, 'm.json');
      await io.writeTfjs(out, { tensors: [{ name: 's', type: 'f32', shape: [special.length], byteLength: special.length * 4, data: f32bytes(special) }], quantize: 'float16' });
      await assertSameAsTfjs(out);
      const f = await io.openTfjs(out);
      const v = await f.readFloat32('s');
      assert.deepEqual([Object.is(v[1], -0), v[4], v[5], v[6], Number.isNaN(v[9]), v[10], v[11]], [true, 65504, Infinity, -Infinity, true, Infinity, -Infinity]);
      await f.close();
      await rejectsWith(
        io.writeTfjs(path.join(d, 'n.json'), { tensors: [{ name: 's', type: 'f32', shape: [special.length], byteLength: special.length * 4, data: f32bytes(special) }], quantize: 'uint8' }),
        'RangeError', `writeTfjs(${path.join(d, 'n.json')}): tensor 's': element 9 is NaN; uint8 quantization needs finite values`,
      );
    });

    it('a Layers model written with its topology loads in tf.loadLayersModel with the weights quantkit reads', async () => {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 60, inputShape: [40], name: 'd1' }), tf.layers.dense({ units: 2, name: 'd2' })] });
      let artifacts;
      await model.save(tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      const data = new Uint8Array(artifacts.weightData);
      let off = 0;
      const tensors = artifacts.weightSpecs.map((s) => {
        const n = s.shape.reduce((a, b) => a * b, 1) * 4;
        const t = { name: s.name, type: 'f32', shape: s.shape, byteLength: n, data: data.slice(off, off + n) };
        off += n;
        return t;
      });
      for (const quantize of ['uint8', 'uint16', 'float16', undefined]) {
        const d = sub();
        const out = path.join(d, 'model.json');
        await io.writeTfjs(out, { tensors, quantize, modelTopology: artifacts.modelTopology, format: 'layers-model', generatedBy: artifacts.generatedBy, shardBytes: 4096 });
        if (quantize === undefined) assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).weightsManifest[0].paths.length, 3);
        const handler = {
          async load() {
            const j = JSON.parse(fs.readFileSync(out, 'utf8'));
            const g = j.weightsManifest[0];
            const buf = Buffer.concat(g.paths.map((p) => fs.readFileSync(path.join(d, p))));
            return { modelTopology: j.modelTopology, weightSpecs: g.weights, weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), format: j.format };
          },
        };
        const loaded = await tf.loadLayersModel(handler);
        const f = await io.openTfjs(out);
        assert.equal(f.tfjs.kind, 'model.json');
        assert.equal(f.metadata.format, 'layers-model');
        assert.equal(f.metadata.convertedBy, 'quantkit');
        const ws = loaded.weights;
        assert.equal(ws.length, f.tensors.length);
        for (const w of ws) assert.deepEqual(bits(w.read().dataSync()), bits(await f.readFloat32(w.originalName)), `${quantize} ${w.originalName}`);
        await f.close();
        loaded.dispose();
      }
      model.dispose();
    });
  });

  describe('hostile manifests', () => {
    const shard = Buffer.alloc(64);
    const w = (extra) => [{ paths: ['s.bin'], weights: [{ name: 'w', shape: [4], dtype: 'float32', ...extra }] }];
    const cases = [
      ['not JSON', '{oops', 'Error', /: not valid JSON: /],
      ['neither model.json nor manifest', { weights: [] }, 'Error', (p) => `${p}: not a tfjs model.json (an object with a weightsManifest array) nor a weights manifest (an array of groups)`],
      ['group without paths', [{ weights: [] }], 'Error', (p) => `${p}: weightsManifest group 0 needs 'paths' and 'weights' arrays`],
      ['weight without name', [{ paths: ['s.bin'], weights: [{ shape: [1] }] }], 'Error', (p) => `${p}: group 0 weight 0 has no string 'name'`],
      ['string dtype', w({ dtype: 'string' }), 'Error', (p) => `${p}: weight 'w': dtype 'string' is not read by quantkit (only float32, int32 and bool)`],
      ['complex64', w({ dtype: 'complex64' }), 'Error', (p) => `${p}: weight 'w': dtype 'complex64' is not read by quantkit (only float32, int32 and bool)`],
      ['unknown dtype', w({ dtype: 'float64' }), 'Error', (p) => `${p}: weight 'w': unknown dtype "float64" (tfjs weights are float32, int32, bool, string or complex64)`],
      ['bad shape', w({ shape: [2, -1] }), 'RangeError', (p) => `${p}: weight 'w': shape [2, -1] has a dimension that is not a non-negative integer: -1`],
      ['unknown quantization', w({ quantization: { dtype: 'int4' } }), 'Error', (p) => `${p}: weight 'w': unknown quantization dtype "int4" (tfjs knows uint8, uint16 and float16)`],
      ['uint8 without scale', w({ quantization: { dtype: 'uint8', min: 0 } }), 'Error', (p) => `${p}: weight 'w': uint8 quantization needs finite numbers 'scale' and 'min'`],
      ['float16 on int32', w({ dtype: 'int32', quantization: { dtype: 'float16' } }), 'Error', (p) => `${p}: weight 'w': float16 quantization needs dtype float32 but the weight is int32`],
      ['quantized bool', w({ dtype: 'bool', quantization: { dtype: 'uint8', scale: 1, min: 0 } }), 'Error', (p) => `${p}: weight 'w': a bool weight cannot be quantized (tfjs refuses it)`],
      ['duplicate names', [{ paths: ['s.bin'], weights: [{ name: 'w', shape: [1], dtype: 'float32' }, { name: 'w', shape: [1], dtype: 'float32' }] }], 'Error', (p) => `${p}: weight 'w': duplicate name`],
      ['path leaving the folder', [{ paths: ['../s.bin'], weights: [] }], 'Error', (p) => `${p}: group 0 paths[0] '../s.bin' is not a file inside the json's folder`],
      ['absolute path', [{ paths: ['/etc/passwd'], weights: [] }], 'Error', (p) => `${p}: group 0 paths[0] '/etc/passwd' is not a file inside the json's folder`],
      ['missing shard', [{ paths: ['gone.bin'], weights: [] }], 'Error', /^Cannot open .*gone\.bin: ENOENT/],
      ['shards too short', w({ shape: [100] }), 'RangeError', (p) => `${p}: group 0's shards hold 64 bytes but its weights need 400`],
      ['shards too long', w({}), 'RangeError', (p) => `${p}: group 0's shards hold 64 bytes but its weights need 16: the shards do not match the manifest (were they replaced by another model's?)`],
    ];
    cases.forEach(([what, json, name, message], i) => {
      it(`refuses ${what}`, async () => {
        const d = sub();
        fs.writeFileSync(path.join(d, 's.bin'), shard);
        const p = path.join(d, `h${i}.json`);
        fs.writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
        await rejectsWith(io.openTfjs(p), name, typeof message === 'function' ? message(p) : message);
      });
    });
  });

  describe('writer errors and atomicity', () => {
    const t1 = { name: 't', type: 'f32', shape: [300], byteLength: 1200, data: new Uint8Array(1200) };
    it('overwriting keeps the json\'s and each shard\'s permission bits (0600 stays 0600)', async () => {
      const d = sub();
      const json = path.join(d, 'm.json');
      const big = { name: 'b', type: 'f32', shape: [2048], byteLength: 8192, data: new Uint8Array(8192) };
      const r = await io.writeTfjs(json, { tensors: [big], shardBytes: 4096 });
      assert.equal(r.shards.length, 2);
      for (const f of [json, ...r.shards]) fs.chmodSync(f, 0o600);
      fs.chmodSync(r.shards[1], 0o640);
      await io.writeTfjs(json, { tensors: [big], shardBytes: 4096 });
      assert.deepEqual([json, ...r.shards].map((f) => fs.statSync(f).mode & 0o777), [0o600, 0o600, 0o640]);
      assert.deepEqual(fs.readdirSync(d).sort(), ['m.group1-shard1of2.bin', 'm.group1-shard2of2.bin', 'm.json']);
    });

    it('a failing source leaves no json, no shard and no temporary file', async () => {
      const d = sub();
      const failing = { name: 'x', type: 'f32', shape: [4], byteLength: 16, async *chunks() { yield new Uint8Array(8); throw new Error('source broke'); } };
      await rejectsWith(io.writeTfjs(path.join(d, 'model.json'), { tensors: [t1, failing], shardBytes: 4096, modelTopology: {} }), 'Error', 'source broke');
      assert.deepEqual(fs.readdirSync(d), []);
      const short = { name: 'x', type: 'f32', shape: [4], byteLength: 16, async *chunks() { yield new Uint8Array(8); } };
      await rejectsWith(io.writeTfjs(path.join(d, 'model.json'), { tensors: [t1, short], shardBytes: 4096 }), 'RangeError', `writeTfjs(${path.join(d, 'model.json')}): tensor 'x': chunks() yielded 8 bytes but byteLength is 16`);
      assert.deepEqual(fs.readdirSync(d), []);
    });
    it('a failed rewrite leaves the previous model as it was', async () => {
      const d = sub();
      const out = path.join(d, 'model.json');
      await io.writeTfjs(out, { tensors: [t1], shardBytes: 4096 });
      const before = fs.readdirSync(d).sort().map((f) => [f, fs.readFileSync(path.join(d, f)).toString('hex')]);
      await rejectsWith(io.writeTfjs(out, { tensors: [{ ...t1, name: 'y', data: undefined, async *chunks() { throw new Error('nope'); } }], shardBytes: 4096 }), 'Error', 'nope');
      assert.deepEqual(fs.readdirSync(d).sort().map((f) => [f, fs.readFileSync(path.join(d, f)).toString('hex')]), before);
    });
    it('refuses OUT == IN, for the json and for a shard', async () => {
      const d = sub();
      const out = path.join(d, 'model.json');
      await io.writeTfjs(out, { tensors: [t1] });
      await rejectsWith(io.writeTfjs(out, { tensors: [t1], inputs: [out] }), 'Error', `Refusing to write ${out}: it is the input ${out} (write to another path, then rename)`);
      const s = path.join(d, 'group1-shard1of1.bin');
      await rejectsWith(io.writeTfjs(out, { tensors: [t1], inputs: [s] }), 'Error', `Refusing to write ${s}: it is the input ${s} (write to another path, then rename)`);
      assert.deepEqual(fs.readdirSync(d).sort(), ['group1-shard1of1.bin', 'model.json']);
    });
    it('shards are named after the json unless it is model.json: two models in one folder keep their own', async () => {
      const d = sub();
      const a = { name: 'a', type: 'f32', shape: [3], byteLength: 12, data: f32bytes([1, 2, 3]) };
      const b = { name: 'b', type: 'f32', shape: [5], byteLength: 20, data: f32bytes([5, 6, 7, 8, 9]) };
      const ra = await io.writeTfjs(path.join(d, 'a.json'), { tensors: [a], quantize: 'uint8' });
      const rb = await io.writeTfjs(path.join(d, 'b.json'), { tensors: [b] });
      const c = { name: 'c', type: 'f32', shape: [2500], byteLength: 10000, data: new Uint8Array(10000) };
      const rm = await io.writeTfjs(path.join(d, 'model.json'), { tensors: [c], modelTopology: {}, shardBytes: 4096 });
      assert.deepEqual([ra, rb].map((r) => r.shards.map((x) => path.basename(x))), [['a.group1-shard1of1.bin'], ['b.group1-shard1of1.bin']]);
      assert.deepEqual(rm.shards.map((x) => path.basename(x)), ['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']);
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(d, 'a.json'), 'utf8'))[0].paths, ['a.group1-shard1of1.bin']);
      const fa = await io.openTfjs(path.join(d, 'a.json'));
      assert.deepEqual(Array.from(await fa.readFloat32('a')).map((v) => Math.round(v * 100) / 100), [1, 2, 3]);
      await fa.close();
      const fb = await io.openTfjs(path.join(d, 'b.json'));
      assert.deepEqual(Array.from(await fb.readFloat32('b')), [5, 6, 7, 8, 9]);
      await fb.close();
      assert.deepEqual(fs.readdirSync(d).sort(), ['a.group1-shard1of1.bin', 'a.json', 'b.group1-shard1of1.bin', 'b.json',
        'group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin', 'model.json']);
    });
    it('a shard path that is a folder is refused before anything is written', async () => {
      const d = sub();
      fs.mkdirSync(path.join(d, 'm.group1-shard1of1.bin'));
      const s = path.join(d, 'm.group1-shard1of1.bin');
      await rejectsWith(io.writeTfjs(path.join(d, 'm.json'), { tensors: [t1] }), 'Error', `Refusing to write ${s}: it is a folder`);
      assert.deepEqual(fs.readdirSync(d), ['m.group1-shard1of1.bin']);
    });
    const errors = [
      ['bad quantize', { quantize: 'int8' }, 'TypeError', "expected quantize 'uint8', 'uint16', 'float16', a record by weight name or a function but received 'int8' (did you mean 'uint8'?)"],
      ['a quantize function giving a bad choice', { quantize: () => 'int8' }, 'TypeError', "tensor 't': expected quantize 'uint8', 'uint16' or 'float16' but received 'int8'"],
      ['bad shardBytes', { shardBytes: 0 }, 'RangeError', 'expected an integer of at least 4096 for shardBytes but received 0 (each shard is a file; tfjs-converter writes 4 MiB shards)'],
      ['tiny shardBytes', { shardBytes: 1 }, 'RangeError', 'expected an integer of at least 4096 for shardBytes but received 1 (each shard is a file; tfjs-converter writes 4 MiB shards)'],
      ['shardBytes just under 4096', { shardBytes: 4095 }, 'RangeError', 'expected an integer of at least 4096 for shardBytes but received 4095 (each shard is a file; tfjs-converter writes 4 MiB shards)'],
      ['fractional shardBytes', { shardBytes: 4096.5 }, 'RangeError', 'expected an integer of at least 4096 for shardBytes but received 4096.5 (each shard is a file; tfjs-converter writes 4 MiB shards)'],
      ['byteLength mismatch', { tensors: [{ ...t1, byteLength: 4 }] }, 'RangeError', "tensor 't': expected byteLength 1200 (shape [300] of f32) but received 4"],
      ['int64 out of int32', { tensors: [{ name: 'i', type: 'i64', shape: [1], byteLength: 8, data: new Uint8Array(new BigInt64Array([2n ** 40n]).buffer) }] }, 'RangeError', "tensor 'i': element 0 is 1099511627776, outside int32 (tfjs stores integers as int32)"],
      ['duplicate names', { tensors: [t1, t1] }, 'Error', "two tensors are named 't'"],
    ];
    errors.push(
      ['a misspelt option (quantise)', { quantise: 'uint8' }, 'TypeError', "Unknown key 'quantise' in options (did you mean 'quantize'?); the valid keys are 'tensors', 'quantize', 'modelTopology', 'format', 'generatedBy', 'convertedBy', 'signature', 'userDefinedMetadata', 'shardBytes', 'inputs', 'onProgress'"],
      ['a misspelt quantize choice, even with no float weight', { tensors: [{ name: 'i', type: 'i32', shape: [1], byteLength: 4, data: new Uint8Array(4) }], quantize: 'unit8' }, 'TypeError', "expected quantize 'uint8', 'uint16', 'float16', a record by weight name or a function but received 'unit8' (did you mean 'uint8'?)"],
      ['a quantize record naming no weight', { quantize: { T: 'uint8' } }, 'TypeError', "quantize names 'T', which is no weight (did you mean 't'?)"],
      ['a quantize record with a bad choice', { quantize: { t: 'int8' } }, 'TypeError', "expected quantize['t'] 'uint8', 'uint16' or 'float16' but received 'int8'"],
      ['quantize of the wrong type', { quantize: 8 }, 'TypeError', "expected quantize 'uint8', 'uint16', 'float16', a record by weight name or a function but received 8"],
      ['shardBytes of the wrong type', { shardBytes: '4096' }, 'TypeError', "expected a number for shardBytes but received '4096'"],
      ['format of the wrong type', { format: 1 }, 'TypeError', 'expected a string for format but received 1'],
      ['convertedBy of the wrong type', { convertedBy: false }, 'TypeError', 'expected a string or null for convertedBy but received false'],
    );
    it('openTfjs takes no options', async () => {
      const d = sub();
      const out = path.join(d, 'm.json');
      await io.writeTfjs(out, { tensors: [t1] });
      await rejectsWith(io.openTfjs(out, { bogus: 1 }), 'TypeError', `openTfjs(${out}): Unknown key 'bogus' in options; it takes no options`);
      await rejectsWith(io.openTensorFile(out, { bogus: 1 }), 'TypeError', `openTensorFile(${out}): Unknown key 'bogus' in options; it takes no options`);
    });
    for (const [what, opts, name, message] of errors) {
      it(`refuses ${what}, writing nothing`, async () => {
        const d = sub();
        const out = path.join(d, 'model.json');
        await rejectsWith(io.writeTfjs(out, { tensors: [t1], ...opts }), name, `writeTfjs(${out}): ${message}`);
        assert.deepEqual(fs.readdirSync(d), []);
      });
    }
  });
});
