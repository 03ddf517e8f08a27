// Node-API glue of the calibrate capability: unwrap -> native/ops (check -> call; binding.d.ts
// errorStatsQuantize, errorStatsPair, histogramAdd). The facade validates first; the checks
// keep a direct call memory-safe: array kinds here, lengths, overlap and every number's range there.
#include "glue/calibrate.h"

#include "glue/common.h"

namespace quantkit {
namespace glue {
namespace {

// A TypedArray of one of the allowed float kinds, through glue/common.h's unwrapping (byteOffset
// included, a detached buffer refused).
View Unwrap(const Napi::Value& v, const char* name, bool allow_f32, bool allow_f64, const char* expected) {
  return UnwrapAs(v, name, [&](napi_typedarray_type k) {
    return (allow_f32 && k == napi_float32_array) || (allow_f64 && k == napi_float64_array) ? 0 : -1;
  }, expected);
}

// errorStatsQuantize(x, acc, codeType, scale, zeroPoint, qmin, qmax, rounding, channels, inner, indexBase)
Napi::Value ErrorStatsQuantize(const Napi::CallbackInfo& info) {
  const auto* ctx = static_cast<const ops::Context*>(info.Data());
  CheckArgCount(info, 11, "errorStatsQuantize");
  const View x = Unwrap(info[0], "x", true, true, "a Float32Array or Float64Array");
  const View acc = Unwrap(info[1], "acc", false, true, "a Float64Array");
  Raise(info.Env(), ops::ErrorStatsQuantize(*ctx, x.array(), acc.array(), NumberArg(info[2]), NumberArg(info[3]), NumberArg(info[4]),
                                            NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7]), NumberArg(info[8]),
                                            NumberArg(info[9]), NumberArg(info[10])));
  return info.Env().Undefined();
}

// errorStatsPair(x, xHat, acc, channels, inner, indexBase)
Napi::Value ErrorStatsPair(const Napi::CallbackInfo& info) {
  const auto* ctx = static_cast<const ops::Context*>(info.Data());
  CheckArgCount(info, 6, "errorStatsPair");
  const View x = Unwrap(info[0], "x", true, true, "a Float32Array or Float64Array");
  const View y = Unwrap(info[1], "xHat", true, false, "a Float32Array");
  const View acc = Unwrap(info[2], "acc", false, true, "a Float64Array");
  Raise(info.Env(), ops::ErrorStatsPair(*ctx, x.array(), y.array(), acc.array(), NumberArg(info[3]), NumberArg(info[4]),
                                        NumberArg(info[5])));
  return info.Env().Undefined();
}

// histogramAdd(x, counts, lo, invWidth, range)
Napi::Value HistogramAdd(const Napi::CallbackInfo& info) {
  const auto* ctx = static_cast<const ops::Context*>(info.Data());
  CheckArgCount(info, 5, "histogramAdd");
  const View x = Unwrap(info[0], "x", true, true, "a Float32Array or Float64Array");
  const View counts = Unwrap(info[1], "counts", false, true, "a Float64Array");
  const View range = Unwrap(info[4], "range", false, true, "a Float64Array");
  Raise(info.Env(), ops::HistogramAdd(*ctx, x.array(), counts.array(), NumberArg(info[2]), NumberArg(info[3]), range.array()));
  return info.Env().Undefined();
}

}  // namespace

void DefineCalibrate(Napi::Env env, Napi::Object exports, const ops::Context* ctx) {
  void* data = const_cast<ops::Context*>(ctx);
  exports.DefineProperties({
      Napi::PropertyDescriptor::Value("errorStatsQuantize", Napi::Function::New(env, ErrorStatsQuantize, "errorStatsQuantize", data), napi_enumerable),
      Napi::PropertyDescriptor::Value("errorStatsPair", Napi::Function::New(env, ErrorStatsPair, "errorStatsPair", data), napi_enumerable),
      Napi::PropertyDescriptor::Value("histogramAdd", Napi::Function::New(env, HistogramAdd, "histogramAdd", data), napi_enumerable),
  });
}

}  // namespace glue
}  // namespace quantkit
