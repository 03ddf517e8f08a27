#!/usr/bin/env node
// int4 quantize, side by side: quantkit (packed int4 and plain int8), ONNX Runtime
// (QuantizeLinear to int4, then Cast to int8: onnxruntime-node 1.30 cannot hand an int4
// tensor to JS, so its number includes the Cast and an int8 output), and the copy floor
// (Float32Array#set of x). Median of repeated timed batches, per element count.
//   node bench/packed.js [--sizes 65536,16777216]
'use strict';
const os = require('node:os');
const { medianNs } = require('./timing');
const qk = require('..');
const ort = require('onnxruntime-node');
const { onnx } = require('onnx-proto');
const { buildModel, castOutputToInt8 } = require('../test/support/onnx-graphs');

const args = process.argv.slice(2);
const sizes = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1].split(',').map(Number) : [65536, 16777216];

async function ortInt4Session(scale, zeroPoint) {
  const m = onnx.ModelProto.decode(buildModel({
    opType: 'QuantizeLinear', opset: 21, nodeInputs: ['x', 's', 'z'], nodeOutputs: ['q'],
    inputs: [{ name: 'x', elemType: 1, dims: ['N'] }], outputs: [{ name: 'q', elemType: 22, dims: ['N'] }],
    initializers: [{ name: 's', dataType: 1, dims: [], floatData: [scale] }, { name: 'z', dataType: 22, dims: [], int32Data: [zeroPoint] }],
  }));
  return ort.InferenceSession.create(onnx.ModelProto.encode(castOutputToInt8(m)).finish());
}

(async () => {
  console.log(`${os.cpus()[0].model}, node ${process.version}, quantkit ${qk.backend.name}/${qk.backend.isa} threads ${qk.backend.threads ?? 1}, onnxruntime-node ${ort.env.versions.common}`);
  const p4 = { scale: 0.05, zeroPoint: 1, dtype: 'int4' };
  const p8 = { scale: 0.05, zeroPoint: 1, dtype: 'int8' };
  const session = await ortInt4Session(p4.scale, p4.zeroPoint);
  console.log('| elements | quantkit int4 (packed) | quantkit int8 | ORT int4 + Cast | copy floor (Float32Array#set) |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const n of sizes) {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.4);
    const out4 = new Uint8Array(Math.ceil(n / 2));
    const out8 = new Int8Array(n);
    const copy = new Float32Array(n);
    const tensor = new ort.Tensor('float32', x, [n]);
    const cell = (ns) => `${(ns / 1000).toFixed(ns < 1e6 ? 1 : 0)} µs (${(n / ns).toFixed(2)} G/s)`;
    const a = await medianNs(() => qk.quantize(x, p4, out4), n);
    const b = await medianNs(() => qk.quantize(x, p8, out8), n);
    const c = await medianNs(() => session.run({ x: tensor }), n);
    const d = await medianNs(() => copy.set(x), n);
    console.log(`| ${n} | ${cell(a)} | ${cell(b)} | ${cell(c)} | ${cell(d)} |`);
  }
  await session.release();
})();
