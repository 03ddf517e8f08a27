// ggml blocks (ggmlQuantize, ggmlDequantize): check (native/args) -> call the kernels
// (kernels/ggml/ggml.h).
#include <algorithm>

#include "ops/ops.h"
#include "args/ggml_args.h"
#include "kernels/isa/split.h"

namespace quantkit::ops {

// *ret: -1, or the index of x's first non-finite element, in which case nothing is written.
Result GgmlQuantize(const Context& c, const Array& x, const Array& out, const Number& type_code, double* ret) {
  int type = 0;
  Result r = args::CheckGgmlQuantize(x.span(), out.span(), type_code, &type);
  if (!r.ok()) return r;
  // Large calls run in parts (split.h). The scan's part boundaries are multiples of 64
  // elements; the quantize parts are whole blocks (of 32, or 256 for the k-quants). All
  // parts are scanned before any is written: a refused call writes nothing.
  const ggml::GgmlFirstNonFiniteFn scan = c.ggml->first_non_finite[x.type()];
  const size_t in_size = x.elem(), block_bytes = ggml::BlockBytes(type), elements = ggml::BlockElements(type);
  size_t first_bad[kMaxThreads];
  std::fill(first_bad, first_bad + kMaxThreads, x.length);
  ForParts(x.length, c.threads, [&](int k, size_t begin, size_t end) {
    const size_t i = scan(x.bytes() + begin * in_size, end - begin);
    if (i < end - begin) first_bad[k] = begin + i;
  });
  const size_t bad = *std::min_element(first_bad, first_bad + kMaxThreads);
  if (bad == x.length) {
    const ggml::GgmlQuantizeFn fn = c.ggml->quantize[x.type()][type];
    ForUnitParts(x.length / elements, elements, c.threads, [&](size_t begin, size_t end) {
      fn(x.bytes() + begin * elements * in_size, end - begin, static_cast<uint8_t*>(out.data) + begin * block_bytes);
    });
  }
  *ret = bad == x.length ? -1.0 : static_cast<double>(bad);
  return r;
}

Result GgmlDequantize(const Context& c, const Array& bytes, const Array& out, const Number& type_code) {
  int type = 0;
  Result r = args::CheckGgmlDequantize(bytes.span(), out.span(), type_code, &type);
  if (!r.ok()) return r;
  const ggml::GgmlDequantizeFn fn = c.ggml->dequantize[type];
  const size_t block_bytes = ggml::BlockBytes(type), elements = ggml::BlockElements(type);
  ForUnitParts(out.length / elements, elements, c.threads, [&](size_t begin, size_t end) {
    fn(static_cast<const uint8_t*>(bytes.data) + begin * block_bytes, end - begin,
       static_cast<float*>(out.data) + begin * elements);
  });
  return r;
}

}  // namespace quantkit::ops
