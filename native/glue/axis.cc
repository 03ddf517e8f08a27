// Node-API glue for per-axis and blocked parameters: quantizeAxis, dequantizeAxis, minMaxAxis, findBadScale: unwrap -> native/ops (check -> call the kernels).
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"

namespace quantkit::glue {


// findBadScale(scale): -1, or the index of the first value that is not a positive finite float32.
Napi::Value QuantkitAddon::FindBadScale(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 1, "findBadScale");
  const View scale = ScaleArray(info[0]);
  return Napi::Number::New(info.Env(), quantkit::ops::FindBadScale(scale.array()));
}


// quantizeAxis(x, out, scale, zeroPoint, outer, axisLength, inner, blockSize, qmin, qmax, rounding)
Napi::Value QuantkitAddon::QuantizeAxis(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 11, "quantizeAxis");
  const View x = FloatInput(info[0], "x");
  const View out = QuantArray(info[1], "out");
  const View scale = ScaleArray(info[2]);
  const View zero = ZeroPointArray(info[3]);
  Raise(info.Env(), quantkit::ops::QuantizeAxis(ctx_, x.array(), out.array(), scale.array(), zero.array(), NumberArg(info[4]),
                                                NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7]), NumberArg(info[8]),
                                                NumberArg(info[9]), NumberArg(info[10])));
  return info.Env().Undefined();
}


// dequantizeAxis(q, out, scale, zeroPoint, outer, axisLength, inner, blockSize)
Napi::Value QuantkitAddon::DequantizeAxis(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 8, "dequantizeAxis");
  const View q = QuantArray(info[0], "q");
  const View out = Float32Output(info[1], "out");
  const View scale = ScaleArray(info[2]);
  const View zero = ZeroPointArray(info[3]);
  Raise(info.Env(), quantkit::ops::DequantizeAxis(ctx_, q.array(), out.array(), scale.array(), zero.array(), NumberArg(info[4]),
                                                  NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7])));
  return info.Env().Undefined();
}


// minMaxAxis(x, out, outer, axisLength, inner, blockSize)
Napi::Value QuantkitAddon::MinMaxAxis(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 6, "minMaxAxis");
  const View x = FloatInput(info[0], "x");
  const View out = Float64Output(info[1], "out");
  Raise(info.Env(), quantkit::ops::MinMaxAxis(ctx_, x.array(), out.array(), NumberArg(info[2]), NumberArg(info[3]),
                                              NumberArg(info[4]), NumberArg(info[5])));
  return info.Env().Undefined();
}

}  // namespace quantkit::glue
