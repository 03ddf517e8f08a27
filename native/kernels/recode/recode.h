// Codes moved between a signed and an unsigned type of the same width by a constant offset
// (int8 <-> uint8 with zero point +-128, int16 <-> uint16 with +-32768, or +-2^(b-1) for a
// b-bit range): (q + offset) modulo 2^width, with no float on the way. Dequantized values
// are unchanged because the zero point moves by the same offset. The loop is plain C++:
// at -O3 the compiler vectorises it for the baseline ISA, which is already memory-bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace quantkit {

template <typename In, typename Out>
void RecodeCodes(const In* q, Out* out, size_t n, int32_t offset) {
  using UOut = std::make_unsigned_t<Out>;
  // In and Out may be the same memory (an in-place conversion): each element is read
  // before it is written, and signed/unsigned types of one width may alias.
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<Out>(static_cast<UOut>(static_cast<uint32_t>(static_cast<int32_t>(q[i]) + offset)));
  }
}

}  // namespace quantkit
