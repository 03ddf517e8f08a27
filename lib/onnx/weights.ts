// Weight quantization as ONNX Runtime's quantization tool does it (onnxruntime/python/tools/
// quantization/quant_utils.py and base_quantizer.py), on quantkit's kernels: the ranges come
// from quantkit's minMax (per tensor, per channel or per block, read once in the addon), the
// scale and zero point from ORT's compute_scale_zp restated here in float64 (a handful of
// numbers per tensor), and the codes from quantkit's quantize, whose ONNX rounding (float32
// division, ties to even, clamp to the full type range) is ORT's quantize_nparray. The packed
// 4-bit codes are ONNX's (element 2k in the low nibble), as ORT's pack_bytes_to_4bit.
//
// Shared by the modes dynamic, weights-only and qdq. Owned by the dynamic/weights-only branch:
// change it there (or ask), so that the three modes keep one formula.
import quantkit from '../index';
import { DT, type TensorProto } from './proto';
import { makeTensor } from './tensor';

/** The integer types a weight can be stored in. */
export type WeightType = 'int8' | 'uint8' | 'int4' | 'uint4';

/** ONNX data type numbers of the weight types. */
export const WEIGHT_DT: Readonly<Record<WeightType, number>> = Object.freeze({ int8: DT.INT8, uint8: DT.UINT8, int4: DT.INT4, uint4: DT.UINT4 });

const FULL: Readonly<Record<WeightType, readonly [number, number]>> = { uint8: [0, 255], int8: [-128, 127], uint4: [0, 15], int4: [-8, 7] };
// ORT 1.20–1.30 ONNX_INT_TYPE_SYMMETRIC_RANGE holds only INT8 (and INT16): uint8, int4 and
// uint4 "symmetric" use the full range (and so a zero point of 128, 0, 8).
const SYMMETRIC: Partial<Record<WeightType, readonly [number, number]>> = { int8: [-127, 127] };
const REDUCED: Readonly<Record<WeightType, readonly [number, number]>> = { uint8: [0, 127], int8: [-64, 64], uint4: [0, 7], int4: [-4, 3] };

/** Smallest normal float32 (numpy finfo(float32).tiny): a scale below it becomes 1 (zero point 0). */
const FLOAT32_TINY = 2 ** -126;

/**
 * ORT's get_qmin_qmax_for_qType(qType, reduce_range, symmetric) (quant_utils.py): reduceRange
 * wins over symmetric; symmetric narrows only int8 (to [−127, 127]).
 *
 * | type  | full       | symmetric   | reduceRange |
 * | uint8 | [0, 255]   | [0, 255]    | [0, 127]    |
 * | int8  | [−128, 127]| [−127, 127] | [−64, 64]   |
 * | uint4 | [0, 15]    | [0, 15]     | [0, 7]      |
 * | int4  | [−8, 7]    | [−8, 7]     | [−4, 3]     |
 */
export function qRange(type: WeightType, reduceRange: boolean, symmetric: boolean): { qmin: number; qmax: number } {
  const r = reduceRange ? REDUCED[type] : (symmetric && SYMMETRIC[type]) || FULL[type];
  return { qmin: r[0], qmax: r[1] };
}

/** ORT's BaseQuantizer.is_weight_symmetric default (no WeightSymmetric option): symmetric iff the type is signed. */
export function defaultWeightSymmetric(type: WeightType): boolean {
  return type === 'int8' || type === 'int4';
}

/** Rounds half to even (numpy's round / rint), for values far below 2^52. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * ORT's compute_scale_zp(rmin, rmax, qmin, qmax, symmetric) (quant_utils.py), for float32
 * data: the range is widened to hold 0 (float32), made ±max(|rmin|, |rmax|) when symmetric;
 * `scale = float64(fl(rmax − rmin)) / (qmax − qmin)` in float64; below float32's tiny it is 1
 * with zero point 0; else the zero point is `rint((qmin + qmax) / 2)` (symmetric) or
 * `rint(qmin − rmin / scale)` from the float64 scale (ties to even), and only then is the scale
 * rounded to float32.
 * @param rmin, rmax float32 values (quantkit minMax's), finite.
 * @returns `scale` (a float32 value) and `zeroPoint` (an integer in [qmin, qmax]).
 * @throws RangeError naming `what` when the range is not finite or its float32 width overflows.
 */
export function scaleZeroPoint(rmin: number, rmax: number, qmin: number, qmax: number, symmetric: boolean, what = 'weight'): { scale: number; zeroPoint: number } {
  if (!Number.isFinite(rmin) || !Number.isFinite(rmax)) throw new RangeError(`${what}: expected a finite range but received [${rmin}, ${rmax}]`);
  let lo = Math.min(rmin, 0);
  let hi = Math.max(rmax, 0);
  if (symmetric) {
    const absmax = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -absmax;
    hi = absmax;
  }
  const width = Math.fround(hi - lo); // numpy subtracts in the data's dtype, then widens
  if (!Number.isFinite(width)) throw new RangeError(`${what}: the range [${rmin}, ${rmax}] is wider than float32 can hold (max − min overflows)`);
  const scale64 = width / (qmax - qmin);
  if (scale64 < FLOAT32_TINY) return { scale: 1, zeroPoint: 0 };
  const z = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - lo / scale64);
  // ORT casts without a clip; z lies in [qmin, qmax] mathematically, the clamp only guards it.
  return { scale: Math.fround(scale64), zeroPoint: Math.min(qmax, Math.max(qmin, z)) };
}

/** How a weight's parameters are laid out: per tensor (neither), per channel (`axis`) or blocked (`axis` and `blockSize`). */
export interface WeightLayout {
  /** The channel axis (per-channel) or the blocked axis, in [−rank, rank − 1]. */
  axis?: number;
  /** Elements per block along `axis` (ONNX opset 21 block_size; the last block may be partial). */
  blockSize?: number;
}

export interface WeightQuantOptions extends WeightLayout {
  type: WeightType;
  /** Zero point at the middle of the range (ORT WeightSymmetric; default: defaultWeightSymmetric(type)). */
  symmetric?: boolean;
  /** ORT reduce_range: the 7-bit (3-bit for 4-bit types) ranges of qRange. Default false. */
  reduceRange?: boolean;
}

/** A quantized weight, ready to be written as ONNX tensors. */
export interface QuantizedWeight {
  type: WeightType;
  /** The weight's dims (unchanged). */
  dims: number[];
  /** The codes in row-major order: one per element (int8/uint8), or ONNX-packed 4-bit (ceil(n / 2) bytes). */
  codes: Int8Array | Uint8Array;
  /** float32 scales: 1 (per tensor), dims[axis] (per channel), or the blocked shape's count. */
  scale: Float32Array;
  /** Zero points, one per scale, unpacked (Int8Array for int8/int4, Uint8Array for uint8/uint4). */
  zeroPoint: Int8Array | Uint8Array;
  /** The dims of the scale and zero point tensors: [] per tensor, [D] per channel, dims with dims[axis] → ceil(D / blockSize) blocked. */
  paramDims: number[];
  /** The normalised (non-negative) axis, when per channel or blocked. */
  axis?: number;
  blockSize?: number;
  symmetric: boolean;
  reduceRange: boolean;
}

/**
 * Quantizes a float32 weight as ORT's quantize_initializer_impl (per tensor),
 * quantize_weight_per_channel_impl (per channel: each slice `take(i, axis)` on its own) or, for
 * `blockSize`, each block along `axis` on its own (the same compute_scale_zp per block: ORT's
 * QDQ tool has no blocked 8-bit path of its own; its 4-bit one is MLAS's, see matmul-nbits).
 * @param values the weight, row-major, `dims`' product long.
 * @param what the tensor's name for messages.
 * @throws RangeError naming `what` for NaN or infinite values (ORT would write garbage), a bad
 * axis or blockSize, or a range whose float32 width overflows.
 */
export function quantizeWeight(values: Float32Array, dims: readonly number[], opts: WeightQuantOptions, what: string): QuantizedWeight {
  const n = dims.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new RangeError(`${what}: holds ${values.length} values but dims ${JSON.stringify(dims)} need ${n}`);
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new RangeError(`${what}: expected finite values but element ${bad} is ${values[bad]}`);
  const type = opts.type;
  const symmetric = opts.symmetric ?? defaultWeightSymmetric(type);
  const reduceRange = opts.reduceRange ?? false;
  const { qmin, qmax } = qRange(type, reduceRange, symmetric);
  const signed = type === 'int8' || type === 'int4';
  const base = { type, dims: [...dims], symmetric, reduceRange };

  if (opts.axis === undefined) {
    if (opts.blockSize !== undefined) throw new RangeError(`${what}: blockSize ${opts.blockSize} needs an axis`);
    // ORT: data.min()/data.max() of the flattened tensor, 0 for an empty one.
    const r = n === 0 ? { min: 0, max: 0 } : (quantkit.minMax(values) as { min: number; max: number });
    const { scale, zeroPoint } = scaleZeroPoint(r.min, r.max, qmin, qmax, symmetric, what);
    const codes = quantkit.quantize(values, { scale, zeroPoint, dtype: type }) as Int8Array | Uint8Array;
    const zp = signed ? Int8Array.of(zeroPoint) : Uint8Array.of(zeroPoint);
    return { ...base, codes, scale: Float32Array.of(scale), zeroPoint: zp, paramDims: [] };
  }

  const rank = dims.length;
  if (!Number.isInteger(opts.axis) || opts.axis < -rank || opts.axis >= rank) throw new RangeError(`${what}: expected an axis in [${-rank}, ${rank - 1}] for dims ${JSON.stringify(dims)} but received ${opts.axis}`);
  const axis = opts.axis < 0 ? opts.axis + rank : opts.axis;
  const d = dims[axis];
  const blockSize = opts.blockSize;
  if (blockSize !== undefined && (!Number.isInteger(blockSize) || blockSize < 1)) throw new RangeError(`${what}: expected a positive integer blockSize but received ${blockSize}`);
  const paramDims = blockSize === undefined ? [d] : dims.map((v, i) => (i === axis ? Math.ceil(v / blockSize) : v));
  const count = paramDims.reduce((a, b) => a * b, 1);
  const layout = blockSize === undefined ? { axis, shape: dims } : { axis, shape: dims, blockSize };
  const ranges = n === 0 ? { min: new Float32Array(count), max: new Float32Array(count) } : quantkit.minMax(values, layout);
  const scale = new Float32Array(count);
  const zeroPoint = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    // minMax says NaN only for a channel with no number: an empty one here (finite values).
    const lo = Number.isNaN(ranges.min[i]) ? 0 : ranges.min[i];
    const hi = Number.isNaN(ranges.max[i]) ? 0 : ranges.max[i];
    const p = scaleZeroPoint(lo, hi, qmin, qmax, symmetric, `${what} ${blockSize === undefined ? 'channel' : 'block'} ${i}`);
    scale[i] = p.scale;
    zeroPoint[i] = p.zeroPoint;
  }
  const codes = quantkit.quantize(values, { ...layout, scale, zeroPoint, dtype: type } as never) as Int8Array | Uint8Array;
  return { ...base, codes, scale, zeroPoint, paramDims, axis, ...(blockSize === undefined ? {} : { blockSize }) };
}

/** The index of the first NaN or ±Infinity in `values`, or −1. */
export function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) return i; // NaN and ±Inf give NaN
  }
  return -1;
}

/** ONNX's packing of 4-bit values (ORT pack_bytes_to_4bit): element 2k in the low nibble, a last odd one alone. */
export function pack4(values: Int8Array | Uint8Array, type: 'int4' | 'uint4'): Uint8Array {
  return quantkit.pack(values, type);
}

/**
 * The ONNX tensors of a quantized weight: `data` (the codes, dims unchanged, INT8/UINT8 or
 * packed INT4/UINT4 raw_data), `scale` (FLOAT, paramDims) and `zeroPoint` (the weight type,
 * paramDims, 4-bit packed), named as given (ORT names them `<w>_quantized`, `<w>_scale`,
 * `<w>_zero_point`).
 */
export function weightTensors(q: QuantizedWeight, names: { data: string; scale: string; zeroPoint: string }): { data: TensorProto; scale: TensorProto; zeroPoint: TensorProto } {
  const dt = WEIGHT_DT[q.type];
  const zpBytes = q.type === 'int4' || q.type === 'uint4' ? pack4(q.zeroPoint, q.type) : q.zeroPoint;
  return {
    data: makeTensor(names.data, dt, q.dims, q.codes),
    scale: makeTensor(names.scale, DT.FLOAT, q.paramDims, q.scale),
    zeroPoint: makeTensor(names.zeroPoint, dt, q.paramDims, zpBytes),
  };
}

/**
 * The dims that make `count` per-channel values broadcast along `axis` of a rank-`rank` tensor
 * (ONNX multidirectional broadcasting): [] for one value, else [count, 1, …] with a 1 for each
 * dimension after `axis` (leading 1s omitted). E.g. Conv output [N, M, H, W], axis 1 → [M, 1, 1].
 */
export function broadcastDims(count: number, axis: number, rank: number): number[] {
  if (count === 1) return [];
  return [count, ...new Array(Math.max(0, rank - axis - 1)).fill(1)];
}
