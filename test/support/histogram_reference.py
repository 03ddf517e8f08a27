# NumPy restatements, written from their published descriptions, for test/calibrate.test.js:
#   collect:    ONNX Runtime's HistogramCollector.collect_value / merge_histogram (calibrate.py)
#   percentile: ONNX Runtime's Percentile calibrator (compute_percentile), on a given histogram
#   entropy:    TensorRT's KL-divergence threshold (Migacz 2017), on a given histogram
# Input: a JSON list of cases on stdin; output: a JSON list of results.
import json
import sys

import numpy as np


def binned(data, n, t):
    """quantkit's documented bin rule (binding.d.ts histogramAdd): float32 arithmetic."""
    lo, inv = np.float32(-t), np.float32(n / (2 * t))
    k = np.clip((data - lo) * inv, np.float32(0), np.float32(n - 1)).astype(np.int64)
    return np.bincount(k, minlength=n).astype(np.float64)


def collect(case):
    # ORT's growth, with quantkit's bin rule in place of np.histogram (which bins float32 data
    # in float32 too but corrects against its own float32 edges).
    hist = None
    for path in case['batches']:
        data = np.fromfile(path, dtype=np.float32)
        data = data[~np.isnan(data)]
        mn, mx = (float(np.min(data)), float(np.max(data))) if data.size else (0.0, 0.0)
        threshold = max(abs(mn), abs(mx))
        if hist is None:
            hist = (binned(data, case['bins'], threshold), threshold)
            continue
        old, old_t = hist
        if threshold <= old_t:
            hist = (binned(data, len(old), old_t) + old, old_t)
        else:
            stride = 2 * old_t / len(old)
            half = int((threshold - old_t) // stride + 1)
            n = len(old) + 2 * half
            new_t = half * stride + old_t
            counts = binned(data, n, new_t)
            counts[half:n - half] += old
            hist = (counts, new_t)
    return {'counts': hist[0].tolist(), 'half': hist[1]}


def percentile(case):
    hist = np.array(case['counts'], dtype=np.float64)
    width, lo = case['width'], case['lo']
    if case['symmetric']:
        c = hist.size // 2
        hist = hist[c:] + hist[:c][::-1]  # |x|: bin j holds [j w, (j + 1) w) of both signs
        edges = np.arange(hist.size + 1) * width
    else:
        edges = np.arange(hist.size + 1) * width + lo
    cdf = np.cumsum(hist / hist.sum())
    if case['symmetric']:
        right = edges[np.searchsorted(cdf, case['percentile'] / 100.0)]
        left = -right
    else:
        cut = (100.0 - case['percentile']) / 200.0
        right = edges[np.searchsorted(cdf, 1.0 - cut)]
        left = edges[np.searchsorted(cdf, cut)]
    return {'min': float(max(left, case['min'])), 'max': float(min(right, case['max']))}


def entropy(case):
    hist = np.array(case['counts'], dtype=np.float64)
    c = hist.size // 2
    bins = hist[c:] + hist[:c][::-1]
    levels = case['levels']
    n = bins.size
    if n <= levels:
        return {'threshold': n * case['width']}
    best, best_i = np.inf, -1
    for i in range(levels, n):
        p = bins[:i].copy()
        p[i - 1] += bins[i:].sum()           # outliers into the last kept bin
        level = (np.arange(i) * levels) // i  # bin j merged into level floor(j L / i)
        nz = bins[:i] != 0
        merged = np.bincount(level, weights=bins[:i], minlength=levels)
        count = np.bincount(level, weights=nz.astype(np.float64), minlength=levels)
        q = np.where(nz, merged[level] / np.where(count[level] > 0, count[level], 1), 0.0)
        if p.sum() == 0 or q.sum() == 0:
            continue
        p, q = p / p.sum(), q / q.sum()
        m = p > 0
        kl = np.inf if np.any(q[m] == 0) else float(np.sum(p[m] * np.log(p[m] / q[m])))
        if kl < best:
            best, best_i = kl, i
    return {'threshold': n * case['width'] if best_i < 0 else (best_i + 0.5) * case['width']}


print(json.dumps([globals()[case['kind']](case) for case in json.load(sys.stdin)]))
