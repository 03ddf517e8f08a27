# NumPy float64 reference of errorStats (test/error-stats.test.js): reads a JSON list of cases
# on stdin, each naming two raw float32 files (x and x-hat) and optionally a per-channel layout;
# writes the statistics as JSON, every sum in float64 with numpy's pairwise np.sum.
import json
import math
import sys

import numpy as np


def stats(x, y, index):
    valid = ~(np.isnan(x) | np.isnan(y))
    xv, yv, iv = x[valid], y[valid], index[valid]
    count = int(valid.sum())
    out = {'count': count, 'nanCount': int(x.size - count)}
    if count == 0:
        return out
    e = xv - yv
    x2, e2, xy, y2 = np.sum(xv * xv), np.sum(e * e), np.sum(xv * yv), np.sum(yv * yv)
    a = np.abs(e)
    k = int(np.argmax(a))
    out.update({
        'mse': float(e2 / count), 'rmse': float(math.sqrt(e2 / count)), 'meanAbs': float(np.sum(a) / count),
        'maxAbs': float(a[k]), 'maxAbsIndex': int(iv[k]),
        'sqnrDb': float(10 * math.log10(x2 / e2)) if e2 > 0 else 'Infinity',
        'cosine': float(xy / (math.sqrt(x2) * math.sqrt(y2))) if x2 > 0 and y2 > 0 else None,
    })
    return out


def main():
    out = []
    for case in json.load(sys.stdin):
        x = np.fromfile(case['x'], dtype=np.float32).astype(np.float64)
        y = np.fromfile(case['y'], dtype=np.float32).astype(np.float64)
        index = np.arange(x.size)
        r = stats(x, y, index)
        if 'outer' in case:
            shape = (case['outer'], case['d'], case['inner'])
            xs = x.reshape(shape).transpose(1, 0, 2).reshape(case['d'], -1)
            ys = y.reshape(shape).transpose(1, 0, 2).reshape(case['d'], -1)
            ix = index.reshape(shape).transpose(1, 0, 2).reshape(case['d'], -1)
            r['channels'] = [stats(xs[c], ys[c], ix[c]) for c in range(case['d'])]
        out.append(r)
    json.dump(out, sys.stdout)


main()
