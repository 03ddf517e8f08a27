// The argument checks of the preprocessing glue (native/glue/preprocess.cc) that need no
// Node-API: channel counts, lengths, table sizes and overlap, decided on plain values.
// Whatever they accept is safe for the kernels in kernels/preprocess/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "args/args.h"
#include "kernels/preprocess/preprocess.h"

namespace quantkit {
namespace args {

// The largest row width accepted (2^31): far beyond any embedding, and dim * 8 stays exact.
constexpr double kMaxDim = 2147483648.0;

inline Result CheckWhole(const Number& n, const char* name, double lo, double hi, size_t* out) {
  if (!n.is_number) return NotANumber(n, name);
  const double d = n.value;
  if (!(d == std::floor(d) && d >= lo && d <= hi)) {
    return RangeError(std::string("Expected an integer in [") + DescribeNumber(lo) + ", " + DescribeNumber(hi) + "] for " + name +
                      " but received " + DescribeNumber(d));
  }
  *out = static_cast<size_t>(d);
  return {};
}

inline Result CheckDisjoint(const Span& a, const Span& out, const char* a_name) {
  if (!Overlaps(a.data, a.bytes, out.data, out.bytes)) return {};
  return RangeError(std::string("Expected out not to overlap ") + a_name + "'s memory but it does");
}

// pixels: HWC bytes; sources: one byte per output channel naming its input channel; lut and
// out: elements of one width (the glue has checked they are the same kind of TypedArray).
inline Result CheckImage(const Span& pixels, const Span& out, const Span& lut, const Span& sources, const Number& in_channels,
                         bool nhwc, preprocess::ImageCall* call) {
  size_t ic = 0;
  Result r = CheckWhole(in_channels, "inChannels", 1, 4, &ic);
  if (!r.ok()) return r;
  if (ic == 2) return RangeError("Expected 1, 3 or 4 for inChannels but received 2");
  if (pixels.length % ic != 0) {
    return RangeError("Expected pixels.length to be a multiple of inChannels " + std::to_string(ic) + " but received " +
                      std::to_string(pixels.length));
  }
  const size_t oc = sources.length;
  if (oc < 1 || oc > 4) return RangeError("Expected 1 to 4 output channels in sources but received " + std::to_string(oc));
  const uint8_t* src = static_cast<const uint8_t*>(sources.data);
  for (size_t c = 0; c < oc; ++c) {
    if (src[c] >= ic) {
      return RangeError("Expected sources[" + std::to_string(c) + "] to be below inChannels " + std::to_string(ic) +
                        " but received " + std::to_string(src[c]));
    }
  }
  if (lut.length != oc * 256) {
    return RangeError("Expected lut.length to equal 256 · " + std::to_string(oc) + " but received " + std::to_string(lut.length));
  }
  const size_t pixel_count = pixels.length / ic;
  if (out.length != pixel_count * oc) {
    return RangeError("Expected out.length to equal " + std::to_string(pixel_count * oc) + " but received " +
                      std::to_string(out.length));
  }
  r = CheckDisjoint(pixels, out, "pixels");
  if (r.ok()) r = CheckDisjoint(lut, out, "lut");
  if (r.ok()) r = CheckDisjoint(sources, out, "sources");
  if (!r.ok()) return r;
  call->pixels = static_cast<const uint8_t*>(pixels.data);
  call->out = const_cast<void*>(out.data);
  call->lut = lut.data;
  call->pixel_count = pixel_count;
  call->in_channels = static_cast<int>(ic);
  call->out_channels = static_cast<int>(oc);
  for (size_t c = 0; c < 4; ++c) call->source[c] = c < oc ? src[c] : 0;
  call->nhwc = nhwc;
  return {};
}

inline Result CheckRows(const Span& x, const Number& dim, size_t* dim_out) {
  Result r = CheckWhole(dim, "dim", 1, kMaxDim, dim_out);
  if (r.ok() && x.length % *dim_out != 0) {
    r = RangeError("Expected x.length to be a multiple of dim " + std::to_string(*dim_out) + " but received " +
                   std::to_string(x.length));
  }
  return r;
}

// quantizeEmbeddings(x, out, min, step, dim, floor): one code per value; min and step per dimension.
inline Result CheckEmbedQuantize(const Span& x, const Span& out, const Span& min, const Span& step, const Number& dim,
                                 size_t* dim_out) {
  Result r = CheckRows(x, dim, dim_out);
  if (!r.ok()) return r;
  if (out.length != x.length) return CheckSameLength(x, out);
  if (min.length != *dim_out) return RangeError("Expected min.length to equal dim " + std::to_string(*dim_out) + " but received " + std::to_string(min.length));
  if (step.length != *dim_out) return RangeError("Expected step.length to equal dim " + std::to_string(*dim_out) + " but received " + std::to_string(step.length));
  r = CheckDisjoint(x, out, "x");
  if (r.ok()) r = CheckDisjoint(min, out, "min");
  if (r.ok()) r = CheckDisjoint(step, out, "step");
  return r;
}

// binarizeEmbeddings(x, out, dim): ceil(dim / 8) bytes a row.
inline Result CheckEmbedBinary(const Span& x, const Span& out, const Number& dim, size_t* dim_out) {
  Result r = CheckRows(x, dim, dim_out);
  if (!r.ok()) return r;
  const size_t bytes = x.length / *dim_out * ((*dim_out + 7) / 8);
  if (out.length != bytes) {
    return RangeError("Expected out.length to equal " + std::to_string(bytes) + " but received " + std::to_string(out.length));
  }
  return CheckDisjoint(x, out, "x");
}

}  // namespace args
}  // namespace quantkit
