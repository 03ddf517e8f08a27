// What observers share: the target of params() (dtype, bits, symmetric, convention) and its
// parameter math per convention, and reading one batch (its range, ±Inf refused by index).
import type { FloatArray, QuantkitBinding } from '../../binding';
import type { DTypeInfo } from '../core/dtypes';
import { halfWidener, isHalf, type CheckedHalf } from '../core/half-input';
import { checkBits, checkBoolean, checkConvention, checkDType, checkFloat8Convention, describe, CONVENTION_NAMES, type Convention } from '../core/validate';
import type { QuantParams } from '../affine';
import { onnxParams, pytorchParams } from './qparams';

const f32 = Math.fround;

export interface TensorRange { min: number; max: number }

export interface CheckedTarget {
  info: DTypeInfo;
  bits: number;
  symmetric: boolean;
  convention: Convention | undefined;
  pytorch: boolean;
}

/** dtype, bits, symmetric and convention of params() (or of a histogram observer's target). */
export function checkTarget(o: Record<string, unknown>, prefix: string, defaults: Partial<CheckedTarget> = {}): CheckedTarget {
  const info = o.dtype === undefined && defaults.info ? defaults.info : checkDType(o.dtype, `${prefix}.dtype`);
  const bits = o.bits === undefined && defaults.info === info && defaults.bits !== undefined ? defaults.bits : checkBits(o.bits, info, `${prefix}.bits`);
  const symmetric = o.symmetric === undefined && defaults.symmetric !== undefined ? defaults.symmetric : checkBoolean(o.symmetric, `${prefix}.symmetric`);
  const conv = o.convention === undefined ? defaults.convention : o.convention;
  const rounding = info.float8 ? checkFloat8Convention(conv, `${prefix}.convention`) : checkConvention(conv, `${prefix}.convention`);
  const convention = conv === undefined ? undefined : CONVENTION_NAMES[rounding];
  return { info, bits, symmetric, convention, pytorch: convention === 'pytorch' };
}

/** Scale and zero point of one range under the target's convention; RangeError when no float32 scale fits. */
export function scaleZeroOf(min: number, max: number, t: CheckedTarget, what: string): { scale: number; zeroPoint: number } {
  const p = t.pytorch ? pytorchParams(min, max, t.info, t.bits, t.symmetric) : onnxParams(min, max, t.info, t.bits, t.symmetric);
  if (!(p.scale > 0 && Number.isFinite(p.scale))) {
    throw new RangeError(`Expected ${what} to give a positive finite float32 scale but it gives ${p.scale}`);
  }
  return p;
}

export function tensorParams(min: number, max: number, t: CheckedTarget): QuantParams {
  const { scale, zeroPoint } = scaleZeroOf(min, max, t, `the observed range [${min}, ${max}]`);
  const params: QuantParams = { scale, zeroPoint, dtype: t.info.name };
  if (t.bits !== t.info.width && !t.info.float8) params.bits = t.bits;
  if (t.convention !== undefined) params.convention = t.convention;
  return params;
}

/** The index and value of x's first element that is ±Inf as float32 (x is known to hold one). */
function firstInfinite(x: FloatArray): string {
  for (let i = 0; i < x.length; i++) {
    const v = f32(x[i]);
    if (v === Infinity || v === -Infinity) return `x[${i}] = ${describe(x[i])}`;
  }
  return 'an infinite value';
}

export function refuseInfinite(x: FloatArray): never {
  throw new RangeError(`Expected finite float32 values for x (NaN is ignored) but received ${firstInfinite(x)}`);
}

export interface BatchReader {
  /** x as float32 values: the array itself, or 16-bit floats widened (whole). */
  floats(x: FloatArray | CheckedHalf): FloatArray;
  /** min, max of the batch (NaN, NaN when it has no number); RangeError naming the first ±Inf. */
  range(x: FloatArray | CheckedHalf): TensorRange;
}

export function batchReader(binding: QuantkitBinding): BatchReader {
  const half = halfWidener(binding);
  const out = new Float64Array(2);
  const floats = (x: FloatArray | CheckedHalf): FloatArray => (isHalf(x) ? half.whole(x) : x);
  return {
    floats,
    range(x) {
      let r: TensorRange;
      if (isHalf(x)) r = half.minMax(x);
      else {
        binding.minMax(x, out);
        r = { min: out[0], max: out[1] };
      }
      if (r.min === -Infinity || r.max === Infinity) refuseInfinite(floats(x));
      return r;
    },
  };
}

