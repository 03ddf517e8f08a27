// Node-API glue for float8 codes: quantizeFloat8, dequantizeFloat8: unwrap -> native/ops (check -> call the kernels).
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"

namespace quantkit::glue {


// quantizeFloat8(x, out, format, saturate, scale): format 0 = e4m3fn, 1 = e5m2; out a Uint8Array of x's length.
Napi::Value QuantkitAddon::QuantizeFloat8(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 5, "quantizeFloat8");
  const View x = FloatInput(info[0], "x");
  const View out = Uint8Array(info[1], "out");
  const bool saturate = BooleanArg(info[3], "saturate");
  Raise(info.Env(), quantkit::ops::QuantizeFloat8(ctx_, x.array(), out.array(), NumberArg(info[2]), saturate, NumberArg(info[4])));
  return info.Env().Undefined();
}


// dequantizeFloat8(q, out, format, scale): q a Uint8Array of float8 codes, out a Float32Array.
Napi::Value QuantkitAddon::DequantizeFloat8(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 4, "dequantizeFloat8");
  const View q = Uint8Array(info[0], "q");
  const View out = Float32Output(info[1], "out");
  Raise(info.Env(), quantkit::ops::DequantizeFloat8(ctx_, q.array(), out.array(), NumberArg(info[2]), NumberArg(info[3])));
  return info.Env().Undefined();
}

}  // namespace quantkit::glue
