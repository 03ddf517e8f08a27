// The reference preprocessing loops, one element at a time. The ISA files use them for
// their tails and for the cases they do not vectorize, so a tail can never disagree.
#pragma once

#include <cmath>
#include <cstring>

#include "kernels/preprocess/preprocess.h"

namespace quantkit {
namespace preprocess {
namespace scalar {

// NCHW with the channel counts known at compile time: each pixel is read once and its
// output channels go to their planes; the loop is loads, lookups and stores only.
template <typename T, size_t kIn, size_t kOut>
void ImagePlanes(const ImageCall& call, size_t begin, size_t end) {
  const T* lut = static_cast<const T*>(call.lut);
  T* out = static_cast<T*>(call.out);
  const size_t n = call.pixel_count;
  size_t src[kOut];
  for (size_t c = 0; c < kOut; ++c) src[c] = call.source[c];
  const uint8_t* px = call.pixels + begin * kIn;
  for (size_t p = begin; p < end; ++p, px += kIn) {
    for (size_t c = 0; c < kOut; ++c) out[c * n + p] = lut[c * 256 + px[src[c]]];
  }
}

template <typename T, size_t kIn>
void ImagePlanesOut(const ImageCall& call, size_t begin, size_t end) {
  switch (call.out_channels) {
    case 1: return ImagePlanes<T, kIn, 1>(call, begin, end);
    case 3: return ImagePlanes<T, kIn, 3>(call, begin, end);
    default: return ImagePlanes<T, kIn, 4>(call, begin, end);
  }
}

template <typename T>
void Image(const ImageCall& call, size_t begin, size_t end) {
  const T* lut = static_cast<const T*>(call.lut);
  T* out = static_cast<T*>(call.out);
  const size_t ic = static_cast<size_t>(call.in_channels), oc = static_cast<size_t>(call.out_channels);
  if (call.nhwc) {
    for (size_t p = begin; p < end; ++p) {
      const uint8_t* px = call.pixels + p * ic;
      for (size_t c = 0; c < oc; ++c) out[p * oc + c] = lut[c * 256 + px[call.source[c]]];
    }
    return;
  }
  // Output channel counts are 1, 3 or 4 from the facade; 2 goes through the generic loop.
  if (oc != 2) {
    switch (ic) {
      case 1: return ImagePlanesOut<T, 1>(call, begin, end);
      case 3: return ImagePlanesOut<T, 3>(call, begin, end);
      case 4: return ImagePlanesOut<T, 4>(call, begin, end);
      default: break;
    }
  }
  for (size_t c = 0; c < oc; ++c) {
    const T* table = lut + c * 256;
    const uint8_t* px = call.pixels + call.source[c];
    T* plane = out + c * call.pixel_count;
    for (size_t p = begin; p < end; ++p) plane[p] = table[px[p * ic]];
  }
}

inline float AsFloat(float v) { return v; }
inline float AsFloat(double v) { return static_cast<float>(v); }  // SPEC §2.6: read as float32

// Round to nearest, ties to even, of a value already inside [0, 255] (independent of the
// rounding mode: 2^23 forces the float32 rounding of the addition to the integer grid).
inline float RintSmall(float t) {
  const float big = 8388608.0f;
  return (t + big) - big;  // not folded away: no -ffast-math (CMakeLists.txt)
}

inline uint8_t EmbedCode(float x, float min, float step, bool floor, bool is_signed) {
  float t = (x - min) / step;
  if (!(t > 0.0f)) t = 0.0f;  // NaN and everything at or below 0
  if (t > 255.0f) t = 255.0f;
  const float q = floor ? std::floor(t) : RintSmall(t);
  const uint8_t code = static_cast<uint8_t>(static_cast<int>(q));
  return is_signed ? static_cast<uint8_t>(code ^ 0x80u) : code;
}

template <typename In>
void EmbedQuantizeRows(const In* x, uint8_t* out, size_t rows, size_t dim, const float* min, const float* step,
                       bool floor, bool is_signed, size_t from_dim = 0) {
  for (size_t r = 0; r < rows; ++r) {
    const In* row = x + r * dim;
    uint8_t* o = out + r * dim;
    for (size_t d = from_dim; d < dim; ++d) o[d] = EmbedCode(AsFloat(row[d]), min[d], step[d], floor, is_signed);
  }
}

template <typename In>
void EmbedQuantize(const void* x, uint8_t* out, size_t rows, size_t dim, const float* min, const float* step, bool floor,
                   bool is_signed) {
  EmbedQuantizeRows(static_cast<const In*>(x), out, rows, dim, min, step, floor, is_signed);
}

// Packs dims [from_dim, dim) of one row; from_dim is a multiple of 8.
template <typename In>
void BinaryRowTail(const In* row, uint8_t* o, size_t dim, bool is_signed, size_t from_dim) {
  for (size_t d = from_dim; d < dim; d += 8) {
    unsigned byte = 0;
    for (size_t k = 0; k < 8; ++k) {
      const bool positive = d + k < dim && AsFloat(row[d + k]) > 0.0f;
      byte |= static_cast<unsigned>(positive) << (7 - k);
    }
    o[d / 8] = static_cast<uint8_t>(is_signed ? byte ^ 0x80u : byte);
  }
}

template <typename In>
void EmbedBinary(const void* x, uint8_t* out, size_t rows, size_t dim, bool is_signed) {
  const size_t row_bytes = (dim + 7) / 8;
  for (size_t r = 0; r < rows; ++r) {
    BinaryRowTail(static_cast<const In*>(x) + r * dim, out + r * row_bytes, dim, is_signed, 0);
  }
}

}  // namespace scalar
}  // namespace preprocess
}  // namespace quantkit
