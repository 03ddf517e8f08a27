// float8 formats of ONNX (opset 19): float8e4m3fn and float8e5m2, one byte each, and their
// quantize / dequantize over arrays. Plain C++ on raw pointers: the scalar reference here
// and in float8.cc (baseline flags), SIMD quantize rows in x86_*_float8.cc (float8_simd.h).
//
//   format      layout (sign, exponent, mantissa, bias)  largest finite   NaN codes           Inf
//   e4m3fn      1, 4, 3, bias 7                          448  (0x7e)      0x7f, 0xff          none
//   e5m2        1, 5, 2, bias 15                         57344 (0x7b)     0x7d-0x7f, 0xfd-0xff 0x7c, 0xfc
//
// Quantize: q = float8(fl(x / s)) with x read as float32 (a double is rounded to float32
// first, SPEC §2.6). The conversion rounds to nearest, ties to even, at every exponent
// (subnormals included, never flushed); a result that rounds beyond the largest finite
// value is an overflow, which `saturate` turns into ±max (ONNX's default) and otherwise
// into NaN (e4m3fn, which has no Inf) or ±Inf (e5m2). ±Inf: ±max when saturating, else NaN
// (e4m3fn) or ±Inf (e5m2). NaN: sign | 0x7f, the sign taken from x. −0 and values that
// round to zero keep their sign. This is the ONNX Cast table; ONNX Runtime 1.30 differs in
// two non-saturating ranges (README "float8").
//
// Dequantize: x = fl(float(q) · s), exact decoding then one float32 multiply; a NaN code
// gives the canonical NaN of its sign (0x7fc00000 / 0xffc00000), whatever s is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/isa/kernels.h"

namespace quantkit {

enum Float8Format : int { kE4M3FN = 0, kE5M2 = 1, kFloat8FormatCount = 2 };

// x[0, n) / scale into float8 codes of `format`; x is float or double by the table row.
using QuantizeFloat8Fn = void (*)(const void* x, uint8_t* q, size_t n, int format, bool saturate, float scale);

// One row per ISA level that has its own float8 quantize; every row gives the scalar
// row's bits (native/kernels/test/kernel_test.cc).
struct Float8Kernels {
  const char* isa;
  QuantizeFloat8Fn quantize[kFloatTypeCount];
};

// The float8 kernels for a kernel level the addon has picked (so one the CPU runs): SSE2
// for sse2, AVX2 for avx2 and avx512, the scalar row otherwise. Never null.
const Float8Kernels& Float8KernelsFor(IsaLevel level);

const Float8Kernels& ScalarFloat8();
#if defined(QUANTKIT_X86)
const Float8Kernels& Sse2Float8();
const Float8Kernels& Avx2Float8();
#endif

// Codes q[0, n) of `format` decoded and multiplied by scale.
void DequantizeFloat8(const uint8_t* q, float* x, size_t n, int format, float scale);

namespace float8 {

// A format's parameters: mantissa bits, exponent bias, the largest finite code (sign
// clear), and the code an overflow becomes without saturation.
struct Spec {
  int mantissa_bits;
  int bias;
  uint32_t max_code;
  uint32_t overflow_code;
};

constexpr Spec kSpecs[kFloat8FormatCount] = {
    {3, 7, 0x7e, 0x7f},   // e4m3fn: no Inf, so overflow is NaN
    {2, 15, 0x7b, 0x7c},  // e5m2: overflow is Inf
};

inline uint32_t FloatBits(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

inline float BitsFloat(uint32_t u) {
  float v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

// float32 bits -> float8 code. Integer arithmetic only, so the result does not depend on
// the floating-point environment.
inline uint8_t FromFloatBits(uint32_t b, const Spec& f, bool saturate) {
  const uint32_t sign = (b >> 24) & 0x80u;
  const uint32_t a = b & 0x7fffffffu;
  if (a > 0x7f800000u) return static_cast<uint8_t>(sign | 0x7fu);
  if (a == 0x7f800000u) return static_cast<uint8_t>(sign | (saturate ? f.max_code : f.overflow_code));
  const int m = f.mantissa_bits;
  const int emin = 1 - f.bias;  // exponent of the smallest normal
  const uint32_t shift = static_cast<uint32_t>(23 - m);
  uint32_t code;
  if (a >= static_cast<uint32_t>(emin + 127) << 23) {
    // Normal range: rebias the exponent, then round the dropped mantissa bits to nearest
    // even; a carry out of the mantissa bumps the exponent, which is the right encoding.
    const uint32_t r = a - (static_cast<uint32_t>(127 - f.bias) << 23);
    code = (r + ((1u << (shift - 1)) - 1u) + ((r >> shift) & 1u)) >> shift;
    if (code > f.max_code) code = saturate ? f.max_code : f.overflow_code;
  } else if (a <= static_cast<uint32_t>(emin - m - 1 + 127) << 23) {
    code = 0;  // at most half the smallest subnormal: the tie goes to even, 0
  } else {
    // Subnormal: the value in units of the smallest subnormal 2^(emin − m), rounded to
    // nearest even. A round-up to 1 << m is the smallest normal, correctly encoded.
    const uint32_t e = a >> 23;
    const uint32_t mant = (a & 0x7fffffu) | 0x800000u;
    const uint32_t s = static_cast<uint32_t>(150 + emin - m) - e;  // 21..24 (e4m3fn), 22..24 (e5m2)
    code = mant >> s;
    const uint32_t rem = mant & ((1u << s) - 1u);
    const uint32_t half = 1u << (s - 1u);
    if (rem > half || (rem == half && (code & 1u))) ++code;
  }
  return static_cast<uint8_t>(sign | code);
}

// float8 code -> float32 bits (exact); NaN codes give the canonical NaN of their sign.
inline uint32_t ToFloatBits(uint8_t c, const Spec& f) {
  const uint32_t sign = static_cast<uint32_t>(c & 0x80u) << 24;
  const int m = f.mantissa_bits;
  const uint32_t e = (c & 0x7fu) >> m;
  uint32_t mant = c & ((1u << m) - 1u);
  const uint32_t emax_field = (0x7fu >> m);
  if (f.overflow_code == 0x7f) {
    if ((c & 0x7fu) == 0x7fu) return sign | 0x7fc00000u;  // e4m3fn: only S.1111.111 is NaN
  } else if (e == emax_field) {
    return sign | (mant == 0 ? 0x7f800000u : 0x7fc00000u);  // e5m2: IEEE Inf / NaN
  }
  if (e != 0) return sign | ((e + 127u - static_cast<uint32_t>(f.bias)) << 23) | (mant << (23 - m));
  if (mant == 0) return sign;
  // Subnormal: mant · 2^(1 − bias − m); normalise so the top set bit becomes the implicit 1.
  int p = m - 1;
  while (!(mant & (1u << p))) --p;
  const uint32_t exponent = static_cast<uint32_t>(127 + 1 - f.bias - m + p);
  mant = (mant << (23 - p)) & 0x7fffffu;
  return sign | (exponent << 23) | mant;
}

// The code of one element: x (already float32) divided by scale. A NaN keeps the sign of
// x itself: the sign of NaN / s is not something IEEE 754 fixes.
inline uint8_t QuantizeOne(float x, const Spec& f, bool saturate, float scale) {
  const uint32_t b = FloatBits(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) return static_cast<uint8_t>(((b >> 24) & 0x80u) | 0x7fu);
  return FromFloatBits(FloatBits(x / scale), f, saturate);
}

}  // namespace float8
}  // namespace quantkit
