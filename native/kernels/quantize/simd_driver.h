// The loop shape shared by every SIMD kernel: four vectors per iteration while they last
// (enough independent work to keep the divider and the load ports busy), then one vector
// at a time, then the scalar reference for the last n % width elements, so that the tail
// is the reference arithmetic by construction.
//
// An ISA file supplies a `Vec` struct of vector operations (see x86_sse2.cc):
//   kWidth                    lanes per vector; F is a float vector, I an int32 vector
//   F Load(const float*)      kWidth unaligned values
//   F Load(const double*)     kWidth unaligned values, each rounded to float32
//   F Splat(float), I SplatI(int32_t)
//   F Div(F, F), F Mul(F, F)  IEEE float32 quotient and product (no reciprocal estimate)
//   F Clamp(F v, F lo, F hi)  clamp(v, lo, hi) with NaN -> +0
//   I RoundEven(F), I RoundAway(F)
//                             an in-range, NaN-free value to int32, ties to even (under the
//                             default mode) or away from zero (TFLite)
//   int32_t PackBias(Out*)    subtracted from the zero point so that Store can pack with
//                             the instructions the ISA has (SSE2 has no unsigned 32->16 pack)
//   void Store1(Out*, I), Store4(Out*, I, I, I, I)
//                             narrow in-range codes (plus PackBias) to Out, unaligned
//   I LoadQ(const Q*)         kWidth codes widened to int32
//   F Dequantize(I q, I zero, F scale)   fl(float(q - zero) * scale)
//   I LoadI(const int32_t*), I AddI(I, I) kWidth int32 values; lane-wise add (per-lane kernels)
//   void StoreF(float*, F)
//   F Min(F x, F acc), Max(F x, F acc)   acc where x is NaN (minps/maxps operand order)
//   float ReduceMin(F), ReduceMax(F)     over NaN-free lanes
//
// Internal linkage for the same reason as scalar_impl.h: each ISA file instantiates these
// templates with its own compiler flags.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/isa/kernels.h"
#include "kernels/quantize/scalar_impl.h"

namespace quantkit {
namespace {
namespace simd {

// One vector of codes under convention R (kernels.h Rounding), the lane-wise arithmetic of
// scalar::Quantize. For kRoundPytorch `step` holds fl(1 / s), else s.
template <int R, class Vec>
typename Vec::I QuantizeVec(typename Vec::F x, typename Vec::F step, typename Vec::F lo, typename Vec::F hi,
                            typename Vec::I zero) {
  const auto v = Vec::Clamp(R == kRoundPytorch ? Vec::Mul(x, step) : Vec::Div(x, step), lo, hi);
  return Vec::AddI(R == kRoundTflite ? Vec::RoundAway(v) : Vec::RoundEven(v), zero);
}

template <int R, class Vec, class In, class Out>
void Quantize(const In* x, Out* q, size_t n, const QuantizeParams& p) {
  constexpr size_t W = Vec::kWidth;
  // lo and hi are small exact integers (|qmin - z| <= 65535), so clamping before the
  // rounding gives the same codes as clamping after it, and keeps the conversion in range.
  const auto step = Vec::Splat(R == kRoundPytorch ? 1.0f / p.scale : p.scale);
  const auto lo = Vec::Splat(static_cast<float>(p.qmin - p.zero_point));
  const auto hi = Vec::Splat(static_cast<float>(p.qmax - p.zero_point));
  const auto zero = Vec::SplatI(p.zero_point - Vec::PackBias(q));
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    const auto a = QuantizeVec<R, Vec>(Vec::Load(x + i), step, lo, hi, zero);
    const auto b = QuantizeVec<R, Vec>(Vec::Load(x + i + W), step, lo, hi, zero);
    const auto c = QuantizeVec<R, Vec>(Vec::Load(x + i + 2 * W), step, lo, hi, zero);
    const auto d = QuantizeVec<R, Vec>(Vec::Load(x + i + 3 * W), step, lo, hi, zero);
    Vec::Store4(q + i, a, b, c, d);
  }
  for (; i + W <= n; i += W) {
    Vec::Store1(q + i, QuantizeVec<R, Vec>(Vec::Load(x + i), step, lo, hi, zero));
  }
  scalar::Quantize<R>(x + i, q + i, n - i, p);
}

template <class Vec, class Q>
void Dequantize(const Q* q, float* x, size_t n, float scale, int32_t zero_point) {
  constexpr size_t W = Vec::kWidth;
  const auto s = Vec::Splat(scale);
  const auto z = Vec::SplatI(zero_point);
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    const auto a = Vec::Dequantize(Vec::LoadQ(q + i), z, s);
    const auto b = Vec::Dequantize(Vec::LoadQ(q + i + W), z, s);
    const auto c = Vec::Dequantize(Vec::LoadQ(q + i + 2 * W), z, s);
    const auto d = Vec::Dequantize(Vec::LoadQ(q + i + 3 * W), z, s);
    Vec::StoreF(x + i, a);
    Vec::StoreF(x + i + W, b);
    Vec::StoreF(x + i + 2 * W, c);
    Vec::StoreF(x + i + 3 * W, d);
  }
  for (; i + W <= n; i += W) {
    Vec::StoreF(x + i, Vec::Dequantize(Vec::LoadQ(q + i), z, s));
  }
  scalar::Dequantize(q + i, x + i, n - i, scale, zero_point);
}

template <class Vec, class In>
MinMaxResult MinMax(const In* x, size_t n) {
  constexpr size_t W = Vec::kWidth;
  // The accumulators start at +-Inf and Min/Max keep them where x is NaN, so they never
  // hold a NaN and may be combined in any order. Which of two equal zeros survives does
  // not matter: scalar::Finish reports 0 as +0.
  auto lo0 = Vec::Splat(INFINITY), lo1 = lo0, lo2 = lo0, lo3 = lo0;
  auto hi0 = Vec::Splat(-INFINITY), hi1 = hi0, hi2 = hi0, hi3 = hi0;
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    const auto a = Vec::Load(x + i);
    const auto b = Vec::Load(x + i + W);
    const auto c = Vec::Load(x + i + 2 * W);
    const auto d = Vec::Load(x + i + 3 * W);
    lo0 = Vec::Min(a, lo0);
    hi0 = Vec::Max(a, hi0);
    lo1 = Vec::Min(b, lo1);
    hi1 = Vec::Max(b, hi1);
    lo2 = Vec::Min(c, lo2);
    hi2 = Vec::Max(c, hi2);
    lo3 = Vec::Min(d, lo3);
    hi3 = Vec::Max(d, hi3);
  }
  for (; i + W <= n; i += W) {
    const auto a = Vec::Load(x + i);
    lo0 = Vec::Min(a, lo0);
    hi0 = Vec::Max(a, hi0);
  }
  float lo = Vec::ReduceMin(Vec::Min(Vec::Min(lo0, lo1), Vec::Min(lo2, lo3)));
  float hi = Vec::ReduceMax(Vec::Max(Vec::Max(hi0, hi1), Vec::Max(hi2, hi3)));
  // The tail with the reference's comparisons (scalar::MinMax would Finish too early).
  for (; i < n; ++i) {
    const float v = scalar::ToF32(x[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return scalar::Finish(lo, hi);
}

// Per-lane parameters (LaneParams): the loop of Quantize with the four parameter vectors
// loaded next to x instead of splatted, so each lane does exactly the per-tensor arithmetic.
template <int R, class Vec, class In, class Out>
void QuantizeLanes(const In* x, Out* q, size_t n, const LaneParams& p) {
  constexpr size_t W = Vec::kWidth;
  const auto bias = Vec::SplatI(-Vec::PackBias(q));
  const auto one = Vec::Splat(1.0f);
  const auto lane = [&](size_t i) {
    const auto s = Vec::Load(p.scale + i);
    return QuantizeVec<R, Vec>(Vec::Load(x + i), R == kRoundPytorch ? Vec::Div(one, s) : s, Vec::Load(p.lo + i),
                               Vec::Load(p.hi + i), Vec::AddI(Vec::LoadI(p.zero_point + i), bias));
  };
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) Vec::Store4(q + i, lane(i), lane(i + W), lane(i + 2 * W), lane(i + 3 * W));
  for (; i + W <= n; i += W) Vec::Store1(q + i, lane(i));
  scalar::QuantizeLanes<R>(x + i, q + i, n - i, p.scale + i, p.zero_point + i, p.lo + i, p.hi + i);
}

template <class Vec, class Q>
void DequantizeLanes(const Q* q, float* x, size_t n, const float* scale, const int32_t* zero_point) {
  constexpr size_t W = Vec::kWidth;
  size_t i = 0;
  for (; i + W <= n; i += W) {
    Vec::StoreF(x + i, Vec::Dequantize(Vec::LoadQ(q + i), Vec::LoadI(zero_point + i), Vec::Load(scale + i)));
  }
  scalar::DequantizeLanes(q + i, x + i, n - i, scale + i, zero_point + i);
}

// Adapts a Vec to the Ops shape MakeKernelTable expects.
template <class Vec>
struct Ops {
  template <int R, typename In, typename Out>
  static void Quantize(const In* x, Out* q, size_t n, const QuantizeParams& p) {
    simd::Quantize<R, Vec>(x, q, n, p);
  }
  template <typename Q>
  static void Dequantize(const Q* q, float* x, size_t n, float scale, int32_t zero_point) {
    simd::Dequantize<Vec>(q, x, n, scale, zero_point);
  }
  template <typename In>
  static MinMaxResult MinMax(const In* x, size_t n) {
    return simd::MinMax<Vec>(x, n);
  }
  template <int R, typename In, typename Out>
  static void QuantizeLanes(const In* x, Out* q, size_t n, const LaneParams& p) {
    simd::QuantizeLanes<R, Vec>(x, q, n, p);
  }
  template <typename Q>
  static void DequantizeLanes(const Q* q, float* x, size_t n, const float* scale, const int32_t* zero_point) {
    simd::DequantizeLanes<Vec>(q, x, n, scale, zero_point);
  }
};

}  // namespace simd
}  // namespace
}  // namespace quantkit
