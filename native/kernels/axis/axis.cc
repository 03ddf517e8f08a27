#include "kernels/axis/axis.h"

#include <cmath>
#include <cstring>
#include <vector>


namespace quantkit {

namespace {

// Rows at least this long run one kernel call per row (per-axis) or per-lane over the
// row's own contiguous parameters (blocked); shorter ones are walked a whole outer row at
// a time. 16 elements fill at least two vectors on every ISA.
constexpr size_t kLongRow = 16;

// Elements per gathered chunk (parameters copied next to the data for the per-lane kernel).
constexpr size_t kChunk = 512;

size_t Blocks(const AxisLayout& l) { return l.block == 0 ? 0 : (l.axis_len + l.block - 1) / l.block; }

// Calls run(offset, n, k) for n elements from `offset` sharing parameter k, runs(offset, m,
// len, k0) for m runs of len elements using parameters k0, k0 + 1, ..., lanes(offset, n, k0)
// for n elements using parameters k0, k0 + 1, ..., and gathered(offset, n, idx) for n
// elements using parameters idx[0..n).
template <class Run, class Runs, class Lanes, class Gathered>
void WalkAxis(const AxisLayout& l, size_t begin, size_t end, Run run, Runs runs, Lanes lanes, Gathered gathered) {
  const size_t d = l.axis_len, inner = l.inner, bs = l.block, nb = Blocks(l);
  if (inner >= kLongRow) {
    for (size_t u = begin; u < end; ++u) {
      const size_t o = u / d, a = u % d;
      if (bs == 0) run(u * inner, inner, a);
      else lanes(u * inner, inner, (o * nb + a / bs) * inner);
    }
    return;
  }
  const size_t row = d * inner;
  size_t idx[kChunk];
  for (size_t o = begin; o < end; ++o) {
    const size_t base = o * row;
    if (bs == 0 && inner == 1) {
      lanes(base, d, 0);  // the last axis: every element has its own channel
    } else if (bs >= kLongRow && inner == 1) {
      const size_t full = d / bs;
      runs(base, full, bs, o * nb);
      if (full != nb) run(base + full * bs, d - full * bs, o * nb + full);
    } else {
      size_t a = 0, i = 0;
      for (size_t c = 0; c < row; c += kChunk) {
        const size_t m = row - c < kChunk ? row - c : kChunk;
        for (size_t j = 0; j < m; ++j) {
          idx[j] = bs == 0 ? a : (o * nb + a / bs) * inner + i;
          if (++i == inner) {
            i = 0;
            ++a;
          }
        }
        gathered(base + c, m, idx);
      }
    }
  }
}

}  // namespace

size_t AxisParamCount(const AxisLayout& l) {
  return l.block == 0 ? l.axis_len : l.outer * Blocks(l) * l.inner;
}

size_t AxisUnitCount(const AxisLayout& l) { return l.inner >= kLongRow ? l.outer * l.axis_len : l.outer; }

size_t AxisUnitLength(const AxisLayout& l) { return l.inner >= kLongRow ? l.inner : l.axis_len * l.inner; }

// A chunk of 64 is tested with no early exit and one unsigned comparison a value (the
// compiler vectorizes it); only a chunk that holds a bad value is walked again to find it.
constexpr size_t kScanChunk = 64;

// A float32 is positive and finite exactly when its bits, as an unsigned integer, lie in
// [0x00000001, 0x7f7fffff] (+0 is 0, +Inf 0x7f800000, NaNs and negatives above).
inline bool BadScaleBits(uint32_t u) { return u - 1u > 0x7f7ffffeu; }

size_t FirstBadScale(const float* scale, size_t n) {
  size_t i = 0;
  for (; i + kScanChunk <= n; i += kScanChunk) {
    int bad = 0;
    for (size_t j = 0; j < kScanChunk; ++j) {
      uint32_t u;
      std::memcpy(&u, scale + i + j, sizeof u);  // a plain load: no copy of the chunk
      bad |= static_cast<int>(BadScaleBits(u));
    }
    if (bad != 0) break;
  }
  for (; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, scale + i, sizeof u);
    if (BadScaleBits(u)) return i;
  }
  return n;
}

size_t FirstZeroPointOutside(const int32_t* zero_point, size_t n, int32_t lo, int32_t hi) {
  // v in [lo, hi] exactly when v − lo, wrapped to unsigned, is at most hi − lo.
  const uint32_t span = static_cast<uint32_t>(hi) - static_cast<uint32_t>(lo);
  const auto outside = [&](int32_t v) { return static_cast<uint32_t>(v) - static_cast<uint32_t>(lo) > span; };
  size_t i = 0;
  for (; i + kScanChunk <= n; i += kScanChunk) {
    int bad = 0;
    for (size_t j = 0; j < kScanChunk; ++j) bad |= static_cast<int>(outside(zero_point[i + j]));
    if (bad != 0) break;
  }
  for (; i < n; ++i) {
    if (outside(zero_point[i])) return i;
  }
  return n;
}

void LaneBounds(const int32_t* zero_point, size_t n, int32_t qmin, int32_t qmax, float* lo, float* hi) {
  for (size_t k = 0; k < n; ++k) {
    lo[k] = static_cast<float>(qmin - zero_point[k]);
    hi[k] = static_cast<float>(qmax - zero_point[k]);
  }
}

bool AxisNeedsLanes(const AxisLayout& l) {
  if (l.block == 0) return l.inner < kLongRow;
  return !(l.inner == 1 && l.block >= kLongRow);
}

void QuantizeAxis(const AxisQuantizeCall& c, size_t begin, size_t end) {
  const char* x = static_cast<const char*>(c.x);
  char* q = static_cast<char*>(c.q);
  WalkAxis(
      c.layout, begin, end,
      [&](size_t off, size_t n, size_t k) {
        const QuantizeParams p{c.scale[k], c.zero_point[k], c.qmin, c.qmax};
        c.run(x + off * c.in_size, q + off * c.out_size, n, p);
      },
      [&](size_t off, size_t m, size_t len, size_t k) {
        c.runs(x + off * c.in_size, q + off * c.out_size, m, len, c.scale + k, c.zero_point + k, c.qmin, c.qmax);
      },
      [&](size_t off, size_t n, size_t k) {
        const LaneParams p{c.scale + k, c.zero_point + k, c.lo + k, c.hi + k};
        c.lanes(x + off * c.in_size, q + off * c.out_size, n, p);
      },
      [&](size_t off, size_t n, const size_t* idx) {
        float s[kChunk], lo[kChunk], hi[kChunk];
        int32_t z[kChunk];
        for (size_t j = 0; j < n; ++j) {
          s[j] = c.scale[idx[j]];
          z[j] = c.zero_point[idx[j]];
          lo[j] = c.lo[idx[j]];
          hi[j] = c.hi[idx[j]];
        }
        c.lanes(x + off * c.in_size, q + off * c.out_size, n, LaneParams{s, z, lo, hi});
      });
}

void DequantizeAxis(const AxisDequantizeCall& c, size_t begin, size_t end) {
  const char* q = static_cast<const char*>(c.q);
  WalkAxis(
      c.layout, begin, end,
      [&](size_t off, size_t n, size_t k) { c.run(q + off * c.q_size, c.x + off, n, c.scale[k], c.zero_point[k]); },
      [&](size_t off, size_t m, size_t len, size_t k) {
        for (size_t r = 0; r < m; ++r) {
          c.run(q + (off + r * len) * c.q_size, c.x + off + r * len, len, c.scale[k + r], c.zero_point[k + r]);
        }
      },
      [&](size_t off, size_t n, size_t k) { c.lanes(q + off * c.q_size, c.x + off, n, c.scale + k, c.zero_point + k); },
      [&](size_t off, size_t n, const size_t* idx) {
        float s[kChunk];
        int32_t z[kChunk];
        for (size_t j = 0; j < n; ++j) {
          s[j] = c.scale[idx[j]];
          z[j] = c.zero_point[idx[j]];
        }
        c.lanes(q + off * c.q_size, c.x + off, n, s, z);
      });
}

void MinMaxAxis(MinMaxFn minmax, const void* x, bool is_f64, const AxisLayout& l, double* out) {
  const size_t count = AxisParamCount(l);
  std::vector<float> lo(count, INFINITY), hi(count, -INFINITY);
  const size_t d = l.axis_len, inner = l.inner, bs = l.block, nb = Blocks(l);
  const float* xf = static_cast<const float*>(x);
  const double* xd = static_cast<const double*>(x);
  const size_t in_size = is_f64 ? 8 : 4;
  if (bs == 0 && inner >= kLongRow) {
    for (size_t u = 0; u < l.outer * d; ++u) {
      const MinMaxResult r = minmax(static_cast<const char*>(x) + u * inner * in_size, inner);
      const size_t a = u % d;
      if (r.min == r.min) {  // NaN, NaN: no number in this row
        if (r.min < lo[a]) lo[a] = r.min;
        if (r.max > hi[a]) hi[a] = r.max;
      }
    }
  } else {
    size_t e = 0;
    for (size_t o = 0; o < l.outer; ++o) {
      for (size_t a = 0; a < d; ++a) {
        const size_t k0 = bs == 0 ? a : (o * nb + a / bs) * inner;
        for (size_t i = 0; i < inner; ++i, ++e) {
          const size_t k = bs == 0 ? k0 : k0 + i;
          const float v = is_f64 ? static_cast<float>(xd[e]) : xf[e];
          if (v < lo[k]) lo[k] = v;  // NaN compares false and is skipped
          if (v > hi[k]) hi[k] = v;
        }
      }
    }
  }
  for (size_t k = 0; k < count; ++k) {
    if (lo[k] > hi[k]) {
      out[2 * k] = out[2 * k + 1] = NAN;
    } else {
      out[2 * k] = lo[k] == 0.0f ? 0.0 : lo[k];
      out[2 * k + 1] = hi[k] == 0.0f ? 0.0 : hi[k];
    }
  }
}

}  // namespace quantkit
