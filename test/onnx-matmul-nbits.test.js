'use strict';
// quantizeModel mode 'matmul-nbits': MatMul with a constant float32 B [K, N] → com.microsoft
// MatMulNBits (4-bit, blockwise along K). Oracles:
//  (a) ONNX Runtime itself dequantizes the written blobs (MatMulNBits with A = identity) and must
//      give exactly what quantkit's own blocked dequantize gives for the same codes;
//  (b) ONNX Runtime's quantizer arithmetic (MLAS q4_dq.cpp quantizeAndTranspose, range2scalezp,
//      range2scale, called by matmul_nbits_quantizer.py) restated below in plain JS, tile loop and all;
//  (c) quantized models run in ONNX Runtime within the bound the scales imply;
//  (d) PaddleOCR rec and cls (opset 9) run in ONNX Runtime;
//  (e) both backends write the same bytes.
const assert = require('node:assert/strict');
const { onnx } = require('onnx-proto');
const qk = require('./support/quantkit');
const { prng } = require('./support/data');
const { buildModel, runModel, REAL_MODELS } = require('./support/onnx-build');
const { quantizeModel } = require('../dist/onnx');
const { digestsOn } = require('./support/ort-weight-ref');

const f32 = new Float32Array(1);
const fl = (x) => ((f32[0] = x), f32[0]);
// C roundf: halves away from zero.
const roundf = (x) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);

/**
 * ORT's quantize_matmul_4bits on a row-major [K, N] float32 weight, restated from MLAS
 * BlockwiseQuantizer<float, bs, 4, Columnwise=true>::quantizeAndTranspose: tiles of 2 blocks
 * of one column, zero-point pair buffer filled with 8, code pair buffer `vi` reused across the
 * tile's row pairs; dst/zp/scales zeroed first as matmul_nbits_quantizer.py does (np.zeros).
 */
function ortQuantize4(w, K, N, bs, symmetric) {
  const rowBlks = Math.ceil(K / bs);
  const blob = bs / 2;
  const qRows = rowBlks * blob;
  const dst = new Uint8Array(N * qRows);
  const scales = new Float32Array(N * rowBlks);
  const zpPer = Math.ceil(rowBlks / 2);
  const zps = new Uint8Array(N * zpPer);
  for (let c = 0; c < N; c++) {
    for (let r = 0; r < K; r += 2 * bs) {
      const zpBytes = [8, 8];
      const vi = [0, 0];
      const rEnd = Math.min(r + 2 * bs, K);
      const metaRow = r / bs;
      for (let kp = 0; kp < 2; kp++) {
        let min = 3.4028234663852886e38;
        let max = -min;
        const rs = r + kp * bs;
        const re = Math.min(rs + bs, rEnd);
        for (let i = rs; i < re; i++) {
          const v = w[i * N + c];
          if (v < min) min = v;
          if (v > max) max = v;
        }
        if (rs < re) {
          const idx = c * rowBlks + metaRow + kp;
          if (symmetric) {
            const m = Math.abs(max) > Math.abs(min) ? max : min;
            scales[idx] = fl(-m / 8);
          } else {
            min = min < 0 ? min : 0;
            max = max > 0 ? max : 0;
            const s = fl(fl(max - min) / 15);
            let z = min;
            if (s !== 0) z = fl(0 - fl(min / s));
            zpBytes[kp] = z < 0 ? 0 : z > 15 ? 15 : roundf(z);
            scales[idx] = s;
          }
        }
      }
      if (!symmetric) zps[c * zpPer + metaRow / 2] = (zpBytes[0] & 0xf) | (zpBytes[1] << 4);
      for (let i = r; i < rEnd; i += 2) {
        for (let l = 0; l < 2 && i + l < rEnd; l++) {
          const metaR = Math.floor((i + l) / bs);
          const s = scales[c * rowBlks + metaR];
          const rec = s ? fl(1 / s) : 0;
          const zp = zpBytes[metaR % 2];
          vi[l] = Math.min(15, Math.max(0, roundf(fl(fl(w[(i + l) * N + c] * rec) + zp))));
        }
        dst[c * qRows + i / 2] = (vi[0] & 0xf) | (vi[1] << 4);
      }
    }
  }
  return { dst, scales, zps: symmetric ? undefined : zps };
}

function floats(n, seed, spread = 1) {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => fl((r() * 2 - 1) * spread));
}

/** A model Y = MatMul(A, B) with B an initializer (or a Constant node). */
function matmulModel(K, N, w, { constantNode = false, opset = 17, aDims } = {}) {
  const b = { name: 'B', dims: [K, N], float: w };
  return buildModel({
    opset,
    inputs: [['A', 'float', aDims ?? ['M', K]]],
    outputs: [['Y', 'float', undefined]],
    nodes: [
      ...(constantNode ? [{ op: 'Constant', inputs: [], outputs: ['B'], attrs: { value: { tensor: b } } }] : []),
      { op: 'MatMul', name: 'mm', inputs: ['A', 'B'], outputs: ['Y'] },
    ],
    initializers: constantNode ? [] : [b],
  });
}

const decode = (bytes) => onnx.ModelProto.decode(bytes);
const tensorBytes = (g, name) => {
  const t = g.initializer.find((x) => x.name === name);
  assert.ok(t, `initializer ${name}`);
  return t;
};
const f32Of = (t) => new Float32Array(new Uint8Array(t.rawData).buffer);
const attrsOf = (n) => Object.fromEntries(n.attribute.map((a) => [a.name, Number(a.i)]));

describe(`quantizeModel mode 'matmul-nbits' (${qk.backend.name})`, () => {
  // K odd, K not a whole number of blocks, odd and even block counts, ties.
  const cases = [
    { K: 64, N: 5, bs: 32, sym: false },
    { K: 67, N: 3, bs: 32, sym: false },
    { K: 67, N: 3, bs: 32, sym: true },
    { K: 33, N: 4, bs: 16, sym: true },
    { K: 65, N: 2, bs: 64, sym: false },
    { K: 300, N: 7, bs: 128, sym: false },
    { K: 300, N: 7, bs: 128, sym: true },
    { K: 129, N: 2, bs: 128, sym: true },
    { K: 40, N: 6, bs: 256, sym: false },
  ];

  for (const { K, N, bs, sym } of cases) {
    it(`(b) B [${K}, ${N}], block ${bs}, ${sym ? 'symmetric' : 'asymmetric'}: bytes, scales and zero points are ORT's (MLAS restated)`, async () => {
      const w = floats(K * N, K * 31 + N + bs + (sym ? 1 : 0), 2);
      // An all-zero block, a block of one sign, a value on an exact code tie.
      for (let k = 0; k < Math.min(bs, K); k++) w[k * N] = 0;
      if (N > 2) for (let k = 0; k < Math.min(bs, K); k++) w[k * N + 1] = Math.abs(w[k * N + 1]) + 0.25;
      const r = await quantizeModel(matmulModel(K, N, w), { mode: 'matmul-nbits', blockSize: bs, symmetric: sym });
      assert.equal(r.nodesChanged, 1);
      const m = decode(r.bytes);
      const g = m.graph;
      assert.equal(g.node.length, 1);
      const n = g.node[0];
      assert.equal(n.opType, 'MatMulNBits');
      assert.equal(n.domain, 'com.microsoft');
      assert.equal(n.name, 'mm_Q4');
      assert.deepEqual(attrsOf(n), { K, N, bits: 4, block_size: bs });
      assert.ok(m.opsetImport.some((o) => o.domain === 'com.microsoft' && Number(o.version) === 1));
      assert.deepEqual(n.input, ['A', 'B_Q4', 'B_scales', ...(sym ? [] : ['B_zero_points'])]);
      assert.ok(!g.initializer.some((t) => t.name === 'B'), 'the float B is gone');
      const want = ortQuantize4(w, K, N, bs, sym);
      const kb = Math.ceil(K / bs);
      const bq = tensorBytes(g, 'B_Q4');
      assert.deepEqual(bq.dims.map(Number), [N, kb, bs / 2]);
      assert.equal(bq.dataType, 2);
      assert.deepEqual(new Uint8Array(bq.rawData), want.dst);
      const sc = tensorBytes(g, 'B_scales');
      assert.deepEqual(sc.dims.map(Number), [N * kb]);
      assert.deepEqual(new Uint32Array(f32Of(sc).buffer), new Uint32Array(want.scales.buffer), 'scales bit for bit');
      if (!sym) {
        const zp = tensorBytes(g, 'B_zero_points');
        assert.deepEqual(zp.dims.map(Number), [N * Math.ceil(kb / 2)]);
        assert.deepEqual(new Uint8Array(zp.rawData), want.zps);
      } else {
        assert.ok(f32Of(sc).some((s) => s < 0), 'symmetric scales carry the sign of the extreme');
      }
    });
  }

  it('(b) the MLAS rounding, not numpy\'s: halves go away from zero after adding the zero point', async () => {
    // One column, K = 16: min −1.5, max 6 → s = 7.5/15 = 0.5, zp = roundf(3) = 3; 0.25 → 0.5 + 3 = 3.5 → 4 (ties-to-even: 4 too),
    // 0.75 → 1.5 + 3 = 4.5 → 5 (ties-to-even would give 4).
    const w = Float32Array.from([-1.5, 6, 0.25, 0.75, 1.25, -0.25, -0.75, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = await quantizeModel(matmulModel(16, 1, w), { mode: 'matmul-nbits', blockSize: 16 });
    const g = decode(r.bytes).graph;
    const codes = qk.unpack(new Uint8Array(tensorBytes(g, 'B_Q4').rawData), 'uint4', 16);
    assert.deepEqual(Array.from(codes.slice(0, 7)), [0, 15, 4, 5, 6, 3, 2]);
    assert.equal(f32Of(tensorBytes(g, 'B_scales'))[0], 0.5);
    assert.equal(new Uint8Array(tensorBytes(g, 'B_zero_points').rawData)[0], 0x83);
  });

  for (const sym of [false, true]) {
    it(`(a) ONNX Runtime dequantizes the blobs exactly as quantkit's blocked dequantize does (${sym ? 'symmetric' : 'asymmetric'})`, async () => {
      const K = 200;
      const N = 9;
      const bs = 32;
      const w = floats(K * N, sym ? 77 : 78, 3);
      for (let k = 32; k < 64; k++) w[k * N + 2] = 0; // a zero block: scale 0
      const r = await quantizeModel(matmulModel(K, N, w), { mode: 'matmul-nbits', blockSize: bs, symmetric: sym });
      const eye = new Float32Array(K * K);
      for (let i = 0; i < K; i++) eye[i * K + i] = 1;
      const y = (await runModel(r.bytes, { A: { data: eye, dims: [K, K] } })).Y.data; // [K, N] = dequant(B)
      const g = decode(r.bytes).graph;
      const kb = Math.ceil(K / bs);
      const kPad = kb * bs;
      const codes = qk.unpack(new Uint8Array(tensorBytes(g, 'B_Q4').rawData), 'uint4', N * kPad); // [N, kPad]
      const scales = f32Of(tensorBytes(g, 'B_scales'));
      const zpPer = Math.ceil(kb / 2);
      const zps = sym ? new Uint8Array(N * zpPer * 2).fill(8) : qk.unpack(new Uint8Array(tensorBytes(g, 'B_zero_points').rawData), 'uint4', N * zpPer * 2);
      // quantkit's scales are positive: (q − z)·s with s < 0 is ((15 − q) − (15 − z))·|s|, the same
      // float32 product; a zero scale (all-zero block) dequantizes to 0.
      const qs = new Uint8Array(N * kPad);
      const bScale = new Float32Array(N * kb);
      const bZp = new Uint8Array(N * kb);
      for (let n = 0; n < N; n++) {
        for (let b = 0; b < kb; b++) {
          const s = scales[n * kb + b];
          const z = zps[n * zpPer * 2 + b];
          bScale[n * kb + b] = s === 0 ? 1 : Math.abs(s);
          bZp[n * kb + b] = s < 0 ? 15 - z : z;
          for (let k = b * bs; k < (b + 1) * bs; k++) {
            const q = codes[n * kPad + k];
            qs[n * kPad + k] = s === 0 ? bZp[n * kb + b] : s < 0 ? 15 - q : q;
          }
        }
      }
      const mine = qk.dequantize(qk.pack(qs, 'uint4'), { dtype: 'uint4', scale: bScale, zeroPoint: bZp, axis: 1, shape: [N, kPad], blockSize: bs }, new Float32Array(N * kPad));
      let zeroBlock = 0;
      for (let n = 0; n < N; n++) {
        for (let k = 0; k < K; k++) {
          const ort = y[k * N + n];
          const q = mine[n * kPad + k];
          if (scales[n * kb + Math.floor(k / bs)] === 0) zeroBlock++;
          assert.ok(ort === q, `B[${k}, ${n}]: ORT ${ort}, quantkit ${q}`);
        }
      }
      assert.equal(zeroBlock, sym ? 32 : 32, 'the zero block was checked');
    });
  }

  it('(c) quantized models run in ONNX Runtime within the bound the scales give: |y − y_float| ≤ Σ_k |a_k|·c·|s| (c = ½ asymmetric, 1 symmetric)', async () => {
    const K = 96;
    const N = 40;
    const w = floats(K * N, 5, 0.5);
    const a = floats(3 * K, 6, 2);
    const want = await runModel(matmulModel(K, N, w), { A: { data: a, dims: [3, K] } });
    for (const sym of [false, true]) {
      for (const bs of [16, 32, 128]) {
        const r = await quantizeModel(matmulModel(K, N, w, { constantNode: true }), { mode: 'matmul-nbits', blockSize: bs, symmetric: sym });
        const g = decode(r.bytes).graph;
        assert.deepEqual(g.node.map((n) => n.opType), ['MatMulNBits'], 'the Constant node went with its last use');
        const scales = f32Of(tensorBytes(g, 'B_scales'));
        const kb = Math.ceil(K / bs);
        const got = await runModel(r.bytes, { A: { data: a, dims: [3, K] } });
        for (let i = 0; i < 3; i++) {
          for (let n = 0; n < N; n++) {
            let bound = 0;
            let mag = 0;
            for (let k = 0; k < K; k++) {
              bound += Math.abs(a[i * K + k]) * (sym ? 1 : 0.5) * Math.abs(scales[n * kb + Math.floor(k / bs)]);
              mag += Math.abs(a[i * K + k] * w[k * N + n]);
            }
            const err = Math.abs(got.Y.data[i * N + n] - want.Y.data[i * N + n]);
            assert.ok(err <= bound * (1 + 1e-5) + mag * 1e-5, `row ${i} col ${n} (block ${bs}, sym ${sym}): error ${err} > bound ${bound}`);
          }
        }
      }
    }
  });

  it('(c) MatMuls inside If subgraphs and 3-D A; B shared by two MatMuls is quantized once', async () => {
    const K = 48;
    const N = 8;
    const w = floats(K * N, 9, 1);
    const branch = (name) => ({
      name,
      outputs: [[`${name}_y`, 'float', undefined]],
      nodes: [{ op: 'MatMul', name: `${name}_mm`, inputs: ['A', 'W'], outputs: [`${name}_y`] }],
    });
    const bytes = buildModel({
      opset: 17,
      inputs: [['A', 'float', [2, 3, K]], ['c', 'bool', []]],
      outputs: [['Y', 'float', undefined], ['Z', 'float', undefined]],
      initializers: [{ name: 'W', dims: [K, N], float: w }],
      nodes: [
        { op: 'MatMul', name: 'outer', inputs: ['A', 'W'], outputs: ['Z'] },
        { op: 'If', name: 'if', inputs: ['c'], outputs: ['Y'], attrs: { then_branch: { graph: branch('t') }, else_branch: { graph: branch('e') } } },
      ],
    });
    const r = await quantizeModel(bytes, { mode: 'matmul-nbits', blockSize: 16 });
    assert.equal(r.nodesChanged, 3);
    assert.deepEqual(r.changed.map((c) => c.graph), ['main', 'main > if.then_branch', 'main > if.else_branch']);
    const g = decode(r.bytes).graph;
    assert.deepEqual(g.initializer.map((t) => t.name).sort(), ['W_Q4', 'W_scales', 'W_zero_points']);
    const a = floats(2 * 3 * K, 10);
    const want = await runModel(bytes, { A: { data: a, dims: [2, 3, K] }, c: { data: Uint8Array.of(1), dims: [], type: 'bool' } });
    const got = await runModel(r.bytes, { A: { data: a, dims: [2, 3, K] }, c: { data: Uint8Array.of(1), dims: [], type: 'bool' } });
    assert.deepEqual(got.Y.dims, [2, 3, N]);
    assert.deepEqual(Array.from(got.Y.data), Array.from(got.Z.data), 'the same blobs in and out of the subgraph');
    const maxScale = Math.max(...f32Of(tensorBytes(g, 'W_scales')));
    for (let i = 0; i < got.Y.data.length; i++) {
      let sumA = 0;
      for (let k = 0; k < K; k++) sumA += Math.abs(a[Math.floor(i / N) * K + k]);
      assert.ok(Math.abs(got.Y.data[i] - want.Y.data[i]) <= (sumA * maxScale) / 2 + 1e-5, `Y[${i}]`);
    }
  });

  it('skips what MatMulNBits cannot take, with the reason; options and bad input are errors naming them', async () => {
    const K = 32;
    const model = buildModel({
      opset: 17,
      inputs: [['A', 'float', [1, K]], ['Bin', 'float', [K, 4]]],
      outputs: [['Y1', 'float', undefined], ['Y2', 'float', undefined], ['Y3', 'float', undefined], ['Y4', 'float', undefined], ['Y5', 'float', undefined], ['Y6', 'float', undefined]],
      initializers: [
        { name: 'W3', dims: [1, K, 4], float: floats(K * 4, 1) },
        { name: 'Wd', dims: [K, 4], dataType: 'double', raw: new Uint8Array(new Float64Array(K * 4).buffer) },
        { name: 'Ws', dims: [8, 4], float: floats(32, 2) },
        { name: 'Wx', dims: [K, 4], float: floats(K * 4, 3) },
        { name: 'Wok', dims: [K, 4], float: floats(K * 4, 4) },
        ...[['st', 0n], ['en', 8n], ['ax', 1n]].map(([name, v]) => ({ name, dims: [1], dataType: 'int64', raw: new Uint8Array(BigInt64Array.of(v).buffer) })),
      ],
      nodes: [
        { op: 'MatMul', name: 'nonconst', inputs: ['A', 'Bin'], outputs: ['Y1'] },
        { op: 'MatMul', name: 'rank3', inputs: ['A', 'W3'], outputs: ['Y2'] },
        { op: 'Cast', name: 'c', inputs: ['A'], outputs: ['Ad'], attrs: { to: 11 } },
        { op: 'MatMul', name: 'double', inputs: ['Ad', 'Wd'], outputs: ['Yd'] },
        { op: 'Cast', name: 'c2', inputs: ['Yd'], outputs: ['Y3'], attrs: { to: 1 } },
        { op: 'Slice', name: 's', inputs: ['A', 'st', 'en', 'ax'], outputs: ['A8'] },
        { op: 'MatMul', name: 'small', inputs: ['A8', 'Ws'], outputs: ['Y4'] },
        { op: 'MatMul', name: 'excluded', inputs: ['A', 'Wx'], outputs: ['Y5'] },
        { op: 'MatMul', name: 'ok', inputs: ['A', 'Wok'], outputs: ['Y6'] },
      ],
    });
    const r = await quantizeModel(model, { mode: 'matmul-nbits', blockSize: 16, excludeNode: ['excluded'] });
    assert.deepEqual(r.changed.map((c) => c.node), ['ok']);
    assert.deepEqual(Object.fromEntries(r.skipped.map((s) => [s.node, s.reason])), {
      nonconst: 'B (Bin) is not a constant',
      rank3: 'B (W3) is 3-D [1, 32, 4], not 2-D',
      double: 'B (Wd) is double, not float',
      small: 'B (Ws) is [8, 4]: K below 16 or N empty',
      excluded: "excluded by excludeNode 'excluded'",
    });
    const feeds = { A: { data: floats(K, 5), dims: [1, K] }, Bin: { data: floats(K * 4, 6), dims: [K, 4] } };
    const want = await runModel(model, feeds);
    const got = await runModel(r.bytes, feeds);
    for (const k of ['Y1', 'Y2', 'Y3', 'Y4', 'Y5']) assert.deepEqual(got[k].data, want[k].data, `${k} untouched`);

    await assert.rejects(quantizeModel(model, { mode: 'matmul-nbits', blockSize: 512 }), { name: 'RangeError', message: /options.blockSize for mode 'matmul-nbits' to be one of 16, 32, 64, 128, 256 .* but received 512/ });
    await assert.rejects(quantizeModel(model, { mode: 'matmul-nbits', blockSize: 48 }), { name: 'RangeError', message: /power of 2/ });
    await assert.rejects(quantizeModel(model, { mode: 'matmul-nbits', accuracyLevel: 5 }), { name: 'RangeError', message: /options.accuracyLevel/ });
    await assert.rejects(quantizeModel(model, { mode: 'matmul-nbits', symmetric: 'yes' }), { name: 'TypeError', message: /options.symmetric/ });
    await assert.rejects(quantizeModel(model, { mode: 'matmul-nbits', perChannel: true }), { name: 'TypeError', message: /options.perChannel applies to mode/ });
    const nan = floats(K * 4, 7);
    nan[5] = NaN;
    const rn = await quantizeModel(matmulModel(K, 4, nan), { mode: 'matmul-nbits', blockSize: 16 });
    assert.deepEqual(rn.skipped.map((s) => s.reason), ['B (B) holds NaN or infinite values']);
  });

  it('accuracy_level is written only when given, and ORT runs it', async () => {
    const K = 64;
    const w = floats(K * 4, 8);
    const r0 = await quantizeModel(matmulModel(K, 4, w), { mode: 'matmul-nbits' });
    assert.deepEqual(attrsOf(decode(r0.bytes).graph.node[0]), { K, N: 4, bits: 4, block_size: 128 });
    const r4 = await quantizeModel(matmulModel(K, 4, w), { mode: 'matmul-nbits', accuracyLevel: 4 });
    assert.deepEqual(attrsOf(decode(r4.bytes).graph.node[0]), { K, N: 4, bits: 4, block_size: 128, accuracy_level: 4 });
    const a = { A: { data: floats(2 * K, 9), dims: [2, K] } };
    const y0 = await runModel(r0.bytes, a);
    const y4 = await runModel(r4.bytes, a);
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(y0.Y.data[i] - y4.Y.data[i]) < 0.1);
  });

  for (const name of ['rec', 'cls']) {
    it(`(d) PaddleOCR ${name} (opset 9) runs in ONNX Runtime; cosine to the float model ≥ 0.995 (asymmetric, block 128) and ≥ 0.98 (symmetric, block 32)`, async function () {
      this.timeout(60000);
      const dims = name === 'rec' ? [1, 3, 48, 320] : [1, 3, 48, 192];
      const x = floats(dims.reduce((p, q) => p * q), 11, 1);
      const want = await runModel(REAL_MODELS[name], { x: { data: x, dims } });
      for (const [opts, min] of [[{}, 0.995], [{ symmetric: true, blockSize: 32 }, 0.98]]) {
        const r = await quantizeModel(REAL_MODELS[name], { mode: 'matmul-nbits', ...opts });
        assert.equal(r.opsetBefore, 9);
        assert.equal(r.opsetAfter, 9);
        assert.equal(r.nodesChanged, name === 'rec' ? 9 : 1);
        if (name === 'rec') assert.equal(r.skipped.length, 4, 'the attention MatMuls (B an activation) stay');
        const got = await runModel(r.bytes, { x: { data: x, dims } });
        const k = Object.keys(want)[0];
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let i = 0; i < want[k].data.length; i++) {
          dot += want[k].data[i] * got[k].data[i];
          na += want[k].data[i] ** 2;
          nb += got[k].data[i] ** 2;
        }
        const cos = dot / Math.sqrt(na * nb);
        assert.ok(cos >= min, `${name} ${JSON.stringify(opts)}: cosine ${cos}`);
        assert.ok(r.sizeAfter < r.sizeBefore);
      }
    });
  }

  it('(e) native, wasm and fallback write the same bytes (PaddleOCR rec, both symmetries)', function () {
    this.timeout(120000);
    const run = (backend) => digestsOn(backend, REAL_MODELS.rec, [false, true].map((symmetric) => ({ mode: 'matmul-nbits', symmetric, blockSize: symmetric ? 32 : 128 })));
    const native = run('native');
    assert.deepEqual(run('fallback'), native);
    assert.deepEqual(run('wasm'), native);
    assert.notEqual(native[0], native[1]);
  });
});
