// The portable reference kernels: every other ISA is tested against these.
#include "kernels/quantize/scalar_impl.h"
#include "kernels/isa/table.h"

namespace quantkit {
namespace {

struct ScalarOps {
  template <int R, typename In, typename Out>
  static void Quantize(const In* x, Out* q, size_t n, const QuantizeParams& p) {
    scalar::Quantize<R>(x, q, n, p);
  }
  template <typename Q>
  static void Dequantize(const Q* q, float* x, size_t n, float scale, int32_t zero_point) {
    scalar::Dequantize(q, x, n, scale, zero_point);
  }
  template <typename In>
  static MinMaxResult MinMax(const In* x, size_t n) {
    return scalar::MinMax(x, n);
  }
  template <int R, typename In, typename Out>
  static void QuantizeLanes(const In* x, Out* q, size_t n, const LaneParams& p) {
    scalar::QuantizeLanes<R>(x, q, n, p.scale, p.zero_point, p.lo, p.hi);
  }
  template <typename Q>
  static void DequantizeLanes(const Q* q, float* x, size_t n, const float* scale, const int32_t* zero_point) {
    scalar::DequantizeLanes(q, x, n, scale, zero_point);
  }
};

}  // namespace

const KernelTable& ScalarKernels() {
  static const KernelTable table = MakeKernelTable<ScalarOps>("scalar");
  return table;
}

}  // namespace quantkit
