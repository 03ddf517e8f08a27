// Preprocessing (imageToTensor, quantizeEmbeddings, binarizeEmbeddings): check
// (args/preprocess_args.h) -> call the kernels (kernels/preprocess/).
#include "ops/ops.h"
#include "args/preprocess_args.h"
#include "kernels/isa/split.h"

namespace quantkit::ops {
namespace {

int LutWidthOf(int kind) {
  switch (kind) {
    case kFloat32: return preprocess::kLut32;
    case kUint16: case kInt16: return preprocess::kLut16;
    default: return preprocess::kLut8;
  }
}

args::Span Untyped(const Array& a) { return {a.data, a.length, a.length * a.elem(), 0}; }

}  // namespace

Result ImageToTensor(const Context& c, const Array& pixels, const Array& out, const Array& lut, const Array& sources,
                     const Number& in_channels, bool nhwc) {
  preprocess::ImageCall call{};
  Result r = args::CheckImage(Untyped(pixels), Untyped(out), Untyped(lut), Untyped(sources), in_channels, nhwc, &call);
  if (!r.ok()) return r;
  const preprocess::ImageFn fn = c.preprocess->image[LutWidthOf(out.kind)];
  ForParts(call.pixel_count, c.threads, [&](int, size_t begin, size_t end) { fn(call, begin, end); });
  return r;
}

// out's kind (Uint8Array / Int8Array) picks the codes.
Result QuantizeEmbeddings(const Context& c, const Array& x, const Array& out, const Array& min, const Array& step,
                          const Number& dim, bool floor) {
  size_t d = 0;
  Result r = args::CheckEmbedQuantize(Untyped(x), Untyped(out), Untyped(min), Untyped(step), dim, &d);
  if (!r.ok()) return r;
  const preprocess::EmbedQuantizeFn fn = c.preprocess->quantize[x.type()];
  const size_t in_size = x.elem();
  const bool is_signed = out.kind == kInt8;
  ForUnitParts(x.length / d, d, c.threads, [&](size_t begin, size_t end) {
    fn(x.bytes() + begin * d * in_size, static_cast<uint8_t*>(out.data) + begin * d, end - begin, d,
       static_cast<const float*>(min.data), static_cast<const float*>(step.data), floor, is_signed);
  });
  return r;
}

Result BinarizeEmbeddings(const Context& c, const Array& x, const Array& out, const Number& dim) {
  size_t d = 0;
  Result r = args::CheckEmbedBinary(Untyped(x), Untyped(out), dim, &d);
  if (!r.ok()) return r;
  const preprocess::EmbedBinaryFn fn = c.preprocess->binary[x.type()];
  const size_t in_size = x.elem(), row_bytes = (d + 7) / 8;
  const bool is_signed = out.kind == kInt8;
  ForUnitParts(x.length / d, d, c.threads, [&](size_t begin, size_t end) {
    fn(x.bytes() + begin * d * in_size, static_cast<uint8_t*>(out.data) + begin * row_bytes, end - begin, d, is_signed);
  });
  return r;
}

}  // namespace quantkit::ops
