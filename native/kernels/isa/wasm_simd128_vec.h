// The WebAssembly 128-bit SIMD operations that the wasm kernel families use the same way
// (quantize: wasm_simd128.cc, ggml: wasm_simd128_ggml.cc). Each family's Vec derives from
// Simd128Base and adds its own operations. Internal linkage, like every header that kernel
// files include (scalar_impl.h).
//
// wasm float arithmetic is IEEE with round to nearest even and no flush-to-zero, in the
// scalar and the vector instructions alike, so the reference built for wasm and these
// kernels round the same way. There is one vector type, v128_t, for floats and integers.
#pragma once

#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

namespace quantkit {
namespace {

struct Simd128Base {
  static constexpr size_t kWidth = 4;
  using F = v128_t;
  using I = v128_t;

  static F Load(const float* p) { return wasm_v128_load(p); }
  // f32x4.demote_f64x2_zero rounds to nearest even, like f32.demote_f64 (the C cast in the
  // scalar references).
  static F Load(const double* p) {
    return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(wasm_v128_load(p)),
                              wasm_f32x4_demote_f64x2_zero(wasm_v128_load(p + 2)), 0, 1, 4, 5);
  }
  static F Splat(float v) { return wasm_f32x4_splat(v); }
  static I SplatI(int32_t v) { return wasm_i32x4_splat(v); }
  static F Div(F a, F b) { return wasm_f32x4_div(a, b); }
  static F Mul(F a, F b) { return wasm_f32x4_mul(a, b); }
  // Callers reduce NaN-free lanes. pmin / pmax (b < a ? b : a, a < b ? b : a) are one
  // minps / maxps on x86 engines, where f32x4.min / max need a NaN and -0 fix-up sequence.
  static float ReduceMin(F v) {
    v = wasm_f32x4_pmin(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_f32x4_pmin(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(v, 0);
  }
  static float ReduceMax(F v) {
    v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(v, 0);
  }
  static void StoreF(float* p, F v) { wasm_v128_store(p, v); }
};

}  // namespace
}  // namespace quantkit
