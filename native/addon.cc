// The addon's entry: module init and registration only. Picks the kernel tables once from
// cpuid/XGETBV (capped by QUANTKIT_ISA) and the thread count (QUANTKIT_THREADS), then
// registers one call per binding.d.ts entry; each call's glue lives in native/glue/<capability>.cc.
#include <napi.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "glue/addon.h"
#include "glue/calibrate.h"
#include "glue/common.h"
#include "glue/preprocess.h"
#include "kernels/convert/convert.h"
#include "kernels/float8/float8.h"
#include "kernels/ggml/ggml.h"
#include "kernels/isa/kernels.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {

namespace {

using quantkit::IsaLevel;

IsaLevel IsaFromEnvironment(std::string* error) {
  const char* cap = std::getenv("QUANTKIT_ISA");
  if (cap == nullptr || *cap == '\0') return quantkit::kIsaCount;
  for (int level = 0; level < quantkit::kIsaCount; ++level) {
    if (std::strcmp(cap, quantkit::IsaName(static_cast<IsaLevel>(level))) == 0) return static_cast<IsaLevel>(level);
  }
  std::string names;
  for (int level = 0; level < quantkit::kIsaCount; ++level) {
    names += std::string(level == 0 ? "" : ", ") + quantkit::IsaName(static_cast<IsaLevel>(level));
  }
  *error = "Expected QUANTKIT_ISA to be one of " + names + " but received '" + cap + "'";
  return quantkit::kIsaCount;
}

// QUANTKIT_THREADS: how many threads one large call may use (1 keeps every call on the
// calling thread). Default 2: most of the bandwidth gain, little contention on a server.
int ThreadsFromEnvironment(std::string* error) {
  const char* v = std::getenv("QUANTKIT_THREADS");
  if (v == nullptr || *v == '\0') return 2;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < 1 || n > quantkit::kMaxThreads) {
    *error = std::string("Expected QUANTKIT_THREADS to be an integer from 1 to ") + std::to_string(quantkit::kMaxThreads) +
             " but received '" + v + "'";
    return 1;
  }
  return static_cast<int>(n);
}

}  // namespace

QuantkitAddon::QuantkitAddon(Napi::Env env, Napi::Object exports) {
  std::string error;
  const IsaLevel cap = IsaFromEnvironment(&error);
  if (!error.empty()) ThrowRange(env, error);
  const int threads = ThreadsFromEnvironment(&error);
  if (!error.empty()) ThrowRange(env, error);
  const IsaLevel level = quantkit::BestIsa(cap);
  ctx_ = quantkit::ops::ContextFor(level, threads);

  Napi::Array available = Napi::Array::New(env);
  uint32_t count = 0;
  for (int l = 0; l < quantkit::kIsaCount; ++l) {
    const IsaLevel il = static_cast<IsaLevel>(l);
    if (quantkit::Runnable(il)) {
      available.Set(count++, Napi::String::New(env, quantkit::IsaName(il)));
    }
  }

  DefineAddon(exports, {
      InstanceMethod("dequantize", &QuantkitAddon::Dequantize, napi_enumerable),
      InstanceMethod("minMax", &QuantkitAddon::MinMax, napi_enumerable),
      InstanceMethod("toFloat16", &QuantkitAddon::ToFloat16, napi_enumerable),
      InstanceMethod("fromFloat16", &QuantkitAddon::FromFloat16, napi_enumerable),
      InstanceMethod("toBFloat16", &QuantkitAddon::ToBFloat16, napi_enumerable),
      InstanceMethod("fromBFloat16", &QuantkitAddon::FromBFloat16, napi_enumerable),
      InstanceMethod("ggmlQuantize", &QuantkitAddon::GgmlQuantize, napi_enumerable),
      InstanceMethod("ggmlDequantize", &QuantkitAddon::GgmlDequantize, napi_enumerable),
      InstanceMethod("quantizePacked", &QuantkitAddon::QuantizePacked, napi_enumerable),
      InstanceMethod("dequantizePacked", &QuantkitAddon::DequantizePacked, napi_enumerable),
      InstanceMethod("pack", &QuantkitAddon::Pack, napi_enumerable),
      InstanceMethod("unpack", &QuantkitAddon::Unpack, napi_enumerable),
      InstanceMethod("quantizeAxis", &QuantkitAddon::QuantizeAxis, napi_enumerable),
      InstanceMethod("dequantizeAxis", &QuantkitAddon::DequantizeAxis, napi_enumerable),
      InstanceMethod("minMaxAxis", &QuantkitAddon::MinMaxAxis, napi_enumerable),
      InstanceMethod("findBadScale", &QuantkitAddon::FindBadScale, napi_enumerable),
      InstanceMethod("recode", &QuantkitAddon::Recode, napi_enumerable),
      InstanceMethod("quantizeFloat8", &QuantkitAddon::QuantizeFloat8, napi_enumerable),
      InstanceMethod("dequantizeFloat8", &QuantkitAddon::DequantizeFloat8, napi_enumerable),
      InstanceValue("isa", Napi::String::New(env, ctx_.kernels->isa), napi_enumerable),
      InstanceValue("isaAvailable", available, napi_enumerable),
      InstanceValue("version", Napi::String::New(env, QUANTKIT_VERSION), napi_enumerable),
      InstanceValue("threads", Napi::Number::New(env, threads), napi_enumerable),
  });
  // quantize's hot path and its call floor (glue/quantize.cc).
  DefineQuantize(env, exports);
  // The calibrate capability registers its own calls (glue/calibrate.cc).
  DefineCalibrate(env, exports, &ctx_);
  // And the preprocess capability (glue/preprocess.cc).
  RegisterPreprocess(env, exports, &ctx_);
}

}  // namespace quantkit::glue

using quantkit::glue::QuantkitAddon;
NODE_API_ADDON(QuantkitAddon)
