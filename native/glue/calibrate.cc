// Node-API glue of the calibrate capability: unwrap -> check -> call (binding.d.ts
// errorStatsQuantize, errorStatsPair, histogramAdd). The facade validates first; these checks
// keep a direct call memory-safe: array kinds, lengths, overlap, and every number's range.
#include "glue/calibrate.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "args/args.h"
#include "glue/common.h"
#include "kernels/isa/split.h"

namespace quantkit {
namespace glue {
namespace {

using args::Number;
using args::Result;
using calibrate::kAccSlots;

// A refused check, always thrown (Raise throws only a failed one).
[[noreturn]] void Throw(Napi::Env env, const Result& r) {
  Raise(env, r);
  throw Napi::Error::New(env, "unreachable: Throw of a passed check");
}

// A TypedArray of one of the allowed float kinds, through glue/common.h's unwrapping (byteOffset
// included, a detached buffer refused).
View Unwrap(const Napi::Value& v, const char* name, bool allow_f32, bool allow_f64, const char* expected) {
  return UnwrapAs(v, name, [&](napi_typedarray_type k) {
    return (allow_f32 && k == napi_float32_array) || (allow_f64 && k == napi_float64_array) ? 0 : -1;
  }, expected);
}

// A non-negative integer below 2^53 (counts, indices).
Result CheckIndex(const Number& n, const char* name, double lo, size_t* out) {
  if (!n.is_number) return args::NotANumber(n, name);
  const double d = n.value;
  if (!(d == std::floor(d) && d >= lo && d <= 9007199254740991.0)) {
    return args::RangeError(std::string("Expected an integer in [") + args::DescribeNumber(lo) + ", 2^53) for " + name +
                            " but received " + args::DescribeNumber(d));
  }
  *out = static_cast<size_t>(d);
  return {};
}

// acc holds 16 · (1 + channels) doubles and shares no byte with the inputs.
Result CheckAcc(const View& acc, size_t channels, const View& x, const View* y) {
  const double want = static_cast<double>(kAccSlots) * (1.0 + static_cast<double>(channels));
  if (static_cast<double>(acc.length) != want) {
    return args::RangeError("Expected acc.length to equal 16 · (1 + channels) = " + args::DescribeNumber(want) +
                            " but received " + std::to_string(acc.length));
  }
  if (args::Overlaps(acc.data, acc.bytes, x.data, x.bytes) || (y != nullptr && args::Overlaps(acc.data, acc.bytes, y->data, y->bytes))) {
    return args::RangeError("Expected acc not to overlap x or xHat but it does");
  }
  return {};
}

// Runs part(k, begin, end, acc_k) over x's elements on the context's threads, each part into
// accumulators of its own, then merges them in order into acc.
template <typename Part>
void InParts(const CalibrateContext* ctx, size_t n, size_t groups, double* acc, Part part) {
  const int parts = ctx->threads;
  std::vector<double> locals(static_cast<size_t>(parts) * groups * kAccSlots);
  for (int k = 0; k < parts; ++k) calibrate::InitAcc(locals.data() + static_cast<size_t>(k) * groups * kAccSlots, groups);
  ForParts(n, ctx->threads, [&](int k, size_t begin, size_t end) {
    part(begin, end, locals.data() + static_cast<size_t>(k) * groups * kAccSlots);
  });
  for (int k = 0; k < parts; ++k) {
    for (size_t g = 0; g < groups; ++g) {
      calibrate::MergeAcc(acc + g * kAccSlots, locals.data() + (static_cast<size_t>(k) * groups + g) * kAccSlots);
    }
  }
}

// errorStatsQuantize(x, acc, codeType, scale, zeroPoint, qmin, qmax, rounding, channels, inner, indexBase)
Napi::Value ErrorStatsQuantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto* ctx = static_cast<const CalibrateContext*>(info.Data());
  CheckArgCount(info, 11, "errorStatsQuantize");
  const View x = Unwrap(info[0], "x", true, true, "a Float32Array or Float64Array");
  const View acc = Unwrap(info[1], "acc", false, true, "a Float64Array");
  int32_t type = 0;
  Raise(env, args::CheckInteger(NumberArg(info[2]), "codeType", 0, kQuantTypeCount - 1, &type));
  QuantizeParams p{};
  Raise(env, args::CheckScale(NumberArg(info[3]), &p.scale));
  double lo = 0, hi = 0;
  args::ContainerRange(type, &lo, &hi);
  Raise(env, args::CheckQuantRange(NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[4]), lo, hi, &p));
  int rounding = 0;
  Raise(env, args::CheckRounding(NumberArg(info[7]), &rounding));
  size_t channels = 0, inner = 0, base = 0;
  Raise(env, CheckIndex(NumberArg(info[8]), "channels", 0, &channels));
  Raise(env, CheckIndex(NumberArg(info[9]), "inner", 1, &inner));
  Raise(env, CheckIndex(NumberArg(info[10]), "indexBase", 0, &base));
  Raise(env, CheckAcc(acc, channels, x, nullptr));
  const bool is_f64 = x.kind == napi_float64_array;
  const QuantizeFn quantize = ctx->kernels->quantize[rounding][is_f64 ? kF64 : kF32][type];
  const DequantizeFn dequantize = ctx->kernels->dequantize[type];
  const size_t in_size = ElementSize(x.kind);
  InParts(ctx, x.length, 1 + channels, static_cast<double*>(acc.data), [&](size_t begin, size_t end, double* local) {
    calibrate::ErrorStatsQuantize(*ctx->calibrate, quantize, dequantize, static_cast<const char*>(x.data) + begin * in_size,
                                  is_f64, end - begin, base + begin, p, channels, inner, local);
  });
  return env.Undefined();
}

// errorStatsPair(x, xHat, acc, channels, inner, indexBase)
Napi::Value ErrorStatsPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto* ctx = static_cast<const CalibrateContext*>(info.Data());
  CheckArgCount(info, 6, "errorStatsPair");
  const View x = Unwrap(info[0], "x", true, true, "a Float32Array or Float64Array");
  const View y = Unwrap(info[1], "xHat", true, false, "a Float32Array");
  const View acc = Unwrap(info[2], "acc", false, true, "a Float64Array");
  if (x.length != y.length) {
    Throw(env, args::RangeError("Expected xHat.length to equal x.length " + std::to_string(x.length) + " but received " +
                                std::to_string(y.length)));
  }
  size_t channels = 0, inner = 0, base = 0;
  Raise(env, CheckIndex(NumberArg(info[3]), "channels", 0, &channels));
  Raise(env, CheckIndex(NumberArg(info[4]), "inner", 1, &inner));
  Raise(env, CheckIndex(NumberArg(info[5]), "indexBase", 0, &base));
  Raise(env, CheckAcc(acc, channels, x, &y));
  const bool is_f64 = x.kind == napi_float64_array;
  const size_t in_size = ElementSize(x.kind);
  InParts(ctx, x.length, 1 + channels, static_cast<double*>(acc.data), [&](size_t begin, size_t end, double* local) {
    calibrate::ErrorStatsPairs(*ctx->calibrate, static_cast<const char*>(x.data) + begin * in_size, is_f64,
                               static_cast<const float*>(y.data) + begin, end - begin, base + begin, channels, inner, local);
  });
  return env.Undefined();
}

// histogramAdd(x, counts, lo, invWidth, range): counts[k] += the non-NaN x whose bin is k;
// range[0], range[1] = min, max of the non-NaN x (NaN, NaN when none; −0 as 0).
Napi::Value HistogramAdd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto* ctx = static_cast<const CalibrateContext*>(info.Data());
  CheckArgCount(info, 5, "histogramAdd");
  const View x = Unwrap(info[0], "x", true, true, "a Float32Array or Float64Array");
  const View counts = Unwrap(info[1], "counts", false, true, "a Float64Array");
  const View range = Unwrap(info[4], "range", false, true, "a Float64Array");
  if (range.length != 2) Throw(env, args::RangeError("Expected range.length to be 2 but received " + std::to_string(range.length)));
  if (args::Overlaps(range.data, range.bytes, x.data, x.bytes) || args::Overlaps(range.data, range.bytes, counts.data, counts.bytes)) {
    Throw(env, args::RangeError("Expected range not to overlap x or counts but it does"));
  }
  const Number lo = NumberArg(info[2]), inv = NumberArg(info[3]);
  if (!lo.is_number) Throw(env, args::NotANumber(lo, "lo"));
  if (!inv.is_number) Throw(env, args::NotANumber(inv, "invWidth"));
  // Both are used as float32 (calibrate.h): finite there too.
  const float lo32 = static_cast<float>(lo.value), inv32 = static_cast<float>(inv.value);
  if (!(std::isfinite(lo.value) && std::isfinite(lo32))) {
    Throw(env, args::RangeError("Expected a finite float32 for lo but received " + args::DescribeNumber(lo.value)));
  }
  if (!(std::isfinite(inv.value) && std::isfinite(inv32) && inv32 > 0)) {
    Throw(env, args::RangeError("Expected a positive finite float32 for invWidth but received " + args::DescribeNumber(inv.value)));
  }
  if (counts.length == 0 || counts.length > (size_t{1} << 22)) {
    Throw(env, args::RangeError("Expected counts.length in [1, 2^22] but received " + std::to_string(counts.length)));
  }
  if (args::Overlaps(counts.data, counts.bytes, x.data, x.bytes)) Throw(env, args::RangeError("Expected counts not to overlap x but it does"));
  const uint32_t nbins = static_cast<uint32_t>(counts.length);
  const bool is_f64 = x.kind == napi_float64_array;
  const size_t in_size = ElementSize(x.kind);
  const calibrate::HistogramFn fn = ctx->calibrate->histogram[is_f64 ? kF64 : kF32];
  // Per part: four uint32 copies (calibrate.h), folded into doubles after every 2^31 elements,
  // before any copy could wrap, and at the end.
  const size_t parts = static_cast<size_t>(ctx->threads);
  std::vector<uint32_t> bins(parts * 4 * nbins, 0);
  std::vector<double> sums(parts * nbins, 0.0);
  std::vector<float> ranges(parts * 2);
  for (size_t k = 0; k < parts; ++k) {
    ranges[2 * k] = INFINITY;
    ranges[2 * k + 1] = -INFINITY;
  }
  ForParts(x.length, ctx->threads, [&](int k, size_t begin, size_t end) {
    uint32_t* b = bins.data() + static_cast<size_t>(k) * 4 * nbins;
    double* d = sums.data() + static_cast<size_t>(k) * nbins;
    float* r = ranges.data() + 2 * static_cast<size_t>(k);
    for (size_t s = begin; s < end; s += size_t{1} << 31) {
      const size_t e = std::min(end, s + (size_t{1} << 31));
      float sub[2];
      fn(static_cast<const char*>(x.data) + s * in_size, e - s, lo32, inv32, b, nbins, sub);
      r[0] = std::min(r[0], sub[0]);
      r[1] = std::max(r[1], sub[1]);
      for (uint32_t j = 0; j < nbins; ++j) {
        d[j] += static_cast<double>(b[4 * j]) + b[4 * j + 1] + b[4 * j + 2] + b[4 * j + 3];
        b[4 * j] = b[4 * j + 1] = b[4 * j + 2] = b[4 * j + 3] = 0;
      }
    }
  });
  double* c = static_cast<double*>(counts.data);
  float mn = INFINITY, mx = -INFINITY;
  for (size_t k = 0; k < parts; ++k) {
    for (uint32_t j = 0; j < nbins; ++j) c[j] += sums[k * nbins + j];
    mn = std::min(mn, ranges[2 * k]);
    mx = std::max(mx, ranges[2 * k + 1]);
  }
  double* out = static_cast<double*>(range.data);
  if (mn > mx) {
    out[0] = out[1] = NAN;
  } else {
    out[0] = static_cast<double>(mn) + 0.0;  // −0 reported as 0, as minMax does
    out[1] = static_cast<double>(mx) + 0.0;
  }
  return env.Undefined();
}

}  // namespace

void DefineCalibrate(Napi::Env env, Napi::Object exports, const CalibrateContext* ctx) {
  void* data = const_cast<CalibrateContext*>(ctx);
  exports.DefineProperties({
      Napi::PropertyDescriptor::Value("errorStatsQuantize", Napi::Function::New(env, ErrorStatsQuantize, "errorStatsQuantize", data), napi_enumerable),
      Napi::PropertyDescriptor::Value("errorStatsPair", Napi::Function::New(env, ErrorStatsPair, "errorStatsPair", data), napi_enumerable),
      Napi::PropertyDescriptor::Value("histogramAdd", Napi::Function::New(env, HistogramAdd, "histogramAdd", data), napi_enumerable),
  });
}

}  // namespace glue
}  // namespace quantkit
