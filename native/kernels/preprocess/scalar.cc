// The reference preprocessing table and the per-level choice. Baseline flags only.
#include "kernels/preprocess/scalar_impl.h"

namespace quantkit {
namespace preprocess {
namespace {

constexpr PreprocessTable kScalar = {
    "scalar",
    {scalar::Image<uint32_t>, scalar::Image<uint16_t>, scalar::Image<uint8_t>},
    {scalar::EmbedQuantize<float>, scalar::EmbedQuantize<double>},
    {scalar::EmbedBinary<float>, scalar::EmbedBinary<double>},
};

}  // namespace

const PreprocessTable& ScalarPreprocess() { return kScalar; }

// SSE2 has no gather and no vector floor, and the scalar loops already run near memory
// speed there; AVX2 (and AVX-512, whose CPUs run AVX2) get the vector table. NEON: the
// scalar table for now (README "Preprocessing", speed).
const PreprocessTable& PreprocessKernelsFor(IsaLevel level) {
  switch (level) {
#if defined(QUANTKIT_X86)
    case kIsaAvx2:
    case kIsaAvx512: return Avx2Preprocess();
#endif
    default: return ScalarPreprocess();
  }
}

}  // namespace preprocess
}  // namespace quantkit
