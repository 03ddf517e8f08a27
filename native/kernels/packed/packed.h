// Packed sub-byte types (uint4/int4/uint2/int2), `bits` = 4 or 2 per element, in ONNX order:
// element i sits in byte floor(i·bits/8) at bit (i·bits) mod 8, so the first element takes
// the lowest bits. The unused high bits of a last, partial byte are written as 0 and
// ignored when read (ONNX Runtime ignores them too).
//
// Quantize and dequantize run a chunk at a time through the ISA's own 8-bit kernels (passed
// in from the kernel table), so their numbers are exactly the 8-bit ones: this file only
// moves bits, in portable C++ built with baseline flags.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/isa/kernels.h"

namespace quantkit {

// Bytes that hold n packed elements: ceil(n · bits / 8), without overflow for any n.
inline size_t PackedBytes(size_t n, int bits) {
  const size_t per_byte = static_cast<size_t>(8 / bits);
  return n / per_byte + (n % per_byte != 0);
}

// Packs codes[0, n) (only the low `bits` bits of each are used) into out[0, PackedBytes(n)).
void PackCodes(const uint8_t* codes, size_t n, uint8_t* out, int bits);

// Unpacks n elements from packed[0, PackedBytes(n)) into out, sign-extended when `is_signed`.
void UnpackCodes(const uint8_t* packed, size_t n, uint8_t* out, int bits, bool is_signed);

// Quantizes x[0, n) with `quantize8` (the table's int8 kernel when signed, uint8 otherwise,
// for x's float type) and packs the codes into q. `begin` of a part must be a multiple of 8.
void QuantizePacked(QuantizeFn quantize8, const void* x, size_t in_size, uint8_t* q, size_t n, int bits,
                    const QuantizeParams& p);

// Unpacks n elements of q and dequantizes them with `dequantize8` (the table's int8 or uint8 kernel).
void DequantizePacked(DequantizeFn dequantize8, const uint8_t* q, float* x, size_t n, int bits, bool is_signed,
                      float scale, int32_t zero_point);

// Index of the first value of v[0, n) outside the signed or unsigned bits-wide range, or n.
size_t FirstOutOfRange(const uint8_t* v, bool values_signed, size_t n, int bits, bool is_signed);

}  // namespace quantkit
