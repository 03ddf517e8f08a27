'use strict';
// Mode 'qdq' on the ops with a QDQ rule of their own beyond Conv/MatMul/Gemm and the element-wise
// ops (ONNX Runtime 1.30 operators/*.py: QDQDirect8BitOp for Flatten and TopK, QDQPad, QDQGather,
// QDQWhere, QDQNormalization, QDQOperatorBase for CumSum, ArgMax and EmbedLayerNormalization).
// For each op a small model (test/support/qdq-ops-models.js): which tensors got
// QuantizeLinear/DequantizeLinear and which share parameters (ORT's rule, restated here per op),
// the constants' codes by ORT's formulas (compute_scale_zp, quantize_bias_static_impl) restated in
// plain JS, onnxruntime-node runs the output, and the output is within a bound derived from the
// written scales of the float model's (calibration feeds = test feeds, so nothing saturates).
const assert = require('node:assert/strict');
const qk = require('./support/quantkit');
const { runModel } = require('./support/onnx-build');
const { CASES, qdqJobs } = require('./support/qdq-ops-models');
const { jobDigests, jobDigestsOn } = require('./support/ort-weight-ref');
const { onnx } = require('onnx-proto');
const { quantizeModel } = require('../dist/onnx');
const { QDQ_OPS } = require('../dist/onnx/modes/qdq');
const ref = require('./support/qdq-ref');

const { ortScaleZp, rint } = ref;
/** An initializer's values as a plain array (deepEqual against restated codes). */
const initValues = (m, name) => {
  const v = ref.initValues(m, name);
  return { ...v, data: Array.from(v.data) };
};

const f32 = Math.fround;
/** ORT quantize_nparray: clip(rint(fl(x / scale)) + zp) to the type's full range. */
const ortCodes = (x, s, zp, qmin, qmax) => Array.from(x, (v) => Math.max(qmin, Math.min(qmax, rint(f32(v / s)) + zp)));

/** QuantizeLinear nodes: tensor name (before the graph-output rename) → { scale, zp } initializer names. */
function activationQs(m) {
  const out = new Map();
  for (const n of m.graph.node) if (n.opType === 'QuantizeLinear') out.set(n.input[0].replace(/_QuantizeLinear_Input$/, ''), { scale: n.input[1], zp: n.input[2] });
  return out;
}
/** The DequantizeLinear that writes constant `c`'s quantized copy. */
const constDq = (m, c) => m.graph.node.find((n) => n.opType === 'DequantizeLinear' && n.input[0] === `${c}_quantized`);
const scaleOf = (m, qs, t) => initValues(m, qs.get(t).scale).data[0];
const originalFloats = (model, name) => {
  const t = onnx.ModelProto.decode(model).graph.initializer.find((x) => x.name === name);
  return new Float32Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength));
};

/** Quantizes case `name`, runs the float and the quantized model on every feed. */
async function run(name, extra = {}) {
  const { model, feeds, opts } = CASES[name]();
  const r = await quantizeModel(model, { mode: 'qdq', calibration: feeds, ...opts, ...extra });
  const m = onnx.ModelProto.decode(r.bytes);
  const outs = [];
  for (const f of feeds) outs.push({ feed: f, ref: await runModel(model, f), got: await runModel(r.bytes, f) });
  return { model, feeds, r, m, qs: activationQs(m), outs };
}
/** |got − ref| ≤ bound(i, feed, ref) for every element of output `o` on every feed. */
function within(outs, o, bound) {
  for (const { feed, ref, got } of outs) {
    const a = ref[o].data;
    const b = got[o].data;
    assert.equal(b.length, a.length, `${o} length`);
    for (let i = 0; i < a.length; i++) {
      const lim = bound(i, feed, a) + 1e-5 * (1 + Math.abs(a[i]));
      assert.ok(Math.abs(b[i] - a[i]) <= lim, `${o}[${i}]: ${b[i]} vs ${a[i]}, bound ${lim}`);
    }
  }
}

/**
 * Per element, a float64 restatement of a normalization y = γ·(x − μ)/σ + β over groups of
 * `group` consecutive elements (σ = sqrt(var + eps)), with μ and var from the group or given per
 * channel (BatchNormalization's inference statistics), and the bound on |y' − y| when every x
 * moves by at most δ, γ by dG, β by dB: x̂ moves by at most (2 + |x̂|)·δ/(σ − δ) (μ by δ, σ by
 * at most δ; with fixed statistics by δ/σ), so y by (|γ| + dG)·Δx̂ + dG·|x̂| + dB.
 */
function normBound(x, { group, channelOf, gamma, delta, dG, dB, stats }) {
  const bound = new Float64Array(x.length);
  for (let g0 = 0; g0 < x.length; g0 += group) {
    let mu = 0, v = 0;
    if (!stats) {
      for (let i = g0; i < g0 + group; i++) mu += x[i];
      mu /= group;
      for (let i = g0; i < g0 + group; i++) v += (x[i] - mu) ** 2;
      v /= group;
    }
    for (let i = g0; i < g0 + group; i++) {
      const c = channelOf(i);
      const m = stats ? stats.mean[c] : mu;
      const sigma = Math.sqrt((stats ? stats.var[c] : v) + (stats ? stats.eps : 1e-5));
      const xhat = (x[i] - m) / sigma;
      const dxhat = stats ? delta / sigma : ((2 + Math.abs(xhat)) * delta) / (sigma - delta);
      assert.ok(sigma > delta, `group at ${g0}: σ ${sigma} ≤ δ ${delta}: the bound does not hold`);
      bound[i] = (Math.abs(gamma[c]) + dG) * dxhat + dG * Math.abs(xhat) + dB;
    }
  }
  return bound;
}

/** Checks constant `c` was quantized per tensor as ORT does: the activation type asymmetric, or int8 symmetric for a weight. */
function checkConstCodes(model, m, c, kind) {
  const x = originalFloats(model, c);
  let lo = Infinity, hi = -Infinity;
  for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const [qmin, qmax, sym, dt] = kind === 'weight' ? [-127, 127, true, 3] : [0, 255, false, 2];
  const want = ortScaleZp(lo, hi, qmin, qmax, sym);
  const q = initValues(m, `${c}_quantized`);
  assert.equal(q.dataType, dt, `${c} type`);
  assert.equal(initValues(m, `${c}_scale`).data[0], want.scale, `${c} scale`);
  assert.equal(initValues(m, `${c}_zero_point`).data[0], want.zp, `${c} zero point`);
  assert.deepEqual(q.data, ortCodes(x, want.scale, want.zp, kind === 'weight' ? -128 : 0, kind === 'weight' ? 127 : 255), `${c} codes`);
  assert.equal(constDq(m, c).attribute.length, 0, `${c} per tensor (no axis)`);
  return want;
}

describe(`quantizeModel mode 'qdq': the ops of ORT's QDQ registry beyond the basic ones (${qk.backend.name} backend)`, function () {
  this.timeout(60000);

  it('QDQ_OPS lists them', () => {
    for (const op of ['Flatten', 'TopK', 'Pad', 'Gather', 'GatherElements', 'Where', 'InstanceNormalization', 'LayerNormalization', 'BatchNormalization', 'CumSum', 'ArgMax', 'EmbedLayerNormalization']) assert.ok(QDQ_OPS.includes(op), op);
  });

  it('Flatten (QDQDirect8BitOp): the output shares its quantized input\'s parameters', async () => {
    const { m, qs, outs } = await run('flatten');
    assert.deepEqual([...qs.keys()].sort(), ['a', 'out', 'x', 'y']);
    assert.deepEqual(qs.get('out'), qs.get('a'));
    const half = (t) => scaleOf(m, qs, t) / 2;
    within(outs, 'out', () => half('x') + half('y') + half('a'));
  });

  it('TopK (QDQDirect8BitOp): the values share the input\'s parameters, the int64 indices stay as they are', async () => {
    const { m, qs, outs } = await run('topk');
    assert.deepEqual([...qs.keys()].sort(), ['a', 'values', 'x', 'y']);
    assert.deepEqual(qs.get('values'), qs.get('a'));
    const half = (t) => scaleOf(m, qs, t) / 2;
    // The k largest values move by at most the largest element error.
    within(outs, 'values', () => half('x') + half('y') + half('a'));
    for (const { got } of outs) assert.equal(got.indices.type, 'int64');
  });

  it('Pad (QDQPad): shares input 0\'s parameters when padding with 0 or in reflect mode, else its own; the pad value is quantized', async () => {
    const { model, m, qs, r, outs } = await run('pad');
    assert.deepEqual([...qs.keys()].sort(), ['p0', 'p1', 'p2', 'p3', 'v', 'x']);
    assert.deepEqual(qs.get('p0'), qs.get('x'), 'constant mode, no value (0)');
    assert.deepEqual(qs.get('p2'), qs.get('x'), 'reflect');
    assert.equal(qs.get('p1').scale, 'p1_scale', 'constant 0.5: own parameters');
    assert.equal(qs.get('p3').scale, 'p3_scale', 'a fed pad value: own parameters');
    const cv = checkConstCodes(model, m, 'cv', 'activation'); // QDQPad marks every input: the constant as an activation-type constant
    assert.equal(r.changed.filter((c) => c.opType === 'Pad').length, 4);
    const half = (t) => scaleOf(m, qs, t) / 2;
    within(outs, 'p0', () => half('x'));
    within(outs, 'p2', () => half('x'));
    within(outs, 'p1', () => Math.max(half('x'), cv.scale / 2) + half('p1'));
    within(outs, 'p3', () => Math.max(half('x'), half('v')) + half('p3'));
  });

  it('Pad at opset 10 (value attribute): value 0 shares, 1.5 does not', async () => {
    const { m, qs, r, outs } = await run('pad10');
    assert.equal(r.opsetAfter, 10);
    assert.deepEqual([...qs.keys()].sort(), ['q0', 'q1', 'x']);
    assert.deepEqual(qs.get('q0'), qs.get('x'));
    assert.equal(qs.get('q1').scale, 'q1_scale');
    const half = (t) => scaleOf(m, qs, t) / 2;
    within(outs, 'q0', () => half('x'));
    within(outs, 'q1', () => half('x') + half('q1'));
  });

  it('Gather (QDQGather): a constant table is quantized with the activation type, asymmetric, and the output shares its parameters', async () => {
    const { model, m, qs, outs } = await run('gather');
    assert.deepEqual([...qs.keys()], ['g']);
    assert.deepEqual(qs.get('g'), { scale: 'T_scale', zp: 'T_zero_point' });
    const t = checkConstCodes(model, m, 'T', 'activation');
    assert.ok(!m.graph.initializer.some((i) => i.name === 'T'), 'the float table is gone');
    within(outs, 'g', () => t.scale / 2);
  });

  it('GatherElements (QDQGather): of a quantized activation and of a constant table', async () => {
    const { model, m, qs, outs } = await run('gatherElements');
    assert.deepEqual([...qs.keys()].sort(), ['a', 'g1', 'g2', 'x', 'y']);
    assert.deepEqual(qs.get('g1'), qs.get('a'));
    assert.deepEqual(qs.get('g2'), { scale: 'E_scale', zp: 'E_zero_point' });
    const e = checkConstCodes(model, m, 'E', 'activation');
    const half = (t) => scaleOf(m, qs, t) / 2;
    within(outs, 'g1', () => half('x') + half('y') + half('a'));
    within(outs, 'g2', () => e.scale / 2);
  });

  it('Where (QDQWhere): the output is quantized only when both values are; its inputs are left alone', async () => {
    const { m, qs, r, outs } = await run('where');
    assert.deepEqual([...qs.keys()].sort(), ['a1', 'a2', 'w', 'x', 'y', 'z']);
    assert.equal(qs.get('w').scale, 'w_scale');
    assert.ok(m.graph.initializer.some((i) => i.name === 'K' && i.dataType === 1), 'K stays float');
    assert.deepEqual(r.changed.filter((c) => c.opType === 'Where').map((c) => c.node), ['where_both']);
    const half = (t) => scaleOf(m, qs, t) / 2;
    within(outs, 'w', () => Math.max(half('x') + half('y') + half('a1'), half('y') + half('z') + half('a2')) + half('w'));
    within(outs, 'w2', (i, feed) => (feed.c.data[i] ? half('x') + half('y') + half('a1') : 0));
  });

  for (const [name, opName, layout] of [
    ['batchNorm', 'BatchNormalization', { group: 16, channels: 3, stats: true }],
    ['instanceNorm', 'InstanceNormalization', { group: 6, channels: 3 }],
    ['layerNorm', 'LayerNormalization', { group: 6, channels: 6, lastAxis: true }],
  ]) {
    it(`${opName} (QDQNormalization): input and outputs activations, the 1-D scale an int8 per-tensor weight (even per channel), the bias float (quantkit's deviation)`, async () => {
      const { model, m, qs, outs } = await run(name);
      const outputs = name === 'layerNorm' ? ['isd', 'mu', 'x', 'y'] : ['x', 'y'];
      assert.deepEqual([...qs.keys()].sort(), outputs);
      const g = checkConstCodes(model, m, 'gamma', 'weight'); // rank 1: ORT's axis 1 is out of range, so per tensor
      const sx = scaleOf(m, qs, 'x');
      // ORT would store beta as int32 at fl(x_scale · gamma_scale); quantkit keeps it float, as it was.
      assert.ok(!m.graph.initializer.some((i) => i.name === 'beta_quantized'), 'no int32 bias');
      assert.deepEqual(initValues(m, 'beta').data, Array.from(originalFloats(model, 'beta')));
      if (name === 'batchNorm') for (const s of ['mean', 'var']) assert.ok(m.graph.initializer.some((i) => i.name === s && i.dataType === 1), `${s} stays float`);
      const gamma = originalFloats(model, 'gamma');
      const stats = layout.stats ? { mean: originalFloats(model, 'mean'), var: originalFloats(model, 'var'), eps: 1e-5 } : undefined;
      const channelOf = (i) => (layout.lastAxis ? i % layout.channels : Math.floor(i / layout.group) % layout.channels);
      for (const { feed, ref, got } of outs) {
        const b = normBound(feed.x.data, { group: layout.group, channelOf, gamma, delta: sx / 2, dG: g.scale / 2, dB: 0, stats });
        const sy = scaleOf(m, qs, 'y');
        within([{ feed, ref, got }], 'y', (i) => b[i] + sy / 2);
      }
    });
  }

  it('LayerNormalization: Mean and InvStdDev outputs are quantized too, each with its own parameters', async () => {
    const { m, qs, outs } = await run('layerNorm');
    const sx = scaleOf(m, qs, 'x');
    within(outs, 'mu', () => sx / 2 + scaleOf(m, qs, 'mu') / 2);
    // 1/σ moves by at most δ/(σ(σ − δ)) when σ moves by δ.
    within(outs, 'isd', (i, feed, ref) => { const s = 1 / ref[i]; return sx / 2 / (s * (s - sx / 2)) + scaleOf(m, qs, 'isd') / 2; });
  });

  it('LayerNormalization with a 2-D scale: per channel along axis 1; the [4, 6] bias stays float, as every normalization bias (ORT\'s tool fails on it)', async () => {
    const { model, m, qs, r, outs } = await run('layerNorm2d');
    assert.deepEqual([...qs.keys()].sort(), ['x', 'y']);
    const dq = constDq(m, 'gamma');
    assert.equal(Number(dq.attribute.find((a) => a.name === 'axis').i), 1);
    const gamma = originalFloats(model, 'gamma');
    const gs = initValues(m, 'gamma_scale').data;
    assert.equal(gs.length, 6);
    for (let c = 0; c < 6; c++) {
      let a = 0;
      for (let i = c; i < 24; i += 6) a = Math.max(a, Math.abs(gamma[i]));
      assert.equal(gs[c], ortScaleZp(-a, a, -127, 127, true).scale, `gamma scale[${c}]`);
    }
    assert.ok(m.graph.initializer.some((i) => i.name === 'beta' && i.dataType === 1), 'beta stays float');
    assert.deepEqual(r.skipped, []);
    const sx = scaleOf(m, qs, 'x');
    for (const { feed, ref, got } of outs) {
      const b = normBound(feed.x.data, { group: 24, channelOf: (i) => i % 24, gamma, delta: sx / 2, dG: Math.max(...gs) / 2, dB: 0 });
      within([{ feed, ref, got }], 'y', (i) => b[i] + scaleOf(m, qs, 'y') / 2);
    }
  });

  it('CumSum (QDQOperatorBase): input and output with their own parameters, the int64 axis untouched', async () => {
    const { m, qs, outs } = await run('cumsum');
    assert.deepEqual([...qs.keys()].sort(), ['x', 'y']);
    assert.ok(m.graph.initializer.some((i) => i.name === 'axis' && i.dataType === 7));
    const sx = scaleOf(m, qs, 'x');
    within(outs, 'y', (i) => ((i % 6) + 1) * (sx / 2) + scaleOf(m, qs, 'y') / 2);
  });

  it('ArgMax (QDQOperatorBase): the input is quantized, the int64 output not; the pick is within one step of the maximum', async () => {
    const { m, qs, outs } = await run('argmax');
    assert.deepEqual([...qs.keys()], ['x']);
    const sx = scaleOf(m, qs, 'x');
    for (const { feed, got } of outs) {
      const x = feed.x.data;
      for (let row = 0; row < 3; row++) {
        const v = x.subarray(7 * row, 7 * row + 7);
        const pick = Number(got.i.data[row]);
        assert.ok(v[pick] >= Math.max(...v) - sx - 1e-6, `row ${row}: picked ${v[pick]}, max ${Math.max(...v)}, step ${sx}`);
      }
    }
  });

  it('EmbedLayerNormalization (com.microsoft, QDQOperatorBase): the embedding tables, gamma and beta are activation-type constants, the output is quantized', async () => {
    const { model, m, qs, outs } = await run('embedLayerNorm');
    assert.deepEqual([...qs.keys()], ['out']);
    const c = Object.fromEntries(['word', 'pos', 'gamma', 'beta'].map((n) => [n, checkConstCodes(model, m, n, 'activation')]));
    const word = originalFloats(model, 'word');
    const pos = originalFloats(model, 'pos');
    const gamma = originalFloats(model, 'gamma');
    const so = scaleOf(m, qs, 'out');
    for (const { feed, ref, got } of outs) {
      const ids = feed.ids.data;
      const x = new Float64Array(2 * 5 * 8);
      for (let t = 0; t < 10; t++) for (let h = 0; h < 8; h++) x[t * 8 + h] = f32(word[ids[t] * 8 + h] + pos[(t % 5) * 8 + h]);
      const b = normBound(x, { group: 8, channelOf: (i) => i % 8, gamma, delta: c.word.scale / 2 + c.pos.scale / 2, dG: c.gamma.scale / 2, dB: c.beta.scale / 2 });
      within([{ feed, ref, got }], 'out', (i) => b[i] + so / 2);
    }
  });

  it('both backends write byte-identical models (every case, the other backend in a child process)', async () => {
    const other = qk.backend.name === 'native' ? 'fallback' : 'native';
    const mine = await jobDigests(qdqJobs());
    const theirs = jobDigestsOn(other, require.resolve('./support/qdq-ops-models'), 'qdqJobs');
    Object.keys(CASES).forEach((name, k) => assert.equal(mine[k], theirs[k], `${name}: the ${other} backend wrote other bytes`));
  });
});
