'use strict';
// quantkit/onnx's model handling (README "ONNX models"): reading and writing models (protobuf
// round trip, external data), the opset upgrader, and the refusals of bad input: every error
// names what is wrong, and nothing is written.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const qk = require('./support/quantkit');
const { quantizeModel, loadModel, saveModel, upgradeOpset } = require('../dist/onnx');
const { encodeModel } = require('../dist/onnx/proto');
const { buildModel, runModel, REAL_MODELS } = require('./support/onnx-build');

const BIN = path.join(__dirname, '..', 'bin', 'quantkit.js');
let tmp;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-onnx-io-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function matmulModel({ opset = 13, k = 64, n = 32, extraNodes = [], extraInits = [] } = {}) {
  const w = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i * 0.7) * 0.3);
  return buildModel({
    opset,
    inputs: [['x', 'float', [2, k]]],
    outputs: [['y', 'float', [2, n]]],
    nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'], name: 'mm' }, ...extraNodes],
    initializers: [{ name: 'w', dims: [k, n], float: w }, ...extraInits],
  });
}
const feed = (k = 64) => ({ x: { data: Float32Array.from({ length: 2 * k }, (_, i) => Math.cos(i)), dims: [2, k] } });
const listing = () => fs.readdirSync(tmp).sort();

describe('quantkit/onnx: reading and writing models', function () {
  this.timeout(120000);
  it('decodes and re-encodes the real models byte for byte (every field of IR 11 is known)', async () => {
    for (const file of [REAL_MODELS.rec, REAL_MODELS.det, REAL_MODELS.cls, REAL_MODELS.vad]) {
      const { model } = await loadModel(file);
      assert.ok(Buffer.from(encodeModel(model)).equals(fs.readFileSync(file)), file);
    }
  });

  it('writes external data next to OUT and reads it back; ORT runs the pair with the same outputs', async () => {
    const bytes = matmulModel({ k: 256, n: 64 });
    const { model } = await loadModel(bytes);
    const out = path.join(tmp, 'm.onnx');
    const r = await saveModel(model, out, { externalData: true });
    assert.equal(r.dataFile, path.join(tmp, 'm.onnx.data'));
    assert.equal(fs.statSync(r.dataFile).size, 256 * 64 * 4);
    assert.ok(fs.statSync(out).size < 1024);
    const a = await runModel(bytes, feed(256));
    const b = await runModel(out, feed(256));
    assert.deepEqual(b.y.data, a.y.data);
    const back = await loadModel(out);
    assert.equal(back.hadExternalData, true);
    const direct = await loadModel(bytes);
    assert.ok(Buffer.from(encodeModel(back.model)).equals(Buffer.from(encodeModel(direct.model))), 'loading materializes the data: the same model as before');
    // quantizeModel keeps external data external when the input had it
    const q = await quantizeModel(out, { mode: 'weights-only', output: path.join(tmp, 'q.onnx') });
    assert.equal(q.dataFile, path.join(tmp, 'q.onnx.data'));
    const c = await runModel(path.join(tmp, 'q.onnx'), feed(256));
    assert.equal(c.y.data.length, a.y.data.length);
  });

  it('refuses missing, escaping and short external data, naming the tensor and the file', async () => {
    const { model } = await loadModel(matmulModel({ k: 256, n: 64 }));
    const out = path.join(tmp, 'm.onnx');
    await saveModel(model, out, { externalData: true });
    fs.renameSync(`${out}.data`, path.join(tmp, 'elsewhere'));
    await assert.rejects(quantizeModel(out, { mode: 'dynamic', output: path.join(tmp, 'q.onnx') }), /tensor w is stored in external data file .*m\.onnx\.data, which cannot be opened/);
    fs.writeFileSync(`${out}.data`, Buffer.alloc(100));
    await assert.rejects(loadModel(out), /tensor w reads bytes \[0, 65536\) of .*m\.onnx\.data, which has 100 bytes/);
    // a location outside the model's folder
    const m2 = (await loadModel(matmulModel({ k: 256, n: 64 }))).model;
    const w = m2.graph.initializer[0];
    w.rawData = new Uint8Array(0);
    w.dataLocation = 1;
    w.externalData = [{ key: 'location', value: '../../etc/passwd' }];
    await assert.rejects(loadModel(encodeModel(m2), tmp), /names external data "\.\.\/\.\.\/etc\/passwd" outside the model's folder/);
    await assert.rejects(loadModel(encodeModel(m2)), /pass the model as a path, or give externalDataDir/);
    assert.deepEqual(listing(), ['elsewhere', 'm.onnx', 'm.onnx.data']);
  });

  it('external data reached through a symbolic link to outside the model folder is refused', async () => {
    const { model } = await loadModel(matmulModel({ k: 256, n: 64 }));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-onnx-outside-'));
    try {
      const out = path.join(outside, 'm.onnx');
      await saveModel(model, out, { externalData: true });
      const dir = path.join(tmp, 'model');
      fs.mkdirSync(dir);
      fs.copyFileSync(out, path.join(dir, 'm.onnx'));
      fs.symlinkSync(`${out}.data`, path.join(dir, 'm.onnx.data'));
      await assert.rejects(loadModel(path.join(dir, 'm.onnx')), /names external data "m\.onnx\.data" outside the model's folder/);
      // A link inside the folder is fine.
      fs.rmSync(path.join(dir, 'm.onnx.data'));
      fs.copyFileSync(`${out}.data`, path.join(dir, 'real.data'));
      fs.symlinkSync('real.data', path.join(dir, 'm.onnx.data'));
      assert.equal((await loadModel(path.join(dir, 'm.onnx'))).hadExternalData, true);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('copies model bytes before the first await, refuses models newer than it knows, and checks OUT before any work', async () => {
    // The caller's buffer may change once quantizeModel has returned its promise.
    const bytes = new Uint8Array(matmulModel());
    const want = await quantizeModel(bytes.slice(), { mode: 'weights-only' });
    const p = quantizeModel(bytes, { mode: 'weights-only' });
    bytes.fill(0);
    assert.deepEqual((await p).bytes, want.bytes);
    // Newer than the schema and the operators quantkit knows.
    await assert.rejects(quantizeModel(matmulModel({ opset: 30 }), { mode: 'dynamic' }), /imports default-domain opset 30, newer than the newest quantkit knows \(23/);
    const { model } = await loadModel(matmulModel());
    model.irVersion = 99;
    await assert.rejects(loadModel(encodeModel(model)), /has ir_version 99, newer than the ONNX IR 11 schema quantkit reads/);
    // options.opset below what the mode needs.
    await assert.rejects(quantizeModel(matmulModel({ opset: 9 }), { mode: 'dynamic', opset: 10 }), (e) => e instanceof RangeError && /options\.opset to be at least 11, which mode 'dynamic' needs \(DynamicQuantizeLinear/.test(e.message));
    // OUT's folder, and OUT equal to the calibration file, before the model is read or calibrated.
    const m = path.join(tmp, 'm.onnx');
    fs.writeFileSync(m, matmulModel());
    let calls = 0;
    await assert.rejects(quantizeModel(m, { mode: 'dynamic', output: path.join(tmp, 'no', 'such', 'o.onnx'), onProgress: () => calls++ }), /its folder .* does not exist/);
    assert.equal(calls, 0);
    const cal = path.join(tmp, 'cal.npz');
    fs.writeFileSync(cal, 'calibration data');
    await assert.rejects(quantizeModel(m, { mode: 'qdq', calibration: cal, output: cal }), /Refusing to write .*cal\.npz/);
    assert.equal(fs.readFileSync(cal, 'utf8'), 'calibration data');
    // Messages that say what was passed.
    await assert.rejects(quantizeModel(new ArrayBuffer(8), { mode: 'dynamic' }), /received an ArrayBuffer.*\(wrap it: new Uint8Array/);
    const detached = new Uint8Array(8);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    await assert.rejects(quantizeModel(detached, { mode: 'dynamic' }), /whose buffer is detached/);
    await assert.rejects(loadModel(m, 5), /Expected externalDataDir to be a folder path \(non-empty string\) but received 5/);
    // saveModel checks its options key by key, as quantizeModel does.
    const { model: loaded } = await loadModel(m);
    await assert.rejects(saveModel(loaded, path.join(tmp, 'o.onnx'), { extrnalData: true }), (e) => e instanceof TypeError && /extrnalData/.test(e.message));
    await assert.rejects(saveModel(loaded, path.join(tmp, 'o.onnx'), { externalData: 'yes' }), /Expected options\.externalData to be true, false or 'auto' but received 'yes'/);
    assert.deepEqual(listing(), ['cal.npz', 'm.onnx']);
  });

  it('second trial findings: an empty weight is skipped, an unknown data_type refused, a small model saved as one file', async () => {
    // An empty MatMul weight ([0, 4]) has nothing to quantize; ORT refused the DequantizeLinear quantkit wrote.
    const empty = buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 0]]],
      outputs: [['y', 'float', [2, 4]]],
      initializers: [{ name: 'w', dims: [0, 4], float: new Float32Array(0) }],
      nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'], name: 'mm' }],
    });
    for (const mode of ['weights-only', 'dynamic']) {
      const r = await quantizeModel(empty, { mode });
      assert.equal(r.nodesChanged, 0, mode);
      assert.match(r.skipped[0].reason, /weight B 'w' is empty \(dims \[0, 4\]\)|'w' is empty/, mode);
      await runModel(r.bytes, { x: { data: new Float32Array(0), dims: [2, 0] } });
    }
    // A data_type that is no ONNX element type: refused, naming the initializer.
    const { model } = await loadModel(matmulModel());
    model.graph.initializer[0].dataType = 99;
    const out = path.join(tmp, 'o.onnx');
    await assert.rejects(quantizeModel(encodeModel(model), { mode: 'fp16', output: out }), /initializer w has data_type 99, which is no ONNX element type/);
    assert.ok(!fs.existsSync(out));
    // externalData: true with no tensor of 1024 bytes or more: no empty data file.
    const small = (await loadModel(matmulModel({ k: 4, n: 4 }))).model;
    const r = await saveModel(small, out, { externalData: true });
    assert.equal(r.dataFile, undefined);
    assert.deepEqual(listing(), ['o.onnx']);
  });

  it('refuses files that are not ONNX models, and writes nothing', async () => {
    const out = path.join(tmp, 'q.onnx');
    const cases = [
      [Buffer.from('not a model at all, just text\n'), /is not an ONNX model/],
      [Buffer.alloc(0), /is not an ONNX model \(it is empty\)/],
      [fs.readFileSync(REAL_MODELS.cls).subarray(0, 300000), /is not an ONNX model \(the protobuf does not decode/],
      [fs.readFileSync(path.join(__dirname, '..', 'assets', 'paddleocr-cls.safetensors')), /is not an ONNX model/],
    ];
    for (const [bytes, re] of cases) {
      const file = path.join(tmp, 'in.onnx');
      fs.writeFileSync(file, bytes);
      await assert.rejects(quantizeModel(file, { mode: 'dynamic', output: out }), re);
      await assert.rejects(quantizeModel(bytes, { mode: 'dynamic' }), re);
    }
    assert.deepEqual(listing(), ['in.onnx']);
  });

  it('refuses OUT equal to IN (also through a symbolic link), leaving IN as it was', async () => {
    const file = path.join(tmp, 'm.onnx');
    fs.writeFileSync(file, matmulModel());
    const before = fs.readFileSync(file);
    await assert.rejects(quantizeModel(file, { mode: 'dynamic', output: file }), /it is the input/);
    fs.symlinkSync(file, path.join(tmp, 'link.onnx'));
    await assert.rejects(quantizeModel(file, { mode: 'dynamic', output: path.join(tmp, 'link.onnx') }), /it is the input/);
    assert.ok(fs.readFileSync(file).equals(before));
    assert.deepEqual(listing(), ['link.onnx', 'm.onnx']);
  });

  it('checks every option before reading the model, naming the option and the value', async () => {
    const m = matmulModel();
    const cases = [
      [undefined, TypeError, /Expected options with a mode/],
      [{}, TypeError, /Expected options\.mode to be one of 'dynamic', 'qdq', 'weights-only', 'matmul-nbits', 'fp16' but received undefined/],
      [{ mode: 'int8' }, RangeError, /options\.mode .* but received 'int8'/],
      [{ mode: 'dynamic', perchannel: true }, TypeError, /perchannel.*perChannel/],
      [{ mode: 'dynamic', calibration: [] }, TypeError, /options\.calibration applies to mode 'qdq', not 'dynamic'/],
      [{ mode: 'qdq' }, TypeError, /Mode 'qdq' needs options\.calibration/],
      [{ mode: 'qdq', calibration: 42 }, TypeError, /Expected options\.calibration to be a \.npz path or an iterable of feeds but received 42/],
      [{ mode: 'matmul-nbits', blockSize: 48 }, RangeError, /options\.blockSize to be a power of 2 .* but received 48/],
      [{ mode: 'weights-only', weightType: 'int3' }, RangeError, /options\.weightType .* but received 'int3'/],
      [{ mode: 'dynamic', weightType: 'int4' }, RangeError, /options\.weightType to be one of 'int8', 'uint8' but received 'int4'/],
      [{ mode: 'weights-only', blockSize: 32, perChannel: true }, TypeError, /exclude each other/],
      [{ mode: 'qdq', calibration: [], method: 'minmax', bins: 100 }, TypeError, /options\.bins applies to the histogram methods/],
      [{ mode: 'dynamic', opset: 99 }, RangeError, /options\.opset to be an integer in \[7, 21\] but received 99/],
      [{ mode: 'fp16', output: '' }, TypeError, /options\.output to be a path but received ''/],
    ];
    for (const [opts, cls, re] of cases) await assert.rejects(quantizeModel(m, opts), (e) => e instanceof cls && re.test(e.message), JSON.stringify(opts));
    await assert.rejects(quantizeModel(m, { mode: 'dynamic', excludeOp: ['Convv'] }), /options\.excludeOp 'Convv' matches no node of the model \(its op types: MatMul\)/);
    await assert.rejects(quantizeModel(m, { mode: 'dynamic', excludeNode: ['**/stft/Conv'] }), /options\.excludeNode '\*\*\/stft\/Conv' matches no node name of the model \(names look like 'mm'\)/);
    const loaded = await loadModel(m);
    assert.throws(() => upgradeOpset(loaded, 13), /Expected model to be an ONNX ModelProto as loadModel returns it in \.model \(loadModel returns \{ model, … \}: pass its \.model\)/);
    assert.throws(() => upgradeOpset(loaded.model, 12), (e) => e instanceof RangeError && /cannot upgrade from opset 13 to the lower 12/.test(e.message));
    await assert.rejects(saveModel({}, path.join(tmp, 'x.onnx')), /Expected model to be an ONNX ModelProto .* but received an object with keys \(none\)/);
    await assert.rejects(saveModel(null, path.join(tmp, 'x.onnx')), /but received null/);
    assert.throws(() => upgradeOpset(m, 13), /for model bytes, decode them with loadModel first\) but received a (Buffer|Uint8Array) of \d+ bytes/);
    assert.throws(() => upgradeOpset(loaded.model, '13'), /Expected opset to be an integer but received '13'/);
    await assert.rejects(quantizeModel(m, { mode: 'fp16', keepFloat32Ops: ['Sofmax'] }), /options\.keepFloat32Ops 'Sofmax' matches no node of the model/);
    await assert.rejects(quantizeModel(m, { mode: 'weights-only', blockSize: 32, perChannel: false }), (e) => e instanceof TypeError && /options\.blockSize and options\.perChannel: false exclude each other/.test(e.message));
    await assert.rejects(quantizeModel(m, { mode: 'matmul-nbits', blockSize: 512 }), (e) => e instanceof RangeError && /one of 16, 32, 64, 128, 256 .* but received 512/.test(e.message));
    await assert.rejects(quantizeModel(42, { mode: 'dynamic' }), /Expected model to be a path \(string\) or the model's bytes \(Uint8Array\) but received 42/);
  });
});

describe('quantkit/onnx: the subpath export', function () {
  this.timeout(60000);
  it("require('quantkit') does not load protobufjs; require('quantkit/onnx') gives quantizeModel", () => {
    const script = `
      require('quantkit');
      const before = Object.keys(require.cache).filter((k) => /[\\/]protobufjs[\\/]/.test(k)).length;
      const onnx = require('quantkit/onnx');
      const after = Object.keys(require.cache).filter((k) => /[\\/]protobufjs[\\/]/.test(k)).length;
      console.log(JSON.stringify({ before, after, fn: typeof onnx.quantizeModel, modes: onnx.MODEL_MODES }));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.before, 0);
    assert.ok(o.after > 0);
    assert.equal(o.fn, 'function');
    assert.deepEqual(o.modes, ['dynamic', 'qdq', 'weights-only', 'matmul-nbits', 'fp16']);
  });
});

describe('quantkit/onnx: opset upgrades', function () {
  this.timeout(120000);
  it('upgrades PaddleOCR recognition and direction (opset 9) to 11, 13 and 21 with the same outputs in ORT', async () => {
    const { textImage } = require('./support/real-models');
    for (const [key, w] of [['rec', 320], ['cls', 192]]) {
      const x = await textImage('upgrade 13', 48, w);
      const ref = await runModel(REAL_MODELS[key], { x });
      for (const target of [11, 13, 21]) {
        const { model } = await loadModel(REAL_MODELS[key]);
        upgradeOpset(model, target, key);
        const got = await runModel(encodeModel(model), { x });
        for (const [name, o] of Object.entries(ref)) {
          const g = got[name].data;
          let worst = 0;
          for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i] - o.data[i]));
          assert.ok(worst <= 1e-5, `${key} → opset ${target}: ${name} differs by ${worst}`);
        }
      }
    }
  });

  it('rewrites Softmax before opset 13 (2-D flattening at axis) so that its meaning is kept', async () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
    const bytes = buildModel({ opset: 11, inputs: [['x', 'float', [2, 3, 4]]], outputs: [['y', 'float', [2, 3, 4]]], nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'], attrs: { axis: 1 } }] });
    const ref = await runModel(bytes, { x: { data, dims: [2, 3, 4] } });
    const { model } = await loadModel(bytes);
    upgradeOpset(model, 13, 'softmax');
    assert.deepEqual(model.graph.node.map((n) => n.opType), ['Flatten', 'Softmax', 'Shape', 'Reshape']);
    const got = await runModel(encodeModel(model), { x: { data, dims: [2, 3, 4] } });
    assert.deepEqual(Array.from(got.y.data, (v) => v.toFixed(6)), Array.from(ref.y.data, (v) => v.toFixed(6)));
  });

  it('moves Clip\'s and Pad\'s attributes to inputs of the input\'s own element type (float16 models stay valid)', async () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => (i - 4) * 1.7);
    const bytes = buildModel({
      opset: 9,
      inputs: [['x', 'float', [3, 4]]],
      outputs: [['y', 'float', [3, 4]], ['z', 'float', [3, 8]]],
      nodes: [
        { op: 'Cast', inputs: ['x'], outputs: ['h'], attrs: { to: 10 } },
        { op: 'Clip', inputs: ['h'], outputs: ['hc'], attrs: { min: { float: -2.5 }, max: { float: 6 } } },
        { op: 'Cast', inputs: ['hc'], outputs: ['y'], attrs: { to: 1 } },
        { op: 'Relu', inputs: ['h'], outputs: ['hr'] },
        { op: 'Pad', inputs: ['hr'], outputs: ['hp'], attrs: { pads: [0, 2, 0, 2], value: { float: 1.5 } } },
        { op: 'Cast', inputs: ['hp'], outputs: ['z'], attrs: { to: 1 } },
      ],
    });
    const { model } = await loadModel(bytes);
    upgradeOpset(model, 13, 'float16 clip');
    const types = model.graph.initializer.map((t) => t.dataType);
    assert.deepEqual(types.filter((t) => t !== 7), [10, 10, 10], 'Clip min/max and the Pad value are float16');
    const got = await runModel(encodeModel(model), { x: { data, dims: [3, 4] } });
    // What the graph computes: x rounded to float16, clipped; relu'd and padded with 1.5. ORT's
    // optimizer may drop the Cast pairs and compute in float32, so each value is either.
    const h = qk.fromFloat16(qk.toFloat16(data));
    const y = Array.from(data, (v) => Math.min(6, Math.max(-2.5, v)));
    const z = [];
    for (let r = 0; r < 3; r++) z.push(1.5, 1.5, ...Array.from(data.subarray(r * 4, r * 4 + 4), (v) => Math.max(0, v)), 1.5, 1.5);
    const near = (a, b) => Math.abs(a - b) <= Math.abs(b) * 2 ** -10;
    y.forEach((v, i) => assert.ok(near(got.y.data[i], v) && near(Math.min(6, Math.max(-2.5, h[i])), got.y.data[i]) , `y[${i}] ${got.y.data[i]} vs ${v}`));
    z.forEach((v, i) => assert.ok(near(got.z.data[i], v), `z[${i}] ${got.z.data[i]} vs ${v}`));
  });

  // Each upgraded model gives ORT's outputs of the original model, which ORT runs at its own opset.
  const sameInOrt = async (bytes, target, feeds) => {
    const ref = await runModel(bytes, feeds);
    const { model } = await loadModel(bytes);
    upgradeOpset(model, target, 'm');
    const got = await runModel(encodeModel(model), feeds);
    for (const k of Object.keys(ref)) assert.deepEqual(Array.from(got[k].data), Array.from(ref[k].data), `${k} at opset ${target}`);
    return model;
  };

  it('Resize-10 becomes Resize-11 with its coordinate rules (asymmetric; nearest by floor up, ceil down, as ORT runs it): same outputs', async () => {
    const x = Float32Array.from({ length: 2 * 5 * 7 }, (_, i) => Math.sin(i * 0.7) * 3);
    const resize = (mode, scales, constant = true) => buildModel({
      opset: 10,
      inputs: [['x', 'float', [1, 2, 5, 7]], ...(constant ? [] : [['scales', 'float', [4]]])],
      outputs: [['y', 'float']],
      initializers: constant ? [{ name: 'scales', dims: [4], float: Float32Array.from(scales) }] : [],
      nodes: [{ op: 'Resize', inputs: ['x', 'scales'], outputs: ['y'], attrs: mode ? { mode } : {} }],
    });
    for (const mode of ['nearest', 'linear', undefined]) {
      for (const scales of [[1, 1, 2, 3], [1, 1, 0.6, 0.5], ...(mode === 'linear' ? [[1, 1, 1.5, 0.75]] : [])]) {
        for (const target of [11, 13, 21]) {
          const model = await sameInOrt(resize(mode, scales), target, { x: { data: x, dims: [1, 2, 5, 7] } });
          assert.equal(model.graph.node[0].input.length, 3, `${mode} ${scales}: (X, roi, scales)`);
        }
      }
    }
    // Nearest with one axis up and one down has no one Resize-11 rule; neither do scales that are not constants.
    const { model: mixed } = await loadModel(resize('nearest', [1, 1, 1.5, 0.75]));
    assert.throws(() => upgradeOpset(mixed, 11, 'r'), /cannot upgrade node Resize_0 \(Resize\) from opset 10 to 11: .*floor along axes scaled up and ceil along axes scaled down.*\[1, 1, 1\.5, 0\.75\]/);
    const { model: fed } = await loadModel(resize(undefined, [], false));
    assert.throws(() => upgradeOpset(fed, 11, 'r'), /its scales are not a constant/);
    await sameInOrt(resize('linear', [], false), 11, { x: { data: x, dims: [1, 2, 5, 7] }, scales: { data: Float32Array.of(1, 1, 1.5, 0.75), dims: [4] } });
  });

  it('Scatter (deprecated at 11) becomes ScatterElements, BatchNormalization-7 loses spatial = 1, RoiAlign-10 keeps output_half_pixel at 16', async () => {
    const scatter = buildModel({
      opset: 9,
      inputs: [['d', 'float', [3, 4]], ['u', 'float', [2, 4]]],
      outputs: [['y', 'float', [3, 4]]],
      initializers: [{ name: 'ix', dims: [2, 4], dataType: 'int64', raw: new Uint8Array(BigInt64Array.from([0n, 2n, 1n, 0n, 2n, 1n, 0n, 1n]).buffer) }],
      nodes: [{ op: 'Scatter', inputs: ['d', 'ix', 'u'], outputs: ['y'], attrs: { axis: 0 } }],
    });
    const d = Float32Array.from({ length: 12 }, (_, i) => i);
    const u = Float32Array.from({ length: 8 }, (_, i) => -1 - i);
    const sm = await sameInOrt(scatter, 13, { d: { data: d, dims: [3, 4] }, u: { data: u, dims: [2, 4] } });
    assert.equal(sm.graph.node[0].opType, 'ScatterElements');

    const bn = (spatial) => buildModel({
      opset: 7,
      inputs: [['x', 'float', [1, 3, 2, 2]]],
      outputs: [['y', 'float', [1, 3, 2, 2]]],
      initializers: ['s', 'b', 'm', 'v'].map((name, k) => ({ name, dims: [3], float: Float32Array.from([1 + k, 0.5 * k, -k, 2 + k]).subarray(0, 3) })),
      nodes: [{ op: 'BatchNormalization', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'], attrs: { spatial } }],
    });
    const xb = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i));
    const bm = await sameInOrt(bn(1), 13, { x: { data: xb, dims: [1, 3, 2, 2] } });
    assert.ok(!bm.graph.node[0].attribute.some((a) => a.name === 'spatial'));
    const { model: b0 } = await loadModel(bn(0));
    assert.throws(() => upgradeOpset(b0, 13, 'bn'), /cannot upgrade node BatchNormalization_0 \(BatchNormalization\) from opset 7 to 13: BatchNormalization with spatial = 0/);

    const roi = buildModel({
      opset: 10,
      inputs: [['x', 'float', [1, 1, 6, 6]], ['rois', 'float', [2, 4]]],
      outputs: [['y', 'float']],
      initializers: [{ name: 'bi', dims: [2], dataType: 'int64', raw: new Uint8Array(BigInt64Array.from([0n, 0n]).buffer) }],
      nodes: [{ op: 'RoiAlign', inputs: ['x', 'rois', 'bi'], outputs: ['y'], attrs: { output_height: 2, output_width: 2, sampling_ratio: 2 } }],
    });
    const xr = Float32Array.from({ length: 36 }, (_, i) => (i * 7) % 11);
    const rm = await sameInOrt(roi, 16, { x: { data: xr, dims: [1, 1, 6, 6] }, rois: { data: Float32Array.of(0.5, 0.5, 4.5, 3.5, 1, 2, 5, 5), dims: [2, 4] } });
    assert.ok(rm.graph.node[0].attribute.some((a) => a.name === 'coordinate_transformation_mode'));
  });

  it('refuses models below opset 7 and Scan-8, naming why', async () => {
    const { model: old } = await loadModel(matmulModel({ opset: 6 }));
    assert.throws(() => upgradeOpset(old, 11, 'm6'), /m6: cannot upgrade from opset 6: quantkit's upgrader starts at opset 7/);
    const scan = buildModel({
      opset: 8,
      inputs: [['x', 'float', [1, 2, 3]]],
      outputs: [['y', 'float']],
      nodes: [{ op: 'Scan', inputs: ['', 'x'], outputs: ['y'], attrs: { num_scan_inputs: 1, body: { graph: { inputs: [['xi', 'float', [3]]], outputs: [['yo', 'float', [3]]], nodes: [{ op: 'Identity', inputs: ['xi'], outputs: ['yo'] }] } } } }],
    });
    const { model: sm } = await loadModel(scan);
    assert.throws(() => upgradeOpset(sm, 11, 'scan'), /cannot upgrade node Scan_0 \(Scan\) from opset 8 to 11: Scan-8 has a batch axis/);
  });

  it('refuses an operator it cannot upgrade by name, and the mode says which opset it needs; nothing is written', async () => {
    const bytes = matmulModel({ opset: 9, extraNodes: [{ op: 'Upsample', inputs: ['y', 'scales'], outputs: ['z'], name: 'up' }], extraInits: [{ name: 'scales', dims: [2], float: Float32Array.of(1, 2) }] });
    const out = path.join(tmp, 'q.onnx');
    await assert.rejects(quantizeModel(bytes, { mode: 'dynamic', output: out }), /opset 9; mode 'dynamic' needs 11: .*cannot upgrade node up \(Upsample\) from opset 9 to 11: Upsample was removed in opset 10/);
    const odd = matmulModel({ opset: 9, extraNodes: [{ op: 'FancyOp', inputs: ['y'], outputs: ['z'], name: 'fancy' }] });
    await assert.rejects(quantizeModel(odd, { mode: 'dynamic' }), /does not know operator FancyOp/);
    await assert.rejects(quantizeModel(matmulModel({ opset: 13 }), { mode: 'dynamic', opset: 12 }), /options\.opset to be at least the model's opset 13/);
    assert.deepEqual(listing(), []);
  });
});

describe('quantkit quantize on ONNX models: usage errors', function () {
  this.timeout(120000);
  it('SIGINT at any moment leaves either nothing or the complete model with its data file', async () => {
    const { spawn } = require('node:child_process');
    for (const delay of [60, 160, 260, 360, 460, 560]) {
      const dir = fs.mkdtempSync(path.join(tmp, `sig${delay}-`));
      const child = spawn(process.execPath, [BIN, 'quantize', REAL_MODELS.rec, path.join(dir, 'o.onnx'), '--mode', 'weights-only', '--external-data', '--quiet'], { stdio: 'ignore' });
      const done = new Promise((resolve) => child.on('exit', resolve));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGINT');
      await done;
      const left = fs.readdirSync(dir).sort();
      if (left.length === 0) continue;
      assert.deepEqual(left, ['o.onnx', 'o.onnx.data'], `after SIGINT at ${delay} ms`);
      await runModel(path.join(dir, 'o.onnx'), { x: { data: new Float32Array(3 * 48 * 320), dims: [1, 3, 48, 320] } });
    }
  });

  const run = (...args) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  it('the library options that default to true have --no- flags; --bins and --external-data-dir reach the library', () => {
    const m = path.join(tmp, 'bn.onnx');
    const w = Float32Array.from({ length: 4 * 3 * 9 }, (_, i) => Math.sin(i));
    fs.writeFileSync(m, buildModel({
      opset: 13,
      inputs: [['x', 'float', [1, 3, 8, 8]]],
      outputs: [['y', 'float']],
      initializers: [{ name: 'W', dims: [4, 3, 3, 3], float: w }, ...['s', 'b', 'mu', 'v'].map((name, k) => ({ name, dims: [4], float: Float32Array.from([1 + k, 0.5, 0.25 * k, 1 + 0.1 * k]) }))],
      nodes: [{ op: 'Conv', inputs: ['x', 'W'], outputs: ['c'] }, { op: 'BatchNormalization', inputs: ['c', 's', 'b', 'mu', 'v'], outputs: ['y'] }],
    }));
    const folded = (...flags) => {
      const r = run('quantize', m, path.join(tmp, 'o.onnx'), '--json', ...flags);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).batchNormsFolded;
    };
    assert.equal(folded('--mode', 'weights-only'), 1);
    assert.equal(folded('--mode', 'weights-only', '--no-fold-batch-norm'), 0);
    assert.equal(folded('--mode', 'fp16'), 1);
    assert.equal(folded('--mode', 'fp16', '--no-fold-batch-norm', '--no-external-data'), 0);
    let r = run('quantize', m, path.join(tmp, 'o.onnx'), '--mode', 'dynamic', '--bins', '64');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--bins applies to mode 'qdq', not 'dynamic'/);
    r = run('quantize', m, path.join(tmp, 'o.onnx'), '--mode', 'dynamic', '--external-data-dir', path.join(tmp, 'nowhere'));
    assert.equal(r.status, 0, r.stderr);
  });

  it('needs --mode, refuses --scheme and the ONNX flags on tensor files, with exit status 2', () => {
    const m = path.join(tmp, 'm.onnx');
    fs.writeFileSync(m, matmulModel());
    const out = path.join(tmp, 'o.onnx');
    let r = run('quantize', m, out);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^quantkit: ONNX models need --mode \(dynamic, qdq, weights-only, matmul-nbits, fp16\)/);
    r = run('quantize', m, out, '--mode', 'dynamic', '--scheme', 'q8_0');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--scheme is for tensor files; ONNX models take --mode/);
    r = run('quantize', m, out, '--mode', 'int8');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /argument 'int8' is invalid. Allowed choices are dynamic, qdq, weights-only, matmul-nbits, fp16/);
    r = run('quantize', path.join(__dirname, '..', 'assets', 'paddleocr-cls.safetensors'), path.join(tmp, 'o.gguf'), '--scheme', 'q8_0', '--per-channel');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--per-channel applies to ONNX models/);
    r = run('quantize', m, out, '--mode', 'qdq');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^quantkit: Mode 'qdq' needs --calibration/);
    r = run('quantize', m, out, '--mode', 'dynamic', '--calibration', 'x.npz');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^quantkit: --calibration applies to mode 'qdq', not 'dynamic'/);
    r = run('quantize', m, out, '--mode', 'matmul-nbits', '--block-size', '17');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^quantkit: Expected --block-size to be a power of 2 .* but received 17/);
    r = run('quantize', m, out, '--mode', 'fp16', '--include', 'w');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^quantkit: --include applies to tensor files, not to ONNX models/);
    r = run('quantize', m, path.join(tmp, 'o.gguf'), '--mode', 'fp16');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^quantkit: OUT for an ONNX model must end in \.onnx/);
    r = run('quantize', m, out, '--mode', 'dynamic', '--exclude-op', 'Foo');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^quantkit: --exclude-op 'Foo' matches no node of .*m\.onnx \(its op types: MatMul\)/);
    r = run('quantize', m, out, '--mode', 'dynamic', '--exclude-node', '');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--exclude-node <name>' argument '' is invalid/);
    r = run('quantize', m, out, '--mode', 'weights-only', '--weight-type', 'int4', '--opset', '13');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^quantkit: Expected --opset to be at least 21, which mode 'weights-only' needs/);
    r = spawnSync(process.execPath, [BIN, 'inspect', m], { encoding: 'utf8', env: { ...process.env, QUANTKIT_BACKEND: 'bogus' } });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "quantkit: Expected QUANTKIT_BACKEND to be 'native', 'wasm', 'fallback' or unset but received 'bogus'\n");
    r = run('quantize', m, out, '--mode', 'weights-only', '--block-size', '32', '--per-tensor');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^quantkit: --block-size and --per-tensor exclude each other/);
    r = run('quantize', m, out, '--mode', 'dynamic', '--exclude-op', 'MatMul');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /nodes changed: 0 \(every node mode dynamic rewrites was left as it was, as listed below; OUT is the model as read\)\nnodes left as they were: 1\n\s+1\s+MatMul: excluded by --exclude-op 'MatMul'/);
    fs.rmSync(out);
    r = run('quantize', path.join(__dirname, '..', 'assets', 'paddleocr-cls.safetensors'), path.join(tmp, 'o.safetensors'), '--mode', 'dynamic');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /paddleocr-cls\.safetensors is a safetensors file, not an ONNX model: --mode is for ONNX models; tensor files take --scheme/);
    r = run('quantize', m, out, '--mode', 'qdq', '--calibration', path.join(tmp, 'nope.npz'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^quantkit: --calibration: Cannot open .*nope\.npz/);
    r = run('inspect', m);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /an ONNX model is quantized with `quantkit quantize IN\.onnx OUT\.onnx --mode …`/);
    assert.deepEqual(listing(), ['m.onnx']);
  });
});
