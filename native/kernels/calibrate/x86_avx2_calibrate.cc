// Calibration kernels with AVX2 (calibrate.h): the error-statistics block in 4-lane double
// sums, and the histogram's bin indices 4 at a time. Built with -mavx2 only; no FMA
// (-ffp-contract=off keeps the compiler from making one).
#include <immintrin.h>

#include <cmath>

#include "kernels/calibrate/calibrate.h"

namespace quantkit {
namespace calibrate {
namespace {

inline double Sum4(__m256d v) {
  const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
inline double Max4(__m256d v) {
  const __m128d s = _mm_max_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_max_sd(s, _mm_unpackhi_pd(s, s)));
}

void PairBlockAvx2(const float* x, const float* y, size_t n, BlockSums* out) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 big = _mm256_set1_ps(3.4028234663852886e38f);
  const __m256d dabs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
  __m256d x2 = _mm256_setzero_pd(), e2 = x2, xy = x2, y2 = x2, ab = x2, mx = _mm256_set1_pd(-1);
  size_t i = 0;
  out->special = false;
  for (; i + 8 <= n; i += 8) {
    const __m256 xv = _mm256_loadu_ps(x + i), yv = _mm256_loadu_ps(y + i);
    // |v| <= FLT_MAX fails for NaN and ±Inf: such a group goes to the scalar walk.
    const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(_mm256_and_ps(xv, abs_mask), big, _CMP_LE_OQ),
                                    _mm256_cmp_ps(_mm256_and_ps(yv, abs_mask), big, _CMP_LE_OQ));
    if (_mm256_movemask_ps(ok) != 0xff) {
      out->special = true;
      return;
    }
    for (int h = 0; h < 2; ++h) {
      const __m128 xs = h == 0 ? _mm256_castps256_ps128(xv) : _mm256_extractf128_ps(xv, 1);
      const __m128 ys = h == 0 ? _mm256_castps256_ps128(yv) : _mm256_extractf128_ps(yv, 1);
      const __m256d xd = _mm256_cvtps_pd(xs), yd = _mm256_cvtps_pd(ys);
      const __m256d e = _mm256_sub_pd(xd, yd);
      const __m256d a = _mm256_and_pd(e, dabs);
      x2 = _mm256_add_pd(x2, _mm256_mul_pd(xd, xd));
      e2 = _mm256_add_pd(e2, _mm256_mul_pd(e, e));
      xy = _mm256_add_pd(xy, _mm256_mul_pd(xd, yd));
      y2 = _mm256_add_pd(y2, _mm256_mul_pd(yd, yd));
      ab = _mm256_add_pd(ab, a);
      mx = _mm256_max_pd(mx, a);
    }
  }
  double s[kSums] = {Sum4(x2), Sum4(e2), Sum4(xy), Sum4(y2), Sum4(ab)};
  double max_abs = Max4(mx);
  uint64_t count = i;
  for (; i < n; ++i) {
    if (!(std::fabs(x[i]) <= 3.4028234663852886e38f && std::fabs(y[i]) <= 3.4028234663852886e38f)) {
      out->special = true;
      return;
    }
    const double xd = x[i], yd = y[i], e = xd - yd, a = std::fabs(e);
    s[0] += xd * xd;
    s[1] += e * e;
    s[2] += xd * yd;
    s[3] += yd * yd;
    s[4] += a;
    if (a > max_abs) max_abs = a;
    ++count;
  }
  for (int k = 0; k < kSums; ++k) out->sum[k] = s[k];
  out->max_abs = max_abs;
  out->count = count;
}

// Bin indices of 4 float32 values, as the scalar reference computes them: (x − lo) · inv in
// double, clamped to [0, top] (NaN lanes flagged by the caller), truncated.
template <typename In>
void HistogramAvx2(const void* xv, size_t n, double lo, double inv_width, uint32_t* bins, uint32_t nbins) {
  const In* x = static_cast<const In*>(xv);
  const double top = static_cast<double>(nbins - 1);
  const __m256d vlo = _mm256_set1_pd(lo), vinv = _mm256_set1_pd(inv_width), vtop = _mm256_set1_pd(top),
                zero = _mm256_setzero_pd();
  alignas(16) int32_t idx[4];
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m128 f;
    if constexpr (sizeof(In) == 4) f = _mm_loadu_ps(reinterpret_cast<const float*>(x + i));
    else f = _mm256_cvtpd_ps(_mm256_loadu_pd(reinterpret_cast<const double*>(x + i)));
    const int nan = _mm_movemask_ps(_mm_cmpunord_ps(f, f));
    __m256d t = _mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(f), vlo), vinv);
    t = _mm256_min_pd(_mm256_max_pd(t, zero), vtop);  // a NaN lane becomes 0 here and is skipped below
    _mm_store_si128(reinterpret_cast<__m128i*>(idx), _mm256_cvttpd_epi32(t));
    if (nan == 0) {
      ++bins[4 * static_cast<uint32_t>(idx[0]) + 0];
      ++bins[4 * static_cast<uint32_t>(idx[1]) + 1];
      ++bins[4 * static_cast<uint32_t>(idx[2]) + 2];
      ++bins[4 * static_cast<uint32_t>(idx[3]) + 3];
    } else {
      for (int j = 0; j < 4; ++j) {
        if (!((nan >> j) & 1)) ++bins[4 * static_cast<uint32_t>(idx[j]) + static_cast<uint32_t>(j)];
      }
    }
  }
  for (; i < n; ++i) {
    const float v = static_cast<float>(x[i]);
    if (v != v) continue;
    double t = (static_cast<double>(v) - lo) * inv_width;
    t = t < 0 ? 0 : t > top ? top : t;
    ++bins[4 * static_cast<uint32_t>(t) + (i & 3)];
  }
}

constexpr CalibrateKernels kAvx2Calibrate = {"avx2", PairBlockAvx2, {HistogramAvx2<float>, HistogramAvx2<double>}};

}  // namespace

const CalibrateKernels& Avx2Calibrate() { return kAvx2Calibrate; }

}  // namespace calibrate
}  // namespace quantkit
