'use strict';
// The three one-node ONNX graphs the bench runs through onnxruntime-node, encoded in
// code with onnx-proto. Fixed scale and zero point are initializers: a user with fixed
// parameters bakes them into the model, and it spares ORT two input tensors per call
// (its best case, not a handicap).

const { onnx } = require('onnx-proto');

const { FLOAT, UINT8 } = onnx.TensorProto.DataType;

// Opset 21 is the newest QuantizeLinear/DequantizeLinear schema that ORT 1.30 runs with
// its current kernels; it needs IR version 10 (onnx's helper VERSION_TABLE).
const OPSET = 21;
const IR_VERSION = 10;

function tensorType(elemType, dims) {
  return {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  };
}

function scalar(name, elemType, value) {
  // ONNX keeps 8-bit integers in int32_data.
  return elemType === FLOAT
    ? { name, dataType: FLOAT, dims: [], floatData: [value] }
    : { name, dataType: elemType, dims: [], int32Data: [value] };
}

function encode(opType, { inputs, outputs, initializers = [], nodeInputs }) {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'quantkit-bench',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: opType,
      node: [{ name: opType, opType, input: nodeInputs, output: outputs.map((o) => o.name) }],
      input: inputs.map((v) => ({ name: v.name, type: tensorType(v.elemType, v.dims) })),
      output: outputs.map((v) => ({ name: v.name, type: tensorType(v.elemType, v.dims) })),
      initializer: initializers,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** QuantizeLinear float32[N] → uint8[N] with scale and zero point as initializers. */
function quantizeLinearModel(scale, zeroPoint) {
  return encode('QuantizeLinear', {
    nodeInputs: ['x', 'y_scale', 'y_zero_point'],
    inputs: [{ name: 'x', elemType: FLOAT, dims: ['N'] }],
    outputs: [{ name: 'y', elemType: UINT8, dims: ['N'] }],
    initializers: [scalar('y_scale', FLOAT, scale), scalar('y_zero_point', UINT8, zeroPoint)],
  });
}

/** DequantizeLinear uint8[N] → float32[N] with scale and zero point as initializers. */
function dequantizeLinearModel(scale, zeroPoint) {
  return encode('DequantizeLinear', {
    nodeInputs: ['x', 'x_scale', 'x_zero_point'],
    inputs: [{ name: 'x', elemType: UINT8, dims: ['N'] }],
    outputs: [{ name: 'y', elemType: FLOAT, dims: ['N'] }],
    initializers: [scalar('x_scale', FLOAT, scale), scalar('x_zero_point', UINT8, zeroPoint)],
  });
}

/** DynamicQuantizeLinear float32[N] → (uint8[N], float32 scale, uint8 zero point). */
function dynamicQuantizeLinearModel() {
  return encode('DynamicQuantizeLinear', {
    nodeInputs: ['x'],
    inputs: [{ name: 'x', elemType: FLOAT, dims: ['N'] }],
    outputs: [
      { name: 'y', elemType: UINT8, dims: ['N'] },
      { name: 'y_scale', elemType: FLOAT, dims: [] },
      { name: 'y_zero_point', elemType: UINT8, dims: [] },
    ],
  });
}

module.exports = { OPSET, quantizeLinearModel, dequantizeLinearModel, dynamicQuantizeLinearModel };
