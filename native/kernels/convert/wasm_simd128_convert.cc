// WebAssembly conversions, simd128, 4 or 8 elements a step. wasm SIMD has no float16
// instruction (that is a later proposal), so float16 is half.h's integer rules lane by lane,
// each case computed for every lane and the right one selected; the float16 subnormals go
// through float arithmetic that is exact (a multiply by a power of two, nearest-even
// rounding to an integer below 2^11). bfloat16 is integer arithmetic.
#include <wasm_simd128.h>

#include "kernels/convert/convert_impl.h"
#include "kernels/isa/wasm_simd128_vec.h"

namespace quantkit {
namespace {

// half::FloatBitsToBFloat16 in four lanes, each result in the low 16 bits of its lane.
inline v128_t BFloat16Lanes(v128_t f) {
  const v128_t top = wasm_u32x4_shr(f, 16);
  const v128_t rounded =
      wasm_u32x4_shr(wasm_i32x4_add(f, wasm_i32x4_add(wasm_i32x4_splat(0x7fff), wasm_v128_and(top, wasm_i32x4_splat(1)))), 16);
  // |f| > Inf as an unsigned compare: the NaN bit patterns.
  const v128_t nan = wasm_u32x4_gt(wasm_v128_and(f, wasm_i32x4_splat(0x7fffffff)), wasm_i32x4_splat(0x7f800000));
  const v128_t quiet = wasm_v128_or(wasm_v128_and(top, wasm_i32x4_splat(0x8000)), wasm_i32x4_splat(0x7fc0));
  return wasm_v128_bitselect(quiet, rounded, nan);
}

// half::FloatBitsToHalf in four lanes, each result in the low 16 bits of its lane.
inline v128_t HalfLanes(v128_t f) {
  const v128_t sign = wasm_v128_and(wasm_u32x4_shr(f, 16), wasm_i32x4_splat(0x8000));
  const v128_t a = wasm_v128_and(f, wasm_i32x4_splat(0x7fffffff));  // never negative: signed compares work
  const v128_t nan = wasm_v128_or(wasm_i32x4_splat(0x7e00), wasm_v128_and(wasm_u32x4_shr(a, 13), wasm_i32x4_splat(0x3ff)));
  const v128_t r = wasm_i32x4_sub(a, wasm_i32x4_splat(0x38000000));
  const v128_t normal = wasm_u32x4_shr(
      wasm_i32x4_add(r, wasm_i32x4_add(wasm_i32x4_splat(0x0fff), wasm_v128_and(wasm_u32x4_shr(r, 13), wasm_i32x4_splat(1)))), 13);
  // |x| below 2^-14: |x| · 2^24 (exact) rounded to an integer, ties to even, is the float16
  // subnormal's code (0x400 when it rounds up to the smallest normal; 0 from 2^-25 down).
  const v128_t subnormal = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(a, wasm_f32x4_splat(16777216.0f))));
  v128_t h = wasm_v128_bitselect(normal, subnormal, wasm_i32x4_ge(a, wasm_i32x4_splat(0x38800000)));
  h = wasm_v128_bitselect(wasm_i32x4_splat(0x7c00), h, wasm_i32x4_ge(a, wasm_i32x4_splat(0x477ff000)));
  h = wasm_v128_bitselect(nan, h, wasm_i32x4_gt(a, wasm_i32x4_splat(0x7f800000)));
  return wasm_v128_or(h, sign);
}

// half::HalfToFloatBits in four lanes (h zero-extended to 32 bits).
inline v128_t FloatLanesFromHalf(v128_t h) {
  const v128_t sign = wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x8000)), 16);
  const v128_t e = wasm_v128_and(h, wasm_i32x4_splat(0x7c00));
  const v128_t m = wasm_v128_and(h, wasm_i32x4_splat(0x3ff));
  // Normal: rebias the exponent (15 -> 127); the mantissa moves up 13 bits.
  const v128_t normal = wasm_i32x4_add(wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x7fff)), 13), wasm_i32x4_splat(112 << 23));
  // Subnormal (and zero): m · 2^-24, exact in float32.
  const v128_t subnormal = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(m), wasm_f32x4_splat(5.9604644775390625e-8f));
  // Inf and NaN: the top exponent, the payload, the quiet bit for a NaN.
  const v128_t quiet = wasm_v128_andnot(wasm_i32x4_splat(0x00400000), wasm_i32x4_eq(m, wasm_i32x4_splat(0)));
  const v128_t special = wasm_v128_or(wasm_v128_or(wasm_i32x4_splat(0x7f800000), wasm_i32x4_shl(m, 13)), quiet);
  v128_t f = wasm_v128_bitselect(subnormal, normal, wasm_i32x4_eq(e, wasm_i32x4_splat(0)));
  f = wasm_v128_bitselect(special, f, wasm_i32x4_eq(e, wasm_i32x4_splat(0x7c00)));
  return wasm_v128_or(f, sign);
}

struct Simd128ConvertOps {
  template <typename In>
  static void ToHalf(const In* x, uint16_t* h, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      wasm_v128_store(h + i, wasm_u16x8_narrow_i32x4(HalfLanes(Simd128Base::Load(x + i)),
                                                     HalfLanes(Simd128Base::Load(x + i + 4))));
    }
    convert::ToHalf(x + i, h + i, n - i);
  }

  static void FromHalf(const uint16_t* h, float* x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const v128_t b = wasm_v128_load(h + i);
      wasm_v128_store(x + i, FloatLanesFromHalf(wasm_u32x4_extend_low_u16x8(b)));
      wasm_v128_store(x + i + 4, FloatLanesFromHalf(wasm_u32x4_extend_high_u16x8(b)));
    }
    convert::FromHalf(h + i, x + i, n - i);
  }

  template <typename In>
  static void ToBFloat16(const In* x, uint16_t* h, size_t n) {
    size_t i = 0;
    // Every lane holds 0..0xffff, so the unsigned saturating narrow keeps its bits.
    for (; i + 8 <= n; i += 8) {
      wasm_v128_store(h + i, wasm_u16x8_narrow_i32x4(BFloat16Lanes(Simd128Base::Load(x + i)),
                                                     BFloat16Lanes(Simd128Base::Load(x + i + 4))));
    }
    convert::ToBFloat16(x + i, h + i, n - i);
  }

  static void FromBFloat16(const uint16_t* h, float* x, size_t n) {
    size_t i = 0;
    const v128_t zero = wasm_i32x4_splat(0);
    for (; i + 8 <= n; i += 8) {
      const v128_t b = wasm_v128_load(h + i);
      // Each 16-bit value becomes the high half of a 32-bit lane (the low half zero).
      wasm_v128_store(x + i, wasm_i16x8_shuffle(zero, b, 0, 8, 1, 9, 2, 10, 3, 11));
      wasm_v128_store(x + i + 4, wasm_i16x8_shuffle(zero, b, 4, 12, 5, 13, 6, 14, 7, 15));
    }
    convert::FromBFloat16(h + i, x + i, n - i);
  }
};

constexpr ConvertTable kSimd128Convert = convert::MakeConvertTable<Simd128ConvertOps>("simd128");

}  // namespace

const ConvertTable& Simd128Convert() { return kSimd128Convert; }

}  // namespace quantkit
