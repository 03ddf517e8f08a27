// The calibrate capability (errorStatsQuantize, errorStatsPair, histogramAdd): check ->
// call (kernels/calibrate/calibrate.h). The facade validates first; these checks keep a
// direct call memory-safe: lengths, overlap, and every number's range.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/ops.h"
#include "kernels/isa/split.h"

namespace quantkit::ops {
namespace {

using calibrate::kAccSlots;

// A non-negative integer below 2^53 (counts, indices).
Result CheckIndex(const Number& n, const char* name, double lo, size_t* out) {
  if (!n.is_number) return args::NotANumber(n, name);
  const double d = n.value;
  if (!(d == std::floor(d) && d >= lo && d <= 9007199254740991.0)) {
    return args::RangeError(std::string("Expected an integer in [") + args::DescribeNumber(lo) + ", 2^53) for " + name +
                            " but received " + args::DescribeNumber(d));
  }
  *out = static_cast<size_t>(d);
  return {};
}

bool Overlap(const Array& a, const Array& b) { return args::Overlaps(a.data, a.length * a.elem(), b.data, b.length * b.elem()); }

// acc holds 16 · (1 + channels) doubles and shares no byte with the inputs.
Result CheckAcc(const Array& acc, size_t channels, const Array& x, const Array* y) {
  const double want = static_cast<double>(kAccSlots) * (1.0 + static_cast<double>(channels));
  if (static_cast<double>(acc.length) != want) {
    return args::RangeError("Expected acc.length to equal 16 · (1 + channels) = " + args::DescribeNumber(want) +
                            " but received " + std::to_string(acc.length));
  }
  if (Overlap(acc, x) || (y != nullptr && Overlap(acc, *y))) return args::RangeError("Expected acc not to overlap x or xHat but it does");
  return {};
}

// channels, inner and indexBase, in that order of checks.
Result CheckGrouping(const Number& channels, const Number& inner, const Number& index_base, size_t* c, size_t* i, size_t* b) {
  Result r = CheckIndex(channels, "channels", 0, c);
  if (r.ok()) r = CheckIndex(inner, "inner", 1, i);
  if (r.ok()) r = CheckIndex(index_base, "indexBase", 0, b);
  return r;
}

// Runs part(begin, end, acc_k) over x's elements on the context's threads, each part into
// accumulators of its own, then merges them in order into acc.
template <typename Part>
void InParts(const Context& c, size_t n, size_t groups, double* acc, Part part) {
  const int parts = c.threads;
  std::vector<double> locals(static_cast<size_t>(parts) * groups * kAccSlots);
  for (int k = 0; k < parts; ++k) calibrate::InitAcc(locals.data() + static_cast<size_t>(k) * groups * kAccSlots, groups);
  ForParts(n, c.threads, [&](int k, size_t begin, size_t end) {
    part(begin, end, locals.data() + static_cast<size_t>(k) * groups * kAccSlots);
  });
  for (int k = 0; k < parts; ++k) {
    for (size_t g = 0; g < groups; ++g) {
      calibrate::MergeAcc(acc + g * kAccSlots, locals.data() + (static_cast<size_t>(k) * groups + g) * kAccSlots);
    }
  }
}

}  // namespace

Result ErrorStatsQuantize(const Context& c, const Array& x, const Array& acc, const Number& code_type, const Number& scale,
                          const Number& zero_point, const Number& qmin, const Number& qmax, const Number& rounding,
                          const Number& channels, const Number& inner, const Number& index_base) {
  int32_t type = 0;
  QuantizeParams p{};
  double lo = 0, hi = 0;
  int mode = 0;
  size_t ch = 0, in = 0, base = 0;
  Result r = args::CheckInteger(code_type, "codeType", 0, kQuantTypeCount - 1, &type);
  if (r.ok()) r = args::CheckScale(scale, &p.scale);
  if (r.ok()) {
    args::ContainerRange(type, &lo, &hi);
    r = args::CheckQuantRange(qmin, qmax, zero_point, lo, hi, &p);
  }
  if (r.ok()) r = args::CheckRounding(rounding, &mode);
  if (r.ok()) r = CheckGrouping(channels, inner, index_base, &ch, &in, &base);
  if (r.ok()) r = CheckAcc(acc, ch, x, nullptr);
  if (!r.ok()) return r;
  const bool is_f64 = x.kind == kFloat64;
  const QuantizeFn quantize = c.kernels->quantize[mode][is_f64 ? kF64 : kF32][type];
  const DequantizeFn dequantize = c.kernels->dequantize[type];
  const size_t in_size = x.elem();
  InParts(c, x.length, 1 + ch, static_cast<double*>(acc.data), [&](size_t begin, size_t end, double* local) {
    calibrate::ErrorStatsQuantize(*c.calibrate, quantize, dequantize, x.bytes() + begin * in_size, is_f64, end - begin,
                                  base + begin, p, ch, in, local);
  });
  return r;
}

Result ErrorStatsPair(const Context& c, const Array& x, const Array& x_hat, const Array& acc, const Number& channels,
                      const Number& inner, const Number& index_base) {
  if (x.length != x_hat.length) {
    return args::RangeError("Expected xHat.length to equal x.length " + std::to_string(x.length) + " but received " +
                            std::to_string(x_hat.length));
  }
  size_t ch = 0, in = 0, base = 0;
  Result r = CheckGrouping(channels, inner, index_base, &ch, &in, &base);
  if (r.ok()) r = CheckAcc(acc, ch, x, &x_hat);
  if (!r.ok()) return r;
  const bool is_f64 = x.kind == kFloat64;
  const size_t in_size = x.elem();
  InParts(c, x.length, 1 + ch, static_cast<double*>(acc.data), [&](size_t begin, size_t end, double* local) {
    calibrate::ErrorStatsPairs(*c.calibrate, x.bytes() + begin * in_size, is_f64,
                               static_cast<const float*>(x_hat.data) + begin, end - begin, base + begin, ch, in, local);
  });
  return r;
}

// counts[k] += the non-NaN x whose bin is k; range[0], range[1] = min, max of the non-NaN x
// (NaN, NaN when none; −0 as 0).
Result HistogramAdd(const Context& c, const Array& x, const Array& counts, const Number& lo, const Number& inv_width,
                    const Array& range) {
  if (range.length != 2) return args::RangeError("Expected range.length to be 2 but received " + std::to_string(range.length));
  if (Overlap(range, x) || Overlap(range, counts)) return args::RangeError("Expected range not to overlap x or counts but it does");
  if (!lo.is_number) return args::NotANumber(lo, "lo");
  if (!inv_width.is_number) return args::NotANumber(inv_width, "invWidth");
  // Both are used as float32 (calibrate.h): finite there too.
  const float lo32 = static_cast<float>(lo.value), inv32 = static_cast<float>(inv_width.value);
  if (!(std::isfinite(lo.value) && std::isfinite(lo32))) {
    return args::RangeError("Expected a finite float32 for lo but received " + args::DescribeNumber(lo.value));
  }
  if (!(std::isfinite(inv_width.value) && std::isfinite(inv32) && inv32 > 0)) {
    return args::RangeError("Expected a positive finite float32 for invWidth but received " + args::DescribeNumber(inv_width.value));
  }
  if (counts.length == 0 || counts.length > (size_t{1} << 22)) {
    return args::RangeError("Expected counts.length in [1, 2^22] but received " + std::to_string(counts.length));
  }
  if (Overlap(counts, x)) return args::RangeError("Expected counts not to overlap x but it does");
  const uint32_t nbins = static_cast<uint32_t>(counts.length);
  const bool is_f64 = x.kind == kFloat64;
  const size_t in_size = x.elem();
  const calibrate::HistogramFn fn = c.calibrate->histogram[is_f64 ? kF64 : kF32];
  // Per part: four uint32 copies (calibrate.h), folded into doubles after every 2^31 elements,
  // before any copy could wrap, and at the end.
  const size_t parts = static_cast<size_t>(c.threads);
  std::vector<uint32_t> bins(parts * 4 * nbins, 0);
  std::vector<double> sums(parts * nbins, 0.0);
  std::vector<float> ranges(parts * 2);
  for (size_t k = 0; k < parts; ++k) {
    ranges[2 * k] = INFINITY;
    ranges[2 * k + 1] = -INFINITY;
  }
  ForParts(x.length, c.threads, [&](int k, size_t begin, size_t end) {
    uint32_t* b = bins.data() + static_cast<size_t>(k) * 4 * nbins;
    double* d = sums.data() + static_cast<size_t>(k) * nbins;
    float* rg = ranges.data() + 2 * static_cast<size_t>(k);
    for (size_t s = begin; s < end; s += size_t{1} << 31) {
      const size_t e = std::min(end, s + (size_t{1} << 31));
      float sub[2];
      fn(x.bytes() + s * in_size, e - s, lo32, inv32, b, nbins, sub);
      rg[0] = std::min(rg[0], sub[0]);
      rg[1] = std::max(rg[1], sub[1]);
      for (uint32_t j = 0; j < nbins; ++j) {
        d[j] += static_cast<double>(b[4 * j]) + b[4 * j + 1] + b[4 * j + 2] + b[4 * j + 3];
        b[4 * j] = b[4 * j + 1] = b[4 * j + 2] = b[4 * j + 3] = 0;
      }
    }
  });
  double* cs = static_cast<double*>(counts.data);
  float mn = INFINITY, mx = -INFINITY;
  for (size_t k = 0; k < parts; ++k) {
    for (uint32_t j = 0; j < nbins; ++j) cs[j] += sums[k * nbins + j];
    mn = std::min(mn, ranges[2 * k]);
    mx = std::max(mx, ranges[2 * k + 1]);
  }
  double* out = static_cast<double*>(range.data);
  if (mn > mx) {
    out[0] = out[1] = NAN;
  } else {
    out[0] = static_cast<double>(mn) + 0.0;  // −0 reported as 0, as minMax does
    out[1] = static_cast<double>(mx) + 0.0;
  }
  return {};
}

}  // namespace quantkit::ops
