// Preprocessing kernels (README "Preprocessing"): pixels -> model input through per-channel
// lookup tables, and embeddings -> int8 / uint8 / packed bits. Plain C++ over raw pointers,
// one table per ISA, picked at load time like the other kernel families; every ISA's table
// returns the scalar table's bits.
//
// Why tables for images: an output element depends only on its channel and its byte, so the
// facade computes the 256 results of each channel once (in the framework's own float32 steps:
// torchvision's fl(fl(fl(v / 255) - mean) / std), transformers.js' rounding, float16, or the
// quantized codes) and the kernel is a gather plus the HWC -> CHW transpose. The bits cannot
// depend on the ISA, and the normalization costs nothing per pixel.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/isa/kernels.h"

namespace quantkit {
namespace preprocess {

// Output element width of an image call: 4 (float32 bits), 2 (float16 bits, 16-bit codes), 1.
enum LutWidth : int { kLut32 = 0, kLut16 = 1, kLut8 = 2, kLutWidthCount = 3 };

struct ImageCall {
  const uint8_t* pixels;  // HWC bytes, in_channels per pixel
  void* out;              // out_channels * pixel_count elements of the LUT's width
  const void* lut;        // out_channels * 256 elements of the same width
  size_t pixel_count;
  int in_channels;   // 1..4
  int out_channels;  // 1..4
  uint8_t source[4];  // out channel c reads byte source[c] of each pixel (< in_channels)
  bool nhwc;          // else NCHW: channel c is the plane at c * pixel_count
};

// Writes the output elements of pixels [begin, end).
using ImageFn = void (*)(const ImageCall& call, size_t begin, size_t end);

// Embedding rows of `dim` values (float or double: FloatType), codes one byte each:
//   t = fl(fl(x - min[d]) / step[d]); NaN -> 0; clamp to [0, 255]; then floor (the
//   sentence-transformers convention) or round to nearest even (the default);
//   uint8 code = t, int8 code = t - 128 (stored as bits: t ^ 0x80).
using EmbedQuantizeFn = void (*)(const void* x, uint8_t* out, size_t rows, size_t dim, const float* min,
                                 const float* step, bool floor, bool is_signed);
// Packed signs: bit (7 - d % 8) of byte d / 8 of a row is x[d] > 0 (NaN: 0); each row is
// ceil(dim / 8) bytes, the unused low bits of its last byte 0; int8: byte ^ 0x80 (= u - 128).
using EmbedBinaryFn = void (*)(const void* x, uint8_t* out, size_t rows, size_t dim, bool is_signed);

struct PreprocessTable {
  const char* isa;
  ImageFn image[kLutWidthCount];
  EmbedQuantizeFn quantize[kFloatTypeCount];
  EmbedBinaryFn binary[kFloatTypeCount];
};

// Never null: the best table for a level the addon has picked.
const PreprocessTable& PreprocessKernelsFor(IsaLevel level);

const PreprocessTable& ScalarPreprocess();
#if defined(QUANTKIT_X86)
const PreprocessTable& Avx2Preprocess();
#endif

}  // namespace preprocess
}  // namespace quantkit
