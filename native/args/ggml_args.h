// The Node-API glue's checks for the ggml block calls (ggmlQuantize, ggmlDequantize), on
// plain values like args.h: whatever passes is safe for kernels/ggml/ggml.h (a known block type,
// lengths that are whole blocks and agree, no shared byte between input and output).
#pragma once

#include <string>

#include "args/args.h"
#include "kernels/ggml/ggml.h"

namespace quantkit {
namespace args {

inline Result CheckGgmlType(const Number& n, int* type) {
  int32_t t = 0;
  Result r = CheckInteger(n, "typeCode", 0, ggml::kBlockTypeCount - 1, &t);
  *type = t;
  return r;
}

// floats elements, bytes bytes: whole blocks of the same count (32 elements a block, 256 for
// the k-quants).
inline Result CheckGgmlShapes(size_t floats, size_t bytes, int type, const char* float_name, const char* byte_name) {
  const size_t elements = ggml::BlockElements(type);
  if (floats % elements != 0) {
    return RangeError(std::string("Expected ") + float_name + ".length to be a multiple of " + std::to_string(elements) +
                      " but received " + std::to_string(floats));
  }
  const size_t want = floats / elements * ggml::BlockBytes(type);
  if (bytes != want) {
    return RangeError(std::string("Expected ") + byte_name + ".length to be " + std::to_string(want) + " but received " +
                      std::to_string(bytes));
  }
  return {};
}

// ggmlQuantize(x, out, typeCode), after x (float) and out (Uint8Array) were unwrapped.
inline Result CheckGgmlQuantize(const Span& x, const Span& out, const Number& type_code, int* type) {
  Result r = CheckGgmlType(type_code, type);
  if (r.ok()) r = CheckGgmlShapes(x.length, out.length, *type, "x", "out");
  if (r.ok()) r = CheckNoOverlap(x, out);
  return r;
}

// ggmlDequantize(bytes, out, typeCode), after bytes (Uint8Array) and out (Float32Array) were unwrapped.
inline Result CheckGgmlDequantize(const Span& bytes, const Span& out, const Number& type_code, int* type) {
  Result r = CheckGgmlType(type_code, type);
  if (r.ok()) r = CheckGgmlShapes(out.length, bytes.length, *type, "out", "bytes");
  if (r.ok()) r = CheckNoOverlap(bytes, out);
  return r;
}

}  // namespace args
}  // namespace quantkit
