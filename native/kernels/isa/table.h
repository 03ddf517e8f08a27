// Builds one ISA's KernelTable from a class of templated kernels, so that each ISA writes
// one Quantize<In, Out>, one Dequantize<Q> and one MinMax<In> instead of a function per
// type combination. Included only by kernel files; internal linkage for the same reason
// as scalar_impl.h.
#pragma once

#include <cstdint>

#include "kernels/isa/kernels.h"

namespace quantkit {
namespace {

template <int T> struct FloatOf;
template <> struct FloatOf<kF32> { using type = float; };
template <> struct FloatOf<kF64> { using type = double; };

template <int T> struct QuantOf;
template <> struct QuantOf<kU8> { using type = uint8_t; };
template <> struct QuantOf<kI8> { using type = int8_t; };
template <> struct QuantOf<kU16> { using type = uint16_t; };
template <> struct QuantOf<kI16> { using type = int16_t; };

template <typename Ops, int R, int F, int Q>
void QuantizeErased(const void* x, void* q, size_t n, const QuantizeParams& p) {
  Ops::template Quantize<R, typename FloatOf<F>::type, typename QuantOf<Q>::type>(
      static_cast<const typename FloatOf<F>::type*>(x), static_cast<typename QuantOf<Q>::type*>(q), n, p);
}

template <typename Ops, int Q>
void DequantizeErased(const void* q, float* x, size_t n, float scale, int32_t zero_point) {
  Ops::template Dequantize<typename QuantOf<Q>::type>(static_cast<const typename QuantOf<Q>::type*>(q), x, n,
                                                      scale, zero_point);
}

template <typename Ops, int F>
MinMaxResult MinMaxErased(const void* x, size_t n) {
  return Ops::template MinMax<typename FloatOf<F>::type>(static_cast<const typename FloatOf<F>::type*>(x), n);
}

template <typename Ops, int R, int F, int Q>
void QuantizeLanesErased(const void* x, void* q, size_t n, const LaneParams& p) {
  Ops::template QuantizeLanes<R, typename FloatOf<F>::type, typename QuantOf<Q>::type>(
      static_cast<const typename FloatOf<F>::type*>(x), static_cast<typename QuantOf<Q>::type*>(q), n, p);
}

template <typename Ops, int Q>
void DequantizeLanesErased(const void* q, float* x, size_t n, const float* scale, const int32_t* zero_point) {
  Ops::template DequantizeLanes<typename QuantOf<Q>::type>(static_cast<const typename QuantOf<Q>::type*>(q), x, n,
                                                           scale, zero_point);
}

template <typename Ops, int R, int F, int Q>
void QuantizeRunsErased(const void* x, void* q, size_t runs, size_t run_length, const float* scale,
                        const int32_t* zero_point, int32_t qmin, int32_t qmax) {
  using In = typename FloatOf<F>::type;
  using Out = typename QuantOf<Q>::type;
  const In* xs = static_cast<const In*>(x);
  Out* qs = static_cast<Out*>(q);
  // A direct (inlinable) call per run: no table lookup or indirect call per block.
  for (size_t r = 0; r < runs; ++r) {
    Ops::template Quantize<R, In, Out>(xs + r * run_length, qs + r * run_length, run_length,
                                       QuantizeParams{scale[r], zero_point[r], qmin, qmax});
  }
}

// A [kRoundingCount][kFloatTypeCount][kQuantTypeCount] block of one erased quantize kernel.
#define QUANTKIT_QUANT_ROW(Fn, R, F) {Fn<Ops, R, F, kU8>, Fn<Ops, R, F, kI8>, Fn<Ops, R, F, kU16>, Fn<Ops, R, F, kI16>}
#define QUANTKIT_QUANT_BY_FLOAT(Fn, R) {QUANTKIT_QUANT_ROW(Fn, R, kF32), QUANTKIT_QUANT_ROW(Fn, R, kF64)}
#define QUANTKIT_QUANT_BY_ROUNDING(Fn)                                                    \
  {QUANTKIT_QUANT_BY_FLOAT(Fn, kRoundOnnx), QUANTKIT_QUANT_BY_FLOAT(Fn, kRoundPytorch), \
   QUANTKIT_QUANT_BY_FLOAT(Fn, kRoundTflite)}

// constexpr so that an ISA file can make its table constant-initialized data: the
// accessor of an AVX-512 table is compiled with AVX-512 flags but is called on every CPU
// (KernelsFor is asked about every level), so it must run no code beyond returning an address.
template <typename Ops>
constexpr KernelTable MakeKernelTable(const char* isa) {
  return KernelTable{
      isa,
      QUANTKIT_QUANT_BY_ROUNDING(QuantizeErased),
      {DequantizeErased<Ops, kU8>, DequantizeErased<Ops, kI8>, DequantizeErased<Ops, kU16>,
       DequantizeErased<Ops, kI16>},
      {MinMaxErased<Ops, kF32>, MinMaxErased<Ops, kF64>},
      QUANTKIT_QUANT_BY_ROUNDING(QuantizeLanesErased),
      {DequantizeLanesErased<Ops, kU8>, DequantizeLanesErased<Ops, kI8>, DequantizeLanesErased<Ops, kU16>,
       DequantizeLanesErased<Ops, kI16>},
      QUANTKIT_QUANT_BY_ROUNDING(QuantizeRunsErased),
  };
}

#undef QUANTKIT_QUANT_BY_ROUNDING
#undef QUANTKIT_QUANT_BY_FLOAT
#undef QUANTKIT_QUANT_ROW

}  // namespace
}  // namespace quantkit
