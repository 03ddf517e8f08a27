// Histogram observers (README "Calibrate and compare"): one collector, three ways to read a
// range from it.
//
// The collector is ONNX Runtime's HistogramCollector (calibrate.py, collect_value and
// merge_histogram): a symmetric histogram over [−T, T] in `bins` bins of width w = 2T / bins,
// T = max |x| of the first batch with a nonzero value; a later batch that reaches beyond T adds
// h = floor((t − T) / w) + 1 whole bins on each side (T += h · w). Unlike ORT, the bins never
// exceed 8 × the initial count: past that, neighbouring bins are merged in pairs (after padding
// one bin on each side when needed to keep 0 on an edge), so one outlying batch cannot make the
// histogram enormous; and zeros seen before the first nonzero value wait in a counter.
// Bin of x: floor(fl(fl(x + T) · fl(bins / (2T)))) in float32, clamped (binding.d.ts
// histogramAdd), where ORT's np.histogram of float32 data also works in float32 and then
// corrects the bin against its float32 edges: a value within a float32 rounding of an edge may
// land in the neighbouring bin of ORT's.
//
//   'percentile': ORT's Percentile calibrator (compute_percentile): symmetric, on the |x|
//     histogram (the two halves folded), T = the left edge of the first bin whose cumulative
//     share reaches p / 100; asymmetric, two-tailed, the edges where the cumulative share reaches
//     (100 − p) / 200 and 1 − (100 − p) / 200; then clamped to the observed [min, max].
//   'entropy': TensorRT's KL-divergence calibration (Migacz, "8-bit Inference with TensorRT",
//     2017) on the |x| histogram: for each i from L (128 for signed targets, 256 for unsigned;
//     2^(bits−1) and 2^bits in general) up to the bin count − 1, P = the first i bins with the
//     outliers added to the last, Q = those bins merged into L levels (bin j into level
//     floor(j · L / i)) and expanded back over each level's nonzero bins, KL(P‖Q) of the
//     normalised pair; T = (m + 0.5) · w for the first i = m with the least divergence.
//   'mse': the range whose parameters (the target's dtype, bits, symmetry and convention) give
//     the least expected squared error over the histogram, each bin's count spread uniformly
//     over the bin: symmetric, every |x| bin edge; affine, a grid of (lo, hi) bin edges, then
//     refined edge by edge.
import type { FloatArray, QuantkitBinding } from '../../binding';
import { quantRange, type DType } from '../core/dtypes';
import { checkQuantInput, isHalf, type QuantInput } from '../core/half-input';
import { describe } from '../core/validate';
import type { QuantParams } from '../affine';
import type { Observer, ParamsOptions } from './observer';
import { checkTarget, refuseInfinite, scaleZeroOf, tensorParams, type BatchReader, type CheckedTarget, type TensorRange } from './target';
import { checkIntegerIn, checkNumberIn, checkOptionsObject } from './validate';
import { RESTORE, SNAPSHOT, checkNotPending, type Stateful } from './state';
import { observeAsync } from '../async/observer';
import type { AsyncOptions } from '../async';

export type HistogramMethod = 'percentile' | 'entropy' | 'mse';
export const HISTOGRAM_METHODS: readonly HistogramMethod[] = ['percentile', 'entropy', 'mse'];
export const HISTOGRAM_OPTION_KEYS: Record<HistogramMethod, readonly string[]> = {
  percentile: ['bins', 'percentile', 'symmetric'],
  entropy: ['bins', 'dtype', 'bits'],
  mse: ['bins', 'dtype', 'bits', 'symmetric', 'convention'],
};
const PARAMS_KEYS = ['dtype', 'bits', 'symmetric', 'convention'] as const;

/** The collector's histogram: counts[k] values in [lo + k · width, lo + (k + 1) · width). */
export interface HistogramSource {
  counts: Float64Array;
  lo: number;
  hi: number;
  width: number;
  /** The observed range (NaN ignored). */
  min: number;
  max: number;
}

export interface HistogramObserver extends Observer {
  readonly method: HistogramMethod;
  /** A copy of the collected histogram (undefined while no nonzero value was seen). */
  histogram(): HistogramSource | undefined;
}

/** |x| histogram: the two halves of the symmetric one folded; bin j is [j · w, (j + 1) · w). */
export function foldAbs(counts: Float64Array): Float64Array {
  const c = counts.length / 2;
  const out = new Float64Array(c);
  for (let j = 0; j < c; j++) out[j] = counts[c + j] + counts[c - 1 - j];
  return out;
}

/** First index whose cumulative share (numpy's cumsum of counts / total) is ≥ v; the length when none. */
function searchCdf(counts: Float64Array, total: number, v: number): number {
  let cdf = 0;
  for (let i = 0; i < counts.length; i++) {
    cdf += counts[i] / total;
    if (cdf >= v) return i;
  }
  return counts.length;
}

export function percentileRange(h: HistogramSource, percentile: number, symmetric: boolean): TensorRange {
  let lo: number;
  let hi: number;
  if (symmetric) {
    const abs = foldAbs(h.counts);
    const total = abs.reduce((a, b) => a + b, 0);
    hi = searchCdf(abs, total, percentile / 100) * h.width;
    lo = -hi;
  } else {
    const total = h.counts.reduce((a, b) => a + b, 0);
    const cut = (100 - percentile) / 200;
    hi = searchCdf(h.counts, total, 1 - cut) * h.width + h.lo;
    lo = searchCdf(h.counts, total, cut) * h.width + h.lo;
  }
  if (lo < h.min) lo = h.min;
  if (hi > h.max) hi = h.max;
  return { min: lo, max: hi };
}

/** TensorRT's threshold on the |x| histogram with `levels` quantized bins (see the header). */
export function entropyThreshold(h: HistogramSource, levels: number): number {
  const bins = foldAbs(h.counts);
  const n = bins.length;
  if (n <= levels) return n * h.width;
  const suffix = new Float64Array(n + 1);
  for (let j = n - 1; j >= 0; j--) suffix[j] = suffix[j + 1] + bins[j];
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const merged = new Float64Array(levels);
  const nonzero = new Float64Array(levels);
  let best = Infinity;
  let bestI = -1;
  for (let i = levels; i < n; i++) {
    merged.fill(0);
    nonzero.fill(0);
    for (let j = 0; j < i; j++) {
      const l = Math.floor((j * levels) / i);
      merged[l] += bins[j];
      if (bins[j] !== 0) nonzero[l]++;
    }
    let sp = 0;
    let sq = 0;
    for (let j = 0; j < i; j++) {
      p[j] = bins[j];
      const l = Math.floor((j * levels) / i);
      q[j] = bins[j] !== 0 ? merged[l] / nonzero[l] : 0;
    }
    p[i - 1] += suffix[i];
    for (let j = 0; j < i; j++) {
      sp += p[j];
      sq += q[j];
    }
    if (sp === 0 || sq === 0) continue;
    let kl = 0;
    for (let j = 0; j < i; j++) {
      if (p[j] === 0) continue;
      const pj = p[j] / sp;
      const qj = q[j] / sq;
      kl = qj === 0 ? Infinity : kl + pj * Math.log(pj / qj);
    }
    if (kl < best) {
      best = kl;
      bestI = i;
    }
  }
  return bestI < 0 ? n * h.width : (bestI + 0.5) * h.width;
}

/**
 * Expected squared error of quantizing the histogram with (scale, zeroPoint) into [qmin, qmax]:
 * each bin's count uniform over the bin, Q(x) = (clamp(round(x / s) + z) − z) · s.
 */
function expectedError(h: HistogramSource, scale: number, zeroPoint: number, qmin: number, qmax: number): number {
  const { counts, lo, width } = h;
  const code = (x: number): number => Math.min(qmax, Math.max(qmin, Math.round(x / scale) + zeroPoint));
  const cube = (u: number, v: number): number => (u - v) * (u - v) * (u - v);
  let err = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k];
    if (c === 0) continue;
    const a = lo + k * width;
    const b = a + width;
    const qa = code(a);
    const qb = code(b);
    let sum = 0;
    let u = a;
    for (let q = qa; q <= qb; q++) {
      const v = (q - zeroPoint) * scale;
      const end = q === qb ? b : Math.min(b, (q - zeroPoint + 0.5) * scale);
      if (end > u) sum += cube(end, v) - cube(u, v);
      u = Math.max(u, end);
    }
    err += (c * sum) / (3 * width);
  }
  return err;
}

export function mseRange(h: HistogramSource, t: CheckedTarget): TensorRange {
  const [qmin, qmax] = t.info.float8 ? [0, 0] : quantRange(t.info, t.bits);
  const score = (lo: number, hi: number): number => {
    let p: { scale: number; zeroPoint: number };
    try {
      p = scaleZeroOf(lo, hi, t, 'a candidate range');
    } catch {
      return Infinity;
    }
    if (t.info.float8) return Infinity; // not searched: see mse's check in createHistogramMethod
    return expectedError(h, p.scale, p.zeroPoint, qmin, qmax);
  };
  const nb = h.counts.length;
  const edge = (i: number): number => Math.min(h.max, Math.max(h.min, h.lo + i * h.width));
  let first = 0;
  while (first < nb && h.counts[first] === 0) first++;
  let last = nb;
  while (last > first && h.counts[last - 1] === 0) last--;
  const c = nb / 2;
  if (t.symmetric) {
    let best = Infinity;
    let bestT = Math.max(-h.min, h.max);
    const top = Math.max(c - first, last - c);
    for (let k = 1; k <= top; k++) {
      const T = Math.min(k * h.width, Math.max(-h.min, h.max));
      const e = score(-T, T);
      if (e < best) {
        best = e;
        bestT = T;
      }
    }
    return { min: Math.max(h.min, -bestT), max: Math.min(h.max, bestT) };
  }
  const iLo = Math.min(first, c);
  const jHi = Math.max(last, c);
  const stride = Math.max(1, Math.ceil(Math.max(c - iLo, jHi - c) / 48));
  let bi = iLo;
  let bj = jHi;
  let best = score(edge(bi), edge(bj));
  for (let i = iLo; i <= c; i += stride) {
    for (let j = jHi; j >= c; j -= stride) {
      const e = score(edge(i), edge(j));
      if (e < best) {
        best = e;
        bi = i;
        bj = j;
      }
    }
  }
  for (let round = 0; round < 3; round++) {
    const i0 = bi;
    const j0 = bj;
    for (let i = Math.max(iLo, bi - stride); i <= Math.min(c, bi + stride); i++) {
      const e = score(edge(i), edge(bj));
      if (e < best) {
        best = e;
        bi = i;
      }
    }
    for (let j = Math.max(c, bj - stride); j <= Math.min(jHi, bj + stride); j++) {
      const e = score(edge(bi), edge(j));
      if (e < best) {
        best = e;
        bj = j;
      }
    }
    if (bi === i0 && bj === j0) break;
  }
  return { min: edge(bi), max: edge(bj) };
}

class Collector {
  counts: Float64Array | undefined;
  half = 0; // T
  min = Infinity;
  max = -Infinity;
  zeros = 0;
  private readonly maxBins: number;
  private scratch = new Float64Array(0);
  private readonly range = new Float64Array(2);

  constructor(private readonly bins: number, private readonly binding: QuantkitBinding) {
    this.maxBins = 8 * bins;
  }

  /** Pairs of neighbouring bins merged into one (width doubles), padding first to keep 0 on an edge. */
  private mergePairs(): void {
    let counts = this.counts as Float64Array;
    if ((counts.length / 2) % 2 === 1) {
      const padded = new Float64Array(counts.length + 2);
      padded.set(counts, 1);
      this.half += (2 * this.half) / counts.length;
      counts = padded;
    }
    const merged = new Float64Array(counts.length / 2);
    for (let k = 0; k < merged.length; k++) merged[k] = counts[2 * k] + counts[2 * k + 1];
    this.counts = merged;
  }

  /** Adds a batch; false when it has no number. A batch with ±Inf is refused with nothing changed. */
  add(x: FloatArray, reader: BatchReader): boolean {
    if (this.counts === undefined) {
      const r = reader.range(x);
      if (Number.isNaN(r.min)) return false;
      this.widen(r);
      const t = Math.max(-r.min, r.max);
      if (t === 0) {
        for (let i = 0; i < x.length; i++) if (x[i] === x[i]) this.zeros++;
        return true;
      }
      this.half = t;
      this.counts = new Float64Array(this.bins);
      this.counts[this.bins / 2] += this.zeros;
      this.binding.histogramAdd(x, this.counts, -this.half, this.counts.length / (2 * this.half), this.range);
      return true;
    }
    // One pass into a scratch histogram that also finds the batch's range; a batch that
    // reaches beyond T (rare once calibration settles) is binned again after the growth.
    const n = this.counts.length;
    if (this.scratch.length !== n) this.scratch = new Float64Array(n);
    else this.scratch.fill(0);
    this.binding.histogramAdd(x, this.scratch, -this.half, n / (2 * this.half), this.range);
    const r = { min: this.range[0], max: this.range[1] };
    if (r.min === -Infinity || r.max === Infinity) refuseInfinite(x);
    if (Number.isNaN(r.min)) return false;
    this.widen(r);
    const t = Math.max(-r.min, r.max);
    if (t <= this.half) {
      const counts = this.counts;
      const scratch = this.scratch;
      for (let k = 0; k < n; k++) counts[k] += scratch[k];
      return true;
    }
    // ORT's merge_histogram: whole bins on each side (its int((t − T) // stride + 1)).
    let w = (2 * this.half) / n;
    let grow = Math.floor((t - this.half) / w) + 1;
    while (this.counts.length + 2 * grow > this.maxBins) {
      this.mergePairs();
      w = (2 * this.half) / this.counts.length;
      grow = Math.floor((t - this.half) / w) + 1;
    }
    const grown = new Float64Array(this.counts.length + 2 * grow);
    grown.set(this.counts, grow);
    this.counts = grown;
    this.half = grow * w + this.half;
    this.binding.histogramAdd(x, grown, -this.half, grown.length / (2 * this.half), this.range);
    return true;
  }

  private widen(r: TensorRange): void {
    if (r.min < this.min) this.min = r.min;
    if (r.max > this.max) this.max = r.max;
  }

  source(): HistogramSource | undefined {
    if (this.counts === undefined) return undefined;
    return { counts: this.counts.slice(), lo: -this.half, hi: this.half, width: (2 * this.half) / this.counts.length, min: this.min, max: this.max };
  }
}

/** The most initial bins an observer takes (see createHistogramMethod). */
export const MAX_BINS = 4096;

export function createHistogramMethod(method: HistogramMethod, o: Record<string, unknown>, binding: QuantkitBinding, reader: BatchReader): HistogramObserver {
  // The 'entropy' and 'mse' searches cost the square of the bin count (about 20 ms at 2048 bins,
  // 3 s at 32768, which is as far as 4096 initial bins grow): larger requests are refused
  // rather than left to block the event loop for minutes.
  const bins = o.bins === undefined ? 2048 : checkIntegerIn(o.bins, 16, MAX_BINS, 'opts.bins');
  if (bins % 2 !== 0) throw new RangeError(`Expected an even number for opts.bins (0 lies on a bin edge) but received ${bins}`);
  const percentile = o.percentile === undefined ? 99.999 : checkNumberIn(o.percentile, 50, 100, false, 'opts.percentile');
  // The target that range() reports for (params() may name another).
  const base = checkTarget({ dtype: o.dtype ?? (method === 'entropy' ? 'int8' : undefined), bits: o.bits, symmetric: o.symmetric, convention: o.convention }, 'opts');
  if (method !== 'percentile' && base.info.float8) {
    throw new RangeError(`Expected an integer dtype for opts.dtype of the '${method}' observer but received '${base.info.name}'`);
  }
  const collector = new Collector(bins, binding);
  let batches = 0;
  // range() and params() for the same target search once per batch seen, not once per call.
  const cache = new Map<string, TensorRange>();

  function rangeFor(t: CheckedTarget): TensorRange {
    const key = `${t.info.name},${t.bits},${t.symmetric},${t.convention ?? ''}`;
    const cached = cache.get(key);
    if (cached !== undefined) return { ...cached };
    const r = searchRange(t);
    cache.set(key, r);
    return { ...r };
  }

  function searchRange(t: CheckedTarget): TensorRange {
    const h = collector.source();
    if (h === undefined) {
      if (collector.zeros > 0) return { min: 0, max: 0 };
      throw new RangeError(`Expected the '${method}' observer to have seen at least one number before range() or params() but it has seen none (no batch, or only empty and all-NaN ones)`);
    }
    let r: TensorRange;
    if (method === 'percentile') r = percentileRange(h, percentile, t.symmetric);
    else if (method === 'entropy') {
      const levels = t.info.signed ? 2 ** (t.bits - 1) : 2 ** t.bits;
      const T = entropyThreshold(h, levels);
      r = { min: Math.max(h.min, -T), max: Math.min(h.max, T) };
    } else r = mseRange(h, t);
    return { min: Math.fround(r.min), max: Math.fround(r.max) };
  }

  const observer: HistogramObserver & Stateful = {
    method,
    get batches() {
      return batches;
    },
    observe(x: QuantInput, shape?: readonly number[]) {
      checkNotPending(observer);
      const input = checkQuantInput(x, 'x');
      if (shape !== undefined) throw new TypeError(`Expected no shape argument for a '${method}' observer (histogram observers are per-tensor) but received ${describe(shape)}`);
      collector.add(isHalf(input) ? reader.floats(input) : input, reader);
      cache.clear();
      batches++;
      return observer;
    },
    observeAsync(x: QuantInput, shape?: readonly number[] | AsyncOptions, options?: AsyncOptions) {
      return observeAsync(observer, x, shape, options);
    },
    [SNAPSHOT]() {
      const c = collector;
      return { batches, counts: c.counts?.slice(), half: c.half, min: c.min, max: c.max, zeros: c.zeros };
    },
    [RESTORE](s: Record<string, unknown>) {
      batches = s.batches as number;
      collector.counts = s.counts as Float64Array | undefined;
      collector.half = s.half as number;
      collector.min = s.min as number;
      collector.max = s.max as number;
      collector.zeros = s.zeros as number;
      cache.clear();
    },
    range() {
      return rangeFor(base);
    },
    params<D extends DType = 'uint8'>(opts?: ParamsOptions<D>): QuantParams<D> {
      const p = checkOptionsObject(opts, PARAMS_KEYS, 'opts');
      const t = checkTarget(p, 'opts', method === 'percentile' ? { symmetric: base.symmetric } : base);
      if (method !== 'percentile' && t.info.float8) {
        throw new RangeError(`Expected an integer dtype for opts.dtype of the '${method}' observer but received '${t.info.name}'`);
      }
      const r = rangeFor(t);
      return tensorParams(r.min, r.max, t) as QuantParams<D>;
    },
    histogram() {
      return collector.source();
    },
  };
  return observer;
}
