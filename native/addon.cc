// Node-API glue only: unwrap and check arguments, call the kernel table, wrap results.
// Every check that protects memory lives here as well as in the TypeScript facade,
// because the binding can be reached directly (require('quantkit/build/...')). The checks
// that need no Node-API (lengths, overlap, scale and integer ranges) are in args.h, where
// a fuzzer drives them without Node.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "axis_args.h"
#include "float8_args.h"
#include "ggml_args.h"
#include "packed_args.h"
#include "recode_args.h"
#include "kernels/axis.h"
#include "kernels/kernels.h"
#include "kernels/convert.h"
#include "kernels/float8.h"
#include "kernels/split.h"
#include "kernels/recode.h"
#include "glue/preprocess.h"

namespace {

using quantkit::IsaLevel;
using quantkit::KernelTable;

std::string Describe(const Napi::Value& v) {
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

[[noreturn]] void ThrowType(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

// Throws the error a failed args.h check describes.
void Raise(Napi::Env env, const quantkit::args::Result& r) {
  if (r.kind == quantkit::args::ErrorKind::kType) ThrowType(env, r.message);
  if (r.kind == quantkit::args::ErrorKind::kRange) ThrowRange(env, r.message);
}

// Turns a failed Node-API call into a JS exception carrying Node's own message.
void Check(napi_env env, napi_status status) {
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
};

size_t ElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

// The hot path: one napi_is_typedarray and one napi_get_typedarray_info per array. `type_of`
// maps the TypedArray kind to the role's element type, or -1 when the kind is refused.
// A detached buffer has length 0, so only an empty view needs the (rarer) detach check.
template <typename TypeOf>
View UnwrapAs(const Napi::Value& v, const char* name, TypeOf type_of, const char* expected) {
  napi_env env = v.Env();
  bool is_typedarray = false;
  Check(env, napi_is_typedarray(env, v, &is_typedarray));
  if (is_typedarray) {
    napi_typedarray_type kind;
    size_t length = 0;
    void* data = nullptr;
    napi_value buffer = nullptr;
    Check(env, napi_get_typedarray_info(env, v, &kind, &length, &data, &buffer, nullptr));
    const int type = type_of(kind);
    if (type >= 0) {
      if (length == 0) {
        bool detached = false;
        Check(env, napi_is_detached_arraybuffer(env, buffer, &detached));
        if (detached) ThrowRange(env, std::string("Expected ") + name + " to be attached but its buffer is detached");
      }
      return View{data, length, length * ElementSize(kind), type, kind};
    }
  }
  ThrowType(env, std::string("Expected ") + expected + " for " + name + " but received " + Describe(v));
}

View FloatInput(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) {
    return k == napi_float32_array ? quantkit::kF32 : k == napi_float64_array ? quantkit::kF64 : -1;
  }, "a Float32Array or Float64Array");
}

View QuantArray(const Napi::Value& v, const char* name) {
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

View Float32Output(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_float32_array ? quantkit::kF32 : -1; },
                  "a Float32Array");
}

View Float64Output(const Napi::Value& v, const char* name) {
  return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_float64_array ? quantkit::kF64 : -1; },
                  "a Float64Array");
}

// The value of a JS number, or what the argument is instead (for the TypeError that
// args.h builds). napi_get_value_double runs no JS (no valueOf), so reading every numeric
// argument up front changes nothing a caller can observe.
quantkit::args::Number NumberArg(const Napi::Value& v) {
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

void CheckArgCount(const Napi::CallbackInfo& info, size_t n, const char* call) {
  if (info.Length() != n) {
    ThrowType(info.Env(), std::string(call) + " takes " + std::to_string(n) + (n == 1 ? " argument" : " arguments") + " but received " +
                              std::to_string(info.Length()));
  }
}

IsaLevel IsaFromEnvironment(std::string* error) {
  const char* cap = std::getenv("QUANTKIT_ISA");
  if (cap == nullptr || *cap == '\0') return quantkit::kIsaCount;
  for (int level = 0; level < quantkit::kIsaCount; ++level) {
    if (std::strcmp(cap, quantkit::IsaName(static_cast<IsaLevel>(level))) == 0) return static_cast<IsaLevel>(level);
  }
  *error = std::string("Expected QUANTKIT_ISA to be one of scalar, sse2, avx2, avx512, neon but received '") + cap + "'";
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

class QuantkitAddon : public Napi::Addon<QuantkitAddon> {
 public:
  QuantkitAddon(Napi::Env env, Napi::Object exports) {
    std::string error;
    const IsaLevel cap = IsaFromEnvironment(&error);
    if (!error.empty()) ThrowRange(env, error);
    threads_ = ThreadsFromEnvironment(&error);
    if (!error.empty()) ThrowRange(env, error);
    const IsaLevel level = quantkit::BestIsa(cap);
    kernels_ = quantkit::KernelsFor(level);
    convert_ = &quantkit::ConvertKernelsFor(level);
    float8_ = &quantkit::Float8KernelsFor(level);
    ggml_ = &quantkit::ggml::GgmlKernelsFor(level);

    Napi::Array available = Napi::Array::New(env);
    uint32_t count = 0;
    for (int l = 0; l < quantkit::kIsaCount; ++l) {
      const IsaLevel il = static_cast<IsaLevel>(l);
      if (quantkit::Runnable(il)) {
        available.Set(count++, Napi::String::New(env, quantkit::IsaName(il)));
      }
    }

    DefineAddon(exports, {
        InstanceMethod("quantize", &QuantkitAddon::Quantize, napi_enumerable),
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
        InstanceValue("isa", Napi::String::New(env, kernels_->isa), napi_enumerable),
        InstanceValue("isaAvailable", available, napi_enumerable),
        InstanceValue("version", Napi::String::New(env, QUANTKIT_VERSION), napi_enumerable),
        InstanceValue("threads", Napi::Number::New(env, threads_), napi_enumerable),
    });
    quantkit::glue::RegisterPreprocess(env, exports, level, threads_);
  }

 private:
  // quantize(x, out, scale, zeroPoint, qmin, qmax, rounding)
  Napi::Value Quantize(const Napi::CallbackInfo& info) {
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
  Napi::Value Dequantize(const Napi::CallbackInfo& info) {
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
  Napi::Value MinMax(const Napi::CallbackInfo& info) {
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

  // Packed sub-byte types (kernels/packed.h). `signed` must be a real boolean.
  static bool BooleanArg(const Napi::Value& v, const char* name) {
    if (!v.IsBoolean()) ThrowType(v.Env(), std::string("Expected a boolean for ") + name + " but received " + Describe(v));
    return v.As<Napi::Boolean>().Value();
  }

  static View Uint8Array(const Napi::Value& v, const char* name) {
    return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_uint8_array ? 0 : -1; }, "a Uint8Array");
  }

  // One value per byte: type 1 for an Int8Array, 0 for a Uint8Array.
  static View ByteValues(const Napi::Value& v, const char* name) {
    return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_int8_array ? 1 : k == napi_uint8_array ? 0 : -1; },
                    "an Int8Array or Uint8Array");
  }

  // quantizePacked(x, out, bits, signed, scale, zeroPoint, qmin, qmax, rounding). Parts start
  // at multiples of 64 elements (split.h), so each part's packed output starts on a byte.
  Napi::Value QuantizePacked(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 9, "quantizePacked");
    const View x = FloatInput(info[0], "x");
    const View out = Uint8Array(info[1], "out");
    const bool is_signed = BooleanArg(info[3], "signed");
    int bits = 0;
    quantkit::QuantizeParams p{};
    Raise(env, quantkit::args::CheckQuantizePacked(x.span(), out.span(), NumberArg(info[2]), is_signed, NumberArg(info[4]),
                                                   NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7]), &bits, &p));
    int rounding = 0;
    Raise(env, quantkit::args::CheckRounding(NumberArg(info[8]), &rounding));
    const quantkit::QuantizeFn quantize8 =
        kernels_->quantize[rounding][x.type][is_signed ? quantkit::kI8 : quantkit::kU8];
    const size_t in_size = ElementSize(x.kind);
    const size_t per_byte = static_cast<size_t>(8 / bits);
    quantkit::ForParts(x.length, threads_, [&](int, size_t begin, size_t end) {
      quantkit::QuantizePacked(quantize8, static_cast<const char*>(x.data) + begin * in_size, in_size,
                               static_cast<uint8_t*>(out.data) + begin / per_byte, end - begin, bits, p);
    });
    return env.Undefined();
  }

  // dequantizePacked(q, out, bits, signed, scale, zeroPoint): out.length elements.
  Napi::Value DequantizePacked(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 6, "dequantizePacked");
    const View q = Uint8Array(info[0], "q");
    const View out = Float32Output(info[1], "out");
    const bool is_signed = BooleanArg(info[3], "signed");
    int bits = 0;
    float scale = 0;
    int32_t zero_point = 0;
    Raise(env, quantkit::args::CheckDequantizePacked(q.span(), out.span(), NumberArg(info[2]), is_signed, NumberArg(info[4]),
                                                     NumberArg(info[5]), &bits, &scale, &zero_point));
    const quantkit::DequantizeFn dequantize8 = kernels_->dequantize[is_signed ? quantkit::kI8 : quantkit::kU8];
    const size_t per_byte = static_cast<size_t>(8 / bits);
    quantkit::ForParts(out.length, threads_, [&](int, size_t begin, size_t end) {
      quantkit::DequantizePacked(dequantize8, static_cast<const uint8_t*>(q.data) + begin / per_byte,
                                 static_cast<float*>(out.data) + begin, end - begin, bits, is_signed, scale, zero_point);
    });
    return env.Undefined();
  }

  // pack(values, out, bits, signed): -1, or the index of the first value outside the range
  // (then nothing is written).
  Napi::Value Pack(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 4, "pack");
    const View values = ByteValues(info[0], "values");
    const View out = Uint8Array(info[1], "out");
    const bool is_signed = BooleanArg(info[3], "signed");
    int bits = 0;
    Raise(env, quantkit::args::CheckPackPair(values.span(), out.span(), NumberArg(info[2]), "out", &bits));
    const uint8_t* v = static_cast<const uint8_t*>(values.data);
    const size_t bad = quantkit::FirstOutOfRange(v, values.type == 1, values.length, bits, is_signed);
    if (bad != values.length) return Napi::Number::New(env, static_cast<double>(bad));
    quantkit::PackCodes(v, values.length, static_cast<uint8_t*>(out.data), bits);
    return Napi::Number::New(env, -1);
  }

  // unpack(packed, out, bits, signed): out.length elements, sign-extended when signed.
  Napi::Value Unpack(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 4, "unpack");
    const View packed = Uint8Array(info[0], "packed");
    const View out = ByteValues(info[1], "out");
    const bool is_signed = BooleanArg(info[3], "signed");
    int bits = 0;
    Raise(env, quantkit::args::CheckPackPair(out.span(), packed.span(), NumberArg(info[2]), "packed", &bits));
    quantkit::UnpackCodes(static_cast<const uint8_t*>(packed.data), out.length, static_cast<uint8_t*>(out.data), bits,
                          is_signed);
    return env.Undefined();
  }

  // recode(q, out, offset): out[i] = q[i] + offset, modulo 2^width, between the signed and
  // the unsigned type of one width (kernels/recode.h). out may be q's own memory.
  Napi::Value Recode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 3, "recode");
    const View q = QuantArray(info[0], "q");
    const View out = QuantArray(info[1], "out");
    int32_t offset = 0;
    Raise(env, quantkit::args::CheckRecode(q.span(), out.span(), NumberArg(info[2]), &offset));
    switch (q.type) {
      case quantkit::kI8:
        quantkit::RecodeCodes(static_cast<const int8_t*>(q.data), static_cast<uint8_t*>(out.data), q.length, offset);
        break;
      case quantkit::kU8:
        quantkit::RecodeCodes(static_cast<const uint8_t*>(q.data), static_cast<int8_t*>(out.data), q.length, offset);
        break;
      case quantkit::kI16:
        quantkit::RecodeCodes(static_cast<const int16_t*>(q.data), static_cast<uint16_t*>(out.data), q.length, offset);
        break;
      default:
        quantkit::RecodeCodes(static_cast<const uint16_t*>(q.data), static_cast<int16_t*>(out.data), q.length, offset);
        break;
    }
    return env.Undefined();
  }

  // quantizeFloat8(x, out, format, saturate, scale): float8 codes (kernels/float8.h), format
  // 0 = e4m3fn, 1 = e5m2; out a Uint8Array of x's length.
  Napi::Value QuantizeFloat8(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 5, "quantizeFloat8");
    const View x = FloatInput(info[0], "x");
    const View out = Uint8Array(info[1], "out");
    const bool saturate = BooleanArg(info[3], "saturate");
    int format = 0;
    float scale = 0;
    Raise(env, quantkit::args::CheckQuantizeFloat8(x.span(), out.span(), NumberArg(info[2]), NumberArg(info[4]), &format,
                                                   &scale));
    const quantkit::QuantizeFloat8Fn quantize = float8_->quantize[x.type];
    const size_t in_size = ElementSize(x.kind);
    quantkit::ForParts(x.length, threads_, [&](int, size_t begin, size_t end) {
      quantize(static_cast<const char*>(x.data) + begin * in_size, static_cast<uint8_t*>(out.data) + begin, end - begin,
               format, saturate, scale);
    });
    return env.Undefined();
  }

  // dequantizeFloat8(q, out, format, scale): q a Uint8Array of float8 codes, out a Float32Array.
  Napi::Value DequantizeFloat8(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 4, "dequantizeFloat8");
    const View q = Uint8Array(info[0], "q");
    const View out = Float32Output(info[1], "out");
    int format = 0;
    float scale = 0;
    Raise(env, quantkit::args::CheckDequantizeFloat8(q.span(), out.span(), NumberArg(info[2]), NumberArg(info[3]), &format,
                                                     &scale));
    quantkit::ForParts(q.length, threads_, [&](int, size_t begin, size_t end) {
      quantkit::DequantizeFloat8(static_cast<const uint8_t*>(q.data) + begin, static_cast<float*>(out.data) + begin,
                                 end - begin, format, scale);
    });
    return env.Undefined();
  }

  // Per-axis and blocked parameters (kernels/axis.h): scale a Float32Array, zeroPoint an
  // Int32Array, both of AxisParamCount entries.
  static View ScaleArray(const Napi::Value& v) {
    return UnwrapAs(v, "scale", [](napi_typedarray_type k) { return k == napi_float32_array ? 0 : -1; }, "a Float32Array");
  }
  static View ZeroPointArray(const Napi::Value& v) {
    return UnwrapAs(v, "zeroPoint", [](napi_typedarray_type k) { return k == napi_int32_array ? 0 : -1; }, "an Int32Array");
  }

  // findBadScale(scale): -1, or the index of the first value that is not a positive finite float32.
  Napi::Value FindBadScale(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 1, "findBadScale");
    const View scale = ScaleArray(info[0]);
    const size_t k = quantkit::FirstBadScale(static_cast<const float*>(scale.data), scale.length);
    return Napi::Number::New(env, k == scale.length ? -1.0 : static_cast<double>(k));
  }

  // quantizeAxis(x, out, scale, zeroPoint, outer, axisLength, inner, blockSize, qmin, qmax, rounding)
  Napi::Value QuantizeAxis(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 11, "quantizeAxis");
    const View x = FloatInput(info[0], "x");
    const View out = QuantArray(info[1], "out");
    const View scale = ScaleArray(info[2]);
    const View zero = ZeroPointArray(info[3]);
    quantkit::AxisLayout layout{};
    int32_t qmin = 0, qmax = 0;
    Raise(env, quantkit::args::CheckQuantizeAxis(x.span(), out.span(), scale.span(), zero.span(), NumberArg(info[4]),
                                                 NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7]),
                                                 NumberArg(info[8]), NumberArg(info[9]), &layout, &qmin, &qmax));
    int rounding = 0;
    Raise(env, quantkit::args::CheckRounding(NumberArg(info[10]), &rounding));
    const size_t count = quantkit::AxisParamCount(layout);
    const float* scales = static_cast<const float*>(scale.data);
    const int32_t* zeros = static_cast<const int32_t*>(zero.data);
    // The lane bounds qmin − z and qmax − z as floats. Up to kReusedBounds parameters they live
    // in a per-thread pair reused by every call (a small per-axis call should not pay two
    // allocations; calls on one thread never overlap, and the split below only reads them);
    // more get a pair of their own, freed with the call.
    constexpr size_t kReusedBounds = 4096;
    thread_local std::vector<float> reused_lo(kReusedBounds), reused_hi(kReusedBounds);
    std::vector<float> own_lo, own_hi;
    float* lo = nullptr;
    float* hi = nullptr;
    if (quantkit::AxisNeedsLanes(layout)) {
      if (count <= kReusedBounds) {
        lo = reused_lo.data();
        hi = reused_hi.data();
      } else {
        own_lo.resize(count);
        own_hi.resize(count);
        lo = own_lo.data();
        hi = own_hi.data();
      }
      quantkit::LaneBounds(zeros, count, qmin, qmax, lo, hi);
    }
    const quantkit::AxisQuantizeCall call{kernels_->quantize[rounding][x.type][out.type],
                                          kernels_->quantize_runs[rounding][x.type][out.type],
                                          kernels_->quantize_lanes[rounding][x.type][out.type],
                                          x.data, ElementSize(x.kind), out.data, ElementSize(out.kind), scales, zeros,
                                          lo, hi, qmin, qmax, layout};
    quantkit::ForUnitParts(quantkit::AxisUnitCount(layout), quantkit::AxisUnitLength(layout), threads_,
                           [&](size_t begin, size_t end) { quantkit::QuantizeAxis(call, begin, end); });
    return env.Undefined();
  }

  // dequantizeAxis(q, out, scale, zeroPoint, outer, axisLength, inner, blockSize)
  Napi::Value DequantizeAxis(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 8, "dequantizeAxis");
    const View q = QuantArray(info[0], "q");
    const View out = Float32Output(info[1], "out");
    const View scale = ScaleArray(info[2]);
    const View zero = ZeroPointArray(info[3]);
    quantkit::AxisLayout layout{};
    Raise(env, quantkit::args::CheckDequantizeAxis(q.span(), out.span(), scale.span(), zero.span(), NumberArg(info[4]),
                                                   NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7]), &layout));
    const quantkit::AxisDequantizeCall call{kernels_->dequantize[q.type], kernels_->dequantize_lanes[q.type], q.data,
                                            ElementSize(q.kind), static_cast<float*>(out.data),
                                            static_cast<const float*>(scale.data),
                                            static_cast<const int32_t*>(zero.data), layout};
    quantkit::ForUnitParts(quantkit::AxisUnitCount(layout), quantkit::AxisUnitLength(layout), threads_,
                           [&](size_t begin, size_t end) { quantkit::DequantizeAxis(call, begin, end); });
    return env.Undefined();
  }

  // minMaxAxis(x, out, outer, axisLength, inner, blockSize): out[2k], out[2k + 1] = min, max
  // of parameter k's elements (NaN ignored; NaN, NaN when none).
  Napi::Value MinMaxAxis(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 6, "minMaxAxis");
    const View x = FloatInput(info[0], "x");
    const View out = Float64Output(info[1], "out");
    quantkit::AxisLayout layout{};
    Raise(env, quantkit::args::CheckMinMaxAxis(x.span(), out.span(), NumberArg(info[2]), NumberArg(info[3]),
                                               NumberArg(info[4]), NumberArg(info[5]), &layout));
    quantkit::MinMaxAxis(kernels_->minmax[x.type], x.data, x.type == quantkit::kF64, layout,
                         static_cast<double*>(out.data));
    return env.Undefined();
  }

  // ggmlQuantize(x, out, typeCode): ggml blocks (kernels/ggml.h). Returns -1, or the index
  // of x's first non-finite element, in which case nothing is written.
  Napi::Value GgmlQuantize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 3, "ggmlQuantize");
    const View x = FloatInput(info[0], "x");
    const View out = UnwrapAs(info[1], "out", [](napi_typedarray_type k) { return k == napi_uint8_array ? 0 : -1; },
                              "a Uint8Array");
    int type = 0;
    Raise(env, quantkit::args::CheckGgmlQuantize(x.span(), out.span(), NumberArg(info[2]), &type));
    // Large calls run in parts (split.h). Part boundaries are multiples of 64 elements and
    // the length is a multiple of 32, so every part is whole blocks. All parts are scanned
    // before any is written: a refused call writes nothing.
    const quantkit::ggml::GgmlFirstNonFiniteFn scan = ggml_->first_non_finite[x.type];
    const size_t in_size = ElementSize(x.kind), block_bytes = quantkit::ggml::BlockBytes(type);
    size_t first_bad[quantkit::kMaxThreads];
    std::fill(first_bad, first_bad + quantkit::kMaxThreads, x.length);
    quantkit::ForParts(x.length, threads_, [&](int k, size_t begin, size_t end) {
      const size_t i = scan(static_cast<const char*>(x.data) + begin * in_size, end - begin);
      if (i < end - begin) first_bad[k] = begin + i;
    });
    const size_t bad = *std::min_element(first_bad, first_bad + quantkit::kMaxThreads);
    if (bad == x.length) {
      const quantkit::ggml::GgmlQuantizeFn fn = ggml_->quantize[x.type][type];
      quantkit::ForParts(x.length, threads_, [&](int, size_t begin, size_t end) {
        fn(static_cast<const char*>(x.data) + begin * in_size, (end - begin) / quantkit::ggml::kBlockSize,
           static_cast<uint8_t*>(out.data) + begin / quantkit::ggml::kBlockSize * block_bytes);
      });
    }
    return Napi::Number::New(env, bad == x.length ? -1.0 : static_cast<double>(bad));
  }

  // ggmlDequantize(bytes, out, typeCode)
  Napi::Value GgmlDequantize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CheckArgCount(info, 3, "ggmlDequantize");
    const View bytes = UnwrapAs(info[0], "bytes", [](napi_typedarray_type k) { return k == napi_uint8_array ? 0 : -1; },
                                "a Uint8Array");
    const View out = Float32Output(info[1], "out");
    int type = 0;
    Raise(env, quantkit::args::CheckGgmlDequantize(bytes.span(), out.span(), NumberArg(info[2]), &type));
    const quantkit::ggml::GgmlDequantizeFn fn = ggml_->dequantize[type];
    const size_t block_bytes = quantkit::ggml::BlockBytes(type);
    quantkit::ForParts(out.length, threads_, [&](int, size_t begin, size_t end) {
      fn(static_cast<const uint8_t*>(bytes.data) + begin / quantkit::ggml::kBlockSize * block_bytes,
         (end - begin) / quantkit::ggml::kBlockSize, static_cast<float*>(out.data) + begin);
    });
    return env.Undefined();
  }

  // float16 / bfloat16 conversions (kernels/convert.h). The 16-bit side is always a
  // Uint16Array of bits: the facade hands a Float16Array over as a Uint16Array view.
  static View Uint16Bits(const Napi::Value& v, const char* name) {
    return UnwrapAs(v, name, [](napi_typedarray_type k) { return k == napi_uint16_array ? 0 : -1; }, "a Uint16Array");
  }

  // toFloat16(x, out) / toBFloat16(x, out): x a Float32Array or Float64Array, out a Uint16Array.
  Napi::Value ToHalfCall(const Napi::CallbackInfo& info, const char* call, const quantkit::ToHalfFn* fns) {
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
  Napi::Value FromHalfCall(const Napi::CallbackInfo& info, const char* call, quantkit::FromHalfFn fn) {
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

  Napi::Value ToFloat16(const Napi::CallbackInfo& info) { return ToHalfCall(info, "toFloat16", convert_->to_f16); }
  Napi::Value FromFloat16(const Napi::CallbackInfo& info) { return FromHalfCall(info, "fromFloat16", convert_->from_f16); }
  Napi::Value ToBFloat16(const Napi::CallbackInfo& info) { return ToHalfCall(info, "toBFloat16", convert_->to_bf16); }
  Napi::Value FromBFloat16(const Napi::CallbackInfo& info) {
    return FromHalfCall(info, "fromBFloat16", convert_->from_bf16);
  }

  const quantkit::ConvertTable* convert_ = nullptr;
  const quantkit::Float8Kernels* float8_ = nullptr;
  const quantkit::ggml::GgmlTable* ggml_ = nullptr;
  const KernelTable* kernels_ = nullptr;
  int threads_ = 2;
};

}  // namespace

NODE_API_ADDON(QuantkitAddon)
