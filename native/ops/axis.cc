// Per-axis and blocked parameters (quantizeAxis, dequantizeAxis, minMaxAxis, findBadScale):
// check (native/args) -> call the kernels (kernels/axis/axis.h).
#include <vector>

#include "ops/ops.h"
#include "args/axis_args.h"
#include "kernels/axis/axis.h"
#include "kernels/isa/split.h"

namespace quantkit::ops {

// -1, or the index of the first value that is not a positive finite float32.
double FindBadScale(const Array& scale) {
  const size_t k = FirstBadScale(static_cast<const float*>(scale.data), scale.length);
  return k == scale.length ? -1.0 : static_cast<double>(k);
}

Result QuantizeAxis(const Context& c, const Array& x, const Array& out, const Array& scale, const Array& zero_point,
                    const Number& outer, const Number& axis_length, const Number& inner, const Number& block_size,
                    const Number& qmin, const Number& qmax, const Number& rounding) {
  AxisLayout layout{};
  int32_t lo_code = 0, hi_code = 0;
  int mode = 0;
  Result r = args::CheckQuantizeAxis(x.span(), out.span(), scale.span(), zero_point.span(), outer, axis_length, inner,
                                     block_size, qmin, qmax, &layout, &lo_code, &hi_code);
  if (r.ok()) r = args::CheckRounding(rounding, &mode);
  if (!r.ok()) return r;
  const size_t count = AxisParamCount(layout);
  const float* scales = static_cast<const float*>(scale.data);
  const int32_t* zeros = static_cast<const int32_t*>(zero_point.data);
  // The lane bounds qmin − z and qmax − z as floats. Up to kReusedBounds parameters they live
  // in a per-thread pair reused by every call (a small per-axis call should not pay two
  // allocations; calls on one thread never overlap, and the split below only reads them);
  // more get a pair of their own, freed with the call.
  constexpr size_t kReusedBounds = 4096;
  thread_local std::vector<float> reused_lo(kReusedBounds), reused_hi(kReusedBounds);
  std::vector<float> own_lo, own_hi;
  float* lo = nullptr;
  float* hi = nullptr;
  if (AxisNeedsLanes(layout)) {
    if (count <= kReusedBounds) {
      lo = reused_lo.data();
      hi = reused_hi.data();
    } else {
      own_lo.resize(count);
      own_hi.resize(count);
      lo = own_lo.data();
      hi = own_hi.data();
    }
    LaneBounds(zeros, count, lo_code, hi_code, lo, hi);
  }
  const int f = x.type(), q = out.type();
  const AxisQuantizeCall call{c.kernels->quantize[mode][f][q], c.kernels->quantize_runs[mode][f][q],
                              c.kernels->quantize_lanes[mode][f][q], x.data, x.elem(), out.data, out.elem(), scales,
                              zeros, lo, hi, lo_code, hi_code, layout};
  ForUnitParts(AxisUnitCount(layout), AxisUnitLength(layout), c.threads,
               [&](size_t begin, size_t end) { quantkit::QuantizeAxis(call, begin, end); });
  return r;
}

Result DequantizeAxis(const Context& c, const Array& q, const Array& out, const Array& scale, const Array& zero_point,
                      const Number& outer, const Number& axis_length, const Number& inner, const Number& block_size) {
  AxisLayout layout{};
  Result r = args::CheckDequantizeAxis(q.span(), out.span(), scale.span(), zero_point.span(), outer, axis_length, inner,
                                       block_size, &layout);
  if (!r.ok()) return r;
  const AxisDequantizeCall call{c.kernels->dequantize[q.type()], c.kernels->dequantize_lanes[q.type()], q.data, q.elem(),
                                static_cast<float*>(out.data), static_cast<const float*>(scale.data),
                                static_cast<const int32_t*>(zero_point.data), layout};
  ForUnitParts(AxisUnitCount(layout), AxisUnitLength(layout), c.threads,
               [&](size_t begin, size_t end) { quantkit::DequantizeAxis(call, begin, end); });
  return r;
}

// out[2k], out[2k + 1] = min, max of parameter k's elements (NaN ignored; NaN, NaN when none).
Result MinMaxAxis(const Context& c, const Array& x, const Array& out, const Number& outer, const Number& axis_length,
                  const Number& inner, const Number& block_size) {
  AxisLayout layout{};
  Result r = args::CheckMinMaxAxis(x.span(), out.span(), outer, axis_length, inner, block_size, &layout);
  if (!r.ok()) return r;
  quantkit::MinMaxAxis(c.kernels->minmax[x.type()], x.data, x.type() == kF64, layout, static_cast<double*>(out.data));
  return r;
}

}  // namespace quantkit::ops
