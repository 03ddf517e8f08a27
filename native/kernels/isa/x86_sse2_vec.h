// The SSE2 operations that every SSE2 kernel family uses the same way (quantize: x86_sse2.cc,
// float8: x86_sse2_float8.cc, ggml: x86_sse2_ggml.cc). Each family's Vec derives from
// Sse2Base and adds its own operations. Internal linkage, like every header that kernel
// files include with their ISA flags (scalar_impl.h says why).
#pragma once

#include <emmintrin.h>

#include <cstddef>
#include <cstdint>

namespace quantkit {
namespace {

struct Sse2Base {
  static constexpr size_t kWidth = 4;
  using F = __m128;
  using I = __m128i;

  static F Load(const float* p) { return _mm_loadu_ps(p); }
  // cvtpd2ps rounds under MXCSR, like the C cast in the scalar references.
  static F Load(const double* p) {
    return _mm_movelh_ps(_mm_cvtpd_ps(_mm_loadu_pd(p)), _mm_cvtpd_ps(_mm_loadu_pd(p + 2)));
  }
  static F Splat(float v) { return _mm_set1_ps(v); }
  static I SplatI(int32_t v) { return _mm_set1_epi32(v); }
  static F Div(F a, F b) { return _mm_div_ps(a, b); }
  static F Mul(F a, F b) { return _mm_mul_ps(a, b); }
  // minps/maxps: the second operand where either is NaN.
  static F Min(F a, F b) { return _mm_min_ps(a, b); }
  static F Max(F a, F b) { return _mm_max_ps(a, b); }
  static float ReduceMin(F v) {
    v = _mm_min_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_min_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtss_f32(v);
  }
  static float ReduceMax(F v) {
    v = _mm_max_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_max_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtss_f32(v);
  }
  static void StoreF(float* p, F v) { _mm_storeu_ps(p, v); }
};

}  // namespace
}  // namespace quantkit
