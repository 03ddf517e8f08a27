'use strict';
// quantizeModel mode 'fp16': float32 → float16 as onnxconverter-common's
// convert_float_to_float16(keep_io_types=True) does. Oracles: onnxruntime-node runs every
// output and is compared with the float model; the converter's tensor rule (clamp to
// ±[1e-7, 65504], then round to nearest even) is restated here with its own float16 rounding;
// the graph is read back with onnx-proto and its casts and types checked.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { onnx } = require('onnx-proto');
const qk = require('./support/quantkit');
const { prng } = require('./support/data');
const { buildModel, runModel, REAL_MODELS } = require('./support/onnx-build');
const { quantizeModel } = require('../dist/onnx');
const { weights, linearModel } = require('./support/onnx-weight-models');
const { agreement } = require('./support/real-models');
const { digestsOn } = require('./support/ort-weight-ref');

const decode = (bytes) => onnx.ModelProto.decode(bytes);
const u32 = new Uint32Array(1);
const f32v = new Float32Array(u32.buffer);

/** float32 → float16 bits, round to nearest even, from the value (not quantkit's kernel). */
function halfOf(x) {
  f32v[0] = x;
  const sign = (u32[0] >>> 16) & 0x8000;
  const a = Math.abs(f32v[0]);
  if (Number.isNaN(a)) return sign | 0x7e00;
  if (a >= 65520) return sign | 0x7c00;
  const rne = (v) => {
    const fl = Math.floor(v);
    const d = v - fl;
    return d > 0.5 || (d === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
  };
  if (a < 2 ** -14) return sign | rne(a / 2 ** -24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let m = rne(a / 2 ** (e - 10));
  if (m === 2048) {
    m = 1024;
    e++;
  }
  return sign | ((e + 15) << 10) | (m - 1024);
}
/** convert_np_to_float16 (onnxconverter-common float16.py), upper clamp 65504. */
function converterHalf(x) {
  const lo = Math.fround(1e-7);
  let v = x;
  if (v > 0 && v < lo) v = lo;
  else if (v < 0 && v > -lo) v = -lo;
  else if (v > 65504 && v < Infinity) v = 65504;
  else if (v < -65504 && v > -Infinity) v = -65504;
  return halfOf(v);
}
const halfToFloat = (h) => qk.fromFloat16(Uint16Array.of(h))[0];

function floats(n, seed, spread = 1) {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * spread));
}
const cosine = (a, b) => agreement(a, b).cosine;
const f16Data = (t) => new Uint16Array(new Uint8Array(t.rawData).slice().buffer);
const elem = (v) => v.type.tensorType.elemType;

/** A PaddleOCR-style input: dark strokes in lines on a light page, normalized as PaddleOCR does. */
function textImage(H, W) {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const x = new Float32Array(3 * H * W);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const line = Math.floor(i / 32);
      const yi = i % 32;
      const ink = yi >= 10 && yi < 22 && j > 16 && j < W - 16 && ((j + line * 7) % 9 < 3 || yi === 10 || yi === 21) && (Math.floor(j / 20) + line) % 4 !== 0;
      for (let c = 0; c < 3; c++) x[c * H * W + i * W + j] = ((ink ? 0.05 : 0.95) - mean[c]) / std[c];
    }
  }
  return x;
}

describe(`quantizeModel mode 'fp16' (${qk.backend.name})`, () => {
  it('the command reports the clamped values, in its summary and in --json', () => {
    const fs = require('node:fs');
    const os = require('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-fp16-clamp-'));
    try {
      const vals = Float32Array.from([1e-9, -2e-8, 0.5, 1e6, -7e4, 3, 0, 1e-7]);
      const m = path.join(dir, 'm.onnx');
      fs.writeFileSync(m, buildModel({
        opset: 13,
        inputs: [['X', 'float', [vals.length]]],
        outputs: [['Y', 'float', [vals.length]]],
        initializers: [{ name: 'W', dims: [vals.length], float: vals }],
        nodes: [{ op: 'Add', inputs: ['X', 'W'], outputs: ['Y'] }],
      }));
      const bin = path.join(__dirname, '..', 'bin', 'quantkit.js');
      let r = spawnSync(process.execPath, [bin, 'quantize', m, path.join(dir, 'o.onnx'), '--mode', 'fp16'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /float16 clamped values in 1 tensor: 2 with 0 < \|x\| < 1e-7 → ±1e-7, 2 with \|x\| > 65504 → ±65504 \(W\)/);
      r = spawnSync(process.execPath, [bin, 'quantize', m, path.join(dir, 'o2.onnx'), '--mode', 'fp16', '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).clamped, [{ tensor: 'W', graph: 'main', small: 2, large: 2 }]);
      // Nothing to clamp, nothing reported.
      r = spawnSync(process.execPath, [bin, 'quantize', path.join(dir, 'o.onnx'), path.join(dir, 'o3.onnx'), '--mode', 'fp16', '--json'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).clamped, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('constants: the converter\'s rule (±1e-7 floor, ±65504 ceiling, nearest even) bit for bit, initializers and Constant nodes alike', async () => {
    const edge = [0, -0, 1, -1, 1e-8, -1e-8, 1e-7, 5.9604645e-8, 7e4, -1e5, 65504, 65519, 65520, 1e30, Infinity, -Infinity, 0.1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -15, 3 * 2 ** -25];
    const vals = Float32Array.from([...edge, ...floats(200, 3, 100)]);
    const bytes = buildModel({
      opset: 13,
      inputs: [['X', 'float', [vals.length]]],
      outputs: [['Y', 'float', [vals.length]], ['Z', 'float', [vals.length]]],
      initializers: [{ name: 'W', dims: [vals.length], float: vals }],
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['C'], attrs: { value: { tensor: { name: 'C', dims: [vals.length], float: vals } } } },
        { op: 'Add', inputs: ['X', 'W'], outputs: ['Y'] },
        { op: 'Add', inputs: ['X', 'C'], outputs: ['Z'] },
      ],
    });
    const r = await quantizeModel(bytes, { mode: 'fp16' });
    const g = decode(r.bytes).graph;
    const want = Uint16Array.from(vals, converterHalf);
    const w = g.initializer.find((t) => t.name === 'W');
    assert.equal(w.dataType, 10);
    assert.deepEqual(f16Data(w), want);
    const c = g.node.find((n) => n.opType === 'Constant').attribute[0].t;
    assert.equal(c.dataType, 10);
    assert.deepEqual(f16Data(c), want);
    // The restatement is not vacuous: the clamps moved these.
    assert.equal(halfToFloat(want[4]), halfToFloat(halfOf(1e-7)));
    assert.equal(halfToFloat(want[8]), 65504);
    assert.equal(halfToFloat(want[13]), 65504);
    assert.equal(halfToFloat(want[14]), Infinity);
    // Each clamp is reported, per tensor, with counts recounted here from the values.
    const lo = Math.fround(1e-7);
    const small = vals.filter((v) => v !== 0 && Math.abs(v) < lo).length;
    const large = vals.filter((v) => Math.abs(v) > 65504 && Number.isFinite(v)).length;
    assert.ok(small > 0 && large > 0);
    assert.deepEqual(
      r.clamped.map((t) => ({ ...t })).sort((a, b) => a.tensor.localeCompare(b.tensor)),
      [
        { tensor: g.node.find((n) => n.opType === 'Constant').name || 'Constant(C)', graph: 'main', small, large },
        { tensor: 'W', graph: 'main', small, large },
      ].sort((a, b) => a.tensor.localeCompare(b.tensor)),
    );
    // ORT runs it: X + W in float16, cast back to float32 at the output.
    const x = floats(vals.length, 4);
    const out = await runModel(r.bytes, { X: { data: x, dims: [vals.length] } }, { graphOptimizationLevel: 'disabled' });
    assert.equal(out.Y.type, 'float32');
    for (let i = 0; i < vals.length; i++) {
      // float16 operands; ORT adds them in float32 and may drop the float16 rounding of the sum
      // (its InsertCastTransformer runs float16 Add in float32 and removes Cast pairs it makes redundant).
      // Its own pass also folds our Cast(float→float16) on X into the Cast back it inserts, so X
      // may reach the Add unrounded; W is the float16 constant either way.
      const e = [x[i], halfToFloat(halfOf(x[i]))].flatMap((xi) => {
        const sum = Math.fround(xi + halfToFloat(want[i]));
        return [sum, halfToFloat(halfOf(sum))];
      });
      assert.ok(e.some((v) => Object.is(out.Y.data[i], v) || (Number.isNaN(v) && Number.isNaN(out.Y.data[i]))), `Y[${i}]: ${out.Y.data[i]} vs ${e}`);
    }
  });

  it('keepIoTypes: float32 inputs get one shared Cast, outputs keep their names through a Cast back; the blocked ops stay float32 between casts', async () => {
    const N = 16;
    const bytes = buildModel({
      opset: 17,
      inputs: [['X', 'float', [1, N]], ['K', 'int64', [1]]],
      outputs: [['Y', 'float', undefined], ['V', 'float', undefined], ['I', 'int64', undefined], ['M', 'float', undefined]],
      initializers: [{ name: 'S', dims: [N], float: floats(N, 5, 3) }, { name: 'B', dims: [N], float: floats(N, 6) }],
      nodes: [
        { op: 'Mul', name: 'mul', inputs: ['X', 'S'], outputs: ['P'] },
        { op: 'TopK', name: 'topk', inputs: ['P', 'K'], outputs: ['V', 'I'] },
        { op: 'Max', name: 'max', inputs: ['P', 'B'], outputs: ['Q'] },
        { op: 'Relu', name: 'relu', inputs: ['Q'], outputs: ['Y'] },
        { op: 'Sigmoid', name: 'sig', inputs: ['X'], outputs: ['M'] },
      ],
    });
    const r = await quantizeModel(bytes, { mode: 'fp16' });
    const g = decode(r.bytes).graph;
    assert.deepEqual(r.skipped.map((s) => [s.node, s.reason]).sort(), [
      ['max', "'Max' is in onnxconverter-common's DEFAULT_OP_BLOCK_LIST"],
      ['topk', "'TopK' is in onnxconverter-common's DEFAULT_OP_BLOCK_LIST"],
    ]);
    assert.deepEqual(r.changed.map((c) => c.node).sort(), ['mul', 'relu', 'sig']);
    assert.deepEqual(g.input.map(elem), [1, 7]);
    assert.deepEqual(g.output.map((o) => o.name), ['Y', 'V', 'I', 'M']);
    const casts = g.node.filter((n) => n.opType === 'Cast');
    const castOf = (from) => casts.filter((n) => n.input[0] === from).map((n) => Number(n.attribute[0].i));
    assert.deepEqual(castOf('X'), [10], 'one Cast for X, shared by Mul and Sigmoid');
    assert.deepEqual(castOf('P'), [1], 'TopK and Max read float32 P through one Cast');
    assert.deepEqual(castOf('Q'), [10], 'Max writes float32, Relu reads float16');
    assert.equal(casts.length, 5, 'X, P, Q, and Y, M back to float32 (V is TopK\'s: float32 already)');
    assert.equal(g.initializer.find((t) => t.name === 'S').dataType, 10);
    assert.equal(g.initializer.find((t) => t.name === 'B').dataType, 1, 'only Max reads B: it stays float32');
    // Topological: ORT loads it; outputs close to float.
    const x = floats(N, 7, 2);
    const feeds = { X: { data: x, dims: [1, N] }, K: { data: BigInt64Array.of(3n), dims: [1] } };
    const want = await runModel(bytes, feeds);
    const got = await runModel(r.bytes, feeds);
    for (const k of ['Y', 'V', 'M']) {
      assert.equal(got[k].type, 'float32');
      for (let i = 0; i < want[k].data.length; i++) assert.ok(Math.abs(got[k].data[i] - want[k].data[i]) <= 2e-3 * Math.max(1, Math.abs(want[k].data[i])), `${k}[${i}]`);
    }
    assert.deepEqual(got.I.data, want.I.data);
  });

  it('keepIoTypes: false makes the float inputs and outputs float16; Cast(to=float) and ConstantOfShape follow; keepFloat32Ops and excluded nodes stay float32', async () => {
    const bytes = buildModel({
      opset: 17,
      inputs: [['X', 'float', [2, 3]], ['N', 'int64', [2]]],
      outputs: [['Y', 'float', undefined], ['Z', 'float', undefined], ['E', 'float', undefined]],
      nodes: [
        { op: 'Cast', name: 'toint', inputs: ['X'], outputs: ['Xi'], attrs: { to: 6 } },
        { op: 'Cast', name: 'tofloat', inputs: ['Xi'], outputs: ['Xf'], attrs: { to: 1 } },
        { op: 'ConstantOfShape', name: 'cos', inputs: ['N'], outputs: ['H'], attrs: { value: { tensor: { name: 'v', dims: [1], float: Float32Array.of(0.5) } } } },
        { op: 'Add', name: 'add', inputs: ['Xf', 'H'], outputs: ['Y'] },
        { op: 'Exp', name: 'exp', inputs: ['X'], outputs: ['Z'] },
        { op: 'Neg', name: 'neg', inputs: ['X'], outputs: ['E'] },
      ],
    });
    const r = await quantizeModel(bytes, { mode: 'fp16', keepIoTypes: false, keepFloat32Ops: ['Exp'], excludeNode: ['neg'] });
    const g = decode(r.bytes).graph;
    assert.deepEqual(g.input.map(elem), [10, 7]);
    assert.deepEqual(g.output.map(elem), [10, 10, 10]);
    const node = (name) => g.node.find((n) => n.name === name);
    assert.equal(Number(node('tofloat').attribute[0].i), 10);
    assert.equal(Number(node('toint').attribute[0].i), 6);
    assert.equal(node('cos').attribute[0].t.dataType, 10);
    assert.deepEqual(Object.fromEntries(r.skipped.map((s) => [s.node, s.reason])), { exp: 'options.keepFloat32Ops', neg: "excluded by excludeNode 'neg'" });
    const x = Float32Array.from([0.5, -1.25, 2, 3.5, -0.75, 1]);
    const got = await runModel(r.bytes, { X: { data: qk.toFloat16(x), dims: [2, 3], type: 'float16' }, N: { data: BigInt64Array.of(2n, 3n), dims: [2] } });
    assert.equal(got.Y.type, 'float16');
    assert.deepEqual(Array.from(qk.fromFloat16(got.Y.data)), Array.from(x, (v) => Math.trunc(v) + 0.5));
    assert.deepEqual(Array.from(qk.fromFloat16(got.E.data)), Array.from(x, (v) => -v));
  });

  it('subgraphs: If branches read outer float32 values through casts inside the branch; branch constants become float16; a constant read by both kinds of node is cast back', async () => {
    const branch = (name, op) => ({
      name,
      outputs: [[`${name}_y`, 'float', undefined]],
      nodes: [
        { op: 'Constant', inputs: [], outputs: [`${name}_c`], attrs: { value: { tensor: { name: `${name}_c`, dims: [4], float: Float32Array.of(1, 2, 3, 4) } } } },
        { op, inputs: ['X', `${name}_c`], outputs: [`${name}_y`] },
      ],
    });
    const bytes = buildModel({
      opset: 16,
      inputs: [['X', 'float', [4]], ['c', 'bool', []]],
      outputs: [['Y', 'float', undefined], ['Z', 'float', undefined]],
      initializers: [{ name: 'W', dims: [4], float: Float32Array.of(0.5, -2, 8, 100000) }],
      nodes: [
        { op: 'If', name: 'if', inputs: ['c'], outputs: ['Y'], attrs: { then_branch: { graph: branch('t', 'Mul') }, else_branch: { graph: branch('e', 'Sub') } } },
        { op: 'Min', name: 'min', inputs: ['X', 'W'], outputs: ['M'] },
        { op: 'Add', name: 'add', inputs: ['M', 'W'], outputs: ['Z'] },
      ],
    });
    const r = await quantizeModel(bytes, { mode: 'fp16' });
    const m = decode(r.bytes);
    const ifNode = m.graph.node.find((n) => n.opType === 'If');
    for (const a of ifNode.attribute) {
      const sg = a.g;
      assert.equal(sg.node[0].opType, 'Cast', 'the outer X is cast inside the branch');
      assert.equal(sg.node[0].input[0], 'X');
      assert.equal(sg.node.find((n) => n.opType === 'Constant').attribute[0].t.dataType, 10);
      assert.equal(elem(sg.output[0]), 10);
    }
    assert.equal(m.graph.initializer.find((t) => t.name === 'W').dataType, 10, 'W is read by Add (float16) and Min (float32)');
    const back = m.graph.node.find((n) => n.opType === 'Cast' && n.input[0] === 'W');
    assert.ok(back && Number(back.attribute[0].i) === 1, 'and cast back for Min');
    assert.ok(m.graph.node.indexOf(back) < m.graph.node.findIndex((n) => n.name === 'min'));
    const x = Float32Array.of(0.25, 3, -7, 9);
    for (const c of [1, 0]) {
      const feeds = { X: { data: x, dims: [4] }, c: { data: Uint8Array.of(c), dims: [], type: 'bool' } };
      const want = await runModel(bytes, feeds);
      const got = await runModel(r.bytes, feeds);
      for (const k of ['Y', 'Z']) for (let i = 0; i < 4; i++) assert.ok(Math.abs(got[k].data[i] - want[k].data[i]) <= 1e-3 * Math.max(1, Math.abs(want[k].data[i])) || (k === 'Z' && i === 3), `${k}[${i}] c=${c}: ${got[k].data[i]} vs ${want[k].data[i]}`);
      assert.equal(got.Z.data[3], 65504 + 9, 'W[3] = 1e5 was clamped to 65504, as the converter does');
    }
  });

  const realInputs = {
    det: () => ({ x: { data: textImage(128, 256), dims: [1, 3, 128, 256] } }),
    rec: () => ({ x: { data: textImage(48, 320), dims: [1, 3, 48, 320] } }),
    cls: () => ({ x: { data: textImage(48, 192), dims: [1, 3, 48, 192] } }),
    vad: () => ({
      input: { data: Float32Array.from({ length: 512 }, (_, i) => Math.sin(i * 0.1) * 0.5 + Math.sin(i * 0.73) * 0.2), dims: [1, 512] },
      state: { data: floats(256, 12, 0.5), dims: [2, 1, 128] },
      sr: { data: BigInt64Array.of(16000n), dims: [] },
    }),
  };
  // Cosine to the float model; det's head (a Conv whose outputs reach 4·10³, then a
  // BatchNormalization with small variance) is not float16-safe: with BatchNormalization kept
  // float32 it agrees; fully converted it still loads and runs (cosine ≈ 0.7 on this input).
  for (const [name, min, opts] of [['rec', 0.999, {}], ['cls', 0.9999, {}], ['vad', 0.99999, {}], ['det', 0.9999, { keepFloat32Ops: ['BatchNormalization'] }]]) {
    it(`${name}: runs in ONNX Runtime, outputs float32 under their names, cosine to the float model ≥ ${min}${opts.keepFloat32Ops ? ' (BatchNormalization kept float32)' : ''}`, async function () {
      this.timeout(60000);
      const feeds = realInputs[name]();
      const want = await runModel(REAL_MODELS[name], feeds);
      const r = await quantizeModel(REAL_MODELS[name], { mode: 'fp16', ...opts });
      assert.ok(r.sizeAfter < 0.6 * r.sizeBefore, `${r.sizeAfter} of ${r.sizeBefore}`);
      const got = await runModel(r.bytes, feeds);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
      for (const k of Object.keys(want)) {
        assert.equal(got[k].type, 'float32');
        assert.deepEqual(got[k].dims, want[k].dims);
        const c = cosine(want[k].data, got[k].data);
        assert.ok(c >= min, `${name} ${k}: cosine ${c}`);
      }
      // Every float32 constant became float16 but those only float32 ops read (det's Resize scales).
      const m = decode(r.bytes);
      const left = [];
      const visit = (g) => {
        for (const t of g.initializer) if (t.dataType === 1) left.push(t.name);
        for (const n of g.node) {
          if (n.opType === 'Constant' && n.attribute[0].t?.dataType === 1) left.push(n.output[0]);
          for (const a of n.attribute) for (const sg of a.g ? [a.g] : a.graphs ?? []) visit(sg);
        }
      };
      visit(m.graph);
      const users = new Set(left.flatMap((t) => m.graph.node.filter((n) => n.input.includes(t)).map((n) => n.opType)));
      for (const u of users) assert.ok(['Resize', 'BatchNormalization'].includes(u), `${u} reads a float32 constant`);
    });
  }

  it('det fully converted still loads and runs (outputs finite probabilities)', async function () {
    this.timeout(60000);
    const r = await quantizeModel(REAL_MODELS.det, { mode: 'fp16' });
    assert.deepEqual([...new Set(r.skipped.map((s) => s.opType))], ['Resize']);
    const got = Object.values(await runModel(r.bytes, realInputs.det()))[0];
    assert.ok(got.data.every((v) => v >= 0 && v <= 1));
  });

  // Already-quantized models: the quantization ops keep float32 where their schema needs it.
  const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const producer = (g, name) => g.node.find((n) => n.output.includes(name));
  const init = (g, name) => g.initializer.find((t) => t.name === name);
  const castTo = (g, name) => {
    const p = producer(g, name);
    return p && p.opType === 'Cast' ? Number(p.attribute[0].i) : undefined;
  };
  const chains = [
    ['weights-only (DequantizeLinear-13)', { mode: 'weights-only' }, (g, r) => {
      for (const dq of g.node.filter((n) => n.opType === 'DequantizeLinear')) {
        assert.equal(init(g, dq.input[1]).dataType, 1, `${dq.name}: DequantizeLinear-13's x_scale is tensor(float)`);
        const users = g.node.filter((n) => n.input.includes(dq.output[0]));
        assert.ok(users.length && users.every((n) => n.opType === 'Cast' && Number(n.attribute[0].i) === 10), `${dq.name}'s float32 y reaches the float16 MatMul/Gemm through a Cast`);
      }
      assert.ok(r.skipped.some((x) => x.opType === 'DequantizeLinear' && /DequantizeLinear-13 takes float32 only/.test(x.reason)));
    }],
    ['dynamic (DynamicQuantizeLinear, MatMulInteger)', { mode: 'dynamic' }, (g) => {
      const dql = g.node.find((n) => n.opType === 'DynamicQuantizeLinear');
      assert.equal(dql.input[0], 'x', 'DynamicQuantizeLinear reads the float32 input, not a float16 Cast of it');
      for (const mmi of g.node.filter((n) => n.opType === 'MatMulInteger')) {
        const cast = g.node.find((n) => n.input[0] === mmi.output[0]);
        assert.equal(Number(cast.attribute[0].i), 1, `${mmi.name}: the int32 sums are cast to float32, not float16`);
        const mul = g.node.find((n) => n.opType === 'Mul' && n.input.includes(cast.output[0]));
        const scales = mul.input.find((i) => i !== cast.output[0]);
        const sm = producer(g, scales);
        assert.equal(sm.opType, 'Mul', 'Xs · Ws is multiplied in float32 (no Cast between)');
        for (const i of sm.input) if (init(g, i)) assert.equal(init(g, i).dataType, 1, `${i}: the weight's scale stays float32`);
      }
    }],
    ['matmul-nbits (MatMulNBits takes float16 A and scales)', { mode: 'matmul-nbits' }, (g) => {
      const nb = g.node.filter((n) => n.opType === 'MatMulNBits');
      assert.ok(nb.length > 0);
      for (const n of nb) {
        assert.equal(castTo(g, n.input[0]), 10, 'A is float16');
        assert.equal(init(g, n.input[2]).dataType, 10, 'scales are float16, like A');
      }
    }],
    ['weights-only int4 blocked (DequantizeLinear-21)', { mode: 'weights-only', weightType: 'int4', blockSize: 16 }, (g, r) => {
      for (const dq of g.node.filter((n) => n.opType === 'DequantizeLinear')) assert.equal(init(g, dq.input[1]).dataType, 10, 'from opset 19 DequantizeLinear runs in float16');
      assert.ok(!r.skipped.some((x) => x.opType === 'DequantizeLinear'));
    }],
  ];
  for (const [what, opts, check] of chains) {
    it(`quantized then fp16: ${what} loads and runs in ONNX Runtime, close to the quantized and the float model`, async () => {
      const float = linearModel(weights(21), 13);
      const q = await quantizeModel(float, opts);
      const r = await quantizeModel(q.bytes, { mode: 'fp16' });
      check(decode(r.bytes).graph, r);
      const x = floats(120, 22, 2);
      const feeds = { x: { data: x, dims: [3, 40] } };
      const [f, a, b] = [await runModel(float, feeds), await runModel(q.bytes, feeds), await runModel(r.bytes, feeds)];
      for (const k of Object.keys(f)) {
        assert.equal(b[k].type, 'float32');
        const scale = maxAbs(f[k].data);
        assert.ok(maxDiff(a[k].data, b[k].data) <= 4e-3 * scale, `${k}: fp16 ${maxDiff(a[k].data, b[k].data)} from the quantized model (max ${scale})`);
        assert.ok(maxDiff(f[k].data, b[k].data) <= 0.15 * scale, `${k}: ${maxDiff(f[k].data, b[k].data)} from the float model`);
      }
    });
  }

  it('quantized then fp16 on PaddleOCR cls (weights-only, dynamic, matmul-nbits): loads, runs, the probabilities within 0.005 of the quantized model\'s', async function () {
    this.timeout(60000);
    // The weight suites' text page (a confident upright call). On realInputs.cls' page, a
    // borderline call (float 0.41/0.59), dynamic's activation codes move with the float16
    // rounding and dynamic → fp16 lands 0.04 from dynamic alone, 0.03 from float.
    const feeds = { x: { data: require('./support/ort-weight-ref').textImage(48, 192), dims: [1, 3, 48, 192] } };
    const f = await runModel(REAL_MODELS.cls, feeds);
    const [k] = Object.keys(f);
    for (const mode of ['weights-only', 'dynamic', 'matmul-nbits']) {
      const q = await quantizeModel(REAL_MODELS.cls, { mode });
      const r = await quantizeModel(q.bytes, { mode: 'fp16' });
      const [a, b] = [await runModel(q.bytes, feeds), await runModel(r.bytes, feeds)];
      assert.equal(b[k].type, 'float32');
      assert.ok(maxDiff(a[k].data, b[k].data) <= 0.005, `${mode}: ${b[k].data} vs quantized ${a[k].data}`);
      assert.ok(maxDiff(f[k].data, b[k].data) <= 0.05, `${mode}: ${b[k].data} vs float ${f[k].data}`);
    }
  });

  for (const keepIoTypes of [false, true]) {
    it(`an initializer that is also a graph input (older exporters), keepIoTypes ${keepIoTypes}: the initializer and its input declaration agree`, async () => {
      const w = floats(4, 31, 3);
      const bytes = buildModel({
        opset: 13,
        inputs: [['X', 'float', [4]], ['W', 'float', [4]]],
        outputs: [['Y', 'float', [4]]],
        initializers: [{ name: 'W', dims: [4], float: w }],
        nodes: [{ op: 'Add', name: 'add', inputs: ['X', 'W'], outputs: ['Y'] }],
      });
      const r = await quantizeModel(bytes, { mode: 'fp16', keepIoTypes });
      const g = decode(r.bytes).graph;
      const t = keepIoTypes ? 1 : 10;
      assert.equal(elem(g.input.find((v) => v.name === 'W')), t);
      assert.equal(init(g, 'W').dataType, t);
      if (!keepIoTypes) assert.deepEqual(f16Data(init(g, 'W')), Uint16Array.from(w, converterHalf));
      const x = Float32Array.of(0.5, -1, 2, 0.25);
      const feed = (v) => (keepIoTypes ? { data: v, dims: [4] } : { data: qk.toFloat16(v), dims: [4], type: 'float16' });
      const val = (o) => (keepIoTypes ? Array.from(o.data) : Array.from(qk.fromFloat16(o.data)));
      const near = (got, want) => got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 4e-3 * Math.max(1, Math.abs(want[i])), `${got} vs ${want}`));
      near(val((await runModel(r.bytes, { X: feed(x) })).Y), Array.from(x, (v, i) => v + w[i]));
    });
  }

  describe('com.microsoft ops kept float32 between float16 nodes', () => {
    // ONNX Runtime's CPU kernels of Gelu, FastGelu, QuickGelu, BiasGelu and FusedMatMul are
    // registered for float only (contrib_ops/cpu: TypeConstraint T = float), so they stay float32:
    // their float16 input is cast to float32 and their output, whose type no schema here says,
    // is taken as float32 and cast back to float16 for the float16 MatMul after it.
    const K = 16;
    const W1 = floats(K * K, 41, 0.4);
    const W2 = floats(K * K, 42, 0.4);
    const bias = floats(K, 43, 0.2);
    const ms = {
      Gelu: ['h'], FastGelu: ['h', 'bias'], QuickGelu: ['h'], BiasGelu: ['h', 'bias'], FusedMatMul: ['h', 'W2'],
    };
    const model = (op, last) => buildModel({
      opset: 17,
      opsets: [['com.microsoft', 1]],
      inputs: [['x', 'float', [3, K]]],
      outputs: [['y', 'float', undefined]],
      nodes: [
        { op: 'MatMul', name: 'mm1', inputs: ['x', 'W1'], outputs: ['h'] },
        { op, domain: 'com.microsoft', name: 'ms', inputs: ms[op], outputs: [last ? 'y' : 'g'], attrs: op === 'FusedMatMul' ? { alpha: 0.5 } : {} },
        ...(last ? [] : [{ op: 'MatMul', name: 'mm2', inputs: ['g', 'W2'], outputs: ['y'] }]),
      ],
      initializers: [{ name: 'W1', dims: [K, K], float: W1 }, { name: 'W2', dims: [K, K], float: W2 }, { name: 'bias', dims: [K], float: bias }],
    });
    const x = floats(3 * K, 44, 2);
    for (const op of Object.keys(ms)) {
      for (const last of [false, true]) {
        it(`MatMul → com.microsoft.${op}${last ? ' (the model output)' : ' → MatMul'}: Casts around it, listed in skipped, loads at default options, agrees with the float model`, async () => {
          const bytes = model(op, last);
          const r = await quantizeModel(bytes, { mode: 'fp16' });
          const skipped = r.skipped.filter((s) => s.node === 'ms');
          assert.equal(skipped.length, 1, JSON.stringify(r.skipped));
          assert.match(skipped[0].reason, new RegExp(`com\\.microsoft\\.${op} is not known to take float16`));
          assert.deepEqual(r.changed.map((c) => c.node).sort(), last ? ['mm1'] : ['mm1', 'mm2']);
          const g = decode(r.bytes).graph;
          const producer = (name) => g.node.find((n) => n.output.includes(name));
          const node = g.node.find((n) => n.name === 'ms');
          const hIn = producer(node.input[0]);
          assert.equal(hIn.opType, 'Cast', 'the float16 h is cast to float32 for the op');
          assert.equal(Number(hIn.attribute[0].i), 1);
          if (!last) {
            const mm2 = g.node.find((n) => n.name === 'mm2');
            const gIn = producer(mm2.input[0]);
            assert.equal(gIn.opType, 'Cast', "the op's float32 output is cast to float16 for mm2");
            assert.equal(Number(gIn.attribute[0].i), 10);
            assert.deepEqual(gIn.input, [node.output[0]]);
          }
          const feeds = { x: { data: x, dims: [3, K] } };
          const q = await runModel(r.bytes, feeds); // default session options
          const f = await runModel(bytes, feeds);
          assert.equal(q.y.type, 'float32');
          const a = agreement(q.y.data, f.y.data);
          assert.ok(a.cosine > 0.9999, `cosine ${a.cosine}`);
          assert.ok(a.maxAbs <= 0.02 * Math.max(...Array.from(f.y.data, Math.abs)), `max |difference| ${a.maxAbs}`);
        });
      }
    }
  });

  it('a model converted before: nothing changed, its Casts are listed in skipped; a float16 model: nothing changed', async () => {
    const bytes = linearModel(weights(3), 13);
    const once = await quantizeModel(bytes, { mode: 'fp16' });
    const twice = await quantizeModel(once.bytes, { mode: 'fp16' });
    assert.deepEqual(twice.changed, []);
    assert.equal(twice.nodesChanged, 0);
    assert.ok(twice.skipped.length > 0 && twice.skipped.every((s) => s.opType === 'Cast'), JSON.stringify(twice.skipped));
    assert.ok(twice.skipped.some((s) => /already casts to float16/.test(s.reason)));
    assert.ok(twice.skipped.some((s) => /Cast to float32 whose readers all take float32/.test(s.reason)));
    const [g1, g2] = [decode(once.bytes).graph, decode(twice.bytes).graph];
    assert.deepEqual(g2.node.map((n) => [n.opType, n.input, n.output]), g1.node.map((n) => [n.opType, n.input, n.output]));
    const feeds = { x: { data: floats(3 * 40, 45, 1), dims: [3, 40] } };
    const [a, b] = [await runModel(once.bytes, feeds), await runModel(twice.bytes, feeds)];
    for (const k of Object.keys(a)) assert.deepEqual(b[k].data, a[k].data);

    const K = 8;
    const half = buildModel({
      opset: 17,
      inputs: [['x', 'float16', [2, K]]],
      outputs: [['y', 'float16', undefined]],
      nodes: [{ op: 'MatMul', name: 'mm', inputs: ['x', 'W'], outputs: ['h'] }, { op: 'Relu', name: 'relu', inputs: ['h'], outputs: ['y'] }],
      initializers: [{ name: 'W', dims: [K, K], dataType: 'float16', raw: new Uint8Array(qk.toFloat16(floats(K * K, 46, 1)).buffer) }],
    });
    const r = await quantizeModel(half, { mode: 'fp16' });
    assert.deepEqual(r.changed, []);
    assert.deepEqual(decode(r.bytes).graph.node.map((n) => n.opType), ['MatMul', 'Relu']);
  });

  it('options are checked: errors name the option and the value', async () => {
    const bytes = buildModel({ opset: 13, inputs: [['X', 'float', [1]]], outputs: [['Y', 'float', [1]]], nodes: [{ op: 'Relu', inputs: ['X'], outputs: ['Y'] }] });
    await assert.rejects(quantizeModel(bytes, { mode: 'fp16', keepIoTypes: 'yes' }), { name: 'TypeError', message: /options.keepIoTypes to be a boolean but received 'yes'/ });
    await assert.rejects(quantizeModel(bytes, { mode: 'fp16', keepFloat32Ops: [3] }), { name: 'TypeError', message: /options.keepFloat32Ops to be an array of non-empty strings/ });
    await assert.rejects(quantizeModel(bytes, { mode: 'fp16', blockSize: 32 }), { name: 'TypeError', message: /options.blockSize applies to mode/ });
    await assert.rejects(quantizeModel(bytes, { mode: 'dynamic', keepIoTypes: true }), { name: 'TypeError', message: /options.keepIoTypes applies to mode 'fp16'/ });
  });

  it('native, wasm and fallback write the same bytes (Silero VAD, PaddleOCR cls)', function () {
    this.timeout(120000);
    const run = (backend) => digestsOn(backend, [REAL_MODELS.vad, REAL_MODELS.cls], [{ mode: 'fp16' }]);
    const native = run('native');
    assert.deepEqual(run('fallback'), native);
    assert.deepEqual(run('wasm'), native);
  });
});
