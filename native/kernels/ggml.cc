// ggml Q8_0 / Q4_0 / Q4_1 blocks: see ggml.h for the layouts and the rules. Every float
// operation below is one float32 operation of ggml's reference quantizer, in its order;
// the build gives this file -ffp-contract=off, so none is fused into an FMA.
#include "kernels/ggml.h"

#include <cfloat>
#include <cmath>
#include <cstring>

#include "kernels/half.h"

namespace quantkit {
namespace ggml {
namespace {

void StoreHalf(uint8_t* p, float v) {
  const uint16_t h = half::FloatToHalf(v);
  p[0] = static_cast<uint8_t>(h & 0xff);
  p[1] = static_cast<uint8_t>(h >> 8);
}

float LoadHalf(const uint8_t* p) { return half::HalfToFloat(static_cast<uint16_t>(p[0] | (p[1] << 8))); }

// NaN, ±Inf and anything too large for an int: the reference's float -> int8 conversion is
// undefined there; quantkit writes 0 (ggml.h). Finite codes never come near the limit.
bool Unconvertible(float v) { return !(std::fabs(v) < 1073741824.0f); }

// roundf (ties away from zero) as an int, without a libm call: v − trunc(v) is exact.
int RoundHalfAway(float v) {
  if (Unconvertible(v)) return 0;
  const int t = static_cast<int>(v);
  const float frac = v - static_cast<float>(t);
  return t + (frac >= 0.5f ? 1 : 0) - (frac <= -0.5f ? 1 : 0);
}

// MIN(15, (int8_t)v): truncation toward zero. v >= 0.4999… for every finite code of Q4_0
// and Q4_1, so the int8 conversion never wraps.
uint8_t Nibble(float v) {
  if (Unconvertible(v)) return 0;
  const int t = static_cast<int>(v);
  return static_cast<uint8_t>(t < 15 ? t : 15);
}

void QuantizeQ8_0(const float* x, uint8_t* out) {
  float amax = 0.0f;
  for (size_t j = 0; j < kBlockSize; ++j) {
    const float a = std::fabs(x[j]);
    if (a > amax) amax = a;
  }
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  StoreHalf(out, d);
  for (size_t j = 0; j < kBlockSize; ++j) {
    out[2 + j] = static_cast<uint8_t>(RoundHalfAway(x[j] * id));
  }
}

void QuantizeQ4_0(const float* x, uint8_t* out) {
  // The value of largest magnitude with its sign; the first one wins a tie (strict <).
  float amax = 0.0f;
  float max = 0.0f;
  for (size_t j = 0; j < kBlockSize; ++j) {
    const float a = std::fabs(x[j]);
    if (amax < a) {
      amax = a;
      max = x[j];
    }
  }
  // max / −8 maps the extreme onto code 0 (−8 after the offset); an all-zero block gives
  // d = −0, stored as 0x8000.
  const float d = max / -8.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  StoreHalf(out, d);
  for (size_t j = 0; j < kBlockSize / 2; ++j) {
    const uint8_t lo = Nibble(x[j] * id + 8.5f);
    const uint8_t hi = Nibble(x[j + kBlockSize / 2] * id + 8.5f);
    out[2 + j] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

void QuantizeQ4_1(const float* x, uint8_t* out) {
  float min = FLT_MAX;
  float max = -FLT_MAX;
  for (size_t j = 0; j < kBlockSize; ++j) {
    if (x[j] < min) min = x[j];
    if (x[j] > max) max = x[j];
  }
  const float d = (max - min) / 15.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  StoreHalf(out, d);
  StoreHalf(out + 2, min);
  for (size_t j = 0; j < kBlockSize / 2; ++j) {
    const uint8_t lo = Nibble((x[j] - min) * id + 0.5f);
    const uint8_t hi = Nibble((x[j + kBlockSize / 2] - min) * id + 0.5f);
    out[4 + j] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

template <typename In>
void QuantizeAll(int type, const In* x, size_t blocks, uint8_t* out) {
  const size_t bytes = BlockBytes(type);
  float block[kBlockSize];
  for (size_t b = 0; b < blocks; ++b) {
    const In* xb = x + b * kBlockSize;
    for (size_t j = 0; j < kBlockSize; ++j) block[j] = static_cast<float>(xb[j]);
    uint8_t* ob = out + b * bytes;
    switch (type) {
      case kQ8_0: QuantizeQ8_0(block, ob); break;
      case kQ4_0: QuantizeQ4_0(block, ob); break;
      default: QuantizeQ4_1(block, ob); break;
    }
  }
}

template <typename In>
size_t FirstNonFiniteOf(const In* x, size_t n) {
  // Scanned in chunks without an early exit inside, so that the common all-finite case
  // vectorises; the exact index is found within the chunk that has one.
  constexpr size_t kChunk = 256;
  for (size_t begin = 0; begin < n; begin += kChunk) {
    const size_t end = n - begin < kChunk ? n : begin + kChunk;
    bool bad = false;
    for (size_t i = begin; i < end; ++i) bad |= !(std::fabs(static_cast<float>(x[i])) <= FLT_MAX);
    if (bad) {
      for (size_t i = begin; i < end; ++i) {
        if (!(std::fabs(static_cast<float>(x[i])) <= FLT_MAX)) return i;
      }
    }
  }
  return n;
}

// A NaN result takes one bit pattern on every platform and backend.
void CanonicalNaNs(float* out) {
  const uint32_t nan_bits = 0x7fc00000u;
  for (size_t j = 0; j < kBlockSize; ++j) {
    if (std::isnan(out[j])) std::memcpy(&out[j], &nan_bits, sizeof nan_bits);
  }
}

}  // namespace

size_t FirstNonFinite(const float* x, size_t n) { return FirstNonFiniteOf(x, n); }
size_t FirstNonFinite(const double* x, size_t n) { return FirstNonFiniteOf(x, n); }

void QuantizeBlocks(int type, const float* x, size_t blocks, uint8_t* out) { QuantizeAll(type, x, blocks, out); }
void QuantizeBlocks(int type, const double* x, size_t blocks, uint8_t* out) { QuantizeAll(type, x, blocks, out); }

void DequantizeBlocks(int type, const uint8_t* in, size_t blocks, float* out) {
  const size_t bytes = BlockBytes(type);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = in + b * bytes;
    float* y = out + b * kBlockSize;
    const float d = LoadHalf(p);
    // q · d is exact in float32 (at most 8 + 11 significant bits, far from under- or
    // overflow), so ggml's multiply-then-add and an FMA agree for Q4_1.
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
}

}  // namespace ggml
}  // namespace quantkit
