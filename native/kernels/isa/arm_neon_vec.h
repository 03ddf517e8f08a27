// The NEON operations that the arm64 kernel families use the same way (quantize: arm_neon.cc,
// ggml: arm_neon_ggml.cc). Each family's Vec derives from NeonBase and adds its own
// operations; Min and Max are not shared, since quantize's minmax needs compare-and-select
// where ggml's amax can use FMIN/FMAX (arm_neon.cc says why). Internal linkage, like every
// header that kernel files include (scalar_impl.h).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

namespace quantkit {
namespace {

struct NeonBase {
  static constexpr size_t kWidth = 4;
  using F = float32x4_t;
  using I = int32x4_t;

  static F Load(const float* p) { return vld1q_f32(p); }
  // FCVTN rounds under FPCR (nearest-even by default), like the C cast in the scalar references.
  static F Load(const double* p) { return vcvt_high_f32_f64(vcvt_f32_f64(vld1q_f64(p)), vld1q_f64(p + 2)); }
  static F Splat(float v) { return vdupq_n_f32(v); }
  static I SplatI(int32_t v) { return vdupq_n_s32(v); }
  static F Div(F a, F b) { return vdivq_f32(a, b); }
  static F Mul(F a, F b) { return vmulq_f32(a, b); }
  // Callers reduce NaN-free lanes, so FMINV/FMAXV's NaN propagation never applies.
  static float ReduceMin(F v) { return vminvq_f32(v); }
  static float ReduceMax(F v) { return vmaxvq_f32(v); }
  static void StoreF(float* p, F v) { vst1q_f32(p, v); }
};

}  // namespace
}  // namespace quantkit
