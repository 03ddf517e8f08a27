// ggml's Q8_0, Q4_0 and Q4_1 blocks, byte for byte as ggml's reference row quantizers
// (quantize_row_q8_0_ref, quantize_row_q4_0_ref, quantize_row_q4_1_ref in ggml-quants.c)
// write them, so that the bytes drop into a GGUF tensor. The reference is plain scalar C++
// (ggml_impl.h); the SIMD tables (ggml_simd.h) write the same bytes. The arithmetic is
// float32, one rounding per operation, no contraction (-ffp-contract=off).
//
// Block layouts (32 elements each, little-endian float16 fields, no padding):
//   Q8_0  34 bytes: d (fp16), qs[32] int8              x = qs[j] · d
//   Q4_0  18 bytes: d (fp16), qs[16] nibbles           x = (nibble − 8) · d
//   Q4_1  20 bytes: d (fp16), m (fp16), qs[16] nibbles x = nibble · d + m
// In Q4_0 and Q4_1, byte j holds element j in its low nibble and element j + 16 in its high one.
//
// Where the C reference converts a NaN or an infinity to an integer (undefined behaviour in
// C; it happens only when 1/d overflows float32, i.e. d < 2^-128, or when Q4_1's max − min
// overflows), the code written is 0: what the reference compiled for x86-64 gives (cvttss2si
// returns 0x80000000, whose low byte is 0). Such a block's fp16 d is 0 or Inf either way.
// Non-finite inputs are refused before quantizing (first_non_finite), never quantized.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/isa/kernels.h"

namespace quantkit {
namespace ggml {

// Block types, numbered as binding.ggmlQuantize's typeCode argument.
enum BlockType : int { kQ8_0 = 0, kQ4_0 = 1, kQ4_1 = 2, kBlockTypeCount = 3 };

constexpr size_t kBlockSize = 32;

// Bytes of one block of `type` (34, 18 or 20).
constexpr size_t BlockBytes(int type) { return type == kQ8_0 ? 34 : type == kQ4_0 ? 18 : 20; }

// One ISA's block kernels, picked at load time like the quantize kernels (GgmlKernelsFor).
// quantize: x holds blocks · 32 finite values (float or double as the row says; a float64
// is read as if rounded to float32 first), out blocks · BlockBytes(type) bytes.
// dequantize: in holds blocks · BlockBytes(type) bytes (any bits), out blocks · 32 floats;
// a result that is NaN (only possible where d or m is Inf or NaN) is written as 0x7fc00000.
// Every table writes the scalar table's bytes (native/kernels/test/kernel_test.cc).
using GgmlQuantizeFn = void (*)(const void* x, size_t blocks, uint8_t* out);
using GgmlDequantizeFn = void (*)(const uint8_t* in, size_t blocks, float* out);
// Index of the first element of x (float or double as the row says) that is NaN or ±Inf
// once read as float32 (a float64 that overflows float32 counts), or n when there is none.
using GgmlFirstNonFiniteFn = size_t (*)(const void* x, size_t n);

struct GgmlTable {
  const char* isa;
  GgmlQuantizeFn quantize[kFloatTypeCount][kBlockTypeCount];
  GgmlDequantizeFn dequantize[kBlockTypeCount];
  GgmlFirstNonFiniteFn first_non_finite[kFloatTypeCount];
};

// The table for a kernel level the addon has picked (so one the CPU runs). Never null.
const GgmlTable& GgmlKernelsFor(IsaLevel level);

const GgmlTable& ScalarGgml();
#if defined(QUANTKIT_X86)
const GgmlTable& Sse2Ggml();
const GgmlTable& Avx2Ggml();
const GgmlTable& Avx512Ggml();
#endif
#if defined(QUANTKIT_ARM64)
const GgmlTable& NeonGgml();
#endif

}  // namespace ggml
}  // namespace quantkit
