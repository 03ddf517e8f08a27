// Scalar array conversions (the reference) and the helper that builds a ConvertTable from
// a struct of templated kernels. Internal linkage, as scalar_impl.h explains.
#pragma once

#include "kernels/convert/convert.h"
#include "kernels/convert/half.h"

namespace quantkit {
namespace {
namespace convert {

inline float ToF32(float v) { return v; }
inline float ToF32(double v) { return static_cast<float>(v); }

template <typename In>
void ToHalf(const In* x, uint16_t* h, size_t n) {
  for (size_t i = 0; i < n; ++i) h[i] = half::FloatToHalf(ToF32(x[i]));
}
inline void FromHalf(const uint16_t* h, float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = half::HalfToFloat(h[i]);
}
template <typename In>
void ToBFloat16(const In* x, uint16_t* h, size_t n) {
  for (size_t i = 0; i < n; ++i) h[i] = half::FloatToBFloat16(ToF32(x[i]));
}
inline void FromBFloat16(const uint16_t* h, float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = half::BFloat16ToFloat(h[i]);
}

template <typename Ops, typename In>
void ToHalfErased(const void* x, uint16_t* h, size_t n) { Ops::ToHalf(static_cast<const In*>(x), h, n); }
template <typename Ops, typename In>
void ToBFloat16Erased(const void* x, uint16_t* h, size_t n) { Ops::ToBFloat16(static_cast<const In*>(x), h, n); }

// constexpr for the reason given in table.h: an ISA file's accessor only returns an address.
template <typename Ops>
constexpr ConvertTable MakeConvertTable(const char* isa) {
  return ConvertTable{
      isa,
      {ToHalfErased<Ops, float>, ToHalfErased<Ops, double>},
      Ops::FromHalf,
      {ToBFloat16Erased<Ops, float>, ToBFloat16Erased<Ops, double>},
      Ops::FromBFloat16,
  };
}

}  // namespace convert
}  // namespace
}  // namespace quantkit
