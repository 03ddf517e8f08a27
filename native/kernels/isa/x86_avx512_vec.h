// The AVX-512 operations that the AVX-512 kernel families use the same way (quantize:
// x86_avx512.cc, ggml: x86_avx512_ggml.cc). Each family's Vec derives from Avx512Base and
// adds its own operations. Included only by files built with the AVX-512 flags; internal
// linkage, like every header that kernel files include with their ISA flags (scalar_impl.h).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace quantkit {
namespace {

struct Avx512Base {
  static constexpr size_t kWidth = 16;
  using F = __m512;
  using I = __m512i;

  static F Load(const float* p) { return _mm512_loadu_ps(p); }
  // vcvtpd2ps rounds under MXCSR, like the C cast in the scalar references.
  static F Load(const double* p) {
    const __m256 lo = _mm512_cvtpd_ps(_mm512_loadu_pd(p));
    const __m256 hi = _mm512_cvtpd_ps(_mm512_loadu_pd(p + 8));
    return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
  }
  static F Splat(float v) { return _mm512_set1_ps(v); }
  static I SplatI(int32_t v) { return _mm512_set1_epi32(v); }
  // Rounding goes through MXCSR (no embedded {rn-sae}) so that every ISA, the scalar tails
  // included, rounds under the same mode.
  static F Div(F a, F b) { return _mm512_div_ps(a, b); }
  static F Mul(F a, F b) { return _mm512_mul_ps(a, b); }
  // vminps/vmaxps: the second operand where either is NaN.
  static F Min(F a, F b) { return _mm512_min_ps(a, b); }
  static F Max(F a, F b) { return _mm512_max_ps(a, b); }
  static void StoreF(float* p, F v) { _mm512_storeu_ps(p, v); }
};

}  // namespace
}  // namespace quantkit
