// quantkit: exact affine quantization (SPEC.md). This facade validates every argument once,
// then hands raw TypedArrays to the backend picked at load time (native addon or the
// bit-identical TypeScript fallback).
import type { FloatArray } from '../binding';
import { DTYPES, quantRange, type DType, type DTypeInfo, type QuantArrayOf } from './dtypes';
import { loadBackend, type BackendInfo } from './loader';
import { affineParams, symmetricParams } from './params';
import {
  checkBits,
  checkBoolean,
  checkDType,
  checkFinite,
  checkFloat32Out,
  checkFloatArray,
  checkOptions,
  checkOutShape,
  checkParams,
  checkQuantArray,
} from './validate';

export type { DType, QuantArrayOf, QuantArrayMap } from './dtypes';
export type { FloatArray, QuantArray } from '../binding';
export type { BackendInfo, BackendName } from './loader';

/** Per-tensor quantization parameters. `bits` (2 to the dtype's width) narrows [qmin, qmax]. */
export interface QuantParams<D extends DType = DType> {
  scale: number;
  zeroPoint: number;
  dtype: D;
  bits?: number;
}

export interface RangeOptions<D extends DType = DType> {
  /** Integer type; default 'uint8'. */
  dtype?: D;
  /** Width of the integer range inside the dtype (SPEC §2.5); default the dtype's width. */
  bits?: number;
  /** Zero point at the centre, scale from max(|min|, |max|); default false (affine). */
  symmetric?: boolean;
}

export interface DynamicOptions<D extends DType = DType> {
  dtype?: D;
  bits?: number;
  /** Where to write the quantized values (same length as x); allocated when absent. */
  out?: QuantArrayOf<D>;
}

export type DynamicResult<D extends DType = DType> = QuantParams<D> & { data: QuantArrayOf<D> };

const loaded = loadBackend();
const binding = loaded.binding;
// Where binding.minMax writes its two results; one per module instance (so per thread).
const range = new Float64Array(2);

/** Which backend is live: `name`, the kernel `isa`, the `version`, and `reason` for a fallback. */
export const backend: BackendInfo = Object.freeze({ ...loaded.info });

function rangeParams(min: number, max: number, info: DTypeInfo, bits: number, symmetric: boolean, what: string): QuantParams {
  const [qmin, qmax] = quantRange(info, bits);
  const { scale, zeroPoint } = symmetric
    ? symmetricParams(min, max, bits, info.signed)
    : affineParams(min, max, qmin, qmax);
  if (!(scale > 0 && Number.isFinite(scale))) {
    // Only a range too narrow (the step underflows float32) or too wide (max − min
    // overflows float32) gets here; such a scale cannot quantize anything.
    throw new RangeError(
      `Expected ${what} to give a positive finite float32 scale but it gives ${scale}`,
    );
  }
  const params: QuantParams = { scale, zeroPoint, dtype: info.name };
  if (bits !== info.width) params.bits = bits;
  return params;
}

interface CheckedRangeOptions {
  info: DTypeInfo;
  bits: number;
  symmetric: boolean;
}

function checkRangeOptions(opts: unknown): CheckedRangeOptions {
  const o = checkOptions(opts, 'opts');
  const info = checkDType(o.dtype, 'opts.dtype');
  return { info, bits: checkBits(o.bits, info, 'opts.bits'), symmetric: checkBoolean(o.symmetric, 'opts.symmetric') };
}

/** A float32 range end: finite as a double and still finite once rounded to float32. */
function checkRangeEnd(v: unknown, name: string): number {
  const f = Math.fround(checkFinite(v, name));
  if (!Number.isFinite(f)) throw new RangeError(`Expected a finite float32 for ${name} but received ${String(v)}`);
  return f;
}

/**
 * Parameters that map [min, max] onto the dtype's integer range (SPEC §2.3). The range is
 * widened to include 0; `min` and `max` are used as float32.
 */
export function paramsFromRange<D extends DType = 'uint8'>(min: number, max: number, opts?: RangeOptions<D>): QuantParams<D> {
  const lo = checkRangeEnd(min, 'min');
  const hi = checkRangeEnd(max, 'max');
  if (lo > hi) throw new RangeError(`Expected min <= max but received min ${min} and max ${max}`);
  const o = checkRangeOptions(opts);
  return rangeParams(lo, hi, o.info, o.bits, o.symmetric, `the range [${min}, ${max}]`) as QuantParams<D>;
}

/** Smallest and largest value of x as float32, NaN ignored; `{ min: NaN, max: NaN }` when x has no number. */
export function minMax(x: FloatArray): { min: number; max: number } {
  binding.minMax(checkFloatArray(x, 'x'), range);
  return { min: range[0], max: range[1] };
}

/** The range of x (NaN ignored; empty or all-NaN counts as [0, 0]) as parameters. */
function paramsOfData(x: FloatArray, o: CheckedRangeOptions): QuantParams {
  binding.minMax(x, range);
  let min = range[0];
  let max = range[1];
  if (Number.isNaN(min)) min = max = 0;
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new RangeError(`Expected x to hold only finite values (NaN is ignored) but its range is [${min}, ${max}]`);
  }
  return rangeParams(min, max, o.info, o.bits, o.symmetric, `x's range [${min}, ${max}]`);
}

/** Parameters for x's own range: `paramsFromRange(minMax(x))`, with empty or all-NaN x as [0, 0]. */
export function computeParams<D extends DType = 'uint8'>(x: FloatArray, opts?: RangeOptions<D>): QuantParams<D> {
  checkFloatArray(x, 'x');
  return paramsOfData(x, checkRangeOptions(opts)) as QuantParams<D>;
}

/**
 * q = clamp(rint(x / scale) + zeroPoint, qmin, qmax), NaN → zeroPoint (SPEC §2.1).
 * Writes into `out` when given (any byteOffset, no copy) and returns it.
 */
export function quantize<D extends DType>(x: FloatArray, params: QuantParams<D>, out?: QuantArrayOf<D>): QuantArrayOf<D> {
  checkFloatArray(x, 'x');
  const p = checkParams(params);
  let target: QuantArrayOf<D>;
  if (out === undefined) {
    target = new p.info.ctor(x.length) as QuantArrayOf<D>;
  } else {
    target = checkQuantArray(out, p.info, 'out') as QuantArrayOf<D>;
    checkOutShape(x, target, 'out');
  }
  binding.quantize(x, target, p.scale, p.zeroPoint, p.qmin, p.qmax);
  return target;
}

/** x = scale · (q − zeroPoint) in float32 (SPEC §2.2). Writes into `out` when given and returns it. */
export function dequantize<D extends DType>(q: QuantArrayOf<D>, params: QuantParams<D>, out?: Float32Array): Float32Array {
  const p = checkParams(params);
  checkQuantArray(q, p.info, 'q');
  let target: Float32Array;
  if (out === undefined) {
    target = new Float32Array(q.length);
  } else {
    target = checkFloat32Out(out, 'out');
    checkOutShape(q, target, 'out');
  }
  binding.dequantize(q, target, p.scale, p.zeroPoint);
  return target;
}

/**
 * ONNX DynamicQuantizeLinear, generalised (SPEC §2.4): the affine parameters of x's range,
 * and x quantized with them. An infinite value in x is a RangeError.
 */
export function quantizeDynamic<D extends DType = 'uint8'>(x: FloatArray, opts?: DynamicOptions<D>): DynamicResult<D> {
  checkFloatArray(x, 'x');
  const o = checkOptions(opts, 'opts');
  const range = checkRangeOptions({ dtype: o.dtype, bits: o.bits });
  let data: QuantArrayOf<D>;
  if (o.out === undefined) {
    data = new range.info.ctor(x.length) as QuantArrayOf<D>;
  } else {
    data = checkQuantArray(o.out, range.info, 'opts.out') as QuantArrayOf<D>;
    checkOutShape(x, data, 'opts.out');
  }
  const params = paramsOfData(x, range) as QuantParams<D>;
  const [qmin, qmax] = quantRange(range.info, range.bits);
  binding.quantize(x, data, params.scale, params.zeroPoint, qmin, qmax);
  // Built field by field: an object spread here costs more than the whole 1K quantization.
  const result: DynamicResult<D> = { scale: params.scale, zeroPoint: params.zeroPoint, dtype: params.dtype, data };
  if (params.bits !== undefined) result.bits = params.bits;
  return result;
}

export { DTYPES as dtypes };

const quantkit = { paramsFromRange, computeParams, minMax, quantize, dequantize, quantizeDynamic, backend, dtypes: DTYPES };
export default quantkit;
