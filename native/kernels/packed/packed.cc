#include "kernels/packed/packed.h"

namespace quantkit {

namespace {

// Elements per chunk: a multiple of 8, so every chunk starts on a byte for both widths, and
// small enough (4 KiB of codes) to stay in L1 between the 8-bit kernel and the packer.
constexpr size_t kChunk = 4096;

template <int kBits>
void PackCodesT(const uint8_t* codes, size_t n, uint8_t* out) {
  constexpr int kPerByte = 8 / kBits;
  constexpr unsigned kMask = (1u << kBits) - 1;
  const size_t full = n / kPerByte;
  for (size_t j = 0; j < full; ++j) {
    unsigned byte = 0;
    for (int k = 0; k < kPerByte; ++k) byte |= (codes[j * kPerByte + k] & kMask) << (k * kBits);
    out[j] = static_cast<uint8_t>(byte);
  }
  const size_t rest = n - full * kPerByte;
  if (rest != 0) {
    unsigned byte = 0;
    for (size_t k = 0; k < rest; ++k) byte |= (codes[full * kPerByte + k] & kMask) << (k * kBits);
    out[full] = static_cast<uint8_t>(byte);
  }
}

template <int kBits, bool kSigned>
void UnpackCodesT(const uint8_t* packed, size_t n, uint8_t* out) {
  constexpr int kPerByte = 8 / kBits;
  for (size_t i = 0; i < n; ++i) {
    const int shift = static_cast<int>(i % kPerByte) * kBits;
    // Move the element to the top of a byte, then shift it back down: an arithmetic shift
    // of the signed byte sign-extends it, a logical one of the unsigned byte does not.
    const uint8_t top = static_cast<uint8_t>(packed[i / kPerByte] << (8 - kBits - shift));
    out[i] = kSigned ? static_cast<uint8_t>(static_cast<int8_t>(top) >> (8 - kBits))
                     : static_cast<uint8_t>(top >> (8 - kBits));
  }
}

}  // namespace

void PackCodes(const uint8_t* codes, size_t n, uint8_t* out, int bits) {
  if (bits == 4) PackCodesT<4>(codes, n, out);
  else PackCodesT<2>(codes, n, out);
}

void UnpackCodes(const uint8_t* packed, size_t n, uint8_t* out, int bits, bool is_signed) {
  if (bits == 4) {
    if (is_signed) UnpackCodesT<4, true>(packed, n, out);
    else UnpackCodesT<4, false>(packed, n, out);
  } else {
    if (is_signed) UnpackCodesT<2, true>(packed, n, out);
    else UnpackCodesT<2, false>(packed, n, out);
  }
}

void QuantizePacked(QuantizeFn quantize8, const void* x, size_t in_size, uint8_t* q, size_t n, int bits,
                    const QuantizeParams& p) {
  uint8_t codes[kChunk];
  const char* in = static_cast<const char*>(x);
  for (size_t i = 0; i < n; i += kChunk) {
    const size_t m = n - i < kChunk ? n - i : kChunk;
    quantize8(in + i * in_size, codes, m, p);
    PackCodes(codes, m, q + i / static_cast<size_t>(8 / bits), bits);
  }
}

void DequantizePacked(DequantizeFn dequantize8, const uint8_t* q, float* x, size_t n, int bits, bool is_signed,
                      float scale, int32_t zero_point) {
  uint8_t codes[kChunk];
  for (size_t i = 0; i < n; i += kChunk) {
    const size_t m = n - i < kChunk ? n - i : kChunk;
    UnpackCodes(q + i / static_cast<size_t>(8 / bits), m, codes, bits, is_signed);
    dequantize8(codes, x + i, m, scale, zero_point);
  }
}

size_t FirstOutOfRange(const uint8_t* v, bool values_signed, size_t n, int bits, bool is_signed) {
  const int lo = is_signed ? -(1 << (bits - 1)) : 0;
  const int hi = is_signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  for (size_t i = 0; i < n; ++i) {
    const int value = values_signed ? static_cast<int>(static_cast<int8_t>(v[i])) : static_cast<int>(v[i]);
    if (value < lo || value > hi) return i;
  }
  return n;
}

}  // namespace quantkit
