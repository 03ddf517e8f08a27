// libFuzzer target: every kernel (per-tensor and ggml blocks) of every ISA level this CPU runs, on data, lengths, offsets
// and parameters decoded from the fuzzer's bytes, against the scalar reference, bit for bit.
// The parameters go through the glue's own checks (args.h) first, so the kernels see exactly
// what the addon would hand them. Each array sits at the very end of a heap block of its
// exact size, so AddressSanitizer reports a read or write even one byte past it; the bytes
// before an output must stay as they were. A mismatch aborts with the details.
#include <fuzzer/FuzzedDataProvider.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "args/args.h"
#include "args/ggml_args.h"
#include "kernels/ggml/ggml.h"
#include "kernels/isa/kernels.h"

namespace {

using namespace quantkit;

constexpr unsigned char kCanary = 0xA5;

size_t FloatSize(int t) { return t == kF32 ? 4 : 8; }
size_t QuantSize(int t) { return t == kU8 || t == kI8 ? 1 : 2; }

// `offset` bytes of canary, then the array, then the end of the allocation (ASan's redzone).
struct Block {
  Block(size_t offset, size_t bytes) : offset(offset), bytes(bytes), storage(new unsigned char[offset + bytes]) {
    std::memset(storage.get(), kCanary, offset + bytes);
  }
  unsigned char* data() { return storage.get() + offset; }
  size_t offset, bytes;
  std::unique_ptr<unsigned char[]> storage;
};

[[noreturn]] void Fail(const char* what, const char* isa, size_t n, size_t index, const char* detail) {
  std::fprintf(stderr, "\nMISMATCH %s, %s kernel vs scalar, n=%zu, first difference at byte %zu: %s\n", what, isa, n,
               index, detail);
  std::abort();
}

size_t FirstDifference(const unsigned char* a, const unsigned char* b, size_t bytes) {
  size_t i = 0;
  while (i < bytes && a[i] == b[i]) ++i;
  return i;
}

// The levels whose kernels can run here: the scalar reference, SSE2, AVX2, AVX-512 (when
// the CPU has it; unlike the addon, unverified levels are included).
std::vector<const KernelTable*> RunnableTables() {
  std::vector<const KernelTable*> tables;
  for (int l = 0; l < kIsaCount; ++l) {
    if (Runnable(static_cast<IsaLevel>(l))) tables.push_back(KernelsFor(static_cast<IsaLevel>(l)));
  }
  return tables;
}

// A JS number as the glue would receive it: a plain value, or any double at all.
args::Number NumberFrom(double v) { return args::Number{true, v, {}}; }

float FloatFromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

double DoubleFromBits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

// The scale: mostly a plain positive float32, sometimes any bit pattern (which the checks
// then refuse unless it is a positive finite float32 after rounding).
double ScaleFrom(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0: return std::ldexp(1.0 + in.ConsumeIntegralInRange(0, 255) / 256.0, in.ConsumeIntegralInRange(-20, 8));
    case 1: return FloatFromBits(in.ConsumeIntegral<uint32_t>() & 0x7fffffffu);  // subnormal to FLT_MAX, Inf, NaN
    case 2: return DoubleFromBits(in.ConsumeIntegral<uint64_t>());
    default: return in.PickValueInArray({1.0, 0.5, 0.1, 3.0, 1e-3, 1e-40, 1e30, 3.4028234663852886e38});
  }
}

// One float input value from three bytes: values whose quotient x / scale falls on or next
// to a tie, small multiples, the edges (NaN payloads, +-Inf, -0, subnormals, FLT_MAX, beyond
// +-2^31 after division), or a random bit pattern.
float StructuredFloat(const uint8_t* b, float scale) {
  const int k = static_cast<int16_t>(b[1] | (b[2] << 8));
  switch (b[0] % 8) {
    case 0: return (static_cast<float>(k) + 0.5f) * scale;
    case 1: return std::nextafter((static_cast<float>(k) + 0.5f) * scale, INFINITY);
    case 2: return std::nextafter((static_cast<float>(k) + 0.5f) * scale, -INFINITY);
    case 3: return static_cast<float>(k) * 0.25f * scale;
    case 4: {
      const float specials[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, FLT_MIN, -FLT_MIN,
                                std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                                FLT_MAX, -FLT_MAX, FloatFromBits(0x7f800001u), FloatFromBits(0xffc00001u),
                                2147483648.0f * scale, -2147483648.0f * scale, 3e9f * scale, 1e30f};
      return specials[static_cast<unsigned>(k & 0x7fff) % (sizeof specials / sizeof specials[0])];
    }
    case 5: return static_cast<float>(k) * scale;
    case 6: return FloatFromBits(static_cast<uint32_t>(b[1]) << 24 | static_cast<uint32_t>(b[2]) << 16 | b[0]);
    default: return std::ldexp(static_cast<float>(k), b[0] % 64 - 20) * scale;
  }
}

// A float64 input: the float32 ones, plus exact midpoints between two floats (ties of the
// double -> float rounding) and their neighbours, and values beyond the float range.
double StructuredDouble(const uint8_t* b, float scale) {
  const float f = StructuredFloat(b, scale);
  if (!std::isfinite(f) || (b[0] >> 3) % 4 == 0) return f;
  const double mid = (static_cast<double>(f) + static_cast<double>(std::nextafter(f, INFINITY))) / 2;
  switch ((b[0] >> 3) % 4) {
    case 1: return mid;
    case 2: return std::nextafter(mid, (b[0] & 0x80) ? INFINITY : -INFINITY);
    default: return (b[0] & 0x80) ? static_cast<double>(f) * 1e30 : static_cast<double>(f) * 1e-30;
  }
}

// Fills n elements of `type` at p: either the fuzzer's bytes as they are (repeated to fill
// n), or values built from them three bytes at a time.
void FillFloats(unsigned char* p, size_t n, int type, bool structured, const std::vector<uint8_t>& bytes, float scale) {
  const size_t size = FloatSize(type);
  if (bytes.empty()) return;  // stays the canary pattern
  for (size_t i = 0; i < n; ++i) {
    if (structured) {
      uint8_t b[3];
      for (int j = 0; j < 3; ++j) b[j] = bytes[(i * 3 + j) % bytes.size()];
      if (type == kF32) {
        const float v = StructuredFloat(b, scale);
        std::memcpy(p + i * size, &v, size);
      } else {
        const double v = StructuredDouble(b, scale);
        std::memcpy(p + i * size, &v, size);
      }
    } else {
      for (size_t j = 0; j < size; ++j) p[i * size + j] = bytes[(i * size + j) % bytes.size()];
    }
  }
}

void FuzzQuantize(FuzzedDataProvider& in, const std::vector<const KernelTable*>& tables) {
  const int ftype = in.ConsumeIntegralInRange(0, kFloatTypeCount - 1);
  const int qtype = in.ConsumeIntegralInRange(0, kQuantTypeCount - 1);
  const size_t n = in.ConsumeBool() ? in.ConsumeIntegralInRange<size_t>(0, 300) : in.ConsumeIntegralInRange<size_t>(0, 20000);
  const size_t in_offset = in.ConsumeIntegralInRange<size_t>(0, 7) * FloatSize(ftype);
  const size_t out_offset = in.ConsumeIntegralInRange<size_t>(0, 7) * QuantSize(qtype);
  double lo = 0, hi = 0;
  args::ContainerRange(qtype, &lo, &hi);
  args::Number scale = NumberFrom(ScaleFrom(in));
  args::Number qmin, qmax, zero;
  if (in.ConsumeIntegralInRange(0, 7) != 0) {  // a range the checks accept, mostly
    const int32_t a = in.ConsumeIntegralInRange(static_cast<int32_t>(lo), static_cast<int32_t>(hi));
    const int32_t b = in.ConsumeIntegralInRange(static_cast<int32_t>(lo), static_cast<int32_t>(hi));
    qmin = NumberFrom(std::min(a, b));
    qmax = NumberFrom(std::max(a, b));
    zero = NumberFrom(in.ConsumeIntegralInRange(std::min(a, b), std::max(a, b)));
  } else {
    qmin = NumberFrom(DoubleFromBits(in.ConsumeIntegral<uint64_t>()));
    qmax = NumberFrom(in.ConsumeIntegralInRange(-70000, 70000));
    zero = NumberFrom(in.ConsumeIntegralInRange(-70000, 70000) + (in.ConsumeBool() ? 0.5 : 0.0));
  }
  const bool structured = in.ConsumeBool();
  const int rounding = in.ConsumeIntegralInRange(0, kRoundingCount - 1);  // kernels.h Rounding

  Block x(in_offset, n * FloatSize(ftype));
  Block ref(out_offset, n * QuantSize(qtype));
  const args::Span xs{x.data(), n, x.bytes, ftype};
  const args::Span outs{ref.data(), n, ref.bytes, qtype};
  QuantizeParams p{};
  const args::Result r = args::CheckQuantize(xs, outs, scale, zero, qmin, qmax, &p);
  if (!r.ok()) {
    if (r.message.empty()) std::abort();
    return;  // the glue throws; no kernel runs
  }
  FillFloats(x.data(), n, ftype, structured, in.ConsumeRemainingBytes<uint8_t>(), p.scale);

  ScalarKernels().quantize[rounding][ftype][qtype](x.data(), ref.data(), n, p);
  for (const KernelTable* t : tables) {
    Block got(out_offset, n * QuantSize(qtype));
    t->quantize[rounding][ftype][qtype](x.data(), got.data(), n, p);
    const size_t total = out_offset + got.bytes;
    if (std::memcmp(ref.storage.get(), got.storage.get(), total) != 0) {
      const size_t at = FirstDifference(ref.storage.get(), got.storage.get(), total);
      char detail[256];
      std::snprintf(detail, sizeof detail, "quantize %s->%d rounding %d, scale=%a z=%d qmin=%d qmax=%d, out_offset=%zu",
                    ftype == kF32 ? "f32" : "f64", qtype, rounding, p.scale, p.zero_point, p.qmin, p.qmax, out_offset);
      Fail("quantize", t->isa, n, at, detail);
    }
  }
}

void FuzzDequantize(FuzzedDataProvider& in, const std::vector<const KernelTable*>& tables) {
  const int qtype = in.ConsumeIntegralInRange(0, kQuantTypeCount - 1);
  const size_t n = in.ConsumeBool() ? in.ConsumeIntegralInRange<size_t>(0, 300) : in.ConsumeIntegralInRange<size_t>(0, 20000);
  const size_t in_offset = in.ConsumeIntegralInRange<size_t>(0, 7) * QuantSize(qtype);
  const size_t out_offset = in.ConsumeIntegralInRange<size_t>(0, 7) * 4;
  double lo = 0, hi = 0;
  args::ContainerRange(qtype, &lo, &hi);
  const args::Number scale = NumberFrom(ScaleFrom(in));
  const args::Number zero = NumberFrom(in.ConsumeIntegralInRange(0, 7) != 0
                                           ? in.ConsumeIntegralInRange(static_cast<int32_t>(lo), static_cast<int32_t>(hi))
                                           : DoubleFromBits(in.ConsumeIntegral<uint64_t>()));
  Block q(in_offset, n * QuantSize(qtype));
  Block ref(out_offset, n * 4);
  float s = 0;
  int32_t z = 0;
  const args::Result r = args::CheckDequantize({q.data(), n, q.bytes, qtype}, {ref.data(), n, ref.bytes, kF32}, scale,
                                               zero, &s, &z);
  if (!r.ok()) {
    if (r.message.empty()) std::abort();
    return;
  }
  const std::vector<uint8_t> bytes = in.ConsumeRemainingBytes<uint8_t>();
  for (size_t i = 0; !bytes.empty() && i < q.bytes; ++i) q.data()[i] = bytes[i % bytes.size()];

  ScalarKernels().dequantize[qtype](q.data(), reinterpret_cast<float*>(ref.data()), n, s, z);
  for (const KernelTable* t : tables) {
    Block got(out_offset, n * 4);
    t->dequantize[qtype](q.data(), reinterpret_cast<float*>(got.data()), n, s, z);
    const size_t total = out_offset + got.bytes;
    if (std::memcmp(ref.storage.get(), got.storage.get(), total) != 0) {
      char detail[128];
      std::snprintf(detail, sizeof detail, "dequantize %d->f32, scale=%a z=%d, out_offset=%zu", qtype, s, z, out_offset);
      Fail("dequantize", t->isa, n, FirstDifference(ref.storage.get(), got.storage.get(), total), detail);
    }
  }
}

void FuzzMinMax(FuzzedDataProvider& in, const std::vector<const KernelTable*>& tables) {
  const int ftype = in.ConsumeIntegralInRange(0, kFloatTypeCount - 1);
  const size_t n = in.ConsumeBool() ? in.ConsumeIntegralInRange<size_t>(0, 300) : in.ConsumeIntegralInRange<size_t>(0, 20000);
  const size_t in_offset = in.ConsumeIntegralInRange<size_t>(0, 7) * FloatSize(ftype);
  const bool structured = in.ConsumeBool();
  const float scale = static_cast<float>(ScaleFrom(in));
  Block x(in_offset, n * FloatSize(ftype));
  double out[2];
  if (!args::CheckMinMax({x.data(), n, x.bytes, ftype}, {out, 2, sizeof out, kF64}).ok()) std::abort();
  FillFloats(x.data(), n, ftype, structured, in.ConsumeRemainingBytes<uint8_t>(),
             std::isfinite(scale) && scale > 0 ? scale : 1.0f);

  const MinMaxResult want = ScalarKernels().minmax[ftype](x.data(), n);
  for (const KernelTable* t : tables) {
    const MinMaxResult got = t->minmax[ftype](x.data(), n);
    if (std::memcmp(&want, &got, sizeof want) != 0) {
      char detail[160];
      std::snprintf(detail, sizeof detail, "minmax %s: scalar (%a, %a), got (%a, %a)", ftype == kF32 ? "f32" : "f64",
                    want.min, want.max, got.min, got.max);
      Fail("minmax", t->isa, n, 0, detail);
    }
  }
}

// The ggml tables of the runnable levels (the scalar one first, as the reference).
std::vector<const ggml::GgmlTable*> RunnableGgmlTables() {
  std::vector<const ggml::GgmlTable*> tables;
  for (int l = 0; l < kIsaCount; ++l) {
    if (Runnable(static_cast<IsaLevel>(l))) tables.push_back(&ggml::GgmlKernelsFor(static_cast<IsaLevel>(l)));
  }
  return tables;
}

// ggmlQuantize as the glue runs it: the non-finite scan on every table (same index), then,
// when every element is finite, the blocks (same bytes).
void FuzzGgmlQuantize(FuzzedDataProvider& in, const std::vector<const ggml::GgmlTable*>& tables) {
  const int ftype = in.ConsumeIntegralInRange(0, kFloatTypeCount - 1);
  const args::Number code = NumberFrom(in.ConsumeIntegralInRange<int>(-1, ggml::kBlockTypeCount));
  const int known = code.value >= 0 && code.value < ggml::kBlockTypeCount ? static_cast<int>(code.value) : 0;
  const size_t elements = ggml::BlockElements(known);
  // The k-quants' scalar search costs ~30 times a 32-element block's work per element.
  const size_t most = ggml::IsKQuant(known) ? 12 : 700;
  const size_t blocks = in.ConsumeBool() ? in.ConsumeIntegralInRange<size_t>(0, 8) : in.ConsumeIntegralInRange<size_t>(0, most);
  const size_t n = blocks * elements + (in.ConsumeIntegralInRange(0, 15) == 0 ? 1 : 0);
  const size_t in_offset = in.ConsumeIntegralInRange<size_t>(0, 7) * FloatSize(ftype);
  const size_t out_offset = in.ConsumeIntegralInRange<size_t>(0, 7);
  const bool structured = in.ConsumeBool();
  const float scale = static_cast<float>(std::ldexp(1.0, in.ConsumeIntegralInRange(-140, 100)));
  int type = 0;
  const size_t bytes = n / elements * ggml::BlockBytes(known);
  Block x(in_offset, n * FloatSize(ftype));
  Block ref(out_offset, bytes);
  const args::Result r = args::CheckGgmlQuantize({x.data(), n, x.bytes, ftype}, {ref.data(), bytes, ref.bytes, 0}, code, &type);
  if (!r.ok()) {
    if (r.message.empty()) std::abort();
    return;
  }
  FillFloats(x.data(), n, ftype, structured, in.ConsumeRemainingBytes<uint8_t>(), scale);
  const size_t bad = tables[0]->first_non_finite[ftype](x.data(), n);
  for (const ggml::GgmlTable* t : tables) {
    const size_t got = t->first_non_finite[ftype](x.data(), n);
    if (got != bad) {
      char detail[96];
      std::snprintf(detail, sizeof detail, "ggml first non-finite %s: scalar %zu, got %zu", ftype == kF32 ? "f32" : "f64", bad, got);
      Fail("ggml scan", t->isa, n, 0, detail);
    }
  }
  if (bad != n) return;
  tables[0]->quantize[ftype][type](x.data(), blocks, ref.data());
  for (const ggml::GgmlTable* t : tables) {
    Block got(out_offset, bytes);
    t->quantize[ftype][type](x.data(), blocks, got.data());
    const size_t total = out_offset + bytes;
    if (std::memcmp(ref.storage.get(), got.storage.get(), total) != 0) {
      char detail[64];
      std::snprintf(detail, sizeof detail, "ggml quantize %s, type %d", ftype == kF32 ? "f32" : "f64", type);
      Fail("ggml quantize", t->isa, n, FirstDifference(ref.storage.get(), got.storage.get(), total), detail);
    }
  }
}

void FuzzGgmlDequantize(FuzzedDataProvider& in, const std::vector<const ggml::GgmlTable*>& tables) {
  const int type = in.ConsumeIntegralInRange(0, ggml::kBlockTypeCount - 1);
  const size_t blocks = in.ConsumeBool() ? in.ConsumeIntegralInRange<size_t>(0, 8) : in.ConsumeIntegralInRange<size_t>(0, 700);
  const size_t in_offset = in.ConsumeIntegralInRange<size_t>(0, 7);
  const size_t out_offset = in.ConsumeIntegralInRange<size_t>(0, 7) * 4;
  const size_t n = blocks * ggml::BlockElements(type), bytes = blocks * ggml::BlockBytes(type);
  Block q(in_offset, bytes);
  Block ref(out_offset, n * 4);
  int checked = 0;
  if (!args::CheckGgmlDequantize({q.data(), bytes, q.bytes, 0}, {ref.data(), n, ref.bytes, kF32}, NumberFrom(type), &checked)
           .ok()) {
    std::abort();
  }
  const std::vector<uint8_t> data = in.ConsumeRemainingBytes<uint8_t>();
  for (size_t i = 0; !data.empty() && i < bytes; ++i) q.data()[i] = data[i % data.size()];
  tables[0]->dequantize[type](q.data(), blocks, reinterpret_cast<float*>(ref.data()));
  for (const ggml::GgmlTable* t : tables) {
    Block got(out_offset, n * 4);
    t->dequantize[type](q.data(), blocks, reinterpret_cast<float*>(got.data()));
    const size_t total = out_offset + n * 4;
    if (std::memcmp(ref.storage.get(), got.storage.get(), total) != 0) {
      char detail[48];
      std::snprintf(detail, sizeof detail, "ggml dequantize type %d", type);
      Fail("ggml dequantize", t->isa, n, FirstDifference(ref.storage.get(), got.storage.get(), total), detail);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<const KernelTable*> tables = RunnableTables();
  static const std::vector<const ggml::GgmlTable*> ggml_tables = RunnableGgmlTables();
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: FuzzQuantize(in, tables); break;
    case 1: FuzzDequantize(in, tables); break;
    case 2: FuzzGgmlQuantize(in, ggml_tables); break;
    case 3: FuzzGgmlDequantize(in, ggml_tables); break;
    default: FuzzMinMax(in, tables); break;
  }
  return 0;
}
