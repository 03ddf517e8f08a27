// Picks the kernels once, at load time, from what the CPU and the OS support.
// Compiled with baseline flags only: nothing here may use an instruction beyond the
// architecture's baseline.
#include <cstring>

#include "kernels/isa/kernels.h"

#if defined(QUANTKIT_X86)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace quantkit {

namespace {

#if defined(QUANTKIT_X86)
struct CpuidRegs {
  uint32_t eax, ebx, ecx, edx;
};

CpuidRegs Cpuid(uint32_t leaf, uint32_t subleaf) {
  CpuidRegs r{};
#if defined(_MSC_VER)
  int regs[4];
  __cpuidex(regs, static_cast<int>(leaf), static_cast<int>(subleaf));
  r = {static_cast<uint32_t>(regs[0]), static_cast<uint32_t>(regs[1]), static_cast<uint32_t>(regs[2]),
       static_cast<uint32_t>(regs[3])};
#else
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
#endif
  return r;
}

// XCR0: which register states the OS saves on a context switch. A CPU flag alone is not
// enough: an OS that does not save YMM/ZMM state makes AVX code corrupt other threads.
uint64_t ReadXcr0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
#endif
}

struct X86Features {
  bool sse2 = false, avx2 = false, avx512 = false, f16c = false;
};

X86Features DetectX86() {
  X86Features f;
  const uint32_t max_leaf = Cpuid(0, 0).eax;
  if (max_leaf < 1) return f;
  const CpuidRegs l1 = Cpuid(1, 0);
  f.sse2 = (l1.edx >> 26) & 1;
  const bool osxsave = (l1.ecx >> 27) & 1;
  const bool avx = (l1.ecx >> 28) & 1;
  const bool fma = (l1.ecx >> 12) & 1;
  f.f16c = (l1.ecx >> 29) & 1;  // usable only where the OS saves YMM state: the AVX2 level
  if (!osxsave || !avx || max_leaf < 7) return f;
  const uint64_t xcr0 = ReadXcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;     // XMM and YMM state
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;   // plus opmask, ZMM_Hi256, Hi16_ZMM
  const CpuidRegs l7 = Cpuid(7, 0);
  const bool avx2 = (l7.ebx >> 5) & 1;
  const bool avx512f = (l7.ebx >> 16) & 1;
  const bool avx512dq = (l7.ebx >> 17) & 1;
  const bool avx512bw = (l7.ebx >> 30) & 1;
  const bool avx512vl = (l7.ebx >> 31) & 1;
  f.avx2 = os_ymm && avx2 && fma;
  f.avx512 = f.avx2 && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
  return f;
}
#endif

}  // namespace

const char* IsaName(IsaLevel level) {
  switch (level) {
    case kIsaScalar: return "scalar";
    case kIsaSse2: return "sse2";
    case kIsaAvx2: return "avx2";
    case kIsaAvx512: return "avx512";
    case kIsaNeon: return "neon";
    case kIsaSimd128: return "simd128";
    default: return "unknown";
  }
}

const KernelTable* KernelsFor(IsaLevel level) {
  switch (level) {
    case kIsaScalar: return &ScalarKernels();
#if defined(QUANTKIT_X86)
    // Safe to call on any CPU: each accessor only returns the address of constant data.
    case kIsaSse2: return &Sse2Kernels();
    case kIsaAvx2: return &Avx2Kernels();
    case kIsaAvx512: return &Avx512Kernels();
#endif
#if defined(QUANTKIT_ARM64)
    case kIsaNeon: return &NeonKernels();
#endif
#if defined(QUANTKIT_WASM)
    case kIsaSimd128: return &Simd128Kernels();
#endif
    default: return nullptr;
  }
}

bool CpuHasF16c() {
#if defined(QUANTKIT_X86)
  static const X86Features features = DetectX86();
  return features.f16c;
#else
  return false;
#endif
}

bool CpuSupports(IsaLevel level) {
  if (level == kIsaScalar) return true;
#if defined(QUANTKIT_X86)
  static const X86Features features = DetectX86();
  switch (level) {
    case kIsaSse2: return features.sse2;
    case kIsaAvx2: return features.avx2;
    case kIsaAvx512: return features.avx512;
    default: return false;
  }
#elif defined(QUANTKIT_ARM64)
  // Advanced SIMD is mandatory in AArch64: every arm64 CPU and OS runs it.
  return level == kIsaNeon;
#elif defined(QUANTKIT_WASM)
  // No runtime check is possible or needed: a module that uses SIMD instructions does not
  // validate at all in an engine without them, so running here means simd128 is there.
  return level == kIsaSimd128;
#else
  return false;
#endif
}

bool Runnable(IsaLevel level) { return CpuSupports(level) && KernelsFor(level) != nullptr; }

// A level whose kernels have passed the test suite on real hardware. The AVX-512 kernels
// were written on a machine without AVX-512 and have only been compiled, never executed;
// they stay opt-in (QUANTKIT_ISA=avx512) until `npm test` has run on an AVX-512 CPU.
bool Verified(IsaLevel level) { return level != kIsaAvx512; }

IsaLevel BestIsa(IsaLevel cap) {
  IsaLevel best = kIsaScalar;
  for (int level = kIsaScalar + 1; level < kIsaCount && level <= cap; ++level) {
    const IsaLevel l = static_cast<IsaLevel>(level);
    if (Runnable(l) && (Verified(l) || l == cap)) best = l;
  }
  return best;
}

}  // namespace quantkit
