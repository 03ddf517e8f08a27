// ggml blocks one at a time: the scalar reference (ggml.cc's table) and the pieces every
// SIMD table shares (the fp16 fields, the per-block scale arithmetic, and the reference
// block decoder for the rare blocks whose d or m is not finite). Every float operation is
// one float32 operation of ggml's reference quantizer, in its order; the kernels build with
// -ffp-contract=off, so none is fused into an FMA. Internal linkage for the same reason as
// scalar_impl.h: each ISA file compiles its own copy with its own flags.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstring>

#include "kernels/ggml/ggml.h"
#include "kernels/ggml/ggml_kquants.h"
#include "kernels/convert/half.h"

namespace quantkit {
namespace ggml {
namespace {
namespace ref {

inline void StoreHalf(uint8_t* p, float v) {
  const uint16_t h = half::FloatToHalf(v);
  p[0] = static_cast<uint8_t>(h & 0xff);
  p[1] = static_cast<uint8_t>(h >> 8);
}

inline float LoadHalf(const uint8_t* p) { return half::HalfToFloat(static_cast<uint16_t>(p[0] | (p[1] << 8))); }

inline float ToF32(float v) { return v; }
inline float ToF32(double v) { return static_cast<float>(v); }

// NaN, ±Inf and anything too large for an int: the reference's float -> int8 conversion is
// undefined there; quantkit writes 0 (ggml.h). Finite codes never come near the limit.
inline bool Unconvertible(float v) { return !(std::fabs(v) < 1073741824.0f); }

// roundf (ties away from zero) as an int, without a libm call: v − trunc(v) is exact.
// The result is stored as its low byte (the reference's int8 store): where d is a float32
// subnormal, 1/d is inexact enough for x · id to pass ±127.5.
inline int RoundHalfAway(float v) {
  if (Unconvertible(v)) return 0;
  const int t = static_cast<int>(v);
  const float frac = v - static_cast<float>(t);
  return t + (frac >= 0.5f ? 1 : 0) - (frac <= -0.5f ? 1 : 0);
}

// MIN(15, (int8_t)v): truncation toward zero, as a byte. v >= 0.4999… for every finite
// code of Q4_0 and Q4_1 where d is normal; only a subnormal d (whose 1/d is inexact) can
// bring a negative value here, and then the byte's high bits reach the neighbouring nibble
// exactly as in the reference's lo | hi << 4.
inline uint8_t Nibble(float v) {
  if (Unconvertible(v)) return 0;
  const int t = static_cast<int>(v);
  return static_cast<uint8_t>(t < 15 ? t : 15);
}

// The per-block scales, shared by every ISA so that they are one expression each.
inline float InverseOf(float d) { return d != 0.0f ? 1.0f / d : 0.0f; }
inline float ScaleQ8_0(float amax) { return amax / 127.0f; }
// max / −8 maps the extreme onto code 0 (−8 after the offset); an all-zero block gives
// d = −0, stored as 0x8000.
inline float ScaleQ4_0(float max) { return max / -8.0f; }
inline float ScaleQ4_1(float min, float max) { return (max - min) / 15.0f; }
inline float ScaleQ5_0(float max) { return max / -16.0f; }
inline float ScaleQ5_1(float min, float max) { return (max - min) / 31.0f; }

inline void QuantizeQ8_0(const float* x, uint8_t* out) {
  float amax = 0.0f;
  for (size_t j = 0; j < kBlockSize; ++j) {
    const float a = std::fabs(x[j]);
    if (a > amax) amax = a;
  }
  const float d = ScaleQ8_0(amax);
  const float id = InverseOf(d);
  StoreHalf(out, d);
  for (size_t j = 0; j < kBlockSize; ++j) out[2 + j] = static_cast<uint8_t>(RoundHalfAway(x[j] * id));
}

// The block's value of largest magnitude, with its sign (the scan of ggml's Q4_0 and Q5_0
// reference quantizers): the first one wins a tie (strict <), and an all-zero block keeps +0.
inline float SignedAbsMax(const float* x) {
  float amax = 0.0f;
  float max = 0.0f;
  for (size_t j = 0; j < kBlockSize; ++j) {
    const float a = std::fabs(x[j]);
    if (amax < a) {
      amax = a;
      max = x[j];
    }
  }
  return max;
}

inline void QuantizeQ4_0(const float* x, uint8_t* out) {
  const float d = ScaleQ4_0(SignedAbsMax(x));
  const float id = InverseOf(d);
  StoreHalf(out, d);
  for (size_t j = 0; j < kBlockSize / 2; ++j) {
    const uint8_t lo = Nibble(x[j] * id + 8.5f);
    const uint8_t hi = Nibble(x[j + kBlockSize / 2] * id + 8.5f);
    out[2 + j] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

inline void QuantizeQ4_1(const float* x, uint8_t* out) {
  // Strict comparisons: of equal values (+0 and −0) the first one is kept, and its sign
  // reaches the stored m.
  float min = FLT_MAX;
  float max = -FLT_MAX;
  for (size_t j = 0; j < kBlockSize; ++j) {
    if (x[j] < min) min = x[j];
    if (x[j] > max) max = x[j];
  }
  const float d = ScaleQ4_1(min, max);
  const float id = InverseOf(d);
  StoreHalf(out, d);
  StoreHalf(out + 2, min);
  for (size_t j = 0; j < kBlockSize / 2; ++j) {
    const uint8_t lo = Nibble((x[j] - min) * id + 0.5f);
    const uint8_t hi = Nibble((x[j + kBlockSize / 2] - min) * id + 0.5f);
    out[4 + j] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

// A NaN result takes one bit pattern on every platform and backend.
inline void CanonicalNaNs(float* out, size_t n = kBlockSize) {
  const uint32_t nan_bits = 0x7fc00000u;
  for (size_t j = 0; j < n; ++j) {
    if (std::isnan(out[j])) std::memcpy(&out[j], &nan_bits, sizeof nan_bits);
  }
}

// q · d is exact in float32 (at most 8 + 11 significant bits, far from under- or
// overflow), so ggml's multiply-then-add and an FMA agree for Q4_1.
inline void DequantizeBlock(int type, const uint8_t* p, float* y) {
  const float d = LoadHalf(p);
  if (type == kQ8_0) {
    for (size_t j = 0; j < kBlockSize; ++j) y[j] = static_cast<float>(static_cast<int8_t>(p[2 + j])) * d;
    if (!std::isfinite(d)) CanonicalNaNs(y);
  } else if (type == kQ4_0) {
    for (size_t j = 0; j < kBlockSize / 2; ++j) {
      y[j] = static_cast<float>((p[2 + j] & 0x0f) - 8) * d;
      y[j + kBlockSize / 2] = static_cast<float>((p[2 + j] >> 4) - 8) * d;
    }
    if (!std::isfinite(d)) CanonicalNaNs(y);
  } else {
    const float m = LoadHalf(p + 2);
    for (size_t j = 0; j < kBlockSize / 2; ++j) {
      y[j] = static_cast<float>(p[4 + j] & 0x0f) * d + m;
      y[j + kBlockSize / 2] = static_cast<float>(p[4 + j] >> 4) * d + m;
    }
    if (!std::isfinite(d) || !std::isfinite(m)) CanonicalNaNs(y);
  }
}

// True when a block's stored scales (d, and m for Q4_1) are finite: the SIMD decoders
// take only those blocks and leave the others to DequantizeBlock.
inline bool FiniteScales(int type, const uint8_t* p) {
  // fp16 exponent 0x1f is Inf or NaN.
  if ((p[1] & 0x7c) == 0x7c) return false;
  return type != kQ4_1 || (p[3] & 0x7c) != 0x7c;
}

// Index of the first element that is not finite once read as float32, or n. Scanned in
// chunks without an early exit inside, so that the common all-finite case vectorises; the
// exact index is found within the chunk that has one.
template <typename In>
size_t FirstNonFinite(const In* x, size_t n) {
  constexpr size_t kChunk = 256;
  for (size_t begin = 0; begin < n; begin += kChunk) {
    const size_t end = n - begin < kChunk ? n : begin + kChunk;
    bool bad = false;
    for (size_t i = begin; i < end; ++i) bad |= !(std::fabs(ToF32(x[i])) <= FLT_MAX);
    if (bad) {
      for (size_t i = begin; i < end; ++i) {
        if (!(std::fabs(ToF32(x[i])) <= FLT_MAX)) return i;
      }
    }
  }
  return n;
}

template <int Type, typename In>
void QuantizeRef(const void* xv, size_t blocks, uint8_t* out) {
  const In* x = static_cast<const In*>(xv);
  float block[kBlockSize];
  for (size_t b = 0; b < blocks; ++b, x += kBlockSize, out += BlockBytes(Type)) {
    for (size_t j = 0; j < kBlockSize; ++j) block[j] = ToF32(x[j]);
    if (Type == kQ8_0) QuantizeQ8_0(block, out);
    else if (Type == kQ4_0) QuantizeQ4_0(block, out);
    else QuantizeQ4_1(block, out);
  }
}

template <int Type>
void DequantizeRef(const uint8_t* in, size_t blocks, float* out) {
  for (size_t b = 0; b < blocks; ++b) DequantizeBlock(Type, in + b * BlockBytes(Type), out + b * kBlockSize);
}

}  // namespace ref

// The quantize kernel of one block type in Ops' table: its own where Ops::Owns(type) (Q8_0
// to Q4_1 always; Q5_0 to Q6_K where the ISA has them, ggml_simd.h), else the scalar
// reference of ggml_kquants.cc, the very function of the scalar table.
template <typename Ops, int Type, typename In>
constexpr GgmlQuantizeFn QuantizeEntry() {
  if constexpr (Ops::Owns(Type)) return Ops::template Quantize<Type, In>;
  else return QuantizeScalarOnly<Type, In>;
}

// constexpr for the reason given in table.h: an ISA file's accessor only returns an address.
// Dequantize of Q5_0 to Q6_K is the scalar reference at every level.
template <typename Ops>
constexpr GgmlTable MakeGgmlTable(const char* isa) {
  return GgmlTable{
      isa,
      {{QuantizeEntry<Ops, kQ8_0, float>(), QuantizeEntry<Ops, kQ4_0, float>(), QuantizeEntry<Ops, kQ4_1, float>(),
        QuantizeEntry<Ops, kQ5_0, float>(), QuantizeEntry<Ops, kQ5_1, float>(), QuantizeEntry<Ops, kQ4_K, float>(),
        QuantizeEntry<Ops, kQ5_K, float>(), QuantizeEntry<Ops, kQ6_K, float>()},
       {QuantizeEntry<Ops, kQ8_0, double>(), QuantizeEntry<Ops, kQ4_0, double>(), QuantizeEntry<Ops, kQ4_1, double>(),
        QuantizeEntry<Ops, kQ5_0, double>(), QuantizeEntry<Ops, kQ5_1, double>(), QuantizeEntry<Ops, kQ4_K, double>(),
        QuantizeEntry<Ops, kQ5_K, double>(), QuantizeEntry<Ops, kQ6_K, double>()}},
      {Ops::template Dequantize<kQ8_0>, Ops::template Dequantize<kQ4_0>, Ops::template Dequantize<kQ4_1>,
       DequantizeScalarOnly<kQ5_0>, DequantizeScalarOnly<kQ5_1>, DequantizeScalarOnly<kQ4_K>,
       DequantizeScalarOnly<kQ5_K>, DequantizeScalarOnly<kQ6_K>},
      {Ops::template FirstNonFinite<float>, Ops::template FirstNonFinite<double>},
  };
}

}  // namespace
}  // namespace ggml
}  // namespace quantkit
