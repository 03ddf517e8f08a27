// The AVX2 operations that every AVX2 kernel family uses the same way (quantize: x86_avx2.cc,
// float8: x86_avx2_float8.cc, ggml: x86_avx2_ggml.cc). Each family's Vec derives from
// Avx2Base and adds its own operations. Internal linkage, like every header that kernel
// files include with their ISA flags (scalar_impl.h says why).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace quantkit {
namespace {

struct Avx2Base {
  static constexpr size_t kWidth = 8;
  using F = __m256;
  using I = __m256i;

  static F Load(const float* p) { return _mm256_loadu_ps(p); }
  // vcvtpd2ps rounds under MXCSR, like the C cast in the scalar references.
  static F Load(const double* p) {
    return _mm256_set_m128(_mm256_cvtpd_ps(_mm256_loadu_pd(p + 4)), _mm256_cvtpd_ps(_mm256_loadu_pd(p)));
  }
  static F Splat(float v) { return _mm256_set1_ps(v); }
  static I SplatI(int32_t v) { return _mm256_set1_epi32(v); }
  static F Div(F a, F b) { return _mm256_div_ps(a, b); }
  static F Mul(F a, F b) { return _mm256_mul_ps(a, b); }
  // vminps/vmaxps: the second operand where either is NaN.
  static F Min(F a, F b) { return _mm256_min_ps(a, b); }
  static F Max(F a, F b) { return _mm256_max_ps(a, b); }
  static float ReduceMin(F v) {
    __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtss_f32(m);
  }
  static float ReduceMax(F v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtss_f32(m);
  }
  static void StoreF(float* p, F v) { _mm256_storeu_ps(p, v); }
};

}  // namespace
}  // namespace quantkit
