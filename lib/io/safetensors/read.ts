// Reading safetensors files with positioned reads: only the header is parsed at open, and each
// read fetches exactly the requested range of one tensor.
//
// Format (huggingface/safetensors README and safetensors/src/tensor.rs `read_metadata`,
// `Metadata::validate`): 8 bytes N (u64 little-endian), N bytes of UTF-8 JSON, then the data
// area. The JSON is an object of tensor name → {dtype, shape, data_offsets: [begin, end]}, with
// offsets relative to the data area, and an optional "__metadata__" object of string → string.
// The reference rejects N > 100_000_000, sorts tensors by data_offsets and requires them to
// tile the data area exactly: the first begins at 0, each begins where the previous ends, the
// last ends at the end of the file, and end − begin = product(shape) × dtype size. This reader
// enforces the same rules (and also rejects duplicate names, which the reference's map silently
// collapses).
import type { ElementType, TensorFile, TensorInfo } from '../types';
import { ReadableFile } from '../file';
import { TYPE_LAYOUT, decodeToFloat32, elementCount } from '../decode';
import { checkNoOptions, checkRange } from '../source-check';
import { KNOWN_UNSUPPORTED, SAFETENSORS_TO_TYPE } from './dtypes';

/** The largest header accepted, in bytes: the reference implementation's MAX_HEADER_SIZE. */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** A safetensors tensor: TensorInfo plus where its bytes are. */
export interface SafetensorsTensorInfo extends TensorInfo {
  /** [begin, end) in bytes, relative to the data area (as in the header). */
  readonly dataOffsets: readonly [number, number];
  /** Absolute file offset of the first byte. */
  readonly fileOffset: number;
}

/** A safetensors file opened for reading. `metadata` is the header's `__metadata__` (string → string), or {}. */
export interface SafetensorsFile extends TensorFile {
  readonly format: 'safetensors';
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: readonly SafetensorsTensorInfo[];
  tensor(name: string): SafetensorsTensorInfo;
  /** Bytes of the data area's start in the file (8 + header length). */
  readonly dataStart: number;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v} (${JSON.stringify(v)})`;
}

/**
 * The keys of the top-level object of `json` (already valid JSON), in order, duplicates kept:
 * JSON.parse keeps only the last of duplicated keys, so duplicates are found by scanning.
 */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(json.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

/**
 * Opens a safetensors file and validates its whole header (nothing of the data area is read).
 * Tensors are listed in data order; `readBytes` returns stored little-endian bytes.
 * @throws Error naming the file (and the tensor and field) when the header is not UTF-8 JSON, not
 *   an object, has an unknown dtype, a duplicate name, a malformed `__metadata__`, or a field of
 *   the wrong kind; RangeError when the header length is over 100 MB or past the end of the file,
 *   when data_offsets lie outside the data area, overlap, leave holes or trailing bytes, or do
 *   not match shape × dtype size, or when a shape has more than 2^53 elements.
 * @param options none yet: an object with a key (a misspelt option) is a TypeError.
 */
export async function openSafetensors(file: string, options?: Readonly<Record<string, never>>): Promise<SafetensorsFile> {
  checkNoOptions(options, `openSafetensors(${String(file)})`);
  const f = await ReadableFile.open(file);
  try {
    return await parse(f);
  } catch (e) {
    await f.close();
    throw e;
  }
}

async function parse(f: ReadableFile): Promise<SafetensorsFile> {
  const file = f.path;
  if (f.size < 8) throw new RangeError(`${file}: not a safetensors file: ${f.size} bytes, fewer than the 8-byte header length`);
  const lenBytes = await f.read(0, 8, 'the safetensors header length');
  const n64 = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_SAFETENSORS_HEADER)) throw new RangeError(`${file}: safetensors header length ${n64} bytes exceeds the ${MAX_SAFETENSORS_HEADER}-byte limit of the format's reference implementation`);
  const n = Number(n64);
  if (8 + n > f.size) throw new RangeError(`${file}: safetensors header of ${n} bytes is truncated: the file has only ${f.size} bytes`);
  const headerBytes = await f.read(8, n, 'the safetensors header');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new Error(`${file}: safetensors header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) throw new Error(`${file}: safetensors header does not start with '{'`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: safetensors header is not valid JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${file}: safetensors header is ${kindOf(header)}, not a JSON object`);
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw new Error(`${file}: safetensors header names '${k}' twice`);
    seen.add(k);
  }

  const dataStart = 8 + n;
  const dataSize = f.size - dataStart;
  let metadata: Record<string, string> = {};
  const entries: { name: string; type: ElementType; storedType: string; shape: number[]; elements: number; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: __metadata__ is ${kindOf(value)}, not an object of strings`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new Error(`${file}: __metadata__ '${k}' is ${kindOf(v)}, not a string`);
      }
      metadata = Object.freeze({ ...(value as Record<string, string>) }) as Record<string, string>;
      continue;
    }
    const t = `${file}: tensor '${name}'`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${t} is ${kindOf(value)}, not an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof dtype !== 'string') throw new Error(`${t}: dtype is ${kindOf(dtype)}, not a string`);
    const type = Object.prototype.hasOwnProperty.call(SAFETENSORS_TO_TYPE, dtype) ? SAFETENSORS_TO_TYPE[dtype] : undefined;
    if (type === undefined) {
      const why = KNOWN_UNSUPPORTED.includes(dtype) ? 'a safetensors dtype quantkit does not read' : 'an unknown dtype';
      throw new Error(`${t}: dtype '${dtype}' is ${why} (quantkit reads ${Object.keys(SAFETENSORS_TO_TYPE).join(', ')})`);
    }
    if (!Array.isArray(shape)) throw new Error(`${t}: shape is ${kindOf(shape)}, not an array of dimensions`);
    const elements = elementCount(shape, t);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
      throw new Error(`${t}: data_offsets is ${Array.isArray(offsets) ? JSON.stringify(offsets) : kindOf(offsets)}, not [begin, end] with non-negative integers`);
    }
    const [begin, end] = offsets as number[];
    if (end < begin) throw new RangeError(`${t}: data_offsets [${begin}, ${end}] ends before it begins`);
    if (end > dataSize) throw new RangeError(`${t}: data_offsets [${begin}, ${end}] lies past the end of the file (its data area has ${dataSize} bytes)`);
    const bytes = elements * TYPE_LAYOUT[type].blockBytes;
    if (!Number.isSafeInteger(bytes)) throw new RangeError(`${t}: shape [${shape.join(', ')}] of ${dtype} has more than 2^53 bytes`);
    if (end - begin !== bytes) throw new RangeError(`${t}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${bytes}`);
    entries.push({ name, type, storedType: dtype, shape: shape as number[], elements, begin, end });
  }
  // Array.prototype.sort is stable, so equal offsets (empty tensors) keep their header order.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: string | undefined;
  for (const e of entries) {
    if (e.begin !== expected) {
      const where = previous === undefined ? 'the start of the data area' : `the end of tensor '${previous}'`;
      const why = e.begin < expected ? `overlaps the bytes before ${where}` : `leaves a hole of ${e.begin - expected} bytes after ${where}`;
      throw new RangeError(`${file}: tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] ${why}; safetensors requires tensors to cover the data area contiguously (this one must begin at ${expected})`);
    }
    expected = e.end;
    previous = e.name;
  }
  if (expected !== dataSize) throw new RangeError(`${file}: the tensors end at byte ${expected} of the data area but it has ${dataSize} bytes (${dataSize - expected} trailing bytes no tensor covers)`);

  const tensors: SafetensorsTensorInfo[] = entries.map((e) =>
    Object.freeze({
      name: e.name,
      type: e.type,
      storedType: e.storedType,
      shape: Object.freeze([...e.shape]),
      elements: e.elements,
      byteLength: e.end - e.begin,
      dataOffsets: Object.freeze([e.begin, e.end] as [number, number]),
      fileOffset: dataStart + e.begin,
    }),
  );
  const byName = new Map(tensors.map((t) => [t.name, t]));
  let closed = false;
  const lookup = (name: string): SafetensorsTensorInfo => {
    const t = byName.get(name);
    if (t === undefined) {
      const some = tensors.slice(0, 5).map((x) => `'${x.name}'`).join(', ');
      throw new Error(`${file}: no tensor named '${String(name)}' (it has ${tensors.length} tensors${tensors.length ? `: ${some}${tensors.length > 5 ? ', …' : ''}` : ''})`);
    }
    return t;
  };
  const readRange = async (t: SafetensorsTensorInfo, offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> => {
    if (closed) throw new Error(`${file}: read after close()`);
    if (into !== undefined && into.length !== length) throw new RangeError(`${file}: tensor '${t.name}': into holds ${into.length} bytes, not the ${length} asked for`);
    return f.read(t.fileOffset + offset, length, `tensor '${t.name}'`, into);
  };
  return Object.freeze({
    format: 'safetensors' as const,
    path: file,
    metadata,
    tensors: Object.freeze(tensors),
    dataStart,
    tensor: lookup,
    async readBytes(name: string, byteStart?: number, byteLength?: number, into?: Uint8Array) {
      const t = lookup(name);
      const [s, c] = checkRange(`${file}: tensor '${name}'`, 'byte', t.byteLength, byteStart, byteLength);
      return readRange(t, s, c, into);
    },
    async readFloat32(name: string, start?: number, count?: number) {
      const t = lookup(name);
      const [s, c] = checkRange(`${file}: tensor '${name}'`, 'element', t.elements, start, count);
      const size = TYPE_LAYOUT[t.type].blockBytes;
      return decodeToFloat32(await readRange(t, s * size, c * size), t.type);
    },
    async close() {
      if (closed) return;
      closed = true;
      await f.close();
    },
  });
}
