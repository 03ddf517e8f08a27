// The types quantkit writes: integers, with the ranges that `bits` narrows them to
// (SPEC §2.5), and the ONNX float8 formats.

export type DType = 'uint8' | 'int8' | 'uint16' | 'int16' | PackedDType | Float8DType;

/**
 * Sub-byte types, packed as ONNX packs them: element i sits in byte floor(i·b/8) at bit
 * (i·b) mod 8, so the first element takes the lowest bits; the unused high bits of the last
 * byte are zero. Their container is a Uint8Array of ceil(n·b/8) bytes.
 */
export type PackedDType = 'uint4' | 'int4' | 'uint2' | 'int2';

/**
 * ONNX float8 formats (opset 19), one code per byte in a Uint8Array: float8e4m3fn (1 sign,
 * 4 exponent, 3 mantissa bits, largest finite 448, no Inf) and float8e5m2 (1, 5, 2, largest
 * finite 57344, with ±Inf). README "float8".
 */
export type Float8DType = 'float8e4m3fn' | 'float8e5m2';

/** The TypedArray that holds each dtype. */
export interface QuantArrayMap {
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  uint4: Uint8Array;
  int4: Uint8Array;
  uint2: Uint8Array;
  int2: Uint8Array;
  float8e4m3fn: Uint8Array;
  float8e5m2: Uint8Array;
}
export type QuantArrayOf<D extends DType> = QuantArrayMap[D];

type QuantArrayConstructor = { new (length: number): QuantArrayOf<DType>; readonly name: string };

export const MIN_BITS = 2;

export interface DTypeInfo {
  readonly name: DType;
  readonly ctor: QuantArrayConstructor;
  readonly signed: boolean;
  readonly width: number;
  /** True for the sub-byte types: `width` bits per element, packed into a Uint8Array. */
  readonly packed: boolean;
  /** [qmin, qmax] for each bit width from MIN_BITS to `width` (indexed by bits). */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /** float8 dtypes only: the binding's format code and the largest finite value. */
  readonly float8?: { readonly format: 0 | 1; readonly max: number };
}

function info(name: DType, ctor: QuantArrayConstructor, signed: boolean, width: number, packed = false): DTypeInfo {
  // Unsigned [0, 2^b − 1], signed [−2^(b−1), 2^(b−1) − 1] (SPEC §2.5); computed once so
  // that a call only looks its range up.
  const ranges: Array<readonly [number, number]> = [];
  for (let b = MIN_BITS; b <= width; b++) ranges[b] = signed ? [-(2 ** (b - 1)), 2 ** (b - 1) - 1] : [0, 2 ** b - 1];
  return { name, ctor, signed, width, packed, ranges };
}

// Frozen at every level: the table is exported, and a changed entry (dtypes.int8.ranges = [])
// would break every later call in the process. The constructors are shared globals, left as they are.
function freezeInfo(d: DTypeInfo): DTypeInfo {
  for (const r of d.ranges) if (r !== undefined) Object.freeze(r);
  Object.freeze(d.ranges);
  if (d.float8 !== undefined) Object.freeze(d.float8);
  return Object.freeze(d);
}

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = Object.freeze({
  uint8: info('uint8', Uint8Array, false, 8),
  int8: info('int8', Int8Array, true, 8),
  uint16: info('uint16', Uint16Array, false, 16),
  int16: info('int16', Int16Array, true, 16),
  uint4: info('uint4', Uint8Array, false, 4, true),
  int4: info('int4', Uint8Array, true, 4, true),
  uint2: info('uint2', Uint8Array, false, 2, true),
  int2: info('int2', Uint8Array, true, 2, true),
  // No integer range: `bits` does not apply, and quantize never reads `ranges`.
  float8e4m3fn: { name: 'float8e4m3fn', ctor: Uint8Array, signed: true, width: 8, packed: false, ranges: [], float8: { format: 0, max: 448 } },
  float8e5m2: { name: 'float8e5m2', ctor: Uint8Array, signed: true, width: 8, packed: false, ranges: [], float8: { format: 1, max: 57344 } },
});
for (const d of Object.values(DTYPES)) freezeInfo(d);

export const DTYPE_NAMES: readonly DType[] = Object.freeze(Object.keys(DTYPES) as DType[]);

/** [qmin, qmax] of a `bits`-wide range inside the dtype (bits already checked). */
export function quantRange(dtype: DTypeInfo, bits: number): readonly [number, number] {
  return dtype.ranges[bits] as readonly [number, number];
}

/** Bytes that hold `count` packed `width`-bit elements: ceil(count · width / 8). */
export function packedBytes(count: number, width: number): number {
  return Math.ceil((count * width) / 8);
}
