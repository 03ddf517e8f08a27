'use strict';
// The timing loop of the small side benches (axis, packed, ggml): the median of 15 samples,
// each a batch of calls sized so that a sample handles about 2 M elements.

/** Median time of one call of fn (which may return a promise), in nanoseconds. */
async function medianNs(fn, elements) {
  const batch = Math.max(1, Math.round(2e6 / elements));
  const times = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await fn();
    times.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  times.sort((a, b) => a - b);
  return times[7];
}

module.exports = { medianNs };
