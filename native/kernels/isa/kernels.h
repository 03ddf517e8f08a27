// quantkit kernels: plain C++ over raw pointers. Nothing here knows about Node.
//
// Numeric contract (SPEC §2), shared by every ISA:
//   quantize:   q = clamp(rint(fl(x / s)) + z, qmin, qmax); NaN -> z; float64 input is
//               first rounded to float32. Other frameworks' conventions (Rounding) change
//               only the quotient and the rounding; see Rounding below.
//   dequantize: x = fl(float32(q - z) * s)
//   minmax:     smallest and largest non-NaN value; NaN, NaN when there is none.
// The scalar kernels are the reference; every SIMD kernel must return identical bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quantkit {

// Element types, numbered as the dispatch tables index them.
enum FloatType : int { kF32 = 0, kF64 = 1, kFloatTypeCount = 2 };
enum QuantType : int { kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kQuantTypeCount = 4 };

// How quantize turns x / s into an integer (README "Conventions"). Only the quotient and
// the rounding differ; clamping, NaN -> z, +-Inf saturation and float64 input are shared.
//   kRoundOnnx:    rint(fl(x / s)), ties to even (ONNX QuantizeLinear)
//   kRoundPytorch: rint(fl(x * fl(1 / s))), ties to even (ATen quantize_val / fbgemm Quantize)
//   kRoundTflite:  round(fl(x / s)), ties away from zero (TFLite reference AffineQuantize)
enum Rounding : int { kRoundOnnx = 0, kRoundPytorch = 1, kRoundTflite = 2, kRoundingCount = 3 };

struct QuantizeParams {
  float scale;         // positive, finite
  int32_t zero_point;  // within [qmin, qmax]
  int32_t qmin;        // within the container type's range, qmin < qmax
  int32_t qmax;
};

struct MinMaxResult {
  float min;
  float max;
};

using QuantizeFn = void (*)(const void* x, void* q, size_t n, const QuantizeParams& p);
using DequantizeFn = void (*)(const void* q, float* x, size_t n, float scale, int32_t zero_point);
using MinMaxFn = MinMaxResult (*)(const void* x, size_t n);

// Per-lane parameters (per-axis and blocked quantization, kernels/axis/axis.h): element i of a
// call uses scale[i] and zero_point[i]; lo[i] = float(qmin - zero_point[i]) and
// hi[i] = float(qmax - zero_point[i]) are precomputed by the caller. Each element gets the
// bits the per-tensor kernel gives it with QuantizeParams{scale[i], zero_point[i], qmin, qmax}.
struct LaneParams {
  const float* scale;
  const int32_t* zero_point;
  const float* lo;
  const float* hi;
};

using QuantizeLanesFn = void (*)(const void* x, void* q, size_t n, const LaneParams& p);
using DequantizeLanesFn = void (*)(const void* q, float* x, size_t n, const float* scale, const int32_t* zero_point);
// `runs` consecutive runs of `run_length` elements, run r quantized as per-tensor with
// QuantizeParams{scale[r], zero_point[r], qmin, qmax} (blocks along the last axis).
using QuantizeRunsFn = void (*)(const void* x, void* q, size_t runs, size_t run_length, const float* scale,
                                const int32_t* zero_point, int32_t qmin, int32_t qmax);

// One row per ISA level; filled once at load time (see dispatch.cc). The quantize kernels
// are indexed by Rounding first.
struct KernelTable {
  const char* isa;
  QuantizeFn quantize[kRoundingCount][kFloatTypeCount][kQuantTypeCount];
  DequantizeFn dequantize[kQuantTypeCount];
  MinMaxFn minmax[kFloatTypeCount];
  QuantizeLanesFn quantize_lanes[kRoundingCount][kFloatTypeCount][kQuantTypeCount];
  DequantizeLanesFn dequantize_lanes[kQuantTypeCount];
  QuantizeRunsFn quantize_runs[kRoundingCount][kFloatTypeCount][kQuantTypeCount];
};

// ISA levels in increasing order of capability. arm64 (neon) and WebAssembly (simd128) are
// kept in the same enumeration so that QUANTKIT_ISA and backend.isa name one list; a level
// of another architecture is simply never runnable. New levels go before kIsaCount, so that
// the numbers of the existing ones never change.
enum IsaLevel : int { kIsaScalar = 0, kIsaSse2, kIsaAvx2, kIsaAvx512, kIsaNeon, kIsaSimd128, kIsaCount };

const char* IsaName(IsaLevel level);

// The kernel table for one level, or nullptr when this build has no kernels for it.
const KernelTable* KernelsFor(IsaLevel level);

// True when this CPU and OS can run the level's instructions (cpuid + XGETBV on x86).
bool CpuSupports(IsaLevel level);

// True when the CPU and OS can run the level and this build has kernels for it. CPU support
// is checked first: an ISA file's table accessor is never called where the ISA is missing.
bool Runnable(IsaLevel level);

// The best runnable level up to `cap` (kIsaCount for no cap). A level not yet verified on
// real hardware is picked only when `cap` names it.
IsaLevel BestIsa(IsaLevel cap);

// Reference kernels, used directly by the SIMD kernels for their tails.
const KernelTable& ScalarKernels();

#if defined(QUANTKIT_X86)
const KernelTable& Sse2Kernels();
const KernelTable& Avx2Kernels();
const KernelTable& Avx512Kernels();
#endif

#if defined(QUANTKIT_ARM64)
const KernelTable& NeonKernels();
#endif

#if defined(QUANTKIT_WASM)
const KernelTable& Simd128Kernels();
#endif

}  // namespace quantkit
