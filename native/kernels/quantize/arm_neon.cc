// arm64 kernels: AArch64 Advanced SIMD (NEON), 4 lanes. NEON is part of the AArch64
// baseline, so this file needs no extra flags and no runtime check beyond the
// architecture. Loop shape and tails: simd_driver.h.
//
// Where NEON differs from x86 in ways that matter for exact results:
// - FMIN/FMAX propagate NaN (minps/maxps return their second operand instead), so
//   quantize masks NaN to 0 before clamping.
// - FMINNM/FMAXNM (IEEE minNum/maxNum) return the number only for a *quiet* NaN; a
//   signaling NaN (e.g. 0x7f800001 in a Float32Array) still gives NaN. minmax therefore
//   uses compare-and-select, which is the reference's `if (v < lo) lo = v` lane by lane.
#include <arm_neon.h>

#include <cstring>

#include "kernels/quantize/simd_driver.h"
#include "kernels/isa/table.h"
#include "kernels/isa/arm_neon_vec.h"

namespace quantkit {
namespace {

struct NeonVec : NeonBase {
  static I LoadI(const int32_t* p) { return vld1q_s32(p); }
  static I AddI(I a, I b) { return vaddq_s32(a, b); }

  static F Clamp(F v, F lo, F hi) {
    // NaN -> +0: v == v is all-ones exactly where v is not NaN.
    v = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vceqq_f32(v, v)));
    return vminq_f32(vmaxq_f32(v, lo), hi);
  }
  static I RoundEven(F v) { return vcvtnq_s32_f32(v); }  // FCVTNS: nearest-even whatever FPCR says
  static I RoundAway(F v) { return vcvtaq_s32_f32(v); }  // FCVTAS: nearest, ties away from zero

  // Codes are already inside [qmin, qmax], so keeping the low half of each lane (XTN)
  // is exact for every dtype, signed or not, and no bias is needed.
  template <typename Out>
  static constexpr int32_t PackBias(Out*) { return 0; }

  static int16x8_t Narrow(I a, I b) { return vcombine_s16(vmovn_s32(a), vmovn_s32(b)); }
  static int8x16_t NarrowBytes(I a, I b, I c, I d) {
    return vcombine_s8(vmovn_s16(Narrow(a, b)), vmovn_s16(Narrow(c, d)));
  }

  static void Store4(uint8_t* q, I a, I b, I c, I d) { vst1q_u8(q, vreinterpretq_u8_s8(NarrowBytes(a, b, c, d))); }
  static void Store4(int8_t* q, I a, I b, I c, I d) { vst1q_s8(q, NarrowBytes(a, b, c, d)); }
  static void Store4(int16_t* q, I a, I b, I c, I d) {
    vst1q_s16(q, Narrow(a, b));
    vst1q_s16(q + 8, Narrow(c, d));
  }
  static void Store4(uint16_t* q, I a, I b, I c, I d) {
    vst1q_u16(q, vreinterpretq_u16_s16(Narrow(a, b)));
    vst1q_u16(q + 8, vreinterpretq_u16_s16(Narrow(c, d)));
  }

  static void StoreBytes(void* q, I a) {
    const int16x4_t t = vmovn_s32(a);
    const uint32_t bytes = vget_lane_u32(vreinterpret_u32_s8(vmovn_s16(vcombine_s16(t, t))), 0);
    std::memcpy(q, &bytes, 4);
  }
  static void Store1(uint8_t* q, I a) { StoreBytes(q, a); }
  static void Store1(int8_t* q, I a) { StoreBytes(q, a); }
  static void Store1(int16_t* q, I a) { vst1_s16(q, vmovn_s32(a)); }
  static void Store1(uint16_t* q, I a) { vst1_u16(q, vreinterpret_u16_s16(vmovn_s32(a))); }

  static uint64_t Load4Bytes(const void* q) {
    uint32_t bytes;
    std::memcpy(&bytes, q, 4);
    return bytes;
  }
  static I LoadQ(const uint8_t* q) {
    return vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(vmovl_u8(vcreate_u8(Load4Bytes(q))))));
  }
  static I LoadQ(const int8_t* q) { return vmovl_s16(vget_low_s16(vmovl_s8(vcreate_s8(Load4Bytes(q))))); }
  static I LoadQ(const uint16_t* q) { return vreinterpretq_s32_u32(vmovl_u16(vld1_u16(q))); }
  static I LoadQ(const int16_t* q) { return vmovl_s16(vld1_s16(q)); }

  // q - zero is exact and below 2^24 in magnitude, so the conversion is exact and the
  // multiply is the only rounding, as in the reference.
  static F Dequantize(I q, I zero, F scale) { return vmulq_f32(vcvtq_f32_s32(vsubq_s32(q, zero)), scale); }

  // x < acc is false for NaN (quiet or signaling) and for equal values, so acc is kept
  // in both cases, as in scalar::MinMax.
  static F Min(F x, F acc) { return vbslq_f32(vcltq_f32(x, acc), x, acc); }
  static F Max(F x, F acc) { return vbslq_f32(vcgtq_f32(x, acc), x, acc); }
};

}  // namespace

const KernelTable& NeonKernels() {
  // constexpr like the x86 tables: constant data, so asking for it runs no code.
  static constexpr KernelTable table = MakeKernelTable<simd::Ops<NeonVec>>("neon");
  return table;
}

}  // namespace quantkit
