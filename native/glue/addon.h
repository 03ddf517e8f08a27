// The addon's one object: the kernel tables picked at load and the thread count, with one
// method per binding call (binding.d.ts). Each capability's methods are defined in its own
// native/glue/<capability>.cc; native/addon.cc builds the object and registers the calls.
#pragma once

#include <napi.h>

#include "glue/calibrate.h"
#include "glue/common.h"
#include "kernels/convert/convert.h"
#include "kernels/float8/float8.h"
#include "kernels/ggml/ggml.h"
#include "kernels/isa/kernels.h"

namespace quantkit::glue {

class QuantkitAddon : public Napi::Addon<QuantkitAddon> {
 public:
  QuantkitAddon(Napi::Env env, Napi::Object exports);

 private:
  // glue/quantize.cc: quantize and callFloor are plain Node-API callbacks (see there), defined
  // on exports by DefineQuantize.
  void DefineQuantize(Napi::Env env, Napi::Object exports);
  static napi_value QuantizeCall(napi_env env, napi_callback_info cb);
  static napi_value CallFloor(napi_env env, napi_callback_info cb);
  static napi_value CapThreads(napi_env env, napi_callback_info cb);
  Napi::Value Dequantize(const Napi::CallbackInfo& info);
  Napi::Value MinMax(const Napi::CallbackInfo& info);
  // glue/packed.cc
  Napi::Value QuantizePacked(const Napi::CallbackInfo& info);
  Napi::Value DequantizePacked(const Napi::CallbackInfo& info);
  Napi::Value Pack(const Napi::CallbackInfo& info);
  Napi::Value Unpack(const Napi::CallbackInfo& info);
  // glue/recode.cc
  Napi::Value Recode(const Napi::CallbackInfo& info);
  // glue/float8.cc
  Napi::Value QuantizeFloat8(const Napi::CallbackInfo& info);
  Napi::Value DequantizeFloat8(const Napi::CallbackInfo& info);
  // glue/axis.cc
  Napi::Value FindBadScale(const Napi::CallbackInfo& info);
  Napi::Value QuantizeAxis(const Napi::CallbackInfo& info);
  Napi::Value DequantizeAxis(const Napi::CallbackInfo& info);
  Napi::Value MinMaxAxis(const Napi::CallbackInfo& info);
  // glue/ggml.cc
  Napi::Value GgmlQuantize(const Napi::CallbackInfo& info);
  Napi::Value GgmlDequantize(const Napi::CallbackInfo& info);
  // glue/convert.cc
  Napi::Value ToHalfCall(const Napi::CallbackInfo& info, const char* call, const quantkit::ToHalfFn* fns);
  Napi::Value FromHalfCall(const Napi::CallbackInfo& info, const char* call, quantkit::FromHalfFn fn);
  Napi::Value ToFloat16(const Napi::CallbackInfo& info);
  Napi::Value FromFloat16(const Napi::CallbackInfo& info);
  Napi::Value ToBFloat16(const Napi::CallbackInfo& info);
  Napi::Value FromBFloat16(const Napi::CallbackInfo& info);

  // The kernel rows of the level picked at load and the thread count (native/ops).
  quantkit::ops::Context ctx_{};
};

}  // namespace quantkit::glue
