// x86-64 AVX-512 kernels, 16 lanes. Built with -mavx512f -mavx512bw -mavx512vl -mavx512dq
// (the level dispatch.cc checks, XGETBV included). Loop shape and tails: simd_driver.h.
// GCC 12's AVX-512 headers seed unused result lanes with a self-initialized
// _mm512_undefined_* value, which -Wuninitialized reports at every use (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "kernels/quantize/simd_driver.h"
#include "kernels/isa/table.h"
#include "kernels/isa/x86_avx512_vec.h"

namespace quantkit {
namespace {

struct Avx512Vec : Avx512Base {
  static I LoadI(const int32_t* p) { return _mm512_loadu_si512(p); }
  static I AddI(I a, I b) { return _mm512_add_epi32(a, b); }

  static F Clamp(F v, F lo, F hi) {
    const __mmask16 ordered = _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q);
    return _mm512_min_ps(_mm512_maskz_max_ps(ordered, v, lo), hi);  // NaN lanes -> +0
  }
  static I RoundEven(F v) { return _mm512_cvtps_epi32(v); }
  // Ties away from zero (no rounding mode does it): truncate, then step one away from zero
  // where the exact remainder (|v| <= 65535 after the clamp) is at least one half in magnitude.
  static I RoundAway(F v) {
    const I t = _mm512_cvttps_epi32(v);
    const F rem = _mm512_sub_ps(v, _mm512_cvtepi32_ps(t));
    const __mmask16 up = _mm512_cmp_ps_mask(rem, _mm512_set1_ps(0.5f), _CMP_GE_OQ);
    const __mmask16 down = _mm512_cmp_ps_mask(rem, _mm512_set1_ps(-0.5f), _CMP_LE_OQ);
    const I one = _mm512_set1_epi32(1);
    return _mm512_mask_sub_epi32(_mm512_mask_add_epi32(t, up, t, one), down, t, one);
  }

  template <typename Out>
  static constexpr int32_t PackBias(Out*) { return 0; }

  // Codes are already inside [qmin, qmax]: the truncating vpmovdb / vpmovdw keep every
  // value, signed or unsigned, and keep the element order (no in-lane packs to undo).
  static void Store1(uint8_t* q, I a) { _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm512_cvtepi32_epi8(a)); }
  static void Store1(int8_t* q, I a) { _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm512_cvtepi32_epi8(a)); }
  static void Store1(uint16_t* q, I a) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), _mm512_cvtepi32_epi16(a));
  }
  static void Store1(int16_t* q, I a) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), _mm512_cvtepi32_epi16(a));
  }
  template <typename Out>
  static void Store4(Out* q, I a, I b, I c, I d) {
    Store1(q, a);
    Store1(q + kWidth, b);
    Store1(q + 2 * kWidth, c);
    Store1(q + 3 * kWidth, d);
  }

  static I LoadQ(const uint8_t* q) {
    return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
  }
  static I LoadQ(const int8_t* q) {
    return _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
  }
  static I LoadQ(const uint16_t* q) {
    return _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q)));
  }
  static I LoadQ(const int16_t* q) {
    return _mm512_cvtepi16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q)));
  }

  // q - zero is exact and below 2^24 in magnitude: the multiply is the only rounding.
  static F Dequantize(I q, I zero, F scale) {
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(q, zero)), scale);
  }

  static float ReduceMin(F v) {
    const __m256 h = _mm256_min_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 m = _mm_min_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = _mm_min_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtss_f32(m);
  }
  static float ReduceMax(F v) {
    const __m256 h = _mm256_max_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = _mm_max_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtss_f32(m);
  }
};

}  // namespace

const KernelTable& Avx512Kernels() {
  // constexpr: the table is data laid out by the compiler. This accessor is compiled with
  // AVX-512 flags yet called on every CPU (KernelsFor is asked about every level), so it
  // must run nothing but a return.
  static constexpr KernelTable table = MakeKernelTable<simd::Ops<Avx512Vec>>("avx512");
  return table;
}

}  // namespace quantkit
