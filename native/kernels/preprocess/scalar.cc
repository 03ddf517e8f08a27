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

// The image loops are table lookups, scalar on every level (see x86_avx2.cc); the embedding
// loops are vectorized for AVX2 (and AVX-512 CPUs, which run AVX2). SSE2 has no vector floor
// and NEON has no kernels here yet: they use the scalar table.
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
