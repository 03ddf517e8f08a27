// Node-API glue for packed 4- and 2-bit types: quantizePacked, dequantizePacked, pack, unpack: unwrap -> check (native/args) -> call the kernels.
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"
#include "args/args.h"
#include "args/packed_args.h"
#include "kernels/packed/packed.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {


// quantizePacked(x, out, bits, signed, scale, zeroPoint, qmin, qmax, rounding). Parts start
// at multiples of 64 elements (split.h), so each part's packed output starts on a byte.
Napi::Value QuantkitAddon::QuantizePacked(const Napi::CallbackInfo& info) {
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
Napi::Value QuantkitAddon::DequantizePacked(const Napi::CallbackInfo& info) {
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
Napi::Value QuantkitAddon::Pack(const Napi::CallbackInfo& info) {
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
Napi::Value QuantkitAddon::Unpack(const Napi::CallbackInfo& info) {
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

}  // namespace quantkit::glue
