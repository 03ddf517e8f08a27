// The scalar ggml table (the reference, ggml_impl.h) and the per-level choice. Baseline
// flags only.
#include "kernels/ggml/ggml_impl.h"

namespace quantkit {
namespace ggml {
namespace {

struct ScalarGgmlOps {
  static constexpr bool Owns(int type) { return type <= kQ4_1; }
  template <int Type, typename In>
  static void Quantize(const void* x, size_t blocks, uint8_t* out) { ref::QuantizeRef<Type, In>(x, blocks, out); }
  template <int Type>
  static void Dequantize(const uint8_t* in, size_t blocks, float* out) { ref::DequantizeRef<Type>(in, blocks, out); }
  template <typename In>
  static size_t FirstNonFinite(const void* x, size_t n) { return ref::FirstNonFinite(static_cast<const In*>(x), n); }
};

constexpr GgmlTable kScalarGgml = MakeGgmlTable<ScalarGgmlOps>("scalar");

}  // namespace

const GgmlTable& ScalarGgml() { return kScalarGgml; }

const GgmlTable& GgmlKernelsFor(IsaLevel level) {
  switch (level) {
#if defined(QUANTKIT_X86)
    case kIsaSse2: return Sse2Ggml();
    case kIsaAvx2: return Avx2Ggml();
    case kIsaAvx512: return Avx512Ggml();
#endif
#if defined(QUANTKIT_ARM64)
    case kIsaNeon: return NeonGgml();
#endif
#if defined(QUANTKIT_WASM)
    case kIsaSimd128: return Simd128Ggml();
#endif
    default: return ScalarGgml();
  }
}

}  // namespace ggml
}  // namespace quantkit
