// x86-64 baseline kernels: SSE2, 4 lanes. Built with -msse2 only, so they run on every
// x86-64 CPU. Loop shape and tails: simd_driver.h.
#include <emmintrin.h>

#include <cstring>

#include "kernels/quantize/simd_driver.h"
#include "kernels/isa/table.h"
#include "kernels/isa/x86_sse2_vec.h"

namespace quantkit {
namespace {

struct Sse2Vec : Sse2Base {
  static I LoadI(const int32_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static I AddI(I a, I b) { return _mm_add_epi32(a, b); }

  static F Clamp(F v, F lo, F hi) {
    v = _mm_and_ps(v, _mm_cmpord_ps(v, v));  // NaN -> +0 before min/max can see it
    return _mm_min_ps(_mm_max_ps(v, lo), hi);
  }
  static I RoundEven(F v) { return _mm_cvtps_epi32(v); }  // cvtps2dq: nearest-even under MXCSR
  // Ties away from zero without SSE4.1's roundps (which has no such mode anyway): truncate,
  // then step one away from zero where the remainder is at least one half in magnitude. The
  // remainder v - trunc(v) is exact (|v| <= 65535 after the clamp), so the test is exact.
  static I RoundAway(F v) {
    const I t = _mm_cvttps_epi32(v);
    const F rem = _mm_sub_ps(v, _mm_cvtepi32_ps(t));
    const I up = _mm_castps_si128(_mm_cmpge_ps(rem, _mm_set1_ps(0.5f)));     // -1 where rem >= 0.5
    const I down = _mm_castps_si128(_mm_cmple_ps(rem, _mm_set1_ps(-0.5f)));  // -1 where rem <= -0.5
    return _mm_add_epi32(_mm_sub_epi32(t, up), down);
  }

  // Codes are already inside [qmin, qmax], so the saturating packs never change a value.
  // SSE2 has no unsigned 32->16 pack (packusdw is SSE4.1): uint16 codes are shifted down
  // by 32768 through the zero point, packed signed, and shifted back by flipping bit 15.
  template <typename Out>
  static constexpr int32_t PackBias(Out*) { return 0; }
  static constexpr int32_t PackBias(uint16_t*) { return 32768; }

  static void Store4(uint8_t* q, I a, I b, I c, I d) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q),
                     _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
  }
  static void Store4(int8_t* q, I a, I b, I c, I d) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q),
                     _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
  }
  static void Store4(int16_t* q, I a, I b, I c, I d) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm_packs_epi32(a, b));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 8), _mm_packs_epi32(c, d));
  }
  static void Store4(uint16_t* q, I a, I b, I c, I d) {
    const I flip = _mm_set1_epi16(-32768);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm_xor_si128(_mm_packs_epi32(a, b), flip));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 8), _mm_xor_si128(_mm_packs_epi32(c, d), flip));
  }

  static void Store1(uint8_t* q, I a) {
    const I t = _mm_packs_epi32(a, a);
    const int32_t bytes = _mm_cvtsi128_si32(_mm_packus_epi16(t, t));
    std::memcpy(q, &bytes, 4);
  }
  static void Store1(int8_t* q, I a) {
    const I t = _mm_packs_epi32(a, a);
    const int32_t bytes = _mm_cvtsi128_si32(_mm_packs_epi16(t, t));
    std::memcpy(q, &bytes, 4);
  }
  static void Store1(int16_t* q, I a) { _mm_storel_epi64(reinterpret_cast<__m128i*>(q), _mm_packs_epi32(a, a)); }
  static void Store1(uint16_t* q, I a) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q), _mm_xor_si128(_mm_packs_epi32(a, a), _mm_set1_epi16(-32768)));
  }

  static I Load4Bytes(const void* q) {
    int32_t bytes;
    std::memcpy(&bytes, q, 4);
    return _mm_cvtsi32_si128(bytes);
  }
  static I LoadQ(const uint8_t* q) {
    const I zero = _mm_setzero_si128();
    return _mm_unpacklo_epi16(_mm_unpacklo_epi8(Load4Bytes(q), zero), zero);
  }
  // SSE2 has no sign-extending loads: repeat each byte into all four bytes of its lane,
  // then shift arithmetically.
  static I LoadQ(const int8_t* q) {
    I t = Load4Bytes(q);
    t = _mm_unpacklo_epi8(t, t);
    return _mm_srai_epi32(_mm_unpacklo_epi16(t, t), 24);
  }
  static I LoadQ(const uint16_t* q) {
    return _mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q)), _mm_setzero_si128());
  }
  static I LoadQ(const int16_t* q) {
    const I t = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(q));
    return _mm_srai_epi32(_mm_unpacklo_epi16(t, t), 16);
  }

  // q - zero is exact in int32 and below 2^24 in magnitude, so the conversion is exact and
  // the multiply is the only rounding, as in the reference.
  static F Dequantize(I q, I zero, F scale) { return _mm_mul_ps(_mm_cvtepi32_ps(_mm_sub_epi32(q, zero)), scale); }

};

}  // namespace

const KernelTable& Sse2Kernels() {
  // constexpr: the table is data laid out by the compiler, so asking for it runs no code.
  static constexpr KernelTable table = MakeKernelTable<simd::Ops<Sse2Vec>>("sse2");
  return table;
}

}  // namespace quantkit
