// WebAssembly kernels: 128-bit SIMD (simd128), 4 lanes. SIMD is the baseline of the wasm
// module (CMakeLists.txt builds every file with -msimd128): an engine without it refuses
// the whole module, so there is no runtime check. Loop shape and tails: simd_driver.h.
//
// Where wasm differs from x86 and NEON in ways that matter for exact results:
// - f32x4.min / max propagate NaN (like NEON's FMIN / FMAX) and order -0 below +0;
//   f32x4.pmin / pmax are `b < a ? b : a` / `a < b ? b : a`, minps / maxps with the operands
//   swapped. Quantize masks NaN to 0 before clamping, as NEON does, and then clamps with
//   pmin / pmax; minmax's compare-and-keep is exactly pmin(acc, x) / pmax(acc, x).
// - Float arithmetic always rounds to nearest even (wasm has no rounding modes): rounding to
//   an integer is an addition of 1.5·2^23 (ToInt below), exact for the clamped values.
// - There is no ties-away instruction: TFLite's rounding truncates and steps away from zero
//   where the exact remainder is at least one half, as the SSE2 kernel does.
// - i16x8.narrow_i32x4_u exists (SSE2's packusdw is missing), so no PackBias is needed.
#include <wasm_simd128.h>

#include "kernels/quantize/simd_driver.h"
#include "kernels/isa/table.h"
#include "kernels/isa/wasm_simd128_vec.h"

namespace quantkit {
namespace {

struct Simd128Vec : Simd128Base {
  static I LoadI(const int32_t* p) { return wasm_v128_load(p); }
  static I AddI(I a, I b) { return wasm_i32x4_add(a, b); }

  static F Clamp(F v, F lo, F hi) {
    v = wasm_v128_and(v, wasm_f32x4_eq(v, v));  // NaN -> +0: v == v is all ones except on NaN
    return wasm_f32x4_pmin(hi, wasm_f32x4_pmax(lo, v));  // lo < v ? v : lo, then v < hi ? v : hi
  }
  // |v| <= 65535 after the clamp, so v + 1.5·2^23 lies in [2^23, 2^24), where the float32 spacing
  // is 1: the addition rounds v to an integer, ties to even (wasm arithmetic always rounds to
  // nearest even), and leaves 0x4B400000 + that integer in the sum's bits, so one integer
  // subtraction gives it as an int32. Two instructions where nearest + trunc_sat are about ten
  // on x86 engines (V8 lowers trunc_sat with NaN and overflow fix-ups the clamp makes useless).
  static I ToInt(F v) {
    return wasm_i32x4_sub(wasm_f32x4_add(v, wasm_f32x4_splat(12582912.0f)), wasm_i32x4_splat(0x4B400000));
  }
  static I RoundEven(F v) { return ToInt(v); }
  // The remainder v - trunc(v) is exact (|v| <= 65535 after the clamp), so the test is exact.
  static I RoundAway(F v) {
    const F t = wasm_f32x4_trunc(v);
    const F rem = wasm_f32x4_sub(v, t);
    const I up = wasm_f32x4_ge(rem, wasm_f32x4_splat(0.5f));     // -1 where rem >= 0.5
    const I down = wasm_f32x4_le(rem, wasm_f32x4_splat(-0.5f));  // -1 where rem <= -0.5
    return wasm_i32x4_add(wasm_i32x4_sub(ToInt(t), up), down);
  }

  // Codes are already inside [qmin, qmax], so the saturating narrows never change a value.
  template <typename Out>
  static constexpr int32_t PackBias(Out*) { return 0; }

  static I Narrow16(I a, I b) { return wasm_i16x8_narrow_i32x4(a, b); }

  static void Store4(uint8_t* q, I a, I b, I c, I d) {
    wasm_v128_store(q, wasm_u8x16_narrow_i16x8(Narrow16(a, b), Narrow16(c, d)));
  }
  static void Store4(int8_t* q, I a, I b, I c, I d) {
    wasm_v128_store(q, wasm_i8x16_narrow_i16x8(Narrow16(a, b), Narrow16(c, d)));
  }
  static void Store4(int16_t* q, I a, I b, I c, I d) {
    wasm_v128_store(q, Narrow16(a, b));
    wasm_v128_store(q + 8, Narrow16(c, d));
  }
  static void Store4(uint16_t* q, I a, I b, I c, I d) {
    wasm_v128_store(q, wasm_u16x8_narrow_i32x4(a, b));
    wasm_v128_store(q + 8, wasm_u16x8_narrow_i32x4(c, d));
  }

  static void Store1(uint8_t* q, I a) {
    const I t = Narrow16(a, a);
    wasm_v128_store32_lane(q, wasm_u8x16_narrow_i16x8(t, t), 0);
  }
  static void Store1(int8_t* q, I a) {
    const I t = Narrow16(a, a);
    wasm_v128_store32_lane(q, wasm_i8x16_narrow_i16x8(t, t), 0);
  }
  static void Store1(int16_t* q, I a) { wasm_v128_store64_lane(q, Narrow16(a, a), 0); }
  static void Store1(uint16_t* q, I a) { wasm_v128_store64_lane(q, wasm_u16x8_narrow_i32x4(a, a), 0); }

  static I LoadQ(const uint8_t* q) {
    return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(q)));
  }
  static I LoadQ(const int8_t* q) {
    return wasm_i32x4_extend_low_i16x8(wasm_i16x8_extend_low_i8x16(wasm_v128_load32_zero(q)));
  }
  static I LoadQ(const uint16_t* q) { return wasm_u32x4_load16x4(q); }
  static I LoadQ(const int16_t* q) { return wasm_i32x4_load16x4(q); }

  // q - zero is exact in int32 and below 2^24 in magnitude, so the conversion is exact and
  // the multiply is the only rounding, as in the reference.
  static F Dequantize(I q, I zero, F scale) {
    return wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_sub(q, zero)), scale);
  }

  // pmin(acc, x) is `x < acc ? x : acc`: false for NaN (quiet or signaling) and for equal
  // values, so acc is kept in both cases, as in scalar::MinMax.
  static F Min(F x, F acc) { return wasm_f32x4_pmin(acc, x); }
  static F Max(F x, F acc) { return wasm_f32x4_pmax(acc, x); }
};

}  // namespace

const KernelTable& Simd128Kernels() {
  // constexpr like the other tables: constant data, so asking for it runs no code.
  static constexpr KernelTable table = MakeKernelTable<simd::Ops<Simd128Vec>>("simd128");
  return table;
}

}  // namespace quantkit
