// The binding's calls without Node-API: check (native/args) -> call the kernels, over
// arrays and numbers already unwrapped. Two front ends share them: the Node-API glue
// (native/glue/, which unwraps JS values) and the WebAssembly module's C ABI (native/wasm/,
// whose arrays the TypeScript side of the wasm backend has copied into its memory). So the
// checks, the thread split and the kernel choice are written once for both.
#pragma once

#include <cstddef>
#include <cstdint>

#include "args/args.h"
#include "kernels/calibrate/calibrate.h"
#include "kernels/convert/convert.h"
#include "kernels/float8/float8.h"
#include "kernels/ggml/ggml.h"
#include "kernels/isa/kernels.h"
#include "kernels/preprocess/preprocess.h"

namespace quantkit::ops {

// A TypedArray's kind, numbered as Node-API's napi_typedarray_type (glue/common.h checks
// the numbers) and as lib/backend-wasm numbers them.
enum ArrayKind : int {
  kInt8 = 0, kUint8 = 1, kUint8Clamped = 2, kInt16 = 3, kUint16 = 4, kInt32 = 5, kUint32 = 6,
  kFloat32 = 7, kFloat64 = 8,
};

// A TypedArray's memory: `data` already includes byteOffset; `length` in elements. The front
// end has refused every kind the argument does not accept and every detached buffer.
struct Array {
  void* data;
  size_t length;
  int kind;  // ArrayKind

  size_t elem() const { return kind <= kUint8Clamped ? 1 : kind <= kUint16 ? 2 : kind <= kFloat32 ? 4 : 8; }
  // FloatType for a Float32Array/Float64Array, QuantType for the four code kinds.
  int type() const {
    switch (kind) {
      case kFloat32: return kF32;
      case kFloat64: return kF64;
      case kUint8: return kU8;
      case kInt8: return kI8;
      case kUint16: return kU16;
      case kInt16: return kI16;
      default: return 0;
    }
  }
  args::Span span() const { return {data, length, length * elem(), type()}; }
  const char* bytes() const { return static_cast<const char*>(data); }
  char* writable() const { return static_cast<char*>(data); }
};

// The kernel rows picked at load (one ISA level) and the threads one large call may use.
struct Context {
  const KernelTable* kernels;
  const ConvertTable* convert;
  const Float8Kernels* float8;
  const ggml::GgmlTable* ggml;
  const calibrate::CalibrateKernels* calibrate;
  const preprocess::PreprocessTable* preprocess;
  int threads;
};

Context ContextFor(IsaLevel level, int threads);

using args::Number;
using args::Result;

// Each returns the failed check (nothing written) or runs the call. Arguments in
// binding.d.ts's order; `*ret` receives the calls' number results (pack, ggmlQuantize,
// findBadScale: -1 or an index).
Result Quantize(const Context& c, const Array& x, const Array& out, const Number& scale, const Number& zero_point,
                const Number& qmin, const Number& qmax, const Number& rounding);
Result Dequantize(const Context& c, const Array& q, const Array& out, const Number& scale, const Number& zero_point);
Result MinMax(const Context& c, const Array& x, const Array& out);

Result ToHalf(const Context& c, const ToHalfFn* fns, const Array& x, const Array& out);
Result FromHalf(const Context& c, FromHalfFn fn, const Array& h, const Array& out);

Result QuantizePacked(const Context& c, const Array& x, const Array& out, const Number& bits, bool is_signed,
                      const Number& scale, const Number& zero_point, const Number& qmin, const Number& qmax,
                      const Number& rounding);
Result DequantizePacked(const Context& c, const Array& q, const Array& out, const Number& bits, bool is_signed,
                        const Number& scale, const Number& zero_point);
Result Pack(const Array& values, const Array& out, const Number& bits, bool is_signed, double* ret);
Result Unpack(const Array& packed, const Array& out, const Number& bits, bool is_signed);
Result Recode(const Array& q, const Array& out, const Number& offset);

Result QuantizeFloat8(const Context& c, const Array& x, const Array& out, const Number& format, bool saturate,
                      const Number& scale);
Result DequantizeFloat8(const Context& c, const Array& q, const Array& out, const Number& format, const Number& scale);

double FindBadScale(const Array& scale);
Result QuantizeAxis(const Context& c, const Array& x, const Array& out, const Array& scale, const Array& zero_point,
                    const Number& outer, const Number& axis_length, const Number& inner, const Number& block_size,
                    const Number& qmin, const Number& qmax, const Number& rounding);
Result DequantizeAxis(const Context& c, const Array& q, const Array& out, const Array& scale, const Array& zero_point,
                      const Number& outer, const Number& axis_length, const Number& inner, const Number& block_size);
Result MinMaxAxis(const Context& c, const Array& x, const Array& out, const Number& outer, const Number& axis_length,
                  const Number& inner, const Number& block_size);

Result GgmlQuantize(const Context& c, const Array& x, const Array& out, const Number& type_code, double* ret);
Result GgmlDequantize(const Context& c, const Array& bytes, const Array& out, const Number& type_code);

Result ErrorStatsQuantize(const Context& c, const Array& x, const Array& acc, const Number& code_type, const Number& scale,
                          const Number& zero_point, const Number& qmin, const Number& qmax, const Number& rounding,
                          const Number& channels, const Number& inner, const Number& index_base);
Result ErrorStatsPair(const Context& c, const Array& x, const Array& x_hat, const Array& acc, const Number& channels,
                      const Number& inner, const Number& index_base);
Result HistogramAdd(const Context& c, const Array& x, const Array& counts, const Number& lo, const Number& inv_width,
                    const Array& range);

// imageToTensor's lut must be the same kind as out; the front end says so in its own words
// (it names the kinds) before calling.
Result ImageToTensor(const Context& c, const Array& pixels, const Array& out, const Array& lut, const Array& sources,
                     const Number& in_channels, bool nhwc);
Result QuantizeEmbeddings(const Context& c, const Array& x, const Array& out, const Array& min, const Array& step,
                          const Number& dim, bool floor);
Result BinarizeEmbeddings(const Context& c, const Array& x, const Array& out, const Number& dim);

}  // namespace quantkit::ops
