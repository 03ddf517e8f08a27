'use strict';

// One-node ONNX graphs (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear) encoded
// in code with onnx-proto. Pure: nothing here loads onnxruntime-node, so the bench can
// build its sessions from the same graphs as the test oracle (test/support/ort.js).
//
//   quantizeModel(dtype, opset, constParams?)   float32[N] -> dtype[N]
//   dequantizeModel(dtype, opset, constParams?) dtype[N] -> float32[N]
//   dynamicQuantizeModel(opset)                 float32[N] -> (uint8[N], float32 scale, uint8 zero point)
//
// Without constParams, scale and zero point are scalar graph inputs (one session serves
// every parameter choice); with constParams = { scale, zeroPoint } they are initializers
// baked into the graph.

const { onnx } = require('onnx-proto');

const DataType = onnx.TensorProto.DataType;

const DTYPES = {
  uint8: { onnxType: DataType.UINT8, Array: Uint8Array },
  int8: { onnxType: DataType.INT8, Array: Int8Array },
  uint16: { onnxType: DataType.UINT16, Array: Uint16Array },
  int16: { onnxType: DataType.INT16, Array: Int16Array },
};

// The newest QuantizeLinear/DequantizeLinear schema that ORT 1.30 runs with its current
// kernels; 16-bit types need it.
const DEFAULT_OPSET = 21;

function dtypeInfo(dtype) {
  const info = DTYPES[dtype];
  if (!info) throw new TypeError(`Unknown dtype ${dtype}`);
  return info;
}

// The lowest IR version that may carry a given default-domain opset
// (onnx/helper.py VERSION_TABLE): ORT rejects a model whose IR is too old.
function irVersionFor(opset) {
  if (opset <= 12) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

// Rank-1 tensor of any length (dim_param), or a scalar when dims is [].
function valueInfo(name, elemType, dims) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function scalarInitializer(name, elemType, value) {
  const t = { name, dataType: elemType, dims: [] };
  if (elemType === DataType.FLOAT) t.floatData = [value];
  else t.int32Data = [value]; // ONNX stores 8- and 16-bit integers in int32_data
  return t;
}

/**
 * Encode a one-node model. inputs/outputs: [{ name, elemType, dims }];
 * initializers: TensorProto-like objects (their names also appear in node inputs).
 */
function buildModel({ opType, opset, nodeInputs, nodeOutputs, inputs, outputs, initializers = [] }) {
  const model = onnx.ModelProto.create({
    irVersion: irVersionFor(opset),
    producerName: 'quantkit',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: `${opType}_graph`,
      node: [{ opType, input: nodeInputs, output: nodeOutputs, name: opType }],
      input: inputs.map((v) => valueInfo(v.name, v.elemType, v.dims)),
      output: outputs.map((v) => valueInfo(v.name, v.elemType, v.dims)),
      initializer: initializers,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * QuantizeLinear or DequantizeLinear: x[N] -> y[N] with per-tensor scale and zero point
 * named `${paramPrefix}_scale` and `${paramPrefix}_zero_point` (the ONNX operator's names).
 */
function linearModel({ opType, paramPrefix, xType, yType, zeroPointType, opset, constParams }) {
  const scaleName = `${paramPrefix}_scale`;
  const zeroPointName = `${paramPrefix}_zero_point`;
  const inputs = [{ name: 'x', elemType: xType, dims: ['N'] }];
  let initializers = [];
  if (constParams) {
    initializers = [
      scalarInitializer(scaleName, DataType.FLOAT, constParams.scale),
      scalarInitializer(zeroPointName, zeroPointType, constParams.zeroPoint),
    ];
  } else {
    inputs.push({ name: scaleName, elemType: DataType.FLOAT, dims: [] });
    inputs.push({ name: zeroPointName, elemType: zeroPointType, dims: [] });
  }
  return buildModel({
    opType,
    opset,
    nodeInputs: ['x', scaleName, zeroPointName],
    nodeOutputs: ['y'],
    inputs,
    outputs: [{ name: 'y', elemType: yType, dims: ['N'] }],
    initializers,
  });
}

function quantizeModel(dtype, opset, constParams) {
  const { onnxType } = dtypeInfo(dtype);
  return linearModel({
    opType: 'QuantizeLinear',
    paramPrefix: 'y',
    xType: DataType.FLOAT,
    yType: onnxType,
    zeroPointType: onnxType,
    opset,
    constParams,
  });
}

function dequantizeModel(dtype, opset, constParams) {
  const { onnxType } = dtypeInfo(dtype);
  return linearModel({
    opType: 'DequantizeLinear',
    paramPrefix: 'x',
    xType: onnxType,
    yType: DataType.FLOAT,
    zeroPointType: onnxType,
    opset,
    constParams,
  });
}

function dynamicQuantizeModel(opset) {
  return buildModel({
    opType: 'DynamicQuantizeLinear',
    opset,
    nodeInputs: ['x'],
    nodeOutputs: ['y', 'y_scale', 'y_zero_point'],
    inputs: [{ name: 'x', elemType: DataType.FLOAT, dims: ['N'] }],
    outputs: [
      { name: 'y', elemType: DataType.UINT8, dims: ['N'] },
      { name: 'y_scale', elemType: DataType.FLOAT, dims: [] },
      { name: 'y_zero_point', elemType: DataType.UINT8, dims: [] },
    ],
  });
}

/**
 * onnxruntime-node cannot hand a 4- or 2-bit tensor to JS: in a decoded one-node model, route
 * the node's output through a Cast to int8 (same output name and shape), so that its values
 * come out, one per element. Returns the model.
 */
function castOutputToInt8(model) {
  const node = model.graph.node[0];
  const name = node.output[0];
  node.output = [`${name}_narrow`];
  model.graph.node.push({ opType: 'Cast', input: [`${name}_narrow`], output: [name], attribute: [{ name: 'to', type: 2, i: DataType.INT8 }] });
  model.graph.output[0].type.tensorType.elemType = DataType.INT8;
  return model;
}

module.exports = {
  castOutputToInt8,
  DEFAULT_OPSET,
  DTYPES,
  dtypeInfo,
  irVersionFor,
  buildModel,
  quantizeModel,
  dequantizeModel,
  dynamicQuantizeModel,
};
