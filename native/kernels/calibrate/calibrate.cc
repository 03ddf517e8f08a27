// Calibration kernels (calibrate.h): the scalar reference, the drivers that fold blocks into
// compensated sums, and the choice of SIMD row per kernel level. Portable C++, baseline flags.
#include "kernels/calibrate/calibrate.h"

#include <cmath>
#include <cstring>

namespace quantkit {
namespace calibrate {

namespace {

inline bool Finite(float v) { return std::fabs(v) <= 3.4028234663852886e38f; }  // false for NaN and ±Inf

void PairBlockScalar(const float* x, const float* y, size_t n, BlockSums* out) {
  double s[kSums] = {0, 0, 0, 0, 0};
  double max_abs = -1;
  uint64_t count = 0;
  bool special = false;
  for (size_t i = 0; i < n; ++i) {
    if (!(Finite(x[i]) && Finite(y[i]))) {
      special = true;
      continue;
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
  out->special = special;
}

// The same block, with what only a walk in order gives: the first index of the largest |e|,
// the NaN and ±Inf counts and the first ±Inf.
struct BlockDetail {
  BlockSums sums;
  int64_t max_index;
  uint64_t nan_count, bad_count;
  int64_t first_bad;
};

void PairBlockDetail(const float* x, const float* y, size_t n, BlockDetail* d) {
  double s[kSums] = {0, 0, 0, 0, 0};
  double max_abs = -1;
  int64_t max_index = -1, first_bad = -1;
  uint64_t count = 0, nans = 0, bad = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) {
      ++nans;
      continue;
    }
    if (!(Finite(x[i]) && Finite(y[i]))) {
      if (bad++ == 0) first_bad = static_cast<int64_t>(i);
      continue;
    }
    const double xd = x[i], yd = y[i], e = xd - yd, a = std::fabs(e);
    s[0] += xd * xd;
    s[1] += e * e;
    s[2] += xd * yd;
    s[3] += yd * yd;
    s[4] += a;
    if (a > max_abs) {
      max_abs = a;
      max_index = static_cast<int64_t>(i);
    }
    ++count;
  }
  for (int k = 0; k < kSums; ++k) d->sums.sum[k] = s[k];
  d->sums.max_abs = max_abs;
  d->sums.count = count;
  d->sums.special = false;
  d->max_index = max_index;
  d->nan_count = nans;
  d->bad_count = bad;
  d->first_bad = first_bad;
}

// Neumaier's compensated addition of v to (acc[k], acc[k + 1]).
inline void AddCompensated(double* acc, int k, double v) {
  const double s = acc[k], t = s + v;
  acc[k + 1] += std::fabs(s) >= std::fabs(v) ? (s - t) + v : (v - t) + s;
  acc[k] = t;
}

void AddBlock(double* g, const BlockDetail& d, size_t base) {
  for (int k = 0; k < kSums; ++k) AddCompensated(g, 2 * k, d.sums.sum[k]);
  if (d.max_index >= 0 && d.sums.max_abs > g[kMaxAbs]) {
    g[kMaxAbs] = d.sums.max_abs;
    g[kMaxIndex] = static_cast<double>(base + static_cast<size_t>(d.max_index));
  }
  g[kCount] += static_cast<double>(d.sums.count);
  g[kNanCount] += static_cast<double>(d.nan_count);
  if (d.bad_count > 0) {
    if (g[kFirstBad] < 0) g[kFirstBad] = static_cast<double>(base + static_cast<size_t>(d.first_bad));
    g[kBadCount] += static_cast<double>(d.bad_count);
  }
}

// One block (n ≤ kBlock, base its first element's index) into group g. The SIMD sums are
// used as they are unless the block has a special value or a new largest |e|, whose index
// only the walk in order gives.
void AccumulateBlock(const CalibrateKernels& k, const float* x, const float* y, size_t n, size_t base, double* g) {
  BlockDetail d;
  k.pair_block(x, y, n, &d.sums);
  if (d.sums.special || d.sums.max_abs > g[kMaxAbs]) {
    PairBlockDetail(x, y, n, &d);
  } else {
    d.max_index = -1;
    d.nan_count = d.bad_count = 0;
    d.first_bad = -1;
  }
  AddBlock(g, d, base);
}

template <typename In>
void HistogramScalar(const void* xv, size_t n, float lo, float inv_width, uint32_t* bins, uint32_t nbins, float* range) {
  const In* x = static_cast<const In*>(xv);
  const float top = static_cast<float>(nbins - 1);
  float mn = INFINITY, mx = -INFINITY;
  for (size_t i = 0; i < n; ++i) {
    const float v = static_cast<float>(x[i]);
    if (v != v) continue;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    float t = (v - lo) * inv_width;  // float32, each operation rounded (-ffp-contract=off)
    t = t < 0 ? 0 : t > top ? top : t;
    ++bins[4 * static_cast<uint32_t>(t) + (i & 3)];
  }
  range[0] = mn;
  range[1] = mx;
}

constexpr CalibrateKernels kScalarCalibrate = {"scalar", PairBlockScalar, {HistogramScalar<float>, HistogramScalar<double>}};

// Elements per chunk of the round trip: codes, x̂ and a float32 copy of x stay in L1.
constexpr size_t kChunk = 2048;

}  // namespace

const CalibrateKernels& ScalarCalibrate() { return kScalarCalibrate; }

const CalibrateKernels& CalibrateKernelsFor(IsaLevel level) {
  switch (level) {
#if defined(QUANTKIT_X86)
    case kIsaSse2: return Sse2Calibrate();
    case kIsaAvx2:
    case kIsaAvx512: return Avx2Calibrate();
#endif
    default: return ScalarCalibrate();
  }
}

void InitAcc(double* acc, size_t groups) {
  for (size_t g = 0; g < groups; ++g) {
    double* a = acc + g * kAccSlots;
    std::memset(a, 0, sizeof(double) * kAccSlots);
    a[kMaxAbs] = -1;
    a[kMaxIndex] = -1;
    a[kFirstBad] = -1;
  }
}

void MergeAcc(double* into, const double* from) {
  for (int k = 0; k < kSums; ++k) {
    AddCompensated(into, 2 * k, from[2 * k]);
    into[2 * k + 1] += from[2 * k + 1];
  }
  if (from[kMaxAbs] > into[kMaxAbs] || (from[kMaxAbs] == into[kMaxAbs] && from[kMaxIndex] >= 0 &&
                                        (into[kMaxIndex] < 0 || from[kMaxIndex] < into[kMaxIndex]))) {
    into[kMaxAbs] = from[kMaxAbs];
    into[kMaxIndex] = from[kMaxIndex];
  }
  into[kCount] += from[kCount];
  into[kNanCount] += from[kNanCount];
  into[kBadCount] += from[kBadCount];
  if (from[kFirstBad] >= 0 && (into[kFirstBad] < 0 || from[kFirstBad] < into[kFirstBad])) into[kFirstBad] = from[kFirstBad];
}

namespace {

// Rows shorter than this go to their channels pair by pair (each sum compensated on its
// own), longer ones block by block.
constexpr size_t kShortRun = 64;

void AddPair(double* g, float xf, float yf, size_t index) {
  if (std::isnan(xf) || std::isnan(yf)) {
    g[kNanCount] += 1;
    return;
  }
  if (!(Finite(xf) && Finite(yf))) {
    if (g[kFirstBad] < 0) g[kFirstBad] = static_cast<double>(index);
    g[kBadCount] += 1;
    return;
  }
  const double xd = xf, yd = yf, e = xd - yd, a = std::fabs(e);
  AddCompensated(g, kSumX2, xd * xd);
  AddCompensated(g, kSumE2, e * e);
  AddCompensated(g, kSumXY, xd * yd);
  AddCompensated(g, kSumY2, yd * yd);
  AddCompensated(g, kSumAbs, a);
  if (a > g[kMaxAbs]) {
    g[kMaxAbs] = a;
    g[kMaxIndex] = static_cast<double>(index);
  }
  g[kCount] += 1;
}

}  // namespace

void AccumulatePairs(const CalibrateKernels& k, const float* x, const float* y, size_t n, size_t base, size_t channels,
                     size_t inner, double* acc) {
  for (size_t b = 0; b < n; b += kBlock) AccumulateBlock(k, x + b, y + b, n - b < kBlock ? n - b : kBlock, base + b, acc);
  if (channels == 0) return;
  // Each channel's own group: element i is in channel ((base + i) / inner) mod channels, so
  // runs of `inner` elements share one.
  size_t i = 0;
  while (i < n) {
    const size_t g = base + i;
    const size_t c = (g / inner) % channels;
    const size_t run_left = inner - g % inner;
    const size_t len = n - i < run_left ? n - i : run_left;
    double* group = acc + (1 + c) * kAccSlots;
    if (inner < kShortRun) {
      for (size_t j = 0; j < len; ++j) AddPair(group, x[i + j], y[i + j], g + j);
    } else {
      for (size_t b = 0; b < len; b += kBlock) {
        AccumulateBlock(k, x + i + b, y + i + b, len - b < kBlock ? len - b : kBlock, g + b, group);
      }
    }
    i += len;
  }
}

namespace {

// x[0, n) as float32 (a double is rounded to float32 first), into buf when it is double.
const float* AsFloat(const void* x, bool is_f64, size_t offset, size_t n, float* buf) {
  if (!is_f64) return static_cast<const float*>(x) + offset;
  const double* d = static_cast<const double*>(x) + offset;
  for (size_t i = 0; i < n; ++i) buf[i] = static_cast<float>(d[i]);
  return buf;
}

}  // namespace

void ErrorStatsQuantize(const CalibrateKernels& k, QuantizeFn quantize, DequantizeFn dequantize, const void* x,
                        bool is_f64, size_t n, size_t base, const QuantizeParams& p, size_t channels, size_t inner,
                        double* acc) {
  alignas(64) int16_t codes[kChunk];  // the widest code type is 16 bits
  alignas(64) float xhat[kChunk];
  alignas(64) float xf[kChunk];
  const size_t in_size = is_f64 ? sizeof(double) : sizeof(float);
  for (size_t c = 0; c < n; c += kChunk) {
    const size_t m = n - c < kChunk ? n - c : kChunk;
    quantize(static_cast<const char*>(x) + c * in_size, codes, m, p);
    dequantize(codes, xhat, m, p.scale, p.zero_point);
    AccumulatePairs(k, AsFloat(x, is_f64, c, m, xf), xhat, m, base + c, channels, inner, acc);
  }
}

void ErrorStatsPairs(const CalibrateKernels& k, const void* x, bool is_f64, const float* y, size_t n, size_t base,
                     size_t channels, size_t inner, double* acc) {
  alignas(64) float xf[kChunk];
  for (size_t c = 0; c < n; c += kChunk) {
    const size_t m = n - c < kChunk ? n - c : kChunk;
    AccumulatePairs(k, AsFloat(x, is_f64, c, m, xf), y + c, m, base + c, channels, inner, acc);
  }
}

}  // namespace calibrate
}  // namespace quantkit
