// int8 <-> uint8, int16 <-> uint16, int4 <-> uint4 and int2 <-> uint2 without a float round
// trip (README "Signed and unsigned codes"): every code and the zero point move by 2^(b−1),
// the half-width of the params' b-bit range, so the signed range [−2^(b−1), 2^(b−1) − 1]
// lands exactly on the unsigned [0, 2^b − 1] and every dequantized value stays the same,
// bit for bit.
import type { QuantkitBinding, QuantArray } from '../../binding';
import { DTYPES, type DType, type QuantArrayOf } from '../core/dtypes';
import { checkCount, checkPackedLength, checkParams, checkQuantArray, describe, type Convention } from '../core/validate';

export type SignedDType = 'int8' | 'int16' | 'int4' | 'int2';
export type UnsignedDType = 'uint8' | 'uint16' | 'uint4' | 'uint2';
export type UnsignedOf<D extends SignedDType> = D extends 'int8' ? 'uint8' : D extends 'int16' ? 'uint16' : D extends 'int4' ? 'uint4' : 'uint2';
export type SignedOf<D extends UnsignedDType> = D extends 'uint8' ? 'int8' : D extends 'uint16' ? 'int16' : D extends 'uint4' ? 'int4' : 'int2';

/** What the conversion returns: the codes, and the parameters that go with them. */
export interface Recoded<D extends DType> {
  data: QuantArrayOf<D>;
  params: { scale: number; zeroPoint: number; dtype: D; bits?: number; count?: number; convention?: Convention };
}

const PAIRS: Readonly<Record<string, DType>> = {
  int8: 'uint8', int16: 'uint16', int4: 'uint4', int2: 'uint2',
  uint8: 'int8', uint16: 'int16', uint4: 'int4', uint2: 'int2',
};

// Packed codes: a byte holds 8 / width fields, each moved by the offset modulo 2^width on its
// own (no carry into the next field). One 256-entry table per (width, offset) does a byte at a time.
const byteTables = new Map<string, Uint8Array>();
function byteTable(width: number, offset: number): Uint8Array {
  const key = `${width},${offset}`;
  let table = byteTables.get(key);
  if (table === undefined) {
    table = new Uint8Array(256);
    const mask = (1 << width) - 1;
    for (let b = 0; b < 256; b++) {
      let v = 0;
      for (let shift = 0; shift < 8; shift += width) v |= (((b >> shift) + offset) & mask) << shift;
      table[b] = v;
    }
    byteTables.set(key, table);
  }
  return table;
}

export interface SignApi {
  /**
   * int8 → uint8, int16 → uint16, int4 → uint4 or int2 → uint2: codes and zero point + 2^(b−1).
   * `out` may be q's own memory. Packed codes: params.count (when given) keeps the padding 0.
   */
  toUnsigned<D extends SignedDType>(q: QuantArrayOf<D>, params: { scale: number; zeroPoint: number; dtype: D; bits?: number; count?: number; convention?: Convention }, out?: QuantArrayOf<UnsignedOf<D>>): Recoded<UnsignedOf<D>>;
  /** uint8 → int8, uint16 → int16, uint4 → int4 or uint2 → int2: the inverse of toUnsigned. */
  toSigned<D extends UnsignedDType>(q: QuantArrayOf<D>, params: { scale: number; zeroPoint: number; dtype: D; bits?: number; count?: number; convention?: Convention }, out?: QuantArrayOf<SignedOf<D>>): Recoded<SignedOf<D>>;
}

export function signApi(binding: QuantkitBinding): SignApi {
  function convert(q: unknown, params: unknown, out: unknown, toUnsigned: boolean): Recoded<DType> {
    const p = checkParams(params, toUnsigned ? 'toUnsigned' : 'toSigned');
    const from = p.info;
    if (from.float8 !== undefined || from.signed !== toUnsigned) {
      const want = toUnsigned ? "'int8', 'int16', 'int4' or 'int2'" : "'uint8', 'uint16', 'uint4' or 'uint2'";
      throw new TypeError(`Expected ${want} for params.dtype but received ${describe(from.name)}`);
    }
    const codes = checkQuantArray(q, from, 'q');
    const source = params as { scale: number; bits?: number; count?: unknown; convention?: Convention };
    // A packed tensor's element count (params.count) says which high bits of the last byte
    // are padding, which stays 0; without it every field counts as an element.
    let count: number | undefined;
    if (from.packed && source.count !== undefined) {
      count = checkCount(source.count, 'params.count');
      checkPackedLength(codes, count, from, 'q');
    }
    const to = DTYPES[PAIRS[from.name] as DType];
    let target: QuantArray;
    if (out === undefined) {
      target = new to.ctor(codes.length);
    } else {
      target = checkQuantArray(out, to, 'out');
      if (target.length !== codes.length) {
        throw new RangeError(`Expected out.length to equal the input length ${codes.length} but received ${target.length}`);
      }
      const sameMemory = target.buffer === codes.buffer && target.byteOffset === codes.byteOffset;
      if (!sameMemory && target.buffer === codes.buffer && target.byteLength !== 0 &&
          target.byteOffset < codes.byteOffset + codes.byteLength && codes.byteOffset < target.byteOffset + target.byteLength) {
        throw new RangeError("Expected out to be q's own memory or not to overlap it, but it overlaps part of it");
      }
    }
    // qmax − qmin + 1 = 2^b, so the offset is half of it.
    const offset = ((p.qmax - p.qmin + 1) / 2) * (toUnsigned ? 1 : -1);
    if (from.packed) {
      const table = byteTable(from.width, offset);
      const n = codes.length;
      for (let i = 0; i < n; i++) target[i] = table[codes[i] as number] as number;
      const used = count === undefined ? 0 : (count * from.width) % 8;
      if (used !== 0) target[n - 1] = (target[n - 1] as number) & ((1 << used) - 1);
    } else {
      binding.recode(codes, target, offset);
    }
    const result: Recoded<DType>['params'] = { scale: source.scale, zeroPoint: p.zeroPoint + offset, dtype: to.name };
    if (source.bits !== undefined) result.bits = source.bits;
    if (count !== undefined) result.count = count;
    // Every convention adds the zero point after rounding, so the recoded codes are what
    // quantize gives with the new dtype under the same convention.
    if (source.convention !== undefined) result.convention = source.convention;
    return { data: target as QuantArrayOf<DType>, params: result };
  }
  return {
    toUnsigned: ((q: unknown, params: unknown, out?: unknown) => convert(q, params, out, true)) as SignApi['toUnsigned'],
    toSigned: ((q: unknown, params: unknown, out?: unknown) => convert(q, params, out, false)) as SignApi['toSigned'],
  };
}
