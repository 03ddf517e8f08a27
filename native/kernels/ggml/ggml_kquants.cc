// Q5_0, Q5_1, Q4_K, Q5_K and Q6_K: the scalar reference, the only kernel of every level
// (ggml_kquants.h says why this file has baseline flags only). Each function restates one
// of ggml-quants.c's reference quantizers (quantize_row_q5_0_ref, quantize_row_q5_1_ref,
// quantize_row_q4_K_ref, quantize_row_q5_K_ref, quantize_row_q6_K_ref and their helpers
// make_qkx2_quants, make_qx_quants, nearest_int) operation for operation: the same float32
// operations in the same order, the same strict comparisons, the same integer truncations.
// lib/backend-ts/ggml.ts is the same statement in TypeScript.
//
// Packings of a 256-element super-block (sub-blocks of 32 for Q4_K/Q5_K, of 16 for Q6_K):
//   Q4_K, Q5_K  scales[12]: sub-blocks 0-3 keep their 6-bit scale in scales[j] and their
//               6-bit min in scales[j + 4]; sub-blocks 4-7 keep the low 4 bits of both in
//               scales[j + 4] (scale low, min high) and the top 2 bits in bits 6-7 of
//               scales[j - 4] (scale) and scales[j] (min). Element x = d·sc·q − dmin·m.
//               qs: each 64 elements share 32 bytes, the first 32 in the low nibbles.
//               Q5_K's qh[l] has bit 2i (2i + 1) set for element 64i + l (64i + 32 + l) ≥ 16.
//   Q6_K        ql: each 128 elements share 64 bytes: ql[l] holds elements l (low) and
//               l + 64 (high), ql[l + 32] elements l + 32 and l + 96; qh[l] holds the top 2
//               bits of elements l, l + 32, l + 64, l + 96 at bits 0, 2, 4, 6. scales are
//               int8, one per 16 elements; x = d·scale·(q − 32).
#include <cfloat>
#include <cmath>
#include <cstring>

#include "kernels/ggml/ggml_impl.h"

namespace quantkit {
namespace ggml {
namespace {

using kquant::kGroupMaxEps;

// nearest_int: adding 1.5 · 2^23 leaves the rounded integer (ties to even) in the low
// mantissa bits. Stated on the bits so that it gives what ggml's gives for every float,
// NaN and values beyond 2^22 included (where it is no longer the nearest integer).
inline int NearestInt(float v) {
  const float shifted = v + 12582912.0f;
  int32_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  return (bits & 0x007fffff) - 0x00400000;
}

inline int Clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// (int8_t)v then MIN(31, ·), as a byte: ref::Nibble's rule with 31 (Q5_0).
inline uint8_t Code5Signed(float v) {
  if (ref::Unconvertible(v)) return 0;
  const int t = static_cast<int>(v);
  return static_cast<uint8_t>(t < 31 ? t : 31);
}

// (uint8_t)v (Q5_1, which has no MIN): the low byte of the truncated value.
inline uint8_t Code5Unsigned(float v) {
  if (ref::Unconvertible(v)) return 0;
  return static_cast<uint8_t>(static_cast<int>(v));
}

// Bit j of qh for the low half, bit j + 16 for the high one; qh stored little-endian.
inline void StoreQh(uint8_t* p, uint32_t qh) {
  for (int k = 0; k < 4; ++k) p[k] = static_cast<uint8_t>(qh >> (8 * k));
}
inline uint32_t LoadQh(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

void QuantizeQ5_0(const float* x, uint8_t* out) {
  const float d = ref::ScaleQ5_0(ref::SignedAbsMax(x));
  const float id = ref::InverseOf(d);
  ref::StoreHalf(out, d);
  uint32_t qh = 0;
  for (size_t j = 0; j < kBlockSize / 2; ++j) {
    const uint8_t lo = Code5Signed(x[j] * id + 16.5f);
    const uint8_t hi = Code5Signed(x[j + kBlockSize / 2] * id + 16.5f);
    out[6 + j] = static_cast<uint8_t>((lo & 0x0f) | ((hi & 0x0f) << 4));
    qh |= static_cast<uint32_t>((lo & 0x10u) >> 4) << j;
    qh |= static_cast<uint32_t>((hi & 0x10u) >> 4) << (j + kBlockSize / 2);
  }
  StoreQh(out + 2, qh);
}

void QuantizeQ5_1(const float* x, uint8_t* out) {
  float min = FLT_MAX;
  float max = -FLT_MAX;
  for (size_t j = 0; j < kBlockSize; ++j) {
    if (x[j] < min) min = x[j];
    if (x[j] > max) max = x[j];
  }
  const float d = ref::ScaleQ5_1(min, max);
  const float id = ref::InverseOf(d);
  ref::StoreHalf(out, d);
  ref::StoreHalf(out + 2, min);
  uint32_t qh = 0;
  for (size_t j = 0; j < kBlockSize / 2; ++j) {
    const uint8_t lo = Code5Unsigned((x[j] - min) * id + 0.5f);
    const uint8_t hi = Code5Unsigned((x[j + kBlockSize / 2] - min) * id + 0.5f);
    out[8 + j] = static_cast<uint8_t>((lo & 0x0f) | ((hi & 0x0f) << 4));
    qh |= static_cast<uint32_t>((lo & 0x10u) >> 4) << j;
    qh |= static_cast<uint32_t>((hi & 0x10u) >> 4) << (j + kBlockSize / 2);
  }
  StoreQh(out + 4, qh);
}

// make_qkx2_quants with use_mad = false and weights given: the scale and min of an affine
// grid of codes 0..nmax for n values, searched over nstep + 1 trial scales (rmin + rdelta·is
// added to nmax) by weighted least squares; L gets the codes. Returns the scale; *neg_min
// gets −min (min ≤ 0).
float MakeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* neg_min, uint8_t* laux,
                     float rmin, float rdelta, int nstep) {
  float min = x[0];
  float max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    *neg_min = -min;
    return 0.0f;
  }
  float iscale = static_cast<float>(nmax) / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (int i = 0; i < n; ++i) {
    const int l = NearestInt(iscale * (x[i] - min));
    L[i] = static_cast<uint8_t>(Clamp(l, 0, nmax));
    float diff = scale * static_cast<float>(L[i]) + min - x[i];
    diff = diff * diff;
    best_error += weights[i] * diff;
  }
  for (int is = 0; is <= nstep; ++is) {
    // max − min with the min of the best trial so far (min moves when a trial wins).
    iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      const int l = Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax);
      laux[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      const float fl = static_cast<float>(l);
      sum_l += w * fl;
      sum_l2 += w * fl * fl;
      sum_xl += w * fl * x[i];
    }
    const float D = sum_w * sum_l2 - sum_l * sum_l;
    if (D > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
      if (this_min > 0) {
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      float cur_error = 0;
      for (int i = 0; i < n; ++i) {
        float diff = this_scale * static_cast<float>(laux[i]) + this_min - x[i];
        diff = diff * diff;
        cur_error += weights[i] * diff;
      }
      if (cur_error < best_error) {
        for (int i = 0; i < n; ++i) L[i] = laux[i];
        best_error = cur_error;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *neg_min = -min;
  return scale;
}

// make_qx_quants with rmse_type 1 and no quant weights (weights x²): a symmetric grid of
// codes −nmax..nmax−1 for n values, trying 18 scales around nmax / max. L gets code + nmax.
float MakeQxQuants(int n, int nmax, const float* x, int8_t* L) {
  float max = 0;
  float amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.0f;
  }
  float iscale = static_cast<float>(-nmax) / max;
  float sumlx = 0;
  float suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
    L[i] = static_cast<int8_t>(l + nmax);
    const float w = x[i] * x[i];
    const float fl = static_cast<float>(l);
    sumlx += w * x[i] * fl;
    suml2 += w * fl * fl;
  }
  // C's `suml2 ? … : 0`: a NaN suml2 takes the division.
  float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
      const float w = x[i] * x[i];
      const float fl = static_cast<float>(l);
      sumlx += w * x[i] * fl;
      suml2 += w * fl * fl;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i) {
        L[i] = static_cast<int8_t>(nmax + Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1));
      }
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// The shared part of Q4_K and Q5_K: per-sub-block scales and mins by make_qkx2_quants,
// stored by kquant::StoreScalesMinsK, then every code again from the stored scales. Writes
// d, dmin, scales[12] and leaves the codes (0..nmax) in L.
void QuantizeScalesMinsK(const float* x, int nmax, float rmin, float rdelta, int nstep, uint8_t* out, uint8_t* L) {
  constexpr int kSub = 32;
  float scales[kSuperBlockSize / kSub];
  float mins[kSuperBlockSize / kSub];
  float weights[kSub];
  uint8_t laux[kSub];
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + kSub * j;
    float sum_x2 = 0;
    for (int l = 0; l < kSub; ++l) sum_x2 += xs[l] * xs[l];
    const float av_x = std::sqrt(sum_x2 / 32.0f);
    for (int l = 0; l < kSub; ++l) weights[l] = av_x + std::fabs(xs[l]);
    scales[j] = MakeQkx2Quants(kSub, nmax, xs, weights, L + kSub * j, &mins[j], laux, rmin, rdelta, nstep);
  }
  kquant::StoreScalesMinsK(scales, mins, out);
  const uint8_t* packed = out + 4;
  const float d_all = ref::LoadHalf(out);
  const float dmin_all = ref::LoadHalf(out + 2);
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    kquant::ScaleMinK4(j, packed, &sc, &m);
    const float d = d_all * static_cast<float>(sc);
    // `if (!d) continue;`: a zero d keeps make_qkx2_quants' codes; a NaN d does not skip.
    if (d == 0) continue;
    const float dm = dmin_all * static_cast<float>(m);
    for (int i = 0; i < kSub; ++i) L[kSub * j + i] = static_cast<uint8_t>(Clamp(NearestInt((x[kSub * j + i] + dm) / d), 0, nmax));
  }
}

void QuantizeQ4_K(const float* x, uint8_t* out) {
  uint8_t L[kSuperBlockSize];
  QuantizeScalesMinsK(x, 15, -1.0f, 0.1f, 20, out, L);
  kquant::PackCodesQ4_K(L, out);
}

void QuantizeQ5_K(const float* x, uint8_t* out) {
  uint8_t L[kSuperBlockSize];
  QuantizeScalesMinsK(x, 31, -0.5f, 0.1f, 15, out, L);
  kquant::PackCodesQ5_K(L, out);
}

void QuantizeQ6_K(const float* x, uint8_t* out) {
  constexpr int kSub = 16;
  int8_t L[kSuperBlockSize];
  float scales[kSuperBlockSize / kSub];
  for (int ib = 0; ib < 16; ++ib) scales[ib] = MakeQxQuants(kSub, 32, x + kSub * ib, L + kSub * ib);
  if (!kquant::StoreScalesQ6_K(scales, out)) return;
  const int8_t* sc = reinterpret_cast<const int8_t*>(out + 192);
  const float d_all = ref::LoadHalf(out + 208);
  for (int j = 0; j < 16; ++j) {
    const float d = d_all * static_cast<float>(sc[j]);
    if (d == 0) continue;
    for (int i = 0; i < kSub; ++i) L[kSub * j + i] = static_cast<int8_t>(Clamp(NearestInt(x[kSub * j + i] / d), -32, 31) + 32);
  }
  kquant::PackCodesQ6_K(reinterpret_cast<const uint8_t*>(L), out);
}

// ---- dequantize (dequantize_row_*): one rounding per float operation, as ggml ----------

inline bool NonFinite(float v) { return !std::isfinite(v); }

void DequantizeQ5_0(const uint8_t* p, float* y) {
  const float d = ref::LoadHalf(p);
  const uint32_t qh = LoadQh(p + 2);
  for (size_t j = 0; j < kBlockSize / 2; ++j) {
    const int lo = static_cast<int>((p[6 + j] & 0x0f) | (((qh >> j) << 4) & 0x10)) - 16;
    const int hi = static_cast<int>((p[6 + j] >> 4) | ((qh >> (j + 12)) & 0x10)) - 16;
    y[j] = static_cast<float>(lo) * d;
    y[j + kBlockSize / 2] = static_cast<float>(hi) * d;
  }
  if (NonFinite(d)) ref::CanonicalNaNs(y);
}

void DequantizeQ5_1(const uint8_t* p, float* y) {
  const float d = ref::LoadHalf(p);
  const float m = ref::LoadHalf(p + 2);
  const uint32_t qh = LoadQh(p + 4);
  for (size_t j = 0; j < kBlockSize / 2; ++j) {
    const int lo = static_cast<int>((p[8 + j] & 0x0f) | (((qh >> j) << 4) & 0x10));
    const int hi = static_cast<int>((p[8 + j] >> 4) | ((qh >> (j + 12)) & 0x10));
    y[j] = static_cast<float>(lo) * d + m;
    y[j + kBlockSize / 2] = static_cast<float>(hi) * d + m;
  }
  if (NonFinite(d) || NonFinite(m)) ref::CanonicalNaNs(y);
}

// Q4_K and Q5_K: d·sc and dmin·m are exact (11 × 6 bits), and so is (d·sc)·q; the
// subtraction is the one rounding.
template <bool kFifthBit>
void DequantizeQ45_K(const uint8_t* p, float* y) {
  const float d = ref::LoadHalf(p);
  const float dmin = ref::LoadHalf(p + 2);
  const uint8_t* packed = p + 4;
  const uint8_t* qh = p + 16;
  const uint8_t* q = p + (kFifthBit ? 48 : 16);
  uint8_t u1 = 1, u2 = 2;
  float* yo = y;
  for (int j = 0, is = 0; j < static_cast<int>(kSuperBlockSize); j += 64, is += 2, q += 32) {
    uint8_t sc, m;
    kquant::ScaleMinK4(is, packed, &sc, &m);
    const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
    kquant::ScaleMinK4(is + 1, packed, &sc, &m);
    const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
    for (int l = 0; l < 32; ++l) {
      const int v = (q[l] & 0x0f) + (kFifthBit && (qh[l] & u1) ? 16 : 0);
      *yo++ = d1 * static_cast<float>(v) - m1;
    }
    for (int l = 0; l < 32; ++l) {
      const int v = (q[l] >> 4) + (kFifthBit && (qh[l] & u2) ? 16 : 0);
      *yo++ = d2 * static_cast<float>(v) - m2;
    }
    u1 = static_cast<uint8_t>(u1 << 2);
    u2 = static_cast<uint8_t>(u2 << 2);
  }
  if (NonFinite(d) || NonFinite(dmin)) ref::CanonicalNaNs(y, kSuperBlockSize);
}

// Q6_K: d·scale is exact; (d·scale)·q rounds (up to 25 significant bits).
void DequantizeQ6_K(const uint8_t* p, float* const out) {
  const float d = ref::LoadHalf(p + 208);
  float* y = out;
  const uint8_t* ql = p;
  const uint8_t* qh = p + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(p + 192);
  for (size_t n = 0; n < kSuperBlockSize; n += 128, ql += 64, qh += 32, sc += 8, y += 128) {
    for (size_t l = 0; l < 32; ++l) {
      const size_t is = l / 16;
      const int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
      y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
      y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
      y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
    }
  }
  if (NonFinite(d)) ref::CanonicalNaNs(out, kSuperBlockSize);
}

}  // namespace

namespace kquant {

void StoreScalesMinsK(const float* scales, const float* mins, uint8_t* out) {
  float max_scale = 0;
  float max_min = 0;
  for (int j = 0; j < 8; ++j) {
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }
  const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
  const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
  uint8_t* packed = out + 4;
  for (int j = 0; j < 8; ++j) {
    // The reference stores nearest_int's int in a uint8_t before the MIN: modulo 256.
    uint8_t ls = static_cast<uint8_t>(NearestInt(inv_scale * scales[j]));
    uint8_t lm = static_cast<uint8_t>(NearestInt(inv_min * mins[j]));
    if (ls > 63) ls = 63;
    if (lm > 63) lm = 63;
    if (j < 4) {
      packed[j] = ls;
      packed[j + 4] = lm;
    } else {
      packed[j + 4] = static_cast<uint8_t>((ls & 0x0f) | ((lm & 0x0f) << 4));
      packed[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
      packed[j] |= static_cast<uint8_t>((lm >> 4) << 6);
    }
  }
  ref::StoreHalf(out, max_scale / 63.0f);
  ref::StoreHalf(out + 2, max_min / 63.0f);
}

bool StoreScalesQ6_K(const float* scales, uint8_t* out) {
  float max_scale = 0;
  float max_abs_scale = 0;
  for (int ib = 0; ib < 16; ++ib) {
    const float abs_scale = std::fabs(scales[ib]);
    if (abs_scale > max_abs_scale) {
      max_abs_scale = abs_scale;
      max_scale = scales[ib];
    }
  }
  if (max_abs_scale < kGroupMaxEps) {
    std::memset(out, 0, BlockBytes(kQ6_K));  // d = fp16 +0 is 0x0000 too
    return false;
  }
  int8_t* sc = reinterpret_cast<int8_t*>(out + 192);
  const float iscale = -128.0f / max_scale;
  ref::StoreHalf(out + 208, 1 / iscale);
  for (int ib = 0; ib < 16; ++ib) {
    const int l = NearestInt(iscale * scales[ib]);
    sc[ib] = static_cast<int8_t>(static_cast<uint8_t>(l < 127 ? l : 127));  // int -> int8 modulo 256
  }
  return true;
}

void PackCodesQ4_K(const uint8_t* L, uint8_t* out) {
  uint8_t* q = out + 16;
  for (size_t j = 0; j < kSuperBlockSize; j += 64, q += 32) {
    for (size_t l = 0; l < 32; ++l) q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
  }
}

void PackCodesQ5_K(const uint8_t* L, uint8_t* out) {
  uint8_t* qh = out + 16;
  uint8_t* ql = out + 48;
  std::memset(qh, 0, 32);
  uint8_t m1 = 1, m2 = 2;
  for (size_t n = 0; n < kSuperBlockSize; n += 64, ql += 32) {
    for (size_t j = 0; j < 32; ++j) {
      int l1 = L[n + j];
      if (l1 > 15) {
        l1 -= 16;
        qh[j] |= m1;
      }
      int l2 = L[n + j + 32];
      if (l2 > 15) {
        l2 -= 16;
        qh[j] |= m2;
      }
      ql[j] = static_cast<uint8_t>(l1 | (l2 << 4));
    }
    m1 = static_cast<uint8_t>(m1 << 2);
    m2 = static_cast<uint8_t>(m2 << 2);
  }
}

void PackCodesQ6_K(const uint8_t* L, uint8_t* out) {
  uint8_t* ql = out;
  uint8_t* qh = out + 128;
  for (size_t j = 0; j < kSuperBlockSize; j += 128, ql += 64, qh += 32) {
    for (size_t l = 0; l < 32; ++l) {
      const uint8_t q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
      ql[l] = static_cast<uint8_t>((q1 & 0x0f) | ((q3 & 0x0f) << 4));
      ql[l + 32] = static_cast<uint8_t>((q2 & 0x0f) | ((q4 & 0x0f) << 4));
      qh[l] = static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
    }
  }
}

}  // namespace kquant

template <int Type, typename In>
void QuantizeScalarOnly(const void* xv, size_t blocks, uint8_t* out) {
  constexpr size_t n = BlockElements(Type);
  const In* x = static_cast<const In*>(xv);
  float block[n];
  for (size_t b = 0; b < blocks; ++b, x += n, out += BlockBytes(Type)) {
    for (size_t j = 0; j < n; ++j) block[j] = ref::ToF32(x[j]);
    if (Type == kQ5_0) QuantizeQ5_0(block, out);
    else if (Type == kQ5_1) QuantizeQ5_1(block, out);
    else if (Type == kQ4_K) QuantizeQ4_K(block, out);
    else if (Type == kQ5_K) QuantizeQ5_K(block, out);
    else QuantizeQ6_K(block, out);
  }
}

template <int Type>
void DequantizeScalarOnly(const uint8_t* in, size_t blocks, float* out) {
  constexpr size_t n = BlockElements(Type);
  for (size_t b = 0; b < blocks; ++b, in += BlockBytes(Type), out += n) {
    if (Type == kQ5_0) DequantizeQ5_0(in, out);
    else if (Type == kQ5_1) DequantizeQ5_1(in, out);
    else if (Type == kQ4_K) DequantizeQ45_K<false>(in, out);
    else if (Type == kQ5_K) DequantizeQ45_K<true>(in, out);
    else DequantizeQ6_K(in, out);
  }
}

template void QuantizeScalarOnly<kQ5_0, float>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ5_1, float>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ4_K, float>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ5_K, float>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ6_K, float>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ5_0, double>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ5_1, double>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ4_K, double>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ5_K, double>(const void*, size_t, uint8_t*);
template void QuantizeScalarOnly<kQ6_K, double>(const void*, size_t, uint8_t*);
template void DequantizeScalarOnly<kQ5_0>(const uint8_t*, size_t, float*);
template void DequantizeScalarOnly<kQ5_1>(const uint8_t*, size_t, float*);
template void DequantizeScalarOnly<kQ4_K>(const uint8_t*, size_t, float*);
template void DequantizeScalarOnly<kQ5_K>(const uint8_t*, size_t, float*);
template void DequantizeScalarOnly<kQ6_K>(const uint8_t*, size_t, float*);

}  // namespace ggml
}  // namespace quantkit
