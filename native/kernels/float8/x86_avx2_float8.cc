// float8 quantize with AVX2, 8 lanes (float8_simd.h). Built with -mavx2 only; used only at
// levels whose CPU check includes AVX2 (dispatch.cc).
#include <immintrin.h>

#include "kernels/float8/float8_simd.h"
#include "kernels/isa/x86_avx2_vec.h"

namespace quantkit {
namespace {

struct Avx2F8 : Avx2Base {
  static I Bits(F v) { return _mm256_castps_si256(v); }
  static F Float(I v) { return _mm256_castsi256_ps(v); }
  static I And(I a, I b) { return _mm256_and_si256(a, b); }
  static I Or(I a, I b) { return _mm256_or_si256(a, b); }
  static I Add(I a, I b) { return _mm256_add_epi32(a, b); }
  static I Sub(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I Srl(I a, int count) { return _mm256_srl_epi32(a, _mm_cvtsi32_si128(count)); }
  static I Srli24(I a) { return _mm256_srli_epi32(a, 24); }
  static I Gt(I a, I b) { return _mm256_cmpgt_epi32(a, b); }
  static I Select(I mask, I a, I b) { return _mm256_blendv_epi8(b, a, mask); }
  static I Rne(F v) { return _mm256_cvtps_epi32(v); }  // nearest-even under MXCSR
  // The packs work within 128-bit halves: the bytes come out as a0-3 b0-3 c0-3 d0-3 |
  // a4-7 b4-7 c4-7 d4-7, which one dword permute puts in order.
  static void Store4(uint8_t* q, I a, I b, I c, I d) {
    const I bytes = _mm256_packus_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q),
                        _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
  }
};

}  // namespace

const Float8Kernels& Avx2Float8() {
  static constexpr Float8Kernels table = float8_simd::MakeFloat8Kernels<Avx2F8>("avx2");
  return table;
}

}  // namespace quantkit
