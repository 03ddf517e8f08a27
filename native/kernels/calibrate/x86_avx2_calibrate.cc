// Calibration kernels with AVX2 (calibrate.h): the error-statistics block in 4-lane double
// sums (explicit FMAs: the sums promise a few ulps, not one order), and the histogram's bin
// indices 8 at a time. Built with -mavx2 -mfma, used only where dispatch.cc found both.
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

// Two sets of accumulators (for the low and the high four of each 8 pairs) keep the FMA
// chains short, and the halves are converted straight from memory so that the 16 registers
// hold every accumulator without spilling; the largest |e| needs only one (vmaxpd has a
// one-cycle latency). No test per group: a NaN or ±Inf makes the x² or x̂² sum non-finite (a
// finite float32 squared is finite in double), which sends the block to the scalar walk.
void PairBlockAvx2(const float* x, const float* y, size_t n, BlockSums* out) {
  const __m256d dabs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
  __m256d x2a = _mm256_setzero_pd(), e2a = x2a, xya = x2a, y2a = x2a, aba = x2a;
  __m256d x2b = x2a, e2b = x2a, xyb = x2a, y2b = x2a, abb = x2a;
  __m256d mx = _mm256_set1_pd(-1);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    {
      const __m256d xd = _mm256_cvtps_pd(_mm_loadu_ps(x + i)), yd = _mm256_cvtps_pd(_mm_loadu_ps(y + i));
      const __m256d e = _mm256_sub_pd(xd, yd), a = _mm256_and_pd(e, dabs);
      x2a = _mm256_fmadd_pd(xd, xd, x2a);
      e2a = _mm256_fmadd_pd(e, e, e2a);
      xya = _mm256_fmadd_pd(xd, yd, xya);
      y2a = _mm256_fmadd_pd(yd, yd, y2a);
      aba = _mm256_add_pd(aba, a);
      mx = _mm256_max_pd(mx, a);
    }
    {
      const __m256d xd = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)), yd = _mm256_cvtps_pd(_mm_loadu_ps(y + i + 4));
      const __m256d e = _mm256_sub_pd(xd, yd), a = _mm256_and_pd(e, dabs);
      x2b = _mm256_fmadd_pd(xd, xd, x2b);
      e2b = _mm256_fmadd_pd(e, e, e2b);
      xyb = _mm256_fmadd_pd(xd, yd, xyb);
      y2b = _mm256_fmadd_pd(yd, yd, y2b);
      abb = _mm256_add_pd(abb, a);
      mx = _mm256_max_pd(mx, a);
    }
  }
  double s[kSums] = {Sum4(_mm256_add_pd(x2a, x2b)), Sum4(_mm256_add_pd(e2a, e2b)), Sum4(_mm256_add_pd(xya, xyb)),
                     Sum4(_mm256_add_pd(y2a, y2b)), Sum4(_mm256_add_pd(aba, abb))};
  double max_abs = Max4(mx);
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

// Bin indices of 8 float32 values at a time, as the scalar reference computes them:
// t = fl(fl(x − lo) · inv) in float32, clamped to [0, top], truncated; NaN lanes are skipped.
// The indices leave the vector register through 64-bit extracts (a vector store followed by
// scalar loads of its lanes stalls on store forwarding). min and max ride along.
template <typename In>
void HistogramAvx2(const void* xv, size_t n, float lo, float inv_width, uint32_t* bins, uint32_t nbins, float* range) {
  const In* x = static_cast<const In*>(xv);
  const float top = static_cast<float>(nbins - 1);
  const __m256 vlo = _mm256_set1_ps(lo), vinv = _mm256_set1_ps(inv_width), vtop = _mm256_set1_ps(top), zero = _mm256_setzero_ps();
  // Lane j of 8 goes to copy j mod 4 (calibrate.h).
  const __m256i copy = _mm256_setr_epi32(0, 1, 2, 3, 0, 1, 2, 3);
  __m256 vmin = _mm256_set1_ps(INFINITY), vmax = _mm256_set1_ps(-INFINITY);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 f;
    if constexpr (sizeof(In) == 4) {
      f = _mm256_loadu_ps(reinterpret_cast<const float*>(x + i));
    } else {
      const double* d = reinterpret_cast<const double*>(x + i);
      f = _mm256_set_m128(_mm256_cvtpd_ps(_mm256_loadu_pd(d + 4)), _mm256_cvtpd_ps(_mm256_loadu_pd(d)));
    }
    vmin = _mm256_min_ps(f, vmin);  // the second operand where f is NaN
    vmax = _mm256_max_ps(f, vmax);
    const int nan = _mm256_movemask_ps(_mm256_cmp_ps(f, f, _CMP_UNORD_Q));
    __m256 t = _mm256_mul_ps(_mm256_sub_ps(f, vlo), vinv);
    t = _mm256_min_ps(_mm256_max_ps(t, zero), vtop);  // a NaN lane becomes 0 here and is skipped below
    const __m256i iv = _mm256_add_epi32(_mm256_slli_epi32(_mm256_cvttps_epi32(t), 2), copy);
    const __m128i l4 = _mm256_castsi256_si128(iv), h4 = _mm256_extracti128_si256(iv, 1);
    const uint64_t p0 = static_cast<uint64_t>(_mm_cvtsi128_si64(l4)), p1 = static_cast<uint64_t>(_mm_extract_epi64(l4, 1));
    const uint64_t p2 = static_cast<uint64_t>(_mm_cvtsi128_si64(h4)), p3 = static_cast<uint64_t>(_mm_extract_epi64(h4, 1));
    const uint32_t k[8] = {static_cast<uint32_t>(p0), static_cast<uint32_t>(p0 >> 32), static_cast<uint32_t>(p1), static_cast<uint32_t>(p1 >> 32),
                           static_cast<uint32_t>(p2), static_cast<uint32_t>(p2 >> 32), static_cast<uint32_t>(p3), static_cast<uint32_t>(p3 >> 32)};
    if (nan == 0) {
      for (int j = 0; j < 8; ++j) ++bins[k[j]];
    } else {
      for (int j = 0; j < 8; ++j) {
        if (!((nan >> j) & 1)) ++bins[k[j]];
      }
    }
  }
  __m128 m = _mm_min_ps(_mm256_castps256_ps128(vmin), _mm256_extractf128_ps(vmin, 1));
  m = _mm_min_ps(m, _mm_movehl_ps(m, m));
  m = _mm_min_ss(m, _mm_shuffle_ps(m, m, 1));
  __m128 M = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
  M = _mm_max_ps(M, _mm_movehl_ps(M, M));
  M = _mm_max_ss(M, _mm_shuffle_ps(M, M, 1));
  float mn = _mm_cvtss_f32(m), mx = _mm_cvtss_f32(M);
  for (; i < n; ++i) {
    const float v = static_cast<float>(x[i]);
    if (v != v) continue;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    float t = (v - lo) * inv_width;
    t = t < 0 ? 0 : t > top ? top : t;
    ++bins[4 * static_cast<uint32_t>(t) + (i & 3)];
  }
  range[0] = mn;
  range[1] = mx;
}

constexpr CalibrateKernels kAvx2Calibrate = {"avx2", PairBlockAvx2, {HistogramAvx2<float>, HistogramAvx2<double>}};

}  // namespace

const CalibrateKernels& Avx2Calibrate() { return kAvx2Calibrate; }

}  // namespace calibrate
}  // namespace quantkit
