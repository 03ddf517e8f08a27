// GGUF reader: the header (metadata key-values and tensor infos) is parsed once through a
// buffered cursor; tensor data is read on demand with positioned reads.
//
// Layout (GGUF spec, ggml docs/gguf.md; ggml's gguf.cpp is the reference reader), all little-endian:
//   'GGUF' u32:version u64:n_tensors u64:n_kv
//   n_kv × { string:key u32:value_type value }
//   n_tensors × { string:name u32:n_dims u64[n_dims]:ne (innermost first) u32:ggml_type u64:offset }
//   padding to `general.alignment` (u32, power of two, default 32), then the data section;
//   each tensor's offset is relative to the data section and a multiple of the alignment.
// string = u64:byte_length + UTF-8 bytes; array = u32:item_type u64:count + items.
// Version 2 has this layout too; version 1 (u32 counts and lengths) is refused, as ggml does.
import { ReadableFile } from '../file';
import { checkNoOptions } from '../source-check';
import { decodeToFloat32 } from '../decode';
import type { ElementType, TensorFile, TensorInfo } from '../types';
import {
  GGML_MAX_DIMS,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_SCALAR_BYTES,
  GGUF_VALUE_TYPES,
  type GgmlTypeInfo,
  type GgufScalarType,
  type GgufValueType,
} from './constants';

/** A metadata value: numbers for 8–32-bit ints and floats, bigint for u64/i64, arrays (possibly nested). */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** One metadata key-value with its stored type. */
export interface GgufKv {
  readonly type: GgufValueType;
  readonly value: GgufValue;
}

/** A GGUF tensor as listed: TensorInfo plus its ggml fields. */
export interface GgufTensorInfo extends TensorInfo {
  /** The ggml type id (GGMLQuantizationType). */
  readonly ggmlType: number;
  /** Dimensions in ggml order (ne[0] innermost); `shape` is this reversed. */
  readonly ne: readonly number[];
  /** Byte offset of the data from the start of the data section. */
  readonly offset: number;
  /**
   * Whether readFloat32 decodes this type. When false (Q2_K, Q3_K, Q8_K, IQ*, TQ*, …) `type` is
   * 'u8' as a placeholder: only readBytes serves the tensor, and `storedType` names its real type.
   */
  readonly decodable: boolean;
}

/** What openGguf returns: a TensorFile with the GGUF header fields. */
export interface GgufFile extends TensorFile {
  readonly format: 'gguf';
  readonly tensors: readonly GgufTensorInfo[];
  tensor(name: string): GgufTensorInfo;
  readonly gguf: {
    readonly version: number;
    readonly alignment: number;
    /** Absolute byte offset of the data section. */
    readonly dataOffset: number;
    /** Every key-value in file order, with its type. */
    readonly kv: ReadonlyMap<string, GgufKv>;
  };
}

/** Longest string (key, value or tensor name) accepted, in bytes; ggml's own cap is 1 GiB. */
export const GGUF_MAX_STRING_BYTES = 64 * 1024 * 1024;
/** Most items in one metadata array (a 1-byte-item array this long is 128 MiB of file). */
export const GGUF_MAX_ARRAY_ITEMS = 1 << 27;
/** Deepest nesting of arrays inside arrays (ggml itself refuses any nesting; gguf-py reads it). */
export const GGUF_MAX_ARRAY_DEPTH = 8;
/** Most tensors / key-values in one file. */
export const GGUF_MAX_COUNT = 1 << 24;

const WINDOW = 1 << 20;
const utf8 = new TextDecoder('utf-8');

/** Sequential reads of the header through a refillable window. */
class Cursor {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private dv = new DataView(this.buf.buffer);
  private bufStart = 0;

  constructor(private readonly file: ReadableFile) {}

  get remaining(): number {
    return this.file.size - this.pos;
  }

  private async need(n: number, what: string): Promise<number> {
    if (n > this.remaining) {
      throw new RangeError(`${this.file.path}: truncated header: ${what} at byte ${this.pos} needs ${n} bytes but the file ends at byte ${this.file.size}`);
    }
    if (this.pos < this.bufStart || this.pos + n > this.bufStart + this.buf.length) {
      const len = Math.min(Math.max(n, WINDOW), this.file.size - this.pos);
      this.buf = await this.file.read(this.pos, len, 'the GGUF header');
      this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      this.bufStart = this.pos;
    }
    const at = this.pos - this.bufStart;
    this.pos += n;
    return at;
  }

  async u32(what: string): Promise<number> {
    const at = await this.need(4, what);
    return this.dv.getUint32(at, true);
  }

  async u64(what: string): Promise<bigint> {
    const at = await this.need(8, what);
    return this.dv.getBigUint64(at, true);
  }

  async bytes(n: number, what: string): Promise<Uint8Array> {
    const at = await this.need(n, what);
    return this.buf.subarray(at, at + n);
  }

  async string(what: string): Promise<string> {
    const len = await this.u64(`${what} (its length)`);
    if (len > BigInt(GGUF_MAX_STRING_BYTES)) {
      throw new RangeError(`${this.file.path}: ${what} has a length of ${len} bytes, more than quantkit accepts (${GGUF_MAX_STRING_BYTES})`);
    }
    if (len > BigInt(this.remaining)) {
      throw new RangeError(`${this.file.path}: ${what} has a length of ${len} bytes, past the end of the file (${this.remaining} bytes remain at byte ${this.pos})`);
    }
    return utf8.decode(await this.bytes(Number(len), what));
  }

  async scalar(type: Exclude<GgufScalarType, 'string'>, what: string): Promise<GgufValue> {
    const at = await this.need(GGUF_SCALAR_BYTES[type], what);
    const dv = this.dv;
    switch (type) {
      case 'u8': return dv.getUint8(at);
      case 'i8': return dv.getInt8(at);
      case 'u16': return dv.getUint16(at, true);
      case 'i16': return dv.getInt16(at, true);
      case 'u32': return dv.getUint32(at, true);
      case 'i32': return dv.getInt32(at, true);
      case 'f32': return dv.getFloat32(at, true);
      // ggml reads a bool as an int8 and takes any non-zero as true.
      case 'bool': return dv.getInt8(at) !== 0;
      case 'u64': return dv.getBigUint64(at, true);
      case 'i64': return dv.getBigInt64(at, true);
      case 'f64': return dv.getFloat64(at, true);
    }
  }
}

function valueTypeName(id: number, path: string, what: string): (typeof GGUF_VALUE_TYPES)[number] {
  const t = GGUF_VALUE_TYPES[id];
  if (t === undefined) throw new Error(`${path}: ${what} has an unknown value type ${id} (GGUF value types are 0–12)`);
  return t;
}

/** Smallest stored size of one item of `type` (for caps on counts before allocating). */
function minItemBytes(type: (typeof GGUF_VALUE_TYPES)[number]): number {
  if (type === 'string') return 8;
  if (type === 'array') return 12;
  return GGUF_SCALAR_BYTES[type];
}

async function readValue(c: Cursor, path: string, typeId: number, what: string, depth: number): Promise<GgufKv> {
  const type = valueTypeName(typeId, path, what);
  if (type === 'string') return { type, value: await c.string(what) };
  if (type !== 'array') return { type, value: await c.scalar(type, what) };
  if (depth >= GGUF_MAX_ARRAY_DEPTH) throw new RangeError(`${path}: ${what} nests arrays deeper than ${GGUF_MAX_ARRAY_DEPTH} levels`);
  const itemTypeId = await c.u32(`${what} (its item type)`);
  const itemType = valueTypeName(itemTypeId, path, `${what} (its item type)`);
  const count = await c.u64(`${what} (its item count)`);
  const minBytes = minItemBytes(itemType);
  if (count > BigInt(GGUF_MAX_ARRAY_ITEMS)) throw new RangeError(`${path}: ${what} has ${count} items, more than quantkit accepts (${GGUF_MAX_ARRAY_ITEMS})`);
  if (count * BigInt(minBytes) > BigInt(c.remaining)) {
    throw new RangeError(`${path}: ${what} has ${count} items of ${itemType}, which need at least ${count * BigInt(minBytes)} bytes but only ${c.remaining} remain`);
  }
  const n = Number(count);
  const items: GgufValue[] = new Array<GgufValue>(n);
  let innerType: GgufValueType | undefined;
  for (let i = 0; i < n; i++) {
    if (itemType === 'string') items[i] = await c.string(`${what}[${i}]`);
    else if (itemType === 'array') {
      const inner = await readValue(c, path, 9, `${what}[${i}]`, depth + 1);
      innerType ??= inner.type;
      items[i] = inner.value;
    } else items[i] = await c.scalar(itemType, `${what}[${i}]`);
  }
  const t: GgufValueType = itemType === 'array' ? `array<${innerType ?? 'array<u8>'}>` : `array<${itemType}>`;
  return { type: t, value: items };
}

function plain(v: GgufValue): unknown {
  return v;
}

/**
 * Opens a GGUF file (version 2 or 3) and parses its header; tensor data is read on demand.
 *
 * Tensor shapes are row-major, outermost first: GGUF's ggml dims (ne[0] innermost) reversed.
 * Types F32, F16, BF16, F64, I8, I16, I32, I64, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K
 * decode to float32 (block types through quantkit.ggml.dequantize, so each works once the ggml
 * facade supports it); the others are listed and readBytes serves them, readFloat32 throws.
 *
 * @throws Error naming the file (and the key or tensor and the field) for: a bad magic; version
 *   1, 0, > 3 or big-endian; an unknown value type or tensor type; a duplicate key or tensor name;
 *   `general.alignment` not a u32 power of two; a tensor offset not a multiple of the alignment;
 *   overlapping tensors.
 * @throws RangeError naming the file and the field for: a truncated header; counts of tensors,
 *   key-values or array items past the caps (GGUF_MAX_COUNT, GGUF_MAX_ARRAY_ITEMS) or past what the
 *   rest of the file could hold; strings longer than GGUF_MAX_STRING_BYTES or past the end; arrays
 *   nested deeper than GGUF_MAX_ARRAY_DEPTH; n_dims > 4; a dimension product above 2^53 − 1; ne[0]
 *   not a multiple of the type's block; a tensor past the end of the file.
 * @param options none yet: an object with a key (a misspelt option) is a TypeError.
 */
export async function openGguf(path: string, options?: Readonly<Record<string, never>>): Promise<GgufFile> {
  checkNoOptions(options, `openGguf(${String(path)})`);
  const file = await ReadableFile.open(path);
  try {
    return await parse(file);
  } catch (e) {
    await file.close();
    throw e;
  }
}

async function parse(file: ReadableFile): Promise<GgufFile> {
  const path = file.path;
  const c = new Cursor(file);
  const magic = await c.bytes(4, 'the magic');
  if (magic[0] !== 0x47 || magic[1] !== 0x47 || magic[2] !== 0x55 || magic[3] !== 0x46) {
    const shown = Array.from(magic, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?')).join('');
    throw new Error(`${path}: not a GGUF file: the magic is '${shown}', expected 'GGUF'`);
  }
  const version = await c.u32('the version');
  if (version === 1) throw new Error(`${path}: GGUF version 1 is not supported (it predates 64-bit counts; convert it with a current llama.cpp)`);
  if (version !== 0 && (version & 0xffff) === 0) throw new Error(`${path}: GGUF version field is ${version}: a big-endian GGUF file, which quantkit does not read`);
  if (version !== 2 && version !== 3) throw new Error(`${path}: GGUF version ${version} is not supported (quantkit reads versions 2 and 3)`);
  const nTensors = await c.u64('the tensor count');
  const nKv = await c.u64('the key-value count');
  // Each tensor info takes at least 24 bytes and each key-value at least 13: check before allocating.
  for (const [count, min, what] of [[nTensors, 24, 'tensor count'], [nKv, 13, 'key-value count']] as const) {
    if (count > BigInt(GGUF_MAX_COUNT)) throw new RangeError(`${path}: the ${what} is ${count}, more than quantkit accepts (${GGUF_MAX_COUNT})`);
    if (count * BigInt(min) > BigInt(c.remaining)) throw new RangeError(`${path}: the ${what} is ${count}, more than the ${c.remaining} bytes after the header start could hold`);
  }

  const kv = new Map<string, GgufKv>();
  const metadata: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < Number(nKv); i++) {
    const key = await c.string(`key ${i}`);
    if (key.length === 0) throw new Error(`${path}: key ${i} is empty`);
    if (kv.has(key)) throw new Error(`${path}: duplicate key '${key}' (key ${i})`);
    const typeId = await c.u32(`the value type of key '${key}'`);
    const v = await readValue(c, path, typeId, `the value of key '${key}'`, 0);
    kv.set(key, v);
    metadata[key] = plain(v.value);
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const a = kv.get('general.alignment');
  if (a !== undefined) {
    if (a.type !== 'u32') throw new Error(`${path}: key 'general.alignment' must be of type u32 but is ${a.type}`);
    alignment = a.value as number;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new Error(`${path}: key 'general.alignment' is ${alignment}, not a power of two`);
  }

  interface Raw { name: string; ne: number[]; info: GgmlTypeInfo; offset: number; byteLength: number; elements: number }
  const raws: Raw[] = [];
  const names = new Set<string>();
  for (let i = 0; i < Number(nTensors); i++) {
    const name = await c.string(`the name of tensor ${i}`);
    if (names.has(name)) throw new Error(`${path}: duplicate tensor name '${name}' (tensor ${i})`);
    names.add(name);
    const nDims = await c.u32(`n_dims of tensor '${name}'`);
    if (nDims > GGML_MAX_DIMS) throw new RangeError(`${path}: tensor '${name}' has n_dims ${nDims}, more than ${GGML_MAX_DIMS}`);
    const ne: number[] = [];
    let elements = 1n;
    for (let d = 0; d < nDims; d++) {
      const v = await c.u64(`dimension ${d} of tensor '${name}'`);
      elements *= v;
      ne.push(Number(v));
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || elements > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new RangeError(`${path}: tensor '${name}' has dimensions whose product overflows 2^53 − 1 (dimension ${d} is ${v})`);
      }
    }
    const typeId = await c.u32(`the type of tensor '${name}'`);
    const info = GGML_TYPES.get(typeId);
    if (info === undefined) throw new Error(`${path}: tensor '${name}' has an unknown ggml type ${typeId}`);
    const rowLength = nDims === 0 ? 1 : ne[0]!;
    if (rowLength % info.blockElements !== 0) {
      throw new RangeError(`${path}: tensor '${name}' of type ${info.name} has ${rowLength} elements per row (ne[0]), not a multiple of its block size ${info.blockElements}`);
    }
    const offset = await c.u64(`the offset of tensor '${name}'`);
    if (offset % BigInt(alignment) !== 0n) throw new Error(`${path}: tensor '${name}' has offset ${offset}, not a multiple of the alignment ${alignment}`);
    const n = Number(elements);
    const byteLength = (n / info.blockElements) * info.blockBytes;
    if (!Number.isSafeInteger(byteLength) || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`${path}: tensor '${name}' has offset ${offset} and ${byteLength} bytes, past what a file can hold`);
    }
    raws.push({ name, ne, info, offset: Number(offset), byteLength, elements: n });
  }

  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  for (const r of raws) {
    if (dataOffset + r.offset + r.byteLength > file.size) {
      throw new RangeError(`${path}: tensor '${r.name}' at data offset ${r.offset} with ${r.byteLength} bytes lies past the end of the file (data section starts at byte ${dataOffset}, file is ${file.size} bytes)`);
    }
  }
  const byOffset = raws.filter((r) => r.byteLength > 0).sort((x, y) => x.offset - y.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const p = byOffset[i - 1]!;
    const q = byOffset[i]!;
    if (q.offset < p.offset + p.byteLength) {
      throw new Error(`${path}: tensors '${p.name}' (bytes [${p.offset}, ${p.offset + p.byteLength})) and '${q.name}' (from byte ${q.offset}) overlap in the data section`);
    }
  }

  const tensors: GgufTensorInfo[] = raws.map((r) =>
    Object.freeze({
      name: r.name,
      type: (r.info.element ?? 'u8') as ElementType,
      storedType: r.info.name,
      shape: Object.freeze(r.ne.slice().reverse()),
      elements: r.elements,
      byteLength: r.byteLength,
      ggmlType: r.info.id,
      ne: Object.freeze(r.ne.slice()),
      offset: r.offset,
      decodable: r.info.element !== undefined,
    }),
  );
  const byName = new Map(tensors.map((t) => [t.name, t]));
  let closed = false;

  const tensor = (name: string): GgufTensorInfo => {
    const t = byName.get(name);
    if (t === undefined) throw new Error(`${path}: no tensor named '${name}'`);
    return t;
  };
  const checkOpen = (): void => {
    if (closed) throw new Error(`${path}: the file is closed`);
  };

  const result: GgufFile = {
    format: 'gguf',
    path,
    metadata: Object.freeze(metadata),
    tensors: Object.freeze(tensors),
    gguf: Object.freeze({ version, alignment, dataOffset, kv }),
    tensor,
    async readBytes(name: string, byteStart = 0, byteLength?: number, into?: Uint8Array): Promise<Uint8Array> {
      const t = tensor(name);
      checkOpen();
      const len = byteLength ?? t.byteLength - byteStart;
      if (!Number.isSafeInteger(byteStart) || !Number.isSafeInteger(len) || byteStart < 0 || len < 0 || byteStart + len > t.byteLength) {
        throw new RangeError(`${path}: bytes [${byteStart}, ${byteStart + len}) are outside tensor '${name}' (${t.byteLength} bytes)`);
      }
      if (into !== undefined && into.length !== len) throw new RangeError(`${path}: tensor '${name}': into holds ${into.length} bytes, not the ${len} asked for`);
      return file.read(dataOffset + t.offset + byteStart, len, `tensor '${name}'`, into);
    },
    async readFloat32(name: string, start = 0, count?: number): Promise<Float32Array> {
      const t = tensor(name);
      checkOpen();
      if (!t.decodable) {
        throw new Error(`${path}: tensor '${name}' has ggml type ${t.storedType}, which quantkit cannot decode to float32 (not supported); readBytes gives its stored bytes`);
      }
      const info = GGML_TYPES.get(t.ggmlType)!;
      const n = count ?? t.elements - start;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(n) || start < 0 || n < 0 || start + n > t.elements) {
        throw new RangeError(`${path}: elements [${start}, ${start + n}) are outside tensor '${name}' (${t.elements} elements)`);
      }
      if (start % info.blockElements !== 0 || n % info.blockElements !== 0) {
        throw new RangeError(`${path}: tensor '${name}' is ${info.name}: start ${start} and count ${n} must be multiples of its block size ${info.blockElements}`);
      }
      const bytes = await file.read(dataOffset + t.offset + (start / info.blockElements) * info.blockBytes, (n / info.blockElements) * info.blockBytes, `tensor '${name}'`);
      return decodeToFloat32(bytes, t.type);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await file.close();
    },
  };
  return result;
}
