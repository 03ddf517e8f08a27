// The float8 quantize loop shared by the x86 SIMD files (float8.h for the rules). Each lane
// computes what float8::QuantizeOne computes, with selects instead of branches:
//   normal range    the rebiased bits rounded to nearest even at the dropped mantissa bits
//                   (integer add and shift, as the reference); a code above the largest
//                   finite one, ±Inf included, becomes the saturate / overflow code
//   subnormal range |x / s| · 2^(m − emin) is the code itself (an exact multiply by a power
//                   of two), rounded to nearest even by cvtps2dq under MXCSR's default mode,
//                   as the other SIMD kernels round (simd_driver.h)
//   NaN             sign | 0x7f
// The sign is x's own: x / s has x's sign for every non-NaN x (s > 0), and a NaN takes it
// from x by definition. The last n % (4 · width) elements run float8::QuantizeOne.
//
// A `V` struct supplies: kWidth; F, I; Load(const float*), Load(const double*) (rounded to
// float32 like the C cast); Splat, SplatI; Div, Mul; Bits(F) -> I, Float(I) -> F; And,
// Or, Add, Sub; Srl(I, count) (one count for all lanes), Srli24(I); Gt(I, I) (signed, all
// ones where a > b); Select(mask, a, b); Rne(F) -> I; Store4(uint8_t*, I, I, I, I) packs
// four vectors of codes (each 0..255) into 4 · kWidth bytes.
//
// Internal linkage for the same reason as scalar_impl.h: each ISA file instantiates it with
// its own compiler flags.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/float8/float8.h"

namespace quantkit {
namespace {
namespace float8_simd {

template <class V>
struct Constants {
  typename V::F scale, to_units;
  typename V::I rebias, round_bias, normal_min, max_code, overflow, abs_mask, inf, nan_code, sign_mask, one;
  int shift;
};

template <class V>
typename V::I Code(typename V::F x, const Constants<V>& k) {
  using I = typename V::I;
  const I xb = V::Bits(x);
  const I sign = V::And(V::Srli24(xb), k.sign_mask);
  const I a = V::And(V::Bits(V::Div(x, k.scale)), k.abs_mask);
  // Normal range (and everything above it: a code past max_code, Inf's included, overflows).
  const I r = V::Sub(a, k.rebias);
  I code = V::Srl(V::Add(V::Add(r, k.round_bias), V::And(V::Srl(r, k.shift), k.one)), k.shift);
  code = V::Select(V::Gt(code, k.max_code), k.overflow, code);
  // Below the smallest normal: the value in units of the smallest subnormal, rounded.
  const I sub = V::Rne(V::Mul(V::Float(a), k.to_units));
  code = V::Select(V::Gt(k.normal_min, a), sub, code);
  const I x_abs = V::And(xb, k.abs_mask);
  code = V::Select(V::Gt(x_abs, k.inf), k.nan_code, code);
  return V::Or(code, sign);
}

template <class V, class In>
void Quantize(const void* xv, uint8_t* q, size_t n, int format, bool saturate, float scale) {
  constexpr size_t W = V::kWidth;
  const float8::Spec& f = float8::kSpecs[format];
  const int emin = 1 - f.bias;
  const int shift = 23 - f.mantissa_bits;
  Constants<V> k;
  k.scale = V::Splat(scale);
  // 2^(m − emin): 2^9 (e4m3fn), 2^16 (e5m2).
  k.to_units = V::Splat(static_cast<float>(1u << (f.mantissa_bits - emin)));
  k.rebias = V::SplatI(static_cast<int32_t>(static_cast<uint32_t>(127 - f.bias) << 23));
  k.round_bias = V::SplatI((1 << (shift - 1)) - 1);
  k.normal_min = V::SplatI(static_cast<int32_t>(static_cast<uint32_t>(emin + 127) << 23));
  k.max_code = V::SplatI(static_cast<int32_t>(f.max_code));
  k.overflow = V::SplatI(static_cast<int32_t>(saturate ? f.max_code : f.overflow_code));
  k.abs_mask = V::SplatI(0x7fffffff);
  k.inf = V::SplatI(0x7f800000);
  k.nan_code = V::SplatI(0x7f);
  k.sign_mask = V::SplatI(0x80);
  k.one = V::SplatI(1);
  k.shift = shift;
  const In* x = static_cast<const In*>(xv);
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    V::Store4(q + i, Code<V>(V::Load(x + i), k), Code<V>(V::Load(x + i + W), k), Code<V>(V::Load(x + i + 2 * W), k),
              Code<V>(V::Load(x + i + 3 * W), k));
  }
  for (; i < n; ++i) q[i] = float8::QuantizeOne(static_cast<float>(x[i]), f, saturate, scale);
}

template <class V>
constexpr Float8Kernels MakeFloat8Kernels(const char* isa) {
  return Float8Kernels{isa, {Quantize<V, float>, Quantize<V, double>}};
}

}  // namespace float8_simd
}  // namespace
}  // namespace quantkit
