// Checks of recode(q, out, offset) that need no Node-API (see args.h): q and out hold codes of
// one width, one signed and one unsigned; equal lengths; out is either q's own memory
// exactly (an in-place conversion, element by element) or shares no byte with it; the
// offset is an integer that moves a code of that width to the other signedness.
#pragma once

#include "args/args.h"

namespace quantkit {
namespace args {

inline Result CheckRecode(const Span& q, const Span& out, const Number& offset, int32_t* delta) {
  const bool q_wide = q.type == kU16 || q.type == kI16;
  const bool out_wide = out.type == kU16 || out.type == kI16;
  const bool q_signed = q.type == kI8 || q.type == kI16;
  const bool out_signed = out.type == kI8 || out.type == kI16;
  if (q_wide != out_wide || q_signed == out_signed) {
    return TypeError("Expected out to hold codes of q's width with the other signedness");
  }
  Result r = CheckSameLength(q, out);
  if (!r.ok()) return r;
  const bool same_memory = q.data == out.data && q.bytes == out.bytes;
  if (!same_memory) r = CheckNoOverlap(q, out);
  if (!r.ok()) return r;
  const double limit = q_wide ? 32768 : 128;
  return CheckInteger(offset, "offset", -limit, limit, delta);
}

}  // namespace args
}  // namespace quantkit
