// libFuzzer target: the glue's argument checks (args.h) on arbitrary values, and the split
// of a large call into parts (kernels/split.h). Every decision is compared with a second,
// independent statement of the rule written here (ranges by their float32 limits, overlap
// in 128-bit arithmetic), so the checks can never accept qmin >= qmax, a zero point outside
// [qmin, qmax], a scale that is not a positive finite float32, arrays of different lengths
// or sharing a byte, and can never crash. The parts of a split must cover [0, n) once each.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "args.h"
#include "kernels/split.h"

namespace {

using namespace quantkit;
using u128 = unsigned __int128;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "\nINVARIANT BROKEN: %s\n", what.c_str());
  std::abort();
}

double DoubleFromBits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

// Doubles that sit on the edges of the rules: float32 rounding limits, integer boundaries,
// the containers' ranges, NaN and the infinities.
double EdgeValue(FuzzedDataProvider& in) {
  return in.PickValueInArray<double>({
      0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, 127, 128, -128, -129, 255, 256, 65535, 65536, -32768, -32769, 32767, 32768,
      2147483647.0, 2147483648.0, -2147483649.0, 9007199254740993.0, 1e300, -1e300, NAN, -NAN, INFINITY, -INFINITY,
      DBL_MIN, DBL_TRUE_MIN, 0x1p-149, 0x1p-150, 0x1.0000000000001p-150, 0x1.8p-150, FLT_MIN, FLT_MAX,
      0x1.ffffffp127,                       // halfway between FLT_MAX and 2^128: rounds to Inf
      0x1.fffffefffffffp127,                // just below it: rounds to FLT_MAX
      0x1p128, 1.0000000000000002, 0.9999999999999999});
}

args::Number NumberFrom(FuzzedDataProvider& in) {
  args::Number n;
  switch (in.ConsumeIntegralInRange(0, 5)) {
    case 0: n.instead = "a string"; return n;  // not a number at all
    case 1: n.value = DoubleFromBits(in.ConsumeIntegral<uint64_t>()); break;
    case 2: n.value = EdgeValue(in); break;
    case 3: n.value = in.ConsumeIntegralInRange(-70000, 70000); break;
    case 4: n.value = in.ConsumeIntegralInRange(-70000, 70000) + EdgeValue(in) * 1e-3; break;
    default: {
      float f;
      const uint32_t b = in.ConsumeIntegral<uint32_t>();
      std::memcpy(&f, &b, 4);
      n.value = f;
      break;
    }
  }
  n.is_number = true;
  return n;
}

size_t SizeOf(int type, bool float_role) {
  if (float_role) return type == kF32 ? 4 : 8;
  return type == kU8 || type == kI8 ? 1 : 2;
}

// A span as the glue builds one: any address and length, data + bytes not wrapping.
args::Span SpanFrom(FuzzedDataProvider& in, int type, size_t element, const args::Span* near) {
  size_t length;
  switch (in.ConsumeIntegralInRange(0, 2)) {
    case 0: length = in.ConsumeIntegralInRange<size_t>(0, 64); break;
    case 1: length = in.ConsumeIntegralInRange<size_t>(0, size_t{1} << 40); break;
    default: length = near ? near->length : 0; break;
  }
  const size_t bytes = length * element;
  uintptr_t p;
  if (near != nullptr && in.ConsumeBool()) {  // next to the other array, often touching or overlapping it
    const intptr_t delta = in.ConsumeIntegralInRange<intptr_t>(-200, 200) +
                           (in.ConsumeBool() ? static_cast<intptr_t>(near->bytes) : -static_cast<intptr_t>(bytes));
    p = reinterpret_cast<uintptr_t>(near->data) + static_cast<uintptr_t>(delta);
  } else {
    p = in.ConsumeIntegral<uintptr_t>();
  }
  if (p > UINTPTR_MAX - bytes) p = UINTPTR_MAX - bytes;
  return args::Span{reinterpret_cast<const void*>(p), length, bytes, type};
}

// ---- the rules, stated a second way -------------------------------------------------

bool OverlapRule(const args::Span& a, const args::Span& b) {
  const u128 a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
  return a.bytes > 0 && b.bytes > 0 && a0 < b0 + b.bytes && b0 < a0 + a.bytes;
}

// Positive, and rounds (to nearest even) to a finite nonzero float32: above half the
// smallest subnormal, below the midpoint between FLT_MAX and 2^128.
bool ScaleRule(double d) { return d > 0x1p-150 && d < 0x1.ffffffp127; }

bool IntegerRule(double d, double lo, double hi) {
  return d >= lo && d <= hi && static_cast<double>(static_cast<int64_t>(d)) == d;
}

struct Expected {
  args::ErrorKind kind;
  std::string prefix;
};

const Expected kAccept{args::ErrorKind::kNone, ""};

Expected NumberExpect(const args::Number& n, const char* name, double lo, double hi, bool scale) {
  if (!n.is_number) return {args::ErrorKind::kType, std::string("Expected a number for ") + name + " but received " + n.instead};
  if (scale ? !ScaleRule(n.value) : !IntegerRule(n.value, lo, hi)) {
    return {args::ErrorKind::kRange, scale ? "Expected a positive finite float32 for scale but received "
                                           : std::string("Expected an integer in [")};
  }
  return kAccept;
}

void Container(int qtype, double* lo, double* hi) {
  const std::pair<double, double> ranges[] = {{0, 255}, {-128, 127}, {0, 65535}, {-32768, 32767}};
  *lo = ranges[qtype].first;
  *hi = ranges[qtype].second;
}

void Compare(const char* call, const args::Result& got, const Expected& want) {
  if (got.kind != want.kind || got.message.compare(0, want.prefix.size(), want.prefix) != 0 ||
      (got.kind != args::ErrorKind::kNone && got.message.empty())) {
    Fail(std::string(call) + ": expected kind " + std::to_string(static_cast<int>(want.kind)) + " '" + want.prefix +
         "...' but got kind " + std::to_string(static_cast<int>(got.kind)) + " '" + got.message + "'");
  }
}

// A number in a message reads back as the very value received.
void CheckDescribe(double d) {
  const std::string s = args::DescribeNumber(d);
  if (std::isnan(d)) {
    if (s != "nan" && s != "-nan") Fail("DescribeNumber(NaN) = " + s);
    return;
  }
  const double back = std::strtod(s.c_str(), nullptr);
  if (std::memcmp(&back, &d, sizeof d) != 0) Fail("DescribeNumber does not round-trip: " + s);
}

void FuzzQuantize(FuzzedDataProvider& in) {
  const int ftype = in.ConsumeIntegralInRange(0, 1);
  const args::Span xs = SpanFrom(in, ftype, SizeOf(ftype, true), nullptr);
  const int qtype = in.ConsumeIntegralInRange(0, 3);
  const args::Span out = SpanFrom(in, qtype, SizeOf(qtype, false), &xs);
  const args::Number scale = NumberFrom(in), zero = NumberFrom(in), qmin = NumberFrom(in), qmax = NumberFrom(in);
  QuantizeParams p{};
  const args::Result got = args::CheckQuantize(xs, out, scale, zero, qmin, qmax, &p);

  double lo, hi;
  Container(qtype, &lo, &hi);
  Expected want = kAccept;
  if (xs.length != out.length) {
    want = {args::ErrorKind::kRange, "Expected out.length to equal the input length"};
  } else if (OverlapRule(xs, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap the input's memory but it does"};
  } else if ((want = NumberExpect(scale, "scale", 0, 0, true)).kind == args::ErrorKind::kNone &&
             (want = NumberExpect(qmin, "qmin", lo, hi, false)).kind == args::ErrorKind::kNone &&
             (want = NumberExpect(qmax, "qmax", lo, hi, false)).kind == args::ErrorKind::kNone) {
    if (!(qmin.value < qmax.value)) {
      want = {args::ErrorKind::kRange, "Expected qmin < qmax"};
    } else {
      want = NumberExpect(zero, "zeroPoint", qmin.value, qmax.value, false);
    }
  }
  Compare("quantize", got, want);
  if (got.ok()) {
    // What the kernels are promised (kernels.h, QuantizeParams).
    if (!(p.scale > 0 && std::isfinite(p.scale) && p.scale == static_cast<float>(scale.value))) Fail("accepted a bad scale");
    if (!(lo <= p.qmin && p.qmin < p.qmax && p.qmax <= hi)) Fail("accepted a bad [qmin, qmax]");
    if (!(p.qmin <= p.zero_point && p.zero_point <= p.qmax)) Fail("accepted a zero point outside [qmin, qmax]");
    if (p.zero_point != zero.value || p.qmin != qmin.value || p.qmax != qmax.value) Fail("changed an integer");
  }
  for (const args::Number* n : {&scale, &zero, &qmin, &qmax}) {
    if (n->is_number) CheckDescribe(n->value);
  }
  // The trailing rounding of every quantize call: an integer in [0, kRoundingCount - 1],
  // which then indexes the kernel table.
  const args::Number rounding = NumberFrom(in);
  int r = -1;
  const args::Result got_rounding = args::CheckRounding(rounding, &r);
  Compare("rounding", got_rounding, NumberExpect(rounding, "rounding", 0, kRoundingCount - 1, false));
  if (got_rounding.ok() && !(r >= 0 && r < kRoundingCount && r == rounding.value)) Fail("accepted a bad rounding");
}

void FuzzDequantize(FuzzedDataProvider& in) {
  const int qtype = in.ConsumeIntegralInRange(0, 3);
  const args::Span q = SpanFrom(in, qtype, SizeOf(qtype, false), nullptr);
  const args::Span out = SpanFrom(in, kF32, 4, &q);
  const args::Number scale = NumberFrom(in), zero = NumberFrom(in);
  float s = 0;
  int32_t z = 0;
  const args::Result got = args::CheckDequantize(q, out, scale, zero, &s, &z);
  double lo, hi;
  Container(qtype, &lo, &hi);
  Expected want = kAccept;
  if (q.length != out.length) {
    want = {args::ErrorKind::kRange, "Expected out.length to equal the input length"};
  } else if (OverlapRule(q, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap the input's memory but it does"};
  } else if ((want = NumberExpect(scale, "scale", 0, 0, true)).kind == args::ErrorKind::kNone) {
    want = NumberExpect(zero, "zeroPoint", lo, hi, false);
  }
  Compare("dequantize", got, want);
  if (got.ok() && !(s > 0 && std::isfinite(s) && lo <= z && z <= hi && z == zero.value)) Fail("dequantize accepted bad parameters");
}

void FuzzMinMax(FuzzedDataProvider& in) {
  const int ftype = in.ConsumeIntegralInRange(0, 1);
  const args::Span x = SpanFrom(in, ftype, SizeOf(ftype, true), nullptr);
  args::Span out = SpanFrom(in, kF64, 8, &x);
  if (in.ConsumeBool()) out = {out.data, 2, 16, kF64};
  if (reinterpret_cast<uintptr_t>(out.data) > UINTPTR_MAX - out.bytes) out.data = reinterpret_cast<const void*>(UINTPTR_MAX - out.bytes);
  const args::Result got = args::CheckMinMax(x, out);
  Expected want = kAccept;
  if (out.length != 2) {
    want = {args::ErrorKind::kRange, "Expected out.length to be 2 but received " + std::to_string(out.length)};
  } else if (OverlapRule(x, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap the input's memory but it does"};
  }
  Compare("minMax", got, want);
}

// kernels/split.h: the parts of a call of n elements over `threads` threads cover [0, n)
// exactly once, part boundaries fall on multiples of 64 elements, no part of a split call is
// shorter than kMinPartLength, and part k runs as index k only once.
void FuzzSplit(FuzzedDataProvider& in) {
  const int threads = in.ConsumeIntegralInRange(1, kMaxThreads);
  size_t n;
  switch (in.ConsumeIntegralInRange(0, 2)) {
    case 0: n = in.ConsumeIntegralInRange<size_t>(0, 5 * kMinPartLength); break;
    case 1: n = in.ConsumeIntegralInRange<size_t>(0, size_t{1} << 40); break;
    default: n = in.ConsumeIntegralInRange<size_t>(1, 2 * kMaxThreads) * kMinPartLength + in.ConsumeIntegralInRange(-64, 64); break;
  }
  struct Part {
    std::atomic<int> calls{0};
    size_t begin = 0, end = 0;
  };
  Part parts[kMaxThreads];
  std::atomic<int> bad_index{0};
  ForParts(n, threads, [&](int k, size_t begin, size_t end) {
    if (k < 0 || k >= kMaxThreads) {
      bad_index = 1;
      return;
    }
    parts[k].calls++;
    parts[k].begin = begin;
    parts[k].end = end;
  });
  if (bad_index) Fail("ForParts: a part index outside [0, kMaxThreads)");
  std::pair<size_t, size_t> ranges[kMaxThreads];
  int count = 0;
  for (int k = 0; k < kMaxThreads; ++k) {
    if (parts[k].calls > 1) Fail("ForParts: a part ran twice");
    if (parts[k].calls == 1) ranges[count++] = {parts[k].begin, parts[k].end};
  }
  if (count == 0 || count > threads) Fail("ForParts: " + std::to_string(count) + " parts for " + std::to_string(threads) + " threads");
  std::sort(ranges, ranges + count);
  size_t at = 0;
  for (int k = 0; k < count; ++k) {
    if (ranges[k].first != at || ranges[k].second < ranges[k].first) Fail("ForParts: parts do not tile [0, n)");
    if (count > 1 && (ranges[k].first % 64 != 0 || ranges[k].second - ranges[k].first < kMinPartLength)) {
      Fail("ForParts: a part boundary is off a 64-element line, or a part is under kMinPartLength");
    }
    at = ranges[k].second;
  }
  if (at != n) Fail("ForParts: parts end at " + std::to_string(at) + ", not n = " + std::to_string(n));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: case 1: case 2: FuzzQuantize(in); break;
    case 3: case 4: FuzzDequantize(in); break;
    case 5: case 6: FuzzMinMax(in); break;
    default: FuzzSplit(in); break;
  }
  return 0;
}
