# Python peers of bench/calibrate.js, timed on the same data (a raw float32 file): NumPy's and
# torch's histograms, and NumPy's quantize + dequantize + error metrics. Prints JSON: each
# peer's median in milliseconds, or why it is missing.
import json
import sys
import time


def median_ms(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2]


def main():
    a = json.load(sys.stdin)
    out = {}
    try:
        import numpy as np
    except Exception as e:  # noqa: BLE001
        print(json.dumps({'missing': {'numpy': str(e), 'torch': 'needs numpy'}}))
        return
    x = np.fromfile(a['file'], dtype=np.float32)
    t, bins, s, z = a['threshold'], a['bins'], a['scale'], a['zeroPoint']
    out['numpy.histogram'] = median_ms(lambda: np.histogram(x, bins, range=(-t, t)), a['repeat'])

    def metrics():
        q = np.clip(np.rint(x / np.float32(s)) + z, -128, 127).astype(np.int8)
        xh = (q.astype(np.float32) - z) * np.float32(s)
        e = x.astype(np.float64) - xh
        mse = np.mean(e * e)
        x2 = np.sum(x.astype(np.float64) ** 2)
        return mse, np.max(np.abs(e)), 10 * np.log10(x2 / np.sum(e * e)), np.dot(x, xh) / (np.linalg.norm(x) * np.linalg.norm(xh))
    out['numpy quantize + dequantize + metrics'] = median_ms(metrics, a['repeat'])
    try:
        import torch
        torch.set_num_threads(a['threads'])
        tx = torch.from_numpy(x)
        out['torch.histc'] = median_ms(lambda: torch.histc(tx, bins, -t, t), a['repeat'])
        out['torch'] = torch.__version__
    except Exception as e:  # noqa: BLE001
        out.setdefault('missing', {})['torch'] = str(e)
    out['numpy'] = np.__version__
    print(json.dumps(out))


main()
