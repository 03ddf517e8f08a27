// The scalar reference, as templates so that SIMD kernels can finish their tails with the
// exact same arithmetic. Relies on the default floating-point environment (round to
// nearest even, no flush-to-zero), which Node never changes.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/isa/kernels.h"

namespace quantkit {
// Unnamed namespace on purpose: every kernel file includes this header with its own ISA
// flags. With external linkage the linker would keep one arbitrary copy of each template
// instance, possibly an AVX-512 one, for the baseline code too (an ODR trap that turns
// into SIGILL on older CPUs). Internal linkage gives each file its own copy.
namespace {
namespace scalar {

// Shared by every ISA: no value at all gives NaN, NaN; -0 is reported as +0 so that the
// result does not depend on which of two equal zeros a reduction happened to keep.
inline MinMaxResult Finish(float lo, float hi) {
  if (lo > hi) return {NAN, NAN};
  return {lo == 0.0f ? 0.0f : lo, hi == 0.0f ? 0.0f : hi};
}

// A float64 input is read as if first rounded to float32 (SPEC §2.6).
inline float ToF32(float v) { return v; }
inline float ToF32(double v) { return static_cast<float>(v); }

// The quotient of a convention: fl(x / s), or fl(x * inv) with inv = fl(1 / s) (PyTorch).
// `inv` is only read for kRoundPytorch.
template <int R>
inline float Quotient(float x, float scale, float inv) {
  return R == kRoundPytorch ? x * inv : x / scale;
}

// Rounds an in-range, non-NaN value: ties to even (nearbyint under the default mode), or
// ties away from zero for TFLite (TfLiteRound's std::round). The latter is written out rather
// than left to the C library: MinGW-w64's roundf (the Windows prebuild, under Wine) rounded
// 0.49999997f to 1, as floor(v + 0.5f) does. Truncation toward zero is exact (cvttss2si) and
// so is v - t for every in-range v (|v| <= 65535), so the test against one half is exact.
template <int R>
inline int32_t RoundToInt(float v) {
  if (R != kRoundTflite) return static_cast<int32_t>(std::nearbyint(v));
  const int32_t t = static_cast<int32_t>(v);
  const float rem = v - static_cast<float>(t);
  return t + (rem >= 0.5f ? 1 : 0) - (rem <= -0.5f ? 1 : 0);
}

template <int R, typename In, typename Out>
void Quantize(const In* x, Out* q, size_t n, const QuantizeParams& p) {
  // Clamping the quotient to [qmin - z, qmax - z] before rounding is equivalent to clamping
  // after it (both roundings are monotonic and keep integers), and keeps the conversion in range.
  const float lo = static_cast<float>(p.qmin - p.zero_point);
  const float hi = static_cast<float>(p.qmax - p.zero_point);
  const float inv = 1.0f / p.scale;  // computed once, as ATen does
  for (size_t i = 0; i < n; ++i) {
    float v = Quotient<R>(ToF32(x[i]), p.scale, inv);
    if (v > hi) {
      v = hi;
    } else if (v < lo) {
      v = lo;
    } else if (v != v) {
      v = 0.0f;  // NaN -> zero point (SPEC §2.1)
    }
    q[i] = static_cast<Out>(RoundToInt<R>(v) + p.zero_point);
  }
}

// Quantize with per-element parameters: the same expression as Quantize, element by element.
template <int R, typename In, typename Out>
void QuantizeLanes(const In* x, Out* q, size_t n, const float* scale, const int32_t* zero_point, const float* lo,
                   const float* hi) {
  for (size_t i = 0; i < n; ++i) {
    float v = Quotient<R>(ToF32(x[i]), scale[i], 1.0f / scale[i]);
    if (v > hi[i]) {
      v = hi[i];
    } else if (v < lo[i]) {
      v = lo[i];
    } else if (v != v) {
      v = 0.0f;
    }
    q[i] = static_cast<Out>(RoundToInt<R>(v) + zero_point[i]);
  }
}

template <typename Q>
void DequantizeLanes(const Q* q, float* x, size_t n, const float* scale, const int32_t* zero_point) {
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(static_cast<int32_t>(q[i]) - zero_point[i]) * scale[i];
  }
}

template <typename Q>
void Dequantize(const Q* q, float* x, size_t n, float scale, int32_t zero_point) {
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(static_cast<int32_t>(q[i]) - zero_point) * scale;
  }
}

template <typename In>
MinMaxResult MinMax(const In* x, size_t n) {
  float lo = INFINITY;
  float hi = -INFINITY;
  for (size_t i = 0; i < n; ++i) {
    const float v = ToF32(x[i]);
    if (v < lo) lo = v;  // NaN compares false and is skipped
    if (v > hi) hi = v;
  }
  return Finish(lo, hi);
}

}  // namespace scalar
}  // namespace
}  // namespace quantkit
