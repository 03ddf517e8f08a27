// ggml blocks in WebAssembly simd128, 4 lanes (the module's baseline: no runtime check).
// Block steps: ggml_simd.h; the k-quants: ggml_kquants_simd.h.
//
// The inputs are finite (first_non_finite refuses the others), so amax and Q4_1's min / max
// use pmin / pmax (one minps / maxps on x86 engines); ggml_simd.h settles ±0 itself. Float
// to int conversions use i32x4.trunc_sat_f32x4_s, which gives 0 for NaN and saturates:
// every lane the reference does not convert (ref::Unconvertible) is masked to 0 anyway.
#include <wasm_simd128.h>

#include <cfloat>

#include "kernels/ggml/ggml_simd.h"
#include "kernels/isa/wasm_simd128_vec.h"

namespace quantkit {
namespace ggml {
namespace {

struct Simd128GgmlVec : Simd128Base {
  static F Abs(F v) { return wasm_f32x4_abs(v); }
  static F Min(F a, F b) { return wasm_f32x4_pmin(a, b); }
  static F Max(F a, F b) { return wasm_f32x4_pmax(a, b); }
  static F Add(F a, F b) { return wasm_f32x4_add(a, b); }
  static F Sub(F a, F b) { return wasm_f32x4_sub(a, b); }
  static uint32_t EqualMask(F a, F b) { return wasm_i32x4_bitmask(wasm_f32x4_eq(a, b)); }
  // |v| <= FLT_MAX is false for NaN as well as ±Inf.
  static uint32_t FiniteMask(F v) { return wasm_i32x4_bitmask(wasm_f32x4_le(wasm_f32x4_abs(v), wasm_f32x4_splat(FLT_MAX))); }

  // All ones where |v| < 2^30 (not NaN): lanes the reference converts; the others give 0.
  static I Convertible(F v) { return wasm_f32x4_lt(wasm_f32x4_abs(v), wasm_f32x4_splat(1073741824.0f)); }
  static I RoundHalfAway(F v) {
    const I t = wasm_i32x4_trunc_sat_f32x4(v);
    const F frac = wasm_f32x4_sub(v, wasm_f32x4_convert_i32x4(t));
    // A true compare is −1: subtracting it adds one.
    I r = wasm_i32x4_sub(t, wasm_f32x4_ge(frac, wasm_f32x4_splat(0.5f)));
    r = wasm_i32x4_add(r, wasm_f32x4_le(frac, wasm_f32x4_splat(-0.5f)));
    return wasm_v128_and(r, Convertible(v));
  }
  static I Nibble(F v) {
    return wasm_v128_and(wasm_i32x4_min(wasm_i32x4_trunc_sat_f32x4(v), wasm_i32x4_splat(15)), Convertible(v));
  }
  static I Nibbles(I lo, I hi) { return wasm_v128_or(lo, wasm_i32x4_shl(hi, 4)); }

  // Masked to the low byte first, so that both saturating narrows keep every value.
  template <size_t N>
  static void StoreBytes(uint8_t* p, const I* q) {
    const I ff = wasm_i32x4_splat(0xff);
    for (size_t k = 0; k < N; k += 4) {
      const I a = wasm_i16x8_narrow_i32x4(wasm_v128_and(q[k], ff), wasm_v128_and(q[k + 1], ff));
      const I b = wasm_i16x8_narrow_i32x4(wasm_v128_and(q[k + 2], ff), wasm_v128_and(q[k + 3], ff));
      wasm_v128_store(p + 4 * k, wasm_u8x16_narrow_i16x8(a, b));
    }
  }

  static void LoadQ8(const uint8_t* p, I* q) {
    for (size_t h = 0; h < 2; ++h) {
      const I b = wasm_v128_load(p + 16 * h);
      const I lo = wasm_i16x8_extend_low_i8x16(b), hi = wasm_i16x8_extend_high_i8x16(b);
      q[4 * h] = wasm_i32x4_extend_low_i16x8(lo);
      q[4 * h + 1] = wasm_i32x4_extend_high_i16x8(lo);
      q[4 * h + 2] = wasm_i32x4_extend_low_i16x8(hi);
      q[4 * h + 3] = wasm_i32x4_extend_high_i16x8(hi);
    }
  }
  static void Widen(I bytes, I* q) {
    const I lo = wasm_u16x8_extend_low_u8x16(bytes), hi = wasm_u16x8_extend_high_u8x16(bytes);
    q[0] = wasm_u32x4_extend_low_u16x8(lo);
    q[1] = wasm_u32x4_extend_high_u16x8(lo);
    q[2] = wasm_u32x4_extend_low_u16x8(hi);
    q[3] = wasm_u32x4_extend_high_u16x8(hi);
  }
  static void LoadNibbles(const uint8_t* p, I* q) {
    const I b = wasm_v128_load(p);
    Widen(wasm_v128_and(b, wasm_i8x16_splat(0x0f)), q);
    Widen(wasm_u8x16_shr(b, 4), q + 4);
  }
  static F ToFloat(I v) { return wasm_f32x4_convert_i32x4(v); }
  static I SubI(I a, int32_t v) { return wasm_i32x4_sub(a, wasm_i32x4_splat(v)); }

  // Q5_0, Q5_1 (ggml_simd.h) and the k-quants (ggml_kquants_simd.h): every operation they
  // need is one simd128 instruction, and the kernel test runs them here under node.
  static constexpr bool kQ5 = true;
  static constexpr bool kKQuants = true;
  using M = v128_t;
  static I Truncate(F v) { return wasm_v128_and(wasm_i32x4_trunc_sat_f32x4(v), Convertible(v)); }
  static I AndI(I a, int32_t v) { return wasm_v128_and(a, wasm_i32x4_splat(v)); }
  static I AddI(I a, int32_t v) { return wasm_i32x4_add(a, wasm_i32x4_splat(v)); }
  static I MinI(I a, int32_t v) { return wasm_i32x4_min(a, wasm_i32x4_splat(v)); }
  static I MaxI(I a, int32_t v) { return wasm_i32x4_max(a, wasm_i32x4_splat(v)); }
  static uint32_t Bit4Mask(I v) { return wasm_i32x4_bitmask(wasm_i32x4_shl(v, 27)); }
  static M Lt(F a, F b) { return wasm_f32x4_lt(a, b); }
  static M Gt(F a, F b) { return wasm_f32x4_gt(a, b); }
  static M Eq(F a, F b) { return wasm_f32x4_eq(a, b); }
  static M NeqU(F a, F b) { return wasm_f32x4_ne(a, b); }  // f32x4.ne is true on unordered
  static M AndM(M a, M b) { return wasm_v128_and(a, b); }
  static bool Any(M m) { return wasm_v128_any_true(m); }
  static F Select(M m, F a, F b) { return wasm_v128_bitselect(a, b, m); }
  static I SelectI(M m, I a, I b) { return wasm_v128_bitselect(a, b, m); }
  static F Sqrt(F v) { return wasm_f32x4_sqrt(v); }
  static F Neg(F v) { return wasm_f32x4_neg(v); }  // flips the sign bit only, NaN included
  static I AsInt(F v) { return v; }
  static void StoreI(int32_t* p, I v) { wasm_v128_store(p, v); }
};

constexpr GgmlTable kSimd128Ggml = MakeGgmlTable<simd::GgmlOps<Simd128GgmlVec>>("simd128");

}  // namespace

const GgmlTable& Simd128Ggml() { return kSimd128Ggml; }

}  // namespace ggml
}  // namespace quantkit
