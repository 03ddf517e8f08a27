// Per-tensor quantize, dequantize and minMax, and the float16 / bfloat16 conversions:
// check (native/args) -> call the kernels, split across threads for large calls.
#include <cmath>

#include "ops/ops.h"
#include "kernels/isa/split.h"

namespace quantkit::ops {

Result Quantize(const Context& c, const Array& x, const Array& out, const Number& scale, const Number& zero_point,
                const Number& qmin, const Number& qmax, const Number& rounding) {
  QuantizeParams p{};
  int mode = 0;
  Result r = args::CheckQuantize(x.span(), out.span(), scale, zero_point, qmin, qmax, &p);
  if (r.ok()) r = args::CheckRounding(rounding, &mode);
  if (!r.ok()) return r;
  const QuantizeFn quantize = c.kernels->quantize[mode][x.type()][out.type()];
  const size_t in_size = x.elem(), out_size = out.elem();
  ForParts(x.length, c.threads, [&](int, size_t part_begin, size_t part_end) {
    ForChunksBackward(part_begin, part_end, [&](size_t begin, size_t end) {
      quantize(x.bytes() + begin * in_size, out.writable() + begin * out_size, end - begin, p);
    });
  }, kQuantizeMinPartLength);
  return r;
}

Result Dequantize(const Context& c, const Array& q, const Array& out, const Number& scale, const Number& zero_point) {
  float s = 0;
  int32_t z = 0;
  Result r = args::CheckDequantize(q.span(), out.span(), scale, zero_point, &s, &z);
  if (!r.ok()) return r;
  const DequantizeFn dequantize = c.kernels->dequantize[q.type()];
  const size_t q_size = q.elem();
  ForParts(q.length, c.threads, [&](int, size_t begin, size_t end) {
    dequantize(q.bytes() + begin * q_size, static_cast<float*>(out.data) + begin, end - begin, s, z);
  });
  return r;
}

// out[0] = min, out[1] = max of the non-NaN values; NaN, NaN when x has none. Written into a
// Float64Array the caller keeps, because building a JS array costs more than the whole
// reduction on short inputs.
Result MinMax(const Context& c, const Array& x, const Array& out) {
  Result r = args::CheckMinMax(x.span(), out.span());
  if (!r.ok()) return r;
  const MinMaxFn minmax = c.kernels->minmax[x.type()];
  const size_t in_size = x.elem();
  MinMaxResult parts[kMaxThreads];
  for (auto& part : parts) part = {NAN, NAN};
  ForParts(x.length, c.threads, [&](int k, size_t begin, size_t end) {
    parts[k] = minmax(x.bytes() + begin * in_size, end - begin);
  }, kQuantizeMinPartLength);
  MinMaxResult m = parts[0];
  for (int k = 1; k < kMaxThreads; ++k) m = MergeMinMax(m, parts[k]);
  double* result = static_cast<double*>(out.data);
  result[0] = m.min;
  result[1] = m.max;
  return r;
}

// toFloat16 / toBFloat16 (x a Float32Array or Float64Array, out a Uint16Array of bits).
Result ToHalf(const Context& c, const ToHalfFn* fns, const Array& x, const Array& out) {
  Result r = args::CheckSameLength(x.span(), out.span());
  if (r.ok()) r = args::CheckNoOverlap(x.span(), out.span());
  if (!r.ok()) return r;
  const ToHalfFn fn = fns[x.type()];
  const size_t in_size = x.elem();
  ForParts(x.length, c.threads, [&](int, size_t begin, size_t end) {
    fn(x.bytes() + begin * in_size, static_cast<uint16_t*>(out.data) + begin, end - begin);
  });
  return r;
}

// fromFloat16 / fromBFloat16 (h a Uint16Array of bits, out a Float32Array).
Result FromHalf(const Context& c, FromHalfFn fn, const Array& h, const Array& out) {
  Result r = args::CheckSameLength(h.span(), out.span());
  if (r.ok()) r = args::CheckNoOverlap(h.span(), out.span());
  if (!r.ok()) return r;
  ForParts(h.length, c.threads, [&](int, size_t begin, size_t end) {
    fn(static_cast<const uint16_t*>(h.data) + begin, static_cast<float*>(out.data) + begin, end - begin);
  });
  return r;
}

}  // namespace quantkit::ops
