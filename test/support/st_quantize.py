# The sentence-transformers oracle of test/embeddings.test.js: a NumPy restatement of
# sentence_transformers.quantize_embeddings as its current release computes it (ranges from
# `ranges`, else the calibration rows, else the embeddings; steps = (max - min) / 255 with 0
# replaced by 1; floor, clip to [0, 255], then the cast; packbits of x > 0 per row, first
# dimension in the most significant bit; binary = ubinary - 128). Run with /usr/bin/python3.
# Reads one JSON request on stdin, writes the codes' raw bytes to stdout.
import base64, json, sys

import numpy as np

req = json.loads(sys.stdin.read())
dim = req["dim"]


def rows(key):
    return np.frombuffer(base64.b64decode(req[key]), dtype=np.float32).reshape(-1, dim)


embeddings = rows("embeddings")
precision = req["precision"]
if precision.endswith("int8"):
    if req.get("ranges") is not None:
        ranges = rows("ranges")  # two rows: min, max
    elif req.get("calibration") is not None:
        calibration = rows("calibration")
        ranges = np.vstack((np.min(calibration, axis=0), np.max(calibration, axis=0)))
    else:
        ranges = np.vstack((np.min(embeddings, axis=0), np.max(embeddings, axis=0)))
    starts = ranges[0, :]
    steps = (ranges[1, :] - ranges[0, :]) / 255
    steps = np.where(steps == 0, 1, steps)
    assert steps.dtype == np.float32, steps.dtype
    q_vals = np.clip(np.floor((embeddings - starts) / steps), 0, 255)
    assert q_vals.dtype == np.float32, q_vals.dtype
    out = q_vals.astype(np.uint8) if precision == "uint8" else (q_vals - 128).astype(np.int8)
else:
    packed = np.packbits(embeddings > 0, axis=-1)
    out = packed if precision == "ubinary" else (packed - 128).astype(np.int8)
sys.stdout.buffer.write(np.ascontiguousarray(out).tobytes())
