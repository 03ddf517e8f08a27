// Node-API glue for float8 codes: quantizeFloat8, dequantizeFloat8: unwrap -> check (native/args) -> call the kernels.
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"
#include "args/float8_args.h"
#include "kernels/float8/float8.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {


// quantizeFloat8(x, out, format, saturate, scale): float8 codes (kernels/float8/float8.h), format
// 0 = e4m3fn, 1 = e5m2; out a Uint8Array of x's length.
Napi::Value QuantkitAddon::QuantizeFloat8(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 5, "quantizeFloat8");
  const View x = FloatInput(info[0], "x");
  const View out = Uint8Array(info[1], "out");
  const bool saturate = BooleanArg(info[3], "saturate");
  int format = 0;
  float scale = 0;
  Raise(env, quantkit::args::CheckQuantizeFloat8(x.span(), out.span(), NumberArg(info[2]), NumberArg(info[4]), &format,
                                                 &scale));
  const quantkit::QuantizeFloat8Fn quantize = float8_->quantize[x.type];
  const size_t in_size = ElementSize(x.kind);
  quantkit::ForParts(x.length, threads_, [&](int, size_t begin, size_t end) {
    quantize(static_cast<const char*>(x.data) + begin * in_size, static_cast<uint8_t*>(out.data) + begin, end - begin,
             format, saturate, scale);
  });
  return env.Undefined();
}


// dequantizeFloat8(q, out, format, scale): q a Uint8Array of float8 codes, out a Float32Array.
Napi::Value QuantkitAddon::DequantizeFloat8(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 4, "dequantizeFloat8");
  const View q = Uint8Array(info[0], "q");
  const View out = Float32Output(info[1], "out");
  int format = 0;
  float scale = 0;
  Raise(env, quantkit::args::CheckDequantizeFloat8(q.span(), out.span(), NumberArg(info[2]), NumberArg(info[3]), &format,
                                                   &scale));
  quantkit::ForParts(q.length, threads_, [&](int, size_t begin, size_t end) {
    quantkit::DequantizeFloat8(static_cast<const uint8_t*>(q.data) + begin, static_cast<float*>(out.data) + begin,
                               end - begin, format, scale);
  });
  return env.Undefined();
}

}  // namespace quantkit::glue
