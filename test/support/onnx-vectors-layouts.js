'use strict';

// The ONNX project's published backend test vectors for the layouts and integer types
// quantkit implements beyond per-tensor 8/16-bit (those are in ./onnx-vectors.js, which
// already holds test_quantizelinear_int16 / _uint16 and test_dequantizelinear_int16 /
// _uint16): per-axis, blocked, and the packed int4 / uint4 / int2 / uint2 types. Numbers
// only, transcribed from the onnx/onnx repository:
//
//   onnx/backend/test/case/node/quantizelinear.py    (export_axis, _blocked_asymmetric,
//                                                     _blocked_symmetric, _uint4, _int4,
//                                                     _uint2, _int2)
//   onnx/backend/test/case/node/dequantizelinear.py  (export_axis, _blocked, _uint4, _int4,
//                                                     _uint2, _int2)
//
// Where the source lists y, it is copied. Where it computes y with numpy in float32
// (test_quantizelinear_axis: (x / s + z).astype(uint8); _blocked_asymmetric:
// rint(x / s + z).astype(uint8); _blocked_symmetric: clip(rint(x / s), -32768, 32767);
// every dequantize case: (float32(x) - float32(z)) * s), the y below is that computation
// written out. Every quotient in those cases is exact (uint2's 6 / 4 = 1.5 is an exact tie:
// to even, 2) or at least 0.05 away from a rounding boundary, so the written-out y does not
// depend on float32 detail; and the
// "harness" part of test/onnx-vectors-layouts.test.js runs each case through ONNX Runtime
// too, so a slip in transcription fails there and not only in quantkit.
//
// Notes on the source:
// - test_quantizelinear_uint4 lists y = [1, 2, 3, 5, -1, -1, 3, 4, 4, 5, 5, 11]: the two -1s
//   are values make_tensor(UINT4, ...) clips into [0, 15] before packing, so the published
//   output_0.pb holds 0 there (and so does ONNX Runtime, and the plain rule: -30 / 3 + 1 = -9
//   and rint(-20 / 3) + 1 = -6 saturate to 0). The 0s are what is tested.
// - The per-axis sub-byte cases name the attribute axis=0 on a (3, 4) tensor with 3 scales:
//   per-axis along the first dimension. The sub-byte dequantize cases carry axis=0 too, but
//   their scale is a scalar, so they are per-tensor.
// - int2 / uint2 (opset 25) were added to the source after the commits stored in the
//   reference index this was written from; their numbers were read from a transcription
//   of export_uint2 / export_int2 (the onnx-light backend-test registry) and checked by
//   hand against the ONNX rule; the ORT harness checks them again.
// - test_quantizelinear_blocked_symmetric has no zero point input and sets
//   output_dtype = INT16: ONNX's default zero point is 0, and so is quantkit's when
//   AxisParams.zeroPoint is absent.
// - _blocked_asymmetric's numpy rounds after adding the zero point (rint(x / s + z)) where
//   ONNX's operator text and quantkit round first (rint(x / s) + z). They differ only when
//   the float32 addition rounds x / s + z onto a tie or across one (x / s = 0.5 - 2^-25,
//   z = 1: the sum rounds to 1.5, so 2 instead of 1); no quotient here is that close to a
//   tie (see above), so the published y is also quantkit's.
// No case here has an expected output that differs from quantkit's documented rules
// (README "Numbers"): no NaN, no quotient beyond int32, and every saturation (int4: -9 → -8,
// 11 → 7; uint4: → 0; uint2: 4.3 → 3; int2: 2.4 → 1, -2.15 → -2) is the clamp of SPEC §2.1.

const QUANTIZE = [
  {
    name: 'test_quantizelinear_axis',
    dtype: 'uint8',
    shape: [1, 3, 3, 2],
    axis: 1,
    x: [-162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44, 245, -485, -960, -270, -375, -470],
    scale: [2, 4, 5],
    zeroPoint: [84, 24, 196],
    y: [3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99, 4, 142, 121, 102],
  },
  {
    name: 'test_quantizelinear_blocked_asymmetric',
    dtype: 'uint8',
    shape: [3, 4],
    axis: 1,
    blockSize: 2,
    x: [6, 12, 50, 5, 1, 8, 4, 5, 0, 20, 10, 4],
    scale: [1.5, 2.5, 3.0, 4.9, 5.1, 6.9], // shape (3, 2)
    zeroPoint: [0, 1, 1, 0, 2, 3],
    y: [4, 8, 21, 3, 1, 4, 1, 1, 2, 6, 4, 4],
  },
  {
    name: 'test_quantizelinear_blocked_symmetric',
    dtype: 'int16',
    shape: [3, 4],
    axis: 1,
    blockSize: 2,
    x: [6, -8, -10, 5, 1, 8, 4, 5, 0, 20, 10, 4],
    scale: [1.5, 2.5, 3.0, 4.9, 5.1, 6.9],
    zeroPoint: undefined, // no y_zero_point input; output_dtype = INT16
    y: [4, -5, -4, 2, 0, 3, 1, 1, 0, 4, 1, 1],
  },
  {
    name: 'test_quantizelinear_uint4',
    dtype: 'uint4',
    shape: [3, 4],
    axis: 0,
    x: [0, 2.5, 4.8, 8.6, -30, -20, 6, 9, 12, 15, 16, 40],
    scale: [2, 3, 4],
    zeroPoint: [1, 1, 1],
    y: [1, 2, 3, 5, 0, 0, 3, 4, 4, 5, 5, 11],
  },
  {
    name: 'test_quantizelinear_int4',
    dtype: 'int4',
    shape: [3, 4],
    axis: 0,
    x: [0, 2.5, 4.8, 8.6, -30, -20, 6, 9, 12, 15, 16, 40],
    scale: [2, 3, 4],
    zeroPoint: [1, 1, 1],
    y: [1, 2, 3, 5, -8, -6, 3, 4, 4, 5, 5, 7],
  },
  {
    name: 'test_quantizelinear_uint2',
    dtype: 'uint2',
    shape: [3, 4],
    axis: 0,
    x: [0, 2.5, 4.8, 8.6, -2, -1, 1, 3, 4, 5, 6, 7],
    scale: [2, 3, 4],
    zeroPoint: [0, 0, 0],
    y: [0, 1, 2, 3, 0, 0, 0, 1, 1, 1, 2, 2],
  },
  {
    name: 'test_quantizelinear_int2',
    dtype: 'int2',
    shape: [3, 4],
    axis: 0,
    x: [0, 2.5, 4.8, 8.6, -4, -3, 1, 2, -0, -2.5, -4.8, -8.6],
    scale: [2, 3, 4],
    zeroPoint: [0, 0, 0],
    y: [0, 1, 1, 1, -1, -1, 0, 1, 0, -1, -1, -2],
  },
];

const DEQUANTIZE = [
  {
    name: 'test_dequantizelinear_axis',
    dtype: 'uint8',
    shape: [1, 3, 3, 2],
    axis: 1,
    x: [3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99, 4, 142, 121, 102],
    scale: [2, 4, 5],
    zeroPoint: [84, 24, 196],
    y: [-162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44, 245, -485, -960, -270, -375, -470],
  },
  {
    name: 'test_dequantizelinear_blocked',
    dtype: 'uint8',
    shape: [1, 4, 3, 2],
    axis: 1,
    blockSize: 2,
    x: [3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 5, 12, 12, 33, 65, 42, 245, 99, 4, 142, 121, 102],
    scale: [3, 2, 4, 1, 2, 2, 5, 2, 4, 3, 5, 2], // shape (1, 2, 3, 2)
    zeroPoint: [1, 0, 0, 1, 2, 20, 3, 2, 4, 3, 15, 2],
    y: [6, 178, 136, 199, 144, 78, 12, 48, 96, 86, 60, -14, 10, 20, 32, 90, 250, 80, 1210, 194, 0, 417, 530, 200],
  },
  // The sub-byte cases: a scalar scale and zero point (per-tensor), packed x.
  {
    name: 'test_dequantizelinear_uint4',
    dtype: 'uint4',
    shape: [5],
    x: [0, 1, 7, 10, 15],
    scale: 2,
    zeroPoint: 1,
    y: [-2, 0, 12, 18, 28],
  },
  {
    name: 'test_dequantizelinear_int4',
    dtype: 'int4',
    shape: [5],
    x: [0, 1, 7, -4, -8],
    scale: 2,
    zeroPoint: 1,
    y: [-2, 0, 12, -10, -18],
  },
  {
    name: 'test_dequantizelinear_uint2',
    dtype: 'uint2',
    shape: [4],
    x: [0, 1, 2, 3],
    scale: 2,
    zeroPoint: 1,
    y: [-2, 0, 2, 4],
  },
  {
    name: 'test_dequantizelinear_int2',
    dtype: 'int2',
    shape: [4],
    x: [0, 1, -1, -2],
    scale: 2,
    zeroPoint: 1,
    y: [-2, 0, -4, -6],
  },
];

module.exports = { QUANTIZE, DEQUANTIZE, ALL: [...QUANTIZE, ...DEQUANTIZE] };
