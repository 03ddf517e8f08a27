// libFuzzer target: the glue's argument checks (args.h, packed_args.h, axis_args.h,
// ggml_args.h, recode_args.h, preprocess_args.h) on arbitrary values, and the split of a large call into parts
// (kernels/isa/split.h). Every decision is compared with a second, independent statement of the
// rule written here (ranges by their float32 limits, overlap and sizes in 128-bit
// arithmetic), so the checks can never accept qmin >= qmax, a zero point outside
// [qmin, qmax], a scale that is not a positive finite float32, arrays of different lengths
// or sharing a byte, and can never crash. For every accepted call the exact byte extents the
// kernel will touch (packed bytes per part of a threaded call, the last parameter index of
// a per-axis or blocked layout, whole ggml blocks) are worked out here and must lie inside
// the arrays given and apart from each other. The parts of a split must cover [0, n) once each.
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

#include <vector>

#include "args/args.h"
#include "args/axis_args.h"
#include "args/ggml_args.h"
#include "args/preprocess_args.h"
#include "kernels/isa/split.h"
#include "args/packed_args.h"
#include "args/recode_args.h"

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

// kernels/isa/split.h: the parts of a call of n elements over `threads` threads cover [0, n)
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

// ---- the other args headers ----------------------------------------------------------

// A span of `length` elements at any address, or next to (often touching or overlapping)
// [near, near + near_bytes).
args::Span SpanAt(FuzzedDataProvider& in, int type, size_t element, size_t length, const void* near, size_t near_bytes) {
  const size_t bytes = length * element;
  uintptr_t p;
  if (near != nullptr && in.ConsumeBool()) {
    const intptr_t delta = in.ConsumeIntegralInRange<intptr_t>(-200, 200) +
                           (in.ConsumeBool() ? static_cast<intptr_t>(near_bytes) : -static_cast<intptr_t>(bytes));
    p = reinterpret_cast<uintptr_t>(near) + static_cast<uintptr_t>(delta);
  } else {
    p = in.ConsumeIntegral<uintptr_t>();
  }
  if (p > UINTPTR_MAX - bytes) p = UINTPTR_MAX - bytes;
  return args::Span{reinterpret_cast<const void*>(p), length, bytes, type};
}

// Usually the length a rule wants (or one off it), sometimes anything.
size_t LengthNear(FuzzedDataProvider& in, u128 want) {
  const u128 cap = u128{1} << 40;
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0: return want <= cap ? static_cast<size_t>(want) : 0;
    case 1: {
      const int delta = in.ConsumeIntegralInRange(-2, 2);
      if (want > cap) return static_cast<size_t>(cap);
      return delta < 0 && want < static_cast<u128>(-delta) ? 0 : static_cast<size_t>(want + delta);
    }
    case 2: return in.ConsumeIntegralInRange<size_t>(0, 64);
    default: return in.ConsumeIntegralInRange<size_t>(0, size_t{1} << 40);
  }
}

// An integer in [lo, hi] most of the time (so that calls get accepted), else any number.
args::Number SmallNumber(FuzzedDataProvider& in, int lo, int hi) {
  if (in.ConsumeIntegralInRange(0, 3) == 0) return NumberFrom(in);
  args::Number n;
  n.is_number = true;
  n.value = in.ConsumeIntegralInRange(lo, hi);
  return n;
}

bool Overlap128(const void* a, u128 a_bytes, const void* b, u128 b_bytes) {
  const u128 a0 = reinterpret_cast<uintptr_t>(a), b0 = reinterpret_cast<uintptr_t>(b);
  return a_bytes > 0 && b_bytes > 0 && a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

// What an accepted call touches must lie inside the array given.
void Inside(const char* call, const char* what, u128 touched, const args::Span& s) {
  if (touched > s.bytes) {
    Fail(std::string(call) + ": accepted a call that touches " + std::to_string(static_cast<uint64_t>(touched)) +
         " bytes of " + what + ", which holds " + std::to_string(s.bytes));
  }
}

void Apart(const char* call, const void* a, u128 a_bytes, const void* b, u128 b_bytes) {
  if (Overlap128(a, a_bytes, b, b_bytes)) Fail(std::string(call) + ": accepted a call whose input and output share a byte");
}

u128 PackedBytesRule(u128 n, int bits) { return (n * static_cast<u128>(bits) + 7) / 8; }

Expected BitsExpect(const args::Number& bits) {
  if (!bits.is_number) return {args::ErrorKind::kType, "Expected a number for bits but received a string"};
  if (!(bits.value == 2 || bits.value == 4)) return {args::ErrorKind::kRange, "Expected 2 or 4 for bits but received "};
  return kAccept;
}

void PackedRangeRule(int bits, bool is_signed, double* lo, double* hi) {
  *lo = is_signed ? -std::ldexp(1.0, bits - 1) : 0;
  *hi = is_signed ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
}

// The bytes part [begin, end) of a packed call reads or writes: parts start on whole bytes
// (split.h's 64-element lines), and their bytes must tile [0, PackedBytes(n)).
void PackedPartsInside(const char* call, size_t n, int bits, const args::Span& packed) {
  const int threads = 1 + static_cast<int>(n % kMaxThreads);
  std::atomic<int> bad{0};
  std::atomic<uint64_t> total{0};
  ForParts(n, threads, [&](int, size_t begin, size_t end) {
    const u128 first = static_cast<u128>(begin) * bits / 8;
    if (static_cast<u128>(begin) * bits % 8 != 0) bad = 1;  // a part would share a byte with the one before
    const u128 last = PackedBytesRule(end, bits);
    if (last > packed.bytes) bad = 2;
    total += static_cast<uint64_t>(last - first);
  });
  if (bad == 1) Fail(std::string(call) + ": a part starts inside a packed byte");
  if (bad == 2) Fail(std::string(call) + ": a part touches bytes past the packed array");
  if (total != PackedBytesRule(n, bits)) Fail(std::string(call) + ": the parts' packed bytes do not tile the array");
}

void FuzzPacked(FuzzedDataProvider& in) {
  const int which = in.ConsumeIntegralInRange(0, 2);  // quantizePacked, dequantizePacked, pack / unpack
  const args::Number bits = in.ConsumeIntegralInRange(0, 7) == 0 ? NumberFrom(in) : SmallNumber(in, 1, 5);
  const int want_bits = bits.is_number && (bits.value == 2 || bits.value == 4) ? static_cast<int>(bits.value) : 4;
  const bool is_signed = in.ConsumeBool();
  // The one-per-element side first, then the packed side of (about) the right size near it.
  const int ftype = which == 0 ? in.ConsumeIntegralInRange(0, 1) : which == 1 ? kF32 : in.ConsumeIntegralInRange(0, 1);
  const size_t element = which == 0 ? SizeOf(ftype, true) : which == 1 ? 4 : 1;
  const args::Span wide = SpanAt(in, ftype, element, LengthNear(in, in.ConsumeIntegralInRange<size_t>(0, 300)), nullptr, 0);
  const args::Span packed = SpanAt(in, kU8, 1, LengthNear(in, PackedBytesRule(wide.length, want_bits)), wide.data, wide.bytes);
  const size_t n = wide.length;

  Expected want = BitsExpect(bits);
  const int b = want.kind == args::ErrorKind::kNone ? static_cast<int>(bits.value) : 0;
  const char* packed_name = which == 0 ? "out" : which == 1 ? "q" : in.ConsumeBool() ? "out" : "packed";
  if (want.kind == args::ErrorKind::kNone && packed.length != PackedBytesRule(n, b)) {
    want = {args::ErrorKind::kRange, std::string("Expected ") + packed_name + ".length to equal "};
  } else if (want.kind == args::ErrorKind::kNone && OverlapRule(wide, packed)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap the input's memory but it does"};
  }
  double lo = 0, hi = 0;
  if (b != 0) PackedRangeRule(b, is_signed, &lo, &hi);
  int got_bits = 0;
  const char* call = which == 0 ? "quantizePacked" : which == 1 ? "dequantizePacked" : "pack/unpack";
  if (which == 0) {
    const args::Number scale = NumberFrom(in), zero = SmallNumber(in, -9, 16), qmin = SmallNumber(in, -9, 16),
                       qmax = SmallNumber(in, -9, 16);
    if (want.kind == args::ErrorKind::kNone && (want = NumberExpect(scale, "scale", 0, 0, true)).kind == args::ErrorKind::kNone &&
        (want = NumberExpect(qmin, "qmin", lo, hi, false)).kind == args::ErrorKind::kNone &&
        (want = NumberExpect(qmax, "qmax", lo, hi, false)).kind == args::ErrorKind::kNone) {
      want = qmin.value < qmax.value ? NumberExpect(zero, "zeroPoint", qmin.value, qmax.value, false)
                                     : Expected{args::ErrorKind::kRange, "Expected qmin < qmax"};
    }
    QuantizeParams p{};
    const args::Result got = args::CheckQuantizePacked(wide, packed, bits, is_signed, scale, zero, qmin, qmax, &got_bits, &p);
    Compare(call, got, want);
    if (!got.ok()) return;
    if (!(p.scale > 0 && std::isfinite(p.scale) && lo <= p.qmin && p.qmin < p.qmax && p.qmax <= hi &&
          p.qmin <= p.zero_point && p.zero_point <= p.qmax)) {
      Fail("quantizePacked accepted parameters outside the packed range");
    }
  } else if (which == 1) {
    const args::Number scale = NumberFrom(in), zero = SmallNumber(in, -9, 16);
    if (want.kind == args::ErrorKind::kNone && (want = NumberExpect(scale, "scale", 0, 0, true)).kind == args::ErrorKind::kNone) {
      want = NumberExpect(zero, "zeroPoint", lo, hi, false);
    }
    float s = 0;
    int32_t z = 0;
    const args::Result got = args::CheckDequantizePacked(packed, wide, bits, is_signed, scale, zero, &got_bits, &s, &z);
    Compare(call, got, want);
    if (!got.ok()) return;
    if (!(s > 0 && std::isfinite(s) && lo <= z && z <= hi)) Fail("dequantizePacked accepted parameters outside the packed range");
  } else {
    const args::Result got = args::CheckPackPair(wide, packed, bits, packed_name, &got_bits);
    Compare(call, got, want);
    if (!got.ok()) return;
  }
  if (got_bits != b) Fail(std::string(call) + ": bits changed");
  Inside(call, "the unpacked side", static_cast<u128>(n) * element, wide);
  Inside(call, "the packed side", PackedBytesRule(n, b), packed);
  Apart(call, wide.data, static_cast<u128>(n) * element, packed.data, PackedBytesRule(n, b));
  if (which != 2) PackedPartsInside(call, n, b, packed);
}

Expected DimExpect(const args::Number& n, const char* name) {
  if (!n.is_number) return {args::ErrorKind::kType, std::string("Expected a number for ") + name + " but received a string"};
  double whole = 0;
  if (!(std::modf(n.value, &whole) == 0.0 && n.value >= 0 && n.value <= 0x1p53)) {
    return {args::ErrorKind::kRange, std::string("Expected a non-negative integer for ") + name + " but received "};
  }
  return kAccept;
}

// A dimension: small most of the time, so that layouts match their data.
args::Number DimFrom(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: return NumberFrom(in);
    case 1: {
      args::Number n;
      n.is_number = true;
      n.value = in.PickValueInArray<double>({0x1p32, 0x1p40, 0x1p53, 0x1p53 + 2, 0x1p64, 65536.0 * 65537.0});
      return n;
    }
    default: return SmallNumber(in, 0, 40);
  }
}

// The number of (scale, zero point) pairs of a layout, stated again: D, or
// outer · ceil(D / blockSize) · inner.
u128 ParamCountRule(u128 outer, u128 d, u128 inner, u128 block) {
  return block == 0 ? d : outer * ((d + block - 1) / block) * inner;
}

// The parameter index of element (o, a, i), stated again.
u128 ParamIndexRule(u128 o, u128 a, u128 i, u128 d, u128 inner, u128 block) {
  if (block == 0) return a;
  return (o * ((d + block - 1) / block) + a / block) * inner + i;
}

void FuzzAxis(FuzzedDataProvider& in) {
  const int which = in.ConsumeIntegralInRange(0, 2);  // quantizeAxis, dequantizeAxis, minMaxAxis
  const char* call = which == 0 ? "quantizeAxis" : which == 1 ? "dequantizeAxis" : "minMaxAxis";
  const args::Number outer = DimFrom(in), d = DimFrom(in), inner = DimFrom(in);
  const args::Number block = in.ConsumeBool() ? SmallNumber(in, 0, 0) : DimFrom(in);
  const bool dims_ok = DimExpect(outer, "").kind == args::ErrorKind::kNone && DimExpect(d, "").kind == args::ErrorKind::kNone &&
                       DimExpect(inner, "").kind == args::ErrorKind::kNone && DimExpect(block, "").kind == args::ErrorKind::kNone;
  const u128 o = dims_ok ? static_cast<u128>(outer.value) : 0, dd = dims_ok ? static_cast<u128>(d.value) : 0,
             ii = dims_ok ? static_cast<u128>(inner.value) : 0, bb = dims_ok ? static_cast<u128>(block.value) : 0;
  // outer · D · inner, refused when a partial product, taken left to right, passes SIZE_MAX
  // (each factor is at most 2^53, so od · ii fits in 128 bits once od fits in 64).
  const u128 od = o * dd;
  const bool huge = od > SIZE_MAX || od * ii > SIZE_MAX;
  const u128 n_rule = huge ? 0 : od * ii;
  const u128 count_rule = dims_ok && !huge ? ParamCountRule(o, dd, ii, bb) : 0;

  const int in_type = which == 1 ? in.ConsumeIntegralInRange(0, 3) : in.ConsumeIntegralInRange(0, 1);
  const size_t in_size = which == 1 ? SizeOf(in_type, false) : SizeOf(in_type, true);
  const args::Span x = SpanAt(in, in_type, in_size, LengthNear(in, n_rule), nullptr, 0);
  const u128 n = x.length;

  // Real scale and zero point arrays: the checks read them.
  const size_t param_len = std::min<size_t>(LengthNear(in, count_rule), 4096);
  std::vector<float> scales(param_len);
  std::vector<int32_t> zeros(in.ConsumeIntegralInRange(0, 15) != 0 ? param_len : LengthNear(in, param_len) % 4097);
  const int qtype = which == 0 ? in.ConsumeIntegralInRange(0, 3) : in_type;
  double clo = 0, chi = 0;
  Container(which == 2 ? 0 : qtype, &clo, &chi);
  const args::Number qmin = in.ConsumeBool() ? SmallNumber(in, static_cast<int>(clo), static_cast<int>(clo) + 3) : SmallNumber(in, -10, 300);
  const args::Number qmax = in.ConsumeBool() ? SmallNumber(in, static_cast<int>(chi) - 3, static_cast<int>(chi)) : SmallNumber(in, -10, 300);
  const int zlo = qmin.is_number && std::fabs(qmin.value) < 1e6 ? static_cast<int>(qmin.value) : static_cast<int>(clo);
  const int zhi = qmax.is_number && std::fabs(qmax.value) < 1e6 ? static_cast<int>(qmax.value) : static_cast<int>(chi);
  for (float& s : scales) {
    s = in.ConsumeIntegralInRange(0, 40) == 0 ? static_cast<float>(EdgeValue(in)) : std::ldexp(1.0f + in.ConsumeIntegralInRange(0, 99) / 100.0f, in.ConsumeIntegralInRange(-20, 20));
  }
  for (int32_t& z : zeros) {
    z = in.ConsumeIntegralInRange(0, 60) == 0 ? in.ConsumeIntegral<int32_t>()
                                               : in.ConsumeIntegralInRange(std::min(zlo, zhi), std::max(zlo, zhi));
  }
  const args::Span scale{scales.data(), scales.size(), scales.size() * 4, kF32};
  const args::Span zero{zeros.data(), zeros.size(), zeros.size() * 4, 0};

  // out: of the data's length (or twice the parameter count for minMaxAxis), at any address,
  // next to x, or next to the real scale or zero point arrays.
  const int out_type = which == 0 ? qtype : which == 1 ? kF32 : kF64;
  const size_t out_size = which == 0 ? SizeOf(qtype, false) : which == 1 ? 4 : 8;
  const size_t out_len = LengthNear(in, which == 2 ? 2 * count_rule : n);
  const int near = in.ConsumeIntegralInRange(0, 2);
  const args::Span& next_to = near == 0 ? x : near == 1 ? scale : zero;
  const args::Span out = SpanAt(in, out_type, out_size, out_len, next_to.data, next_to.bytes);

  Expected want = kAccept;
  auto layout_expect = [&]() {
    Expected w = DimExpect(outer, "outer");
    if (w.kind == args::ErrorKind::kNone) w = DimExpect(d, "axisLength");
    if (w.kind == args::ErrorKind::kNone) w = DimExpect(inner, "inner");
    if (w.kind == args::ErrorKind::kNone) w = DimExpect(block, "blockSize");
    if (w.kind == args::ErrorKind::kNone && (huge || n_rule != n)) {
      w = {args::ErrorKind::kRange, "Expected outer * axisLength * inner to equal the data length"};
    }
    return w;
  };
  auto params_expect = [&]() -> Expected {
    if (scale.length != count_rule) return {args::ErrorKind::kRange, "Expected scale.length to equal "};
    if (zero.length != count_rule) return {args::ErrorKind::kRange, "Expected zeroPoint.length to equal "};
    for (size_t k = 0; k < scales.size(); ++k) {
      if (!ScaleRule(scales[k])) return {args::ErrorKind::kRange, "Expected a positive finite float32 for scale[" + std::to_string(k) + "]"};
    }
    return kAccept;
  };
  auto zeros_expect = [&](double lo, double hi) -> Expected {
    for (size_t k = 0; k < zeros.size(); ++k) {
      if (zeros[k] < lo || zeros[k] > hi) return {args::ErrorKind::kRange, "Expected an integer in ["};
    }
    return kAccept;
  };
  const bool out_overlaps = OverlapRule(x, out) || OverlapRule(scale, out) || OverlapRule(zero, out);
  AxisLayout l{};
  args::Result got;
  int32_t got_qmin = 0, got_qmax = 0;
  if (which == 2) {
    want = layout_expect();
    if (want.kind == args::ErrorKind::kNone && out.length != 2 * count_rule) {
      want = {args::ErrorKind::kRange, "Expected out.length to be " + std::to_string(static_cast<uint64_t>(2 * count_rule))};
    } else if (want.kind == args::ErrorKind::kNone && OverlapRule(x, out)) {
      want = {args::ErrorKind::kRange, "Expected out not to overlap the input's memory but it does"};
    }
    got = args::CheckMinMaxAxis(x, out, outer, d, inner, block, &l);
  } else {
    if (x.length != out.length) {
      want = {args::ErrorKind::kRange, "Expected out.length to equal the input length"};
    } else if (out_overlaps) {
      want = {args::ErrorKind::kRange, "Expected out not to overlap the input's, scale's or zeroPoint's memory but it does"};
    } else if ((want = layout_expect()).kind == args::ErrorKind::kNone && (want = params_expect()).kind == args::ErrorKind::kNone) {
      if (which == 1) {
        want = zeros_expect(clo, chi);
      } else if ((want = NumberExpect(qmin, "qmin", clo, chi, false)).kind == args::ErrorKind::kNone &&
                 (want = NumberExpect(qmax, "qmax", clo, chi, false)).kind == args::ErrorKind::kNone) {
        want = qmin.value < qmax.value ? zeros_expect(qmin.value, qmax.value) : Expected{args::ErrorKind::kRange, "Expected qmin < qmax"};
      }
    }
    got = which == 0 ? args::CheckQuantizeAxis(x, out, scale, zero, outer, d, inner, block, qmin, qmax, &l, &got_qmin, &got_qmax)
                     : args::CheckDequantizeAxis(x, out, scale, zero, outer, d, inner, block, &l);
  }
  Compare(call, got, want);
  if (!got.ok()) return;

  // What the kernels of kernels/axis/axis.h will touch.
  if (l.outer != o || l.axis_len != dd || l.inner != ii || l.block != bb) Fail(std::string(call) + ": the layout changed");
  if (AxisParamCount(l) != count_rule) Fail(std::string(call) + ": AxisParamCount disagrees with the rule");
  if (static_cast<u128>(AxisUnitCount(l)) * AxisUnitLength(l) != n) Fail(std::string(call) + ": the work units do not tile the data");
  Inside(call, "x", n * in_size, x);
  if (which == 2) {
    Inside(call, "out", 2 * count_rule * 8, out);
    Apart(call, x.data, n * in_size, out.data, 2 * count_rule * 8);
    return;
  }
  Inside(call, "out", n * out_size, out);
  Apart(call, x.data, n * in_size, out.data, n * out_size);
  Apart(call, scale.data, count_rule * 4, out.data, n * out_size);
  Apart(call, zero.data, count_rule * 4, out.data, n * out_size);
  if (n > 0) {
    // The last element's parameter is the largest index read; a few others besides.
    const u128 last = ParamIndexRule(o - 1, dd - 1, ii - 1, dd, ii, bb);
    if (last >= scale.length || last >= zero.length) Fail(std::string(call) + ": the last element's parameter lies past the arrays");
    for (int t = 0; t < 4; ++t) {
      const u128 e = in.ConsumeIntegralInRange<uint64_t>(0, static_cast<uint64_t>(n - 1));
      const u128 k = ParamIndexRule(e / (dd * ii), e / ii % dd, e % ii, dd, ii, bb);
      if (k >= scale.length) Fail(std::string(call) + ": an element's parameter lies past the arrays");
    }
  }
  for (size_t k = 0; k < scales.size(); ++k) {
    if (!(scales[k] > 0 && std::isfinite(scales[k]))) Fail(std::string(call) + ": accepted a bad scale");
  }
  const double zl = which == 0 ? got_qmin : clo, zh = which == 0 ? got_qmax : chi;
  if (which == 0 && !(clo <= got_qmin && got_qmin < got_qmax && got_qmax <= chi)) Fail("quantizeAxis accepted a bad [qmin, qmax]");
  for (const int32_t z : zeros) {
    if (z < zl || z > zh) Fail(std::string(call) + ": accepted a zero point outside its range");
  }
}

void FuzzGgml(FuzzedDataProvider& in) {
  const bool quantize = in.ConsumeBool();
  const char* call = quantize ? "ggmlQuantize" : "ggmlDequantize";
  const args::Number type = SmallNumber(in, -1, 9);
  // Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 (32 elements), Q4_K, Q5_K, Q6_K (256 elements)
  const u128 block_bytes[] = {34, 18, 20, 22, 24, 144, 176, 210};
  const u128 block_elements[] = {32, 32, 32, 32, 32, 256, 256, 256};
  const bool type_ok = type.is_number && IntegerRule(type.value, 0, 7);
  const int t = type_ok ? static_cast<int>(type.value) : 0;
  const u128 e = block_elements[t];
  const int ftype = quantize ? in.ConsumeIntegralInRange(0, 1) : kF32;
  const size_t fsize = SizeOf(ftype, true);
  const args::Span floats = SpanAt(in, ftype, fsize, LengthNear(in, e * static_cast<u128>(in.ConsumeIntegralInRange<size_t>(0, 40))), nullptr, 0);
  const args::Span bytes = SpanAt(in, kU8, 1, LengthNear(in, floats.length / e * block_bytes[t]), floats.data, floats.bytes);
  Expected want = NumberExpect(type, "typeCode", 0, 7, false);
  const char* float_name = quantize ? "x" : "out";
  const char* byte_name = quantize ? "out" : "bytes";
  if (want.kind == args::ErrorKind::kNone && floats.length % e != 0) {
    want = {args::ErrorKind::kRange, std::string("Expected ") + float_name + ".length to be a multiple of " + std::to_string(static_cast<unsigned>(e))};
  } else if (want.kind == args::ErrorKind::kNone && bytes.length != floats.length / e * block_bytes[t]) {
    want = {args::ErrorKind::kRange, std::string("Expected ") + byte_name + ".length to be "};
  } else if (want.kind == args::ErrorKind::kNone && OverlapRule(floats, bytes)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap the input's memory but it does"};
  }
  int got_type = -1;
  const args::Result got = quantize ? args::CheckGgmlQuantize(floats, bytes, type, &got_type)
                                    : args::CheckGgmlDequantize(bytes, floats, type, &got_type);
  Compare(call, got, want);
  if (!got.ok()) return;
  if (got_type != t) Fail(std::string(call) + ": the block type changed");
  const u128 blocks = floats.length / e;
  Inside(call, "the float side", blocks * e * fsize, floats);
  Inside(call, "the block bytes", blocks * block_bytes[t], bytes);
  Apart(call, floats.data, blocks * e * fsize, bytes.data, blocks * block_bytes[t]);
}

void FuzzRecode(FuzzedDataProvider& in) {
  const int qtype = in.ConsumeIntegralInRange(0, 3);
  const int otype = in.ConsumeIntegralInRange(0, 3);
  const size_t qsize = SizeOf(qtype, false), osize = SizeOf(otype, false);
  const args::Span q = SpanAt(in, qtype, qsize, LengthNear(in, in.ConsumeIntegralInRange<size_t>(0, 100)), nullptr, 0);
  args::Span out = SpanAt(in, otype, osize, LengthNear(in, q.length), q.data, q.bytes);
  if (in.ConsumeBool() && (q.length * osize == q.bytes)) out = {q.data, q.length, q.bytes, otype};  // the in-place call
  const args::Number offset = in.ConsumeBool() ? SmallNumber(in, -32769, 32769) : SmallNumber(in, -129, 129);
  const bool wide = qtype >= kU16, out_wide = otype >= kU16;
  const bool is_signed = qtype == kI8 || qtype == kI16, out_signed = otype == kI8 || otype == kI16;
  const bool in_place = q.data == out.data && q.bytes == out.bytes;
  const double limit = wide ? 32768 : 128;
  Expected want = kAccept;
  if (wide != out_wide || is_signed == out_signed) {
    want = {args::ErrorKind::kType, "Expected out to hold codes of q's width with the other signedness"};
  } else if (q.length != out.length) {
    want = {args::ErrorKind::kRange, "Expected out.length to equal the input length"};
  } else if (!in_place && OverlapRule(q, out)) {
    want = {args::ErrorKind::kRange, "Expected out not to overlap the input's memory but it does"};
  } else {
    want = NumberExpect(offset, "offset", -limit, limit, false);
  }
  int32_t delta = 0;
  const args::Result got = args::CheckRecode(q, out, offset, &delta);
  Compare("recode", got, want);
  if (!got.ok()) return;
  // RecodeCodes reads q[i] and writes out[i] for i < q.length: element by element in place,
  // or apart.
  if (qsize != osize) Fail("recode accepted codes of two widths");
  Inside("recode", "q", static_cast<u128>(q.length) * qsize, q);
  Inside("recode", "out", static_cast<u128>(q.length) * osize, out);
  if (!in_place) Apart("recode", q.data, static_cast<u128>(q.length) * qsize, out.data, static_cast<u128>(q.length) * osize);
  if (!(delta == offset.value && std::fabs(offset.value) <= limit)) Fail("recode accepted a bad offset");
}

#include "fuzz_preprocess.h"  // FuzzPreprocess: args/preprocess_args.h

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange(0, 15)) {
    case 0: case 1: case 2: FuzzQuantize(in); break;
    case 3: case 4: FuzzDequantize(in); break;
    case 5: case 6: FuzzMinMax(in); break;
    case 7: FuzzSplit(in); break;
    case 8: case 9: FuzzPacked(in); break;
    case 10: case 11: case 12: FuzzAxis(in); break;
    case 13: FuzzGgml(in); break;
    case 15: FuzzPreprocess(in); break;
    default: FuzzRecode(in); break;
  }
  return 0;
}
