// Calibration kernels with SSE2 (calibrate.h): the error-statistics block in 2-lane double
// sums; the histogram uses the scalar reference (its scattered increments, not the index
// arithmetic, are what it waits on). Built with -msse2 only.
#include <emmintrin.h>

#include <cmath>

#include "kernels/calibrate/calibrate.h"

namespace quantkit {
namespace calibrate {
namespace {

inline double Sum2(__m128d v) { return _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v))); }
inline double Max2(__m128d v) { return _mm_cvtsd_f64(_mm_max_sd(v, _mm_unpackhi_pd(v, v))); }

void PairBlockSse2(const float* x, const float* y, size_t n, BlockSums* out) {
  const __m128d dabs = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
  __m128d x2 = _mm_setzero_pd(), e2 = x2, xy = x2, y2 = x2, ab = x2, mx = _mm_set1_pd(-1);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m128 xv = _mm_loadu_ps(x + i), yv = _mm_loadu_ps(y + i);
    for (int h = 0; h < 2; ++h) {
      const __m128 xs = h == 0 ? xv : _mm_movehl_ps(xv, xv);
      const __m128 ys = h == 0 ? yv : _mm_movehl_ps(yv, yv);
      const __m128d xd = _mm_cvtps_pd(xs), yd = _mm_cvtps_pd(ys);
      const __m128d e = _mm_sub_pd(xd, yd);
      const __m128d a = _mm_and_pd(e, dabs);
      x2 = _mm_add_pd(x2, _mm_mul_pd(xd, xd));
      e2 = _mm_add_pd(e2, _mm_mul_pd(e, e));
      xy = _mm_add_pd(xy, _mm_mul_pd(xd, yd));
      y2 = _mm_add_pd(y2, _mm_mul_pd(yd, yd));
      ab = _mm_add_pd(ab, a);
      mx = _mm_max_pd(mx, a);
    }
  }
  double s[kSums] = {Sum2(x2), Sum2(e2), Sum2(xy), Sum2(y2), Sum2(ab)};
  double max_abs = Max2(mx);
  // A NaN or ±Inf makes the x² or x̂² sum non-finite (a finite float32 squared is finite in
  // double): then the block goes to the scalar walk.
  out->special = !(std::isfinite(s[0]) && std::isfinite(s[3]));
  if (out->special) return;
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

}  // namespace

const CalibrateKernels& Sse2Calibrate() {
  static const CalibrateKernels table = {"sse2", PairBlockSse2, {ScalarCalibrate().histogram[0], ScalarCalibrate().histogram[1]}};
  return table;
}

}  // namespace calibrate
}  // namespace quantkit
