// AVX2 + F16C conversions, 8 lanes. Compiled with -mavx2 -mf16c; used only where
// CpuHasF16c() (dispatch.cc) and the AVX2 level's checks passed (convert_scalar.cc).
//
// vcvtps2ph with an immediate rounding of 0 is round-to-nearest-even whatever MXCSR says,
// never flushes float16 subnormals, and turns a NaN into sign | 0x7e00 | mantissa >> 13:
// exactly half.h's rule. vcvtph2ps is exact and quietens a NaN, which is half.h's rule too.
#include <immintrin.h>

#include "kernels/convert/convert_impl.h"

namespace quantkit {
namespace {

inline __m256 Load8(const float* p) { return _mm256_loadu_ps(p); }
inline __m256 Load8(const double* p) {
  return _mm256_set_m128(_mm256_cvtpd_ps(_mm256_loadu_pd(p + 4)), _mm256_cvtpd_ps(_mm256_loadu_pd(p)));
}

inline __m256i BFloat16Lanes(__m256 v) {
  const __m256i f = _mm256_castps_si256(v);
  const __m256i top = _mm256_srli_epi32(f, 16);
  const __m256i rounded = _mm256_srli_epi32(
      _mm256_add_epi32(f, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), _mm256_and_si256(top, _mm256_set1_epi32(1)))), 16);
  const __m256i nan =
      _mm256_cmpgt_epi32(_mm256_and_si256(f, _mm256_set1_epi32(0x7fffffff)), _mm256_set1_epi32(0x7f800000));
  const __m256i quiet = _mm256_or_si256(_mm256_and_si256(top, _mm256_set1_epi32(0x8000)), _mm256_set1_epi32(0x7fc0));
  return _mm256_blendv_epi8(rounded, quiet, nan);
}

struct F16cConvertOps {
  template <typename In>
  static void ToHalf(const In* x, uint16_t* h, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i), _mm256_cvtps_ph(Load8(x + i), _MM_FROUND_TO_NEAREST_INT));
    }
    convert::ToHalf(x + i, h + i, n - i);
  }

  static void FromHalf(const uint16_t* h, float* x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i))));
    }
    convert::FromHalf(h + i, x + i, n - i);
  }

  template <typename In>
  static void ToBFloat16(const In* x, uint16_t* h, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m256i r = BFloat16Lanes(Load8(x + i));
      // Each lane is in [0, 0xffff], so unsigned saturation keeps every bit.
      _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i),
                       _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1)));
    }
    convert::ToBFloat16(x + i, h + i, n - i);
  }

  static void FromBFloat16(const uint16_t* h, float* x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(x + i), _mm256_slli_epi32(_mm256_cvtepu16_epi32(b), 16));
    }
    convert::FromBFloat16(h + i, x + i, n - i);
  }
};

constexpr ConvertTable kF16cConvert = convert::MakeConvertTable<F16cConvertOps>("f16c");

}  // namespace

const ConvertTable& F16cConvert() { return kF16cConvert; }

}  // namespace quantkit
