// Array conversions float32/float64 <-> float16 and bfloat16 (bits in uint16_t), one table
// per ISA, picked at load time like the quantize kernels. The rules are half.h's; every
// ISA's table returns the scalar table's bits (native/kernels/test/kernel_test.cc).
// A float64 input is read as if first rounded to float32 (SPEC §2.6).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/isa/kernels.h"

namespace quantkit {

using ToHalfFn = void (*)(const void* x, uint16_t* h, size_t n);  // x: float or double (FloatType row)
using FromHalfFn = void (*)(const uint16_t* h, float* x, size_t n);

struct ConvertTable {
  const char* isa;  // "scalar", "sse2", "f16c" (AVX2 + F16C), "neon", "simd128"
  ToHalfFn to_f16[kFloatTypeCount];
  FromHalfFn from_f16;
  ToHalfFn to_bf16[kFloatTypeCount];
  FromHalfFn from_bf16;
};

// The conversions for a kernel level the addon has picked (so one the CPU runs): AVX2 and
// AVX-512 use F16C when CPUID says so, else the SSE2 table. Never null.
const ConvertTable& ConvertKernelsFor(IsaLevel level);

// True when CPUID.1:ECX bit 29 (F16C) is set. Only asked at levels that already need AVX.
bool CpuHasF16c();

const ConvertTable& ScalarConvert();
#if defined(QUANTKIT_X86)
const ConvertTable& Sse2Convert();
const ConvertTable& F16cConvert();
#endif
#if defined(QUANTKIT_ARM64)
const ConvertTable& NeonConvert();
#endif
#if defined(QUANTKIT_WASM)
const ConvertTable& Simd128Convert();
#endif

}  // namespace quantkit
