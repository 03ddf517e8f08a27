// ggml block kernels over a vector type: the same per-block steps as the reference
// (ggml_impl.h), with the element loops in SIMD. What stays scalar is per block and shared
// with the reference by construction: the scale arithmetic (ref::ScaleQ8_0 etc.), the fp16
// fields, and the decoding of a block whose d or m is not finite.
//
// Only the max |x| search and Q4_1's min/max search are reordered, and those are exact in
// any order. Where the reference keeps the first of equal candidates (Q4_0's signed max,
// Q4_1's ±0), the vector search finds the value and a lane mask finds the first element
// equal to it.
//
// An ISA file supplies a `Vec` struct (see x86_sse2_ggml.cc); kWidth divides 16, F is a
// float vector, I an int32 vector:
//   F Load(const float*), F Load(const double*)   kWidth values, a double rounded to float32
//   F Splat(float), F Abs(F), F Min(F, F), F Max(F, F), F Add(F, F), F Sub(F, F), F Mul(F, F)
//   float ReduceMin(F), ReduceMax(F)              over finite lanes
//   uint32_t EqualMask(F a, F b)                  bit i set where lane i of a == b
//   uint32_t FiniteMask(F v)                      bit i set where lane i is finite
//   void StoreF(float*, F)
//   I RoundHalfAway(F)                            ref::RoundHalfAway per lane
//   I Nibble(F)                                   ref::Nibble per lane, as an int32
//   I Nibbles(I lo, I hi)                         lo | hi << 4 per lane
//   void StoreBytes<N>(uint8_t*, const I*)        the low byte of every lane of N vectors
//   void LoadQ8(const uint8_t*, I*)               32 int8 codes, sign-extended
//   void LoadNibbles(const uint8_t*, I*)          16 bytes -> 32 codes (low nibbles first)
//   F ToFloat(I), I SubI(I, int32_t)
//   bool kQ5, kKQuants                            whether this ISA has the Q5_0 / Q5_1 kernels
//                                                 below and the k-quant ones (ggml_kquants_simd.h,
//                                                 which lists what those need); without them
//                                                 the table takes ggml_kquants.cc's scalar ones
// and for Q5_0 / Q5_1:
//   I Truncate(F)                                 (int)v per lane, 0 where ref::Unconvertible
//   I MinI(I, int32_t), I AndI(I, int32_t)
//   uint32_t Bit4Mask(I)                          bit i set where bit 4 of lane i is set
#pragma once

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#endif

#include "kernels/ggml/ggml_impl.h"
#include "kernels/ggml/ggml_kquants_simd.h"

namespace quantkit {
namespace ggml {
namespace {
namespace simd {

template <class Vec>
struct GgmlOps {
  static constexpr size_t W = Vec::kWidth;
  static constexpr size_t K = kBlockSize / W;  // vectors per block
  using F = typename Vec::F;
  using I = typename Vec::I;

  // Index of the lowest set bit of a non-zero mask, without a data-dependent loop (the
  // position of a block's extreme is random, and a mispredicted branch per block costs
  // more than the rest of the block's scalar work).
  static unsigned LowestBit(uint32_t mask) {
#if defined(_MSC_VER) && !defined(__clang__)
    unsigned long i;
    _BitScanForward(&i, mask);
    return static_cast<unsigned>(i);
#else
    return static_cast<unsigned>(__builtin_ctz(mask));
#endif
  }

  // Bit j set where element j of the block (v[j / W], lane j % W) satisfies `cmp`.
  template <typename Cmp>
  static uint32_t BlockMask(const F* v, Cmp cmp) {
    uint32_t mask = 0;
    for (size_t k = 0; k < K; ++k) mask |= cmp(v[k]) << (k * W);
    return mask;
  }

  template <typename In>
  static void QuantizeQ8_0(const In* x, uint8_t* out) {
    F v[K];
    for (size_t k = 0; k < K; ++k) v[k] = Vec::Load(x + k * W);
    F a = Vec::Abs(v[0]);
    for (size_t k = 1; k < K; ++k) a = Vec::Max(a, Vec::Abs(v[k]));
    const float d = ref::ScaleQ8_0(Vec::ReduceMax(a));
    const F id = Vec::Splat(ref::InverseOf(d));
    ref::StoreHalf(out, d);
    I q[K];
    for (size_t k = 0; k < K; ++k) q[k] = Vec::RoundHalfAway(Vec::Mul(v[k], id));
    Vec::template StoreBytes<K>(out + 2, q);
  }

  template <typename In>
  static void QuantizeQ4_0(const In* x, uint8_t* out) {
    F v[K];
    for (size_t k = 0; k < K; ++k) v[k] = Vec::Load(x + k * W);
    F a = Vec::Abs(v[0]);
    for (size_t k = 1; k < K; ++k) a = Vec::Max(a, Vec::Abs(v[k]));
    const float amax = Vec::ReduceMax(a);
    // The reference's max: the first element of largest magnitude, with its sign; +0 for
    // an all-zero block.
    float max = 0.0f;
    if (amax != 0.0f) {
      const F target = Vec::Splat(amax);
      max = ref::ToF32(x[LowestBit(BlockMask(v, [&](F e) { return Vec::EqualMask(Vec::Abs(e), target); }))]);
    }
    const float d = ref::ScaleQ4_0(max);
    const F id = Vec::Splat(ref::InverseOf(d));
    const F offset = Vec::Splat(8.5f);
    ref::StoreHalf(out, d);
    I q[K / 2];
    for (size_t k = 0; k < K / 2; ++k) {
      q[k] = Vec::Nibbles(Vec::Nibble(Vec::Add(Vec::Mul(v[k], id), offset)),
                          Vec::Nibble(Vec::Add(Vec::Mul(v[k + K / 2], id), offset)));
    }
    Vec::template StoreBytes<K / 2>(out + 2, q);
  }

  template <typename In>
  static void QuantizeQ4_1(const In* x, uint8_t* out) {
    F v[K];
    for (size_t k = 0; k < K; ++k) v[k] = Vec::Load(x + k * W);
    F lo = v[0], hi = v[0];
    for (size_t k = 1; k < K; ++k) {
      lo = Vec::Min(lo, v[k]);
      hi = Vec::Max(hi, v[k]);
    }
    float min = Vec::ReduceMin(lo);
    float max = Vec::ReduceMax(hi);
    // Of +0 and −0 the reference keeps whichever comes first.
    if (min == 0.0f || max == 0.0f) {
      const F zero = Vec::Splat(0.0f);
      const float first_zero = ref::ToF32(x[LowestBit(BlockMask(v, [&](F e) { return Vec::EqualMask(e, zero); }))]);
      if (min == 0.0f) min = first_zero;
      if (max == 0.0f) max = first_zero;
    }
    const float d = ref::ScaleQ4_1(min, max);
    const F id = Vec::Splat(ref::InverseOf(d));
    const F vmin = Vec::Splat(min);
    const F half = Vec::Splat(0.5f);
    ref::StoreHalf(out, d);
    ref::StoreHalf(out + 2, min);
    I q[K / 2];
    for (size_t k = 0; k < K / 2; ++k) {
      q[k] = Vec::Nibbles(Vec::Nibble(Vec::Add(Vec::Mul(Vec::Sub(v[k], vmin), id), half)),
                          Vec::Nibble(Vec::Add(Vec::Mul(Vec::Sub(v[k + K / 2], vmin), id), half)));
    }
    Vec::template StoreBytes<K / 2>(out + 4, q);
  }

  // Q5_0 and Q5_1: Q4_0's and Q4_1's steps with 5-bit codes; bit 4 of each code goes to qh
  // (bit j for element j), little-endian.
  static void StoreQh(uint8_t* p, uint32_t qh) {
    for (int k = 0; k < 4; ++k) p[k] = static_cast<uint8_t>(qh >> (8 * k));
  }

  template <typename In>
  static void QuantizeQ5_0(const In* x, uint8_t* out) {
    F v[K];
    for (size_t k = 0; k < K; ++k) v[k] = Vec::Load(x + k * W);
    F a = Vec::Abs(v[0]);
    for (size_t k = 1; k < K; ++k) a = Vec::Max(a, Vec::Abs(v[k]));
    const float amax = Vec::ReduceMax(a);
    float max = 0.0f;
    if (amax != 0.0f) {
      const F target = Vec::Splat(amax);
      max = ref::ToF32(x[LowestBit(BlockMask(v, [&](F e) { return Vec::EqualMask(Vec::Abs(e), target); }))]);
    }
    const float d = ref::ScaleQ5_0(max);
    const F id = Vec::Splat(ref::InverseOf(d));
    const F offset = Vec::Splat(16.5f);
    ref::StoreHalf(out, d);
    I q[K / 2];
    uint32_t qh = 0;
    for (size_t k = 0; k < K / 2; ++k) {
      // (int8_t)v then MIN(31, ·): a code of an unconvertible lane is 0 either way.
      const I lo = Vec::MinI(Vec::Truncate(Vec::Add(Vec::Mul(v[k], id), offset)), 31);
      const I hi = Vec::MinI(Vec::Truncate(Vec::Add(Vec::Mul(v[k + K / 2], id), offset)), 31);
      qh |= Vec::Bit4Mask(lo) << (k * W) | Vec::Bit4Mask(hi) << (k * W + kBlockSize / 2);
      q[k] = Vec::Nibbles(Vec::AndI(lo, 0x0f), Vec::AndI(hi, 0x0f));
    }
    StoreQh(out + 2, qh);
    Vec::template StoreBytes<K / 2>(out + 6, q);
  }

  template <typename In>
  static void QuantizeQ5_1(const In* x, uint8_t* out) {
    F v[K];
    for (size_t k = 0; k < K; ++k) v[k] = Vec::Load(x + k * W);
    F lo = v[0], hi = v[0];
    for (size_t k = 1; k < K; ++k) {
      lo = Vec::Min(lo, v[k]);
      hi = Vec::Max(hi, v[k]);
    }
    float min = Vec::ReduceMin(lo);
    float max = Vec::ReduceMax(hi);
    if (min == 0.0f || max == 0.0f) {
      const F zero = Vec::Splat(0.0f);
      const float first_zero = ref::ToF32(x[LowestBit(BlockMask(v, [&](F e) { return Vec::EqualMask(e, zero); }))]);
      if (min == 0.0f) min = first_zero;
      if (max == 0.0f) max = first_zero;
    }
    const float d = ref::ScaleQ5_1(min, max);
    const F id = Vec::Splat(ref::InverseOf(d));
    const F vmin = Vec::Splat(min);
    const F half = Vec::Splat(0.5f);
    ref::StoreHalf(out, d);
    ref::StoreHalf(out + 2, min);
    I q[K / 2];
    uint32_t qh = 0;
    for (size_t k = 0; k < K / 2; ++k) {
      // (uint8_t)v, no MIN: only the low five bits are stored.
      const I c0 = Vec::Truncate(Vec::Add(Vec::Mul(Vec::Sub(v[k], vmin), id), half));
      const I c1 = Vec::Truncate(Vec::Add(Vec::Mul(Vec::Sub(v[k + K / 2], vmin), id), half));
      qh |= Vec::Bit4Mask(c0) << (k * W) | Vec::Bit4Mask(c1) << (k * W + kBlockSize / 2);
      q[k] = Vec::Nibbles(Vec::AndI(c0, 0x0f), Vec::AndI(c1, 0x0f));
    }
    StoreQh(out + 4, qh);
    Vec::template StoreBytes<K / 2>(out + 8, q);
  }

  // Four vectors per step without an early exit; the exact index is found by the
  // reference within the step that has one.
  template <typename In>
  static size_t FirstNonFinite(const void* xv, size_t n) {
    const In* x = static_cast<const In*>(xv);
    constexpr uint32_t kAll = (W == 32 ? 0u : (1u << W)) - 1u;
    size_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
      const uint32_t ok = Vec::FiniteMask(Vec::Load(x + i)) & Vec::FiniteMask(Vec::Load(x + i + W)) &
                          Vec::FiniteMask(Vec::Load(x + i + 2 * W)) & Vec::FiniteMask(Vec::Load(x + i + 3 * W));
      if (ok != kAll) return i + ref::FirstNonFinite(x + i, 4 * W);
    }
    return i + ref::FirstNonFinite(x + i, n - i);
  }

  // The block types whose quantize this ISA has (MakeGgmlTable takes the scalar kernel of
  // ggml_kquants.cc for the others).
  static constexpr bool Owns(int type) {
    return type <= kQ4_1 || (type <= kQ5_1 ? Vec::kQ5 : Vec::kKQuants);
  }

  template <int Type, typename In>
  static void Quantize(const void* xv, size_t blocks, uint8_t* out) {
    if constexpr (IsKQuant(Type)) {
      KQuantOps<Vec>::template Quantize<Type, In>(xv, blocks, out);
    } else {
      const In* x = static_cast<const In*>(xv);
      for (size_t b = 0; b < blocks; ++b, x += kBlockSize, out += BlockBytes(Type)) {
        if constexpr (Type == kQ8_0) QuantizeQ8_0(x, out);
        else if constexpr (Type == kQ4_0) QuantizeQ4_0(x, out);
        else if constexpr (Type == kQ4_1) QuantizeQ4_1(x, out);
        else if constexpr (Type == kQ5_0) QuantizeQ5_0(x, out);
        else QuantizeQ5_1(x, out);
      }
    }
  }

  // q · d (and + m) as in ref::DequantizeBlock: int -> float is exact, one rounding each.
  template <int Type>
  static void Dequantize(const uint8_t* in, size_t blocks, float* out) {
    for (size_t b = 0; b < blocks; ++b, in += BlockBytes(Type), out += kBlockSize) {
      if (!ref::FiniteScales(Type, in)) {
        ref::DequantizeBlock(Type, in, out);
        continue;
      }
      const F d = Vec::Splat(ref::LoadHalf(in));
      I q[K];
      if (Type == kQ8_0) {
        Vec::LoadQ8(in + 2, q);
        for (size_t k = 0; k < K; ++k) Vec::StoreF(out + k * W, Vec::Mul(Vec::ToFloat(q[k]), d));
      } else if (Type == kQ4_0) {
        Vec::LoadNibbles(in + 2, q);
        for (size_t k = 0; k < K; ++k) Vec::StoreF(out + k * W, Vec::Mul(Vec::ToFloat(Vec::SubI(q[k], 8)), d));
      } else {
        const F m = Vec::Splat(ref::LoadHalf(in + 2));
        Vec::LoadNibbles(in + 4, q);
        for (size_t k = 0; k < K; ++k) Vec::StoreF(out + k * W, Vec::Add(Vec::Mul(Vec::ToFloat(q[k]), d), m));
      }
    }
  }
};

}  // namespace simd
}  // namespace
}  // namespace ggml
}  // namespace quantkit
