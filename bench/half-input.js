#!/usr/bin/env node
// int8 quantize of 16-bit float input, side by side: quantkit from float16 and from bfloat16
// bits ({ format, bits }), quantkit from the same values as float32 (the per-tensor floor),
// ONNX Runtime QuantizeLinear with a float16 x (opset 21, float16 scale and int8 zero point
// as initializers), and the copy floor of the 16-bit input (Uint16Array#set). Median of
// repeated timed batches.
//   node bench/half-input.js [--sizes 65536,1048576,16777216]
'use strict';
const os = require('node:os');
const { medianNs } = require('./timing');
const qk = require('..');
const ort = require('onnxruntime-node');
const { buildModel } = require('../test/support/onnx-graphs');

const args = process.argv.slice(2);
const sizes = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1].split(',').map(Number) : [65536, 1048576, 16777216];

// float16 0.00500488... (0x1d20) as scale: a float16 value, so every contender quantizes with the same scale.
const SCALE_BITS = 0x1d20;

function ortSession() {
  return ort.InferenceSession.create(buildModel({
    opType: 'QuantizeLinear', opset: 21, nodeInputs: ['x', 's', 'z'], nodeOutputs: ['y'],
    inputs: [{ name: 'x', elemType: 10, dims: ['N'] }], outputs: [{ name: 'y', elemType: 3, dims: ['N'] }],
    initializers: [
      { name: 's', dataType: 10, dims: [], int32Data: [SCALE_BITS] }, // ONNX keeps float16 bits in int32_data
      { name: 'z', dataType: 3, dims: [], int32Data: [1] },
    ],
  }));
}

const cell = (ns, n) => `${ns < 1e6 ? `${(ns / 1000).toFixed(1)} µs` : `${(ns / 1e6).toFixed(2)} ms`} (${(n / ns).toFixed(2)} G/s)`;

(async () => {
  console.log(`${os.cpus()[0].model}, node ${process.version}, quantkit ${qk.backend.name}/${qk.backend.isa} threads ${qk.backend.threads ?? 1}, onnxruntime-node ${ort.env.versions.common}`);
  const scale = qk.fromFloat16(Uint16Array.of(SCALE_BITS))[0];
  const params = { scale, zeroPoint: 1, dtype: 'int8' };
  const session = await ortSession();
  console.log('| int8 quantize, n | from float16 | from bfloat16 | from float32 | ORT, float16 x | copy of the float16 input |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of sizes) {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.6);
    const f16 = { format: 'float16', bits: qk.toFloat16(x) };
    const bf16 = { format: 'bfloat16', bits: qk.toBFloat16(x) };
    const x16 = qk.fromFloat16(f16.bits);
    const out = new Int8Array(n);
    const copy = new Uint16Array(n);
    const tensor = new ort.Tensor('float16', f16.bits, [n]);
    // The oracle check before timing: ORT and quantkit agree on this input.
    const theirs = (await session.run({ x: tensor })).y.data;
    const ours = qk.quantize(f16, params, out);
    if (!ours.every((v, i) => v === theirs[i])) throw new Error(`quantkit and ORT differ at n = ${n}`);
    const a = await medianNs(() => qk.quantize(f16, params, out), n);
    const b = await medianNs(() => qk.quantize(bf16, params, out), n);
    const c = await medianNs(() => qk.quantize(x16, params, out), n);
    const d = await medianNs(() => session.run({ x: tensor }), n);
    const e = await medianNs(() => copy.set(f16.bits), n);
    console.log(`| ${n} | ${cell(a, n)} | ${cell(b, n)} | ${cell(c, n)} | ${cell(d, n)} | ${cell(e, n)} |`);
  }
  await session.release();
})();
