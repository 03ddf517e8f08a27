// Node-API glue of the preprocessing calls: unwrap -> native/ops (check -> call the kernels). Every napi_status is checked; TypedArray data
// pointers come from napi_get_typedarray_info, which includes byteOffset.
#include "glue/preprocess.h"

#include <string>

#include "ops/ops.h"

namespace quantkit {
namespace glue {
namespace {

void Check(napi_env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);
}

[[noreturn]] void ThrowType(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }

void Raise(Napi::Env env, const args::Result& r) {
  if (r.kind == args::ErrorKind::kType) throw Napi::TypeError::New(env, r.message);
  if (r.kind == args::ErrorKind::kRange) throw Napi::RangeError::New(env, r.message);
}

const char* KindName(napi_typedarray_type k) {
  switch (k) {
    case napi_int8_array: return "an Int8Array";
    case napi_uint8_array: return "a Uint8Array";
    case napi_uint8_clamped_array: return "a Uint8ClampedArray";
    case napi_int16_array: return "an Int16Array";
    case napi_uint16_array: return "a Uint16Array";
    case napi_int32_array: return "an Int32Array";
    case napi_uint32_array: return "a Uint32Array";
    case napi_float32_array: return "a Float32Array";
    case napi_float64_array: return "a Float64Array";
    default: return "another TypedArray";
  }
}

std::string Describe(napi_env env, napi_value v) {
  napi_valuetype t;
  Check(env, napi_typeof(env, v, &t));
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: break;
  }
  bool is_typedarray = false;
  Check(env, napi_is_typedarray(env, v, &is_typedarray));
  if (is_typedarray) {
    napi_typedarray_type kind;
    Check(env, napi_get_typedarray_info(env, v, &kind, nullptr, nullptr, nullptr, nullptr));
    return KindName(kind);
  }
  return "an object";
}

struct View {
  void* data;
  size_t length;
  size_t bytes;
  napi_typedarray_type kind;
  ops::Array array() const { return {data, length, static_cast<int>(kind)}; }
};

size_t ElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

// A TypedArray of one of the kinds `accept` returns true for, attached; else a TypeError
// (wrong kind) or RangeError (detached buffer).
template <typename Accept>
View Unwrap(const Napi::Value& value, const char* name, Accept accept, const char* expected) {
  napi_env env = value.Env();
  bool is_typedarray = false;
  Check(env, napi_is_typedarray(env, value, &is_typedarray));
  if (is_typedarray) {
    View v{};
    napi_value buffer = nullptr;
    Check(env, napi_get_typedarray_info(env, value, &v.kind, &v.length, &v.data, &buffer, nullptr));
    if (accept(v.kind)) {
      if (v.length == 0) {
        bool detached = false;
        Check(env, napi_is_detached_arraybuffer(env, buffer, &detached));
        if (detached) throw Napi::RangeError::New(env, std::string("Expected ") + name + " to be attached but its buffer is detached");
      }
      v.bytes = v.length * ElementSize(v.kind);
      return v;
    }
  }
  ThrowType(env, std::string("Expected ") + expected + " for " + name + " but received " + Describe(env, value));
}

bool IsFloat(napi_typedarray_type k) { return k == napi_float32_array || k == napi_float64_array; }
bool IsByteCode(napi_typedarray_type k) { return k == napi_uint8_array || k == napi_int8_array; }

args::Number NumberArg(const Napi::Value& v) {
  args::Number n;
  const napi_status status = napi_get_value_double(v.Env(), v, &n.value);
  if (status == napi_number_expected) {
    n.instead = Describe(v.Env(), v);
    return n;
  }
  Check(v.Env(), status);
  n.is_number = true;
  return n;
}

bool BoolArg(const Napi::Value& v, const char* name) {
  bool b = false;
  const napi_status status = napi_get_value_bool(v.Env(), v, &b);
  if (status == napi_boolean_expected) ThrowType(v.Env(), std::string("Expected a boolean for ") + name + " but received " + Describe(v.Env(), v));
  Check(v.Env(), status);
  return b;
}

void CheckArgCount(const Napi::CallbackInfo& info, size_t n, const char* call) {
  if (info.Length() != n) {
    ThrowType(info.Env(), std::string(call) + " takes " + std::to_string(n) + " arguments but received " + std::to_string(info.Length()));
  }
}

const ops::Context& ContextOf(const Napi::CallbackInfo& info) { return *static_cast<const ops::Context*>(info.Data()); }

// The kinds a tensor (and its table) may be.
bool IsTensorKind(napi_typedarray_type k) {
  return k == napi_float32_array || k == napi_uint16_array || k == napi_int16_array || k == napi_uint8_array || k == napi_int8_array;
}

// imageToTensor(pixels, out, lut, sources, inChannels, nhwc)
Napi::Value ImageToTensor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 6, "imageToTensor");
  const View pixels = Unwrap(info[0], "pixels", [](napi_typedarray_type k) { return k == napi_uint8_array || k == napi_uint8_clamped_array; },
                             "a Uint8Array or Uint8ClampedArray");
  const char* out_types = "a Float32Array, Uint16Array, Int16Array, Uint8Array or Int8Array";
  const View out = Unwrap(info[1], "out", IsTensorKind, out_types);
  const View lut = Unwrap(info[2], "lut", IsTensorKind, out_types);
  if (lut.kind != out.kind) ThrowType(env, std::string("Expected lut to be ") + KindName(out.kind) + " like out but received " + KindName(lut.kind));
  const View sources = Unwrap(info[3], "sources", [](napi_typedarray_type k) { return k == napi_uint8_array; }, "a Uint8Array");
  const args::Number in_channels = NumberArg(info[4]);
  const bool nhwc = BoolArg(info[5], "nhwc");
  Raise(env, ops::ImageToTensor(ContextOf(info), pixels.array(), out.array(), lut.array(), sources.array(), in_channels, nhwc));
  return env.Undefined();
}

// quantizeEmbeddings(x, out, min, step, dim, floor): out's kind (Uint8Array / Int8Array) picks the codes.
Napi::Value QuantizeEmbeddings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 6, "quantizeEmbeddings");
  const View x = Unwrap(info[0], "x", IsFloat, "a Float32Array or Float64Array");
  const View out = Unwrap(info[1], "out", IsByteCode, "a Uint8Array or Int8Array");
  auto f32 = [](napi_typedarray_type k) { return k == napi_float32_array; };
  const View min = Unwrap(info[2], "min", f32, "a Float32Array");
  const View step = Unwrap(info[3], "step", f32, "a Float32Array");
  const args::Number dim_arg = NumberArg(info[4]);
  const bool floor = BoolArg(info[5], "floor");
  Raise(env, ops::QuantizeEmbeddings(ContextOf(info), x.array(), out.array(), min.array(), step.array(), dim_arg, floor));
  return env.Undefined();
}

// binarizeEmbeddings(x, out, dim)
Napi::Value BinarizeEmbeddings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 3, "binarizeEmbeddings");
  const View x = Unwrap(info[0], "x", IsFloat, "a Float32Array or Float64Array");
  const View out = Unwrap(info[1], "out", IsByteCode, "a Uint8Array or Int8Array");
  Raise(env, ops::BinarizeEmbeddings(ContextOf(info), x.array(), out.array(), NumberArg(info[2])));
  return env.Undefined();
}

}  // namespace

void RegisterPreprocess(Napi::Env env, Napi::Object exports, const ops::Context* ctx) {
  void* state = const_cast<ops::Context*>(ctx);
  exports.DefineProperties({
      Napi::PropertyDescriptor::Value("imageToTensor", Napi::Function::New(env, ImageToTensor, "imageToTensor", state), napi_enumerable),
      Napi::PropertyDescriptor::Value("quantizeEmbeddings", Napi::Function::New(env, QuantizeEmbeddings, "quantizeEmbeddings", state),
                                      napi_enumerable),
      Napi::PropertyDescriptor::Value("binarizeEmbeddings", Napi::Function::New(env, BinarizeEmbeddings, "binarizeEmbeddings", state),
                                      napi_enumerable),
  });
}

}  // namespace glue
}  // namespace quantkit
