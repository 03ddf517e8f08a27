'use strict';

// The ONNX project's published backend test vectors for QuantizeLinear / DequantizeLinear
// with float8 types, transcribed from the onnx/onnx repository:
//
//   onnx/backend/test/case/node/quantizelinear.py    (test_quantizelinear_e4m3fn, _e5m2)
//   onnx/backend/test/case/node/dequantizelinear.py  (test_dequantizelinear_e4m3fn,
//                                                     _e4m3fn_zero_point, _e4m3fn_float16, _e5m2)
//
// The source writes the float8 tensors as values (make_tensor(..., FLOAT8E4M3FN, [5],
// [0, 0.5, 1, 448, -104])); `codes` below are those values' encodings, worked out by hand
// from the formats (e4m3fn: S.EEEE.MMM bias 7; e5m2: S.EEEEE.MM bias 15). The suite checks
// through ONNX Runtime's Cast that each code decodes to the listed value, so a slip in the
// transcription fails there rather than passing silently. Every case's zero point is 0
// (given as a float8 tensor in _zero_point and in the quantize cases, absent otherwise).
// test_dequantizelinear_e4m3fn_float16 has a float16 scale and output; its numbers are
// exact in float32 too, so quantkit's float32 path must give them.

const QUANTIZE = [
  {
    name: 'test_quantizelinear_e4m3fn',
    dtype: 'float8e4m3fn',
    x: [0, 1, 2, 100000, 200],
    scale: 2,
    zeroPoint: 0,
    values: [0, 0.5, 1, 448, 96],
    codes: [0x00, 0x30, 0x38, 0x7e, 0x6c],
  },
  {
    name: 'test_quantizelinear_e5m2',
    dtype: 'float8e5m2',
    x: [0, 1, 2, 100000, 200],
    scale: 2,
    zeroPoint: 0,
    values: [0, 0.5, 1, 49152, 96],
    codes: [0x00, 0x38, 0x3c, 0x7a, 0x56],
  },
];

const DEQUANTIZE = [
  {
    name: 'test_dequantizelinear_e4m3fn',
    dtype: 'float8e4m3fn',
    values: [0, 0.5, 1, 448, -104],
    codes: [0x00, 0x30, 0x38, 0x7e, 0xed],
    scale: 2,
    zeroPoint: undefined,
    y: [0, 1, 2, 896, -208],
  },
  {
    name: 'test_dequantizelinear_e4m3fn_zero_point',
    dtype: 'float8e4m3fn',
    values: [0, 0.5, 1, 448, -104],
    codes: [0x00, 0x30, 0x38, 0x7e, 0xed],
    scale: 2,
    zeroPoint: 0,
    y: [0, 1, 2, 896, -208],
  },
  {
    name: 'test_dequantizelinear_e4m3fn_float16',
    dtype: 'float8e4m3fn',
    values: [0, 0.5, 1, 448, -104],
    codes: [0x00, 0x30, 0x38, 0x7e, 0xed],
    scale: 2,
    zeroPoint: undefined,
    y: [0, 1, 2, 896, -208],
  },
  {
    name: 'test_dequantizelinear_e5m2',
    dtype: 'float8e5m2',
    values: [0, 0.5, 1, 49152, -96],
    codes: [0x00, 0x38, 0x3c, 0x7a, 0xd6],
    scale: 2,
    zeroPoint: undefined,
    y: [0, 1, 2, 98304, -192],
  },
];

module.exports = { QUANTIZE, DEQUANTIZE };
