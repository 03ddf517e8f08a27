// The reference conversions (half.h, one element at a time) and the per-level choice.
// Baseline flags only.
#include "kernels/convert/convert_impl.h"

namespace quantkit {
namespace {

struct ScalarConvertOps {
  template <typename In>
  static void ToHalf(const In* x, uint16_t* h, size_t n) { convert::ToHalf(x, h, n); }
  static void FromHalf(const uint16_t* h, float* x, size_t n) { convert::FromHalf(h, x, n); }
  template <typename In>
  static void ToBFloat16(const In* x, uint16_t* h, size_t n) { convert::ToBFloat16(x, h, n); }
  static void FromBFloat16(const uint16_t* h, float* x, size_t n) { convert::FromBFloat16(h, x, n); }
};

constexpr ConvertTable kScalarConvert = convert::MakeConvertTable<ScalarConvertOps>("scalar");

}  // namespace

const ConvertTable& ScalarConvert() { return kScalarConvert; }

const ConvertTable& ConvertKernelsFor(IsaLevel level) {
  switch (level) {
#if defined(QUANTKIT_X86)
    case kIsaSse2: return Sse2Convert();
    // F16C is VEX-encoded: these levels have already checked the OS saves YMM state.
    case kIsaAvx2:
    case kIsaAvx512: {
      static const bool f16c = CpuHasF16c();
      return f16c ? F16cConvert() : Sse2Convert();
    }
#endif
#if defined(QUANTKIT_ARM64)
    case kIsaNeon: return NeonConvert();
#endif
#if defined(QUANTKIT_WASM)
    case kIsaSimd128: return Simd128Convert();
#endif
    default: return ScalarConvert();
  }
}

}  // namespace quantkit
