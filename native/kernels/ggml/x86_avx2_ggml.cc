// ggml blocks in AVX2, 8 lanes. Built with -mavx2 -mfma (the level dispatch.cc checks); no
// FMA is used, and -ffp-contract=off keeps the compiler from making one. Block steps:
// ggml_simd.h.
#include <immintrin.h>

#include "kernels/ggml/ggml_simd.h"
#include "kernels/isa/x86_avx2_vec.h"

namespace quantkit {
namespace ggml {
namespace {

struct Avx2GgmlVec : Avx2Base {
  static F Abs(F v) { return _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))); }
  static F Add(F a, F b) { return _mm256_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static uint32_t EqualMask(F a, F b) {
    return static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ)));
  }
  // |v| <= FLT_MAX is false for NaN as well as ±Inf.
  static uint32_t FiniteMask(F v) {
    return static_cast<uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(Abs(v), _mm256_set1_ps(FLT_MAX), _CMP_LE_OQ)));
  }

  // All ones where |v| < 2^30 (not NaN): lanes the reference converts; the others give 0.
  static I Convertible(F v) {
    return _mm256_castps_si256(_mm256_cmp_ps(Abs(v), _mm256_set1_ps(1073741824.0f), _CMP_LT_OQ));
  }
  static I RoundHalfAway(F v) {
    const I t = _mm256_cvttps_epi32(v);
    const F frac = _mm256_sub_ps(v, _mm256_cvtepi32_ps(t));
    // A true compare is −1: subtracting it adds one.
    I r = _mm256_sub_epi32(t, _mm256_castps_si256(_mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ)));
    r = _mm256_add_epi32(r, _mm256_castps_si256(_mm256_cmp_ps(frac, _mm256_set1_ps(-0.5f), _CMP_LE_OQ)));
    return _mm256_and_si256(r, Convertible(v));
  }
  static I Nibble(F v) {
    return _mm256_and_si256(_mm256_min_epi32(_mm256_cvttps_epi32(v), _mm256_set1_epi32(15)), Convertible(v));
  }
  static I Nibbles(I lo, I hi) { return _mm256_or_si256(lo, _mm256_slli_epi32(hi, 4)); }

  // Masked to the low byte first, so that the saturating packs keep every value. The
  // 256-bit packs work within 128-bit lanes; one dword permute puts the bytes in order.
  template <size_t N>
  static void StoreBytes(uint8_t* p, const I* q) {
    static_assert(N == 2 || N == 4, "a Q8_0 block (4 vectors) or a nibble block (2 vectors)");
    const I ff = _mm256_set1_epi32(0xff);
    const I order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    const I ab = _mm256_packs_epi32(_mm256_and_si256(q[0], ff), _mm256_and_si256(q[1], ff));
    if constexpr (N == 4) {
      const I cd = _mm256_packs_epi32(_mm256_and_si256(q[2], ff), _mm256_and_si256(q[3], ff));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_permutevar8x32_epi32(_mm256_packus_epi16(ab, cd), order));
    } else {
      const I bytes = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(ab, ab), order);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(bytes));
    }
  }

  static void LoadQ8(const uint8_t* p, I* q) {
    for (size_t k = 0; k < 4; ++k) {
      q[k] = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + 8 * k)));
    }
  }
  static void LoadNibbles(const uint8_t* p, I* q) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i m = _mm_set1_epi8(0x0f);
    const __m128i lo = _mm_and_si128(b, m), hi = _mm_and_si128(_mm_srli_epi16(b, 4), m);
    q[0] = _mm256_cvtepu8_epi32(lo);
    q[1] = _mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8));
    q[2] = _mm256_cvtepu8_epi32(hi);
    q[3] = _mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8));
  }
  static F ToFloat(I v) { return _mm256_cvtepi32_ps(v); }
  static I SubI(I a, int32_t v) { return _mm256_sub_epi32(a, _mm256_set1_epi32(v)); }

  // Q5_0, Q5_1 (ggml_simd.h) and the k-quants (ggml_kquants_simd.h).
  static constexpr bool kQ5 = true;
  static constexpr bool kKQuants = true;
  using M = F;
  static I Truncate(F v) { return _mm256_and_si256(_mm256_cvttps_epi32(v), Convertible(v)); }
  static I AndI(I a, int32_t v) { return _mm256_and_si256(a, _mm256_set1_epi32(v)); }
  static I AddI(I a, int32_t v) { return _mm256_add_epi32(a, _mm256_set1_epi32(v)); }
  static I MinI(I a, int32_t v) { return _mm256_min_epi32(a, _mm256_set1_epi32(v)); }
  static I MaxI(I a, int32_t v) { return _mm256_max_epi32(a, _mm256_set1_epi32(v)); }
  static uint32_t Bit4Mask(I v) {
    return static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32(v, 27))));
  }
  static M Lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M Gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M Eq(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static M NeqU(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_NEQ_UQ); }
  static M AndM(M a, M b) { return _mm256_and_ps(a, b); }
  static bool Any(M m) { return _mm256_movemask_ps(m) != 0; }
  static F Select(M m, F a, F b) { return _mm256_blendv_ps(b, a, m); }
  static I SelectI(M m, I a, I b) {
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), m));
  }
  static F Sqrt(F v) { return _mm256_sqrt_ps(v); }
  static F Neg(F v) { return _mm256_xor_ps(v, _mm256_set1_ps(-0.0f)); }
  static I AsInt(F v) { return _mm256_castps_si256(v); }
  static void StoreI(int32_t* p, I v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
};

constexpr GgmlTable kAvx2Ggml = MakeGgmlTable<simd::GgmlOps<Avx2GgmlVec>>("avx2");

}  // namespace

// Returns constant data only: called (by GgmlKernelsFor) only once the CPU has AVX2, but
// it runs no AVX2 instruction either way.
const GgmlTable& Avx2Ggml() { return kAvx2Ggml; }

}  // namespace ggml
}  // namespace quantkit
