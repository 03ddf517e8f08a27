// Calibration kernels (README "Calibrate and compare"): error statistics of a round trip
// (x against x̂) and histograms. Plain C++ over raw pointers: the scalar reference and the
// drivers in calibrate.cc (baseline flags), SIMD blocks in x86_*_calibrate.cc.
//
// Error statistics accumulate into groups of kAccSlots doubles (binding.d.ts errorStats*):
// five compensated sums (sum, then its Neumaier compensation) of x², e², x·x̂, x̂² and |e|
// with e = x − x̂ in double, then max |e|, its index, the count of pairs used, of pairs with
// a NaN (excluded), of pairs with ±Inf (excluded: the facade refuses them) and the first such
// index. A call adds into the groups it is given, so chunks, threads and later calls merge.
// Sums run in blocks of kBlock pairs (plain double sums in SIMD lanes), each block then added
// with Neumaier's compensation: the result is within a few ulps of the exact sum, whatever the
// order, which is all the backends promise each other (counts, max and index are exact).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/isa/kernels.h"

namespace quantkit {
namespace calibrate {

enum AccSlot : int {
  kSumX2 = 0,    // + 1: compensation
  kSumE2 = 2,
  kSumXY = 4,
  kSumY2 = 6,
  kSumAbs = 8,
  kMaxAbs = 10,  // −1 while no pair was used
  kMaxIndex = 11,
  kCount = 12,
  kNanCount = 13,
  kBadCount = 14,
  kFirstBad = 15,  // −1 while there is none
  kAccSlots = 16,
};
constexpr int kSums = 5;

// Pairs per block: short enough that plain double sums lose nothing that matters.
constexpr size_t kBlock = 1024;

// What one block adds: plain sums (x², e², x·x̂, x̂², |e|) over the pairs where neither value
// is NaN or ±Inf, and their largest |e| (−1 when none). `special` set: the block holds a NaN
// or ±Inf and the sums are incomplete; the driver walks it again with the scalar reference.
struct BlockSums {
  double sum[kSums];
  double max_abs;
  uint64_t count;
  bool special;
};

// n ≤ kBlock pairs.
using PairBlockFn = void (*)(const float* x, const float* y, size_t n, BlockSums* out);

// Adds each non-NaN x (read as float32) to bins[4 · k + (i mod 4)], k = the bin of
// t = fl(fl(x − lo) · inv_width) in float32, clamped to [0, nbins − 1] and truncated (four copies of
// the histogram, so that equal neighbours do not wait on one counter; ±Inf lands in an end
// bin), and writes the smallest and largest non-NaN x to range[0], range[1] (+Inf, −Inf when
// there is none), so that one pass both bins a batch and says whether it fitted.
using HistogramFn = void (*)(const void* x, size_t n, float lo, float inv_width, uint32_t* bins, uint32_t nbins, float* range);

struct CalibrateKernels {
  const char* isa;
  PairBlockFn pair_block;
  HistogramFn histogram[kFloatTypeCount];
};

// The row for a kernel level the addon has picked: SSE2 for sse2, AVX2 for avx2 and avx512,
// the scalar row otherwise. Never null.
const CalibrateKernels& CalibrateKernelsFor(IsaLevel level);
const CalibrateKernels& ScalarCalibrate();
#if defined(QUANTKIT_X86)
const CalibrateKernels& Sse2Calibrate();
const CalibrateKernels& Avx2Calibrate();
#endif

// Every group empty: zeros, max −1, indices −1.
void InitAcc(double* acc, size_t groups);
// Adds group `from` into group `into` (max: the larger, the smaller index on ties).
void MergeAcc(double* into, const double* from);

// Accumulates the pairs (x[i], y[i]), i < n, into acc: group 0 always, and when channels > 0
// also group 1 + c for the channel c = ((base + i) / inner) mod channels of element base + i
// (indices reported are base + i).
void AccumulatePairs(const CalibrateKernels& k, const float* x, const float* y, size_t n, size_t base, size_t channels,
                     size_t inner, double* acc);

// Round trip of a per-tensor integer quantization, chunk by chunk in buffers that stay in L1
// (nothing of x's size is allocated): q = quantize(x), x̂ = dequantize(q), then
// AccumulatePairs. `quantize` and `dequantize` are the kernel table's for the code type.
void ErrorStatsQuantize(const CalibrateKernels& k, QuantizeFn quantize, DequantizeFn dequantize, const void* x,
                        bool is_f64, size_t n, size_t base, const QuantizeParams& p, size_t channels, size_t inner,
                        double* acc);

// x (float or double, read as float32) against y, chunk by chunk.
void ErrorStatsPairs(const CalibrateKernels& k, const void* x, bool is_f64, const float* y, size_t n, size_t base,
                     size_t channels, size_t inner, double* acc);

}  // namespace calibrate
}  // namespace quantkit
