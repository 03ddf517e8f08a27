// AVX2 preprocessing kernels. Built with -mavx2 only (the AVX2 level of dispatch.cc);
// -ffp-contract=off, so (x - min) / step stays two float32 roundings, as in the reference.
#include <immintrin.h>

#include "kernels/preprocess/scalar_impl.h"

namespace quantkit {
namespace preprocess {
namespace {

// Images use the scalar table loops: on the AMD EPYC this was measured on, an 8-lane
// vpgatherdd per output channel (about 11 cycles each) was slower than the scalar loads and
// stores of scalar::ImagePlanes (README "Preprocessing", speed).

inline __m256 Load8(const float* x) { return _mm256_loadu_ps(x); }
inline __m256 Load8(const double* x) {
  const __m128 lo = _mm256_cvtpd_ps(_mm256_loadu_pd(x));
  const __m128 hi = _mm256_cvtpd_ps(_mm256_loadu_pd(x + 4));
  return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
}

// t in [0, 255] as int32 lanes; NaN -> 0 (max_ps returns its second operand for NaN).
template <bool kFloor, typename In>
inline __m256i Codes8(const In* x, const float* min, const float* step) {
  __m256 t = _mm256_div_ps(_mm256_sub_ps(Load8(x), _mm256_loadu_ps(min)), _mm256_loadu_ps(step));
  t = _mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), _mm256_set1_ps(255.0f));
  t = _mm256_round_ps(t, kFloor ? (_MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC) : (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  return _mm256_cvtps_epi32(t);
}

template <bool kFloor, typename In>
void EmbedQuantizeT(const In* x, uint8_t* out, size_t rows, size_t dim, const float* min, const float* step,
                    bool is_signed) {
  const __m256i flip = _mm256_set1_epi8(is_signed ? static_cast<char>(0x80) : 0);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const size_t body = dim & ~size_t{31};
  for (size_t r = 0; r < rows; ++r) {
    const In* row = x + r * dim;
    uint8_t* o = out + r * dim;
    for (size_t d = 0; d < body; d += 32) {
      const __m256i a = Codes8<kFloor>(row + d, min + d, step + d);
      const __m256i b = Codes8<kFloor>(row + d + 8, min + d + 8, step + d + 8);
      const __m256i c = Codes8<kFloor>(row + d + 16, min + d + 16, step + d + 16);
      const __m256i e = Codes8<kFloor>(row + d + 24, min + d + 24, step + d + 24);
      // Lane-wise packs leave dwords a0-3 b0-3 c0-3 e0-3 | a4-7 b4-7 c4-7 e4-7; one permute orders them.
      __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, e));
      bytes = _mm256_xor_si256(_mm256_permutevar8x32_epi32(bytes, order), flip);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + d), bytes);
    }
    if (body < dim) {
      for (size_t d = body; d < dim; ++d) o[d] = scalar::EmbedCode(scalar::AsFloat(row[d]), min[d], step[d], kFloor, is_signed);
    }
  }
}

template <typename In>
void EmbedQuantize(const void* x, uint8_t* out, size_t rows, size_t dim, const float* min, const float* step, bool floor,
                   bool is_signed) {
  if (floor) EmbedQuantizeT<true>(static_cast<const In*>(x), out, rows, dim, min, step, is_signed);
  else EmbedQuantizeT<false>(static_cast<const In*>(x), out, rows, dim, min, step, is_signed);
}

// movemask puts dim d + i in bit i; packbits wants it in bit 7 - i.
struct ReversedBytes {
  uint8_t v[256];
  constexpr ReversedBytes() : v() {
    for (int b = 0; b < 256; ++b) {
      int r = 0;
      for (int k = 0; k < 8; ++k) r |= ((b >> k) & 1) << (7 - k);
      v[b] = static_cast<uint8_t>(r);
    }
  }
};
constexpr ReversedBytes kReversed;

template <typename In>
void EmbedBinary(const void* xv, uint8_t* out, size_t rows, size_t dim, bool is_signed) {
  const In* x = static_cast<const In*>(xv);
  const size_t row_bytes = (dim + 7) / 8, body = dim & ~size_t{7};
  const uint8_t flip = is_signed ? 0x80 : 0;
  const __m256 zero = _mm256_setzero_ps();
  for (size_t r = 0; r < rows; ++r) {
    const In* row = x + r * dim;
    uint8_t* o = out + r * row_bytes;
    for (size_t d = 0; d < body; d += 8) {
      const int mask = _mm256_movemask_ps(_mm256_cmp_ps(Load8(row + d), zero, _CMP_GT_OQ));
      o[d / 8] = static_cast<uint8_t>(kReversed.v[mask] ^ flip);
    }
    if (body < dim) scalar::BinaryRowTail(row, o, dim, is_signed, body);
  }
}

constexpr PreprocessTable kAvx2 = {
    "avx2",
    {scalar::Image<uint32_t>, scalar::Image<uint16_t>, scalar::Image<uint8_t>},
    {EmbedQuantize<float>, EmbedQuantize<double>},
    {EmbedBinary<float>, EmbedBinary<double>},
};

}  // namespace

const PreprocessTable& Avx2Preprocess() { return kAvx2; }

}  // namespace preprocess
}  // namespace quantkit
