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
import { affineParams, float8Params, pytorchParams as corePytorchParams, symmetricParams, type ScaleZero } from '../core/params';

export { TORCH_EPS } from '../core/params';

export function pytorchParams(min: number, max: number, info: DTypeInfo, bits: number, symmetric: boolean): ScaleZero {
  const [qmin, qmax] = quantRange(info, bits);
  return corePytorchParams(min, max, qmin, qmax, info.signed, info.name === 'uint8' && bits === 8, symmetric);
}

/** SPEC §2.3 (or the float8 rule): what computeParams gives for this range. */
export function onnxParams(min: number, max: number, info: DTypeInfo, bits: number, symmetric: boolean): ScaleZero {
  if (info.float8) return float8Params(min, max, info.float8.max);
  if (symmetric) return symmetricParams(min, max, bits, info.signed);
  const [qmin, qmax] = quantRange(info, bits);
  return affineParams(min, max, qmin, qmax);
}
