// float8 quantize / dequantize over arrays (float8.h). Portable C++, baseline flags: the
// division is the exact float32 one, the conversion integer bit work.
#include "kernels/float8.h"

namespace quantkit {

namespace {

template <typename In>
void QuantizeFloat8T(const In* x, uint8_t* q, size_t n, const float8::Spec& f, bool saturate, float scale) {
  for (size_t i = 0; i < n; ++i) {
    const float v = static_cast<float>(x[i]);
    const uint32_t b = float8::FloatBits(v);
    // A NaN keeps the sign of x itself: the sign of NaN / s is not something IEEE 754 fixes.
    q[i] = (b & 0x7fffffffu) > 0x7f800000u ? static_cast<uint8_t>(((b >> 24) & 0x80u) | 0x7fu)
                                            : float8::FromFloatBits(float8::FloatBits(v / scale), f, saturate);
  }
}

}  // namespace

void QuantizeFloat8(const void* x, int float_type, uint8_t* q, size_t n, int format, bool saturate, float scale) {
  const float8::Spec& f = float8::kSpecs[format];
  if (float_type == kF64) QuantizeFloat8T(static_cast<const double*>(x), q, n, f, saturate, scale);
  else QuantizeFloat8T(static_cast<const float*>(x), q, n, f, saturate, scale);
}

void DequantizeFloat8(const uint8_t* q, float* x, size_t n, int format, float scale) {
  // Each of the 256 codes has one result for a given scale: compute them once, then look up.
  // A NaN code's result is set explicitly, so it does not depend on how the multiply
  // propagates NaN.
  const float8::Spec& f = float8::kSpecs[format];
  float table[256];
  for (uint32_t c = 0; c < 256; ++c) {
    const uint32_t bits = float8::ToFloatBits(static_cast<uint8_t>(c), f);
    const bool is_nan = (bits & 0x7fffffffu) > 0x7f800000u;
    table[c] = is_nan ? float8::BitsFloat(bits) : float8::BitsFloat(bits) * scale;
  }
  for (size_t i = 0; i < n; ++i) x[i] = table[q[i]];
}

}  // namespace quantkit
