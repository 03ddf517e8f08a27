// Large calls run on several threads (2 by default): one core alone cannot draw the memory
// bandwidth the machine has, and every operation here splits into independent parts.
// Below the threshold a thread start (tens of microseconds) costs more than it saves.
// Each part runs the same kernel on its own elements, so the bits never depend on the split.
#pragma once

#include <cstddef>
#include <system_error>
#include <thread>

#include "kernels/isa/kernels.h"

namespace quantkit {

constexpr int kMaxThreads = 8;

// Elements each part must have at least (2 Mi float32 inputs = 8 MiB, about a millisecond).
constexpr size_t kMinPartLength = size_t{1} << 21;

// Per-tensor quantize and minMax (quantizeDynamic's two passes) split from 2 Mi elements
// (two parts of 1 Mi, 4 MiB of float32 each): measured on a 2-core Zen 4, a 2 Mi quantize
// took 212 µs on two threads against 290 µs on one, while at 1 Mi two threads gained only
// 3 % (134 against 138 µs, within the noise), the thread start eating the rest.
constexpr size_t kQuantizeMinPartLength = size_t{1} << 20;

// A cap on the threads one call may use, for the calling thread only (0: none). quantkit's
// async workers set it to 1 (lib/async/worker.ts, binding.capThreads): a job keeps to its own
// core, N jobs spread over N cores, and a job running alone leaves the event loop's core free
// (two threads of one job on a 2-core machine delay the loop's timers by milliseconds).
inline thread_local int tls_thread_cap = 0;

// A WebAssembly module built without pthreads has no threads at all (std::thread's
// constructor aborts there, exception catching being off): every part then runs on the
// calling thread, in order, as when a thread cannot be started.
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
constexpr bool kHaveThreads = false;
#else
constexpr bool kHaveThreads = true;
#endif

inline int CappedThreads(int threads) { return tls_thread_cap > 0 && threads > tls_thread_cap ? tls_thread_cap : threads; }

// Calls fn(part, begin, end) over [0, n) in up to `threads` parts of at least
// `min_part_length` elements, part 0 on this thread.
// Part boundaries are multiples of 64 elements, so no two parts write to one cache line.
// When a thread cannot be started, this thread does that part's work too.
template <typename Fn>
void ForParts(size_t n, int threads, Fn fn, size_t min_part_length = kMinPartLength) {
  threads = CappedThreads(threads);
  size_t parts = n / min_part_length;
  if (parts > static_cast<size_t>(threads)) parts = static_cast<size_t>(threads);
  if (parts <= 1) {
    fn(0, size_t{0}, n);
    return;
  }
  const size_t step = (n / parts) & ~size_t{63};
  std::thread helpers[kMaxThreads];
  for (size_t k = 1; k < parts; ++k) {
    const size_t begin = k * step;
    const size_t end = k + 1 == parts ? n : begin + step;
    if (!kHaveThreads) {
      fn(static_cast<int>(k), begin, end);
      continue;
    }
    try {
      helpers[k] = std::thread([&fn, k, begin, end] { fn(static_cast<int>(k), begin, end); });
    } catch (const std::system_error&) {
      fn(static_cast<int>(k), begin, end);
    }
  }
  fn(0, size_t{0}, step);
  for (size_t k = 1; k < parts; ++k) {
    if (helpers[k].joinable()) helpers[k].join();
  }
}

// Calls fn(begin, end) over units [0, units) of `unit_length` elements each, in up to
// `threads` parts of at least kMinPartLength elements (whole units; per-axis kernels).
template <typename Fn>
void ForUnitParts(size_t units, size_t unit_length, int threads, Fn fn) {
  threads = CappedThreads(threads);
  const size_t n = units * unit_length;
  size_t parts = n / kMinPartLength;
  if (parts > static_cast<size_t>(threads)) parts = static_cast<size_t>(threads);
  if (parts > units) parts = units;
  if (parts <= 1) {
    fn(size_t{0}, units);
    return;
  }
  const size_t step = units / parts;
  std::thread helpers[kMaxThreads];
  for (size_t k = 1; k < parts; ++k) {
    const size_t begin = k * step;
    const size_t end = k + 1 == parts ? units : begin + step;
    if (!kHaveThreads) {
      fn(begin, end);
      continue;
    }
    try {
      helpers[k] = std::thread([&fn, begin, end] { fn(begin, end); });
    } catch (const std::system_error&) {
      fn(begin, end);
    }
  }
  fn(size_t{0}, step);
  for (size_t k = 1; k < parts; ++k) {
    if (helpers[k].joinable()) helpers[k].join();
  }
}

// Elements per chunk of ForChunksBackward (1 Mi float32 inputs = 4 MiB; the last-level
// cache here is 32 MiB). On one thread, minMax + quantize of 16 Mi float32 (best of 15
// rounds, a 64 MiB memcpy taking 7.1-7.6 ms) took 8.1-8.3 ms walking forward, 7.8-7.9 ms
// in 1 MiB chunks from the end and 7.5-7.7 ms in 4 MiB chunks.
constexpr size_t kBackwardChunkLength = size_t{1} << 20;

// Calls fn(begin, end) over [begin, end) in chunks of kBackwardChunkLength elements, the
// last chunk first (each chunk is still walked forward by the kernel). After a forward pass
// over the same input (quantizeDynamic's minMax), the input's tail is what the last-level
// cache still holds, so starting there reads it from the cache instead of from memory.
// Chunk boundaries are multiples of 64 elements past `begin`; the bits do not depend on them.
template <typename Fn>
void ForChunksBackward(size_t begin, size_t end, Fn fn) {
  size_t hi = end;
  while (hi - begin > kBackwardChunkLength) {
    const size_t lo = begin + ((hi - begin - kBackwardChunkLength) & ~size_t{63});
    fn(lo, hi);
    hi = lo;
  }
  fn(begin, hi);
}

// Combines the results of two parts (each already through scalar::Finish: NaN, NaN for no
// value, zeros as +0).
inline MinMaxResult MergeMinMax(MinMaxResult a, MinMaxResult b) {
  if (a.min != a.min) return b;
  if (b.min != b.min) return a;
  return {a.min < b.min ? a.min : b.min, a.max > b.max ? a.max : b.max};
}

}  // namespace quantkit
