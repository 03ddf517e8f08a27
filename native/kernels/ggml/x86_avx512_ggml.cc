// ggml blocks in AVX-512 (F, BW, VL, DQ), 16 lanes. Like the other AVX-512 kernels, compiled
// but not yet run on real hardware (dispatch.cc: picked only with QUANTKIT_ISA=avx512).
// Block steps: ggml_simd.h.
// GCC 12's headers build several of these intrinsics on _mm512_undefined_*() and then warn
// about the undefined value in their own code (-Wmaybe-uninitialized, a false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "kernels/ggml/ggml_simd.h"
#include "kernels/isa/x86_avx512_vec.h"

namespace quantkit {
namespace ggml {
namespace {

struct Avx512GgmlVec : Avx512Base {
  static F Abs(F v) { return _mm512_abs_ps(v); }
  static F Add(F a, F b) { return _mm512_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static float ReduceMin(F v) { return _mm512_reduce_min_ps(v); }
  static float ReduceMax(F v) { return _mm512_reduce_max_ps(v); }
  static uint32_t EqualMask(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  // |v| <= FLT_MAX is false for NaN as well as ±Inf.
  static uint32_t FiniteMask(F v) { return _mm512_cmp_ps_mask(Abs(v), _mm512_set1_ps(FLT_MAX), _CMP_LE_OQ); }

  // Lanes where |v| < 2^30 (not NaN): the ones the reference converts; the others give 0.
  static __mmask16 Convertible(F v) { return _mm512_cmp_ps_mask(Abs(v), _mm512_set1_ps(1073741824.0f), _CMP_LT_OQ); }
  static I RoundHalfAway(F v) {
    const I t = _mm512_cvttps_epi32(v);
    const F frac = _mm512_sub_ps(v, _mm512_cvtepi32_ps(t));
    const I one = _mm512_set1_epi32(1);
    I r = _mm512_mask_add_epi32(t, _mm512_cmp_ps_mask(frac, _mm512_set1_ps(0.5f), _CMP_GE_OQ), t, one);
    r = _mm512_mask_sub_epi32(r, _mm512_cmp_ps_mask(frac, _mm512_set1_ps(-0.5f), _CMP_LE_OQ), r, one);
    return _mm512_maskz_mov_epi32(Convertible(v), r);
  }
  static I Nibble(F v) {
    return _mm512_maskz_mov_epi32(Convertible(v), _mm512_min_epi32(_mm512_cvttps_epi32(v), _mm512_set1_epi32(15)));
  }
  static I Nibbles(I lo, I hi) { return _mm512_or_si512(lo, _mm512_slli_epi32(hi, 4)); }

  // vpmovdb truncates: exactly the low byte of each lane.
  template <size_t N>
  static void StoreBytes(uint8_t* p, const I* q) {
    for (size_t k = 0; k < N; ++k) _mm_storeu_si128(reinterpret_cast<__m128i*>(p + 16 * k), _mm512_cvtepi32_epi8(q[k]));
  }

  static void LoadQ8(const uint8_t* p, I* q) {
    q[0] = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    q[1] = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
  }
  static void LoadNibbles(const uint8_t* p, I* q) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i m = _mm_set1_epi8(0x0f);
    q[0] = _mm512_cvtepu8_epi32(_mm_and_si128(b, m));
    q[1] = _mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(b, 4), m));
  }
  static F ToFloat(I v) { return _mm512_cvtepi32_ps(v); }
  static I SubI(I a, int32_t v) { return _mm512_sub_epi32(a, _mm512_set1_epi32(v)); }

  // Q5_0, Q5_1 (ggml_simd.h) and the k-quants (ggml_kquants_simd.h): Q4_K and Q5_K search
  // two super-blocks at once (16 sub-blocks of 32), Q6_K one (16 of 16).
  static constexpr bool kQ5 = true;
  static constexpr bool kKQuants = true;
  using M = __mmask16;
  static I Truncate(F v) { return _mm512_maskz_mov_epi32(Convertible(v), _mm512_cvttps_epi32(v)); }
  static I AndI(I a, int32_t v) { return _mm512_and_si512(a, _mm512_set1_epi32(v)); }
  static I AddI(I a, int32_t v) { return _mm512_add_epi32(a, _mm512_set1_epi32(v)); }
  static I MinI(I a, int32_t v) { return _mm512_min_epi32(a, _mm512_set1_epi32(v)); }
  static I MaxI(I a, int32_t v) { return _mm512_max_epi32(a, _mm512_set1_epi32(v)); }
  static uint32_t Bit4Mask(I v) { return _mm512_test_epi32_mask(v, _mm512_set1_epi32(16)); }
  static M Lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M Gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M Eq(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static M NeqU(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ); }
  static M AndM(M a, M b) { return static_cast<M>(a & b); }
  static bool Any(M m) { return m != 0; }
  static F Select(M m, F a, F b) { return _mm512_mask_blend_ps(m, b, a); }
  static I SelectI(M m, I a, I b) { return _mm512_mask_blend_epi32(m, b, a); }
  static F Sqrt(F v) { return _mm512_sqrt_ps(v); }
  static F Neg(F v) { return _mm512_xor_ps(v, _mm512_set1_ps(-0.0f)); }
  static I AsInt(F v) { return _mm512_castps_si512(v); }
  static void StoreI(int32_t* p, I v) { _mm512_storeu_si512(p, v); }
};

constexpr GgmlTable kAvx512Ggml = MakeGgmlTable<simd::GgmlOps<Avx512GgmlVec>>("avx512");

}  // namespace

// Constant data only (table.h explains why that matters for an AVX-512 file).
const GgmlTable& Avx512Ggml() { return kAvx512Ggml; }

}  // namespace ggml
}  // namespace quantkit
