// The integer types quantkit writes, and the ranges that `bits` narrows them to (SPEC §2.5).

export type DType = 'uint8' | 'int8' | 'uint16' | 'int16';

/** The TypedArray that holds each dtype. */
export interface QuantArrayMap {
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
}
export type QuantArrayOf<D extends DType> = QuantArrayMap[D];

type QuantArrayConstructor = { new (length: number): QuantArrayOf<DType>; readonly name: string };

export interface DTypeInfo {
  readonly name: DType;
  readonly ctor: QuantArrayConstructor;
  readonly signed: boolean;
  readonly width: number;
}

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  uint8: { name: 'uint8', ctor: Uint8Array, signed: false, width: 8 },
  int8: { name: 'int8', ctor: Int8Array, signed: true, width: 8 },
  uint16: { name: 'uint16', ctor: Uint16Array, signed: false, width: 16 },
  int16: { name: 'int16', ctor: Int16Array, signed: true, width: 16 },
};

export const DTYPE_NAMES = Object.keys(DTYPES) as DType[];

export const MIN_BITS = 2;

/** [qmin, qmax] of a `bits`-wide range inside the dtype: unsigned [0, 2^b − 1], signed [−2^(b−1), 2^(b−1) − 1]. */
export function quantRange(info: DTypeInfo, bits: number): [number, number] {
  return info.signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

/** The dtype whose TypedArray `a` is, or undefined. */
export function dtypeOfArray(a: unknown): DType | undefined {
  for (const name of DTYPE_NAMES) {
    if (a instanceof DTYPES[name].ctor) return name;
  }
  return undefined;
}
