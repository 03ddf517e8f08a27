// Per-axis and blocked parameters (README "Per-axis and blocked parameters"; ONNX
// QuantizeLinear / DequantizeLinear with `axis`, opset 21 `block_size`): validation at the
// edge, then the backend's quantizeAxis / dequantizeAxis / minMaxAxis over the flat data, with
// no transpose. The tensor is read as (outer, D = shape[axis], inner).
import type { FloatArray, QuantArray, QuantkitBinding, Rounding } from '../binding';
import { packedBytes, quantRange, type DType, type DTypeInfo, type Float8DType, type QuantArrayOf } from './dtypes';
import { affineParams, symmetricParams } from './params';
import {
  checkBits,
  checkBoolean,
  checkConvention,
  checkDisjoint,
  checkDType,
  checkFloat32Out,
  checkPackedLength,
  checkQuantArray,
  describe,
  isDetached,
  typedArrayKind,
  CONVENTION_NAMES,
  type Convention,
} from './validate';

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
  /** Copied into the returned parameters; the parameter math is the same for all. */
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
  shape: number[];
  axis: number;
  outer: number;
  d: number;
  inner: number;
  block: number; // 0: per-axis
  n: number; // elements
  count: number; // parameters
}

export function checkLayout(o: Record<string, unknown>, prefix: string): Layout {
  const shapeV = o.shape;
  if (!Array.isArray(shapeV)) throw new TypeError(`Expected an array of dimensions for ${prefix}.shape but received ${describe(shapeV)}`);
  const shape: number[] = [];
  let n = 1;
  for (let k = 0; k < shapeV.length; k++) {
    const v: unknown = shapeV[k];
    if (typeof v !== 'number') throw new TypeError(`Expected a number for ${prefix}.shape[${k}] but received ${describe(v)}`);
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`Expected a non-negative integer for ${prefix}.shape[${k}] but received ${describe(v)}`);
    shape.push(v);
    n *= v;
  }
  if (!Number.isSafeInteger(n)) throw new RangeError(`Expected the product of ${prefix}.shape to be a safe integer but it is ${n}`);
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
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k];
  let inner = 1;
  for (let k = axis + 1; k < r; k++) inner *= shape[k];
  const d = shape[axis];
  const count = block === 0 ? d : outer * Math.ceil(d / block) * inner;
  return { shape, axis, outer, d, inner, block, n, count };
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

// Small loops of their own, over one array type each, so that they are optimized as tight
// loops whatever the caller's shape (a per-block call can have tens of thousands of parameters).
function firstBadScale(scale: Float32Array): number {
  for (let k = 0; k < scale.length; k++) {
    const s = scale[k];
    if (!(s > 0 && s < Infinity)) return k;
  }
  return -1;
}

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

export function checkAxisParams(v: Record<string, unknown>): CheckedAxisParams {
  const info = checkAxisDType(v.dtype, 'params.dtype');
  const bits = checkBits(v.bits, info, 'params.bits');
  const [qmin, qmax] = quantRange(info, bits);
  const layout = checkLayout(v, 'params');
  const rounding = checkConvention(v.convention, 'params.convention');
  const scaleV = v.scale;
  if (typedArrayKind(scaleV) !== 'Float32Array') throw new TypeError(`Expected a Float32Array for params.scale but received ${describe(scaleV)}`);
  const scale = scaleV as Float32Array;
  if (isDetached(scale)) throw new RangeError('Expected params.scale to be attached but its buffer is detached');
  if (scale.length !== layout.count) {
    throw new RangeError(`Expected params.scale.length to equal ${layout.count} (${countWhat(layout)}) but received ${scale.length}`);
  }
  const badScale = firstBadScale(scale);
  if (badScale >= 0) throw new RangeError(`Expected a positive finite float32 for params.scale[${badScale}] but received ${describe(scale[badScale])}`);
  const sources: ArrayBufferView[] = [scale];
  const zeroPoint = new Int32Array(layout.count);
  const zeroV = v.zeroPoint;
  if (zeroV !== undefined) {
    const ctor = ZERO_POINT_CTORS[info.name as IntegerDType];
    if (typedArrayKind(zeroV) !== ctor.name) {
      throw new TypeError(`Expected ${ctor.name === 'Int8Array' ? 'an' : 'a'} ${ctor.name} (dtype '${info.name}') for params.zeroPoint but received ${describe(zeroV)}`);
    }
    const z = zeroV as ZeroPointArrayOf<DType>;
    if (isDetached(z)) throw new RangeError('Expected params.zeroPoint to be attached but its buffer is detached');
    if (z.length !== layout.count) {
      throw new RangeError(`Expected params.zeroPoint.length to equal ${layout.count} (${countWhat(layout)}) but received ${z.length}`);
    }
    zeroPoint.set(z);
    const badZero = firstOutside(zeroPoint, qmin, qmax);
    if (badZero >= 0) throw new RangeError(`Expected an integer in [${qmin}, ${qmax}] for params.zeroPoint[${badZero}] but received ${zeroPoint[badZero]}`);
    sources.push(z);
  }
  return { info, qmin, qmax, layout, scale, zeroPoint, sources, rounding };
}

function checkLength(a: { length: number }, l: Layout, name: string): void {
  if (a.length !== l.n) throw new RangeError(`Expected ${name}.length to equal the product of params.shape ${l.n} but received ${a.length}`);
}

function codesArray(info: DTypeInfo, n: number): Int8Array | Uint8Array {
  return info.signed ? new Int8Array(n) : new Uint8Array(n);
}

export interface AxisApi {
  quantize(x: FloatArray, params: Record<string, unknown>, out: unknown): QuantArray;
  dequantize(q: unknown, params: Record<string, unknown>, out: unknown): Float32Array;
  computeParams(x: FloatArray, opts: Record<string, unknown>): AxisParams;
  quantizeDynamic(x: FloatArray, opts: Record<string, unknown>): AxisDynamicResult;
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
    const p = checkAxisParams(params);
    checkLength(x, p.layout, 'x');
    const t = target(x, p, out, 'out');
    run(x, p, t);
    return t;
  }

  function dequantize(q: unknown, params: Record<string, unknown>, out: unknown): Float32Array {
    const p = checkAxisParams(params);
    const { info, layout: l } = p;
    const input = checkQuantArray(q, info, 'q');
    if (info.packed) checkPackedLength(input, l.n, info, 'q');
    else checkLength(input, l, 'q');
    let t: Float32Array;
    if (out === undefined) {
      t = new Float32Array(l.n);
    } else {
      t = checkFloat32Out(out, 'out');
      if (t.length !== l.n) throw new RangeError(`Expected out.length to equal the product of params.shape ${l.n} but received ${t.length}`);
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
  function paramsOf(x: FloatArray, info: DTypeInfo, bits: number, symmetric: boolean, rounding: Rounding, layout: Layout, o: Record<string, unknown>): AxisParams {
    if (x.length !== layout.n) throw new RangeError(`Expected x.length to equal the product of opts.shape ${layout.n} but received ${x.length}`);
    const [qmin, qmax] = quantRange(info, bits);
    const mm = new Float64Array(2 * layout.count);
    binding.minMaxAxis(x, mm, layout.outer, layout.d, layout.inner, layout.block);
    const scale = new Float32Array(layout.count);
    const zeroPoint = new ZERO_POINT_CTORS[info.name as IntegerDType](layout.count);
    for (let k = 0; k < layout.count; k++) {
      let min = mm[2 * k];
      let max = mm[2 * k + 1];
      if (Number.isNaN(min)) min = max = 0;
      if (!Number.isFinite(min) || !Number.isFinite(max)) {
        throw new RangeError(`Expected x to hold only finite values (NaN is ignored) but the range of parameter ${k}'s elements is [${min}, ${max}]`);
      }
      const sz = symmetric ? symmetricParams(min, max, bits, info.signed) : affineParams(min, max, qmin, qmax);
      if (!(sz.scale > 0 && Number.isFinite(sz.scale))) {
        throw new RangeError(`Expected the range [${min}, ${max}] of parameter ${k}'s elements to give a positive finite float32 scale but it gives ${sz.scale}`);
      }
      scale[k] = sz.scale;
      zeroPoint[k] = sz.zeroPoint;
    }
    const params: AxisParams = { scale, zeroPoint, axis: o.axis as number, shape: layout.shape, dtype: info.name };
    if (layout.block !== 0) params.blockSize = layout.block;
    if (bits !== info.width) params.bits = bits;
    if (o.convention !== undefined) params.convention = CONVENTION_NAMES[rounding];
    return params;
  }

  function computeParams(x: FloatArray, o: Record<string, unknown>): AxisParams {
    const info = checkAxisDType(o.dtype, 'opts.dtype');
    const bits = checkBits(o.bits, info, 'opts.bits');
    const symmetric = checkBoolean(o.symmetric, 'opts.symmetric');
    const rounding = checkConvention(o.convention, 'opts.convention');
    return paramsOf(x, info, bits, symmetric, rounding, checkLayout(o, 'opts'), o);
  }

  function quantizeDynamic(x: FloatArray, o: Record<string, unknown>): AxisDynamicResult {
    const info = checkAxisDType(o.dtype, 'opts.dtype');
    const bits = checkBits(o.bits, info, 'opts.bits');
    const rounding = checkConvention(o.convention, 'opts.convention');
    const layout = checkLayout(o, 'opts');
    if (x.length !== layout.n) throw new RangeError(`Expected x.length to equal the product of opts.shape ${layout.n} but received ${x.length}`);
    const [qmin, qmax] = quantRange(info, bits);
    const pre: CheckedAxisParams = { info, qmin, qmax, layout, scale: new Float32Array(0), zeroPoint: new Int32Array(0), sources: [], rounding };
    const data = target(x, pre, o.out, 'opts.out');
    const params = paramsOf(x, info, bits, false, rounding, layout, o);
    const zeroPoint = new Int32Array(layout.count);
    zeroPoint.set(params.zeroPoint as ZeroPointArrayOf<DType>);
    run(x, { ...pre, scale: params.scale, zeroPoint }, data);
    return { ...params, data } as AxisDynamicResult;
  }

  return { quantize, dequantize, computeParams, quantizeDynamic };
}

/** True when params (or opts) use the per-axis / blocked form: they have an `axis`. */
export function hasAxis(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (v as { axis?: unknown }).axis !== undefined;
}

