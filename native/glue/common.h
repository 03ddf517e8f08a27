// What every capability's glue uses: argument unwrapping (a TypedArray's memory as the
// kernels see it, numbers, argument counts), errors, and the Node-API status check.
// Plain inline functions; the checks that need no Node-API live in native/args/.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "args/args.h"
#include "kernels/isa/kernels.h"
#include "ops/ops.h"

namespace quantkit::glue {


inline std::string Describe(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return v.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: return quantkit::args::DescribeNumber(v.As<Napi::Number>().DoubleValue());
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    case napi_external: return "an external";
    default: break;
  }
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_int8_array: return "an Int8Array";
      case napi_uint8_array: return "a Uint8Array";
      case napi_uint8_clamped_array: return "a Uint8ClampedArray";
      case napi_int16_array: return "an Int16Array";
      case napi_uint16_array: return "a Uint16Array";
      case napi_int32_array: return "an Int32Array";
      case napi_uint32_array: return "a Uint32Array";
      case napi_float32_array: return "a Float32Array";
      case napi_float64_array: return "a Float64Array";
      case napi_bigint64_array: return "a BigInt64Array";
      case napi_biguint64_array: return "a BigUint64Array";
      default: return "a TypedArray";
    }
  }
  if (v.IsArray()) return "an Array";
  if (v.IsArrayBuffer()) return "an ArrayBuffer";
  return "an object";
}

[[noreturn]] inline void ThrowType(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] inline void ThrowRange(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

// Throws the error a failed args.h check describes.
inline void Raise(Napi::Env env, const quantkit::args::Result& r) {
  if (r.kind == quantkit::args::ErrorKind::kType) ThrowType(env, r.message);
  if (r.kind == quantkit::args::ErrorKind::kRange) ThrowRange(env, r.message);
}

// Turns a failed Node-API call into a JS exception carrying Node's own message.
inline void Check(napi_env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);
}

// A TypedArray's memory as the kernels see it. `data` already includes byteOffset
// (napi_get_typedarray_info adds it), so the buffer's base pointer is never used.
struct View {
  void* data;
  size_t length;
  size_t bytes;
  int type;  // FloatType or QuantType, depending on the role
  napi_typedarray_type kind;

  quantkit::args::Span span() const { return {data, length, bytes, type}; }
  // The same memory for native/ops, which reads the element type off the kind.
  quantkit::ops::Array array() const { return {data, length, static_cast<int>(kind)}; }
};

// native/ops numbers TypedArray kinds as Node-API does.
constexpr bool SameKind(quantkit::ops::ArrayKind a, napi_typedarray_type b) { return static_cast<int>(a) == static_cast<int>(b); }
static_assert(SameKind(quantkit::ops::kInt8, napi_int8_array) && SameKind(quantkit::ops::kUint8, napi_uint8_array) &&
              SameKind(quantkit::ops::kUint8Clamped, napi_uint8_clamped_array) && SameKind(quantkit::ops::kInt16, napi_int16_array) &&
              SameKind(quantkit::ops::kUint16, napi_uint16_array) && SameKind(quantkit::ops::kInt32, napi_int32_array) &&
              SameKind(quantkit::ops::kUint32, napi_uint32_array) && SameKind(quantkit::ops::kFloat32, napi_float32_array) &&
              SameKind(quantkit::ops::kFloat64, napi_float64_array),
              "ArrayKind must follow napi_typedarray_type");

inline size_t ElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

// The hot path: one napi_get_typedarray_info per array, which itself refuses anything that
// is not a TypedArray (napi_invalid_arg; any other failed status is a real error). `type_of`
// maps the TypedArray kind to the role's element type, or -1 when the kind is refused.
// A detached buffer has length 0, so only an empty view needs the (rarer) detach check.
template <typename TypeOf>
inline View UnwrapAs(const Napi::Value& v, const char* name, TypeOf type_of, const char* expected) {
  napi_env env = v.Env();
  napi_typedarray_type kind;
  size_t length = 0;
  void* data = nullptr;
  const napi_status status = napi_get_typedarray_info(env, v, &kind, &length, &data, nullptr, nullptr);
  if (status != napi_invalid_arg) {
    Check(env, status);
    const int type = type_of(kind);
    if (type >= 0) {
      if (length == 0) {
        napi_value buffer = nullptr;
        Check(env, napi_get_typedarray_info(env, v, nullptr, nullptr, nullptr, &buffer, nullptr));
        bool detached = false;
        Check(env, napi_is_detached_arraybuffer(env, buffer, &detached));
        if (detached) ThrowRange(env, std::string("Expected ") + name + " to be attached but its buffer is detached");
      }
      return View{data, length, length * ElementSize(kind), type, kind};
    }
  }
  ThrowType(env, std::string("Expected ") + expected + " for " + name + " but received " + Describe(v));
}

inline View FloatInput(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) {
    return k == napi_float32_array ? quantkit::kF32 : k == napi_float64_array ? quantkit::kF64 : -1;
  }, "a Float32Array or Float64Array");
}

inline View QuantArray(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) {
    switch (k) {
      case napi_uint8_array: return static_cast<int>(quantkit::kU8);
      case napi_int8_array: return static_cast<int>(quantkit::kI8);
      case napi_uint16_array: return static_cast<int>(quantkit::kU16);
      case napi_int16_array: return static_cast<int>(quantkit::kI16);
      default: return -1;
    }
  }, "a Uint8Array, Int8Array, Uint16Array or Int16Array");
}

inline View Float32Output(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_float32_array ? quantkit::kF32 : -1; },
                  "a Float32Array");
}

inline View Float64Output(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_float64_array ? quantkit::kF64 : -1; },
                  "a Float64Array");
}

// The value of a JS number, or what the argument is instead (for the TypeError that
// args.h builds). napi_get_value_double runs no JS (no valueOf), so reading every numeric
// argument up front changes nothing a caller can observe.
inline quantkit::args::Number NumberArg(const Napi::Value& v) {
  quantkit::args::Number n;
  const napi_status status = napi_get_value_double(v.Env(), v, &n.value);
  if (status == napi_number_expected) {
    n.instead = Describe(v);
    return n;
  }
  Check(v.Env(), status);
  n.is_number = true;
  return n;
}

inline void CheckArgCount(const Napi::CallbackInfo& info, size_t n, const char* call) {
  if (info.Length() != n) {
    ThrowType(info.Env(), std::string(call) + " takes " + std::to_string(n) + (n == 1 ? " argument" : " arguments") + " but received " +
                              std::to_string(info.Length()));
  }
}


// Packed sub-byte types (kernels/packed/packed.h). `signed` must be a real boolean.
inline bool BooleanArg(const Napi::Value& v, const char* name) {
  if (!v.IsBoolean()) ThrowType(v.Env(), std::string("Expected a boolean for ") + name + " but received " + Describe(v));
  return v.As<Napi::Boolean>().Value();
}


inline View Uint8Array(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_uint8_array ? 0 : -1; }, "a Uint8Array");
}


// One value per byte: type 1 for an Int8Array, 0 for a Uint8Array.
inline View ByteValues(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_int8_array ? 1 : k == napi_uint8_array ? 0 : -1; },
                  "an Int8Array or Uint8Array");
}


// Per-axis and blocked parameters (kernels/axis/axis.h): scale a Float32Array, zeroPoint an
// Int32Array, both of AxisParamCount entries.
inline View ScaleArray(const Napi::Value& v) {
  return UnwrapAs(v, "scale", [](napi_typedarray_type k) { return k == napi_float32_array ? 0 : -1; }, "a Float32Array");
}

inline View ZeroPointArray(const Napi::Value& v) {
  return UnwrapAs(v, "zeroPoint", [](napi_typedarray_type k) { return k == napi_int32_array ? 0 : -1; }, "an Int32Array");
}


// float16 / bfloat16 conversions (kernels/convert/convert.h). The 16-bit side is always a
// Uint16Array of bits: the facade hands a Float16Array over as a Uint16Array view.
inline View Uint16Bits(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_uint16_array ? 0 : -1; }, "a Uint16Array");
}

}  // namespace quantkit::glue
