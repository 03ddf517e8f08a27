'use strict';

// The ONNX project's published backend test vectors for the per-tensor cases of
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear with 8- and 16-bit
// integer types. Numbers only, transcribed from the onnx/onnx repository:
//
//   onnx/backend/test/case/node/quantizelinear.py         (test_quantizelinear, _uint16, _int16)
//   onnx/backend/test/case/node/dequantizelinear.py       (test_dequantizelinear, _uint16, _int16)
//   onnx/backend/test/case/node/dynamicquantizelinear.py  (test_dynamicquantizelinear, _max_adjusted, _min_adjusted)
//
// QuantizeLinear / DequantizeLinear list y explicitly in the source. For
// DynamicQuantizeLinear the source gives x, the expected scale and zero point in
// comments ("expected scale 0.0196078438 and zero point 153", "... 0.0156862754 and
// zero point 255", "... 0.0156862754 and zero point 0") and computes y with numpy
// in float32 (clip(round(x / y_scale) + y_zero_point, 0, 255)); the y below is that
// computation written out, and scale is the float32 value (for the first case it is
// the 0x3ca0a0a1 stored in test_dynamicquantizelinear/test_data_set_0/output_1.pb).
//
// The per-axis, blocked and packed sub-byte cases (test_quantizelinear_axis,
// _blocked_asymmetric, _blocked_symmetric, _uint4, _int4, _uint2, _int2;
// test_dequantizelinear_axis, _blocked, _uint4, _int4, _uint2, _int2) are in
// ./onnx-vectors-layouts.js. Left for later: the float formats (_e4m3fn, _e5m2, float4).

const QUANTIZE = [
  {
    name: 'test_quantizelinear',
    op: 'QuantizeLinear',
    dtype: 'uint8',
    x: [0, 2, 3, 1000, -254, -1000],
    scale: 2,
    zeroPoint: 128,
    y: [128, 129, 130, 255, 1, 0],
  },
  {
    name: 'test_quantizelinear_uint16',
    op: 'QuantizeLinear',
    dtype: 'uint16',
    x: [0, -128, 3, -3, 2.9, -2.9, 3.1, -3.1, 65536, -65534, 70000, -70000],
    scale: 2,
    zeroPoint: 32767,
    y: [32767, 32703, 32769, 32765, 32768, 32766, 32769, 32765, 65535, 0, 65535, 0],
  },
  {
    name: 'test_quantizelinear_int16',
    op: 'QuantizeLinear',
    dtype: 'int16',
    x: [0, -514, 3, -3, 2.9, -2.9, 3.1, -3.1, 65022, -66046, 65023, -66047, 65024, -66048, 70000, -70000],
    scale: 2,
    zeroPoint: 256,
    y: [256, -1, 258, 254, 257, 255, 258, 254, 32767, -32767, 32767, -32768, 32767, -32768, 32767, -32768],
  },
];

const DEQUANTIZE = [
  {
    name: 'test_dequantizelinear',
    op: 'DequantizeLinear',
    dtype: 'uint8',
    x: [0, 3, 128, 255],
    scale: 2,
    zeroPoint: 128,
    y: [-256, -250, 0, 254],
  },
  {
    name: 'test_dequantizelinear_uint16',
    op: 'DequantizeLinear',
    dtype: 'uint16',
    x: [30000, 31000, 32768, 33000],
    scale: 2,
    zeroPoint: 32767,
    y: [-5534, -3534, 2, 466],
  },
  {
    name: 'test_dequantizelinear_int16',
    op: 'DequantizeLinear',
    dtype: 'int16',
    x: [-300, -30, -1025, 1270],
    scale: 2,
    zeroPoint: -1024,
    y: [1448, 1988, -2, 4588],
  },
];

const DYNAMIC_QUANTIZE = [
  {
    name: 'test_dynamicquantizelinear',
    op: 'DynamicQuantizeLinear',
    dtype: 'uint8',
    x: [0, 2, -3, -2.5, 1.34, 0.5],
    scale: Math.fround(0.0196078438),
    zeroPoint: 153,
    y: [153, 255, 0, 26, 221, 179],
  },
  {
    name: 'test_dynamicquantizelinear_max_adjusted',
    op: 'DynamicQuantizeLinear',
    dtype: 'uint8',
    x: [-1.0, -2.1, -1.3, -2.5, -3.34, -4.0],
    scale: Math.fround(0.0156862754),
    zeroPoint: 255,
    y: [191, 121, 172, 96, 42, 0],
  },
  {
    // The source reshapes x to (3, 4); per-tensor parameters make the shape irrelevant.
    name: 'test_dynamicquantizelinear_min_adjusted',
    op: 'DynamicQuantizeLinear',
    dtype: 'uint8',
    x: [1, 2.1, 1.3, 2.5, 3.34, 4.0, 1.5, 2.6, 3.9, 4.0, 3.0, 2.345],
    scale: Math.fround(0.0156862754),
    zeroPoint: 0,
    y: [64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149],
  },
];

module.exports = {
  QUANTIZE,
  DEQUANTIZE,
  DYNAMIC_QUANTIZE,
  ALL: [...QUANTIZE, ...DEQUANTIZE, ...DYNAMIC_QUANTIZE],
};
