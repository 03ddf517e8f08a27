// ggml blocks in arm64 Advanced SIMD, 4 lanes (baseline: no flags). Block steps: ggml_simd.h.
#include <arm_neon.h>

#include "kernels/ggml/ggml_simd.h"
#include "kernels/isa/arm_neon_vec.h"

namespace quantkit {
namespace ggml {
namespace {

struct NeonGgmlVec : NeonBase {
  static F Abs(F v) { return vabsq_f32(v); }
  static F Min(F a, F b) { return vminq_f32(a, b); }
  static F Max(F a, F b) { return vmaxq_f32(a, b); }
  static F Add(F a, F b) { return vaddq_f32(a, b); }
  static F Sub(F a, F b) { return vsubq_f32(a, b); }
  static uint32_t EqualMask(F a, F b) {
    const uint32_t bits[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(vceqq_f32(a, b), vld1q_u32(bits)));
  }
  // |v| <= FLT_MAX is false for NaN as well as ±Inf.
  static uint32_t FiniteMask(F v) {
    const uint32_t bits[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(vcleq_f32(vabsq_f32(v), vdupq_n_f32(FLT_MAX)), vld1q_u32(bits)));
  }

  // All ones where |v| < 2^30 (not NaN): lanes the reference converts; the others give 0.
  static I Convertible(F v) { return vreinterpretq_s32_u32(vcltq_f32(vabsq_f32(v), vdupq_n_f32(1073741824.0f))); }
  static I RoundHalfAway(F v) {
    const I t = vcvtq_s32_f32(v);  // FCVTZS: toward zero
    const F frac = vsubq_f32(v, vcvtq_f32_s32(t));
    // A true compare is −1: subtracting it adds one.
    I r = vsubq_s32(t, vreinterpretq_s32_u32(vcgeq_f32(frac, vdupq_n_f32(0.5f))));
    r = vaddq_s32(r, vreinterpretq_s32_u32(vcleq_f32(frac, vdupq_n_f32(-0.5f))));
    return vandq_s32(r, Convertible(v));
  }
  static I Nibble(F v) { return vandq_s32(vminq_s32(vcvtq_s32_f32(v), vdupq_n_s32(15)), Convertible(v)); }
  static I Nibbles(I lo, I hi) { return vorrq_s32(lo, vshlq_n_s32(hi, 4)); }

  // XTN narrows by truncation: exactly the low byte of each lane.
  template <size_t N>
  static void StoreBytes(uint8_t* p, const I* q) {
    for (size_t k = 0; k < N; k += 4) {
      const int16x8_t a = vcombine_s16(vmovn_s32(q[k]), vmovn_s32(q[k + 1]));
      const int16x8_t b = vcombine_s16(vmovn_s32(q[k + 2]), vmovn_s32(q[k + 3]));
      vst1q_u8(p + 4 * k, vreinterpretq_u8_s8(vcombine_s8(vmovn_s16(a), vmovn_s16(b))));
    }
  }

  static void LoadQ8(const uint8_t* p, I* q) {
    for (size_t h = 0; h < 2; ++h) {
      const int8x16_t b = vreinterpretq_s8_u8(vld1q_u8(p + 16 * h));
      const int16x8_t lo = vmovl_s8(vget_low_s8(b)), hi = vmovl_s8(vget_high_s8(b));
      q[4 * h] = vmovl_s16(vget_low_s16(lo));
      q[4 * h + 1] = vmovl_s16(vget_high_s16(lo));
      q[4 * h + 2] = vmovl_s16(vget_low_s16(hi));
      q[4 * h + 3] = vmovl_s16(vget_high_s16(hi));
    }
  }
  static void Widen(uint8x16_t bytes, I* q) {
    const uint16x8_t lo = vmovl_u8(vget_low_u8(bytes)), hi = vmovl_u8(vget_high_u8(bytes));
    q[0] = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(lo)));
    q[1] = vreinterpretq_s32_u32(vmovl_u16(vget_high_u16(lo)));
    q[2] = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(hi)));
    q[3] = vreinterpretq_s32_u32(vmovl_u16(vget_high_u16(hi)));
  }
  static void LoadNibbles(const uint8_t* p, I* q) {
    const uint8x16_t b = vld1q_u8(p);
    Widen(vandq_u8(b, vdupq_n_u8(0x0f)), q);
    Widen(vshrq_n_u8(b, 4), q + 4);
  }
  static F ToFloat(I v) { return vcvtq_f32_s32(v); }
  static I SubI(I a, int32_t v) { return vsubq_s32(a, vdupq_n_s32(v)); }

  // Q5_0, Q5_1 and the k-quants: the scalar kernels of ggml_kquants.cc for now.
  static constexpr bool kQ5 = false;
  static constexpr bool kKQuants = false;
};

constexpr GgmlTable kNeonGgml = MakeGgmlTable<simd::GgmlOps<NeonGgmlVec>>("neon");

}  // namespace

const GgmlTable& NeonGgml() { return kNeonGgml; }

}  // namespace ggml
}  // namespace quantkit
