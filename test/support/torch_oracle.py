# PyTorch as the oracle of the calibrate tests (test/support/torch.js): reads a JSON list of
# cases on stdin, runs each through torch.ao.quantization / torch.quantize_per_*, and writes
# the results as JSON. Every float32 is written as the exact double of its value.
import json
import sys

import torch
from torch.ao.quantization import observer as obs

DTYPES = {'quint8': torch.quint8, 'qint8': torch.qint8, 'qint32': torch.qint32}
SCHEMES = {
    'per_tensor_affine': torch.per_tensor_affine,
    'per_tensor_symmetric': torch.per_tensor_symmetric,
    'per_channel_affine': torch.per_channel_affine,
    'per_channel_symmetric': torch.per_channel_symmetric,
}


def tensor(b):
    return torch.tensor(b['data'], dtype=torch.float32).reshape(b['shape'])


def floats(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def run_observer(case):
    a = case['args']
    kwargs = {'dtype': DTYPES[a['dtype']], 'qscheme': SCHEMES[a['qscheme']]}
    for key in ('quant_min', 'quant_max', 'averaging_constant', 'ch_axis', 'bins'):
        if key in a:
            kwargs[key] = a[key]
    o = getattr(obs, case['cls'])(**kwargs)
    states = []
    for b in case['batches']:
        o(tensor(b))
        if hasattr(o, 'min_val'):
            states.append({'min': floats(o.min_val), 'max': floats(o.max_val)})
    scale, zero_point = o.calculate_qparams()
    return {'states': states, 'scale': floats(scale), 'zero_point': [int(v) for v in zero_point.reshape(-1).tolist()]}


def run_quantize(case):
    x = tensor(case)
    dtype = DTYPES[case['dtype']]
    if case['kind'] == 'quantize_per_tensor':
        q = torch.quantize_per_tensor(x, case['scale'], case['zero_point'], dtype)
    else:
        q = torch.quantize_per_channel(x, torch.tensor(case['scales'], dtype=torch.float64),
                                       torch.tensor(case['zero_points'], dtype=torch.int64), case['axis'], dtype)
    return {'q': [int(v) for v in q.int_repr().reshape(-1).tolist()]}


def main():
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        if case['kind'] == 'observer':
            out.append(run_observer(case))
        else:
            out.append(run_quantize(case))
    json.dump({'torch': torch.__version__, 'results': out}, sys.stdout)


main()
