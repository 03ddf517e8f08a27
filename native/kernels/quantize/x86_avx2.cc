// x86-64 AVX2 kernels, 8 lanes. Built with -mavx2 -mfma (the level dispatch.cc checks);
// no FMA is used, and -ffp-contract=off keeps the compiler from making one.
// Loop shape and tails: simd_driver.h.
#include <immintrin.h>

#include "kernels/quantize/simd_driver.h"
#include "kernels/isa/table.h"
#include "kernels/isa/x86_avx2_vec.h"

namespace quantkit {
namespace {

struct Avx2Vec : Avx2Base {
  static I LoadI(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static I AddI(I a, I b) { return _mm256_add_epi32(a, b); }

  static F Clamp(F v, F lo, F hi) {
    v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));  // NaN -> +0 before min/max can see it
    return _mm256_min_ps(_mm256_max_ps(v, lo), hi);
  }
  static I RoundEven(F v) { return _mm256_cvtps_epi32(v); }  // nearest-even under MXCSR
  // Ties away from zero (vroundps has no such mode): truncate, then step one away from zero
  // where the exact remainder (|v| <= 65535 after the clamp) is at least one half in magnitude.
  static I RoundAway(F v) {
    const I t = _mm256_cvttps_epi32(v);
    const F rem = _mm256_sub_ps(v, _mm256_cvtepi32_ps(t));
    const I up = _mm256_castps_si256(_mm256_cmp_ps(rem, _mm256_set1_ps(0.5f), _CMP_GE_OQ));
    const I down = _mm256_castps_si256(_mm256_cmp_ps(rem, _mm256_set1_ps(-0.5f), _CMP_LE_OQ));
    return _mm256_add_epi32(_mm256_sub_epi32(t, up), down);
  }

  // Codes are already inside [qmin, qmax], so the saturating packs never change a value.
  template <typename Out>
  static constexpr int32_t PackBias(Out*) { return 0; }

  // The 256-bit packs work within 128-bit lanes: after packing a,b then ab,cd the dwords
  // hold a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7, which one dword permute puts in order.
  static I InterleaveDwords(I v) { return _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)); }
  // a0-3 b0-3 | a4-7 b4-7 in quadwords -> a0-3 a4-7 b0-3 b4-7.
  static I InterleaveQwords(I v) { return _mm256_permute4x64_epi64(v, _MM_SHUFFLE(3, 1, 2, 0)); }

  static void Store4(uint8_t* q, I a, I b, I c, I d) {
    const I bytes = _mm256_packus_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), InterleaveDwords(bytes));
  }
  static void Store4(int8_t* q, I a, I b, I c, I d) {
    const I bytes = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), InterleaveDwords(bytes));
  }
  static void Store4(int16_t* q, I a, I b, I c, I d) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), InterleaveQwords(_mm256_packs_epi32(a, b)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + 16), InterleaveQwords(_mm256_packs_epi32(c, d)));
  }
  static void Store4(uint16_t* q, I a, I b, I c, I d) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), InterleaveQwords(_mm256_packus_epi32(a, b)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + 16), InterleaveQwords(_mm256_packus_epi32(c, d)));
  }

  static __m128i Low(I a) { return _mm256_castsi256_si128(a); }
  static __m128i High(I a) { return _mm256_extracti128_si256(a, 1); }
  static void Store1(uint8_t* q, I a) {
    const __m128i t = _mm_packs_epi32(Low(a), High(a));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q), _mm_packus_epi16(t, t));
  }
  static void Store1(int8_t* q, I a) {
    const __m128i t = _mm_packs_epi32(Low(a), High(a));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q), _mm_packs_epi16(t, t));
  }
  static void Store1(int16_t* q, I a) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm_packs_epi32(Low(a), High(a)));
  }
  static void Store1(uint16_t* q, I a) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm_packus_epi32(Low(a), High(a)));
  }

  static I LoadQ(const uint8_t* q) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q)));
  }
  static I LoadQ(const int8_t* q) {
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q)));
  }
  static I LoadQ(const uint16_t* q) {
    return _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
  }
  static I LoadQ(const int16_t* q) {
    return _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
  }

  // q - zero is exact and below 2^24 in magnitude: the multiply is the only rounding.
  static F Dequantize(I q, I zero, F scale) {
    return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(q, zero)), scale);
  }

};

}  // namespace

const KernelTable& Avx2Kernels() {
  // constexpr: the table is data laid out by the compiler; this accessor, compiled with
  // AVX2 flags, is called on every CPU and so must run nothing but a return.
  static constexpr KernelTable table = MakeKernelTable<simd::Ops<Avx2Vec>>("avx2");
  return table;
}

}  // namespace quantkit
