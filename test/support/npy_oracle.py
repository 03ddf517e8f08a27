# NumPy as the oracle of test/io-npy.test.js (run by /usr/bin/python3, which has numpy).
# Request on stdin (JSON):
#   {"write": [case...], "load": [path...]}
#   case: {"file", "descr", "shape", "fortran", "version": [M, m] | null, "seed"}  -> a .npy
#         {"file", "npz": {"compressed": bool, "members": {name: case}}}         -> an .npz
# Answer (JSON): {"written": {file or file:member: {"c": b64, "f32": b64}}, "loaded": {path: ...}}
# where "c" is the array's bytes in C order and its stored byte order, "f32" its float32 values.
import base64, json, sys, warnings
import numpy as np

warnings.simplefilter('ignore')
b64 = lambda b: base64.b64encode(b).decode()


def make(case):
    dt = np.dtype(case['descr'])
    rng = np.random.default_rng(case['seed'])
    shape = tuple(case['shape'])
    n = int(np.prod(shape)) if shape else 1
    if dt.kind == 'b':
        a = rng.integers(0, 2, n).astype(dt)
    elif dt.kind in 'iu':
        info = np.iinfo(dt)
        a = rng.integers(info.min, info.max, n, dtype=dt.newbyteorder('=') if dt.itemsize > 1 else dt, endpoint=True).astype(dt)
    else:
        a = (rng.standard_normal(n) * 100).astype(dt)
        special = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 65504.0, 1e-7], dtype=dt)
        a[: min(n, len(special))] = special[: min(n, len(special))]
    a = a.reshape(shape)
    if case.get('fortran'):
        a = np.asfortranarray(a)
    return a


def facts(a):
    return {'c': b64(np.ascontiguousarray(a).tobytes()), 'f32': b64(np.ascontiguousarray(a.astype('<f4')).tobytes()),
            'descr': np.lib.format.dtype_to_descr(a.dtype), 'shape': list(a.shape), 'fortran': bool(a.flags.f_contiguous and not a.flags.c_contiguous)}


req = json.load(sys.stdin)
written, loaded = {}, {}
for case in req.get('write', []):
    if 'npz' in case:
        arrays = {k: make(c) for k, c in case['npz']['members'].items()}
        (np.savez_compressed if case['npz']['compressed'] else np.savez)(case['file'], **arrays)
        for k, a in arrays.items():
            written[case['file'] + ':' + k] = facts(a)
        continue
    a = make(case)
    with open(case['file'], 'wb') as f:
        np.lib.format.write_array(f, a, version=tuple(case['version']) if case.get('version') else None)
    written[case['file']] = facts(a)
for path in req.get('load', []):
    r = np.load(path, allow_pickle=False)
    if isinstance(r, np.ndarray):
        loaded[path] = facts(r)
    else:
        loaded[path] = {'files': list(r.files), 'members': {k: facts(r[k]) for k in r.files}}
json.dump({'written': written, 'loaded': loaded}, sys.stdout)
