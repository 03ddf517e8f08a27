// The block types that every table takes from the scalar reference: Q5_0, Q5_1, Q4_K, Q5_K
// and Q6_K (ggml_kquants.cc). They live in a translation unit of their own, built with the
// baseline flags only, so that no ISA file (built with -mavx2 -mfma or -mavx512f) compiles
// their float arithmetic: ggml's k-quant search (make_qkx2_quants, make_qx_quants) is long
// chains of float32 sums whose every rounding decides bytes, and the one safe way to keep
// an FMA out of them is never to build them where one exists. Per-ISA tables hold these
// functions' addresses.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/ggml/ggml.h"

namespace quantkit {
namespace ggml {

// Type is kQ5_0, kQ5_1, kQ4_K, kQ5_K or kQ6_K; In float or double. Instantiated in
// ggml_kquants.cc for exactly those.
template <int Type, typename In>
void QuantizeScalarOnly(const void* x, size_t blocks, uint8_t* out);
template <int Type>
void DequantizeScalarOnly(const uint8_t* in, size_t blocks, float* out);

}  // namespace ggml
}  // namespace quantkit
