// float8 quantize / dequantize over arrays (float8.h): the scalar reference, and the choice
// of quantize row per kernel level. Portable C++, baseline flags.
#include "kernels/float8/float8.h"

namespace quantkit {

namespace {

template <typename In>
void QuantizeFloat8Scalar(const void* x, uint8_t* q, size_t n, int format, bool saturate, float scale) {
  const float8::Spec& f = float8::kSpecs[format];
  const In* in = static_cast<const In*>(x);
  for (size_t i = 0; i < n; ++i) q[i] = float8::QuantizeOne(static_cast<float>(in[i]), f, saturate, scale);
}

constexpr Float8Kernels kScalarFloat8 = {"scalar", {QuantizeFloat8Scalar<float>, QuantizeFloat8Scalar<double>}};

}  // namespace

const Float8Kernels& ScalarFloat8() { return kScalarFloat8; }

const Float8Kernels& Float8KernelsFor(IsaLevel level) {
  switch (level) {
#if defined(QUANTKIT_X86)
    case kIsaSse2: return Sse2Float8();
    // An AVX-512 level has AVX2 too (dispatch.cc checks both); no AVX-512 row of its own yet.
    case kIsaAvx2:
    case kIsaAvx512: return Avx2Float8();
#endif
    default: return ScalarFloat8();
  }
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
