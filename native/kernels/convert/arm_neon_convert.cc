// arm64 conversions, 4 lanes. FCVTN (float32 -> float16) rounds under FPCR, which is
// nearest-even with no flushing by default, and keeps NaN payloads as half.h does; FCVTL
// (float16 -> float32) is exact and quietens a NaN, as half.h does. bfloat16 is integer
// arithmetic (no BF16 extension needed).
#include <arm_neon.h>

#include "kernels/convert/convert_impl.h"

namespace quantkit {
namespace {

inline float32x4_t Load4(const float* p) { return vld1q_f32(p); }
inline float32x4_t Load4(const double* p) { return vcvt_high_f32_f64(vcvt_f32_f64(vld1q_f64(p)), vld1q_f64(p + 2)); }

inline uint16x4_t BFloat16Lanes(float32x4_t v) {
  const uint32x4_t f = vreinterpretq_u32_f32(v);
  const uint32x4_t top = vshrq_n_u32(f, 16);
  const uint32x4_t rounded =
      vshrq_n_u32(vaddq_u32(f, vaddq_u32(vdupq_n_u32(0x7fff), vandq_u32(top, vdupq_n_u32(1)))), 16);
  const uint32x4_t nan = vcgtq_u32(vandq_u32(f, vdupq_n_u32(0x7fffffff)), vdupq_n_u32(0x7f800000));
  const uint32x4_t quiet = vorrq_u32(vandq_u32(top, vdupq_n_u32(0x8000)), vdupq_n_u32(0x7fc0));
  return vmovn_u32(vbslq_u32(nan, quiet, rounded));
}

struct NeonConvertOps {
  template <typename In>
  static void ToHalf(const In* x, uint16_t* h, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1_u16(h + i, vreinterpret_u16_f16(vcvt_f16_f32(Load4(x + i))));
    convert::ToHalf(x + i, h + i, n - i);
  }

  static void FromHalf(const uint16_t* h, float* x, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(x + i, vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(h + i))));
    convert::FromHalf(h + i, x + i, n - i);
  }

  template <typename In>
  static void ToBFloat16(const In* x, uint16_t* h, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1_u16(h + i, BFloat16Lanes(Load4(x + i)));
    convert::ToBFloat16(x + i, h + i, n - i);
  }

  static void FromBFloat16(const uint16_t* h, float* x, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_u32(reinterpret_cast<uint32_t*>(x + i), vshll_n_u16(vld1_u16(h + i), 16));
    convert::FromBFloat16(h + i, x + i, n - i);
  }
};

constexpr ConvertTable kNeonConvert = convert::MakeConvertTable<NeonConvertOps>("neon");

}  // namespace

const ConvertTable& NeonConvert() { return kNeonConvert; }

}  // namespace quantkit
