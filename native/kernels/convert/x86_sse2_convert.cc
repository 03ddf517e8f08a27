// SSE2 conversions: bfloat16 both ways in integer SIMD, 4 lanes. SSE2 has no float16
// instruction; float16 runs the scalar reference here (F16C is the fast path, x86_f16c.cc).
#include <emmintrin.h>

#include "kernels/convert/convert_impl.h"

namespace quantkit {
namespace {

inline __m128 Load4(const float* p) { return _mm_loadu_ps(p); }
inline __m128 Load4(const double* p) {
  return _mm_movelh_ps(_mm_cvtpd_ps(_mm_loadu_pd(p)), _mm_cvtpd_ps(_mm_loadu_pd(p + 2)));
}

// half::FloatBitsToBFloat16 in four lanes, each result in the low 16 bits of its lane.
inline __m128i BFloat16Lanes(__m128 v) {
  const __m128i f = _mm_castps_si128(v);
  const __m128i top = _mm_srli_epi32(f, 16);
  const __m128i rounded =
      _mm_srli_epi32(_mm_add_epi32(f, _mm_add_epi32(_mm_set1_epi32(0x7fff), _mm_and_si128(top, _mm_set1_epi32(1)))), 16);
  // |f| > Inf as a signed compare is right: |f| is never negative.
  const __m128i nan = _mm_cmpgt_epi32(_mm_and_si128(f, _mm_set1_epi32(0x7fffffff)), _mm_set1_epi32(0x7f800000));
  const __m128i quiet = _mm_or_si128(_mm_and_si128(top, _mm_set1_epi32(0x8000)), _mm_set1_epi32(0x7fc0));
  return _mm_or_si128(_mm_andnot_si128(nan, rounded), _mm_and_si128(nan, quiet));
}

// SSE2 packs only with signed saturation: sign-extend each 16-bit result first so that
// packs_epi32 keeps its bits.
inline __m128i Pack(__m128i a, __m128i b) {
  return _mm_packs_epi32(_mm_srai_epi32(_mm_slli_epi32(a, 16), 16), _mm_srai_epi32(_mm_slli_epi32(b, 16), 16));
}

struct Sse2ConvertOps {
  template <typename In>
  static void ToHalf(const In* x, uint16_t* h, size_t n) { convert::ToHalf(x, h, n); }
  static void FromHalf(const uint16_t* h, float* x, size_t n) { convert::FromHalf(h, x, n); }

  template <typename In>
  static void ToBFloat16(const In* x, uint16_t* h, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i), Pack(BFloat16Lanes(Load4(x + i)), BFloat16Lanes(Load4(x + i + 4))));
    }
    convert::ToBFloat16(x + i, h + i, n - i);
  }

  static void FromBFloat16(const uint16_t* h, float* x, size_t n) {
    size_t i = 0;
    const __m128i zero = _mm_setzero_si128();
    for (; i + 8 <= n; i += 8) {
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(x + i), _mm_unpacklo_epi16(zero, b));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(x + i + 4), _mm_unpackhi_epi16(zero, b));
    }
    convert::FromBFloat16(h + i, x + i, n - i);
  }
};

constexpr ConvertTable kSse2Convert = convert::MakeConvertTable<Sse2ConvertOps>("sse2");

}  // namespace

const ConvertTable& Sse2Convert() { return kSse2Convert; }

}  // namespace quantkit
