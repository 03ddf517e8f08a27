// int8 <-> uint8 and int16 <-> uint16 without a float round trip (README "Signed and
// unsigned codes"): every code and the zero point move by 2^(b−1), the half-width of the
// params' b-bit range, so the signed range [−2^(b−1), 2^(b−1) − 1] lands exactly on the
// unsigned [0, 2^b − 1] and every dequantized value stays the same, bit for bit.
import type { QuantkitBinding, QuantArray } from '../binding';
import { DTYPES, type DType, type QuantArrayOf } from './dtypes';
import { checkParams, checkQuantArray, describe, type Convention } from './validate';

export type SignedDType = 'int8' | 'int16';
export type UnsignedDType = 'uint8' | 'uint16';
export type UnsignedOf<D extends SignedDType> = D extends 'int8' ? 'uint8' : 'uint16';
export type SignedOf<D extends UnsignedDType> = D extends 'uint8' ? 'int8' : 'int16';

/** What the conversion returns: the codes, and the parameters that go with them. */
export interface Recoded<D extends DType> {
  data: QuantArrayOf<D>;
  params: { scale: number; zeroPoint: number; dtype: D; bits?: number; convention?: Convention };
}

const PAIRS: Readonly<Record<string, DType>> = { int8: 'uint8', int16: 'uint16', uint8: 'int8', uint16: 'int16' };

export interface SignApi {
  /** int8 → uint8 or int16 → uint16: codes and zero point + 2^(b−1). `out` may be q's own memory. */
  toUnsigned<D extends SignedDType>(q: QuantArrayOf<D>, params: { scale: number; zeroPoint: number; dtype: D; bits?: number; convention?: Convention }, out?: QuantArrayOf<UnsignedOf<D>>): Recoded<UnsignedOf<D>>;
  /** uint8 → int8 or uint16 → int16: codes and zero point − 2^(b−1). `out` may be q's own memory. */
  toSigned<D extends UnsignedDType>(q: QuantArrayOf<D>, params: { scale: number; zeroPoint: number; dtype: D; bits?: number; convention?: Convention }, out?: QuantArrayOf<SignedOf<D>>): Recoded<SignedOf<D>>;
}

export function signApi(binding: QuantkitBinding): SignApi {
  function convert(q: unknown, params: unknown, out: unknown, toUnsigned: boolean): Recoded<DType> {
    const p = checkParams(params);
    const from = p.info;
    if (from.packed || from.signed !== toUnsigned) {
      const want = toUnsigned ? "'int8' or 'int16'" : "'uint8' or 'uint16'";
      throw new TypeError(`Expected ${want} for params.dtype but received ${describe(from.name)}`);
    }
    const codes = checkQuantArray(q, from, 'q');
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
    binding.recode(codes, target, offset);
    const source = params as { scale: number; bits?: number; convention?: Convention };
    const result: Recoded<DType>['params'] = { scale: source.scale, zeroPoint: p.zeroPoint + offset, dtype: to.name };
    if (source.bits !== undefined) result.bits = source.bits;
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
