// Per-tensor affine quantization (SPEC.md §2–4): paramsFromRange, computeParams, minMax,
// quantize, dequantize, quantizeDynamic, pack and unpack. Each validates every argument once,
// then hands raw TypedArrays to the live backend (native addon or the bit-identical TypeScript
// one); an `axis` sends the call to lib/axis, 16-bit float input is widened by core/half-input.
import type { FloatArray, Rounding } from '../../binding';
import { packedBytes, quantRange, type DType, type DTypeInfo, type Float8DType, type PackedDType, type QuantArrayOf } from '../core/dtypes';
import { checkQuantInput, halfWidener, HALF_CHUNK, isHalf, type CheckedHalf, type QuantInput } from '../core/half-input';
import { backend, binding } from '../core/backend';
import { axisApi, hasAxis, AXIS_MINMAX_KEYS, AXIS_RANGE_KEYS, type AxisDynamicOptions, type AxisDynamicResult, type AxisLayoutOptions, type AxisParams, type AxisRange, type AxisRangeOptions } from '../axis';
import { affineParams, float8Params, pytorchParams, symmetricParams } from '../core/params';
import {
  checkBits,
  checkBoolean,
  checkByteValues,
  checkConvention,
  checkCount,
  checkDisjoint,
  checkDType,
  checkFinite,
  checkFloat32Out,
  checkOptions,
  checkOutShape,
  checkPackedDType,
  checkPackedLength,
  checkParams,
  checkQuantArray,
  typedArrayKind,
  arrayKindOf,
  checkUnpackedOut,
  checkFloat8Convention,
  checkKeys,
  describe,
  keySet,
  CONVENTION_NAMES,
  type CheckedParams,
  type Convention,
} from '../core/validate';

/** Per-tensor quantization parameters. `bits` (2 to the dtype's width) narrows [qmin, qmax]. */
export interface QuantParams<D extends DType = DType> {
  scale: number;
  /** An integer in [qmin, qmax]; 0 for the float8 dtypes (see Float8Params). */
  zeroPoint: D extends Float8DType ? 0 : number;
  dtype: D;
  bits?: number;
  /**
   * Whose rounding quantize reproduces (README "Conventions"): 'onnx' (default) fl(x / s) ties
   * to even, 'pytorch' fl(x · fl(1 / s)) ties to even, 'tflite' fl(x / s) ties away from zero.
   * Dequantize is the same in all three and ignores it.
   */
  convention?: Convention;
  /**
   * Element count of a packed tensor (uint4/int4/uint2/int2), for dequantize without `out`:
   * the packed bytes alone do not say whether the last one holds one element or two.
   * quantizeDynamic sets it for packed dtypes; ignored for the others.
   */
  count?: number;
  /**
   * float8 dtypes only (ignored for the others, as ONNX ignores it): an overflow or ±Inf
   * becomes ±max when true (the default, ONNX's), NaN (e4m3fn) or ±Inf (e5m2) when false.
   */
  saturate?: boolean;
}

/**
 * Parameters of a float8 dtype (README "float8"). The zero point is 0 and may be left out:
 * ONNX Runtime ignores a float8 zero point in QuantizeLinear and refuses any other in
 * DequantizeLinear. `saturate` defaults to true.
 */
export interface Float8Params<D extends Float8DType = Float8DType> {
  scale: number;
  zeroPoint?: 0;
  dtype: D;
  saturate?: boolean;
}

/** One value per byte, as `unpack` returns it: Int8Array for int4/int2, Uint8Array for uint4/uint2. */
export type UnpackedArrayOf<D extends PackedDType> = D extends 'int4' | 'int2' ? Int8Array : Uint8Array;

export interface RangeOptions<D extends DType = DType> {
  /** Integer type; default 'uint8'. */
  dtype?: D;
  /** Width of the integer range inside the dtype (SPEC §2.5); default the dtype's width. */
  bits?: number;
  /** Zero point at the centre, scale from max(|min|, |max|); default false (affine). */
  symmetric?: boolean;
  /**
   * Copied into the returned parameters, and whose parameter math: 'pytorch' is torch.ao's
   * calculate_qparams (its eps floor, the (qmax − qmin)/2 symmetric divisor, its zero point);
   * 'onnx' (default) and 'tflite' are SPEC §2.3 (README "Where the conventions differ").
   */
  convention?: Convention;
}

export interface DynamicOptions<D extends DType = DType> {
  dtype?: D;
  bits?: number;
  /** As in computeParams: zero point at the centre, scale from max(|min|, |max|). */
  symmetric?: boolean;
  /** The rounding to quantize with (QuantParams.convention); carried into the result. */
  convention?: Convention;
  /**
   * Where to write the quantized values (same length as x; for a packed dtype a Uint8Array
   * of ceil(x.length · width / 8) bytes); allocated when absent.
   */
  out?: QuantArrayOf<D>;
}

/** The codes with their parameters; for the packed dtypes also `count`, the element count dequantize needs. */
export type DynamicResult<D extends DType = DType> = QuantParams<D> & { data: QuantArrayOf<D> } & (D extends PackedDType ? { count: number } : unknown);

// The addon and the WebAssembly module check that out shares no byte with x before they write
// (native/args CheckNoOverlap); the TypeScript backend checks nothing, so there the facade does.
const ADDON_CHECKS_OVERLAP = backend.name !== 'fallback';

// Where binding.minMax writes its two results; one per module instance (so per thread).
const range = new Float64Array(2);

// Per-axis and blocked parameters (README "Per-axis and blocked parameters").
const axis = axisApi(binding);

// float16 / bfloat16 input (README "float16 and bfloat16 input").
const half = halfWidener(binding);

function rangeParams(min: number, max: number, info: DTypeInfo, bits: number, symmetric: boolean, convention: Convention | undefined, what: string): QuantParams {
  const [qmin, qmax] = info.float8 ? [0, 0] : quantRange(info, bits);
  // One switch says whose rounding and whose parameter math: 'pytorch' takes torch.ao's
  // calculate_qparams (README "Where the conventions differ"), the others SPEC §2.3.
  const { scale, zeroPoint } = info.float8
    ? float8Params(min, max, info.float8.max)
    : convention === 'pytorch'
      ? pytorchParams(min, max, qmin, qmax, info.signed, info.name === 'uint8' && bits === 8, symmetric)
      : symmetric
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
  if (convention !== undefined) params.convention = convention;
  return params;
}

interface CheckedRangeOptions {
  info: DTypeInfo;
  bits: number;
  symmetric: boolean;
  /** opts.convention as given (undefined when absent) and as the binding's rounding. */
  convention: Convention | undefined;
  rounding: Rounding;
}

// 'axis' may be present and undefined; 'shape' and 'blockSize' without axis get checkNoAxisKeys' message.
const RANGE_KEYS = keySet(['dtype', 'bits', 'symmetric', 'convention'], "(with 'axis' and 'shape': also 'blockSize')", ['axis', 'shape', 'blockSize']);
const DYNAMIC_KEYS = keySet(['dtype', 'bits', 'symmetric', 'convention', 'out'], "(with 'axis' and 'shape': also 'blockSize')", ['axis', 'shape', 'blockSize']);

// blockSize or shape without axis would be ignored, and one scale would silently cover the
// whole tensor: a RangeError that says what is missing.
function checkNoAxisKeys(o: Record<string, unknown>, name: string): void {
  for (const key of ['blockSize', 'shape'] as const) {
    if (o[key] !== undefined) {
      throw new RangeError(
        `Expected ${name}.axis alongside ${name}.${key} but received undefined (per-axis and blocked ${name === 'params' ? 'parameters' : 'options'} need both axis and shape; without axis they are per-tensor)`,
      );
    }
  }
}

function checkRangeOptions(opts: unknown, keys = RANGE_KEYS): CheckedRangeOptions {
  const o = checkOptions(opts, 'opts');
  checkKeys(o, keys, 'opts');
  checkNoAxisKeys(o, 'opts');
  const info = checkDType(o.dtype, 'opts.dtype');
  const bits = checkBits(o.bits, info, 'opts.bits');
  const symmetric = checkBoolean(o.symmetric, 'opts.symmetric');
  const rounding = info.float8 ? checkFloat8Convention(o.convention, 'opts.convention') : checkConvention(o.convention, 'opts.convention');
  return { info, bits, symmetric, convention: o.convention === undefined ? undefined : CONVENTION_NAMES[rounding], rounding };
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
 * Per-axis: `min` and `max` are arrays (Float32Array, Float64Array or Array) with one range per
 * channel (or block) and `opts` has `axis` and `shape`, as `minMax(x, { axis, shape })` returns
 * them; a channel whose min and max are both NaN (no number) counts as [0, 0]. Errors: TypeError
 * for a wrong type or unknown option, RangeError for min > max, a non-finite end or a length
 * that is not the channel (block) count.
 */
export function paramsFromRange<D extends DType = 'uint8'>(min: ArrayLike<number | null>, max: ArrayLike<number | null>, opts: AxisRangeOptions<D>): AxisParams<D>;
export function paramsFromRange<D extends DType = 'uint8'>(min: number, max: number, opts?: RangeOptions<D>): QuantParams<D>;
export function paramsFromRange<D extends DType = 'uint8'>(min: number | ArrayLike<number | null>, max: number | ArrayLike<number | null>, opts?: RangeOptions<D> | AxisRangeOptions<D>): QuantParams<D> | AxisParams<D> {
  if (typeof min === 'object' && min !== null) {
    const o = checkOptions(opts, 'opts');
    checkKeys(o, AXIS_RANGE_KEYS, 'opts');
    if (!hasAxis(o)) throw new TypeError(`Expected opts.axis and opts.shape with per-channel ranges (min is ${describe(min)}) but received ${o.axis === undefined ? 'no axis' : describe(o.axis)}`);
    return axis.paramsFromRanges(min, max, o) as AxisParams<D>;
  }
  if (hasAxis(opts)) throw new TypeError(`Expected arrays of per-channel ranges for min and max with opts.axis but received ${describe(min)} and ${describe(max)}`);
  const lo = checkRangeEnd(min, 'min');
  const hi = checkRangeEnd(max, 'max');
  if (lo > hi) throw new RangeError(`Expected min <= max but received min ${min} and max ${max}`);
  const o = checkRangeOptions(opts);
  return rangeParams(lo, hi, o.info, o.bits, o.symmetric, o.convention, `the range [${min}, ${max}]`) as QuantParams<D>;
}

/**
 * Smallest and largest value of x as float32, NaN ignored; `{ min: NaN, max: NaN }` when x has no number.
 * x may also be float16 / bfloat16 (a Float16Array, or `{ format, bits }`).
 */
export function minMax(x: QuantInput): { min: number; max: number };
/**
 * Per channel (or per block): `{ axis, shape, blockSize? }` as for per-axis parameters; the
 * ranges come back as Float32Arrays of one value per channel (block), NaN where a channel
 * holds no number. They feed `paramsFromRange(min, max, { axis, shape, … })`.
 */
export function minMax(x: QuantInput, opts: AxisLayoutOptions): AxisRange;
export function minMax(x: QuantInput, opts?: AxisLayoutOptions): { min: number; max: number } | AxisRange {
  const input = checkQuantInput(x, 'x');
  if (opts !== undefined) {
    const o = checkOptions(opts, 'opts');
    if (hasAxis(o)) return axis.minMax(isHalf(input) ? half.whole(input) : input, o);
    // Options only make sense per channel: refuse them here rather than ignore them.
    checkKeys(o, AXIS_MINMAX_KEYS, 'opts');
    checkNoAxisKeys(o, 'opts');
  }
  if (isHalf(input)) return half.minMax(input);
  binding.minMax(input, range);
  return { min: range[0], max: range[1] };
}

/** The range of x (NaN ignored; empty or all-NaN counts as [0, 0]) as parameters. */
function paramsOfData(x: FloatArray, o: CheckedRangeOptions): QuantParams {
  binding.minMax(x, range);
  return paramsOfRange(range[0], range[1], o);
}

/** paramsOfData for a range already found (NaN, NaN: no number in the data). */
function paramsOfRange(dataMin: number, dataMax: number, o: CheckedRangeOptions): QuantParams {
  let min = dataMin;
  let max = dataMax;
  if (Number.isNaN(min)) min = max = 0;
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new RangeError(`Expected x to hold only finite values (NaN is ignored) but its range is [${min}, ${max}]`);
  }
  return rangeParams(min, max, o.info, o.bits, o.symmetric, o.convention, `x's range [${min}, ${max}]`);
}

/**
 * Parameters for x's own range: `paramsFromRange(minMax(x))`, with empty or all-NaN x as [0, 0].
 * With `axis` and `shape` (and `blockSize`): one scale and zero point per channel or block,
 * each from that channel's or block's range.
 */
export function computeParams<D extends DType = 'uint8'>(x: QuantInput, opts: AxisRangeOptions<D>): AxisParams<D>;
export function computeParams<D extends DType = 'uint8'>(x: QuantInput, opts?: RangeOptions<D>): QuantParams<D>;
export function computeParams<D extends DType = 'uint8'>(x: QuantInput, opts?: RangeOptions<D> | AxisRangeOptions<D>): QuantParams<D> | AxisParams<D> {
  const input = checkQuantInput(x, 'x');
  if (isHalf(input)) {
    // Per-axis ranges read the whole tensor in axis order: widen it once.
    if (hasAxis(opts)) return axis.computeParams(half.whole(input), opts as Record<string, unknown>) as AxisParams<D>;
    const o = checkRangeOptions(opts);
    const r = half.minMax(input);
    return paramsOfRange(r.min, r.max, o) as QuantParams<D>;
  }
  if (hasAxis(opts)) return axis.computeParams(input, opts as Record<string, unknown>) as AxisParams<D>;
  return paramsOfData(input, checkRangeOptions(opts)) as QuantParams<D>;
}

/** The Uint8Array of float8 codes for x: `out` checked, or a new one. */
function float8Target(x: FloatArray, info: DTypeInfo, out: unknown, name: string): Uint8Array {
  if (out === undefined) return new Uint8Array(x.length);
  const target = checkQuantArray(out, info, name) as Uint8Array;
  checkOutShape(x, target, name);
  return target;
}

/** The packed Uint8Array for x's elements: `out` checked, or a new one. */
function packedTarget(x: ArrayBufferView & { length: number }, info: DTypeInfo, out: unknown, name: string): Uint8Array {
  if (out === undefined) return new Uint8Array(packedBytes(x.length, info.width));
  const target = checkQuantArray(out, info, name) as Uint8Array;
  checkPackedLength(target, x.length, info, name);
  checkDisjoint(x, target, name);
  return target;
}

function quantizePacked(x: FloatArray, p: CheckedParams, out: unknown, count: unknown): Uint8Array {
  // params.count (from quantizeDynamic, for dequantize) must describe this tensor when given.
  if (count !== undefined && checkCount(count, 'params.count') !== x.length) {
    throw new RangeError(`Expected params.count to equal x.length ${x.length} but received ${count}`);
  }
  const target = packedTarget(x, p.info, out, 'out');
  binding.quantizePacked(x, target, p.info.width, p.info.signed, p.scale, p.zeroPoint, p.qmin, p.qmax, p.rounding);
  return target;
}

/**
 * q = clamp(rint(x / scale) + zeroPoint, qmin, qmax), NaN → zeroPoint (SPEC §2.1); params.convention
 * 'pytorch' or 'tflite' reproduces those frameworks' rounding instead (README "Conventions").
 * Writes into `out` when given (any byteOffset, no copy) and returns it. For uint4, int4,
 * uint2 and int2 the result is packed (ONNX order) into a Uint8Array of ceil(n · width / 8) bytes.
 * For float8e4m3fn and float8e5m2 it is the float8 code of fl(x / scale) per element, in a
 * Uint8Array: round to nearest even, overflow by `params.saturate` (README "float8").
 */
export function quantize<D extends Float8DType>(x: QuantInput, params: Float8Params<D>, out?: Uint8Array): Uint8Array;
export function quantize<D extends DType>(x: QuantInput, params: QuantParams<D> | AxisParams<D>, out?: QuantArrayOf<D>): QuantArrayOf<D>;
export function quantize<D extends DType>(x: QuantInput, params: QuantParams<D> | AxisParams<D> | Float8Params, out?: QuantArrayOf<D>): QuantArrayOf<D> {
  // The call a server makes per request (a float array, per-tensor integer params, `out`
  // given) takes a shorter road to the same checks, in the same order (bench/overhead.js):
  // - x and out of one non-zero length: then neither can be detached nor out of bounds (a
  //   detached or shrunk-away view reads as length 0), so checkAttached has nothing to find;
  // - the overlap check reads both `.buffer`s, a third of the facade's cost per call. The
  //   addon refuses overlap itself, by pointer, before it writes anything; so with the addon
  //   live the facade leaves it to the addon, and if the addon throws, the full checks below
  //   run again to throw the facade's own, more precise error.
  // Anything else (empty arrays, other dtypes, no `out`, errors) takes the general road.
  const kind = typedArrayKind(x);
  if ((kind === 'Float32Array' || kind === 'Float64Array') && out !== undefined && !hasAxis(params)) {
    const n = (x as FloatArray).length;
    if (n !== 0 && typedArrayKind(out) !== undefined && (out as QuantArrayOf<D>).length === n) {
      const p = checkParams(params);
      if (!p.info.packed && p.info.float8 === undefined && typedArrayKind(out) === arrayKindOf(p.info)) {
        if (!ADDON_CHECKS_OVERLAP) {
          checkDisjoint(x as FloatArray, out as QuantArrayOf<D>, 'out');
          binding.quantize(x as FloatArray, out as QuantArrayOf<D>, p.scale, p.zeroPoint, p.qmin, p.qmax, p.rounding);
          return out;
        }
        try {
          binding.quantize(x as FloatArray, out as QuantArrayOf<D>, p.scale, p.zeroPoint, p.qmin, p.qmax, p.rounding);
        } catch (e) {
          quantizeFloat(x as FloatArray, params, out); // throws the facade's error (overlap)
          throw e;
        }
        return out;
      }
    }
  }
  const input = checkQuantInput(x, 'x');
  if (isHalf(input)) return quantizeHalf(input, params, out) as QuantArrayOf<D>;
  return quantizeFloat(input, params, out);
}

function quantizeFloat<D extends DType>(x: FloatArray, params: QuantParams<D> | AxisParams<D> | Float8Params, out?: QuantArrayOf<D>): QuantArrayOf<D> {
  if (hasAxis(params)) return axis.quantize(x, params as unknown as Record<string, unknown>, out) as QuantArrayOf<D>;
  const p = checkParams(params);
  if (p.info.packed) return quantizePacked(x, p, out, (params as QuantParams).count) as QuantArrayOf<D>;
  if (p.info.float8) {
    const codes = float8Target(x, p.info, out, 'out');
    binding.quantizeFloat8(x, codes, p.info.float8.format, p.saturate, p.scale);
    return codes as QuantArrayOf<D>;
  }
  let target: QuantArrayOf<D>;
  if (out === undefined) {
    target = new p.info.ctor(x.length) as QuantArrayOf<D>;
  } else {
    target = checkQuantArray(out, p.info, 'out') as QuantArrayOf<D>;
    checkOutShape(x, target, 'out');
  }
  binding.quantize(x, target, p.scale, p.zeroPoint, p.qmin, p.qmax, p.rounding);
  return target;
}

/**
 * quantize for 16-bit float input: each chunk widened to float32, then quantized into the
 * matching slice of the target (whole bytes for packed dtypes: HALF_CHUNK is a multiple of 8).
 */
function quantizeHalf(h: CheckedHalf, params: QuantParams | AxisParams | Float8Params, out: unknown): QuantArrayOf<DType> {
  // Per-axis and blocked parameters index the whole tensor: widen it once.
  if (hasAxis(params)) return quantizeFloat(half.whole(h), params, out as QuantArrayOf<DType>);
  const p = checkParams(params);
  const n = h.bits.length;
  const width = p.info.width;
  // A packed params.count describes the whole tensor, not a chunk: checked here, not passed on.
  const count = (params as QuantParams).count;
  if (p.info.packed && count !== undefined) {
    if (checkCount(count, 'params.count') !== n) throw new RangeError(`Expected params.count to equal x.length ${n} but received ${count}`);
    params = { ...(params as QuantParams), count: undefined };
  }
  let target: QuantArrayOf<DType>;
  if (p.info.packed) {
    target = packedTarget(h.bits, p.info, out, 'out');
  } else if (out === undefined) {
    target = new p.info.ctor(n);
  } else {
    target = checkQuantArray(out, p.info, 'out');
    checkOutShape(h.bits, target, 'out');
  }
  for (let i = 0; i < n; i += HALF_CHUNK) {
    const length = Math.min(HALF_CHUNK, n - i);
    const slice = p.info.packed
      ? target.subarray((i * width) / 8, (i * width) / 8 + packedBytes(length, width))
      : target.subarray(i, i + length);
    quantizeFloat(half.chunk(h, i, length), params as QuantParams, slice as QuantArrayOf<DType>);
  }
  return target;
}

// A packed tensor's element count comes from `out` or from params.count (both: they must agree).
function dequantizePacked(q: unknown, params: QuantParams, p: CheckedParams, out: unknown): Float32Array {
  const packed = checkQuantArray(q, p.info, 'q') as Uint8Array;
  const count = params.count;
  let target: Float32Array | undefined;
  let n: number;
  if (out === undefined) {
    if (count === undefined) {
      throw new TypeError(`Expected an element count for params.count (dtype '${p.info.name}' is packed; or pass out) but received undefined`);
    }
    n = checkCount(count, 'params.count');
  } else {
    target = checkFloat32Out(out, 'out');
    n = target.length;
    if (count !== undefined && checkCount(count, 'params.count') !== n) {
      throw new RangeError(`Expected params.count to equal out.length ${n} but received ${count}`);
    }
  }
  checkPackedLength(packed, n, p.info, 'q');
  if (target === undefined) target = new Float32Array(n);
  else checkDisjoint(packed, target, 'out');
  binding.dequantizePacked(packed, target, p.info.width, p.info.signed, p.scale, p.zeroPoint);
  return target;
}

/**
 * x = scale · (q − zeroPoint) in float32 (SPEC §2.2). Writes into `out` when given and returns it.
 * A packed q (uint4/int4/uint2/int2) needs its element count: out.length, or params.count.
 * float8 codes dequantize to fl(value · scale), −0 and ±Inf included; NaN codes to NaN.
 */
export function dequantize<D extends Float8DType>(q: Uint8Array, params: Float8Params<D>, out?: Float32Array): Float32Array;
export function dequantize<D extends DType>(q: QuantArrayOf<D>, params: QuantParams<D> | AxisParams<D>, out?: Float32Array): Float32Array;
export function dequantize<D extends DType>(q: QuantArrayOf<D>, params: QuantParams<D> | AxisParams<D> | Float8Params, out?: Float32Array): Float32Array {
  if (hasAxis(params)) return axis.dequantize(q, params as unknown as Record<string, unknown>, out);
  const p = checkParams(params);
  if (p.info.packed) return dequantizePacked(q, params as QuantParams, p, out);
  if (p.info.float8) {
    const codes = checkQuantArray(q, p.info, 'q') as Uint8Array;
    let target: Float32Array;
    if (out === undefined) {
      target = new Float32Array(codes.length);
    } else {
      target = checkFloat32Out(out, 'out');
      checkOutShape(codes, target, 'out');
    }
    binding.dequantizeFloat8(codes, target, p.info.float8.format, p.scale);
    return target;
  }
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
export function quantizeDynamic<D extends DType = 'uint8'>(x: QuantInput, opts: AxisDynamicOptions<D>): AxisDynamicResult<D>;
export function quantizeDynamic<D extends DType = 'uint8'>(x: QuantInput, opts?: DynamicOptions<D>): DynamicResult<D>;
export function quantizeDynamic<D extends DType = 'uint8'>(x: QuantInput, opts?: DynamicOptions<D> | AxisDynamicOptions<D>): DynamicResult<D> | AxisDynamicResult<D> {
  const input = checkQuantInput(x, 'x');
  const o = checkOptions(opts, 'opts');
  // 16-bit input: the range and the codes both need every value; one widened copy serves both.
  return quantizeDynamicFloat(isHalf(input) ? half.whole(input) : input, o) as DynamicResult<D> | AxisDynamicResult<D>;
}

function quantizeDynamicFloat<D extends DType = 'uint8'>(x: FloatArray, o: Record<string, unknown>): DynamicResult<D> | AxisDynamicResult<D> {
  if (hasAxis(o)) return axis.quantizeDynamic(x, o) as AxisDynamicResult<D>;
  const range = checkRangeOptions(o, DYNAMIC_KEYS);
  if (range.info.packed) return quantizeDynamicPacked(x, range, o.out) as DynamicResult<D>;
  if (range.info.float8) return quantizeDynamicFloat8(x, range, o.out) as DynamicResult<D>;
  let data: QuantArrayOf<D>;
  if (o.out === undefined) {
    data = new range.info.ctor(x.length) as QuantArrayOf<D>;
  } else {
    data = checkQuantArray(o.out, range.info, 'opts.out') as QuantArrayOf<D>;
    checkOutShape(x, data, 'opts.out');
  }
  const params = paramsOfData(x, range) as QuantParams<D>;
  const [qmin, qmax] = quantRange(range.info, range.bits);
  binding.quantize(x, data, params.scale, params.zeroPoint, qmin, qmax, range.rounding);
  // Built field by field: an object spread here costs more than the whole 1K quantization.
  const result: DynamicResult = { scale: params.scale, zeroPoint: params.zeroPoint, dtype: params.dtype, data };
  if (params.bits !== undefined) result.bits = params.bits;
  if (params.convention !== undefined) result.convention = params.convention;
  return result as DynamicResult<D>;
}

// float8: the symmetric scale max(|x|) / the format's largest finite value, zero point 0, and
// x quantized with saturation (ONNX's default).
function quantizeDynamicFloat8(x: FloatArray, range: CheckedRangeOptions, out: unknown): DynamicResult {
  const data = float8Target(x, range.info, out, 'opts.out');
  const params = paramsOfData(x, range);
  binding.quantizeFloat8(x, data, (range.info.float8 as { format: number }).format, true, params.scale);
  return { scale: params.scale, zeroPoint: 0, dtype: params.dtype, data };
}

function quantizeDynamicPacked(x: FloatArray, range: CheckedRangeOptions, out: unknown): DynamicResult {
  const data = packedTarget(x, range.info, out, 'opts.out');
  const params = paramsOfData(x, range);
  const [qmin, qmax] = quantRange(range.info, range.bits);
  binding.quantizePacked(x, data, range.info.width, range.info.signed, params.scale, params.zeroPoint, qmin, qmax, range.rounding);
  const result: DynamicResult = { scale: params.scale, zeroPoint: params.zeroPoint, dtype: params.dtype, data, count: x.length };
  if (params.bits !== undefined) result.bits = params.bits;
  if (params.convention !== undefined) result.convention = params.convention;
  return result;
}

/**
 * One value per byte in (each inside the dtype's range), packed out as `quantize` writes it
 * for that dtype. Writes into `out` (ceil(n · width / 8) bytes) when given and returns it.
 */
export function pack(values: Int8Array | Uint8Array, dtype: PackedDType, out?: Uint8Array): Uint8Array {
  const v = checkByteValues(values, 'values');
  const info = checkPackedDType(dtype, 'dtype');
  let target: Uint8Array;
  if (out === undefined) {
    target = new Uint8Array(packedBytes(v.length, info.width));
  } else {
    target = checkQuantArray(out, info, 'out') as Uint8Array;
    checkPackedLength(target, v.length, info, 'out');
    checkDisjoint(v, target, 'out');
  }
  const bad = binding.pack(v, target, info.width, info.signed);
  if (bad >= 0) {
    const [qmin, qmax] = quantRange(info, info.width);
    throw new RangeError(`Expected an integer in [${qmin}, ${qmax}] for values[${bad}] (dtype '${info.name}') but received ${v[bad]}`);
  }
  return target;
}

/**
 * The `count` values of a packed tensor, one per byte: an Int8Array for int4/int2, a
 * Uint8Array for uint4/uint2. Writes into `out` (length count) when given and returns it.
 */
export function unpack<D extends PackedDType>(packed: Uint8Array, dtype: D, count: number, out?: UnpackedArrayOf<D>): UnpackedArrayOf<D> {
  const info = checkPackedDType(dtype, 'dtype');
  const q = checkQuantArray(packed, info, 'packed') as Uint8Array;
  const n = checkCount(count, 'count');
  let target: Int8Array | Uint8Array;
  if (out === undefined) {
    checkPackedLength(q, n, info, 'packed');
    target = info.signed ? new Int8Array(n) : new Uint8Array(n);
  } else {
    target = checkUnpackedOut(out, info, 'out');
    if (target.length !== n) throw new RangeError(`Expected out.length to equal count ${n} but received ${target.length}`);
    checkPackedLength(q, n, info, 'packed');
    checkDisjoint(q, target, 'out');
  }
  binding.unpack(q, target, info.width, info.signed);
  return target as UnpackedArrayOf<D>;
}

/** The dtype table (frozen, every level: read it, it cannot be changed). */
