// Compares every ISA's kernel table (and its ggml block table) with the scalar reference,
// bit for bit (memcmp, never ==), on random data plus the edges: NaN payloads, +-Inf, -0,
// subnormals, FLT_MAX, exact ties and their neighbours, quotients beyond +-2^31, float64
// values that round to float32 ties or overflow, every length 0..300 and some large ones,
// every element offset 0..7 of input and output. Outputs sit between canary bytes, and a
// second pass puts the arrays against an inaccessible page to catch any read or write past
// the end.
//
//   quantkit_kernel_test [--isa NAME]... [--require NAME]... [--seed N] [--exhaustive]
//                        [--no-bench | --bench-only]
//
// --isa limits the run to the named levels; --require fails when a named level cannot run
// on this CPU (without it, such a level is reported as skipped); --exhaustive also feeds
// all 2^32 float32 bit patterns through quantize for a few parameter sets. The speed table
// at the end is information only: nothing is asserted about it.
//
// Under emscripten (`node scripts/kernel-test.js --wasm`) the same program runs in node and
// compares the simd128 kernels with the scalar reference, both compiled to WebAssembly; the
// guard pages are then the end of linear memory and canary bytes (GuardedRegion).
#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#if defined(_MSC_VER)
#include <intrin.h>
#endif
#if defined(__EMSCRIPTEN__)
// wasm has no page protection (emscripten's mprotect does nothing), but an access past the
// end of linear memory traps: GuardedRegion below uses that instead.
#include <unistd.h>
#define QUANTKIT_HAVE_GUARD_PAGES 1
#elif defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define QUANTKIT_HAVE_GUARD_PAGES 1
#endif

#include "kernels/calibrate/calibrate.h"
#include "kernels/convert/convert.h"
#include "kernels/float8/float8.h"
#include "kernels/ggml/ggml.h"
#include "kernels/isa/kernels.h"
#include "kernels/isa/split.h"
#include "kernels/preprocess/preprocess.h"

namespace {

using namespace quantkit;
using ggml::ScalarGgml;

// ---------------------------------------------------------------------------------------
// Small helpers

uint32_t Bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return b;
}
float FromBits(uint32_t b) {
  float v;
  std::memcpy(&v, &b, 4);
  return v;
}
double FromBits64(uint64_t b) {
  double v;
  std::memcpy(&v, &b, 8);
  return v;
}

// A buffer aligned to 64 bytes, so that element offsets 0..7 give known misalignments.
class Buffer {
 public:
  explicit Buffer(size_t bytes) : storage_(bytes + 128) {
    const uintptr_t p = reinterpret_cast<uintptr_t>(storage_.data());
    base_ = storage_.data() + ((64 - p % 64) % 64);
    size_ = bytes;
  }
  unsigned char* data() { return base_; }
  size_t size() const { return size_; }

 private:
  std::vector<unsigned char> storage_;
  unsigned char* base_;
  size_t size_;
};

template <typename T> struct TypeName;
template <> struct TypeName<float> { static constexpr const char* value = "f32"; };
template <> struct TypeName<double> { static constexpr const char* value = "f64"; };
template <> struct TypeName<uint8_t> { static constexpr const char* value = "u8"; };
template <> struct TypeName<int8_t> { static constexpr const char* value = "i8"; };
template <> struct TypeName<uint16_t> { static constexpr const char* value = "u16"; };
template <> struct TypeName<int16_t> { static constexpr const char* value = "i16"; };

template <typename T> constexpr int FloatIndex();
template <> constexpr int FloatIndex<float>() { return kF32; }
template <> constexpr int FloatIndex<double>() { return kF64; }
template <typename T> constexpr int QuantIndex();
template <> constexpr int QuantIndex<uint8_t>() { return kU8; }
template <> constexpr int QuantIndex<int8_t>() { return kI8; }
template <> constexpr int QuantIndex<uint16_t>() { return kU16; }
template <> constexpr int QuantIndex<int16_t>() { return kI16; }

// One named check (e.g. "avx2 quantize f32->u8"): passes when none of its cases differ.
struct Check {
  std::string name;
  uint64_t cases = 0;
  uint64_t mismatches = 0;
};

constexpr int kMaxReports = 8;
int g_reports = 0;

void Report(Check& check, const std::string& what) {
  ++check.mismatches;
  if (g_reports++ < kMaxReports) {
    std::printf("  MISMATCH %s: %s\n", check.name.c_str(), what.c_str());
    std::fflush(stdout);
  }
}

std::string Hex(const void* p, size_t bytes) {
  std::string s;
  char tmp[4];
  for (size_t i = 0; i < bytes; ++i) {
    std::snprintf(tmp, sizeof tmp, "%02x", static_cast<const unsigned char*>(p)[i]);
    s += tmp;
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Inputs

class Inputs {
 public:
  explicit Inputs(uint64_t seed) : rng_(seed) {}

  std::mt19937_64& rng() { return rng_; }
  uint64_t U64() { return rng_(); }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double Real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }

  // A float input for quantize with the given parameters: mostly values whose quotient
  // lands in or near [lo, hi], many exact ties, and every kind of edge.
  float Float(const QuantizeParams& p) {
    const float s = p.scale;
    const float lo = static_cast<float>(p.qmin - p.zero_point);
    const float hi = static_cast<float>(p.qmax - p.zero_point);
    const int kind = Int(0, 99);
    if (kind < 30) return static_cast<float>(Real(lo - 4.0, hi + 4.0)) * s;
    if (kind < 55) {  // x / s close to k + 1/2, exactly or one ulp either side
      const float t = static_cast<float>(Int(static_cast<int>(lo) - 3, static_cast<int>(hi) + 3)) + 0.5f;
      const float x = t * s;
      switch (Int(0, 2)) {
        case 0: return x;
        case 1: return std::nextafter(x, INFINITY);
        default: return std::nextafter(x, -INFINITY);
      }
    }
    if (kind < 65) {  // small quotients: the sign of zero and the first ties
      const float t = static_cast<float>(Int(-6, 6)) * 0.25f;
      return t * s;
    }
    if (kind < 80) return Special(s, lo, hi);
    if (kind < 90) return FromBits(static_cast<uint32_t>(U64()));  // any bit pattern
    return static_cast<float>(Real(-1.0, 1.0)) * static_cast<float>(std::ldexp(1.0, Int(-150, 128)));
  }

  float Special(float s, float lo, float hi) {
    static const uint32_t kNaNs[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u,
                                     0x7fffffffu, 0xffffffffu, 0x7fa5a5a5u, 0xffb00001u};
    const float big = 2147483648.0f;
    const float list[] = {
        FromBits(kNaNs[Int(0, 7)]),
        INFINITY,
        -INFINITY,
        0.0f,
        -0.0f,
        FLT_MIN,
        -FLT_MIN,
        std::numeric_limits<float>::denorm_min(),
        -std::numeric_limits<float>::denorm_min(),
        FromBits(static_cast<uint32_t>(U64()) & 0x807fffffu),  // random subnormal
        FLT_MAX,
        -FLT_MAX,
        big * s,
        -big * s,
        std::nextafter(big * s, 0.0f),
        3.0e9f * s,
        -3.0e9f * s,
        1.0e30f,
        -1.0e30f,
        hi * s,
        lo * s,
        std::nextafter(hi * s, INFINITY),
        std::nextafter(lo * s, -INFINITY),
        (hi + 0.5f) * s,
        (lo - 0.5f) * s,
        0.5f * s,
        -0.5f * s,
        1.5f * s,
        -1.5f * s,
        2.5f * s,
        -2.5f * s,
        s,
        -s,
    };
    return list[Int(0, static_cast<int>(sizeof list / sizeof list[0]) - 1)];
  }

  // A float64 input: the float32 inputs widened, plus values that only a double can hold:
  // exact midpoints between two floats (ties for the double -> float rounding) and their
  // neighbours, overflow and underflow of the float range, NaNs with low payload bits.
  double Double(const QuantizeParams& p) {
    const int kind = Int(0, 99);
    if (kind < 45) return Float(p);
    if (kind < 70) {
      const float f = Float(p);
      if (!std::isfinite(f)) return f;
      const double mid = (static_cast<double>(f) + static_cast<double>(std::nextafter(f, INFINITY))) / 2;
      switch (Int(0, 2)) {
        case 0: return mid;
        case 1: return std::nextafter(mid, INFINITY);
        default: return std::nextafter(mid, -INFINITY);
      }
    }
    if (kind < 85) {
      const double flt_max_tie = (static_cast<double>(FLT_MAX) + std::ldexp(1.0, 128)) / 2;
      const double list[] = {
          FromBits64(0x7ff8000000000000ull),
          FromBits64(0x7ff0000000000001ull),
          FromBits64(0xfff8000000000001ull),
          FromBits64(0x7ff00000ffffffffull),
          1e39,
          -1e39,
          1e300,
          -DBL_MAX,
          flt_max_tie,
          -flt_max_tie,
          std::nextafter(flt_max_tie, 0.0),
          1e-46,
          -1e-46,
          static_cast<double>(std::numeric_limits<float>::denorm_min()) / 2,
          static_cast<double>(std::numeric_limits<float>::denorm_min()) * 0.75,
          std::numeric_limits<double>::denorm_min(),
          -0.0,
          static_cast<double>(p.scale) * 2147483648.0 * 4,
      };
      return list[Int(0, static_cast<int>(sizeof list / sizeof list[0]) - 1)];
    }
    return FromBits64(U64());
  }

  template <typename T>
  T Input(const QuantizeParams& p);

 private:
  std::mt19937_64 rng_;
};

template <> float Inputs::Input<float>(const QuantizeParams& p) { return Float(p); }
template <> double Inputs::Input<double>(const QuantizeParams& p) { return Double(p); }

// Parameter sets per output type: full and narrow (bits) ranges, zero points at both ends
// and in the middle, scales from subnormal to huge. Random scales are added per run.
template <typename Out>
std::vector<QuantizeParams> ParamsFor(Inputs& in) {
  const int32_t tmin = std::numeric_limits<Out>::min();
  const int32_t tmax = std::numeric_limits<Out>::max();
  std::vector<std::pair<int32_t, int32_t>> ranges = {{tmin, tmax}};
  if (std::is_signed<Out>::value) {
    ranges.push_back({tmin + 1, tmax});  // symmetric weights, e.g. [-127, 127]
    ranges.push_back({-8, 7});           // 4 bits
    ranges.push_back({-2, 1});           // 2 bits
  } else {
    ranges.push_back({0, 15});
    ranges.push_back({0, 3});
  }
  if (sizeof(Out) == 2) ranges.push_back({std::is_signed<Out>::value ? -2048 : 0, std::is_signed<Out>::value ? 2047 : 4095});
  const float scales[] = {1.0f, 0.5f, 0.1f, 0.0078125f, 3.0f, 1e-3f, 7.3e-5f, 1e-40f, 1e30f};
  std::vector<QuantizeParams> out;
  size_t k = 0;
  for (const auto& r : ranges) {
    const int32_t zs[] = {r.first, r.second, (r.first + r.second) / 2, r.first < 0 && r.second > 0 ? 0 : r.first + 1};
    for (int32_t z : zs) {
      out.push_back({scales[k++ % (sizeof scales / sizeof scales[0])], z, r.first, r.second});
    }
    // A random scale and zero point.
    const float s = static_cast<float>(std::ldexp(in.Real(1.0, 2.0), in.Int(-12, 4)));
    out.push_back({s, in.Int(r.first, r.second), r.first, r.second});
  }
  return out;
}

std::string Describe(const QuantizeParams& p) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "scale=%.9g (0x%08x) z=%d qmin=%d qmax=%d", p.scale, Bits(p.scale), p.zero_point,
                p.qmin, p.qmax);
  return buf;
}

// ---------------------------------------------------------------------------------------
// Quantize

// The bytes a case fills with canaries and compares: the output (out_offset + n elements of
// `size` bytes) and 64 elements past its end, more than any kernel's widest store (4 vectors
// of 16 lanes) could overrun; the guard-page test (TestGuarded) catches stores further out.
// Filling and comparing the whole 64 Ki-element buffer for every case cost more than the
// kernels themselves.
size_t CheckedBytes(size_t buffer_bytes, size_t end, size_t size) { return std::min(buffer_bytes, (end + 64) * size); }

const char* RoundingName(int r) { return r == kRoundOnnx ? "onnx" : r == kRoundPytorch ? "pytorch" : "tflite"; }

template <typename In, typename Out>
void RunQuantizeCase(const KernelTable& isa, Check& check, int rounding, const QuantizeParams& p, const In* x,
                     size_t n, Buffer& ref, Buffer& got, size_t out_offset, size_t offset_in) {
  const size_t bytes = CheckedBytes(ref.size(), out_offset + n, sizeof(Out));
  std::memset(ref.data(), 0xA5, bytes);
  std::memset(got.data(), 0xA5, bytes);
  Out* qr = reinterpret_cast<Out*>(ref.data()) + out_offset;
  Out* qg = reinterpret_cast<Out*>(got.data()) + out_offset;
  ScalarKernels().quantize[rounding][FloatIndex<In>()][QuantIndex<Out>()](x, qr, n, p);
  isa.quantize[rounding][FloatIndex<In>()][QuantIndex<Out>()](x, qg, n, p);
  ++check.cases;
  if (std::memcmp(ref.data(), got.data(), bytes) != 0) {
    size_t i = 0;
    const size_t total = bytes / sizeof(Out);
    const Out* r = reinterpret_cast<const Out*>(ref.data());
    const Out* g = reinterpret_cast<const Out*>(got.data());
    while (i < total && std::memcmp(r + i, g + i, sizeof(Out)) == 0) ++i;
    char buf[512];
    const long idx = static_cast<long>(i) - static_cast<long>(out_offset);
    std::string input = (idx >= 0 && static_cast<size_t>(idx) < n) ? Hex(&x[idx], sizeof(In)) : "(outside the array)";
    std::snprintf(buf, sizeof buf, "n=%zu in_offset=%zu out_offset=%zu %s index=%ld input(le hex)=%s ref=%d got=%d", n,
                  offset_in, out_offset, Describe(p).c_str(), idx, input.c_str(), static_cast<int>(r[i]),
                  static_cast<int>(g[i]));
    Report(check, buf);
  }
}

template <typename In, typename Out>
void TestQuantize(const KernelTable& isa, Inputs& gen, std::vector<Check>& checks, int rounding) {
  Check check{std::string(isa.isa) + " quantize " + RoundingName(rounding) + " " + TypeName<In>::value + "->" +
              TypeName<Out>::value};
  const std::vector<QuantizeParams> params = ParamsFor<Out>(gen);
  const size_t kLarge[] = {1000, 4099, 65536 + 13};
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 300; ++n) lengths.push_back(n);
  for (size_t n : kLarge) lengths.push_back(n);
  const size_t max_n = 65536 + 13 + 16;
  Buffer xin(max_n * sizeof(In));
  Buffer ref(max_n * sizeof(Out)), got(max_n * sizeof(Out));
  // One set of inputs per (parameters, length), placed at each offset in turn: drawing the
  // inputs is most of the test's time (under qemu especially), and the offsets are there for
  // the alignments, which a fresh draw does not add to.
  std::vector<In> draw(max_n);
  for (const QuantizeParams& p : params) {
    for (size_t n : lengths) {
      for (size_t i = 0; i < n; ++i) draw[i] = gen.Input<In>(p);
      for (size_t offset = 0; offset < 8; ++offset) {
        if (n > 300 && offset % 3 != 0) continue;
        In* x = reinterpret_cast<In*>(xin.data()) + offset;
        if (n != 0) std::memcpy(x, draw.data(), n * sizeof(In));
        // Output offset differs from the input's, so relative alignments vary too.
        const size_t out_offset = (offset * 5 + 3) % 8;
        RunQuantizeCase<In, Out>(isa, check, rounding, p, x, n, ref, got, out_offset, offset);
      }
    }
  }
  checks.push_back(check);
}

// ---------------------------------------------------------------------------------------
// Per-lane parameters (per-axis / blocked): element i of quantize_lanes must equal the
// scalar per-tensor quantize with (scale[i], zero_point[i]); the same for dequantize_lanes.

template <typename In, typename Out>
void TestLanes(const KernelTable& isa, Inputs& gen, std::vector<Check>& checks, int rounding) {
  Check check{std::string(isa.isa) + " lanes " + RoundingName(rounding) + " " + TypeName<In>::value + "<->" +
              TypeName<Out>::value};
  const std::vector<QuantizeParams> params = ParamsFor<Out>(gen);
  const size_t max_n = 1000 + 8;
  std::vector<In> xs(max_n);
  std::vector<float> s(max_n), lo(max_n), hi(max_n), back_ref(max_n), back_got(max_n);
  std::vector<int32_t> z(max_n);
  std::vector<Out> ref(max_n), got(max_n);
  for (size_t n = 0; n <= 1000; n = n < 80 ? n + 1 : n + 307) {
    for (size_t offset = 0; offset < 4; ++offset) {
      // One [qmin, qmax] per call (as per-axis calls have), scale and zero point per lane.
      const QuantizeParams& range = params[gen.Int(0, static_cast<int32_t>(params.size()) - 1)];
      for (size_t i = 0; i < n + offset; ++i) {
        QuantizeParams p = params[gen.Int(0, static_cast<int32_t>(params.size()) - 1)];
        p.qmin = range.qmin;
        p.qmax = range.qmax;
        p.zero_point = gen.Int(p.qmin, p.qmax);
        xs[i] = gen.Input<In>(p);
        s[i] = p.scale;
        z[i] = p.zero_point;
        lo[i] = static_cast<float>(p.qmin - p.zero_point);
        hi[i] = static_cast<float>(p.qmax - p.zero_point);
      }
      const LaneParams lp{s.data() + offset, z.data() + offset, lo.data() + offset, hi.data() + offset};
      for (size_t i = 0; i < n; ++i) {
        const QuantizeParams p{s[offset + i], z[offset + i], range.qmin, range.qmax};
        ScalarKernels().quantize[rounding][FloatIndex<In>()][QuantIndex<Out>()](xs.data() + offset + i, &ref[i], 1, p);
      }
      isa.quantize_lanes[rounding][FloatIndex<In>()][QuantIndex<Out>()](xs.data() + offset, got.data(), n, lp);
      ++check.cases;
      if (n != 0 && std::memcmp(ref.data(), got.data(), n * sizeof(Out)) != 0) {
        Report(check, "quantize_lanes n=" + std::to_string(n) + " offset=" + std::to_string(offset));
      }
      for (size_t i = 0; i < n; ++i) {
        ScalarKernels().dequantize[QuantIndex<Out>()](&ref[i], &back_ref[i], 1, s[offset + i], z[offset + i]);
      }
      isa.dequantize_lanes[QuantIndex<Out>()](ref.data(), back_got.data(), n, s.data() + offset, z.data() + offset);
      ++check.cases;
      if (n != 0 && std::memcmp(back_ref.data(), back_got.data(), n * sizeof(float)) != 0) {
        Report(check, "dequantize_lanes n=" + std::to_string(n) + " offset=" + std::to_string(offset));
      }
    }
  }
  checks.push_back(check);
}

// ---------------------------------------------------------------------------------------
// Dequantize

template <typename Q>
void TestDequantize(const KernelTable& isa, Inputs& gen, std::vector<Check>& checks) {
  Check check{std::string(isa.isa) + " dequantize " + TypeName<Q>::value + "->f32"};
  const int32_t tmin = std::numeric_limits<Q>::min();
  const int32_t tmax = std::numeric_limits<Q>::max();
  const int32_t zs[] = {tmin, tmax, 0, (tmin + tmax) / 2, gen.Int(tmin, tmax)};
  const float scales[] = {1.0f, 0.1f, 0.0078125f, 3.0e-5f, std::numeric_limits<float>::denorm_min(),
                          1e-40f, 1e35f, FLT_MAX,
                          static_cast<float>(std::ldexp(gen.Real(1.0, 2.0), gen.Int(-20, 10)))};
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 300; ++n) lengths.push_back(n);
  for (size_t n : {1000, 4099, 65536 + 13}) lengths.push_back(n);
  const size_t max_n = 65536 + 13 + 16;
  Buffer qin(max_n * sizeof(Q)), ref(max_n * sizeof(float)), got(max_n * sizeof(float));
  size_t k = 0;
  for (int32_t z : zs) {
    for (float s : scales) {
      if (k++ % 2 == 1) continue;  // half of the grid keeps the run short; every z and s still appears
      for (size_t n : lengths) {
        for (size_t offset = 0; offset < 8; ++offset) {
          if (n > 300 && offset % 3 != 0) continue;
          Q* q = reinterpret_cast<Q*>(qin.data()) + offset;
          for (size_t i = 0; i < n; ++i) q[i] = static_cast<Q>(gen.Int(tmin, tmax));
          const size_t out_offset = (offset * 3 + 1) % 8;
          const size_t bytes = CheckedBytes(ref.size(), out_offset + n, sizeof(float));
          std::memset(ref.data(), 0xA5, bytes);
          std::memset(got.data(), 0xA5, bytes);
          float* xr = reinterpret_cast<float*>(ref.data()) + out_offset;
          float* xg = reinterpret_cast<float*>(got.data()) + out_offset;
          ScalarKernels().dequantize[QuantIndex<Q>()](q, xr, n, s, z);
          isa.dequantize[QuantIndex<Q>()](q, xg, n, s, z);
          ++check.cases;
          if (std::memcmp(ref.data(), got.data(), bytes) != 0) {
            size_t i = 0;
            while (std::memcmp(ref.data() + 4 * i, got.data() + 4 * i, 4) == 0) ++i;
            char buf[256];
            const long idx = static_cast<long>(i) - static_cast<long>(out_offset);
            std::snprintf(buf, sizeof buf, "n=%zu offset=%zu scale=%.9g z=%d index=%ld q=%d ref=%08x got=%08x", n,
                          offset, s, z, idx, (idx >= 0 && static_cast<size_t>(idx) < n) ? static_cast<int>(q[idx]) : 0,
                          Bits(reinterpret_cast<float*>(ref.data())[i]), Bits(reinterpret_cast<float*>(got.data())[i]));
            Report(check, buf);
          }
        }
      }
    }
  }
  checks.push_back(check);
}

// ---------------------------------------------------------------------------------------
// MinMax

template <typename In>
void TestMinMax(const KernelTable& isa, Inputs& gen, std::vector<Check>& checks) {
  Check check{std::string(isa.isa) + " minmax " + TypeName<In>::value};
  const QuantizeParams p{0.01f, 0, -128, 127};
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 300; ++n) lengths.push_back(n);
  for (size_t n : {1000, 4099, 65536 + 13}) lengths.push_back(n);
  Buffer xin((65536 + 13 + 16) * sizeof(In));
  for (int mode = 0; mode < 7; ++mode) {
    for (size_t n : lengths) {
      for (size_t offset = 0; offset < 8; ++offset) {
        if (n > 300 && offset % 3 != 0) continue;
        In* x = reinterpret_cast<In*>(xin.data()) + offset;
        for (size_t i = 0; i < n; ++i) {
          In v;
          switch (mode) {
            case 0: v = gen.Input<In>(p); break;                                        // everything
            case 1: v = static_cast<In>(gen.Real(-1e3, 1e3)); break;                     // plain values
            case 2: v = gen.Int(0, 9) == 0 ? static_cast<In>(NAN) : static_cast<In>(gen.Real(-1, 1)); break;
            case 3: v = gen.Int(0, 19) == 0 ? static_cast<In>(gen.Real(-1, 1)) : static_cast<In>(NAN); break;
            case 4: v = gen.Int(0, 1) ? static_cast<In>(0.0) : static_cast<In>(-0.0); break;  // only zeros
            case 5: v = static_cast<In>(NAN); break;                                       // no value at all
            default:  // one extreme, somewhere (in the vector body or in the tail)
              v = static_cast<In>(gen.Real(-1, 1));
              break;
          }
          x[i] = v;
        }
        if (mode == 6 && n > 0) {
          x[gen.Int(0, static_cast<int>(n) - 1)] = static_cast<In>(gen.Int(0, 1) ? 1e9 : -1e9);
          x[gen.Int(0, static_cast<int>(n) - 1)] = static_cast<In>(gen.Int(0, 1) ? INFINITY : -INFINITY);
        }
        const MinMaxResult r = ScalarKernels().minmax[FloatIndex<In>()](x, n);
        const MinMaxResult g = isa.minmax[FloatIndex<In>()](x, n);
        ++check.cases;
        if (std::memcmp(&r, &g, sizeof r) != 0) {
          char buf[256];
          std::snprintf(buf, sizeof buf, "mode=%d n=%zu offset=%zu ref=(%g %08x, %g %08x) got=(%g %08x, %g %08x)", mode,
                        n, offset, r.min, Bits(r.min), r.max, Bits(r.max), g.min, Bits(g.min), g.max, Bits(g.max));
          Report(check, buf);
        }
      }
    }
  }
  checks.push_back(check);
}

// ---------------------------------------------------------------------------------------
// ggml blocks (kernels/ggml/ggml.h): every ISA's GgmlTable against the scalar one, byte for
// byte. Quantize takes finite blocks only (the glue refuses the others first); the scan for
// the first non-finite element and dequantize take anything.

// One 32-element block of a kind chosen at random: random magnitudes from subnormal to
// near FLT_MAX, near-ties of x · id (values around (k + ½) · amax / 127 and / 7 or / 15),
// all ±0 (signs at random), one value repeated, equal and opposite extremes (Q4_0's
// first-wins rule), a huge spread (Q4_1's max − min overflows), all subnormal (d subnormal:
// 1/d inexact or infinite).
template <typename In>
void GgmlBlock(Inputs& gen, In* x) {
  constexpr size_t B = ggml::kBlockSize;
  const int kind = gen.Int(0, 10);
  const float mag = std::ldexp(1.0f, gen.Int(-140, 126));
  switch (kind) {
    case 0:
      for (size_t j = 0; j < B; ++j) x[j] = static_cast<In>(static_cast<float>(gen.Real(-1.0, 1.0)) * mag);
      break;
    case 1: {  // near-ties for Q8_0, Q4_0 and Q4_1 codes
      const float amax = static_cast<float>(gen.Real(0.5, 1.0)) * mag;
      const float steps[] = {127.0f, 8.0f, 15.0f};
      const float step = amax / steps[gen.Int(0, 2)];
      for (size_t j = 0; j < B; ++j) {
        float v = (static_cast<float>(gen.Int(-16, 15)) + 0.5f) * step;
        const int nudge = gen.Int(0, 2);
        if (nudge == 1) v = std::nextafter(v, INFINITY);
        if (nudge == 2) v = std::nextafter(v, -INFINITY);
        x[j] = static_cast<In>(std::fabs(v) <= amax ? v : 0.0f);
      }
      x[gen.Int(0, B - 1)] = static_cast<In>(gen.Int(0, 1) ? amax : -amax);
      break;
    }
    case 2:
      for (size_t j = 0; j < B; ++j) x[j] = static_cast<In>(gen.Int(0, 1) ? 0.0f : -0.0f);
      break;
    case 3: {  // ±0 mixed with positives or with negatives only: the sign of Q4_1's min / max
      const float sign = gen.Int(0, 1) ? 1.0f : -1.0f;
      for (size_t j = 0; j < B; ++j) {
        x[j] = static_cast<In>(gen.Int(0, 2) == 0 ? (gen.Int(0, 1) ? 0.0f : -0.0f)
                                                   : sign * static_cast<float>(gen.Real(0.0, 1.0)) * mag);
      }
      break;
    }
    case 4: {
      const float v = static_cast<float>(gen.Real(-1.0, 1.0)) * mag;
      for (size_t j = 0; j < B; ++j) x[j] = static_cast<In>(v);
      break;
    }
    case 5: {  // +a and −a both present, several times, in random places
      const float a = static_cast<float>(gen.Real(0.5, 1.0)) * mag;
      for (size_t j = 0; j < B; ++j) x[j] = static_cast<In>(static_cast<float>(gen.Real(-1.0, 1.0)) * a * 0.5f);
      for (int r = gen.Int(2, 6); r > 0; --r) x[gen.Int(0, B - 1)] = static_cast<In>(gen.Int(0, 1) ? a : -a);
      break;
    }
    case 6: {  // huge: max − min can overflow to Inf
      for (size_t j = 0; j < B; ++j) {
        x[j] = static_cast<In>(static_cast<float>(gen.Real(-1.0, 1.0)) * FLT_MAX);
      }
      x[gen.Int(0, B - 1)] = static_cast<In>(FLT_MAX);
      x[gen.Int(0, B - 1)] = static_cast<In>(-FLT_MAX);
      break;
    }
    case 7:  // subnormal (and tiny normal) blocks
      for (size_t j = 0; j < B; ++j) {
        x[j] = static_cast<In>(FromBits(static_cast<uint32_t>(gen.U64()) & (gen.Int(0, 3) ? 0x807fffffu : 0x80ffffffu)));
      }
      break;
    case 8:  // a single non-zero value among zeros
      for (size_t j = 0; j < B; ++j) x[j] = static_cast<In>(0.0f);
      x[gen.Int(0, B - 1)] = static_cast<In>(static_cast<float>(gen.Real(-1.0, 1.0)) * mag);
      break;
    case 9: {  // the quantize test's own inputs (ties, specials, bit patterns), finite ones only
      const QuantizeParams p{static_cast<float>(gen.Real(0.5, 2.0)) * std::ldexp(1.0f, gen.Int(-30, 30)), 0, -128, 127};
      for (size_t j = 0; j < B; ++j) {
        const In v = gen.Input<In>(p);
        x[j] = std::fabs(static_cast<float>(v)) <= FLT_MAX ? v : static_cast<In>(0.0f);
      }
      break;
    }
    default:  // float64 values that round to float32 ties (or overflow past FLT_MAX: replaced)
      for (size_t j = 0; j < B; ++j) {
        const QuantizeParams p{1.0f, 0, -128, 127};
        const In v = gen.Input<In>(p);
        x[j] = std::fabs(static_cast<float>(v)) <= FLT_MAX ? v : static_cast<In>(static_cast<float>(gen.Real(-1, 1)) * mag);
      }
      break;
  }
}

// One k-quant super-block (256 values): usually 8 blocks of GgmlBlock's kinds, else one
// kind for all of it: all ±0 or one constant (flat sub-blocks, all-zero scales), small
// integers times a power of two (exact ties in nearest_int, equal errors between trials),
// a smooth row with a few outliers, a random row of one sign, one sub-block repeated
// (equal lanes), huge values.
template <typename In>
void GgmlSuperBlock(Inputs& gen, In* x) {
  constexpr size_t N = ggml::kSuperBlockSize;
  const float mag = std::ldexp(1.0f, gen.Int(-140, 126));
  switch (gen.Int(0, 11)) {
    case 0:
      for (size_t j = 0; j < N; ++j) x[j] = static_cast<In>(gen.Int(0, 1) ? 0.0f : -0.0f);
      break;
    case 1: {
      const float v = static_cast<float>(gen.Real(-1.0, 1.0)) * mag;
      for (size_t j = 0; j < N; ++j) x[j] = static_cast<In>(v);
      break;
    }
    case 2: {
      const float unit = std::ldexp(1.0f, gen.Int(-30, 30));
      const int span = gen.Int(1, 40);
      for (size_t j = 0; j < N; ++j) x[j] = static_cast<In>(static_cast<float>(gen.Int(-span, span)) * unit);
      break;
    }
    case 3: {
      const float scale = static_cast<float>(gen.Real(0.001, 0.1));
      for (size_t j = 0; j < N; ++j) x[j] = static_cast<In>(static_cast<float>(std::sin(0.1 * static_cast<double>(j))) * scale);
      for (int r = gen.Int(1, 4); r > 0; --r) x[gen.Int(0, N - 1)] = static_cast<In>(static_cast<float>(gen.Real(-100.0, 100.0)) * scale);
      break;
    }
    case 4: {
      const float sign = gen.Int(0, 1) ? 1.0f : -1.0f;
      for (size_t j = 0; j < N; ++j) x[j] = static_cast<In>(sign * static_cast<float>(gen.Real(0.0, 1.0)) * mag);
      break;
    }
    case 5: {
      const size_t sub = gen.Int(0, 1) ? 16 : 32;
      GgmlBlock(gen, x);
      for (size_t j = sub; j < N; ++j) x[j] = x[j % sub];
      break;
    }
    case 6:
      for (size_t j = 0; j < N; ++j) x[j] = static_cast<In>(static_cast<float>(gen.Real(-1.0, 1.0)) * FLT_MAX);
      break;
    default:
      for (size_t b = 0; b < N / ggml::kBlockSize; ++b) GgmlBlock(gen, x + b * ggml::kBlockSize);
      break;
  }
}

// `blocks` blocks of `type` at x.
template <typename In>
void GgmlRow(Inputs& gen, int type, size_t blocks, In* x) {
  if (ggml::IsKQuant(type)) {
    for (size_t b = 0; b < blocks; ++b) GgmlSuperBlock(gen, x + b * ggml::kSuperBlockSize);
  } else {
    for (size_t b = 0; b < blocks; ++b) GgmlBlock(gen, x + b * ggml::kBlockSize);
  }
}

const char* const kGgmlNames[ggml::kBlockTypeCount] = {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k", "q5_k", "q6_k"};

// Which kernels a table takes from the scalar reference of ggml_kquants.cc: dequantize of
// Q5_0 and up at every level; quantize of Q5_0 and up only where the ISA has no kernels for
// them (neon). The SIMD ones must not be the scalar function, or the byte comparisons below
// would hold trivially.
bool HasGgmlQ5AndKQuantKernels(const std::string& isa) {
  return isa == "sse2" || isa == "avx2" || isa == "avx512" || isa == "simd128";
}

void TestGgmlScalarOnly(const ggml::GgmlTable& isa, std::vector<Check>& checks) {
  const bool simd = HasGgmlQ5AndKQuantKernels(isa.isa);
  Check check{std::string(isa.isa) + " ggml q5_0..q6_k: " + (simd ? "own quantize, scalar dequantize" : "scalar kernels")};
  for (int type = ggml::kQ5_0; type < ggml::kBlockTypeCount; ++type) {
    ++check.cases;
    if (isa.dequantize[type] != ScalarGgml().dequantize[type]) Report(check, std::string(kGgmlNames[type]) + " dequantize is not the scalar kernel");
    for (int f = 0; f < kFloatTypeCount; ++f) {
      const bool same = isa.quantize[f][type] == ScalarGgml().quantize[f][type];
      if (same == simd) {
        Report(check, std::string(kGgmlNames[type]) + " quantize " + (simd ? "is" : "is not") + " the scalar kernel");
      }
    }
  }
  checks.push_back(check);
}

template <typename In>
void TestGgmlQuantize(const ggml::GgmlTable& isa, Inputs& gen, std::vector<Check>& checks) {
  for (int type = 0; type < ggml::kBlockTypeCount; ++type) {
    Check check{std::string(isa.isa) + " ggml quantize " + TypeName<In>::value + "->" + kGgmlNames[type]};
    const size_t bytes = ggml::BlockBytes(type), elements = ggml::BlockElements(type);
    // A k-quant super-block is 8 of the 32-element blocks below (and costs ~30 times more).
    const int rounds = ggml::IsKQuant(type) ? 300 : 3000;
    for (int round = 0; round < rounds; ++round) {
      const size_t blocks = round % 10 == 0 ? static_cast<size_t>(gen.Int(20, 70)) / (elements / ggml::kBlockSize) + 1
                                            : static_cast<size_t>(gen.Int(0, 4));
      const size_t xoff = static_cast<size_t>(gen.Int(0, 3)), qoff = static_cast<size_t>(gen.Int(0, 3));
      Buffer xs((blocks * elements + 8) * sizeof(In)), ra(blocks * bytes + 16), ga(blocks * bytes + 16);
      In* x = reinterpret_cast<In*>(xs.data()) + xoff;
      GgmlRow(gen, type, blocks, x);
      std::memset(ra.data(), 0xA5, ra.size());
      std::memset(ga.data(), 0xA5, ga.size());
      ScalarGgml().quantize[FloatIndex<In>()][type](x, blocks, ra.data() + qoff);
      isa.quantize[FloatIndex<In>()][type](x, blocks, ga.data() + qoff);
      ++check.cases;
      if (std::memcmp(ra.data(), ga.data(), ra.size()) != 0) {
        size_t i = 0;
        while (ra.data()[i] == ga.data()[i]) ++i;
        const size_t b = (i - qoff) / bytes;
        char buf[160];
        std::snprintf(buf, sizeof buf, "blocks=%zu, block %zu byte %zu: ref %02x got %02x; block input ", blocks, b,
                      (i - qoff) % bytes, ra.data()[i], ga.data()[i]);
        Report(check, buf + Hex(x + b * elements, elements * sizeof(In)));
      }
    }
    checks.push_back(check);
  }
}

void TestGgmlDequantize(const ggml::GgmlTable& isa, Inputs& gen, std::vector<Check>& checks) {
  // fp16 fields: any bits, or the edges (±0, subnormal, largest, Inf, NaNs).
  static const uint16_t kHalves[] = {0x0000, 0x8000, 0x0001, 0x83ff, 0x0400, 0x7bff, 0xfbff,
                                     0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfe01, 0x3c00, 0xbc00};
  for (int type = 0; type < ggml::kBlockTypeCount; ++type) {
    Check check{std::string(isa.isa) + " ggml dequantize " + kGgmlNames[type]};
    const size_t bytes = ggml::BlockBytes(type), elements = ggml::BlockElements(type);
    // The fp16 fields: d (and m, or dmin) at the front, Q6_K's d at its end.
    const size_t fields = type == ggml::kQ4_1 || type == ggml::kQ5_1 || type == ggml::kQ4_K || type == ggml::kQ5_K ? 2 : 1;
    const size_t field_at = type == ggml::kQ6_K ? 208 : 0;
    for (int round = 0; round < 3000; ++round) {
      const size_t blocks = round % 10 == 0 ? static_cast<size_t>(gen.Int(20, 70)) : static_cast<size_t>(gen.Int(0, 4));
      const size_t qoff = static_cast<size_t>(gen.Int(0, 3)), xoff = static_cast<size_t>(gen.Int(0, 3));
      Buffer qs(blocks * bytes + 8), ra((blocks * elements + 8) * 4), ga((blocks * elements + 8) * 4);
      uint8_t* q = qs.data() + qoff;
      for (size_t i = 0; i < blocks * bytes; ++i) q[i] = static_cast<uint8_t>(gen.U64());
      for (size_t b = 0; b < blocks; ++b) {
        for (size_t field = 0; field < fields; ++field) {
          if (gen.Int(0, 1)) {
            const uint16_t h = kHalves[gen.Int(0, sizeof kHalves / sizeof kHalves[0] - 1)];
            q[b * bytes + field_at + 2 * field] = static_cast<uint8_t>(h & 0xff);
            q[b * bytes + field_at + 2 * field + 1] = static_cast<uint8_t>(h >> 8);
          }
        }
      }
      std::memset(ra.data(), 0xA5, ra.size());
      std::memset(ga.data(), 0xA5, ga.size());
      ScalarGgml().dequantize[type](q, blocks, reinterpret_cast<float*>(ra.data()) + xoff);
      isa.dequantize[type](q, blocks, reinterpret_cast<float*>(ga.data()) + xoff);
      ++check.cases;
      if (std::memcmp(ra.data(), ga.data(), ra.size()) != 0) {
        size_t i = 0;
        while (ra.data()[i] == ga.data()[i]) ++i;
        Report(check, "blocks=" + std::to_string(blocks) + " first differing byte " + std::to_string(i));
      }
    }
    checks.push_back(check);
  }
}

// ---------------------------------------------------------------------------------------
// float16 / bfloat16 conversions: a level's table against the scalar one, bit for bit.

// Runs one conversion of n elements at element offset `off` through both tables into
// A5-filled buffers with 8 spare elements, so a store past the end shows as a difference.
template <typename In, typename Out, typename Fn>
void CompareConvert(Check& check, Fn ref, Fn got, const In* x, size_t n) {
  std::vector<Out> a(n + 8), b(n + 8);
  std::memset(a.data(), 0xA5, a.size() * sizeof(Out));
  std::memset(b.data(), 0xA5, b.size() * sizeof(Out));
  ref(x, a.data(), n);
  got(x, b.data(), n);
  ++check.cases;
  if (std::memcmp(a.data(), b.data(), a.size() * sizeof(Out)) != 0) {
    size_t i = 0;
    while (std::memcmp(&a[i], &b[i], sizeof(Out)) == 0) ++i;
    Report(check, "n=" + std::to_string(n) + " element " + std::to_string(i) + ": input " + Hex(&x[i < n ? i : 0], sizeof(In)) +
                      " scalar " + Hex(&a[i], sizeof(Out)) + " got " + Hex(&b[i], sizeof(Out)));
  }
}

void TestConvert(const ConvertTable& isa, Inputs& gen, std::vector<Check>& checks) {
  const ConvertTable& ref = ScalarConvert();
  Check check{std::string(isa.isa) + " float16/bfloat16 conversions"};
  // 16 bits -> float32: every pattern, then short odd lengths for the tails.
  std::vector<uint16_t> all(65536);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  const FromHalfFn from[2][2] = {{ref.from_f16, isa.from_f16}, {ref.from_bf16, isa.from_bf16}};
  for (const auto& pair : from) {
    CompareConvert<uint16_t, float>(check, pair[0], pair[1], all.data(), all.size());
    for (int round = 0; round < 200; ++round) {
      const size_t off = static_cast<size_t>(gen.Int(0, 65000)), n = static_cast<size_t>(gen.Int(0, 40));
      CompareConvert<uint16_t, float>(check, pair[0], pair[1], all.data() + off, n);
    }
  }
  // float32 -> 16 bits: a strided sweep over every exponent and sign, the patterns next to
  // each float16 / bfloat16 rounding boundary, and random bits; float64 inputs near float32 ties.
  std::vector<float> xs;
  for (uint64_t b = 0; b <= 0xffffffffu; b += 65521) xs.push_back(FromBits(static_cast<uint32_t>(b)));
  for (uint32_t h = 0; h < 65536; ++h) {
    // The float32 midway between float16 h and its upper neighbour when h is normal (for
    // the rest of the pattern range, values in float16's overflow region), and the midway
    // point of bfloat16 h.
    const uint32_t f16tie = ((h & 0x8000u) << 16) | ((((h & 0x7fffu) << 13) + (112u << 23)) | 0x1000u);
    const uint32_t bf16tie = (h << 16) | 0x8000u;
    for (int d = -1; d <= 1; ++d) {
      xs.push_back(FromBits(f16tie + static_cast<uint32_t>(d)));
      xs.push_back(FromBits(bf16tie + static_cast<uint32_t>(d)));
    }
  }
  for (int i = 0; i < 100000; ++i) xs.push_back(FromBits(static_cast<uint32_t>(gen.U64())));
  const ToHalfFn to[2][2] = {{ref.to_f16[kF32], isa.to_f16[kF32]}, {ref.to_bf16[kF32], isa.to_bf16[kF32]}};
  std::vector<double> ds(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    // A double one half-ulp (of float32) away from a float32, or exactly on the midpoint.
    const double v = xs[i], next = std::nextafter(xs[i], INFINITY);
    ds[i] = gen.Int(0, 2) == 0 ? v : v + (next - v) * (gen.Int(0, 1) ? 0.5 : 0.4999999);
  }
  const ToHalfFn to64[2][2] = {{ref.to_f16[kF64], isa.to_f16[kF64]}, {ref.to_bf16[kF64], isa.to_bf16[kF64]}};
  for (int k = 0; k < 2; ++k) {
    CompareConvert<float, uint16_t>(check, to[k][0], to[k][1], xs.data(), xs.size());
    CompareConvert<double, uint16_t>(check, to64[k][0], to64[k][1], ds.data(), ds.size());
    for (int round = 0; round < 200; ++round) {
      const size_t off = static_cast<size_t>(gen.Int(0, 1000)), n = static_cast<size_t>(gen.Int(0, 40));
      CompareConvert<float, uint16_t>(check, to[k][0], to[k][1], xs.data() + off, n);
      CompareConvert<double, uint16_t>(check, to64[k][0], to64[k][1], ds.data() + off, n);
    }
  }
  checks.push_back(check);
}

template <typename In>
void TestGgmlScan(const ggml::GgmlTable& isa, Inputs& gen, std::vector<Check>& checks) {
  Check check{std::string(isa.isa) + " ggml first non-finite " + TypeName<In>::value};
  const QuantizeParams p{0.01f, 0, -128, 127};
  for (int round = 0; round < 3000; ++round) {
    const size_t n = static_cast<size_t>(gen.Int(0, round % 10 == 0 ? 2000 : 300));
    const size_t off = static_cast<size_t>(gen.Int(0, 3));
    Buffer xs((n + 8) * sizeof(In));
    In* x = reinterpret_cast<In*>(xs.data()) + off;
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<In>(static_cast<float>(gen.Real(-1e30, 1e30)));
    // None, one or several bad elements (any value of the edge generator, which holds NaN
    // payloads, ±Inf and float64 values beyond the float32 range), or an edge anywhere.
    for (int bad = gen.Int(0, 3); bad > 0 && n > 0; --bad) x[gen.Int(0, static_cast<int>(n) - 1)] = gen.Input<In>(p);
    const size_t r = ScalarGgml().first_non_finite[FloatIndex<In>()](x, n);
    const size_t g = isa.first_non_finite[FloatIndex<In>()](x, n);
    ++check.cases;
    if (r != g) Report(check, "n=" + std::to_string(n) + " ref " + std::to_string(r) + " got " + std::to_string(g));
  }
  checks.push_back(check);
}

// ---------------------------------------------------------------------------------------
// Guard pages: arrays that end exactly where an inaccessible page begins, so a kernel
// that reads or writes even one element past n crashes instead of passing by luck.

#if defined(QUANTKIT_HAVE_GUARD_PAGES)
// Which of a test's regions is the one that reads must not pass (the kernel's input). With
// real guard pages every region is guarded both ways and this changes nothing.
enum class GuardReads { kNo, kYes };

#if defined(__EMSCRIPTEN__)
// WebAssembly: one region at a time can end where linear memory ends, so that a read or
// write past it traps; that is the input region (GuardReads::kYes; a test has one alive at a
// time). Every other region is followed by canary bytes, checked when it is destroyed: a
// write past its end aborts the test as a guard page would have. The top of memory is taken
// with sbrk, so that malloc never hands out the bytes of the region; if malloc grows the
// memory later, EndingAt moves the region to the new end (callers fill an array after
// EndingAt). The memory taken is kept and reused, never returned.
class GuardedRegion {
 public:
  explicit GuardedRegion(size_t bytes, GuardReads reads = GuardReads::kNo)
      : usable_((bytes + 15) / 16 * 16), top_(reads == GuardReads::kYes) {
    if (!top_) {
      storage_.assign(usable_ + kCanaryBytes, kCanary);
      base_ = storage_.data();
    }
  }
  ~GuardedRegion() {
    if (top_) return;
    for (size_t i = usable_; i < usable_ + kCanaryBytes; ++i) {
      if (storage_[i] != kCanary) {
        std::printf("\nwrite past the end of an array (canary byte %zu changed)\n", i - usable_);
        std::fflush(stdout);
        std::abort();
      }
    }
  }
  GuardedRegion(const GuardedRegion&) = delete;
  GuardedRegion& operator=(const GuardedRegion&) = delete;
  // Start of an array of `bytes` bytes that ends at the guard (the end of memory, or the canary).
  unsigned char* EndingAt(size_t bytes) {
    if (top_) base_ = TopOfMemory(usable_);
    return base_ + usable_ - bytes;
  }

 private:
  static constexpr size_t kCanaryBytes = 64;
  static constexpr unsigned char kCanary = 0xA5;
  static uintptr_t MemoryEnd() { return static_cast<uintptr_t>(__builtin_wasm_memory_size(0)) * 65536; }
  // `bytes` bytes that end at the end of linear memory, owned by this program.
  static unsigned char* TopOfMemory(size_t bytes) {
    static uintptr_t taken_begin = 0, taken_end = 0;  // [begin, end) taken from sbrk earlier
    if (taken_end != MemoryEnd() || taken_end - taken_begin < bytes) {
      uintptr_t brk = reinterpret_cast<uintptr_t>(sbrk(0));
      if (MemoryEnd() - brk < bytes) {
        if (sbrk(static_cast<intptr_t>(bytes)) == reinterpret_cast<void*>(-1)) {
          std::perror("sbrk");
          std::exit(2);
        }
        brk = reinterpret_cast<uintptr_t>(sbrk(0));
      }
      // Everything up to the end of memory, so that the next sbrk has to grow it.
      const uintptr_t end = MemoryEnd();
      if (sbrk(static_cast<intptr_t>(end - brk)) == reinterpret_cast<void*>(-1)) {
        std::perror("sbrk");
        std::exit(2);
      }
      taken_begin = brk;
      taken_end = end;
    }
    return reinterpret_cast<unsigned char*>(taken_end - bytes);
  }

  size_t usable_;
  bool top_;
  std::vector<unsigned char> storage_;
  unsigned char* base_ = nullptr;
};
#else
class GuardedRegion {
 public:
  explicit GuardedRegion(size_t bytes, GuardReads = GuardReads::kNo) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    usable_ = (bytes + page_ - 1) / page_ * page_;
    void* m = mmap(nullptr, usable_ + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      std::perror("mmap");
      std::exit(2);
    }
    base_ = static_cast<unsigned char*>(m);
    if (mprotect(base_ + usable_, page_, PROT_NONE) != 0) {
      std::perror("mprotect");
      std::exit(2);
    }
  }
  ~GuardedRegion() { munmap(base_, usable_ + page_); }
  GuardedRegion(const GuardedRegion&) = delete;
  GuardedRegion& operator=(const GuardedRegion&) = delete;
  // Start of an array of `bytes` bytes that ends at the guard page.
  unsigned char* EndingAt(size_t bytes) { return base_ + usable_ - bytes; }

 private:
  unsigned char* base_;
  size_t page_, usable_;
};
#endif

template <typename In, typename Out>
void GuardedQuantize(const KernelTable& isa, Inputs& gen, Check& check) {
  GuardedRegion xs(4096 * sizeof(In), GuardReads::kYes), qr(4096 * sizeof(Out)), qg(4096 * sizeof(Out));
  const QuantizeParams p = ParamsFor<Out>(gen).front();
  for (size_t n = 0; n <= 300; ++n) {
    In* x = reinterpret_cast<In*>(xs.EndingAt(n * sizeof(In)));
    for (size_t i = 0; i < n; ++i) x[i] = gen.Input<In>(p);
    Out* r = reinterpret_cast<Out*>(qr.EndingAt(n * sizeof(Out)));
    Out* g = reinterpret_cast<Out*>(qg.EndingAt(n * sizeof(Out)));
    for (int rounding = 0; rounding < kRoundingCount; ++rounding) {
      ScalarKernels().quantize[rounding][FloatIndex<In>()][QuantIndex<Out>()](x, r, n, p);
      isa.quantize[rounding][FloatIndex<In>()][QuantIndex<Out>()](x, g, n, p);
      ++check.cases;
      if (std::memcmp(r, g, n * sizeof(Out)) != 0) {
        Report(check, std::string("guarded quantize ") + RoundingName(rounding) + " n=" + std::to_string(n));
      }
    }
  }
}

template <typename Q>
void GuardedDequantize(const KernelTable& isa, Inputs& gen, Check& check) {
  GuardedRegion qs(4096 * sizeof(Q), GuardReads::kYes), xr(4096 * sizeof(float)), xg(4096 * sizeof(float));
  for (size_t n = 0; n <= 300; ++n) {
    Q* q = reinterpret_cast<Q*>(qs.EndingAt(n * sizeof(Q)));
    for (size_t i = 0; i < n; ++i) {
      q[i] = static_cast<Q>(gen.Int(std::numeric_limits<Q>::min(), std::numeric_limits<Q>::max()));
    }
    float* r = reinterpret_cast<float*>(xr.EndingAt(n * sizeof(float)));
    float* g = reinterpret_cast<float*>(xg.EndingAt(n * sizeof(float)));
    ScalarKernels().dequantize[QuantIndex<Q>()](q, r, n, 0.37f, 3);
    isa.dequantize[QuantIndex<Q>()](q, g, n, 0.37f, 3);
    ++check.cases;
    if (std::memcmp(r, g, n * sizeof(float)) != 0) Report(check, "guarded dequantize n=" + std::to_string(n));
  }
}

template <typename In>
void GuardedMinMax(const KernelTable& isa, Inputs& gen, Check& check) {
  GuardedRegion xs(4096 * sizeof(In), GuardReads::kYes);
  const QuantizeParams p{0.01f, 0, -128, 127};
  for (size_t n = 0; n <= 300; ++n) {
    In* x = reinterpret_cast<In*>(xs.EndingAt(n * sizeof(In)));
    for (size_t i = 0; i < n; ++i) x[i] = gen.Input<In>(p);
    const MinMaxResult r = ScalarKernels().minmax[FloatIndex<In>()](x, n);
    const MinMaxResult g = isa.minmax[FloatIndex<In>()](x, n);
    ++check.cases;
    if (std::memcmp(&r, &g, sizeof r) != 0) Report(check, "guarded minmax n=" + std::to_string(n));
  }
}

void TestGuarded(const KernelTable& isa, Inputs& gen, std::vector<Check>& checks) {
  Check check{std::string(isa.isa) + " guard pages (all types)"};
  GuardedQuantize<float, uint8_t>(isa, gen, check);
  GuardedQuantize<float, int8_t>(isa, gen, check);
  GuardedQuantize<float, uint16_t>(isa, gen, check);
  GuardedQuantize<float, int16_t>(isa, gen, check);
  GuardedQuantize<double, uint8_t>(isa, gen, check);
  GuardedQuantize<double, int8_t>(isa, gen, check);
  GuardedQuantize<double, uint16_t>(isa, gen, check);
  GuardedQuantize<double, int16_t>(isa, gen, check);
  GuardedDequantize<uint8_t>(isa, gen, check);
  GuardedDequantize<int8_t>(isa, gen, check);
  GuardedDequantize<uint16_t>(isa, gen, check);
  GuardedDequantize<int16_t>(isa, gen, check);
  GuardedMinMax<float>(isa, gen, check);
  GuardedMinMax<double>(isa, gen, check);
  checks.push_back(check);
}

// ggml blocks against the guard page: every whole-block count up to a few (so that the
// AVX-512 k-quants' pairs of super-blocks end on a single one), input and output both
// ending at the page.
template <typename In>
void GuardedGgml(const ggml::GgmlTable& isa, Inputs& gen, Check& check) {
  GuardedRegion xs(2048 * sizeof(In), GuardReads::kYes), qr(2048), qg(2048), yr(2048 * sizeof(float)), yg(2048 * sizeof(float));
  for (int type = 0; type < ggml::kBlockTypeCount; ++type) {
    const size_t bytes = ggml::BlockBytes(type), elements = ggml::BlockElements(type);
    const size_t most = ggml::IsKQuant(type) ? 5 : 40;
    for (size_t blocks = 0; blocks <= most; ++blocks) {
      const size_t n = blocks * elements;
      In* x = reinterpret_cast<In*>(xs.EndingAt(n * sizeof(In)));
      GgmlRow(gen, type, blocks, x);
      uint8_t* r = qr.EndingAt(blocks * bytes);
      uint8_t* g = qg.EndingAt(blocks * bytes);
      ScalarGgml().quantize[FloatIndex<In>()][type](x, blocks, r);
      isa.quantize[FloatIndex<In>()][type](x, blocks, g);
      ++check.cases;
      if (std::memcmp(r, g, blocks * bytes) != 0) {
        Report(check, std::string("guarded ggml quantize ") + TypeName<In>::value + "->" + kGgmlNames[type] + " blocks=" + std::to_string(blocks));
      }
      float* a = reinterpret_cast<float*>(yr.EndingAt(n * sizeof(float)));
      float* c = reinterpret_cast<float*>(yg.EndingAt(n * sizeof(float)));
      ScalarGgml().dequantize[type](r, blocks, a);
      isa.dequantize[type](r, blocks, c);
      ++check.cases;
      if (std::memcmp(a, c, n * sizeof(float)) != 0) {
        Report(check, std::string("guarded ggml dequantize ") + kGgmlNames[type] + " blocks=" + std::to_string(blocks));
      }
    }
  }
}

void TestGgmlGuarded(const ggml::GgmlTable& isa, Inputs& gen, std::vector<Check>& checks) {
  Check check{std::string(isa.isa) + " ggml guard pages (all types)"};
  GuardedGgml<float>(isa, gen, check);
  GuardedGgml<double>(isa, gen, check);
  checks.push_back(check);
}
#endif

// ---------------------------------------------------------------------------------------
// float8 quantize (float8.h): every ISA's row against the scalar row, bit for bit.

struct Float8Case {
  int format;
  bool saturate;
  float scale;
};

std::string Describe(const Float8Case& c) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s saturate=%d scale=%a", c.format == kE4M3FN ? "e4m3fn" : "e5m2", c.saturate ? 1 : 0,
                c.scale);
  return buf;
}

std::vector<Float8Case> Float8Cases() {
  std::vector<Float8Case> cases;
  for (int format = 0; format < kFloat8FormatCount; ++format) {
    for (const bool saturate : {true, false}) {
      for (const float scale : {1.0f, 0.75f, 3.7e-3f, 1234.5f, 1e-30f, 1e30f}) cases.push_back({format, saturate, scale});
    }
  }
  return cases;
}

template <typename In>
void CompareFloat8(const Float8Kernels& isa, Check& check, const Float8Case& c, const In* x, size_t n, uint8_t* r,
                   uint8_t* g) {
  ScalarFloat8().quantize[FloatIndex<In>()](x, r, n, c.format, c.saturate, c.scale);
  isa.quantize[FloatIndex<In>()](x, g, n, c.format, c.saturate, c.scale);
  ++check.cases;
  if (std::memcmp(r, g, n) != 0) {
    size_t i = 0;
    while (r[i] == g[i]) ++i;
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s %s input=%a ref=0x%02x got=0x%02x (n=%zu, i=%zu)", Describe(c).c_str(),
                  TypeName<In>::value, static_cast<double>(x[i]), r[i], g[i], n, i);
    Report(check, buf);
  }
}

// Float32 patterns swept with a stride (every pattern with --exhaustive), then float64
// inputs near float32 rounding boundaries, at odd lengths and offsets.
void TestFloat8(const Float8Kernels& isa, Inputs& gen, bool exhaustive, std::vector<Check>& checks) {
  Check check{std::string(isa.isa) + " float8 quantize" + (exhaustive ? ", all 2^32 f32 inputs" : "")};
  constexpr size_t kChunk = 1 << 16;
  std::vector<float> x(kChunk);
  std::vector<double> xd(kChunk);
  std::vector<uint8_t> r(kChunk + 8), g(kChunk + 8);
  const uint64_t stride = exhaustive ? 1 : 1031;
  for (const Float8Case& c : Float8Cases()) {
    // Every pattern of each format and saturate mode at scale 1 (x / 1 is x), when asked.
    if (exhaustive && c.scale != 1.0f) continue;
    uint64_t b = exhaustive ? 0 : static_cast<uint64_t>(gen.Int(0, 1030));
    while (b < (1ull << 32)) {
      size_t n = 0;
      for (; n < kChunk && b < (1ull << 32); ++n, b += stride) x[n] = FromBits(static_cast<uint32_t>(b));
      CompareFloat8(isa, check, c, x.data(), n, r.data(), g.data());
    }
    for (size_t k = 0; k < 64; ++k) {
      const size_t n = static_cast<size_t>(gen.Int(0, 200));
      const size_t off = static_cast<size_t>(gen.Int(0, 7));
      for (size_t i = 0; i < n + off; ++i) {
        const float f = FromBits(static_cast<uint32_t>(gen.Int(0, 0x7fffffff)) | (gen.Int(0, 1) ? 0x80000000u : 0u));
        // A double halfway between two float32s (or near it) tests the rounding on load.
        xd[i] = static_cast<double>(f) * (1.0 + std::ldexp(static_cast<double>(gen.Int(-2, 2)), -25));
        x[i] = f;
      }
      CompareFloat8(isa, check, c, xd.data() + off, n, r.data() + off, g.data() + off);
      CompareFloat8(isa, check, c, x.data() + off, n, r.data() + off, g.data() + off);
    }
  }
#if defined(QUANTKIT_HAVE_GUARD_PAGES)
  // Arrays that end at an inaccessible page: a read or write past n crashes.
  GuardedRegion xs(4096 * sizeof(double), GuardReads::kYes), qr(4096), qg(4096);
  const Float8Case c{kE5M2, false, 0.5f};
  for (size_t n = 0; n <= 300; ++n) {
    float* xf = reinterpret_cast<float*>(xs.EndingAt(n * sizeof(float)));
    for (size_t i = 0; i < n; ++i) xf[i] = FromBits(static_cast<uint32_t>(gen.Int(0, 0x7fffffff)));
    CompareFloat8(isa, check, c, xf, n, qr.EndingAt(n), qg.EndingAt(n));
    double* xv = reinterpret_cast<double*>(xs.EndingAt(n * sizeof(double)));
    for (size_t i = 0; i < n; ++i) xv[i] = static_cast<double>(gen.Int(-70000, 70000)) / 7.0;
    CompareFloat8(isa, check, c, xv, n, qr.EndingAt(n), qg.EndingAt(n));
  }
#endif
  checks.push_back(check);
}

// ---------------------------------------------------------------------------------------
// Calibration kernels (kernels/calibrate/calibrate.h) against the scalar row: the histogram's
// bins and range bit for bit; the error-statistics block's count and special flag exactly,
// its sums to 1e-13 relative (SIMD lanes add in another order) and its max |e| exactly.

float CalibrateValue(Inputs& gen, bool specials) {
  const int kind = gen.Int(0, 99);
  if (specials && kind < 3) {
    static const float kSpecial[] = {NAN, -NAN, INFINITY, -INFINITY};
    return kSpecial[gen.Int(0, 3)];
  }
  if (kind < 10) return 0.0f;
  if (kind < 15) return static_cast<float>(gen.Real(-1, 1)) * static_cast<float>(std::ldexp(1.0, gen.Int(-140, 120)));
  return static_cast<float>(gen.Real(-8, 8));
}

void ComparePairBlock(const calibrate::CalibrateKernels& isa, Check& check, const float* x, const float* y, size_t n) {
  calibrate::BlockSums r{}, g{};
  calibrate::ScalarCalibrate().pair_block(x, y, n, &r);
  isa.pair_block(x, y, n, &g);
  ++check.cases;
  if (r.special != g.special) return Report(check, "special flag differs, n " + std::to_string(n));
  if (r.special) return;
  if (r.count != g.count) return Report(check, "count " + std::to_string(g.count) + " vs " + std::to_string(r.count));
  for (int k = 0; k < calibrate::kSums; ++k) {
    if (!(std::fabs(g.sum[k] - r.sum[k]) <= 1e-13 * std::fabs(r.sum[k]) + 1e-300)) {
      return Report(check, "sum " + std::to_string(k) + ": " + std::to_string(g.sum[k]) + " vs " + std::to_string(r.sum[k]));
    }
  }
  if (g.max_abs != r.max_abs) {
    Report(check, "max_abs " + std::to_string(g.max_abs) + " vs " + std::to_string(r.max_abs));
  }
}

template <typename In>
void CompareHistogram(const calibrate::CalibrateKernels& isa, Check& check, const In* x, size_t n, float lo, float inv, uint32_t nbins) {
  std::vector<uint32_t> r(4 * nbins, 0), g(4 * nbins, 0);
  float rr[2], gr[2];
  calibrate::ScalarCalibrate().histogram[FloatIndex<In>()](x, n, lo, inv, r.data(), nbins, rr);
  isa.histogram[FloatIndex<In>()](x, n, lo, inv, g.data(), nbins, gr);
  ++check.cases;
  // The four copies may be filled in another order: compare their sums per bin.
  for (uint32_t k = 0; k < nbins; ++k) {
    const uint64_t a = uint64_t{r[4 * k]} + r[4 * k + 1] + r[4 * k + 2] + r[4 * k + 3];
    const uint64_t b = uint64_t{g[4 * k]} + g[4 * k + 1] + g[4 * k + 2] + g[4 * k + 3];
    if (a != b) return Report(check, "bin " + std::to_string(k) + ": " + std::to_string(b) + " vs " + std::to_string(a) + ", n " + std::to_string(n));
  }
  if (std::memcmp(rr, gr, sizeof rr) != 0) Report(check, "range differs, n " + std::to_string(n));
}

void TestCalibrate(const calibrate::CalibrateKernels& isa, Inputs& gen, std::vector<Check>& checks) {
  Check pair{std::string(isa.isa) + " error-statistics blocks"};
  Check hist{std::string(isa.isa) + " histogram (f32, f64)"};
  std::vector<float> x(calibrate::kBlock + 8), y(calibrate::kBlock + 8);
  std::vector<double> xd(600);
  std::vector<float> xf(600);
  for (int k = 0; k < 4000; ++k) {
    const size_t n = static_cast<size_t>(gen.Int(0, static_cast<int>(calibrate::kBlock)));
    const size_t off = static_cast<size_t>(gen.Int(0, 7));
    const bool specials = gen.Int(0, 3) == 0;
    for (size_t i = 0; i < n; ++i) {
      x[off + i] = CalibrateValue(gen, specials);
      // x̂ near x (a round trip), sometimes far (saturation), sometimes special
      y[off + i] = gen.Int(0, 9) == 0 ? CalibrateValue(gen, specials) : x[off + i] + static_cast<float>(gen.Real(-0.01, 0.01));
    }
    ComparePairBlock(isa, pair, x.data() + off, y.data() + off, n);
  }
  for (int k = 0; k < 1500; ++k) {
    const size_t n = static_cast<size_t>(gen.Int(0, 590));
    const size_t off = static_cast<size_t>(gen.Int(0, 7));
    const bool specials = gen.Int(0, 3) == 0;
    for (size_t i = 0; i < n; ++i) {
      xf[off + i] = CalibrateValue(gen, specials);
      // a double between float32s, rounding on load
      xd[off + i] = static_cast<double>(xf[off + i]) * (1.0 + std::ldexp(static_cast<double>(gen.Int(-2, 2)), -25));
    }
    const uint32_t nbins = static_cast<uint32_t>(gen.Int(1, 3000));
    const float half = static_cast<float>(gen.Real(0.5, 10));
    const float lo = -half, inv = static_cast<float>(nbins / (2.0 * half));
    CompareHistogram(isa, hist, xf.data() + off, n, lo, inv, nbins);
    CompareHistogram(isa, hist, xd.data() + off, n, lo, inv, nbins);
  }
#if defined(QUANTKIT_HAVE_GUARD_PAGES)
  GuardedRegion xs(600 * sizeof(double), GuardReads::kYes), ys(600 * sizeof(float));
  for (size_t n = 0; n <= calibrate::kBlock; ++n) {
    float* gx = reinterpret_cast<float*>(xs.EndingAt(n * sizeof(float)));
    float* gy = reinterpret_cast<float*>(ys.EndingAt(n * sizeof(float)));
    for (size_t i = 0; i < n; ++i) gx[i] = gy[i] = CalibrateValue(gen, false);
    ComparePairBlock(isa, pair, gx, gy, n);
    CompareHistogram(isa, hist, gx, n, -8.0f, 64.0f, 1024);
    double* gd = reinterpret_cast<double*>(xs.EndingAt(n * sizeof(double)));
    for (size_t i = 0; i < n; ++i) gd[i] = CalibrateValue(gen, true);
    CompareHistogram(isa, hist, gd, n, -8.0f, 64.0f, 1024);
  }
#endif
  checks.push_back(pair);
  checks.push_back(hist);
}

// ---------------------------------------------------------------------------------------
// Every float32 bit pattern through quantize, for a few parameter sets per output type.

template <typename Out>
void ExhaustiveFor(const KernelTable& isa, int rounding, const QuantizeParams& p, Check& check) {
  constexpr size_t kChunk = 1 << 16;
  std::vector<float> x(kChunk);
  std::vector<Out> r(kChunk), g(kChunk);
  for (uint64_t start = 0; start < (1ull << 32); start += kChunk) {
    for (size_t i = 0; i < kChunk; ++i) x[i] = FromBits(static_cast<uint32_t>(start + i));
    ScalarKernels().quantize[rounding][kF32][QuantIndex<Out>()](x.data(), r.data(), kChunk, p);
    isa.quantize[rounding][kF32][QuantIndex<Out>()](x.data(), g.data(), kChunk, p);
    ++check.cases;
    if (std::memcmp(r.data(), g.data(), kChunk * sizeof(Out)) != 0) {
      size_t i = 0;
      while (r[i] == g[i]) ++i;
      char buf[256];
      std::snprintf(buf, sizeof buf, "%s %s input=0x%08x ref=%d got=%d", RoundingName(rounding), Describe(p).c_str(), Bits(x[i]),
                    static_cast<int>(r[i]), static_cast<int>(g[i]));
      Report(check, buf);
    }
  }
}

void TestExhaustive(const KernelTable& isa, std::vector<Check>& checks) {
  Check check{std::string(isa.isa) + " quantize f32, all 2^32 inputs"};
  for (int r = 0; r < kRoundingCount; ++r) {
    ExhaustiveFor<uint8_t>(isa, r, {0.0235294122f, 128, 0, 255}, check);
    ExhaustiveFor<int8_t>(isa, r, {0.5f, -3, -8, 7}, check);
    ExhaustiveFor<uint16_t>(isa, r, {1.0f, 0, 0, 65535}, check);
    ExhaustiveFor<int16_t>(isa, r, {3.0517578e-05f, 0, -32768, 32767}, check);
  }
  checks.push_back(check);
}

// The glue's walk over a per-tensor quantize call (glue/quantize.cc): ForParts with the
// quantize threshold, then each part in ForChunksBackward order. The chunks must cover each
// part exactly once, last chunk first, with every boundary 64 elements apart from the part's
// start, and the codes must equal one call over the whole input.
void TestChunkedQuantize(const KernelTable& isa, Inputs& gen, std::vector<Check>& checks) {
  Check check{std::string(isa.isa) + " quantize f32->u8 in parts and chunks"};
  const QuantizeParams p{0.0235294122f, 128, 0, 255};
  constexpr size_t C = kBackwardChunkLength;
  const size_t lengths[] = {0, 1, 63, C - 1, C, C + 1, C + 64, 3 * C + 37, 2 * kQuantizeMinPartLength + 4099};
  for (const size_t n : lengths) {
    std::vector<float> x(n);
    for (auto& v : x) v = gen.Float(p);
    std::vector<uint8_t> whole(n), parted(n, 0xA5);
    std::vector<int> visits(n, 0);
    isa.quantize[kRoundOnnx][kF32][kU8](x.data(), whole.data(), n, p);
    for (const int threads : {1, 2, 3}) {
      std::fill(visits.begin(), visits.end(), 0);
      bool layout_ok = true;
      // The real split, recorded (each part writes its own slot), then walked serially
      // here because visits[] is not atomic.
      size_t part_begin[kMaxThreads], part_end[kMaxThreads];
      std::fill(part_begin, part_begin + kMaxThreads, size_t{1});
      std::fill(part_end, part_end + kMaxThreads, size_t{0});
      ForParts(n, threads, [&](int k, size_t begin, size_t end) { part_begin[k] = begin, part_end[k] = end; },
               kQuantizeMinPartLength);
      size_t parts_seen = 0;
      for (int k = 0; k < kMaxThreads; ++k) {
        if (part_begin[k] > part_end[k]) continue;
        const size_t begin = part_begin[k], end = part_end[k];
        ++parts_seen;
        if (begin % 64 != 0) layout_ok = false;
        size_t last_begin = end;
        ForChunksBackward(begin, end, [&](size_t b, size_t e) {
          if (e != last_begin || b > e || (b - begin) % 64 != 0 || e - b > C + 63) layout_ok = false;
          last_begin = b;
          for (size_t i = b; i < e; ++i) ++visits[i];
          isa.quantize[kRoundOnnx][kF32][kU8](x.data() + b, parted.data() + b, e - b, p);
        });
        if (last_begin != begin) layout_ok = false;
      }
      if (parts_seen != std::max<size_t>(1, std::min<size_t>(threads, n / kQuantizeMinPartLength))) layout_ok = false;
      ++check.cases;
      const bool once = std::all_of(visits.begin(), visits.end(), [](int v) { return v == 1; });
      if (!layout_ok || !once || parted != whole) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "n=%zu parts=%zu: layout %s, each element once %s, codes %s", n, parts_seen,
                      layout_ok ? "ok" : "WRONG", once ? "yes" : "NO", parted == whole ? "equal" : "DIFFER");
        Report(check, buf);
      }
    }
    // The threaded walk itself (each part writes its own elements only).
    std::vector<uint8_t> threaded(n, 0x5A);
    ForParts(n, 2, [&](int, size_t begin, size_t end) {
      ForChunksBackward(begin, end, [&](size_t b, size_t e) {
        isa.quantize[kRoundOnnx][kF32][kU8](x.data() + b, threaded.data() + b, e - b, p);
      });
    }, kQuantizeMinPartLength);
    ++check.cases;
    if (threaded != whole) Report(check, "n=" + std::to_string(n) + ": two threads' codes differ from one call");
  }
  checks.push_back(check);
}

// ---------------------------------------------------------------------------------------
// Speed (information only)

volatile float g_sink;

// Keeps the compiler from dropping or merging the timed stores.
inline void ClobberMemory() {
#if defined(_MSC_VER)
  _ReadWriteBarrier();
#else
  asm volatile("" ::: "memory");
#endif
}

template <typename F>
double MedianSeconds(int runs, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto a = std::chrono::steady_clock::now();
    f();
    const auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double>(b - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void Bench(const std::vector<const KernelTable*>& tables) {
  std::printf("\nspeed (median; information only, single thread)\n");
  const QuantizeParams p{0.0235294122f, 128, 0, 255};
  for (size_t n : {size_t{1} << 16, size_t{1} << 24}) {
    const int reps = n < (size_t{1} << 20) ? 2000 : 1;
    const int runs = n < (size_t{1} << 20) ? 9 : 7;
    std::vector<float> x(n), xcopy(n), xout(n);
    std::vector<uint8_t> q(n);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
    for (float& v : x) v = dist(rng);
    std::memset(xcopy.data(), 0, n * 4);
    std::memset(q.data(), 0, n);
    std::memset(xout.data(), 0, n * 4);
    const double mb = static_cast<double>(n) * 4 / 1e6;
    const double t_memcpy = MedianSeconds(runs, [&] {
      for (int r = 0; r < reps; ++r) {
        std::memcpy(xcopy.data(), x.data(), n * 4);
        ClobberMemory();
      }
    }) / reps;
    std::printf("  n=%-9zu memcpy f32 (%.1f MB)          %9.1f us  %6.2f GB/s read\n", n, mb, t_memcpy * 1e6,
                mb / 1e3 / t_memcpy);
    for (const KernelTable* t : tables) {
      const double tq = MedianSeconds(runs, [&] {
        for (int r = 0; r < reps; ++r) {
          t->quantize[kRoundOnnx][kF32][kU8](x.data(), q.data(), n, p);
          ClobberMemory();
        }
      }) / reps;
      const double td = MedianSeconds(runs, [&] {
        for (int r = 0; r < reps; ++r) {
          t->dequantize[kU8](q.data(), xout.data(), n, p.scale, p.zero_point);
          ClobberMemory();
        }
      }) / reps;
      const double tm = MedianSeconds(runs, [&] {
        for (int r = 0; r < reps; ++r) {
          const MinMaxResult m = t->minmax[kF32](x.data(), n);
          g_sink = m.min + m.max;
        }
      }) / reps;
      std::printf("  n=%-9zu %-7s quantize f32->u8 %9.1f us (%.2fx memcpy)  dequantize u8->f32 %9.1f us  "
                  "minmax f32 %9.1f us\n",
                  n, t->isa, tq * 1e6, tq / t_memcpy, td * 1e6, tm * 1e6);
    }
  }
}

#include "kernels/preprocess/test/preprocess_kernel_test.h"  // TestPreprocess

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress stays visible if a check crashes
  std::vector<std::string> only, require;
  uint64_t seed = 20240601;
  bool exhaustive = false, bench = true, checks_wanted = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--isa" && i + 1 < argc) {
      only.push_back(argv[++i]);
    } else if (a == "--require" && i + 1 < argc) {
      require.push_back(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--exhaustive") {
      exhaustive = true;
    } else if (a == "--no-bench") {
      bench = false;
    } else if (a == "--bench-only") {
      checks_wanted = false;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--isa NAME]... [--require NAME]... [--seed N] [--exhaustive] [--no-bench | --bench-only]\n", argv[0]);
      return 2;
    }
  }
  std::printf("quantkit kernel test, seed %" PRIu64 ", best ISA on this CPU: %s\n", seed,
              IsaName(BestIsa(kIsaCount)));

  std::vector<Check> checks;
  std::vector<const KernelTable*> ran = {&ScalarKernels()};
  int skipped = 0;
  int failed_requirements = 0;
  for (int l = kIsaScalar + 1; l < kIsaCount; ++l) {
    const IsaLevel level = static_cast<IsaLevel>(l);
    const std::string name = IsaName(level);
    const bool required = std::find(require.begin(), require.end(), name) != require.end();
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end() && !required) continue;
    const KernelTable* t = KernelsFor(level);
    if (t == nullptr || !CpuSupports(level)) {
      std::printf("%s: skipped (%s)\n", name.c_str(), t == nullptr ? "not in this build" : "this CPU or OS lacks it");
      std::fflush(stdout);
      if (t != nullptr) ++skipped;
      if (required) {
        std::printf("%s: REQUIRED but could not run\n", name.c_str());
        ++failed_requirements;
      }
      continue;
    }
    ran.push_back(t);
    if (!checks_wanted) continue;
    Inputs gen(seed + static_cast<uint64_t>(l));
    // Each line is printed as soon as its check ends, so that a crash (a guard page hit)
    // shows which check was running.
    const auto print = [](const Check& c) {
      std::printf("%-4s %-44s %8" PRIu64 " cases", c.mismatches ? "FAIL" : "ok", c.name.c_str(), c.cases);
      if (c.mismatches) std::printf(", %" PRIu64 " differ", c.mismatches);
      std::printf("\n");
      std::fflush(stdout);
    };
    const auto print_last = [&checks, &print] { print(checks.back()); };
    // For the tests that add one check per block type.
    const auto print_since = [&checks, &print](size_t first) {
      for (size_t k = first; k < checks.size(); ++k) print(checks[k]);
    };
    for (int r = 0; r < kRoundingCount; ++r) {
      TestQuantize<float, uint8_t>(*t, gen, checks, r), print_last();
      TestQuantize<float, int8_t>(*t, gen, checks, r), print_last();
      TestQuantize<float, uint16_t>(*t, gen, checks, r), print_last();
      TestQuantize<float, int16_t>(*t, gen, checks, r), print_last();
      TestQuantize<double, uint8_t>(*t, gen, checks, r), print_last();
      TestQuantize<double, int8_t>(*t, gen, checks, r), print_last();
      TestQuantize<double, uint16_t>(*t, gen, checks, r), print_last();
      TestQuantize<double, int16_t>(*t, gen, checks, r), print_last();
    }
    TestDequantize<uint8_t>(*t, gen, checks), print_last();
    TestDequantize<int8_t>(*t, gen, checks), print_last();
    TestDequantize<uint16_t>(*t, gen, checks), print_last();
    TestDequantize<int16_t>(*t, gen, checks), print_last();
    TestChunkedQuantize(*t, gen, checks), print_last();
    TestMinMax<float>(*t, gen, checks), print_last();
    TestMinMax<double>(*t, gen, checks), print_last();
    for (int r = 0; r < kRoundingCount; ++r) {
      TestLanes<float, uint8_t>(*t, gen, checks, r), print_last();
      TestLanes<float, int8_t>(*t, gen, checks, r), print_last();
      TestLanes<float, uint16_t>(*t, gen, checks, r), print_last();
      TestLanes<float, int16_t>(*t, gen, checks, r), print_last();
      TestLanes<double, uint8_t>(*t, gen, checks, r), print_last();
      TestLanes<double, int16_t>(*t, gen, checks, r), print_last();
    }
    // A level without float8 SIMD (neon) runs the scalar row itself: nothing to compare.
    if (&Float8KernelsFor(level) != &ScalarFloat8()) TestFloat8(Float8KernelsFor(level), gen, exhaustive, checks), print_last();
    TestConvert(ConvertKernelsFor(level), gen, checks), print_last();
    const ggml::GgmlTable& g = ggml::GgmlKernelsFor(level);
    size_t first = checks.size();
    TestGgmlQuantize<float>(g, gen, checks), print_since(first);
    first = checks.size();
    TestGgmlQuantize<double>(g, gen, checks), print_since(first);
    first = checks.size();
    TestGgmlDequantize(g, gen, checks), print_since(first);
    TestGgmlScan<float>(g, gen, checks), print_last();
    TestGgmlScan<double>(g, gen, checks), print_last();
    TestGgmlScalarOnly(g, checks), print_last();
    if (&calibrate::CalibrateKernelsFor(level) != &calibrate::ScalarCalibrate()) {
      first = checks.size();
      TestCalibrate(calibrate::CalibrateKernelsFor(level), gen, checks), print_since(first);
    }
    if (&preprocess::PreprocessKernelsFor(level) != &preprocess::ScalarPreprocess()) TestPreprocess(preprocess::PreprocessKernelsFor(level), seed + l, checks), print_last();
#if defined(QUANTKIT_HAVE_GUARD_PAGES)
    std::printf("     %s guard pages: a crash here is a read or write past the end\n", t->isa);
    std::fflush(stdout);
    TestGuarded(*t, gen, checks), print_last();
    TestGgmlGuarded(g, gen, checks), print_last();
#endif
    if (exhaustive) TestExhaustive(*t, checks), print_last();
  }

  if (bench) Bench(ran);

  int passed = 0, failed = failed_requirements;
  for (const Check& c : checks) (c.mismatches ? failed : passed)++;
  // "skipped" counts ISA levels built in but not runnable here, not individual checks.
  std::printf("\n%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed == 0 ? 0 : 1;
}
