// Parameters from a range: the notebook's s = (β−α)/(βq−αq), z = (β·αq − α·βq)/(β−α),
// evaluated in float32 exactly as ONNX Runtime's DynamicQuantizeLinear does (SPEC §2.3).
// Each arithmetic step is a double operation followed by Math.fround: for +, −, × and ÷
// of float32 operands that is the correctly rounded float32 result (53 ≥ 2·24 + 2 bits).

const f32 = Math.fround;

/** Round to the nearest integer, ties to even (Math.round rounds ties up). Never returns −0. */
export function rintEven(v: number): number {
  const r = Math.round(v);
  return (r - v === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

export interface ScaleZero {
  scale: number;
  zeroPoint: number;
}

/**
 * Affine parameters. `min`/`max` are float32 values; the range is widened to hold 0 so that
 * real 0.0 has an exact code. Returns a non-finite or zero scale untouched: callers decide.
 */
export function affineParams(min: number, max: number, qmin: number, qmax: number): ScaleZero {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const scale = hi === lo ? 1 : f32(f32(hi - lo) / (qmax - qmin));
  const initialZero = f32(qmin - f32(lo / scale));
  const zeroPoint = rintEven(Math.max(qmin, Math.min(qmax, initialZero)));
  return { scale, zeroPoint };
}

/**
 * Symmetric parameters: the zero point is the centre (0 signed, 2^(b−1) unsigned) and the
 * scale maps max(|min|, |max|) to 2^(b−1) − 1, so int8 uses [−127, 127].
 */
export function symmetricParams(min: number, max: number, bits: number, signed: boolean): ScaleZero {
  const a = Math.max(-Math.min(min, 0), Math.max(max, 0));
  const scale = a === 0 ? 1 : f32(a / (2 ** (bits - 1) - 1));
  return { scale, zeroPoint: signed ? 0 : 2 ** (bits - 1) };
}

/**
 * float8 parameters: zero point 0 and the scale that maps max(|min|, |max|) onto the
 * format's largest finite value `fmax` (448 for e4m3fn, 57344 for e5m2), 1 for [0, 0].
 */
export function float8Params(min: number, max: number, fmax: number): ScaleZero {
  const a = Math.max(-Math.min(min, 0), Math.max(max, 0));
  return { scale: a === 0 ? 1 : f32(a / fmax), zeroPoint: 0 };
}

// PyTorch's parameter math (convention 'pytorch'; README "Where the conventions differ"):
// torch.ao.quantization's ObserverBase._calculate_qparams (1.13), step by step in float32: the
// range widened to hold 0; symmetric s = max(fl(a / ((qmax − qmin) / 2)), eps), zero point 0
// (signed), 128 (quint8 at its default range) or floor((qmin + qmax) / 2) (a narrowed range:
// torch's "customized qrange"); affine s = max(fl(fl(max − min) / (qmax − qmin)), eps),
// z = clamp(qmin − rint(fl(min / s)), qmin, qmax), ties to even (torch.round).
/** torch.finfo(torch.float32).eps, the floor of every scale torch's observers return. */
export const TORCH_EPS = 2 ** -23;

export function pytorchParams(min: number, max: number, qmin: number, qmax: number, signed: boolean, defaultUint8: boolean, symmetric: boolean): ScaleZero {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (symmetric) {
    const a = Math.max(-lo, hi);
    let scale = f32(a / ((qmax - qmin) / 2)); // (qmax − qmin) / 2 is exact: 127.5, 63.5, …
    if (!(scale >= TORCH_EPS)) scale = TORCH_EPS;
    let zeroPoint = 0;
    if (!signed) zeroPoint = defaultUint8 ? 128 : Math.floor((qmin + qmax) / 2);
    return { scale, zeroPoint };
  }
  let scale = f32(f32(hi - lo) / (qmax - qmin));
  if (!(scale >= TORCH_EPS)) scale = TORCH_EPS;
  const z = qmin - rintEven(f32(lo / scale));
  return { scale, zeroPoint: Math.min(qmax, Math.max(qmin, z)) };
}

