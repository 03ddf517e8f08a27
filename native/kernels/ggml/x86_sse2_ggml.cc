// ggml blocks in SSE2, 4 lanes (the x86-64 baseline). Block steps: ggml_simd.h.
#include <emmintrin.h>

#include "kernels/ggml/ggml_simd.h"
#include "kernels/isa/x86_sse2_vec.h"

namespace quantkit {
namespace ggml {
namespace {

struct Sse2GgmlVec : Sse2Base {
  static F Abs(F v) { return _mm_and_ps(v, _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff))); }
  static F Add(F a, F b) { return _mm_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm_sub_ps(a, b); }
  static uint32_t EqualMask(F a, F b) { return static_cast<uint32_t>(_mm_movemask_ps(_mm_cmpeq_ps(a, b))); }
  // |v| <= FLT_MAX is false for NaN as well as ±Inf.
  static uint32_t FiniteMask(F v) {
    return static_cast<uint32_t>(_mm_movemask_ps(_mm_cmple_ps(Abs(v), _mm_set1_ps(FLT_MAX))));
  }

  // All ones where |v| < 2^30 (not NaN): lanes the reference converts; the others give 0.
  static I Convertible(F v) { return _mm_castps_si128(_mm_cmplt_ps(Abs(v), _mm_set1_ps(1073741824.0f))); }
  static I RoundHalfAway(F v) {
    const I t = _mm_cvttps_epi32(v);
    const F frac = _mm_sub_ps(v, _mm_cvtepi32_ps(t));
    // A true compare is −1: subtracting it adds one.
    I r = _mm_sub_epi32(t, _mm_castps_si128(_mm_cmpge_ps(frac, _mm_set1_ps(0.5f))));
    r = _mm_add_epi32(r, _mm_castps_si128(_mm_cmple_ps(frac, _mm_set1_ps(-0.5f))));
    return _mm_and_si128(r, Convertible(v));
  }
  static I Nibble(F v) {
    const I t = _mm_cvttps_epi32(v);
    const I fifteen = _mm_set1_epi32(15);
    const I below = _mm_cmplt_epi32(t, fifteen);  // SSE2 has no pminsd
    const I r = _mm_or_si128(_mm_and_si128(below, t), _mm_andnot_si128(below, fifteen));
    return _mm_and_si128(r, Convertible(v));
  }
  static I Nibbles(I lo, I hi) { return _mm_or_si128(lo, _mm_slli_epi32(hi, 4)); }

  // Masked to the low byte first, so that both saturating packs keep every value.
  template <size_t N>
  static void StoreBytes(uint8_t* p, const I* q) {
    const I ff = _mm_set1_epi32(0xff);
    for (size_t k = 0; k < N; k += 4) {
      const I a = _mm_packs_epi32(_mm_and_si128(q[k], ff), _mm_and_si128(q[k + 1], ff));
      const I b = _mm_packs_epi32(_mm_and_si128(q[k + 2], ff), _mm_and_si128(q[k + 3], ff));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p + k * 4), _mm_packus_epi16(a, b));
    }
  }

  static void LoadQ8(const uint8_t* p, I* q) {
    for (size_t h = 0; h < 2; ++h) {
      const I b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * h));
      // Each byte doubled into a 16-bit lane, then an arithmetic shift: sign extension.
      const I lo = _mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8);
      const I hi = _mm_srai_epi16(_mm_unpackhi_epi8(b, b), 8);
      q[4 * h] = _mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 16);
      q[4 * h + 1] = _mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 16);
      q[4 * h + 2] = _mm_srai_epi32(_mm_unpacklo_epi16(hi, hi), 16);
      q[4 * h + 3] = _mm_srai_epi32(_mm_unpackhi_epi16(hi, hi), 16);
    }
  }
  static void Widen(I bytes, I* q) {
    const I zero = _mm_setzero_si128();
    const I lo = _mm_unpacklo_epi8(bytes, zero), hi = _mm_unpackhi_epi8(bytes, zero);
    q[0] = _mm_unpacklo_epi16(lo, zero);
    q[1] = _mm_unpackhi_epi16(lo, zero);
    q[2] = _mm_unpacklo_epi16(hi, zero);
    q[3] = _mm_unpackhi_epi16(hi, zero);
  }
  static void LoadNibbles(const uint8_t* p, I* q) {
    const I b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const I m = _mm_set1_epi8(0x0f);
    Widen(_mm_and_si128(b, m), q);
    Widen(_mm_and_si128(_mm_srli_epi16(b, 4), m), q + 4);
  }
  static F ToFloat(I v) { return _mm_cvtepi32_ps(v); }
  static I SubI(I a, int32_t v) { return _mm_sub_epi32(a, _mm_set1_epi32(v)); }

  // Q5_0, Q5_1 (ggml_simd.h) and the k-quants (ggml_kquants_simd.h).
  static constexpr bool kQ5 = true;
  static constexpr bool kKQuants = true;
  using M = F;
  static I Truncate(F v) { return _mm_and_si128(_mm_cvttps_epi32(v), Convertible(v)); }
  static I AndI(I a, int32_t v) { return _mm_and_si128(a, _mm_set1_epi32(v)); }
  static I AddI(I a, int32_t v) { return _mm_add_epi32(a, _mm_set1_epi32(v)); }
  // SSE2 has no pminsd / pmaxsd.
  static I MinI(I a, int32_t v) {
    const I b = _mm_set1_epi32(v);
    const I gt = _mm_cmpgt_epi32(a, b);
    return _mm_or_si128(_mm_andnot_si128(gt, a), _mm_and_si128(gt, b));
  }
  static I MaxI(I a, int32_t v) {
    const I b = _mm_set1_epi32(v);
    const I lt = _mm_cmplt_epi32(a, b);
    return _mm_or_si128(_mm_andnot_si128(lt, a), _mm_and_si128(lt, b));
  }
  static uint32_t Bit4Mask(I v) { return static_cast<uint32_t>(_mm_movemask_ps(_mm_castsi128_ps(_mm_slli_epi32(v, 27)))); }
  static M Lt(F a, F b) { return _mm_cmplt_ps(a, b); }
  static M Gt(F a, F b) { return _mm_cmpgt_ps(a, b); }
  static M Eq(F a, F b) { return _mm_cmpeq_ps(a, b); }
  static M NeqU(F a, F b) { return _mm_cmpneq_ps(a, b); }  // cmpneqps is true on unordered
  static M AndM(M a, M b) { return _mm_and_ps(a, b); }
  static bool Any(M m) { return _mm_movemask_ps(m) != 0; }
  static F Select(M m, F a, F b) { return _mm_or_ps(_mm_and_ps(m, a), _mm_andnot_ps(m, b)); }
  static I SelectI(M m, I a, I b) {
    const I mi = _mm_castps_si128(m);
    return _mm_or_si128(_mm_and_si128(mi, a), _mm_andnot_si128(mi, b));
  }
  static F Sqrt(F v) { return _mm_sqrt_ps(v); }
  static F Neg(F v) { return _mm_xor_ps(v, _mm_set1_ps(-0.0f)); }
  static I AsInt(F v) { return _mm_castps_si128(v); }
  static void StoreI(int32_t* p, I v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
};

constexpr GgmlTable kSse2Ggml = MakeGgmlTable<simd::GgmlOps<Sse2GgmlVec>>("sse2");

}  // namespace

const GgmlTable& Sse2Ggml() { return kSse2Ggml; }

}  // namespace ggml
}  // namespace quantkit
