// Per-axis and blocked parameters (README "Per-axis and blocked parameters"; ONNX
// QuantizeLinear / DequantizeLinear with `axis`, opset 21 `block_size`): validation at the
// edge, then the backend's quantizeAxis / dequantizeAxis / minMaxAxis over the flat data, with
// no transpose. The tensor is read as (outer, D = shape[axis], inner).
import type { FloatArray, QuantArray, QuantkitBinding, Rounding } from '../../binding';
import { packedBytes, quantRange, type DType, type DTypeInfo, type Float8DType, type QuantArrayOf } from '../core/dtypes';
import { affineParams, pytorchParams, symmetricParams } from '../core/params';
import {
  checkBits,
  checkBoolean,
  checkConvention,
  checkDisjoint,
  checkDType,
  checkFinite,
  checkFloat32Out,
  checkKeys,
  keySet,
  article,
  arrayHint,
  checkPackedLength,
  checkQuantArray,
  describe,
  isDetached,
  typedArrayKind,
  CONVENTION_NAMES,
  type Convention,
} from '../core/validate';

/**
 * The zero point array of each dtype: the dtype's own container, and for the packed types one
 * value per element (Int8Array for int4/int2, Uint8Array for uint4/uint2), as `unpack` returns.
 */
export interface ZeroPointArrayMap {
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  uint4: Uint8Array;
  int4: Int8Array;
  uint2: Uint8Array;
  int2: Int8Array;
  /** Per-axis and blocked float8 parameters are not supported (a RangeError at run time). */
  float8e4m3fn: never;
  float8e5m2: never;
}
export type ZeroPointArrayOf<D extends DType> = ZeroPointArrayMap[D];

/**
 * Per-axis (no blockSize) or blocked parameters. `shape` is the tensor's shape (its product is
 * the element count), `axis` in [-rank, rank − 1]. Per-axis: scale and zeroPoint hold
 * shape[axis] values. Blocked: they have the tensor's shape with dim[axis] replaced by
 * ceil(shape[axis] / blockSize), flattened row-major. zeroPoint absent: every zero point is 0.
 */
export interface AxisParams<D extends DType = DType> {
  scale: Float32Array;
  zeroPoint?: ZeroPointArrayOf<D>;
  axis: number;
  shape: readonly number[];
  blockSize?: number;
  dtype: D;
  bits?: number;
  /** As QuantParams.convention: the rounding quantize uses; ignored by dequantize. */
  convention?: Convention;
}

export interface AxisLayoutOptions {
  /** The dimension the parameters run along, in [-rank, rank − 1]. */
  axis: number;
  /** The tensor's shape; its product is x.length. */
  shape: readonly number[];
  /** Elements per block along `axis` (the last block may be partial); absent: per-axis. */
  blockSize?: number;
}

export interface AxisRangeOptions<D extends DType = DType> extends AxisLayoutOptions {
  dtype?: D;
  bits?: number;
  symmetric?: boolean;
  /** Copied into the returned parameters, and whose parameter math ('pytorch': torch.ao's; else SPEC §2.3). */
  convention?: Convention;
}

export interface AxisDynamicOptions<D extends DType = DType> extends AxisLayoutOptions {
  dtype?: D;
  bits?: number;
  /** The rounding to quantize with; carried into the result. */
  convention?: Convention;
  /** As in quantizeDynamic: same element count as x (packed dtypes: ceil(n · width / 8) bytes). */
  out?: QuantArrayOf<D>;
}

export type AxisDynamicResult<D extends DType = DType> = AxisParams<D> & { data: QuantArrayOf<D> };

type IntegerDType = Exclude<DType, Float8DType>;

const ZERO_POINT_CTORS: Readonly<Record<IntegerDType, { new (n: number): ZeroPointArrayOf<IntegerDType>; readonly name: string }>> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint4: Uint8Array, int4: Int8Array, uint2: Uint8Array, int2: Int8Array,
};

export interface Layout {
  /** The shape with a -1 resolved from the data's length. */
  shape: number[];
  /** The shape as given (a -1 kept), for parameters that are to be reused on other tensors. */
  given: number[];
  axis: number;
  outer: number;
  d: number;
  inner: number;
  block: number; // 0: per-axis
  n: number; // elements
  count: number; // parameters
}

/** What the data says of the element count: a length, or (packed bytes without `out`) a byte count. */
export type ElementCount = { length: number; name: string } | { packedBytes: number; width: number; name: string };

/** shape as written, with `-1` allowed once (README "Reusing per-axis parameters"). */
function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map((v) => (typeof v === 'number' ? String(v) : describe(v))).join(', ')}]`;
}

/**
 * The tensor's layout from `shape` (one dimension may be -1: it is whatever makes the product
 * equal the data's element count, as NumPy's reshape), `axis` and `blockSize`. `elements` gives
 * the count to resolve -1 against and to check the product against.
 */
export function checkLayout(o: Record<string, unknown>, prefix: string, elements: ElementCount | undefined): Layout {
  const shapeV = o.shape;
  if (!Array.isArray(shapeV)) throw new TypeError(`Expected an array of dimensions for ${prefix}.shape but received ${describe(shapeV)}`);
  const shape: number[] = [];
  let known = 1; // product of the dimensions other than -1
  let free = -1;
  for (let k = 0; k < shapeV.length; k++) {
    const v: unknown = shapeV[k];
    if (typeof v !== 'number') throw new TypeError(`Expected a number for ${prefix}.shape[${k}] but received ${describe(v)}`);
    if (v === -1 && free < 0) {
      free = k;
      shape.push(-1);
      continue;
    }
    if (!Number.isSafeInteger(v) || v < 0) {
      const what = free >= 0 && v === -1 ? 'a non-negative integer (only one dimension may be -1)' : 'a non-negative integer, or -1 for one dimension taken from the data';
      throw new RangeError(`Expected ${what} for ${prefix}.shape[${k}] but received ${describe(v)}`);
    }
    shape.push(v);
    known *= v;
  }
  if (!Number.isSafeInteger(known)) throw new RangeError(`Expected the product of ${prefix}.shape ${formatShape(shapeV)} to be a safe integer but it is ${known}`);
  const r = shape.length;
  if (r === 0) throw new RangeError(`Expected ${prefix}.shape to have at least one dimension (for ${prefix}.axis) but received []`);
  const axisV = o.axis;
  if (typeof axisV !== 'number') throw new TypeError(`Expected a number for ${prefix}.axis but received ${describe(axisV)}`);
  if (!Number.isInteger(axisV) || axisV < -r || axisV > r - 1) {
    throw new RangeError(`Expected an integer in [${-r}, ${r - 1}] for ${prefix}.axis (rank ${r}) but received ${describe(axisV)}`);
  }
  const axis = axisV < 0 ? axisV + r : axisV;
  let block = 0;
  const blockV = o.blockSize;
  if (blockV !== undefined) {
    if (typeof blockV !== 'number') throw new TypeError(`Expected a number for ${prefix}.blockSize but received ${describe(blockV)}`);
    if (!Number.isSafeInteger(blockV) || blockV < 1) throw new RangeError(`Expected a positive integer for ${prefix}.blockSize but received ${describe(blockV)}`);
    block = blockV;
  }
  const given = shape.slice();
  let n = known;
  if (elements === undefined) {
    // No data (paramsFromRange): a -1 is fine where the parameter count does not depend on it.
    if (free >= 0 && (block !== 0 || free === axis)) {
      throw new RangeError(`Expected ${prefix}.shape ${formatShape(shapeV)} to have no -1 ${block !== 0 ? 'with blockSize' : 'at the axis'} (without data the parameter count cannot depend on it)`);
    }
    if (free >= 0) shape[free] = 1;
  } else if (free >= 0) {
    n = resolveFree(shape, free, known, shapeV, prefix, elements);
  } else {
    checkElementCount(n, shapeV, prefix, elements);
  }
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k];
  let inner = 1;
  for (let k = axis + 1; k < r; k++) inner *= shape[k];
  const d = shape[axis];
  const count = block === 0 ? d : outer * Math.ceil(d / block) * inner;
  return { shape, given, axis, outer, d, inner, block, n, count };
}

// The data's element count against the product of a shape without -1.
function checkElementCount(n: number, shapeV: readonly unknown[], prefix: string, e: ElementCount): void {
  if ('length' in e) {
    if (e.length !== n) throw new RangeError(`Expected ${e.name}.length to equal ${n}, the product of ${prefix}.shape ${formatShape(shapeV)}, but received ${e.length}`);
  } else {
    const bytes = packedBytes(n, e.width);
    if (e.packedBytes !== bytes) {
      throw new RangeError(`Expected ${e.name}.length to equal ${bytes} (${n} elements, the product of ${prefix}.shape ${formatShape(shapeV)}, packed) but received ${e.packedBytes}`);
    }
  }
}

// shape[free] = -1: the count that, times the other dimensions, gives the data's element count.
function resolveFree(shape: number[], free: number, known: number, shapeV: readonly unknown[], prefix: string, e: ElementCount): number {
  // Built only for a message: this runs on every call with a -1.
  const given = (): string => formatShape(shapeV);
  if (known === 0) throw new RangeError(`Expected ${prefix}.shape ${given()} to have no zero dimension beside its -1 (the -1 cannot be inferred)`);
  let n: number;
  if ('length' in e) {
    n = e.length;
    if (n % known !== 0) throw new RangeError(`Expected ${e.name}.length to be a multiple of ${known}, the product of ${prefix}.shape ${given()} without its -1, but received ${n}`);
  } else {
    // Packed bytes hold up to 8 / width elements each; the count must be the one multiple of
    // `known` that fills exactly these bytes.
    const perByte = 8 / e.width;
    const fits: number[] = [];
    for (let m = Math.floor((e.packedBytes * perByte) / known); m >= 0 && fits.length < 2; m--) {
      if (packedBytes(m * known, e.width) === e.packedBytes) fits.push(m * known);
      else if (packedBytes(m * known, e.width) < e.packedBytes) break;
    }
    if (fits.length !== 1) {
      throw new RangeError(
        `Expected ${e.name}.length ${e.packedBytes} to hold exactly one multiple of ${known} packed elements (the product of ${prefix}.shape ${given()} without its -1) ` +
          `but ${fits.length === 0 ? 'it holds none' : `it could hold ${fits.join(' or ')}`}; pass out, whose length is the element count`,
      );
    }
    n = fits[0]!;
  }
  shape[free] = n / known;
  return n;
}

/** An integer dtype: float8 has per-tensor parameters only (README "float8"). */
function checkAxisDType(v: unknown, name: string): DTypeInfo {
  const info = checkDType(v, name);
  if (info.float8 !== undefined) {
    throw new RangeError(`Expected an integer dtype for ${name} with an axis (per-axis and blocked float8 parameters are not supported) but received '${info.name}'`);
  }
  return info;
}

function countWhat(l: Layout): string {
  return l.block === 0 ? `shape[axis] = ${l.d}` : `${l.count} blocks`;
}

// A small loop of its own, over one array type, so that it is optimized as a tight loop
// whatever the caller's shape (a per-block call can have tens of thousands of parameters).
function firstOutside(z: Int32Array, qmin: number, qmax: number): number {
  for (let k = 0; k < z.length; k++) {
    const v = z[k];
    if (v < qmin || v > qmax) return k;
  }
  return -1;
}

export interface CheckedAxisParams {
  info: DTypeInfo;
  qmin: number;
  qmax: number;
  layout: Layout;
  scale: Float32Array;
  zeroPoint: Int32Array;
  /** The caller's arrays, which `out` must not overlap. */
  sources: ArrayBufferView[];
  rounding: Rounding;
}

const AXIS_PARAMS_KEYS = keySet(['scale', 'zeroPoint', 'axis', 'shape', 'blockSize', 'dtype', 'bits', 'convention', 'data'], '(per-axis and blocked params)');
export const AXIS_RANGE_KEYS = keySet(['axis', 'shape', 'blockSize', 'dtype', 'bits', 'symmetric', 'convention'], '(per-axis and blocked options)');
const AXIS_DYNAMIC_KEYS = keySet([...AXIS_RANGE_KEYS.keys, 'out'], '(per-axis and blocked options)');
export const AXIS_MINMAX_KEYS = keySet(['axis', 'shape', 'blockSize'], '(per-channel ranges)');

// Zero points go to the backend as an Int32Array. Reused between calls of one parameter count
// (every call is synchronous), so that the small call a server makes per request allocates
// nothing: a new 768-element Int32Array costs more than quantizing 768 values.
let zeroScratch = new Int32Array(0);
const zeroFilled = new Map<number, Int32Array>();
function zeroPointsFor(count: number, z: ZeroPointArrayOf<DType> | undefined): Int32Array {
  if (z === undefined) {
    let zeros = zeroFilled.get(count);
    if (zeros === undefined) {
      if (zeroFilled.size > 16) zeroFilled.clear();
      zeros = new Int32Array(count);
      zeroFilled.set(count, zeros);
    }
    return zeros;
  }
  if (zeroScratch.length !== count) zeroScratch = new Int32Array(count);
  zeroScratch.set(z);
  return zeroScratch;
}

export function checkAxisParams(v: Record<string, unknown>, elements: ElementCount, findBadScale: (scale: Float32Array) => number): CheckedAxisParams {
  checkKeys(v, AXIS_PARAMS_KEYS, 'params');
  const info = checkAxisDType(v.dtype, 'params.dtype');
  const bits = checkBits(v.bits, info, 'params.bits');
  const [qmin, qmax] = quantRange(info, bits);
  const layout = checkLayout(v, 'params', elements);
  const rounding = checkConvention(v.convention, 'params.convention');
  const scaleV = v.scale;
  if (typedArrayKind(scaleV) !== 'Float32Array') throw new TypeError(`Expected a Float32Array for params.scale but received ${describe(scaleV)}${arrayHint(scaleV)}`);
  const scale = scaleV as Float32Array;
  if (isDetached(scale)) throw new RangeError('Expected params.scale to be attached but its buffer is detached');
  if (scale.length !== layout.count) {
    throw new RangeError(`Expected params.scale.length to equal ${layout.count} (${countWhat(layout)}) but received ${scale.length}`);
  }
  const badScale = findBadScale(scale);
  if (badScale >= 0) throw new RangeError(`Expected a positive finite float32 for params.scale[${badScale}] but received ${describe(scale[badScale])}`);
  const zeroV = v.zeroPoint;
  let z: ZeroPointArrayOf<DType> | undefined;
  if (zeroV !== undefined) {
    const ctor = ZERO_POINT_CTORS[info.name as IntegerDType];
    if (typedArrayKind(zeroV) !== ctor.name) {
      throw new TypeError(`Expected ${article(ctor.name)} (dtype '${info.name}') for params.zeroPoint but received ${describe(zeroV)}${arrayHint(zeroV, ctor.name)}`);
    }
    z = zeroV as ZeroPointArrayOf<DType>;
    if (isDetached(z)) throw new RangeError('Expected params.zeroPoint to be attached but its buffer is detached');
    if (z.length !== layout.count) {
      throw new RangeError(`Expected params.zeroPoint.length to equal ${layout.count} (${countWhat(layout)}) but received ${z.length}`);
    }
  }
  const zeroPoint = zeroPointsFor(layout.count, z);
  // The container itself bounds a full-width 8- or 16-bit zero point; narrower ranges (bits,
  // and the 4- and 2-bit types held one per byte) are checked value by value.
  if (z !== undefined && (info.packed || bits !== info.width)) {
    const badZero = firstOutside(zeroPoint, qmin, qmax);
    if (badZero >= 0) throw new RangeError(`Expected an integer in [${qmin}, ${qmax}] for params.zeroPoint[${badZero}] but received ${zeroPoint[badZero]}`);
  }
  const sources: ArrayBufferView[] = z === undefined ? [scale] : [scale, z];
  return { info, qmin, qmax, layout, scale, zeroPoint, sources, rounding };
}

function codesArray(info: DTypeInfo, n: number): Int8Array | Uint8Array {
  return info.signed ? new Int8Array(n) : new Uint8Array(n);
}

export interface AxisApi {
  quantize(x: FloatArray, params: Record<string, unknown>, out: unknown): QuantArray;
  dequantize(q: unknown, params: Record<string, unknown>, out: unknown): Float32Array;
  computeParams(x: FloatArray, opts: Record<string, unknown>): AxisParams;
  quantizeDynamic(x: FloatArray, opts: Record<string, unknown>): AxisDynamicResult;
  paramsFromRanges(min: unknown, max: unknown, opts: Record<string, unknown>): AxisParams;
  minMax(x: FloatArray, opts: Record<string, unknown>): AxisRange;
}

/** Per-channel (or per-block) ranges: NaN where a channel holds no number. */
export interface AxisRange {
  min: Float32Array;
  max: Float32Array;
}

interface CheckedRangeOpts {
  info: DTypeInfo;
  bits: number;
  symmetric: boolean;
  rounding: Rounding;
}

function checkAxisRangeOpts(o: Record<string, unknown>): CheckedRangeOpts {
  const info = checkAxisDType(o.dtype, 'opts.dtype');
  const bits = checkBits(o.bits, info, 'opts.bits');
  const symmetric = checkBoolean(o.symmetric, 'opts.symmetric');
  const rounding = checkConvention(o.convention, 'opts.convention');
  return { info, bits, symmetric, rounding };
}

/** A per-channel range array: Float32Array, Float64Array or an Array of numbers. */
function checkRangeArray(v: unknown, count: number, what: string, name: string): ArrayLike<number | null> {
  const kind = typedArrayKind(v);
  if (kind !== 'Float32Array' && kind !== 'Float64Array' && !Array.isArray(v)) {
    throw new TypeError(`Expected a Float32Array, Float64Array or Array of numbers for ${name} but received ${describe(v)}`);
  }
  const a = v as ArrayLike<unknown>;
  if (a.length !== count) throw new RangeError(`Expected ${name}.length to equal ${count} (${what}) but received ${a.length}`);
  return a as ArrayLike<number | null>;
}

export function axisApi(binding: QuantkitBinding): AxisApi {
  // `out` checked against x and the caller's parameter arrays, or a new array.
  function target(x: FloatArray, p: CheckedAxisParams, out: unknown, name: string): QuantArray {
    const { info, layout } = p;
    if (out === undefined) return info.packed ? new Uint8Array(packedBytes(layout.n, info.width)) : new info.ctor(layout.n);
    const t = checkQuantArray(out, info, name);
    if (info.packed) checkPackedLength(t, layout.n, info, name);
    else if (t.length !== layout.n) throw new RangeError(`Expected ${name}.length to equal the input length ${layout.n} but received ${t.length}`);
    checkDisjoint(x, t, name);
    for (const s of p.sources) checkDisjoint(s, t, name);
    return t;
  }

  function run(x: FloatArray, p: CheckedAxisParams, t: QuantArray): void {
    const { info, layout: l } = p;
    if (!info.packed) {
      binding.quantizeAxis(x, t, p.scale, p.zeroPoint, l.outer, l.d, l.inner, l.block, p.qmin, p.qmax, p.rounding);
      return;
    }
    // Packed: one code per byte first (the 8-bit kernels, so the same numbers), then packed.
    const codes = codesArray(info, l.n);
    binding.quantizeAxis(x, codes, p.scale, p.zeroPoint, l.outer, l.d, l.inner, l.block, p.qmin, p.qmax, p.rounding);
    binding.pack(codes, t as Uint8Array, info.width, info.signed);
  }

  function quantize(x: FloatArray, params: Record<string, unknown>, out: unknown): QuantArray {
    const p = checkAxisParams(params, { length: x.length, name: 'x' }, binding.findBadScale);
    const t = target(x, p, out, 'out');
    run(x, p, t);
    return t;
  }

  function dequantize(q: unknown, params: Record<string, unknown>, out: unknown): Float32Array {
    // The dtype first: it says what q must be, and so how q counts its elements.
    const dtypeInfo = checkAxisDType((params as { dtype?: unknown }).dtype, 'params.dtype');
    const input = checkQuantArray(q, dtypeInfo, 'q');
    let outArray: Float32Array | undefined;
    if (out !== undefined) outArray = checkFloat32Out(out, 'out');
    const elements: ElementCount = !dtypeInfo.packed
      ? { length: input.length, name: 'q' }
      : outArray !== undefined
        ? { length: outArray.length, name: 'out' }
        : { packedBytes: input.length, width: dtypeInfo.width, name: 'q' };
    const p = checkAxisParams(params, elements, binding.findBadScale);
    const { info, layout: l } = p;
    if (info.packed) checkPackedLength(input, l.n, info, 'q');
    let t: Float32Array;
    if (outArray === undefined) {
      t = new Float32Array(l.n);
    } else {
      t = outArray;
      if (t.length !== l.n) throw new RangeError(`Expected out.length to equal the element count ${l.n} but received ${t.length}`);
      checkDisjoint(input, t, 'out');
      for (const s of p.sources) checkDisjoint(s, t, 'out');
    }
    let codes: QuantArray = input;
    if (info.packed) {
      codes = codesArray(info, l.n);
      binding.unpack(input as Uint8Array, codes, info.width, info.signed);
    }
    binding.dequantizeAxis(codes, t, p.scale, p.zeroPoint, l.outer, l.d, l.inner, l.block);
    return t;
  }

  // Each parameter's (min, max) through SPEC §2.3, as paramsFromRange does for one tensor.
  // `range(k)` gives parameter k's [min, max] (NaN, NaN: no number, counted as [0, 0]).
  function paramsOfRanges(c: CheckedRangeOpts, layout: Layout, o: Record<string, unknown>, min: ArrayLike<number | null>, max: ArrayLike<number | null>, stride: number, source: string): AxisParams {
    const { info, bits, symmetric, rounding } = c;
    const [qmin, qmax] = quantRange(info, bits);
    const scale = new Float32Array(layout.count);
    const zeroPoint = new ZERO_POINT_CTORS[info.name as IntegerDType](layout.count);
    for (let k = 0; k < layout.count; k++) {
      // null is how JSON.stringify writes NaN: a stored range of an empty channel reads back as null.
      let lo = min[stride * k] ?? NaN;
      let hi = max[stride * k] ?? NaN;
      if (Number.isNaN(lo) && Number.isNaN(hi)) lo = hi = 0;
      if (stride === 1) {
        // Given ranges: finite numbers with min <= max, used as float32 (as paramsFromRange).
        lo = Math.fround(checkFinite(lo, `min[${k}]`));
        hi = Math.fround(checkFinite(hi, `max[${k}]`));
        if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`Expected finite float32 values for min[${k}] and max[${k}] but received ${min[k]} and ${max[k]}`);
        if (lo > hi) throw new RangeError(`Expected min[${k}] <= max[${k}] but received ${min[k]} and ${max[k]}`);
      } else if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
        throw new RangeError(`Expected ${source} to hold only finite values (NaN is ignored) but the range of parameter ${k}'s elements is [${lo}, ${hi}]`);
      }
      // As per-tensor parameters: 'pytorch' takes torch.ao's parameter math, the others SPEC §2.3.
      const sz = rounding === 1
        ? pytorchParams(lo, hi, qmin, qmax, info.signed, info.name === 'uint8' && bits === 8, symmetric)
        : symmetric ? symmetricParams(lo, hi, bits, info.signed) : affineParams(lo, hi, qmin, qmax);
      if (!(sz.scale > 0 && Number.isFinite(sz.scale))) {
        throw new RangeError(`Expected the range [${lo}, ${hi}] of parameter ${k} to give a positive finite float32 scale but it gives ${sz.scale}`);
      }
      scale[k] = sz.scale;
      zeroPoint[k] = sz.zeroPoint;
    }
    // The shape as given: a -1 stays, so the parameters apply to any count along it.
    const params: AxisParams = { scale, zeroPoint, axis: o.axis as number, shape: layout.given, dtype: info.name };
    if (layout.block !== 0) params.blockSize = layout.block;
    if (bits !== info.width) params.bits = bits;
    if (o.convention !== undefined) params.convention = CONVENTION_NAMES[rounding];
    return params;
  }

  function rangesOf(x: FloatArray, layout: Layout): Float64Array {
    const mm = new Float64Array(2 * layout.count);
    binding.minMaxAxis(x, mm, layout.outer, layout.d, layout.inner, layout.block);
    return mm;
  }

  function paramsOf(x: FloatArray, c: CheckedRangeOpts, layout: Layout, o: Record<string, unknown>): AxisParams {
    const mm = rangesOf(x, layout);
    return paramsOfRanges(c, layout, o, mm, mm.subarray(1), 2, 'x');
  }

  function computeParams(x: FloatArray, o: Record<string, unknown>): AxisParams {
    checkKeys(o, AXIS_RANGE_KEYS, 'opts');
    const c = checkAxisRangeOpts(o);
    return paramsOf(x, c, checkLayout(o, 'opts', { length: x.length, name: 'x' }), o);
  }

  function quantizeDynamic(x: FloatArray, o: Record<string, unknown>): AxisDynamicResult {
    checkKeys(o, AXIS_DYNAMIC_KEYS, 'opts');
    const c = checkAxisRangeOpts(o);
    const layout = checkLayout(o, 'opts', { length: x.length, name: 'x' });
    const [qmin, qmax] = quantRange(c.info, c.bits);
    const pre: CheckedAxisParams = { info: c.info, qmin, qmax, layout, scale: new Float32Array(0), zeroPoint: new Int32Array(0), sources: [], rounding: c.rounding };
    const data = target(x, pre, o.out, 'opts.out');
    const params = paramsOf(x, c, layout, o);
    const zeroPoint = new Int32Array(layout.count);
    zeroPoint.set(params.zeroPoint as ZeroPointArrayOf<DType>);
    run(x, { ...pre, scale: params.scale, zeroPoint }, data);
    return { ...params, data } as AxisDynamicResult;
  }

  function paramsFromRanges(min: unknown, max: unknown, o: Record<string, unknown>): AxisParams {
    checkKeys(o, AXIS_RANGE_KEYS, 'opts');
    const c = checkAxisRangeOpts(o);
    const layout = checkLayout(o, 'opts', undefined);
    const what = countWhat(layout);
    const lo = checkRangeArray(min, layout.count, what, 'min');
    const hi = checkRangeArray(max, layout.count, what, 'max');
    return paramsOfRanges(c, layout, o, lo, hi, 1, 'the ranges');
  }

  function minMax(x: FloatArray, o: Record<string, unknown>): AxisRange {
    checkKeys(o, AXIS_MINMAX_KEYS, 'opts');
    const layout = checkLayout(o, 'opts', { length: x.length, name: 'x' });
    const mm = rangesOf(x, layout);
    const min = new Float32Array(layout.count);
    const max = new Float32Array(layout.count);
    for (let k = 0; k < layout.count; k++) {
      min[k] = mm[2 * k]!;
      max[k] = mm[2 * k + 1]!;
    }
    return { min, max };
  }

  return { quantize, dequantize, computeParams, quantizeDynamic, paramsFromRanges, minMax };
}

/** True when params (or opts) use the per-axis / blocked form: they have an `axis`. */
export function hasAxis(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (v as { axis?: unknown }).axis !== undefined;
}
