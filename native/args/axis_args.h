// The Node-API-free argument checks of the per-axis / blocked calls (quantizeAxis,
// dequantizeAxis, minMaxAxis), in the manner of args.h. Whatever they accept is safe for
// kernels/axis/axis.h: outer · D · inner equals the data length, the scale and zero point arrays
// hold exactly AxisParamCount entries, every scale is a positive finite float32 and every
// zero point lies in [qmin, qmax] (quantize) or the container (dequantize), and `out`
// shares no byte with any input.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "args/args.h"
#include "kernels/axis/axis.h"

namespace quantkit {
namespace args {

// A dimension: an integer in [0, 2^53].
inline Result CheckDim(const Number& n, const char* name, size_t* out) {
  if (!n.is_number) return NotANumber(n, name);
  const double d = n.value;
  if (!(d == std::floor(d) && d >= 0 && d <= 9007199254740992.0)) {
    return RangeError(std::string("Expected a non-negative integer for ") + name + " but received " + DescribeNumber(d));
  }
  *out = static_cast<size_t>(d);
  return {};
}

inline bool MulOverflows(size_t a, size_t b, size_t* r) {
  if (a != 0 && b > SIZE_MAX / a) return true;
  *r = a * b;
  return false;
}

// outer, D, inner, blockSize for `n` data elements.
inline Result CheckAxisLayout(const Number& outer, const Number& axis_len, const Number& inner, const Number& block,
                              size_t n, AxisLayout* l) {
  Result r = CheckDim(outer, "outer", &l->outer);
  if (r.ok()) r = CheckDim(axis_len, "axisLength", &l->axis_len);
  if (r.ok()) r = CheckDim(inner, "inner", &l->inner);
  if (r.ok()) r = CheckDim(block, "blockSize", &l->block);
  if (!r.ok()) return r;
  size_t total = 0;
  if (MulOverflows(l->outer, l->axis_len, &total) || MulOverflows(total, l->inner, &total) || total != n) {
    return RangeError("Expected outer * axisLength * inner to equal the data length " + std::to_string(n));
  }
  return {};
}

inline Result CheckParamArrays(const Span& scale, const Span& zero_point, const AxisLayout& l) {
  const size_t count = AxisParamCount(l);
  if (scale.length != count) {
    return RangeError("Expected scale.length to equal " + std::to_string(count) + " but received " +
                      std::to_string(scale.length));
  }
  if (zero_point.length != count) {
    return RangeError("Expected zeroPoint.length to equal " + std::to_string(count) + " but received " +
                      std::to_string(zero_point.length));
  }
  const float* s = static_cast<const float*>(scale.data);
  const size_t k = FirstBadScale(s, count);
  if (k != count) {
    return RangeError("Expected a positive finite float32 for scale[" + std::to_string(k) + "] but received " +
                      DescribeNumber(s[k]));
  }
  return {};
}

inline Result CheckZeroPoints(const Span& zero_point, int32_t lo, int32_t hi) {
  const int32_t* z = static_cast<const int32_t*>(zero_point.data);
  const size_t k = FirstZeroPointOutside(z, zero_point.length, lo, hi);
  if (k != zero_point.length) {
    return RangeError("Expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "] for zeroPoint[" +
                      std::to_string(k) + "] but received " + std::to_string(z[k]));
  }
  return {};
}

inline Result CheckOutDisjoint(const Span& in, const Span& scale, const Span& zero_point, const Span& out) {
  if (Overlaps(in.data, in.bytes, out.data, out.bytes) || Overlaps(scale.data, scale.bytes, out.data, out.bytes) ||
      Overlaps(zero_point.data, zero_point.bytes, out.data, out.bytes)) {
    return RangeError("Expected out not to overlap the input's, scale's or zeroPoint's memory but it does");
  }
  return {};
}

// quantizeAxis(x, out, scale, zeroPoint, outer, axisLength, inner, blockSize, qmin, qmax)
inline Result CheckQuantizeAxis(const Span& x, const Span& out, const Span& scale, const Span& zero_point,
                                const Number& outer, const Number& axis_len, const Number& inner, const Number& block,
                                const Number& qmin, const Number& qmax, AxisLayout* l, int32_t* qmin_out,
                                int32_t* qmax_out) {
  Result r = CheckSameLength(x, out);
  if (r.ok()) r = CheckOutDisjoint(x, scale, zero_point, out);
  if (r.ok()) r = CheckAxisLayout(outer, axis_len, inner, block, x.length, l);
  if (r.ok()) r = CheckParamArrays(scale, zero_point, *l);
  if (!r.ok()) return r;
  double lo = 0, hi = 0;
  ContainerRange(out.type, &lo, &hi);
  r = CheckQminQmax(qmin, qmax, lo, hi, qmin_out, qmax_out);
  if (!r.ok()) return r;
  return CheckZeroPoints(zero_point, *qmin_out, *qmax_out);
}

// dequantizeAxis(q, out, scale, zeroPoint, outer, axisLength, inner, blockSize)
inline Result CheckDequantizeAxis(const Span& q, const Span& out, const Span& scale, const Span& zero_point,
                                  const Number& outer, const Number& axis_len, const Number& inner, const Number& block,
                                  AxisLayout* l) {
  Result r = CheckSameLength(q, out);
  if (r.ok()) r = CheckOutDisjoint(q, scale, zero_point, out);
  if (r.ok()) r = CheckAxisLayout(outer, axis_len, inner, block, q.length, l);
  if (r.ok()) r = CheckParamArrays(scale, zero_point, *l);
  if (!r.ok()) return r;
  double lo = 0, hi = 0;
  ContainerRange(q.type, &lo, &hi);
  return CheckZeroPoints(zero_point, static_cast<int32_t>(lo), static_cast<int32_t>(hi));
}

// minMaxAxis(x, out, outer, axisLength, inner, blockSize): out holds 2 · AxisParamCount values.
inline Result CheckMinMaxAxis(const Span& x, const Span& out, const Number& outer, const Number& axis_len,
                              const Number& inner, const Number& block, AxisLayout* l) {
  Result r = CheckAxisLayout(outer, axis_len, inner, block, x.length, l);
  if (!r.ok()) return r;
  const size_t want = 2 * AxisParamCount(*l);
  if (out.length != want) {
    return RangeError("Expected out.length to be " + std::to_string(want) + " but received " + std::to_string(out.length));
  }
  return CheckNoOverlap(x, out);
}

}  // namespace args
}  // namespace quantkit
