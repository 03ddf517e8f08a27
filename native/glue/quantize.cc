// Node-API glue for per-tensor quantize, dequantize and minMax: unwrap -> native/ops (check -> call the kernels).
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {

// quantize(x, out, scale, zeroPoint, qmin, qmax, rounding): the call a server makes per
// request, so its glue is plain Node-API rather than node-addon-api's method wrapper. The
// wrapper reads the arguments twice and heap-allocates them when there are more than six,
// and looks the addon up with napi_get_instance_data; here one napi_get_cb_info fills a
// stack array and the addon arrives as the function's data. Same checks, same messages.
napi_value QuantkitAddon::QuantizeCall(napi_env env, napi_callback_info cb) {
  try {
    size_t argc = 8;
    napi_value argv[8];
    void* data = nullptr;
    Check(env, napi_get_cb_info(env, cb, &argc, argv, nullptr, &data));
    const QuantkitAddon* self = static_cast<const QuantkitAddon*>(data);
    if (argc != 7) {
      ThrowType(env, "quantize takes 7 arguments but received " + std::to_string(argc));
    }
    const View x = FloatInput(Napi::Value(env, argv[0]), "x");
    const View out = QuantArray(Napi::Value(env, argv[1]), "out");
    Raise(env, quantkit::ops::Quantize(self->ctx_, x.array(), out.array(), NumberArg(Napi::Value(env, argv[2])),
                                       NumberArg(Napi::Value(env, argv[3])), NumberArg(Napi::Value(env, argv[4])),
                                       NumberArg(Napi::Value(env, argv[5])), NumberArg(Napi::Value(env, argv[6]))));
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  }
  return nullptr;
}

// callFloor(x, out, scale, zeroPoint, qmin, qmax, rounding): does nothing and returns
// undefined. It costs what a JS -> Node-API call with quantize's arguments costs and no
// more, so bench/overhead.js can show the facade's and the glue's cost above that floor.
napi_value QuantkitAddon::CallFloor(napi_env, napi_callback_info) { return nullptr; }

// capThreads(n): caps the threads one call made from the calling thread may use (0 lifts the
// cap; QUANTKIT_THREADS still bounds it). Set by quantkit's async workers (lib/async/worker.ts).
napi_value QuantkitAddon::CapThreads(napi_env raw, napi_callback_info info) {
  Napi::Env env(raw);
  try {
    size_t argc = 1;
    napi_value argv[1] = {nullptr};
    Check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    if (argc != 1) ThrowType(env, "capThreads takes 1 argument but received " + std::to_string(argc));
    const Napi::Value v(env, argv[0]);
    if (!v.IsNumber()) ThrowType(env, "Expected a number for n but received " + Describe(v));
    const double n = v.As<Napi::Number>().DoubleValue();
    if (!(n >= 0 && n <= quantkit::kMaxThreads && n == static_cast<double>(static_cast<int>(n)))) {
      ThrowRange(env, "Expected an integer from 0 to " + std::to_string(quantkit::kMaxThreads) + " for n but received " +
                          quantkit::args::DescribeNumber(n));
    }
    quantkit::tls_thread_cap = static_cast<int>(n);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  }
  return nullptr;
}

void QuantkitAddon::DefineQuantize(Napi::Env env, Napi::Object exports) {
  const auto function = [&](const char* name, napi_callback cb) {
    napi_value fn = nullptr;
    Check(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, this, &fn));
    return Napi::PropertyDescriptor::Value(name, Napi::Value(env, fn), napi_enumerable);
  };
  exports.DefineProperties({function("quantize", QuantizeCall), function("callFloor", CallFloor), function("capThreads", CapThreads)});
}


// dequantize(q, out, scale, zeroPoint)
Napi::Value QuantkitAddon::Dequantize(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 4, "dequantize");
  const View q = QuantArray(info[0], "q");
  const View out = Float32Output(info[1], "out");
  Raise(info.Env(), quantkit::ops::Dequantize(ctx_, q.array(), out.array(), NumberArg(info[2]), NumberArg(info[3])));
  return info.Env().Undefined();
}


// minMax(x, out): out[0] = min, out[1] = max of the non-NaN values (ops/quantize.cc).
Napi::Value QuantkitAddon::MinMax(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 2, "minMax");
  const View x = FloatInput(info[0], "x");
  const View out = Float64Output(info[1], "out");
  Raise(info.Env(), quantkit::ops::MinMax(ctx_, x.array(), out.array()));
  return info.Env().Undefined();
}

}  // namespace quantkit::glue
