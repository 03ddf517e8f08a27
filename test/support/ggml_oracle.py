"""ggml itself as the oracle: libggml-base.so from the @node-llama-cpp/linux-x64 npm package
(a devDependency: llama.cpp's own ggml build, x86-64 baseline) through ctypes.

  python3 ggml_oracle.py LIB quantize TYPE IN.f32 OUT.bin   quantize_row_<type>_ref over IN
  python3 ggml_oracle.py LIB dequantize TYPE IN.bin N OUT.f32   dequantize_row_<type>
  python3 ggml_oracle.py LIB gguf FILE                       gguf_init_from_file: JSON of what ggml reads

Nothing here restates a formula: every byte comes from ggml's functions.
"""
import ctypes
import json
import sys

lib = ctypes.CDLL(sys.argv[1])
mode = sys.argv[2]

SUFFIX = {'q8_0': 'q8_0', 'q4_0': 'q4_0', 'q4_1': 'q4_1', 'q5_0': 'q5_0', 'q5_1': 'q5_1',
          'q4_k': 'q4_K', 'q5_k': 'q5_K', 'q6_k': 'q6_K'}
BLOCK = {'q8_0': (32, 34), 'q4_0': (32, 18), 'q4_1': (32, 20), 'q5_0': (32, 22), 'q5_1': (32, 24),
         'q4_k': (256, 144), 'q5_k': (256, 176), 'q6_k': (256, 210)}

if mode == 'quantize':
    t, src, dst = sys.argv[3], sys.argv[4], sys.argv[5]
    data = open(src, 'rb').read()
    n = len(data) // 4
    x = (ctypes.c_float * n).from_buffer_copy(data)
    elems, size = BLOCK[t]
    y = (ctypes.c_uint8 * (n // elems * size))()
    fn = getattr(lib, 'quantize_row_%s_ref' % SUFFIX[t])
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    fn.restype = None
    fn(x, y, n)
    open(dst, 'wb').write(bytes(y))
elif mode == 'dequantize':
    t, src, n, dst = sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
    data = open(src, 'rb').read()
    b = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    y = (ctypes.c_float * n)()
    fn = getattr(lib, 'dequantize_row_%s' % SUFFIX[t])
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    fn.restype = None
    fn(b, y, n)
    open(dst, 'wb').write(bytes(y))
elif mode == 'gguf':
    class Params(ctypes.Structure):
        _fields_ = [('no_alloc', ctypes.c_bool), ('ctx', ctypes.c_void_p)]
    lib.gguf_init_from_file.argtypes = [ctypes.c_char_p, Params]
    lib.gguf_init_from_file.restype = ctypes.c_void_p
    ctx = lib.gguf_init_from_file(sys.argv[3].encode(), Params(True, None))
    if not ctx:
        print(json.dumps({'ok': False}))
        sys.exit(0)
    def fn(name, res, *args):
        f = getattr(lib, name)
        f.argtypes = [ctypes.c_void_p] + list(args)
        f.restype = res
        return f
    n_tensors = fn('gguf_get_n_tensors', ctypes.c_int64)(ctx)
    name = fn('gguf_get_tensor_name', ctypes.c_char_p, ctypes.c_int64)
    ttype = fn('gguf_get_tensor_type', ctypes.c_int, ctypes.c_int64)
    offset = fn('gguf_get_tensor_offset', ctypes.c_size_t, ctypes.c_int64)
    tsize = fn('gguf_get_tensor_size', ctypes.c_size_t, ctypes.c_int64)
    n_kv = fn('gguf_get_n_kv', ctypes.c_int64)(ctx)
    key = fn('gguf_get_key', ctypes.c_char_p, ctypes.c_int64)
    kvtype = fn('gguf_get_kv_type', ctypes.c_int, ctypes.c_int64)
    out = {
        'ok': True,
        'version': fn('gguf_get_version', ctypes.c_uint32)(ctx),
        'alignment': fn('gguf_get_alignment', ctypes.c_size_t)(ctx),
        'dataOffset': fn('gguf_get_data_offset', ctypes.c_size_t)(ctx),
        'tensors': [{'name': name(ctx, i).decode(), 'type': ttype(ctx, i), 'offset': offset(ctx, i), 'size': tsize(ctx, i)} for i in range(n_tensors)],
        'kv': [{'key': key(ctx, i).decode(), 'type': kvtype(ctx, i)} for i in range(n_kv)],
    }
    print(json.dumps(out))
    fn('gguf_free', None)(ctx)
