#!/usr/bin/env node
// A model past protobuf's 2 GiB limit, through quantkit/onnx: a MatMul whose float32 weight
// (--mb MiB, default 2200) is stored as external data next to the model, quantized by
// quantizeModel (weights-only, per channel) from the path; the output keeps external data,
// and onnxruntime-node runs both models on one input: the quantized output is within the
// weight-quantization bound of the float one. Not in CI (it writes and reads several GiB);
// run it by hand: npm run test:onnx-large [-- --mb 2200].
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { onnx } = require('onnx-proto');
const ort = require('onnxruntime-node');
const { quantizeModel } = require('../dist/onnx');

const args = process.argv.slice(2);
const MB = args.includes('--mb') ? Number(args[args.indexOf('--mb') + 1]) : 2200;
const N = 256;
const K = Math.floor((MB * 2 ** 20) / 4 / N);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-onnx-large-'));

(async () => {
  try {
    const dataFile = path.join(dir, 'big.onnx.data');
    // The weight, row by row (K rows of N floats), written in 64 MiB pieces.
    const fd = fs.openSync(dataFile, 'w');
    const rowsPer = Math.floor((64 * 2 ** 20) / (4 * N));
    const piece = new Float32Array(rowsPer * N);
    for (let r0 = 0; r0 < K; r0 += rowsPer) {
      const rows = Math.min(rowsPer, K - r0);
      for (let i = 0; i < rows * N; i++) piece[i] = (0.5 + 0.5 * Math.sin((r0 * N + i) * 0.001)) * (1 + ((i % N) / N)); // positive: sums over K do not cancel
      fs.writeSync(fd, new Uint8Array(piece.buffer, 0, rows * N * 4));
    }
    fs.closeSync(fd);
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'big',
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: K }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: N }] } } } }],
        node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'], name: 'mm' }],
        initializer: [{ name: 'w', dims: [K, N], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'big.onnx.data' }, { key: 'offset', value: '0' }, { key: 'length', value: String(K * N * 4) }] }],
      },
    });
    const modelFile = path.join(dir, 'big.onnx');
    fs.writeFileSync(modelFile, onnx.ModelProto.encode(model).finish());
    console.log(`model: MatMul [1, ${K}] × [${K}, ${N}], weight ${(K * N * 4 / 2 ** 30).toFixed(2)} GiB as external data`);
    const t0 = Date.now();
    const out = path.join(dir, 'big-w8.onnx');
    const r = await quantizeModel(modelFile, { mode: 'weights-only', output: out });
    console.log(`quantizeModel: ${Date.now() - t0} ms, ${r.sizeBefore} → ${r.sizeAfter} bytes, data file ${r.dataFile}`);
    if (!r.dataFile || !fs.existsSync(r.dataFile)) throw new Error('the output has no external data file');
    const x = new Float32Array(K).map((_, i) => 1 + 0.5 * Math.cos(i * 0.01));
    const run = async (file) => {
      const s = await ort.InferenceSession.create(file);
      const o = await s.run({ x: new ort.Tensor('float32', x, [1, K]) });
      await s.release();
      return o.y.data;
    };
    const f = await run(modelFile);
    const q = await run(out);
    let dot = 0;
    let nf = 0;
    let nq = 0;
    for (let i = 0; i < N; i++) {
      dot += f[i] * q[i];
      nf += f[i] * f[i];
      nq += q[i] * q[i];
    }
    const cosine = dot / Math.sqrt(nf * nq);
    console.log(`ORT: float and quantized outputs, cosine ${cosine.toFixed(6)}`);
    if (!(cosine > 0.999)) throw new Error(`cosine ${cosine} ≤ 0.999`);
    console.log('1 passed, 0 failed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
