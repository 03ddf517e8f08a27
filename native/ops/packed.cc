// Packed 4- and 2-bit types (quantizePacked, dequantizePacked, pack, unpack) and recode:
// check (native/args) -> call the kernels.
#include "ops/ops.h"
#include "args/packed_args.h"
#include "args/recode_args.h"
#include "kernels/isa/split.h"
#include "kernels/packed/packed.h"
#include "kernels/recode/recode.h"

namespace quantkit::ops {

// Parts start at multiples of 64 elements (split.h), so each part's packed output starts on a byte.
Result QuantizePacked(const Context& c, const Array& x, const Array& out, const Number& bits, bool is_signed,
                      const Number& scale, const Number& zero_point, const Number& qmin, const Number& qmax,
                      const Number& rounding) {
  int b = 0, mode = 0;
  QuantizeParams p{};
  Result r = args::CheckQuantizePacked(x.span(), out.span(), bits, is_signed, scale, zero_point, qmin, qmax, &b, &p);
  if (r.ok()) r = args::CheckRounding(rounding, &mode);
  if (!r.ok()) return r;
  const QuantizeFn quantize8 = c.kernels->quantize[mode][x.type()][is_signed ? kI8 : kU8];
  const size_t in_size = x.elem(), per_byte = static_cast<size_t>(8 / b);
  ForParts(x.length, c.threads, [&](int, size_t begin, size_t end) {
    quantkit::QuantizePacked(quantize8, x.bytes() + begin * in_size, in_size, static_cast<uint8_t*>(out.data) + begin / per_byte,
                   end - begin, b, p);
  });
  return r;
}

Result DequantizePacked(const Context& c, const Array& q, const Array& out, const Number& bits, bool is_signed,
                        const Number& scale, const Number& zero_point) {
  int b = 0;
  float s = 0;
  int32_t z = 0;
  Result r = args::CheckDequantizePacked(q.span(), out.span(), bits, is_signed, scale, zero_point, &b, &s, &z);
  if (!r.ok()) return r;
  const DequantizeFn dequantize8 = c.kernels->dequantize[is_signed ? kI8 : kU8];
  const size_t per_byte = static_cast<size_t>(8 / b);
  ForParts(out.length, c.threads, [&](int, size_t begin, size_t end) {
    quantkit::DequantizePacked(dequantize8, static_cast<const uint8_t*>(q.data) + begin / per_byte,
                     static_cast<float*>(out.data) + begin, end - begin, b, is_signed, s, z);
  });
  return r;
}

// values: Int8Array or Uint8Array. *ret: -1, or the index of the first value outside the
// range (then nothing is written).
Result Pack(const Array& values, const Array& out, const Number& bits, bool is_signed, double* ret) {
  int b = 0;
  Result r = args::CheckPackPair(values.span(), out.span(), bits, "out", &b);
  if (!r.ok()) return r;
  const uint8_t* v = static_cast<const uint8_t*>(values.data);
  const size_t bad = FirstOutOfRange(v, values.kind == kInt8, values.length, b, is_signed);
  if (bad != values.length) {
    *ret = static_cast<double>(bad);
    return r;
  }
  PackCodes(v, values.length, static_cast<uint8_t*>(out.data), b);
  *ret = -1;
  return r;
}

// out.length elements, sign-extended when signed.
Result Unpack(const Array& packed, const Array& out, const Number& bits, bool is_signed) {
  int b = 0;
  Result r = args::CheckPackPair(out.span(), packed.span(), bits, "packed", &b);
  if (!r.ok()) return r;
  UnpackCodes(static_cast<const uint8_t*>(packed.data), out.length, static_cast<uint8_t*>(out.data), b, is_signed);
  return r;
}

// out[i] = q[i] + offset, modulo 2^width, between the signed and the unsigned type of one
// width (kernels/recode/recode.h). out may be q's own memory.
Result Recode(const Array& q, const Array& out, const Number& offset) {
  int32_t delta = 0;
  Result r = args::CheckRecode(q.span(), out.span(), offset, &delta);
  if (!r.ok()) return r;
  switch (q.type()) {
    case kI8: RecodeCodes(static_cast<const int8_t*>(q.data), static_cast<uint8_t*>(out.data), q.length, delta); break;
    case kU8: RecodeCodes(static_cast<const uint8_t*>(q.data), static_cast<int8_t*>(out.data), q.length, delta); break;
    case kI16: RecodeCodes(static_cast<const int16_t*>(q.data), static_cast<uint16_t*>(out.data), q.length, delta); break;
    default: RecodeCodes(static_cast<const uint16_t*>(q.data), static_cast<int16_t*>(out.data), q.length, delta); break;
  }
  return r;
}

}  // namespace quantkit::ops
