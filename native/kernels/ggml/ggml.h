// ggml's Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 blocks and its Q4_K, Q5_K, Q6_K super-blocks, byte for
// byte as ggml's reference row quantizers (quantize_row_<type>_ref in ggml-quants.c) write
// them, so that the bytes drop into a GGUF tensor. The reference is plain scalar C++
// (ggml_impl.h for the first three, ggml_kquants.cc for the others); the SIMD tables
// (ggml_simd.h, ggml_kquants_simd.h) write the same bytes. The arithmetic is float32, one rounding per
// operation, no contraction (-ffp-contract=off).
//
// Block layouts (little-endian float16 fields, no padding):
//   Q8_0   32 elements, 34 bytes: d, qs[32] int8               x = qs[j] · d
//   Q4_0   32 elements, 18 bytes: d, qs[16] nibbles            x = (nibble − 8) · d
//   Q4_1   32 elements, 20 bytes: d, m, qs[16] nibbles         x = nibble · d + m
//   Q5_0   32 elements, 22 bytes: d, qh[4], qs[16] nibbles     x = (nibble | bit << 4) − 16) · d
//   Q5_1   32 elements, 24 bytes: d, m, qh[4], qs[16] nibbles  x = (nibble | bit << 4) · d + m
//   Q4_K  256 elements, 144 bytes: d, dmin, scales[12], qs[128]
//   Q5_K  256 elements, 176 bytes: d, dmin, scales[12], qh[32], qs[128]
//   Q6_K  256 elements, 210 bytes: ql[128], qh[64], scales[16] int8, d
// In the 32-element types, byte j holds element j in its low nibble and element j + 16 in its
// high one (bit j and bit j + 16 of the little-endian qh word hold their fifth bits). The
// k-quant packings are described in ggml_kquants.cc.
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
enum BlockType : int {
  kQ8_0 = 0, kQ4_0 = 1, kQ4_1 = 2, kQ5_0 = 3, kQ5_1 = 4, kQ4_K = 5, kQ5_K = 6, kQ6_K = 7,
  kBlockTypeCount = 8
};

// Elements of a 32-element block (Q8_0 to Q5_1), and of a k-quant super-block (ggml's QK_K).
constexpr size_t kBlockSize = 32;
constexpr size_t kSuperBlockSize = 256;

constexpr bool IsKQuant(int type) { return type >= kQ4_K; }

// Elements of one block of `type`: 32, or 256 for the k-quants.
constexpr size_t BlockElements(int type) { return IsKQuant(type) ? kSuperBlockSize : kBlockSize; }

// Bytes of one block of `type`.
constexpr size_t BlockBytes(int type) {
  switch (type) {
    case kQ8_0: return 34;
    case kQ4_0: return 18;
    case kQ4_1: return 20;
    case kQ5_0: return 22;
    case kQ5_1: return 24;
    case kQ4_K: return 144;
    case kQ5_K: return 176;
    default: return 210;  // kQ6_K
  }
}

// One ISA's block kernels, picked at load time like the quantize kernels (GgmlKernelsFor).
// quantize: x holds blocks · BlockElements(type) finite values (float or double as the row
// says; a float64 is read as if rounded to float32 first), out blocks · BlockBytes(type) bytes.
// dequantize: in holds blocks · BlockBytes(type) bytes (any bits), out blocks ·
// BlockElements(type) floats; a result that is NaN (only possible where a stored scale, d, m
// or dmin, is Inf or NaN) is written as 0x7fc00000.
// Every table writes the scalar table's bytes (native/kernels/test/kernel_test.cc). The
// quantize of Q5_0 to Q6_K has SIMD kernels on SSE2, AVX2, AVX-512 and simd128 (ggml_simd.h,
// ggml_kquants_simd.h) and is the scalar reference (ggml_kquants.cc) on NEON; their
// dequantize is the scalar reference in every table.
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
#if defined(QUANTKIT_WASM)
const GgmlTable& Simd128Ggml();
#endif

}  // namespace ggml
}  // namespace quantkit
