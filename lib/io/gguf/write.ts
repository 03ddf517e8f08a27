// GGUF writer (version 3): header, tensor infos, then each tensor's bytes streamed from its
// source and padded to the alignment, all through writeAtomically (no partial OUT, ever).
// Layout rules as in read.ts; the writer also follows ggml's gguf.cpp on what it refuses to
// load: names shorter than 64 bytes, at most 4 dims, ne[0] a multiple of the block size,
// `general.alignment` a u32 power of two, `general.quantization_version` present for
// quantized tensors (gguf-py's GGUFWriter adds 2 the same way).
import { writeAtomically } from '../file';
import { byteLengthOf } from '../decode';
import { checkSources, checkWriterOptions, sourceBytes } from '../source-check';
import { describe } from '../../core/validate';
import type { ElementType, ProgressCallback, TensorSource } from '../types';
import {
  GGML_ID_OF,
  GGML_MAX_DIMS,
  GGML_MAX_NAME,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_SCALAR_BYTES,
  GGUF_VALUE_TYPES,
  GGUF_VERSION,
  type GgufScalarType,
  type GgufValueType,
} from './constants';
import { GGUF_MAX_ARRAY_DEPTH, type GgufKv, type GgufValue } from './read';

/** One metadata entry to write; `type` is inferred from `value` when omitted (see writeGguf). */
export interface GgufMetadataEntry {
  readonly key: string;
  readonly type?: GgufValueType;
  readonly value: unknown;
}

export interface GgufWriteOptions {
  /**
   * Key-values in order: entries, a plain record (types inferred), or a Map of typed values
   * (as openGguf's `gguf.kv` gives, for copying a file's metadata).
   */
  readonly metadata?: readonly GgufMetadataEntry[] | Readonly<Record<string, unknown>> | ReadonlyMap<string, GgufKv>;
  /** Types f32, f16, bf16, f64, i8, i16, i32, i64 and the ggml block types q4_0 … q6_k. */
  readonly tensors: readonly TensorSource[];
  /** Data alignment in bytes, a power of two; default 32 or `general.alignment` when given. */
  readonly alignment?: number;
  /** Paths OUT must not be (the files the tensors come from). */
  readonly inputs?: readonly string[];
  readonly onProgress?: ProgressCallback;
}

/** The types with a ggml id, listed floats, integers, then blocks (for messages). */
const ORDER: readonly ElementType[] = ['f32', 'f16', 'bf16', 'f64', 'i8', 'i16', 'i32', 'i64', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0', 'q4_k', 'q5_k', 'q6_k'];
const WRITABLE = (Object.keys(GGML_ID_OF) as ElementType[]).sort((a, b) => (ORDER.indexOf(a) >>> 0) - (ORDER.indexOf(b) >>> 0));
const SCALARS = new Set<string>(GGUF_VALUE_TYPES.filter((t) => t !== 'array'));
const utf8 = new TextEncoder();

function parseType(t: string, where: string): { scalar?: GgufScalarType; item?: string } {
  if (SCALARS.has(t)) return { scalar: t as GgufScalarType };
  const m = /^array<(.+)>$/.exec(t);
  if (m) return { item: m[1]! };
  throw new TypeError(`${where}: unknown GGUF type '${t}' (expected one of ${[...SCALARS].join(', ')} or array<T>)`);
}

const INT_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = {
  u8: [0n, 255n], i8: [-128n, 127n], u16: [0n, 65535n], i16: [-32768n, 32767n],
  u32: [0n, 4294967295n], i32: [-2147483648n, 2147483647n],
  u64: [0n, 18446744073709551615n], i64: [-9223372036854775808n, 9223372036854775807n],
};

/** Type inferred for a plain JS value: string, bool, integer → u32/i32/u64/i64 by range, number → f32. */
function inferType(v: unknown, where: string, depth: number): GgufValueType {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return v < 0n ? 'i64' : 'u64';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return 'f32';
    if (v >= 0) return v <= 0xffffffff ? 'u32' : 'u64';
    return v >= -0x80000000 ? 'i32' : 'i64';
  }
  if (Array.isArray(v)) {
    if (depth >= GGUF_MAX_ARRAY_DEPTH) throw new RangeError(`${where}: arrays nested deeper than ${GGUF_MAX_ARRAY_DEPTH} levels`);
    if (v.length === 0) throw new TypeError(`${where}: an empty array needs an explicit type (e.g. 'array<u32>')`);
    const types = new Set(v.map((x, i) => inferType(x, `${where}[${i}]`, depth + 1)));
    if (types.size === 1) return `array<${[...types][0]!}>`;
    // Numbers of mixed kinds widen: any float → f32, else the integer type covering all.
    if ([...types].every((t) => ['u32', 'i32', 'u64', 'i64', 'f32'].includes(t))) {
      if (types.has('f32')) return 'array<f32>';
      const big = types.has('u64') || types.has('i64');
      const neg = types.has('i32') || types.has('i64');
      if (!big) return neg ? 'array<i32>' : 'array<u32>';
      if (neg && types.has('u64')) throw new RangeError(`${where}: integers span both i64 and u64 ranges; no one GGUF type holds them`);
      return neg ? 'array<i64>' : 'array<u64>';
    }
    throw new TypeError(`${where}: array items of different kinds (${[...types].join(', ')}); GGUF arrays hold one type`);
  }
  throw new TypeError(`${where}: cannot store ${v === null ? 'null' : typeof v} in GGUF metadata (strings, booleans, numbers, bigints and arrays of them)`);
}

/** Growing byte buffer for the header. */
class Bytes {
  private buf = new Uint8Array(4096);
  private dv = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.dv = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  // room() may replace buf and dv: take the offset first, then the (new) buffer.
  u32(v: number): void { const at = this.room(4); this.dv.setUint32(at, v, true); }
  u64(v: bigint | number): void { const at = this.room(8); this.dv.setBigUint64(at, BigInt(v), true); }
  raw(b: Uint8Array): void { const at = this.room(b.length); this.buf.set(b, at); }
  string(s: string): void {
    const b = utf8.encode(s);
    this.u64(b.length);
    this.raw(b);
  }
  scalar(type: Exclude<GgufScalarType, 'string'>, v: unknown, where: string): void {
    const at = this.room(GGUF_SCALAR_BYTES[type]);
    const dv = this.dv;
    if (type === 'bool') {
      if (typeof v !== 'boolean') throw new TypeError(`${where}: expected a boolean for type bool but received ${typeof v}`);
      dv.setUint8(at, v ? 1 : 0);
      return;
    }
    if (type === 'f32' || type === 'f64') {
      if (typeof v !== 'number') throw new TypeError(`${where}: expected a number for type ${type} but received ${typeof v}`);
      if (type === 'f32') dv.setFloat32(at, v, true);
      else dv.setFloat64(at, v, true);
      return;
    }
    let b: bigint;
    if (typeof v === 'bigint') b = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
    else throw new TypeError(`${where}: expected an integer (number or bigint) for type ${type} but received ${typeof v === 'number' ? v : typeof v}`);
    const [lo, hi] = INT_RANGE[type]!;
    if (b < lo || b > hi) throw new RangeError(`${where}: ${b} is outside the range of ${type} [${lo}, ${hi}]`);
    switch (type) {
      case 'u8': dv.setUint8(at, Number(b)); break;
      case 'i8': dv.setInt8(at, Number(b)); break;
      case 'u16': dv.setUint16(at, Number(b), true); break;
      case 'i16': dv.setInt16(at, Number(b), true); break;
      case 'u32': dv.setUint32(at, Number(b), true); break;
      case 'i32': dv.setInt32(at, Number(b), true); break;
      case 'u64': dv.setBigUint64(at, b, true); break;
      case 'i64': dv.setBigInt64(at, b, true); break;
    }
  }
  /** Writes the value (not its type id) of `type`. */
  value(type: GgufValueType, v: unknown, where: string, depth: number): void {
    const t = parseType(type, where);
    if (t.scalar === 'string') {
      if (typeof v !== 'string') throw new TypeError(`${where}: expected a string for type string but received ${typeof v}`);
      this.string(v);
    } else if (t.scalar !== undefined) {
      this.scalar(t.scalar, v, where);
    } else {
      if (depth >= GGUF_MAX_ARRAY_DEPTH) throw new RangeError(`${where}: arrays nested deeper than ${GGUF_MAX_ARRAY_DEPTH} levels`);
      if (!Array.isArray(v)) throw new TypeError(`${where}: expected an array for type ${type} but received ${typeof v}`);
      const item = t.item!;
      const inner = parseType(item, where);
      this.u32(GGUF_VALUE_TYPES.indexOf((inner.scalar ?? 'array') as never));
      this.u64(v.length);
      for (let i = 0; i < v.length; i++) this.value(item as GgufValueType, v[i], `${where}[${i}]`, depth + 1);
    }
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function entriesOf(metadata: GgufWriteOptions['metadata'], what: string): { key: string; type: GgufValueType; value: unknown }[] {
  const out: { key: string; type: GgufValueType; value: unknown }[] = [];
  if (metadata === undefined) return out;
  const add = (key: unknown, type: GgufValueType | undefined, value: unknown, i: number): void => {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${what}: metadata entry ${i}: expected a non-empty string key but received ${String(key)}`);
    out.push({ key, type: type ?? inferType(value, `${what}: metadata key '${key}'`, 0), value });
  };
  if (metadata instanceof Map) {
    let i = 0;
    for (const [k, v] of metadata as ReadonlyMap<string, GgufKv>) add(k, v.type, v.value, i++);
  } else if (Array.isArray(metadata)) {
    (metadata as readonly GgufMetadataEntry[]).forEach((e, i) => add(e?.key, e?.type, e?.value, i));
  } else if (typeof metadata === 'object' && metadata !== null) {
    Object.keys(metadata).forEach((k, i) => add(k, undefined, (metadata as Record<string, unknown>)[k], i));
  } else {
    throw new TypeError(`${what}: expected metadata as an array of {key, type?, value}, a record or a Map but received ${typeof metadata}`);
  }
  return out;
}

/**
 * Writes a GGUF v3 file at `out` atomically.
 *
 * Metadata types, when not given, are inferred: string → string, boolean → bool, integer →
 * u32 (0 … 2^32 − 1), i32 (−2^31 … −1), u64 / i64 beyond those, other numbers → f32, bigint →
 * u64 (≥ 0) or i64, arrays → array<T> of the items' common type (nested arrays likewise).
 * `general.alignment` (u32) is added when the alignment is not 32; `general.quantization_version`
 * = 2 (u32) when any tensor has a ggml block type and the caller did not set it.
 * Each tensor's shape (row-major, outermost first) is stored reversed as ggml dims; offsets and
 * the data section are aligned and each tensor's data is zero-padded to the alignment.
 *
 * Every error of the writer's own checks starts with `writeGguf(OUT): `; errors of the disk name
 * OUT (writeAtomically), errors thrown by a source's chunks() are rethrown as they are.
 * @returns the number of bytes written.
 * @throws TypeError for a bad or unknown option (a misspelt key names the nearest valid one), a value not matching its type, an unknown type name, or a
 *   tensor type GGUF cannot hold (u8, u16, u32, u64, bool, float8).
 * @throws RangeError for an integer out of its type's range, an alignment that is not a power of
 *   two, more than 4 dims, ne[0] not a multiple of the block size, byteLength not matching the
 *   shape, or a source yielding more or fewer bytes than byteLength.
 * @throws Error for a duplicate key or tensor name, a tensor name of 64 UTF-8 bytes or more, or
 *   OUT equal to an input (nothing is written then).
 */
export async function writeGguf(out: string, options: GgufWriteOptions): Promise<number> {
  const what = `writeGguf(${String(out)})`;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${what}: expected an options object { tensors, metadata?, … } but received ${describe(options)}`);
  checkWriterOptions(options, ['metadata', 'tensors', 'alignment', 'inputs', 'onProgress'], what);
  if (options.alignment !== undefined && typeof options.alignment !== 'number') throw new TypeError(`${what}: expected a number for alignment but received ${describe(options.alignment)}`);
  const entries = entriesOf(options.metadata, what);
  const keys = new Set<string>();
  for (const e of entries) {
    if (keys.has(e.key)) throw new Error(`${what}: duplicate metadata key '${e.key}'`);
    keys.add(e.key);
  }
  const tensors = options.tensors;
  const counts = checkSources(tensors, what, WRITABLE);

  let alignment = options.alignment;
  const given = entries.find((e) => e.key === 'general.alignment');
  if (given !== undefined) {
    if (given.type !== 'u32') throw new TypeError(`${what}: metadata key 'general.alignment' must be of type u32 but is ${given.type}`);
    if (alignment !== undefined && alignment !== given.value) throw new RangeError(`${what}: alignment ${alignment} differs from metadata 'general.alignment' ${String(given.value)}`);
    alignment = Number(given.value);
  }
  alignment ??= GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isSafeInteger(alignment) || alignment <= 0 || alignment > 0xffffffff || (alignment & (alignment - 1)) !== 0) {
    throw new RangeError(`${what}: expected a power of two up to 2^31 for alignment but received ${String(alignment)}`);
  }
  if (given === undefined && alignment !== GGUF_DEFAULT_ALIGNMENT) entries.push({ key: 'general.alignment', type: 'u32', value: alignment });

  interface Plan { t: TensorSource; ggml: number; ne: number[]; byteLength: number; offset: number }
  const plans: Plan[] = [];
  let dataSize = 0;
  let quantized = false;
  // checkSources has checked names (non-empty, unique), types, shapes and byteLength; what GGUF
  // adds: ggml's name length, dims and whole blocks per row.
  tensors.forEach((t, i) => {
    const name = t.name;
    const where = `${what}: tensor '${name}'`;
    const nameBytes = utf8.encode(name).length;
    if (nameBytes >= GGML_MAX_NAME) throw new Error(`${where}: its name is ${nameBytes} UTF-8 bytes; GGUF readers (ggml) accept at most ${GGML_MAX_NAME - 1}`);
    const ggml = GGML_ID_OF[t.type]!;
    if (t.shape.length > GGML_MAX_DIMS) throw new RangeError(`${where}: shape [${t.shape.join(', ')}] has ${t.shape.length} dims; GGUF holds at most ${GGML_MAX_DIMS}`);
    const info = GGML_TYPES.get(ggml)!;
    const row = t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]!;
    if (row % info.blockElements !== 0) {
      throw new RangeError(`${where}: type ${t.type} needs the innermost dimension to be a multiple of ${info.blockElements} but shape is [${t.shape.join(', ')}]`);
    }
    const byteLength = byteLengthOf(t.type, counts[i]!)!;
    if (info.blockElements > 1) quantized = true;
    plans.push({ t, ggml, ne: t.shape.slice().reverse(), byteLength, offset: dataSize });
    dataSize += Math.ceil(byteLength / alignment) * alignment;
  });
  if (quantized && !keys.has('general.quantization_version')) entries.push({ key: 'general.quantization_version', type: 'u32', value: 2 });

  const h = new Bytes();
  h.raw(utf8.encode('GGUF'));
  h.u32(GGUF_VERSION);
  h.u64(plans.length);
  h.u64(entries.length);
  for (const e of entries) {
    h.string(e.key);
    const where = `${what}: metadata key '${e.key}'`;
    const t = parseType(e.type, where);
    h.u32(GGUF_VALUE_TYPES.indexOf((t.scalar ?? 'array') as never));
    h.value(e.type, e.value as GgufValue, where, 0);
  }
  for (const p of plans) {
    h.string(p.t.name);
    h.u32(p.ne.length);
    for (const d of p.ne) h.u64(d);
    h.u32(p.ggml);
    h.u64(p.offset);
  }
  const header = h.bytes();
  const headerPadded = Math.ceil(header.length / alignment) * alignment;
  const total = headerPadded + dataSize;
  const zeros = new Uint8Array(alignment);

  return writeAtomically(out, options.inputs ?? [], async (o) => {
    await o.write(header);
    if (headerPadded > header.length) await o.write(zeros.subarray(0, headerPadded - header.length));
    for (const p of plans) {
      for await (const chunk of sourceBytes(p.t, what)) {
        await o.write(chunk);
        options.onProgress?.(o.position, total, p.t.name);
      }
      const pad = Math.ceil(p.byteLength / alignment) * alignment - p.byteLength;
      if (pad > 0) await o.write(zeros.subarray(0, pad));
    }
    return o.position;
  });
}
