// float16 (IEEE binary16) and bfloat16 <-> float32, one value at a time: the scalar
// reference for the array kernels (convert.h) and for any kernel that needs a half (ggml
// block scales). Pure integer bit manipulation, so the result does not depend on the
// floating-point environment. Internal linkage for the same reason as scalar_impl.h.
//
// The rules (checked against ONNX Runtime 1.30's Cast in test/float16.test.js):
//   float32 -> float16   round to nearest, ties to even; |x| >= 65520 -> ±Inf; results
//                        below 2^-14 are float16 subnormals (never flushed); a NaN stays a
//                        NaN with its sign, quiet bit set and the top 9 payload bits kept:
//                        sign | 0x7e00 | (mantissa >> 13). That is what x86 F16C
//                        (vcvtps2ph), AArch64 FCVT and ORT's vectorised Cast produce.
//   float16 -> float32   exact; a NaN keeps its sign and payload and gets the quiet bit
//                        (a signalling NaN is quietened), as F16C's vcvtph2ps, AArch64
//                        FCVTL and ORT's vectorised Cast do.
//   float32 -> bfloat16  round to nearest, ties to even, on the top 16 bits; overflow
//                        rounds to ±Inf; a NaN becomes sign | 0x7fc0 (as ORT).
//   bfloat16 -> float32  exact: the 16 bits become the top half of the float32.
#pragma once

#include <cstdint>
#include <cstring>

namespace quantkit {
namespace {
namespace half {

inline uint32_t FloatBits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

inline float BitsFloat(uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// float32 bits -> float16 bits.
inline uint16_t FloatBitsToHalf(uint32_t f) {
  const uint32_t sign = (f >> 16) & 0x8000u;
  const uint32_t a = f & 0x7fffffffu;
  if (a > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((a >> 13) & 0x3ffu));  // NaN
  if (a >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // >= 65520 (and Inf)
  if (a >= 0x38800000u) {
    // Normal float16: rebias the exponent (127 -> 15), then round away 13 mantissa bits;
    // a carry out of the mantissa correctly bumps the exponent (up to 0x7bff at most here).
    const uint32_t r = a - 0x38000000u;
    return static_cast<uint16_t>(sign | ((r + 0x0fffu + ((r >> 13) & 1u)) >> 13));
  }
  if (a <= 0x33000000u) return static_cast<uint16_t>(sign);  // <= 2^-25: rounds to ±0 (tie to even)
  // Subnormal float16: the value in units of 2^-24, rounded to nearest even. A round-up to
  // 0x400 is the smallest normal, which is the right encoding.
  const uint32_t e = a >> 23;  // 102 ..= 112
  const uint32_t m = (a & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126u - e;  // 14 ..= 24
  uint32_t q = m >> shift;
  const uint32_t rem = m & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1u);
  if (rem > halfway || (rem == halfway && (q & 1u))) ++q;
  return static_cast<uint16_t>(sign | q);
}

// float16 bits -> float32 bits (exact).
inline uint32_t HalfToFloatBits(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1fu;
  uint32_t m = h & 0x3ffu;
  if (e == 0x1fu) return sign | 0x7f800000u | (m << 13) | (m ? 0x00400000u : 0u);  // Inf; NaN made quiet
  if (e != 0) return sign | ((e + 112u) << 23) | (m << 13);
  if (m == 0) return sign;
  // Subnormal: m · 2^-24 with m's top bit at position p becomes 1.f · 2^(p - 24).
  uint32_t p = 9;
  while (!(m & (1u << p))) --p;
  m = (m << (23u - p)) & 0x7fffffu;
  return sign | ((p + 103u) << 23) | m;
}

// float32 bits -> bfloat16 bits.
inline uint16_t FloatBitsToBFloat16(uint32_t f) {
  if ((f & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>(((f >> 16) & 0x8000u) | 0x7fc0u);
  // Cannot overflow 32 bits: the largest finite |x| plus the bias carries into Inf.
  return static_cast<uint16_t>((f + 0x7fffu + ((f >> 16) & 1u)) >> 16);
}

inline uint32_t BFloat16ToFloatBits(uint16_t b) { return static_cast<uint32_t>(b) << 16; }

inline uint16_t FloatToHalf(float x) { return FloatBitsToHalf(FloatBits(x)); }
inline float HalfToFloat(uint16_t h) { return BitsFloat(HalfToFloatBits(h)); }
inline uint16_t FloatToBFloat16(float x) { return FloatBitsToBFloat16(FloatBits(x)); }
inline float BFloat16ToFloat(uint16_t b) { return BitsFloat(BFloat16ToFloatBits(b)); }

}  // namespace half
}  // namespace
}  // namespace quantkit
