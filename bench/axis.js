#!/usr/bin/env node
// Per-axis and blocked int8 quantize of a [rows, cols] float32 tensor, side by side: quantkit
// per-tensor (the floor for any parameter layout), per-axis along the last axis (every
// element its own channel), per-axis along the first axis (rows of cols elements share one),
// blocked 32 along the last axis; ONNX Runtime QuantizeLinear with the same `axis` /
// `block_size` (scale and zero point as initializers); and the copy floor (Float32Array#set).
// Median of repeated timed batches.
//   node bench/axis.js [--shape 1024,1024]
'use strict';
const os = require('node:os');
const { medianNs } = require('./timing');
const qk = require('..');
const ort = require('onnxruntime-node');
const { onnx } = require('onnx-proto');
const { buildModel } = require('../test/support/onnx-graphs');

const args = process.argv.slice(2);
const shape = args.includes('--shape') ? args[args.indexOf('--shape') + 1].split(',').map(Number) : [1024, 1024];
const n = shape[0] * shape[1];

function ortSession(p) {
  const pshape = p.axis === undefined ? [] : p.blockSize === undefined ? [p.scale.length] : shape.map((d, j) => (j === p.axis ? Math.ceil(d / p.blockSize) : d));
  const scale = p.axis === undefined ? [p.scale] : Array.from(p.scale);
  const zero = p.axis === undefined ? [p.zeroPoint] : Array.from(p.zeroPoint);
  const m = onnx.ModelProto.decode(buildModel({
    opType: 'QuantizeLinear', opset: 21, nodeInputs: ['x', 's', 'z'], nodeOutputs: ['y'],
    inputs: [{ name: 'x', elemType: 1, dims: shape }], outputs: [{ name: 'y', elemType: 3, dims: shape }],
    initializers: [{ name: 's', dataType: 1, dims: pshape, floatData: scale }, { name: 'z', dataType: 3, dims: pshape, int32Data: zero }],
  }));
  if (p.axis !== undefined) {
    m.graph.node[0].attribute = [{ name: 'axis', type: 2, i: p.axis }];
    if (p.blockSize !== undefined) m.graph.node[0].attribute.push({ name: 'block_size', type: 2, i: p.blockSize });
  }
  return ort.InferenceSession.create(onnx.ModelProto.encode(m).finish());
}

(async () => {
  console.log(`${os.cpus()[0].model}, node ${process.version}, quantkit ${qk.backend.name}/${qk.backend.isa} threads ${qk.backend.threads ?? 1}, onnxruntime-node ${ort.env.versions.common}`);
  console.log(`int8, shape [${shape}] (${n} elements)`);
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.4);
  const out = new Int8Array(n);
  const copy = new Float32Array(n);
  const tensor = new ort.Tensor('float32', x, shape);
  const cases = [
    ['per-tensor', { scale: 0.005, zeroPoint: 1, dtype: 'int8' }],
    ['per-axis, last axis', qk.computeParams(x, { axis: 1, shape, dtype: 'int8' })],
    ['per-axis, first axis', qk.computeParams(x, { axis: 0, shape, dtype: 'int8' })],
    ['blocked 32, last axis', qk.computeParams(x, { axis: 1, shape, blockSize: 32, dtype: 'int8' })],
    ['blocked 32, first axis', qk.computeParams(x, { axis: 0, shape, blockSize: 32, dtype: 'int8' })],
  ];
  const cell = (ns) => `${(ns / 1000).toFixed(ns < 1e6 ? 1 : 0)} µs (${(n / ns).toFixed(2)} G/s)`;
  const floor = await medianNs(() => copy.set(x), n);
  console.log('| parameters | quantkit | ONNX Runtime QuantizeLinear | copy floor (Float32Array#set) |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, p] of cases) {
    const session = await ortSession(p);
    const a = await medianNs(() => qk.quantize(x, p, out), n);
    const b = await medianNs(() => session.run({ x: tensor }), n);
    console.log(`| ${name} | ${cell(a)} | ${cell(b)} | ${cell(floor)} |`);
    await session.release();
  }

  // The small call a server makes per request: one 768-vector into `out`, per-tensor and with
  // per-dimension parameters (stored once, shape [-1, 768]), beside a copy of the vector.
  const dim = 768;
  const rows = Float32Array.from({ length: 64 * dim }, (_, i) => Math.sin(i) * 0.4);
  const v = rows.subarray(0, dim);
  const vOut = new Int8Array(dim);
  const vCopy = new Float32Array(dim);
  const perDim = qk.computeParams(rows, { axis: 1, shape: [-1, dim], dtype: 'int8' });
  const perDimSym = qk.computeParams(rows, { axis: 1, shape: [-1, dim], dtype: 'int8', symmetric: true });
  const small = [
    ['per-tensor', { scale: 0.005, zeroPoint: 1, dtype: 'int8' }],
    ['per-axis (scale + zero point arrays)', perDim],
    ['per-axis, symmetric (zero points 0)', perDimSym],
  ];
  const ns = (t) => `${t.toFixed(0)} ns`;
  // medianNs awaits every call, which costs as much as a small call: a synchronous loop here.
  const syncNs = (fn) => {
    const times = [];
    for (let r = 0; r < 15; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 20000; i++) fn();
      times.push(Number(process.hrtime.bigint() - t0) / 20000);
    }
    return times.sort((a, b) => a - b)[7];
  };
  const tensorNs = syncNs(() => qk.quantize(v, small[0][1], vOut));
  const copyNs = syncNs(() => vCopy.set(v));
  console.log(`\none ${dim}-element vector into out (per call)`);
  console.log('| parameters | quantkit | ÷ per-tensor | copy |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, p] of small) {
    const t = name === 'per-tensor' ? tensorNs : syncNs(() => qk.quantize(v, p, vOut));
    console.log(`| ${name} | ${ns(t)} | ${(t / tensorNs).toFixed(2)}× | ${ns(copyNs)} |`);
  }
})();
