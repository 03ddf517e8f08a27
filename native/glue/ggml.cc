// Node-API glue for ggml blocks: ggmlQuantize, ggmlDequantize: unwrap -> check (native/args) -> call the kernels.
#include <napi.h>

#include "glue/addon.h"
#include "glue/common.h"
#include "args/ggml_args.h"
#include "kernels/ggml/ggml.h"
#include "kernels/isa/split.h"

namespace quantkit::glue {


// ggmlQuantize(x, out, typeCode): ggml blocks (kernels/ggml/ggml.h). Returns -1, or the index
// of x's first non-finite element, in which case nothing is written.
Napi::Value QuantkitAddon::GgmlQuantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 3, "ggmlQuantize");
  const View x = FloatInput(info[0], "x");
  const View out = UnwrapAs(info[1], "out", [](napi_typedarray_type k) { return k == napi_uint8_array ? 0 : -1; },
                            "a Uint8Array");
  int type = 0;
  Raise(env, quantkit::args::CheckGgmlQuantize(x.span(), out.span(), NumberArg(info[2]), &type));
  // Large calls run in parts (split.h). The scan's part boundaries are multiples of 64
  // elements; the quantize parts are whole blocks (of 32, or 256 for the k-quants). All
  // parts are scanned before any is written: a refused call writes nothing.
  const quantkit::ggml::GgmlFirstNonFiniteFn scan = ggml_->first_non_finite[x.type];
  const size_t in_size = ElementSize(x.kind), block_bytes = quantkit::ggml::BlockBytes(type);
  const size_t elements = quantkit::ggml::BlockElements(type);
  size_t first_bad[quantkit::kMaxThreads];
  std::fill(first_bad, first_bad + quantkit::kMaxThreads, x.length);
  quantkit::ForParts(x.length, threads_, [&](int k, size_t begin, size_t end) {
    const size_t i = scan(static_cast<const char*>(x.data) + begin * in_size, end - begin);
    if (i < end - begin) first_bad[k] = begin + i;
  });
  const size_t bad = *std::min_element(first_bad, first_bad + quantkit::kMaxThreads);
  if (bad == x.length) {
    const quantkit::ggml::GgmlQuantizeFn fn = ggml_->quantize[x.type][type];
    quantkit::ForUnitParts(x.length / elements, elements, threads_, [&](size_t begin, size_t end) {
      fn(static_cast<const char*>(x.data) + begin * elements * in_size, end - begin,
         static_cast<uint8_t*>(out.data) + begin * block_bytes);
    });
  }
  return Napi::Number::New(env, bad == x.length ? -1.0 : static_cast<double>(bad));
}


// ggmlDequantize(bytes, out, typeCode)
Napi::Value QuantkitAddon::GgmlDequantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckArgCount(info, 3, "ggmlDequantize");
  const View bytes = UnwrapAs(info[0], "bytes", [](napi_typedarray_type k) { return k == napi_uint8_array ? 0 : -1; },
                              "a Uint8Array");
  const View out = Float32Output(info[1], "out");
  int type = 0;
  Raise(env, quantkit::args::CheckGgmlDequantize(bytes.span(), out.span(), NumberArg(info[2]), &type));
  const quantkit::ggml::GgmlDequantizeFn fn = ggml_->dequantize[type];
  const size_t block_bytes = quantkit::ggml::BlockBytes(type), elements = quantkit::ggml::BlockElements(type);
  quantkit::ForUnitParts(out.length / elements, elements, threads_, [&](size_t begin, size_t end) {
    fn(static_cast<const uint8_t*>(bytes.data) + begin * block_bytes, end - begin,
       static_cast<float*>(out.data) + begin * elements);
  });
  return env.Undefined();
}

}  // namespace quantkit::glue
