'use strict';
// quantizeModel mode 'qdq' inside If branches (README "ONNX models", Subgraphs): a value inside
// a branch is calibrated by carrying it out through its If nodes, the branch's nodes get their
// Q/DQ pairs and quantized weights in the branch itself, a branch that never ran during
// calibration stays float (skipped, with the reason), Loop bodies stay float. Oracles:
// onnxruntime-node runs every output model; the float intermediates come from flat float models
// of each path (the same nodes in a main graph, every value an output); ONNX Runtime's
// compute_scale_zp and weight/bias formulas are restated in test/support/ort-weight-ref.js.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const qk = require('./support/quantkit');
const { buildModel, runModel, REAL_MODELS } = require('./support/onnx-build');
const { scaleZp, quantizeRef, codesOf, floatsOf, readModel, rint, otherBackend, digestsOn, sha256 } = require('./support/ort-weight-ref');
const { rnd } = require('./support/qdq-ref');
const { vadSignal, vadProbabilities } = require('./support/real-models');
const { vadFeeds, optionsFor } = require('./support/real-model-cases');
const { quantizeModel } = require('../dist/onnx');
const { writeNpz } = require('../dist/io');

const f32 = Math.fround;


// ---- the model: If(c) { Conv → Relu → If(c2) { MatMul → Relu } else { MatMul → Relu } } else { Conv → Relu → MatMul → Relu }
const W = {
  W1: { dims: [4, 2, 3, 3], data: rnd(72, 11, 0.5) },
  B1: { dims: [4], data: rnd(4, 12, 0.2) },
  WA: { dims: [4, 3], data: rnd(12, 13, 0.8) },
  WB: { dims: [4, 3], data: rnd(12, 14, 0.8) },
  W3: { dims: [4, 2, 3, 3], data: rnd(72, 15, 0.5) },
  B3: { dims: [4], data: rnd(4, 16, 0.2) },
  WC: { dims: [4, 3], data: rnd(12, 17, 0.8) },
};
const constant = (name) => ({ op: 'Constant', inputs: [], outputs: [name], name: `${name}_const`, attrs: { value: { tensor: { name, dims: W[name].dims, float: W[name].data } } } });
const PATHS = {
  // then → then: Conv(W1, B1) → Relu → MatMul(WA) → Relu
  tt: [constant('W1'), constant('B1'), { op: 'Conv', inputs: ['x', 'W1', 'B1'], outputs: ['t_c1'], name: 't_conv' }, { op: 'Relu', inputs: ['t_c1'], outputs: ['t_r1'], name: 't_relu' },
    constant('WA'), { op: 'MatMul', inputs: ['t_r1', 'WA'], outputs: ['tt_m'], name: 'tt_matmul' }, { op: 'Relu', inputs: ['tt_m'], outputs: ['tt_y'], name: 'tt_relu' }],
  te: [constant('W1'), constant('B1'), { op: 'Conv', inputs: ['x', 'W1', 'B1'], outputs: ['t_c1'], name: 't_conv' }, { op: 'Relu', inputs: ['t_c1'], outputs: ['t_r1'], name: 't_relu' },
    constant('WB'), { op: 'MatMul', inputs: ['t_r1', 'WB'], outputs: ['te_m'], name: 'te_matmul' }, { op: 'Relu', inputs: ['te_m'], outputs: ['te_y'], name: 'te_relu' }],
  e: [constant('W3'), constant('B3'), { op: 'Conv', inputs: ['x', 'W3', 'B3'], outputs: ['e_c'], name: 'e_conv' }, { op: 'Relu', inputs: ['e_c'], outputs: ['e_r'], name: 'e_relu' },
    constant('WC'), { op: 'MatMul', inputs: ['e_r', 'WC'], outputs: ['e_m'], name: 'e_matmul' }, { op: 'Relu', inputs: ['e_m'], outputs: ['e_y'], name: 'e_relu2' }],
};
const X_DIMS = [1, 2, 6, 6];

function ifModel() {
  const nested = {
    op: 'If', inputs: ['c2'], outputs: ['t_y'], name: 'inner_if',
    attrs: {
      then_branch: { graph: { name: 'tt', nodes: PATHS.tt.slice(4), outputs: [['tt_y', 'float']] } },
      else_branch: { graph: { name: 'te', nodes: PATHS.te.slice(4), outputs: [['te_y', 'float']] } },
    },
  };
  return buildModel({
    opset: 13,
    inputs: [['x', 'float', X_DIMS], ['c', 'bool', []], ['c2', 'bool', []]],
    outputs: [['y', 'float']],
    nodes: [{
      op: 'If', inputs: ['c'], outputs: ['y'], name: 'outer_if',
      attrs: {
        then_branch: { graph: { name: 't', nodes: [...PATHS.tt.slice(0, 4), nested], outputs: [['t_y', 'float']] } },
        else_branch: { graph: { name: 'e', nodes: PATHS.e, outputs: [['e_y', 'float']] } },
      },
    }],
  });
}

/** The nodes of one path in a main graph, every value an output: the float intermediates. */
function flatModel(key) {
  const nodes = PATHS[key];
  const outs = nodes.filter((n) => n.op !== 'Constant').flatMap((n) => n.outputs);
  return buildModel({ opset: 13, inputs: [['x', 'float', X_DIMS]], outputs: outs.map((o) => [o, 'float']), nodes });
}

const bool = (v) => ({ type: 'bool', data: Uint8Array.of(v ? 1 : 0), dims: [] });
const pathOf = (f) => (f.c.data[0] ? (f.c2.data[0] ? 'tt' : 'te') : 'e');
/** `n` feeds per branch combination (c, c2) in `combos`. */
function feedsFor(combos, n) {
  const feeds = [];
  combos.forEach(([c, c2], k) => {
    for (let i = 0; i < n; i++) feeds.push({ x: { data: rnd(72, 100 + 10 * k + i, 1.5), dims: X_DIMS }, c: bool(c), c2: bool(c2) });
  });
  return feeds;
}
const ALL_COMBOS = [[true, true], [true, false], [false, true], [false, false]];

/** min/max of each float intermediate over the feeds that take its path (MinMax calibration). */
async function floatRanges(feeds) {
  const ranges = new Map();
  const note = (name, data) => {
    const r = ranges.get(name) ?? { min: Infinity, max: -Infinity };
    for (const v of data) {
      if (v < r.min) r.min = v;
      if (v > r.max) r.max = v;
    }
    ranges.set(name, r);
  };
  for (const f of feeds) {
    note('x', f.x.data);
    const out = await runModel(flatModel(pathOf(f)), { x: f.x }, { graphOptimizationLevel: 'disabled' });
    for (const [k, v] of Object.entries(out)) note(k, v.data);
  }
  return ranges;
}

/** The graph of `bytes` holding the node named `nodeName`, and that node. */
function graphOf(m, pred) {
  for (const g of m.graphs) {
    const n = g.node.find(pred);
    if (n) return { g, n };
  }
  return {};
}
const initIn = (g, name) => g.initializer.find((t) => t.name === name);

/** The scale and zero point of the QuantizeLinear reading `tensor` in the graph that holds it (or the branch named `graphName`). */
function activationParams(m, tensor, graphName) {
  const g = m.graphs.find((x) => x.name === graphName);
  const n = g.node.find((x) => x.opType === 'QuantizeLinear' && (x.input[0] === tensor || x.input[0] === `${tensor}_QuantizeLinear_Input`));
  assert.ok(n, `no QuantizeLinear for '${tensor}' in graph '${graphName}'`);
  const s = initIn(g, n.input[1]);
  const z = initIn(g, n.input[2]);
  assert.ok(s && z, `the parameters of '${tensor}' are initializers of graph '${g.name}'`);
  return { scale: floatsOf(s)[0], zp: codesOf(z, 1)[0] };
}
/** Every QuantizeLinear reading `tensor`, per graph name. */
function qGraphs(m, tensor) {
  return m.graphs.filter((g) => g.node.some((x) => x.opType === 'QuantizeLinear' && (x.input[0] === tensor || x.input[0] === `${tensor}_QuantizeLinear_Input`))).map((g) => g.name);
}
/** The int8 weight behind the DequantizeLinear of constant `name`: codes, scale, and its graph. */
function weightParams(m, name) {
  const { g, n } = graphOf(m, (x) => x.opType === 'DequantizeLinear' && x.input[0] === `${name}_quantized`);
  assert.ok(n, `no DequantizeLinear for weight '${name}'`);
  const q = initIn(g, n.input[0]);
  assert.ok(q, `'${name}_quantized' is an initializer of the graph of its DequantizeLinear ('${g.name}')`);
  const count = q.dims.map(Number).reduce((a, b) => a * b, 1);
  return { graph: g.name, codes: codesOf(q, count), scale: floatsOf(initIn(g, n.input[1])), zp: codesOf(initIn(g, n.input[2]), 1), dims: q.dims.map(Number), dataType: q.dataType };
}

/**
 * A bound on |Δ| at the output of Conv/MatMul (+ a removed Relu) y_c = Σ_k w_ck·x_k + b_c in the
 * QDQ model, over output channels c: the input error eIn (its own QDQ included) times Σ_k |w_ck|,
 * the int8 weights' rounding (sW_c/2 each) times Σ_k |x_k| ≤ K·xMax (the input's float range) plus
 * eIn·sW_c/2·K, the int32 bias's sIn·sW_c/2, and the output QuantizeLinear's sOut/2 (Relu and the
 * QuantizeLinear's clip are 1-Lipschitz). `rows[c]` = the K weights of channel c, `sW[c]` its scale.
 */
function layerBound(eIn, sIn, xMax, rows, sW, sOut) {
  let worst = 0;
  rows.forEach((w, c) => {
    const ew = sW[c] / 2;
    let l1 = 0;
    for (const v of w) l1 += Math.abs(v);
    worst = Math.max(worst, l1 * eIn + w.length * (xMax + eIn) * ew + (sIn * sW[c]) / 2);
  });
  return worst + sOut / 2;
}
/** Channel rows of a Conv weight [M, ...] (axis 0) or a MatMul B [K, N] (its N columns). */
const convRows = (w) => Array.from({ length: w.dims[0] }, (_, c) => w.data.subarray(c * (w.data.length / w.dims[0]), (c + 1) * (w.data.length / w.dims[0])));
const matmulRows = (w) => Array.from({ length: w.dims[1] }, (_, n) => Array.from({ length: w.dims[0] }, (_, k) => w.data[k * w.dims[1] + n]));

describe(`quantizeModel mode 'qdq' inside If branches (${qk.backend.name} backend)`, function () {
  this.timeout(120000);
  const model = ifModel();
  const feeds = feedsFor(ALL_COMBOS, 3);
  let r;
  let m;
  let ranges;
  before(async () => {
    r = await quantizeModel(model, { mode: 'qdq', calibration: feeds });
    m = readModel(r.bytes);
    ranges = await floatRanges(feeds);
  });

  it('quantizes the nodes of both branches and of the nested If, reporting each in its graph', () => {
    const changed = r.changed.map((c) => `${c.node}@${c.graph}`).sort();
    assert.deepEqual(changed, [
      'e_conv@main > outer_if.else_branch', 'e_matmul@main > outer_if.else_branch', 'e_relu2@main > outer_if.else_branch', 'e_relu@main > outer_if.else_branch',
      't_conv@main > outer_if.then_branch', 't_relu@main > outer_if.then_branch',
      'te_matmul@main > outer_if.then_branch > inner_if.else_branch', 'te_relu@main > outer_if.then_branch > inner_if.else_branch',
      'tt_matmul@main > outer_if.then_branch > inner_if.then_branch', 'tt_relu@main > outer_if.then_branch > inner_if.then_branch',
    ]);
    assert.deepEqual(r.skipped, []);
    // The Relus are removed (their QuantizeLinear clips), but t_relu: its output t_r1 is read in the
    // nested branches, which would see the Conv's output unclipped. The Constant weights are replaced.
    for (const g of m.graphs) assert.ok(!g.node.some((n) => n.opType === 'Constant'), `graph ${g.name}: ${g.node.map((n) => n.opType)}`);
    assert.deepEqual(m.graphs.flatMap((g) => g.node.filter((n) => n.opType === 'Relu').map((n) => `${g.name}:${n.name}`)), ['t:t_relu']);
    assert.match(r.changed.find((c) => c.node === 't_relu').as, /^QDQ Relu/);
  });

  it('activation parameters: compute_scale_zp of the float min/max over the runs that took the branch, in the graph that reads them', () => {
    // x, a main-graph input, is read in both outer branches: calibrated on every run, a pair in each branch.
    assert.deepEqual(qGraphs(m, 'x').sort(), ['e', 't']);
    // t_r1, a value of the then branch, is read in both nested branches: each has its own pair with t_r1's range.
    assert.deepEqual(qGraphs(m, 't_r1').sort(), ['t', 'te', 'tt']);
    const cases = [['x', 't'], ['x', 'e'], ['t_r1', 't'], ['t_c1', 't'], ['t_r1', 'tt'], ['t_r1', 'te'], ['tt_y', 'tt'], ['te_y', 'te'], ['e_r', 'e'], ['e_y', 'e']];
    for (const [t, gName] of cases) {
      const g = m.graphs.find((x) => x.name === gName);
      const q = g.node.find((x) => x.opType === 'QuantizeLinear' && (x.input[0] === t || x.input[0] === `${t}_QuantizeLinear_Input`));
      assert.ok(q, `${t} in ${gName}`);
      const got = { scale: floatsOf(initIn(g, q.input[1]))[0], zp: codesOf(initIn(g, q.input[2]), 1)[0] };
      const rg = ranges.get(t === 't_c1' ? 't_r1' : t); // adjust_tensor_ranges: a Relu's single-use input takes its output's range
      assert.deepEqual(got, scaleZp(f32(rg.min), f32(rg.max), 0, 255, false), `${t} in ${gName}`);
    }
  });

  it('weights and biases: int8 symmetric per-channel codes and int32 biases (ORT formulas), stored in the branch', () => {
    // per channel (the default): Conv along axis 0, a 2-D MatMul B along axis 1
    const where = { W1: ['t', 0], WA: ['tt', 1], WB: ['te', 1], W3: ['e', 0], WC: ['e', 1] };
    for (const [name, [gName, axis]] of Object.entries(where)) {
      const w = weightParams(m, name);
      assert.equal(w.graph, gName);
      const ref = quantizeRef(W[name].data, W[name].dims, { type: 'int8', symmetric: true, axis });
      assert.deepEqual(Array.from(w.scale), Array.from(ref.scale), name);
      assert.deepEqual(Array.from(w.codes), Array.from(ref.codes), name);
      assert.deepEqual(Array.from(w.scale), Array.from(ref.scale), name);
    }
    for (const [b, w, x, gName] of [['B1', 'W1', 'x', 't'], ['B3', 'W3', 'x', 'e']]) {
      const { g, n } = graphOf(m, (d) => d.opType === 'DequantizeLinear' && d.output[0] === b);
      assert.equal(g.name, gName);
      const sx = activationParams(m, x, gName).scale;
      const s = weightParams(m, w).scale.map((v) => f32(sx * v));
      assert.deepEqual(Array.from(floatsOf(initIn(g, n.input[1]))), Array.from(s));
      const codes = new Int32Array(new Uint8Array(initIn(g, n.input[0]).rawData).buffer);
      assert.deepEqual(Array.from(codes), Array.from(W[b].data, (v, c) => rint(v / s[c])));
    }
    // nothing of the weights is left in the main graph
    assert.deepEqual(m.graphs[0].initializer.map((t) => t.name), []);
  });

  it('ORT runs every path; outputs within the bound derived from the scales', async () => {
    const p = (t, g) => activationParams(m, t, g).scale;
    const sw = (n) => weightParams(m, n).scale;
    const absMax = (t) => Math.max(Math.abs(ranges.get(t).min), Math.abs(ranges.get(t).max));
    const sx = p('x', 't');
    // then branch: x → QDQ → Conv → QDQ(t_c1) → Relu → t_r1, which each nested branch reads through its own QDQ
    const conv1 = layerBound(sx / 2, sx, absMax('x'), convRows(W.W1), sw('W1'), p('t_c1', 't'));
    const inner = (g, w) => layerBound(conv1 + p('t_r1', g) / 2, p('t_r1', g), absMax('t_r1'), matmulRows(W[w]), sw(w), p(`${g}_y`, g));
    const sxe = p('x', 'e');
    const conv3 = layerBound(sxe / 2, sxe, absMax('x'), convRows(W.W3), sw('W3'), p('e_r', 'e'));
    const bounds = { tt: inner('tt', 'WA'), te: inner('te', 'WB'), e: layerBound(conv3, p('e_r', 'e'), absMax('e_r'), matmulRows(W.WC), sw('WC'), p('e_y', 'e')) };
    const biggest = { tt: 0, te: 0, e: 0 };
    for (const f of feeds) {
      const a = (await runModel(model, f)).y.data;
      const b = (await runModel(r.bytes, f)).y.data;
      let err = 0;
      const k = pathOf(f);
      for (let i = 0; i < a.length; i++) {
        err = Math.max(err, Math.abs(a[i] - b[i]));
        biggest[k] = Math.max(biggest[k], Math.abs(a[i]));
      }
      assert.ok(err <= bounds[k], `path ${k}: max |Δ| ${err} > bound ${bounds[k]}`);
      assert.ok(err > 0, `path ${k}: the output did not change (not quantized?)`);
    }
    // The bound is worth checking: well below the outputs of each path.
    for (const k of Object.keys(bounds)) assert.ok(bounds[k] < 0.25 * biggest[k], `path ${k}: the bound ${bounds[k]} says little against outputs up to ${biggest[k]}`);
  });

  it('a branch that never ran during calibration stays float, skipped with the reason; the model runs on every path', async () => {
    const only = feedsFor([[true, true]], 3);
    const q = await quantizeModel(model, { mode: 'qdq', calibration: only });
    const skipped = q.skipped.map((s) => `${s.node}@${s.graph}`).sort();
    assert.deepEqual(skipped, [
      'e_conv@main > outer_if.else_branch', 'e_matmul@main > outer_if.else_branch', 'e_relu2@main > outer_if.else_branch', 'e_relu@main > outer_if.else_branch',
      'te_matmul@main > outer_if.then_branch > inner_if.else_branch', 'te_relu@main > outer_if.then_branch > inner_if.else_branch',
    ]);
    for (const s of q.skipped) assert.match(s.reason, /^its If branch never ran during calibration/);
    assert.deepEqual(q.changed.map((c) => c.node).sort(), ['t_conv', 't_relu', 'tt_matmul', 'tt_relu']);
    const qm = readModel(q.bytes);
    for (const name of ['e', 'te']) {
      const g = qm.graphs.find((x) => x.name === name);
      assert.ok(!g.node.some((n) => /QuantizeLinear|DequantizeLinear/.test(n.opType)), `graph ${name} stays float`);
    }
    for (const f of feedsFor(ALL_COMBOS, 1)) {
      const a = (await runModel(model, f)).y.data;
      const b = (await runModel(q.bytes, f)).y.data;
      // e: untouched; te: reads the then branch's t_r1, whose producer is quantized, so only close
      if (pathOf(f) === 'e') assert.deepEqual(Array.from(b), Array.from(a));
      else for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 0.1, `${pathOf(f)}[${i}]: ${a[i]} vs ${b[i]}`);
    }
  });

  it('weights and a bias of the main graph read in branches: int8 copies in each branch, the float initializers gone', async () => {
    const Wm = rnd(12, 41, 0.6);
    const C = rnd(3, 42, 0.3);
    const outer = buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 4]], ['c', 'bool', []]],
      outputs: [['y', 'float']],
      initializers: [{ name: 'W', dims: [4, 3], float: Wm }, { name: 'C', dims: [3], float: C }],
      nodes: [{
        op: 'If', inputs: ['c'], outputs: ['y'], name: 'if',
        attrs: {
          then_branch: { graph: { name: 't', outputs: [['ty', 'float']], nodes: [{ op: 'Gemm', inputs: ['x', 'W', 'C'], outputs: ['ty'], name: 't_gemm' }] } },
          else_branch: { graph: { name: 'e', outputs: [['ey', 'float']], nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['ey'], name: 'e_matmul' }] } },
        },
      }],
    });
    const fs4 = [0, 1, 2, 3].map((k) => ({ x: { data: rnd(8, 50 + k, 2), dims: [2, 4] }, c: bool(k % 2 === 0) }));
    const q = await quantizeModel(outer, { mode: 'qdq', calibration: fs4 });
    assert.deepEqual(q.changed.map((c) => c.as), ['QDQ Gemm (uint8 activations, int8 per-channel (axis 1) weights)', 'QDQ MatMul (uint8 activations, int8 per-channel (axis 1) weights)']);
    const qm = readModel(q.bytes);
    assert.deepEqual(qm.graphs[0].initializer.map((t) => t.name), [], 'W and C are read only through their int8 copies');
    const ref = quantizeRef(Wm, [4, 3], { type: 'int8', symmetric: true, axis: 1 });
    for (const g of ['t', 'e']) {
      const graph = qm.graphs.find((x) => x.name === g);
      const dq = graph.node.find((n) => n.opType === 'DequantizeLinear' && /^W_quantized/.test(n.input[0]));
      assert.ok(dq && initIn(graph, dq.input[0]), `graph ${g} holds its int8 copy of W`);
      assert.deepEqual(Array.from(codesOf(initIn(graph, dq.input[0]), 12)), Array.from(ref.codes), g);
      assert.deepEqual(Array.from(floatsOf(initIn(graph, dq.input[1]))), Array.from(ref.scale), g);
    }
    // the bias's DequantizeLinear in the branch does not redefine the name 'C' of the main graph
    const t = qm.graphs.find((x) => x.name === 't');
    const gemm = t.node.find((n) => n.opType === 'Gemm');
    assert.notEqual(gemm.input[2], 'C');
    assert.ok(t.node.some((n) => n.opType === 'DequantizeLinear' && n.output[0] === gemm.input[2]));
    for (const f of fs4) {
      const a = (await runModel(outer, f)).y.data;
      const b = (await runModel(q.bytes, f)).y.data;
      let err = 0;
      let big = 0;
      for (let i = 0; i < a.length; i++) { err = Math.max(err, Math.abs(a[i] - b[i])); big = Math.max(big, Math.abs(a[i])); }
      assert.ok(err > 0 && err < 0.05 * big, `max |Δ| ${err} against outputs up to ${big}`);
    }
  });

  it('a Loop body stays float, skipped with the reason', async () => {
    const loop = buildModel({
      opset: 13,
      inputs: [['x', 'float', [2, 4]], ['n', 'int64', []]],
      outputs: [['y', 'float'], ['z', 'float']],
      initializers: [{ name: 'W', dims: [4, 4], float: rnd(16, 3, 0.5) }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'W'], outputs: ['m'], name: 'outer_matmul' },
        {
          op: 'Loop', inputs: ['n', '', 'm'], outputs: ['y'], name: 'loop',
          attrs: { body: { graph: { name: 'body', inputs: [['i', 'int64', []], ['cond', 'bool', []], ['v', 'float']], outputs: [['cond_out', 'bool', []], ['v_out', 'float']], nodes: [
            { op: 'Identity', inputs: ['cond'], outputs: ['cond_out'] },
            { op: 'MatMul', inputs: ['v', 'W'], outputs: ['v_out'], name: 'body_matmul' },
          ] } } },
        },
        { op: 'Relu', inputs: ['m'], outputs: ['z'], name: 'relu' },
      ],
    });
    const f = { x: { data: rnd(8, 5), dims: [2, 4] }, n: { data: BigInt64Array.of(2n), dims: [] } };
    const q = await quantizeModel(loop, { mode: 'qdq', calibration: [f] });
    assert.deepEqual(q.skipped.map((s) => [s.node, s.graph]), [['body_matmul', 'main > loop.body']]);
    assert.match(q.skipped[0].reason, /^inside a Loop or Scan body/);
    assert.deepEqual(q.changed.map((c) => c.node).sort(), ['outer_matmul', 'relu']);
    await runModel(q.bytes, f);
  });

  // The native pass only: it quantizes in both backends (the other one in a child process).
  if (process.env.QUANTKIT_BACKEND !== 'fallback') it('both backends write byte-identical models', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-qdq-if-'));
    try {
      const file = path.join(tmp, 'if.onnx');
      fs.writeFileSync(file, model);
      const npz = path.join(tmp, 'cal.npz');
      const stack = (name, type, dims, get) => {
        const parts = feeds.map(get);
        const data = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
        let k = 0;
        for (const p of parts) { data.set(p, k); k += p.length; }
        return { name, type, shape: [feeds.length, ...dims], byteLength: data.length, data };
      };
      await writeNpz(npz, [
        stack('x', 'f32', X_DIMS, (f) => new Uint8Array(f.x.data.buffer.slice(0))),
        stack('c', 'bool', [], (f) => f.c.data),
        stack('c2', 'bool', [], (f) => f.c2.data),
      ]);
      const opts = [{ mode: 'qdq', calibration: npz }, { mode: 'qdq', calibration: npz, perChannel: true, activationType: 'int8' }];
      const here = [];
      for (const o of opts) here.push(sha256((await quantizeModel(file, o)).bytes));
      assert.equal(here[0], sha256(r.bytes), 'the npz feeds give the model the feed objects gave');
      assert.deepEqual(digestsOn(otherBackend(qk.backend.name), file, opts), here);

      // Silero VAD, every node (its subgraph weights in Constant nodes), from an npz of its feeds.
      const vf = await vadFeeds(vadSignal(), 6);
      const member = (name, type, dims, get) => {
        const parts = vf.map((f) => { const d = get(f); return new Uint8Array(d.buffer, d.byteOffset, d.byteLength); });
        const data = new Uint8Array(parts.reduce((x, y) => x + y.length, 0));
        let k = 0;
        for (const part of parts) { data.set(part, k); k += part.length; }
        return { name, type, shape: [vf.length, ...dims], byteLength: data.length, data };
      };
      const vnpz = path.join(tmp, 'vad.npz');
      await writeNpz(vnpz, [member('input', 'f32', [1, 576], (f) => f.input.data), member('state', 'f32', [2, 1, 128], (f) => f.state.data), member('sr', 'i64', [], (f) => f.sr.data)]);
      const vopts = [{ mode: 'qdq', calibration: vnpz }];
      const vq = await quantizeModel(REAL_MODELS.vad, vopts[0]);
      assert.ok(vq.nodesChanged > 0);
      assert.deepEqual(digestsOn(otherBackend(qk.backend.name), REAL_MODELS.vad, vopts), [sha256(vq.bytes)]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe(`quantizeModel mode 'qdq' on Silero VAD (${qk.backend.name} backend)`, function () {
  this.timeout(300000);
  let signal;
  let feeds;
  let ref;
  before(async () => {
    signal = vadSignal();
    feeds = await vadFeeds(signal, 3); // every third chunk, the state carried by the float model, sr 16000
    ref = await vadProbabilities(REAL_MODELS.vad, signal);
  });

  it('every node: the 16 kHz branch is quantized, the 8 kHz branch skipped (it never ran); ORT runs the output', async () => {
    const q = await quantizeModel(REAL_MODELS.vad, { mode: 'qdq', calibration: feeds });
    assert.ok(q.nodesChanged > 0);
    assert.ok(q.changed.every((c) => c.graph.startsWith('main > If_0.then_branch')), 'sr 16000 takes the then branch');
    assert.equal(q.changed.filter((c) => c.opType === 'Conv').length, 6);
    const untaken = q.skipped.filter((s) => s.graph.startsWith('main > If_0.else_branch'));
    assert.ok(untaken.length > 0 && untaken.every((s) => /^its If branch never ran during calibration/.test(s.reason)));
    assert.ok(untaken.some((s) => s.opType === 'Conv'));
    assert.ok(q.sizeAfter < q.sizeBefore);
    const got = await vadProbabilities(q.bytes, signal);
    assert.equal(got.length, ref.length);
    assert.ok(got.every(Number.isFinite));
  });

  it("the matrix's options (STFT, encoder/0 and the state's Concat float): speech probabilities within 0.15 of the float model's", async () => {
    const q = await quantizeModel(REAL_MODELS.vad, { ...optionsFor('vad', 'qdq'), calibration: feeds });
    assert.equal(q.changed.filter((c) => c.opType === 'Conv').length, 4);
    const got = await vadProbabilities(q.bytes, signal);
    let maxAbs = 0;
    let same = 0;
    for (let i = 0; i < ref.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(got[i] - ref[i]));
      same += (got[i] > 0.5) === (ref[i] > 0.5) ? 1 : 0;
    }
    assert.ok(maxAbs > 0 && maxAbs <= 0.15, `max |Δp| ${maxAbs}`);
    assert.ok(same / ref.length >= 0.98, `${same} of ${ref.length} speech decisions agree`);
  });
});
