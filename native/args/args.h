// The argument checks of the Node-API glue that need no Node-API: lengths, memory overlap,
// and the scale, zero point and [qmin, qmax] ranges, decided on plain values. addon.cc
// turns JS values into these inputs (whether a value is a number, a TypedArray's kind and
// memory, a detached buffer: those need Node-API) and a failed Result into a TypeError or
// RangeError; native/fuzz/fuzz_args.cc drives the same code with arbitrary bytes.
//
// Whatever CheckQuantize / CheckDequantize / CheckMinMax accept is safe for the kernels:
// the arrays have equal lengths and share no byte, the scale is a positive finite float32,
// qmin < qmax lie inside the container type and the zero point inside [qmin, qmax].
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "kernels/isa/kernels.h"

namespace quantkit {
namespace args {

enum class ErrorKind { kNone, kType, kRange };

// kNone, or the class of the error and its message. The message is built only on failure,
// so a call that passes every check allocates nothing here.
struct Result {
  ErrorKind kind = ErrorKind::kNone;
  std::string message;
  bool ok() const { return kind == ErrorKind::kNone; }
};

// A JS argument that should be a number: its value, or how the glue describes what it is.
struct Number {
  bool is_number = false;
  double value = 0;
  std::string instead;  // e.g. "a string"; set only when !is_number
};

// A TypedArray's memory: `data` already includes byteOffset, `bytes` = length * element size,
// and data + bytes does not wrap (true of any real array). `type` is a FloatType or a
// QuantType, depending on the role; the glue only passes types the role allows.
struct Span {
  const void* data;
  size_t length;
  size_t bytes;
  int type;
};

// A JS number as the error messages show it (17 significant digits, "nan", "inf", "-0").
inline std::string DescribeNumber(double d) {
  std::ostringstream s;
  s.precision(17);
  s << d;
  return s.str();
}

inline Result TypeError(std::string message) { return Result{ErrorKind::kType, std::move(message)}; }
inline Result RangeError(std::string message) { return Result{ErrorKind::kRange, std::move(message)}; }

inline Result NotANumber(const Number& n, const char* name) {
  return TypeError(std::string("Expected a number for ") + name + " but received " + n.instead);
}

// True when [a, a + a_bytes) and [b, b + b_bytes) share a byte. Written with differences
// rather than sums, so that it holds for any address, even next to the top of memory.
inline bool Overlaps(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
  if (a_bytes == 0 || b_bytes == 0) return false;
  const uintptr_t pa = reinterpret_cast<uintptr_t>(a);
  const uintptr_t pb = reinterpret_cast<uintptr_t>(b);
  return pa <= pb ? pb - pa < a_bytes : pa - pb < b_bytes;
}

inline Result CheckSameLength(const Span& in, const Span& out) {
  if (in.length == out.length) return {};
  return RangeError("Expected out.length to equal the input length " + std::to_string(in.length) + " but received " +
                    std::to_string(out.length));
}

inline Result CheckNoOverlap(const Span& in, const Span& out) {
  if (!Overlaps(in.data, in.bytes, out.data, out.bytes)) return {};
  return RangeError("Expected out not to overlap the input's memory but it does");
}

// The scale is a float32 (as in ONNX); it is checked after rounding to float32, so that a
// value that underflows to 0 or overflows to Infinity is refused rather than used.
inline Result CheckScale(const Number& n, float* scale) {
  if (!n.is_number) return NotANumber(n, "scale");
  const double d = n.value;
  const float s = static_cast<float>(d);
  if (!(std::isfinite(d) && std::isfinite(s) && s > 0.0f)) {
    return RangeError("Expected a positive finite float32 for scale but received " + DescribeNumber(d));
  }
  *scale = s;
  return {};
}

// The RangeError of CheckInteger, out of line: the passing path then needs no stream on
// its stack, and is inlined into the glue (it runs five times per quantize call).
[[gnu::noinline, gnu::cold]] inline Result IntegerRangeError(const char* name, double lo, double hi, double d) {
  std::ostringstream s;
  s << "Expected an integer in [" << lo << ", " << hi << "] for " << name << " but received " << DescribeNumber(d);
  return RangeError(s.str());
}

// An integer in [lo, hi]; lo and hi are themselves integers within int32.
inline Result CheckInteger(const Number& n, const char* name, double lo, double hi, int32_t* out) {
  if (!n.is_number) return NotANumber(n, name);
  const double d = n.value;
  // Inside [lo, hi] (int32), d is an integer exactly when truncating it changes nothing;
  // NaN fails the range test. Cheaper than std::floor, which is a libm call without SSE4.1.
  if (!(d >= lo && d <= hi && d == static_cast<double>(static_cast<int32_t>(d)))) {
    return IntegerRangeError(name, lo, hi, d);
  }
  *out = static_cast<int32_t>(d);
  return {};
}

// The values a quantized type can hold.
inline void ContainerRange(int qtype, double* lo, double* hi) {
  switch (qtype) {
    case kU8: *lo = 0; *hi = 255; break;
    case kI8: *lo = -128; *hi = 127; break;
    case kU16: *lo = 0; *hi = 65535; break;
    default: *lo = -32768; *hi = 32767; break;
  }
}

// qmin < qmax, both integers inside [lo, hi] (what the output type holds).
inline Result CheckQminQmax(const Number& qmin, const Number& qmax, double lo, double hi, int32_t* qmin_out,
                            int32_t* qmax_out) {
  Result r = CheckInteger(qmin, "qmin", lo, hi, qmin_out);
  if (r.ok()) r = CheckInteger(qmax, "qmax", lo, hi, qmax_out);
  if (!r.ok()) return r;
  if (*qmin_out >= *qmax_out) {
    return RangeError("Expected qmin < qmax but received qmin " + std::to_string(*qmin_out) + " and qmax " +
                      std::to_string(*qmax_out));
  }
  return {};
}

// [qmin, qmax] as above, and the zero point inside it; shared by the per-tensor quantize calls.
inline Result CheckQuantRange(const Number& qmin, const Number& qmax, const Number& zero_point, double lo, double hi,
                              QuantizeParams* p) {
  const Result r = CheckQminQmax(qmin, qmax, lo, hi, &p->qmin, &p->qmax);
  if (!r.ok()) return r;
  return CheckInteger(zero_point, "zeroPoint", p->qmin, p->qmax, &p->zero_point);
}

// quantize(x, out, scale, zeroPoint, qmin, qmax), after x and out were unwrapped. The
// order of the checks is the order of the error a caller sees first.
inline Result CheckQuantize(const Span& x, const Span& out, const Number& scale, const Number& zero_point,
                            const Number& qmin, const Number& qmax, QuantizeParams* p) {
  Result r = CheckSameLength(x, out);
  if (r.ok()) r = CheckNoOverlap(x, out);
  if (r.ok()) r = CheckScale(scale, &p->scale);
  if (!r.ok()) return r;
  double lo = 0, hi = 0;
  ContainerRange(out.type, &lo, &hi);
  return CheckQuantRange(qmin, qmax, zero_point, lo, hi, p);
}

// dequantize(q, out, scale, zeroPoint), after q and out were unwrapped.
inline Result CheckDequantize(const Span& q, const Span& out, const Number& scale, const Number& zero_point,
                              float* scale_out, int32_t* zero_point_out) {
  Result r = CheckSameLength(q, out);
  if (r.ok()) r = CheckNoOverlap(q, out);
  if (r.ok()) r = CheckScale(scale, scale_out);
  if (!r.ok()) return r;
  double lo = 0, hi = 0;
  ContainerRange(q.type, &lo, &hi);
  return CheckInteger(zero_point, "zeroPoint", lo, hi, zero_point_out);
}

// The trailing `rounding` of the quantize calls: a kernels.h Rounding (0 onnx, 1 pytorch,
// 2 tflite), which indexes the kernel table.
inline Result CheckRounding(const Number& n, int* rounding) {
  int32_t r = 0;
  const Result result = CheckInteger(n, "rounding", 0, kRoundingCount - 1, &r);
  if (result.ok()) *rounding = r;
  return result;
}

// minMax(x, out), after x and out were unwrapped: out holds exactly the two results.
inline Result CheckMinMax(const Span& x, const Span& out) {
  if (out.length != 2) return RangeError("Expected out.length to be 2 but received " + std::to_string(out.length));
  return CheckNoOverlap(x, out);
}

}  // namespace args
}  // namespace quantkit
