// The safetensors layout quantkit writes for integer codes (README "Files and the command"):
// tensor NAME becomes
//   NAME             codes: I8 / U8 with NAME's shape; int4 / uint4 as U8 of shape [rows, K/2]
//                    (two codes a byte, ONNX nibble order: the first element in the low nibble)
//   NAME.scale       F32, [rows] per-channel or [rows, ceil(K / blockSize)] blocked
//   NAME.zero_point  the zero points (I8 for int8/int4, U8 for uint8/uint4, one a byte, same
//                    shape as NAME.scale); only for asymmetric schemes (symmetric ones have
//                    every zero point 0)
// where rows = shape[0] and K = the product of the other dimensions; and `__metadata__`
// key "quantkit.quantization" holds JSON { version: 1, tensors: { NAME: { scheme, dtype,
// shape, axis: 0, blockSize?, symmetric } } }, so `quantkit dequantize` restores the floats.
import type { DType } from '../../core/dtypes';
import { namedScheme } from '../../calibrate/compare';

/** The schemes of compare() that this layout stores, by the same names and with the same parameters. */
export type AffineFileScheme =
  | 'int8-per-channel' | 'uint8-per-channel' | 'int4-per-channel' | 'uint4-per-channel'
  | 'int8-block32' | 'int4-block32' | 'int4-block128' | 'uint4-block32' | 'uint4-block128';

export interface AffineFileSchemeSpec {
  readonly dtype: Extract<DType, 'int8' | 'uint8' | 'int4' | 'uint4'>;
  readonly symmetric: boolean;
  /** Absent: per-channel (one scale per row). */
  readonly blockSize?: number;
}

// compare()'s named schemes (lib/calibrate/compare.ts) by the same names, so that what is
// compared is what is written: per-channel int8/int4 symmetric, uint per-channel and every
// blocked scheme asymmetric (each block's own min and max).
const FILE_SCHEME_NAMES: readonly AffineFileScheme[] = ['int8-per-channel', 'uint8-per-channel', 'int4-per-channel', 'uint4-per-channel', 'int8-block32', 'int4-block32', 'int4-block128', 'uint4-block32', 'uint4-block128'];

export const AFFINE_FILE_SCHEMES: Readonly<Record<AffineFileScheme, AffineFileSchemeSpec>> = Object.freeze(
  Object.fromEntries(
    FILE_SCHEME_NAMES.map((name) => {
      const parts = namedScheme(name);
      return [name, Object.freeze({ dtype: parts.dtype as AffineFileSchemeSpec['dtype'], symmetric: parts.symmetric === true, ...(parts.blockSize !== undefined ? { blockSize: parts.blockSize } : {}) })];
    }),
  ) as Record<AffineFileScheme, AffineFileSchemeSpec>,
);

export const METADATA_KEY = 'quantkit.quantization';

export interface QuantizedTensorRecord {
  scheme: AffineFileScheme;
  dtype: AffineFileSchemeSpec['dtype'];
  /** The float tensor's shape. */
  shape: number[];
  axis: 0;
  blockSize?: number;
  symmetric: boolean;
  /** The float tensor's element type before quantization ('f32', 'f16', …). */
  from: string;
}

export interface QuantizationRecord {
  version: 1;
  tensors: Record<string, QuantizedTensorRecord>;
}

/**
 * `__metadata__` key under which a safetensors file made from a GGUF file (by dequantize or
 * quantize) keeps the GGUF key-values with their types, as JSON [{ key, type, value }] (64-bit
 * integers as decimal strings), so that quantizing it back to GGUF restores them exactly.
 */
export const GGUF_KV_KEY = 'quantkit.gguf';

interface TypedKv {
  readonly type: string;
  readonly value: unknown;
}

/** GGUF key-values (openGguf's gguf.kv) as GGUF_KV_KEY's JSON text. */
export function ggufKvToText(kv: ReadonlyMap<string, TypedKv>): string {
  return JSON.stringify([...kv].map(([key, { type, value }]) => ({ key, type, value })), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * GGUF_KV_KEY's JSON text back to typed entries for writeGguf (u64/i64 values, in arrays too,
 * become bigints again).
 * @throws Error naming `where` when the text is not such a list.
 */
export function ggufKvFromText(text: string, where: string): Array<{ key: string; type: string; value: unknown }> {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: __metadata__["${GGUF_KV_KEY}"] is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(list) || !list.every((e) => e !== null && typeof e === 'object' && typeof e.key === 'string' && typeof e.type === 'string')) {
    throw new Error(`${where}: __metadata__["${GGUF_KV_KEY}"] is not a list of { key, type, value }`);
  }
  const big = (type: string, v: unknown): unknown => (Array.isArray(v) ? v.map((x) => big(type.replace(/^array<(.*)>$/, '$1'), x)) : (type === 'u64' || type === 'i64') && typeof v === 'string' ? BigInt(v) : v);
  return list.map((e: { key: string; type: string; value: unknown }) => ({ key: e.key, type: e.type, value: big(e.type, e.value) }));
}
