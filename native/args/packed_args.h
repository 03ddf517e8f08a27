// The Node-API-free argument checks of the packed sub-byte calls (quantizePacked,
// dequantizePacked, pack, unpack), in the manner of args.h. Whatever they accept is safe for
// kernels/packed/packed.h: `bits` is 2 or 4, the packed side holds exactly ceil(n · bits / 8) bytes
// for the n elements of the other side, the two arrays share no byte, and the scale, zero
// point and [qmin, qmax] lie inside the signed or unsigned bits-wide range.
#pragma once

#include <string>

#include "args/args.h"
#include "kernels/packed/packed.h"

namespace quantkit {
namespace args {

inline Result CheckPackedBits(const Number& n, int* bits) {
  if (!n.is_number) return NotANumber(n, "bits");
  if (!(n.value == 2 || n.value == 4)) return RangeError("Expected 2 or 4 for bits but received " + DescribeNumber(n.value));
  *bits = static_cast<int>(n.value);
  return {};
}

// The packed array must hold exactly `count` elements.
inline Result CheckPackedLength(const Span& packed, size_t count, int bits, const char* name) {
  const size_t bytes = PackedBytes(count, bits);
  if (packed.length == bytes) return {};
  return RangeError(std::string("Expected ") + name + ".length to equal " + std::to_string(bytes) + " (" +
                    std::to_string(count) + " packed " + std::to_string(bits) + "-bit values) but received " +
                    std::to_string(packed.length));
}

inline void PackedRange(int bits, bool is_signed, double* lo, double* hi) {
  *lo = is_signed ? -(1 << (bits - 1)) : 0;
  *hi = is_signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
}

// quantizePacked(x, out, bits, signed, scale, zeroPoint, qmin, qmax), after x and out were
// unwrapped (out a Uint8Array) and `signed` read as a boolean.
inline Result CheckQuantizePacked(const Span& x, const Span& out, const Number& bits, bool is_signed, const Number& scale,
                                  const Number& zero_point, const Number& qmin, const Number& qmax, int* bits_out,
                                  QuantizeParams* p) {
  Result r = CheckPackedBits(bits, bits_out);
  if (r.ok()) r = CheckPackedLength(out, x.length, *bits_out, "out");
  if (r.ok()) r = CheckNoOverlap(x, out);
  if (r.ok()) r = CheckScale(scale, &p->scale);
  if (!r.ok()) return r;
  double lo = 0, hi = 0;
  PackedRange(*bits_out, is_signed, &lo, &hi);
  return CheckQuantRange(qmin, qmax, zero_point, lo, hi, p);
}

// dequantizePacked(q, out, bits, signed, scale, zeroPoint): out (Float32Array) sets the count.
inline Result CheckDequantizePacked(const Span& q, const Span& out, const Number& bits, bool is_signed,
                                    const Number& scale, const Number& zero_point, int* bits_out, float* scale_out,
                                    int32_t* zero_point_out) {
  Result r = CheckPackedBits(bits, bits_out);
  if (r.ok()) r = CheckPackedLength(q, out.length, *bits_out, "q");
  if (r.ok()) r = CheckNoOverlap(q, out);
  if (r.ok()) r = CheckScale(scale, scale_out);
  if (!r.ok()) return r;
  double lo = 0, hi = 0;
  PackedRange(*bits_out, is_signed, &lo, &hi);
  return CheckInteger(zero_point, "zeroPoint", lo, hi, zero_point_out);
}

// pack(values, out, bits, signed) and unpack(packed, out, bits, signed): `unpacked` is the
// one-value-per-byte side, `packed` the Uint8Array.
inline Result CheckPackPair(const Span& unpacked, const Span& packed, const Number& bits, const char* packed_name,
                            int* bits_out) {
  Result r = CheckPackedBits(bits, bits_out);
  if (r.ok()) r = CheckPackedLength(packed, unpacked.length, *bits_out, packed_name);
  if (r.ok()) r = CheckNoOverlap(unpacked, packed);
  return r;
}

}  // namespace args
}  // namespace quantkit
