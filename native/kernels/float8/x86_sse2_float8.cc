// float8 quantize with SSE2, 4 lanes (float8_simd.h). Built with -msse2 only.
#include <emmintrin.h>

#include "kernels/float8/float8_simd.h"
#include "kernels/isa/x86_sse2_vec.h"

namespace quantkit {
namespace {

struct Sse2F8 : Sse2Base {
  static I Bits(F v) { return _mm_castps_si128(v); }
  static F Float(I v) { return _mm_castsi128_ps(v); }
  static I And(I a, I b) { return _mm_and_si128(a, b); }
  static I Or(I a, I b) { return _mm_or_si128(a, b); }
  static I Add(I a, I b) { return _mm_add_epi32(a, b); }
  static I Sub(I a, I b) { return _mm_sub_epi32(a, b); }
  static I Srl(I a, int count) { return _mm_srl_epi32(a, _mm_cvtsi32_si128(count)); }
  static I Srli24(I a) { return _mm_srli_epi32(a, 24); }
  static I Gt(I a, I b) { return _mm_cmpgt_epi32(a, b); }
  static I Select(I mask, I a, I b) { return _mm_or_si128(_mm_and_si128(mask, a), _mm_andnot_si128(mask, b)); }
  static I Rne(F v) { return _mm_cvtps_epi32(v); }  // nearest-even under MXCSR
  static void Store4(uint8_t* q, I a, I b, I c, I d) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
  }
};

}  // namespace

const Float8Kernels& Sse2Float8() {
  static constexpr Float8Kernels table = float8_simd::MakeFloat8Kernels<Sse2F8>("sse2");
  return table;
}

}  // namespace quantkit
