// The Node-API-free argument checks of quantizeFloat8 and dequantizeFloat8, in the manner of
// args.h. Whatever they accept is safe for kernels/float8/float8.h: the format is 0 (e4m3fn) or
// 1 (e5m2), the two arrays have one length and share no byte, and the scale is a positive
// finite float32. There is no zero point: ONNX Runtime ignores a float8 zero point in
// QuantizeLinear and refuses a non-zero one in DequantizeLinear, so quantkit fixes it at 0.
#pragma once

#include "args/args.h"
#include "kernels/float8/float8.h"

namespace quantkit {
namespace args {

inline Result CheckFloat8Format(const Number& n, int* format) {
  if (!n.is_number) return NotANumber(n, "format");
  if (!(n.value == 0 || n.value == 1)) {
    return RangeError("Expected 0 (float8e4m3fn) or 1 (float8e5m2) for format but received " + DescribeNumber(n.value));
  }
  *format = static_cast<int>(n.value);
  return {};
}

// quantizeFloat8(x, out, format, saturate, scale), after x and out (a Uint8Array) were
// unwrapped and `saturate` read as a boolean.
inline Result CheckQuantizeFloat8(const Span& x, const Span& out, const Number& format, const Number& scale, int* format_out,
                                  float* scale_out) {
  Result r = CheckSameLength(x, out);
  if (r.ok()) r = CheckNoOverlap(x, out);
  if (r.ok()) r = CheckFloat8Format(format, format_out);
  if (r.ok()) r = CheckScale(scale, scale_out);
  return r;
}

// dequantizeFloat8(q, out, format, scale), after q (a Uint8Array) and out (a Float32Array)
// were unwrapped.
inline Result CheckDequantizeFloat8(const Span& q, const Span& out, const Number& format, const Number& scale,
                                    int* format_out, float* scale_out) {
  return CheckQuantizeFloat8(q, out, format, scale, format_out, scale_out);
}

}  // namespace args
}  // namespace quantkit
