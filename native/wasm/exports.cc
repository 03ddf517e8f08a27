// The WebAssembly module's C ABI: what lib/backend-wasm calls instead of Node-API. The
// TypeScript side unwraps the JS arguments (kinds, counts, numbers, booleans, with the glue's
// messages), copies the arrays into this module's memory (or passes arrays already there),
// writes them into the frame and calls qk_call(op); this file reads the frame into the
// arguments of native/ops, which checks and calls the kernels as the addon does. One thread:
// the module runs on the thread that calls it.
//
// Frame (qk_frame(), doubles, in binding.d.ts's argument order): an array takes three slots
// (address, length in elements, ArrayKind), a number two (0 then the value, or the address of
// how the glue describes the value that is not a number: native/args' Number::instead), a
// boolean one (0 or 1). After the
// call, slot 0 holds the call's number result (pack, ggmlQuantize, findBadScale).
#include <cstdint>
#include <cstring>
#include <string>

#include "kernels/isa/kernels.h"
#include "ops/ops.h"

namespace {

using quantkit::ops::Array;
using quantkit::ops::Context;
using quantkit::ops::Number;
using quantkit::ops::Result;

constexpr int kFrameSlots = 64;
double frame[kFrameSlots];
Context context{};
std::string message;

// The calls, numbered as lib/backend-wasm/calls.ts lists them (checked at load with qk_op_name).
const char* const kOps[] = {
    "quantize", "dequantize", "minMax", "toFloat16", "fromFloat16", "toBFloat16", "fromBFloat16",
    "quantizePacked", "dequantizePacked", "pack", "unpack", "recode", "quantizeFloat8", "dequantizeFloat8",
    "findBadScale", "quantizeAxis", "dequantizeAxis", "minMaxAxis", "ggmlQuantize", "ggmlDequantize",
    "errorStatsQuantize", "errorStatsPair", "histogramAdd", "imageToTensor", "quantizeEmbeddings", "binarizeEmbeddings",
};
constexpr int kOpCount = sizeof(kOps) / sizeof(kOps[0]);

// Reads the frame slot by slot.
struct Reader {
  int slot = 0;
  Array array() {
    const Array a{reinterpret_cast<void*>(static_cast<uintptr_t>(frame[slot])), static_cast<size_t>(frame[slot + 1]),
                  static_cast<int>(frame[slot + 2])};
    slot += 3;
    return a;
  }
  Number number() {
    Number n;
    const double instead = frame[slot];
    n.is_number = instead == 0;
    if (n.is_number) {
      n.value = frame[slot + 1];
    } else {
      n.instead = reinterpret_cast<const char*>(static_cast<uintptr_t>(instead));
    }
    slot += 2;
    return n;
  }
  bool boolean() { return frame[slot++] != 0; }
};

Result Run(int op, double* ret) {
  Reader r;
  const Context& c = context;
  switch (op) {
    case 0: { Array x = r.array(), out = r.array(); Number s = r.number(), z = r.number(), lo = r.number(), hi = r.number(), m = r.number();
              return quantkit::ops::Quantize(c, x, out, s, z, lo, hi, m); }
    case 1: { Array q = r.array(), out = r.array(); Number s = r.number(), z = r.number();
              return quantkit::ops::Dequantize(c, q, out, s, z); }
    case 2: { Array x = r.array(), out = r.array(); return quantkit::ops::MinMax(c, x, out); }
    case 3: { Array x = r.array(), out = r.array(); return quantkit::ops::ToHalf(c, c.convert->to_f16, x, out); }
    case 4: { Array h = r.array(), out = r.array(); return quantkit::ops::FromHalf(c, c.convert->from_f16, h, out); }
    case 5: { Array x = r.array(), out = r.array(); return quantkit::ops::ToHalf(c, c.convert->to_bf16, x, out); }
    case 6: { Array h = r.array(), out = r.array(); return quantkit::ops::FromHalf(c, c.convert->from_bf16, h, out); }
    case 7: { Array x = r.array(), out = r.array(); Number bits = r.number(); bool sg = r.boolean();
              Number s = r.number(), z = r.number(), lo = r.number(), hi = r.number(), m = r.number();
              return quantkit::ops::QuantizePacked(c, x, out, bits, sg, s, z, lo, hi, m); }
    case 8: { Array q = r.array(), out = r.array(); Number bits = r.number(); bool sg = r.boolean(); Number s = r.number(), z = r.number();
              return quantkit::ops::DequantizePacked(c, q, out, bits, sg, s, z); }
    case 9: { Array v = r.array(), out = r.array(); Number bits = r.number(); bool sg = r.boolean();
              return quantkit::ops::Pack(v, out, bits, sg, ret); }
    case 10: { Array p = r.array(), out = r.array(); Number bits = r.number(); bool sg = r.boolean();
               return quantkit::ops::Unpack(p, out, bits, sg); }
    case 11: { Array q = r.array(), out = r.array(); Number off = r.number(); return quantkit::ops::Recode(q, out, off); }
    case 12: { Array x = r.array(), out = r.array(); Number f = r.number(); bool sat = r.boolean(); Number s = r.number();
               return quantkit::ops::QuantizeFloat8(c, x, out, f, sat, s); }
    case 13: { Array q = r.array(), out = r.array(); Number f = r.number(), s = r.number();
               return quantkit::ops::DequantizeFloat8(c, q, out, f, s); }
    case 14: { *ret = quantkit::ops::FindBadScale(r.array()); return {}; }
    case 15: { Array x = r.array(), out = r.array(), s = r.array(), z = r.array();
               Number o = r.number(), a = r.number(), i = r.number(), b = r.number(), lo = r.number(), hi = r.number(), m = r.number();
               return quantkit::ops::QuantizeAxis(c, x, out, s, z, o, a, i, b, lo, hi, m); }
    case 16: { Array q = r.array(), out = r.array(), s = r.array(), z = r.array();
               Number o = r.number(), a = r.number(), i = r.number(), b = r.number();
               return quantkit::ops::DequantizeAxis(c, q, out, s, z, o, a, i, b); }
    case 17: { Array x = r.array(), out = r.array(); Number o = r.number(), a = r.number(), i = r.number(), b = r.number();
               return quantkit::ops::MinMaxAxis(c, x, out, o, a, i, b); }
    case 18: { Array x = r.array(), out = r.array(); Number t = r.number(); return quantkit::ops::GgmlQuantize(c, x, out, t, ret); }
    case 19: { Array b = r.array(), out = r.array(); Number t = r.number(); return quantkit::ops::GgmlDequantize(c, b, out, t); }
    case 20: { Array x = r.array(), acc = r.array();
               Number t = r.number(), s = r.number(), z = r.number(), lo = r.number(), hi = r.number(), m = r.number(),
                      ch = r.number(), in = r.number(), base = r.number();
               return quantkit::ops::ErrorStatsQuantize(c, x, acc, t, s, z, lo, hi, m, ch, in, base); }
    case 21: { Array x = r.array(), y = r.array(), acc = r.array(); Number ch = r.number(), in = r.number(), base = r.number();
               return quantkit::ops::ErrorStatsPair(c, x, y, acc, ch, in, base); }
    case 22: { Array x = r.array(), counts = r.array(); Number lo = r.number(), inv = r.number(); Array range = r.array();
               return quantkit::ops::HistogramAdd(c, x, counts, lo, inv, range); }
    case 23: { Array px = r.array(), out = r.array(), lut = r.array(), src = r.array(); Number ch = r.number(); bool nhwc = r.boolean();
               return quantkit::ops::ImageToTensor(c, px, out, lut, src, ch, nhwc); }
    case 24: { Array x = r.array(), out = r.array(), mn = r.array(), st = r.array(); Number d = r.number(); bool fl = r.boolean();
               return quantkit::ops::QuantizeEmbeddings(c, x, out, mn, st, d, fl); }
    case 25: { Array x = r.array(), out = r.array(); Number d = r.number(); return quantkit::ops::BinarizeEmbeddings(c, x, out, d); }
    default: return quantkit::args::TypeError("unknown call " + std::to_string(op));
  }
}

}  // namespace

extern "C" {

__attribute__((used)) const char* qk_version() { return QUANTKIT_VERSION; }

__attribute__((used)) double* qk_frame() { return frame; }

__attribute__((used)) int qk_op_count() { return kOpCount; }

__attribute__((used)) const char* qk_op_name(int op) { return op >= 0 && op < kOpCount ? kOps[op] : ""; }

__attribute__((used)) int qk_isa_count() { return quantkit::kIsaCount; }

__attribute__((used)) const char* qk_isa_name(int level) { return quantkit::IsaName(static_cast<quantkit::IsaLevel>(level)); }

__attribute__((used)) int qk_isa_runnable(int level) { return quantkit::Runnable(static_cast<quantkit::IsaLevel>(level)) ? 1 : 0; }

// Picks the best level up to `cap` (kIsaCount: no cap) and returns it.
__attribute__((used)) int qk_init(int cap) {
  const quantkit::IsaLevel level = quantkit::BestIsa(static_cast<quantkit::IsaLevel>(cap));
  context = quantkit::ops::ContextFor(level, 1);
  return level;
}

// 0: done (frame[0] holds a number result); 1: TypeError, 2: RangeError, qk_message() says why.
__attribute__((used)) int qk_call(int op) {
  double ret = 0;
  const Result r = Run(op, &ret);
  frame[0] = ret;
  if (r.ok()) return 0;
  message = r.message;
  return r.kind == quantkit::args::ErrorKind::kType ? 1 : 2;
}

__attribute__((used)) const char* qk_message() { return message.c_str(); }

}
