// Q5_0, Q5_1, Q4_K, Q5_K and Q6_K: the scalar reference (ggml_kquants.cc), and the scalar
// steps of a k-quant super-block that the SIMD kernels (ggml_kquants_simd.h) share with it.
// These live in a translation unit of their own, built with the baseline flags only, so that
// no ISA file (built with -mavx2 -mfma or -mavx512f) compiles their scalar float arithmetic:
// ggml's k-quant search (make_qkx2_quants, make_qx_quants) is long chains of float32 sums
// whose every rounding decides bytes, and the one safe way to keep an FMA out of scalar code
// whatever the compiler's contraction default (MSVC has no -ffp-contract=off) is never to
// build it where one exists. The SIMD kernels do their float arithmetic in intrinsics only,
// one instruction per operation of the reference, and call the functions below for the rest.
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

namespace kquant {

// ggml's GROUP_MAX_EPS: below it a group's largest magnitude (or a super-block's largest
// scale) counts as zero.
constexpr float kGroupMaxEps = 1e-15f;

// get_scale_min_k4: sub-block j's 6-bit scale and min from the 12 packed bytes.
inline void ScaleMinK4(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Q4_K / Q5_K: the 8 sub-block scales and mins (−min, ≥ 0) of make_qkx2_quants quantized to
// 6 bits against their largest (d = max_scale/63, dmin = max_min/63, both fp16): writes d,
// dmin and scales[12] of the super-block at out.
void StoreScalesMinsK(const float* scales, const float* mins, uint8_t* out);
// Q6_K: the 16 sub-block scales of make_qx_quants as int8 against the largest magnitude,
// and d. When every |scale| is below kGroupMaxEps, writes the whole 210-byte super-block as
// zeros and returns false (the codes are not needed then).
bool StoreScalesQ6_K(const float* scales, uint8_t* out);
// The final codes L[256] (0..15, 0..31, 0..63) into qs (and qh) of the super-block at out.
void PackCodesQ4_K(const uint8_t* L, uint8_t* out);
void PackCodesQ5_K(const uint8_t* L, uint8_t* out);
void PackCodesQ6_K(const uint8_t* L, uint8_t* out);

}  // namespace kquant
}  // namespace ggml
}  // namespace quantkit
