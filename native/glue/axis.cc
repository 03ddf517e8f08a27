// Node-API glue for per-axis and blocked parameters: quantizeAxis, dequantizeAxis, minMaxAxis, findBadScale: unwrap -> check (native/args) -> call the kernels.
#include <napi.h>

#include <vector>

#include "glue/addon.h"
#include "glue/common.h"
#include "args/axis_args.h"
#include "kernels/axis/axis.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {


// findBadScale(scale): -1, or the index of the first value that is not a positive finite float32.
Napi::Value QuantkitAddon::FindBadScale(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 1, "findBadScale");
  const View scale = ScaleArray(info[0]);
  const size_t k = quantkit::FirstBadScale(static_cast<const float*>(scale.data), scale.length);
  return Napi::Number::New(env, k == scale.length ? -1.0 : static_cast<double>(k));
}


// quantizeAxis(x, out, scale, zeroPoint, outer, axisLength, inner, blockSize, qmin, qmax, rounding)
Napi::Value QuantkitAddon::QuantizeAxis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 11, "quantizeAxis");
  const View x = FloatInput(info[0], "x");
  const View out = QuantArray(info[1], "out");
  const View scale = ScaleArray(info[2]);
  const View zero = ZeroPointArray(info[3]);
  quantkit::AxisLayout layout{};
  int32_t qmin = 0, qmax = 0;
  Raise(env, quantkit::args::CheckQuantizeAxis(x.span(), out.span(), scale.span(), zero.span(), NumberArg(info[4]),
                                               NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7]),
                                               NumberArg(info[8]), NumberArg(info[9]), &layout, &qmin, &qmax));
  int rounding = 0;
  Raise(env, quantkit::args::CheckRounding(NumberArg(info[10]), &rounding));
  const size_t count = quantkit::AxisParamCount(layout);
  const float* scales = static_cast<const float*>(scale.data);
  const int32_t* zeros = static_cast<const int32_t*>(zero.data);
  // The lane bounds qmin − z and qmax − z as floats. Up to kReusedBounds parameters they live
  // in a per-thread pair reused by every call (a small per-axis call should not pay two
  // allocations; calls on one thread never overlap, and the split below only reads them);
  // more get a pair of their own, freed with the call.
  constexpr size_t kReusedBounds = 4096;
  thread_local std::vector<float> reused_lo(kReusedBounds), reused_hi(kReusedBounds);
  std::vector<float> own_lo, own_hi;
  float* lo = nullptr;
  float* hi = nullptr;
  if (quantkit::AxisNeedsLanes(layout)) {
    if (count <= kReusedBounds) {
      lo = reused_lo.data();
      hi = reused_hi.data();
    } else {
      own_lo.resize(count);
      own_hi.resize(count);
      lo = own_lo.data();
      hi = own_hi.data();
    }
    quantkit::LaneBounds(zeros, count, qmin, qmax, lo, hi);
  }
  const quantkit::AxisQuantizeCall call{kernels_->quantize[rounding][x.type][out.type],
                                        kernels_->quantize_runs[rounding][x.type][out.type],
                                        kernels_->quantize_lanes[rounding][x.type][out.type],
                                        x.data, ElementSize(x.kind), out.data, ElementSize(out.kind), scales, zeros,
                                        lo, hi, qmin, qmax, layout};
  quantkit::ForUnitParts(quantkit::AxisUnitCount(layout), quantkit::AxisUnitLength(layout), threads_,
                         [&](size_t begin, size_t end) { quantkit::QuantizeAxis(call, begin, end); });
  return env.Undefined();
}


// dequantizeAxis(q, out, scale, zeroPoint, outer, axisLength, inner, blockSize)
Napi::Value QuantkitAddon::DequantizeAxis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 8, "dequantizeAxis");
  const View q = QuantArray(info[0], "q");
  const View out = Float32Output(info[1], "out");
  const View scale = ScaleArray(info[2]);
  const View zero = ZeroPointArray(info[3]);
  quantkit::AxisLayout layout{};
  Raise(env, quantkit::args::CheckDequantizeAxis(q.span(), out.span(), scale.span(), zero.span(), NumberArg(info[4]),
                                                 NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7]), &layout));
  const quantkit::AxisDequantizeCall call{kernels_->dequantize[q.type], kernels_->dequantize_lanes[q.type], q.data,
                                          ElementSize(q.kind), static_cast<float*>(out.data),
                                          static_cast<const float*>(scale.data),
                                          static_cast<const int32_t*>(zero.data), layout};
  quantkit::ForUnitParts(quantkit::AxisUnitCount(layout), quantkit::AxisUnitLength(layout), threads_,
                         [&](size_t begin, size_t end) { quantkit::DequantizeAxis(call, begin, end); });
  return env.Undefined();
}


// minMaxAxis(x, out, outer, axisLength, inner, blockSize): out[2k], out[2k + 1] = min, max
// of parameter k's elements (NaN ignored; NaN, NaN when none).
Napi::Value QuantkitAddon::MinMaxAxis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 6, "minMaxAxis");
  const View x = FloatInput(info[0], "x");
  const View out = Float64Output(info[1], "out");
  quantkit::AxisLayout layout{};
  Raise(env, quantkit::args::CheckMinMaxAxis(x.span(), out.span(), NumberArg(info[2]), NumberArg(info[3]),
                                             NumberArg(info[4]), NumberArg(info[5]), &layout));
  quantkit::MinMaxAxis(kernels_->minmax[x.type], x.data, x.type == quantkit::kF64, layout,
                       static_cast<double*>(out.data));
  return env.Undefined();
}

}  // namespace quantkit::glue
