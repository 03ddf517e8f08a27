// Node-API glue for ggml blocks: ggmlQuantize, ggmlDequantize: unwrap -> native/ops (check -> call the kernels).
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"

namespace quantkit::glue {


// ggmlQuantize(x, out, typeCode): -1, or the index of x's first non-finite element, in
// which case nothing is written.
Napi::Value QuantkitAddon::GgmlQuantize(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 3, "ggmlQuantize");
  const View x = FloatInput(info[0], "x");
  const View out = Uint8Array(info[1], "out");
  double result = -1;
  Raise(info.Env(), quantkit::ops::GgmlQuantize(ctx_, x.array(), out.array(), NumberArg(info[2]), &result));
  return Napi::Number::New(info.Env(), result);
}


// ggmlDequantize(bytes, out, typeCode)
Napi::Value QuantkitAddon::GgmlDequantize(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 3, "ggmlDequantize");
  const View bytes = Uint8Array(info[0], "bytes");
  const View out = Float32Output(info[1], "out");
  Raise(info.Env(), quantkit::ops::GgmlDequantize(ctx_, bytes.array(), out.array(), NumberArg(info[2])));
  return info.Env().Undefined();
}

}  // namespace quantkit::glue
