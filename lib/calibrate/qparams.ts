// Parameters from an observed range, in the convention the caller names (README "Calibrate and
// compare", "Where the conventions differ"):
//   'onnx' (and 'tflite'): SPEC §2.3, the formulas computeParams uses (lib/params.ts).
//   'pytorch': torch.ao.quantization's ObserverBase._calculate_qparams (1.13), step by step in
//   float32: the range widened to hold 0; symmetric s = max(fl(a / ((qmax − qmin) / 2)), eps),
//   zero point 0 (signed), 128 (quint8 at its default range) or floor((qmin + qmax) / 2) (a
//   narrowed range: torch's "customized qrange"); affine s = max(fl(fl(max − min) / (qmax − qmin)), eps),
//   z = clamp(qmin − rint(fl(min / s)), qmin, qmax), ties to even (torch.round).
import type { DTypeInfo } from '../core/dtypes';
import { quantRange } from '../core/dtypes';
import { affineParams, float8Params, rintEven, symmetricParams, type ScaleZero } from '../core/params';

const f32 = Math.fround;

/** torch.finfo(torch.float32).eps, the floor of every scale torch's observers return. */
export const TORCH_EPS = 2 ** -23;

export function pytorchParams(min: number, max: number, info: DTypeInfo, bits: number, symmetric: boolean): ScaleZero {
  const [qmin, qmax] = quantRange(info, bits);
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (symmetric) {
    const a = Math.max(-lo, hi);
    let scale = f32(a / ((qmax - qmin) / 2)); // (qmax − qmin) / 2 is exact: 127.5, 63.5, …
    if (!(scale >= TORCH_EPS)) scale = TORCH_EPS;
    let zeroPoint = 0;
    if (!info.signed) zeroPoint = info.name === 'uint8' && bits === 8 ? 128 : Math.floor((qmin + qmax) / 2);
    return { scale, zeroPoint };
  }
  let scale = f32(f32(hi - lo) / (qmax - qmin));
  if (!(scale >= TORCH_EPS)) scale = TORCH_EPS;
  const z = qmin - rintEven(f32(lo / scale));
  return { scale, zeroPoint: Math.min(qmax, Math.max(qmin, z)) };
}

/** SPEC §2.3 (or the float8 rule): what computeParams gives for this range. */
export function onnxParams(min: number, max: number, info: DTypeInfo, bits: number, symmetric: boolean): ScaleZero {
  if (info.float8) return float8Params(min, max, info.float8.max);
  if (symmetric) return symmetricParams(min, max, bits, info.signed);
  const [qmin, qmax] = quantRange(info, bits);
  return affineParams(min, max, qmin, qmax);
}
