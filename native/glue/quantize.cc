// Node-API glue for per-tensor quantize, dequantize and minMax: unwrap -> check (native/args) -> call the kernels.
#include <napi.h>

#include <cmath>

#include "glue/addon.h"
#include "glue/common.h"
#include "args/args.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {

// quantize(x, out, scale, zeroPoint, qmin, qmax, rounding)
Napi::Value QuantkitAddon::Quantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 7, "quantize");
  const View x = FloatInput(info[0], "x");
  const View out = QuantArray(info[1], "out");
  quantkit::QuantizeParams p{};
  int rounding = 0;
  Raise(env, quantkit::args::CheckQuantize(x.span(), out.span(), NumberArg(info[2]), NumberArg(info[3]),
                                           NumberArg(info[4]), NumberArg(info[5]), &p));
  Raise(env, quantkit::args::CheckRounding(NumberArg(info[6]), &rounding));
  const quantkit::QuantizeFn quantize = kernels_->quantize[rounding][x.type][out.type];
  const size_t in_size = ElementSize(x.kind), out_size = ElementSize(out.kind);
  quantkit::ForParts(x.length, threads_, [&](int, size_t begin, size_t end) {
    quantize(static_cast<const char*>(x.data) + begin * in_size, static_cast<char*>(out.data) + begin * out_size,
             end - begin, p);
  });
  return env.Undefined();
}


// dequantize(q, out, scale, zeroPoint)
Napi::Value QuantkitAddon::Dequantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 4, "dequantize");
  const View q = QuantArray(info[0], "q");
  const View out = Float32Output(info[1], "out");
  float scale = 0;
  int32_t zero_point = 0;
  Raise(env, quantkit::args::CheckDequantize(q.span(), out.span(), NumberArg(info[2]), NumberArg(info[3]), &scale,
                                             &zero_point));
  const quantkit::DequantizeFn dequantize = kernels_->dequantize[q.type];
  const size_t q_size = ElementSize(q.kind);
  quantkit::ForParts(q.length, threads_, [&](int, size_t begin, size_t end) {
    dequantize(static_cast<const char*>(q.data) + begin * q_size, static_cast<float*>(out.data) + begin, end - begin,
               scale, zero_point);
  });
  return env.Undefined();
}


// minMax(x, out): out[0] = min, out[1] = max of the non-NaN values; NaN, NaN when x has
// none. Written into a Float64Array the caller keeps, because building a JS array costs
// more than the whole reduction on short inputs.
Napi::Value QuantkitAddon::MinMax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 2, "minMax");
  const View x = FloatInput(info[0], "x");
  const View out = Float64Output(info[1], "out");
  Raise(env, quantkit::args::CheckMinMax(x.span(), out.span()));
  const quantkit::MinMaxFn minmax = kernels_->minmax[x.type];
  const size_t in_size = ElementSize(x.kind);
  quantkit::MinMaxResult parts[quantkit::kMaxThreads];
  for (auto& part : parts) part = {NAN, NAN};
  quantkit::ForParts(x.length, threads_, [&](int k, size_t begin, size_t end) {
    parts[k] = minmax(static_cast<const char*>(x.data) + begin * in_size, end - begin);
  });
  quantkit::MinMaxResult r = parts[0];
  for (int k = 1; k < quantkit::kMaxThreads; ++k) r = quantkit::MergeMinMax(r, parts[k]);
  double* result = static_cast<double*>(out.data);
  result[0] = r.min;
  result[1] = r.max;
  return env.Undefined();
}

}  // namespace quantkit::glue
