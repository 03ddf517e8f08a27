// WebAssembly conversions, simd128: bfloat16 both ways in integer SIMD, 8 elements a step.
// wasm SIMD has no float16 instruction (that is a later proposal); float16 runs the scalar
// reference here, as on SSE2.
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

struct Simd128ConvertOps {
  template <typename In>
  static void ToHalf(const In* x, uint16_t* h, size_t n) { convert::ToHalf(x, h, n); }
  static void FromHalf(const uint16_t* h, float* x, size_t n) { convert::FromHalf(h, x, n); }

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
