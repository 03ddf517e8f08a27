# The torchvision oracle of test/preprocess-image.test.js, run with Debian's /usr/bin/python3
# (python3-torchvision). Reads one JSON request on stdin, writes raw bytes to stdout; or
# {"batch": [request, ...]}, answered with a JSON list of base64 strings.
#   {"op": "normalize", "width", "height", "channels" (3), "pixels" (base64 HWC bytes),
#    "mean", "std" (or null)}: Normalize(mean, std)(ToTensor()(img)), float32 CHW bytes.
#   {"op": "save", "width", "height", "channels", "tensor" (base64 float32 CHW), "mean", "std"
#    (or null)}: torchvision.utils.save_image of x * std + mean to a PNG, read back as HWC bytes.
import base64, io, json, sys

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.utils as U
from PIL import Image



def answer(req):
    h, w, c = req["height"], req["width"], req["channels"]
    if req["op"] == "normalize":
        img = np.frombuffer(base64.b64decode(req["pixels"]), dtype=np.uint8).reshape(h, w, c)
        t = T.ToTensor()(img)
        if req["mean"] is not None:
            t = T.Normalize(req["mean"], req["std"])(t)
        return t.contiguous().numpy().astype(np.float32).tobytes()
    t = torch.from_numpy(np.frombuffer(base64.b64decode(req["tensor"]), dtype=np.float32).copy().reshape(c, h, w))
    if req["mean"] is not None:
        t = t * torch.tensor(req["std"], dtype=torch.float32)[:, None, None] + torch.tensor(req["mean"], dtype=torch.float32)[:, None, None]
    buf = io.BytesIO()
    U.save_image(t, buf, format="png")
    return np.asarray(Image.open(io.BytesIO(buf.getvalue()))).astype(np.uint8).tobytes()


req = json.loads(sys.stdin.read())
if "batch" in req:
    # Many requests in one process (importing torch is the slow part): a JSON list of base64.
    sys.stdout.write(json.dumps([base64.b64encode(answer(r)).decode() for r in req["batch"]]))
else:
    sys.stdout.buffer.write(answer(req))
