// Node-API glue for float16 / bfloat16 conversions: unwrap -> check (native/args) -> call the kernels.
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"
#include "args/args.h"
#include "kernels/convert/convert.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {


// toFloat16(x, out) / toBFloat16(x, out): x a Float32Array or Float64Array, out a Uint16Array.
Napi::Value QuantkitAddon::ToHalfCall(const Napi::CallbackInfo& info, const char* call, const quantkit::ToHalfFn* fns) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 2, call);
  const View x = FloatInput(info[0], "x");
  const View out = Uint16Bits(info[1], "out");
  quantkit::args::Result r = quantkit::args::CheckSameLength(x.span(), out.span());
  if (r.ok()) r = quantkit::args::CheckNoOverlap(x.span(), out.span());
  Raise(env, r);
  const quantkit::ToHalfFn fn = fns[x.type];
  const size_t in_size = ElementSize(x.kind);
  quantkit::ForParts(x.length, threads_, [&](int, size_t begin, size_t end) {
    fn(static_cast<const char*>(x.data) + begin * in_size, static_cast<uint16_t*>(out.data) + begin, end - begin);
  });
  return env.Undefined();
}


// fromFloat16(h, out) / fromBFloat16(h, out): h a Uint16Array, out a Float32Array.
Napi::Value QuantkitAddon::FromHalfCall(const Napi::CallbackInfo& info, const char* call, quantkit::FromHalfFn fn) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 2, call);
  const View h = Uint16Bits(info[0], "h");
  const View out = Float32Output(info[1], "out");
  quantkit::args::Result r = quantkit::args::CheckSameLength(h.span(), out.span());
  if (r.ok()) r = quantkit::args::CheckNoOverlap(h.span(), out.span());
  Raise(env, r);
  quantkit::ForParts(h.length, threads_, [&](int, size_t begin, size_t end) {
    fn(static_cast<const uint16_t*>(h.data) + begin, static_cast<float*>(out.data) + begin, end - begin);
  });
  return env.Undefined();
}


Napi::Value QuantkitAddon::ToFloat16(const Napi::CallbackInfo& info) { return ToHalfCall(info, "toFloat16", convert_->to_f16); }

Napi::Value QuantkitAddon::FromFloat16(const Napi::CallbackInfo& info) { return FromHalfCall(info, "fromFloat16", convert_->from_f16); }

Napi::Value QuantkitAddon::ToBFloat16(const Napi::CallbackInfo& info) { return ToHalfCall(info, "toBFloat16", convert_->to_bf16); }

Napi::Value QuantkitAddon::FromBFloat16(const Napi::CallbackInfo& info) {
  return FromHalfCall(info, "fromBFloat16", convert_->from_bf16);
}

}  // namespace quantkit::glue
