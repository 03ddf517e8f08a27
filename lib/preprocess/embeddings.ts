// Embeddings -> int8 / uint8 codes and packed bits (README "Embeddings"), and back for
// rescoring. Per-dimension ranges: opts.ranges, else those of opts.calibration, else those of
// the input (embeddingRanges: one native pass, minMaxAxis).
import type { FloatArray, QuantkitBinding } from '../../binding';
import { checkQuantInput, isHalf, type HalfWidener, type QuantInput } from '../core/half-input';
import { checkKeys, checkOptions, describe, keySet, typedArrayKind, checkAttached } from '../core/validate';
import { checkChoice, checkInteger, checkRoom, rangeError, typeError } from './checks';

export type EmbeddingPrecision = 'int8' | 'uint8' | 'binary' | 'ubinary';
/**
 * 'nearest' (default): round to nearest even, then clip; 'sentence-transformers':
 * sentence_transformers.quantize_embeddings bit for bit (floor, clip to [0, 255]).
 */
export type EmbeddingConvention = 'nearest' | 'sentence-transformers';

/** Per-dimension ranges, as embeddingRanges returns them (any array of numbers is accepted). */
export interface EmbeddingRanges {
  min: ArrayLike<number>;
  max: ArrayLike<number>;
}

export interface QuantizeEmbeddingsOptions {
  /** Values a row. */
  dim: number;
  /** Default 'int8'. */
  precision?: EmbeddingPrecision;
  ranges?: EmbeddingRanges;
  /** Rows whose per-dimension min/max are the ranges (when opts.ranges is absent). */
  calibration?: QuantInput;
  convention?: EmbeddingConvention;
  /** Element of `out` where the codes start; default 0. */
  offset?: number;
}

export interface DequantizeEmbeddingsOptions {
  dim: number;
  precision?: 'int8' | 'uint8';
  ranges: EmbeddingRanges;
  convention?: EmbeddingConvention;
}

export type EmbeddingCodes<P extends EmbeddingPrecision> = P extends 'uint8' | 'ubinary' ? Uint8Array : Int8Array;

const QUANTIZE_KEYS = keySet(['dim', 'precision', 'ranges', 'calibration', 'convention', 'offset']);
const DEQUANTIZE_KEYS = keySet(['dim', 'precision', 'ranges', 'convention']);
const RANGE_KEYS = keySet(['min', 'max']);
const PRECISIONS: readonly EmbeddingPrecision[] = ['int8', 'uint8', 'binary', 'ubinary'];
const CONVENTIONS: readonly EmbeddingConvention[] = ['nearest', 'sentence-transformers'];
const MAX_DIM = 2 ** 31;

function checkDim(v: unknown, length: number, name: string): number {
  const dim = checkInteger(v, 'opts.dim', 1, MAX_DIM);
  if (length % dim !== 0) throw new RangeError(`Expected opts.dim to divide ${name}.length ${length} but received ${dim}`);
  return dim;
}

/** min and max as float32 arrays of `dim`, finite, max ≥ min everywhere. */
function checkRanges(v: unknown, dim: number, name: string): { min: Float32Array; max: Float32Array } {
  if (v === null || typeof v !== 'object') throw typeError('an object { min, max }', name, v);
  checkKeys(v, RANGE_KEYS, name);
  const r = v as Record<string, unknown>;
  const arrays = (['min', 'max'] as const).map((k) => {
    const a = r[k];
    if (!(Array.isArray(a) || (typedArrayKind(a) !== undefined && !typedArrayKind(a)!.startsWith('Big')))) throw typeError('an array of numbers', `${name}.${k}`, a);
    const values = a as ArrayLike<unknown>;
    if (values.length !== dim) throw new RangeError(`Expected ${dim} values (opts.dim) for ${name}.${k} but received ${describe(a)}`);
    const out = new Float32Array(dim);
    for (let i = 0; i < dim; i++) {
      const x = values[i];
      if (typeof x !== 'number') throw typeError('a number', `${name}.${k}[${i}]`, x);
      if (!Number.isFinite(Math.fround(x))) throw rangeError('a finite float32', `${name}.${k}[${i}]`, x);
      out[i] = x;
    }
    return out;
  });
  const [min, max] = arrays as [Float32Array, Float32Array];
  for (let i = 0; i < dim; i++) {
    if (max[i]! < min[i]!) throw new RangeError(`Expected ${name}.max[${i}] ≥ ${name}.min[${i}] ${min[i]} but received ${max[i]}`);
  }
  return { min, max };
}

/** steps = fl(fl(max − min) / 255), 0 -> 1 (as sentence-transformers' current release). */
function stepsOf(min: Float32Array, max: Float32Array): Float32Array {
  const step = new Float32Array(min.length);
  for (let i = 0; i < min.length; i++) {
    const s = Math.fround(Math.fround(max[i]! - min[i]!) / 255);
    step[i] = s === 0 ? 1 : s;
  }
  return step;
}

export interface EmbeddingsApi {
  quantizeEmbeddings<P extends EmbeddingPrecision = 'int8'>(embeddings: QuantInput, opts: QuantizeEmbeddingsOptions & { precision?: P }, out?: EmbeddingCodes<P>): EmbeddingCodes<P>;
  embeddingRanges(rows: QuantInput, dim: number): { min: Float32Array; max: Float32Array };
  dequantizeEmbeddings(codes: Int8Array | Uint8Array, opts: DequantizeEmbeddingsOptions, out?: Float32Array): Float32Array;
  unpackBits(packed: Uint8Array | Int8Array, dim: number, out?: Uint8Array): Uint8Array;
}

export function embeddingsApi(binding: QuantkitBinding, half: HalfWidener): EmbeddingsApi {
  function floats(v: unknown, name: string): FloatArray {
    const x = checkQuantInput(v, name);
    return isHalf(x) ? half.whole(x) : x;
  }

  function ranges(x: FloatArray, dim: number): { min: Float32Array; max: Float32Array } {
    const both = new Float64Array(2 * dim);
    binding.minMaxAxis(x, both, x.length / dim, dim, 1, 0);
    const min = new Float32Array(dim);
    const max = new Float32Array(dim);
    for (let i = 0; i < dim; i++) {
      min[i] = both[2 * i]!;
      max[i] = both[2 * i + 1]!;
    }
    return { min, max };
  }

  /** Per-dimension min and max of `rows` (NaN ignored; NaN where a dimension has no value). */
  function embeddingRanges(rows: QuantInput, dim: number): { min: Float32Array; max: Float32Array } {
    const x = floats(rows, 'rows');
    const d = checkInteger(dim, 'dim', 1, MAX_DIM);
    if (x.length % d !== 0) throw new RangeError(`Expected dim to divide rows.length ${x.length} but received ${d}`);
    return ranges(x, d);
  }

  function quantizeEmbeddings<P extends EmbeddingPrecision>(embeddings: QuantInput, opts: QuantizeEmbeddingsOptions & { precision?: P }, out?: EmbeddingCodes<P>): EmbeddingCodes<P> {
    const input = checkQuantInput(embeddings, 'embeddings');
    const o = checkOptions(opts, 'opts');
    if (opts === undefined) throw typeError('an options object with dim', 'opts', opts);
    checkKeys(o, QUANTIZE_KEYS, 'opts');
    const length = isHalf(input) ? input.bits.length : input.length;
    const dim = checkDim(o.dim, length, 'embeddings');
    const precision = checkChoice(o.precision, PRECISIONS, 'opts.precision', 'int8');
    const convention = checkChoice(o.convention, CONVENTIONS, 'opts.convention', 'nearest');
    const rows = length / dim;
    const binary = precision === 'binary' || precision === 'ubinary';
    const size = binary ? rows * Math.ceil(dim / 8) : length;
    const ctor = precision === 'uint8' || precision === 'ubinary' ? Uint8Array : Int8Array;
    let given: { min: Float32Array; max: Float32Array } | undefined;
    let calibration: FloatArray | undefined;
    if (!binary) {
      if (o.ranges !== undefined) given = checkRanges(o.ranges, dim, 'opts.ranges');
      else if (o.calibration !== undefined) {
        calibration = floats(o.calibration, 'opts.calibration');
        if (calibration.length === 0 || calibration.length % dim !== 0) {
          throw new RangeError(`Expected opts.calibration to hold one or more rows of opts.dim ${dim} values but received ${describe(o.calibration)}`);
        }
      }
    }
    let target: Int8Array | Uint8Array;
    if (out === undefined) {
      if (o.offset !== undefined) throw typeError('an out array with opts.offset', 'out', out);
    } else {
      if (typedArrayKind(out) !== ctor.name) throw typeError(`${ctor === Int8Array ? 'an Int8Array' : 'a Uint8Array'} (precision '${precision}')`, 'out', out);
      const offset = o.offset === undefined ? 0 : checkInteger(o.offset, 'opts.offset', 0);
      checkRoom(out, offset, size, 'out');
    }
    const x = isHalf(input) ? half.whole(input) : input;
    if (out !== undefined) {
      const offset = o.offset === undefined ? 0 : (o.offset as number);
      target = (out as Int8Array | Uint8Array).subarray(offset, offset + size);
      refuseOverlap(x, target, 'the embeddings\'');
    } else {
      target = new ctor(size);
    }
    if (binary) {
      binding.binarizeEmbeddings(x, target, dim);
    } else if (rows > 0) {
      const r = given ?? ranges(calibration ?? x, dim);
      const from = calibration ? 'opts.calibration' : 'embeddings';
      for (let i = 0; i < dim; i++) {
        if (!(r.min[i]! <= r.max[i]!)) throw new RangeError(`Expected a value in dimension ${i} of ${from} to take its range from but every one is NaN`);
        // An infinite value would make the range, and every step of that dimension, infinite.
        if (!Number.isFinite(r.min[i]!) || !Number.isFinite(r.max[i]!)) {
          throw new RangeError(`Expected finite values in dimension ${i} of ${from} (its range) but received [${r.min[i]}, ${r.max[i]}]`);
        }
      }
      binding.quantizeEmbeddings(x, target, r.min, stepsOf(r.min, r.max), dim, convention === 'sentence-transformers');
    }
    return (out ?? target) as EmbeddingCodes<P>;
  }

  /**
   * Codes back to floats with the same ranges: min + u · step ('nearest'), or the centre of
   * the bucket, min + (u + 0.5) · step ('sentence-transformers', whose codes are floors), in
   * float32 steps; u is the uint8 code (int8 code + 128).
   */
  function dequantizeEmbeddings(codes: Int8Array | Uint8Array, opts: DequantizeEmbeddingsOptions, out?: Float32Array): Float32Array {
    const kind = typedArrayKind(codes);
    if (kind !== 'Int8Array' && kind !== 'Uint8Array') throw typeError('an Int8Array or Uint8Array', 'codes', codes);
    checkAttached(codes, 'codes');
    const o = checkOptions(opts, 'opts');
    if (opts === undefined) throw typeError('an options object with dim and ranges', 'opts', opts);
    checkKeys(o, DEQUANTIZE_KEYS, 'opts');
    const dim = checkDim(o.dim, codes.length, 'codes');
    const precision = checkChoice(o.precision, ['int8', 'uint8'] as const, 'opts.precision', kind === 'Uint8Array' ? 'uint8' : 'int8');
    if ((precision === 'uint8') !== (kind === 'Uint8Array')) throw typeError(precision === 'uint8' ? 'a Uint8Array' : 'an Int8Array', 'codes', codes);
    const convention = checkChoice(o.convention, CONVENTIONS, 'opts.convention', 'nearest');
    if (o.ranges === undefined) throw typeError('the ranges the codes were made with', 'opts.ranges', o.ranges);
    const { min, max } = checkRanges(o.ranges, dim, 'opts.ranges');
    const step = stepsOf(min, max);
    let target: Float32Array;
    if (out === undefined) target = new Float32Array(codes.length);
    else {
      if (typedArrayKind(out) !== 'Float32Array') throw typeError('a Float32Array', 'out', out);
      checkAttached(out, 'out');
      if (out.length !== codes.length) throw new RangeError(`Expected out.length to equal codes.length ${codes.length} but received ${out.length}`);
      refuseOverlap(codes, out, 'the codes\'');
      target = out;
    }
    const bias = precision === 'int8' ? 128 : 0;
    const half = convention === 'sentence-transformers' ? 0.5 : 0;
    for (let i = 0; i < codes.length; i++) {
      const d = i % dim;
      target[i] = Math.fround(min[d]! + Math.fround((codes[i]! + bias + half) * step[d]!));
    }
    return target;
  }

  /** Refuses an out sharing a byte with the input: the loops would read what they wrote. */
  function refuseOverlap(input: ArrayBufferView, out: ArrayBufferView, what: string): void {
    if (out.buffer === input.buffer && out.byteOffset < input.byteOffset + input.byteLength && input.byteOffset < out.byteOffset + out.byteLength) {
      throw new RangeError(`Expected out not to overlap ${what} memory but it does`);
    }
  }

  /** Packed bits (ubinary, or binary: byte − 128) -> one 0/1 byte per dimension, as numpy.unpackbits(axis=-1)[:, :dim]. */
  function unpackBits(packed: Uint8Array | Int8Array, dim: number, out?: Uint8Array): Uint8Array {
    const kind = typedArrayKind(packed);
    if (kind !== 'Int8Array' && kind !== 'Uint8Array') throw typeError('an Int8Array or Uint8Array', 'packed', packed);
    checkAttached(packed, 'packed');
    const d = checkInteger(dim, 'dim', 1, MAX_DIM);
    const rowBytes = Math.ceil(d / 8);
    if (packed.length % rowBytes !== 0) throw new RangeError(`Expected packed.length to be a multiple of ceil(dim / 8) = ${rowBytes} but received ${packed.length}`);
    const rows = packed.length / rowBytes;
    let target: Uint8Array;
    if (out === undefined) target = new Uint8Array(rows * d);
    else {
      if (typedArrayKind(out) !== 'Uint8Array') throw typeError('a Uint8Array', 'out', out);
      checkAttached(out, 'out');
      if (out.length !== rows * d) throw new RangeError(`Expected out.length to equal ${rows * d} but received ${out.length}`);
      refuseOverlap(packed, out, 'the packed bits\'');
      target = out;
    }
    const flip = kind === 'Int8Array' ? 0x80 : 0;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < d; i++) target[r * d + i] = ((((packed[r * rowBytes + (i >> 3)]! & 0xff) ^ flip) >> (7 - (i & 7))) & 1);
    }
    return target;
  }

  return { quantizeEmbeddings, embeddingRanges, dequantizeEmbeddings, unpackBits };
}
