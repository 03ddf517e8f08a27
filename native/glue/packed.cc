// Node-API glue for packed 4- and 2-bit types: quantizePacked, dequantizePacked, pack, unpack: unwrap -> native/ops (check -> call the kernels).
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"

namespace quantkit::glue {


// quantizePacked(x, out, bits, signed, scale, zeroPoint, qmin, qmax, rounding)
Napi::Value QuantkitAddon::QuantizePacked(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 9, "quantizePacked");
  const View x = FloatInput(info[0], "x");
  const View out = Uint8Array(info[1], "out");
  const bool is_signed = BooleanArg(info[3], "signed");
  Raise(info.Env(), quantkit::ops::QuantizePacked(ctx_, x.array(), out.array(), NumberArg(info[2]), is_signed, NumberArg(info[4]),
                                                  NumberArg(info[5]), NumberArg(info[6]), NumberArg(info[7]), NumberArg(info[8])));
  return info.Env().Undefined();
}


// dequantizePacked(q, out, bits, signed, scale, zeroPoint): out.length elements.
Napi::Value QuantkitAddon::DequantizePacked(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 6, "dequantizePacked");
  const View q = Uint8Array(info[0], "q");
  const View out = Float32Output(info[1], "out");
  const bool is_signed = BooleanArg(info[3], "signed");
  Raise(info.Env(), quantkit::ops::DequantizePacked(ctx_, q.array(), out.array(), NumberArg(info[2]), is_signed, NumberArg(info[4]),
                                                    NumberArg(info[5])));
  return info.Env().Undefined();
}


// pack(values, out, bits, signed): -1, or the index of the first value outside the range
// (then nothing is written).
Napi::Value QuantkitAddon::Pack(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 4, "pack");
  const View values = ByteValues(info[0], "values");
  const View out = Uint8Array(info[1], "out");
  const bool is_signed = BooleanArg(info[3], "signed");
  double result = -1;
  Raise(info.Env(), quantkit::ops::Pack(values.array(), out.array(), NumberArg(info[2]), is_signed, &result));
  return Napi::Number::New(info.Env(), result);
}


// unpack(packed, out, bits, signed): out.length elements, sign-extended when signed.
Napi::Value QuantkitAddon::Unpack(const Napi::CallbackInfo& info) {
  CheckArgCount(info, 4, "unpack");
  const View packed = Uint8Array(info[0], "packed");
  const View out = ByteValues(info[1], "out");
  const bool is_signed = BooleanArg(info[3], "signed");
  Raise(info.Env(), quantkit::ops::Unpack(packed.array(), out.array(), NumberArg(info[2]), is_signed));
  return info.Env().Undefined();
}

}  // namespace quantkit::glue
