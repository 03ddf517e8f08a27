// Node-API glue for float16 / bfloat16 conversions: unwrap -> native/ops (check -> call the kernels).
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"

namespace quantkit::glue {


// toFloat16(x, out) / toBFloat16(x, out): x a Float32Array or Float64Array, out a Uint16Array.
Napi::Value QuantkitAddon::ToHalfCall(const Napi::CallbackInfo& info, const char* call, const quantkit::ToHalfFn* fns) {
  CheckArgCount(info, 2, call);
  const View x = FloatInput(info[0], "x");
  const View out = Uint16Bits(info[1], "out");
  Raise(info.Env(), quantkit::ops::ToHalf(ctx_, fns, x.array(), out.array()));
  return info.Env().Undefined();
}


// fromFloat16(h, out) / fromBFloat16(h, out): h a Uint16Array, out a Float32Array.
Napi::Value QuantkitAddon::FromHalfCall(const Napi::CallbackInfo& info, const char* call, quantkit::FromHalfFn fn) {
  CheckArgCount(info, 2, call);
  const View h = Uint16Bits(info[0], "h");
  const View out = Float32Output(info[1], "out");
  Raise(info.Env(), quantkit::ops::FromHalf(ctx_, fn, h.array(), out.array()));
  return info.Env().Undefined();
}


Napi::Value QuantkitAddon::ToFloat16(const Napi::CallbackInfo& info) { return ToHalfCall(info, "toFloat16", ctx_.convert->to_f16); }

Napi::Value QuantkitAddon::FromFloat16(const Napi::CallbackInfo& info) { return FromHalfCall(info, "fromFloat16", ctx_.convert->from_f16); }

Napi::Value QuantkitAddon::ToBFloat16(const Napi::CallbackInfo& info) { return ToHalfCall(info, "toBFloat16", ctx_.convert->to_bf16); }

Napi::Value QuantkitAddon::FromBFloat16(const Napi::CallbackInfo& info) {
  return FromHalfCall(info, "fromBFloat16", ctx_.convert->from_bf16);
}

}  // namespace quantkit::glue
