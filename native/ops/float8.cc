// float8 codes (quantizeFloat8, dequantizeFloat8): check (native/args) -> call the kernels.
#include "ops/ops.h"
#include "args/float8_args.h"
#include "kernels/isa/split.h"

namespace quantkit::ops {

// format 0 = e4m3fn, 1 = e5m2; out a Uint8Array of x's length.
Result QuantizeFloat8(const Context& c, const Array& x, const Array& out, const Number& format, bool saturate,
                      const Number& scale) {
  int f = 0;
  float s = 0;
  Result r = args::CheckQuantizeFloat8(x.span(), out.span(), format, scale, &f, &s);
  if (!r.ok()) return r;
  const QuantizeFloat8Fn quantize = c.float8->quantize[x.type()];
  const size_t in_size = x.elem();
  ForParts(x.length, c.threads, [&](int, size_t begin, size_t end) {
    quantize(x.bytes() + begin * in_size, static_cast<uint8_t*>(out.data) + begin, end - begin, f, saturate, s);
  });
  return r;
}

Result DequantizeFloat8(const Context& c, const Array& q, const Array& out, const Number& format, const Number& scale) {
  int f = 0;
  float s = 0;
  Result r = args::CheckDequantizeFloat8(q.span(), out.span(), format, scale, &f, &s);
  if (!r.ok()) return r;
  ForParts(q.length, c.threads, [&](int, size_t begin, size_t end) {
    quantkit::DequantizeFloat8(static_cast<const uint8_t*>(q.data) + begin, static_cast<float*>(out.data) + begin,
                               end - begin, f, s);
  });
  return r;
}

}  // namespace quantkit::ops
