// Reading .npy arrays from any byte source: a .npy file (positioned reads), or a member of an
// .npz archive (positioned reads for stored members, a fresh inflate for deflated ones).
import type { TensorFile, TensorInfo } from '../types';
import { ReadableFile } from '../file';
import { decodeToFloat32 } from '../decode';
import { checkNoOptions, checkRange } from '../source-check';
import { MAX_NPY_HEADER, npyPrefix, parseNpyHeader, type NpyHeader } from './header';

/** Bytes addressed from 0 to size: a file, or one member of an archive. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`. @throws RangeError naming `what` when outside. */
  read(offset: number, length: number, what: string): Promise<Uint8Array>;
  /**
   * Checks the whole source once (an .npz member's CRC-32); npyTensorFile awaits it before
   * every read of tensor data, and it gives the same verdict every time.
   */
  verify?(): Promise<void>;
}

/** A NumPy array as quantkit lists it: TensorInfo plus the .npy header's facts. */
export interface NpyTensorInfo extends TensorInfo {
  /** The header's descr ('<f4', '>i2', '|b1'); also `storedType`. */
  readonly descr: string;
  /** False for big-endian ('>') multi-byte dtypes: readBytes returns such bytes as stored, big-endian. */
  readonly littleEndian: boolean;
  /** True when the file stores the array column-major; `shape` is still the logical (C-order) shape. */
  readonly fortranOrder: boolean;
  /** The .npy format version of the header. */
  readonly version: readonly [number, number];
}

/**
 * Reads and validates the .npy header at the start of `src`.
 * @throws Error / RangeError naming `what` (see parseNpyHeader), and RangeError when the data
 *   the header declares runs past the end of `src`.
 */
export async function readNpyHeader(src: ByteSource, what: string): Promise<NpyHeader> {
  const head = await src.read(0, Math.min(12, src.size), 'the .npy magic');
  const { version, headerStart, headerLength } = npyPrefix(head, what);
  if (headerLength > MAX_NPY_HEADER) throw new RangeError(`${what}: .npy header length ${headerLength} bytes exceeds quantkit's limit of ${MAX_NPY_HEADER}`);
  if (headerStart + headerLength > src.size) throw new RangeError(`${what}: .npy header of ${headerLength} bytes is truncated: there are only ${src.size} bytes`);
  const header = parseNpyHeader(await src.read(headerStart, headerLength, 'the .npy header'), version, headerStart, what);
  // NumPy ignores bytes after the data; only missing bytes are an error.
  if (header.dataOffset + header.byteLength > src.size) {
    throw new RangeError(`${what}: .npy data is truncated: shape (${header.shape.join(', ')}) of '${header.descr}' needs ${header.byteLength} bytes after the header but there are ${src.size - header.dataOffset}`);
  }
  return header;
}

export function npyInfo(name: string, h: NpyHeader): NpyTensorInfo {
  return Object.freeze({
    name, type: h.type, storedType: h.descr, shape: h.shape, elements: h.elements, byteLength: h.byteLength,
    descr: h.descr, littleEndian: h.littleEndian, fortranOrder: h.fortranOrder, version: h.version,
  });
}

/**
 * C-order elements [start, start + count) of an array, as stored bytes (byte order unchanged).
 * For Fortran order with two or more dimensions, the file span from the lowest to the highest
 * stored position of those elements is read (up to the whole tensor: memory ≈ byteLength) and
 * gathered into C order; C-order arrays read exactly the requested bytes.
 */
export async function readNpyElements(src: ByteSource, h: NpyHeader, start: number, count: number, what: string): Promise<Uint8Array> {
  const size = h.itemSize;
  if (!h.fortranOrder || h.shape.length < 2 || count === 0) return src.read(h.dataOffset + start * size, count * size, what);
  const shape = h.shape;
  const nd = shape.length;
  // Stored (column-major) stride of each dimension, in elements.
  const fStride = new Array<number>(nd);
  fStride[0] = 1;
  for (let k = 1; k < nd; k++) fStride[k] = fStride[k - 1] * shape[k - 1];
  // Multi-index of `start` in C order, then an odometer over the following elements.
  const idx = new Array<number>(nd).fill(0);
  let rest = start;
  for (let k = nd - 1; k >= 0; k--) {
    idx[k] = rest % shape[k];
    rest = Math.floor(rest / shape[k]);
  }
  const offsets = new Float64Array(count);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    let off = 0;
    for (let k = 0; k < nd; k++) off += idx[k] * fStride[k];
    offsets[i] = off;
    if (off < lo) lo = off;
    if (off > hi) hi = off;
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  const span = await src.read(h.dataOffset + lo * size, (hi - lo + 1) * size, what);
  const out = new Uint8Array(count * size);
  for (let i = 0; i < count; i++) {
    const from = (offsets[i] - lo) * size;
    out.set(span.subarray(from, from + size), i * size);
  }
  return out;
}

/** A .npy file (or an .npz, which has one per member) opened for reading. */
export interface NpyFile extends TensorFile {
  readonly tensors: readonly NpyTensorInfo[];
  tensor(name: string): NpyTensorInfo;
}

export interface NpyMember {
  readonly info: NpyTensorInfo;
  readonly header: NpyHeader;
  readonly source: ByteSource;
}

/** The TensorFile methods over a list of parsed arrays (one for .npy, one per member for .npz). */
export function npyTensorFile(format: 'npy' | 'npz', file: string, metadata: Record<string, unknown>, members: readonly NpyMember[], closeAll: () => Promise<void>): NpyFile {
  const byName = new Map(members.map((m) => [m.info.name, m]));
  let closed = false;
  const lookup = (name: string): NpyMember => {
    const m = byName.get(name);
    if (m === undefined) {
      const some = members.slice(0, 5).map((x) => `'${x.info.name}'`).join(', ');
      throw new Error(`${file}: no tensor named '${String(name)}' (it has ${members.length} tensors${members.length ? `: ${some}${members.length > 5 ? ', …' : ''}` : ''})`);
    }
    return m;
  };
  const open = () => {
    if (closed) throw new Error(`${file}: read after close()`);
  };
  return Object.freeze({
    format,
    path: file,
    metadata: Object.freeze(metadata),
    tensors: Object.freeze(members.map((m) => m.info)),
    tensor: (name: string) => lookup(name).info,
    /**
     * Stored bytes, in C element order (a Fortran-order array is gathered, see readNpyElements),
     * in the file's byte order (big-endian for '>' dtypes).
     */
    async readBytes(name: string, byteStart?: number, byteLength?: number) {
      const { info, header, source } = lookup(name);
      const [s, c] = checkRange(`${file}: tensor '${name}'`, 'byte', info.byteLength, byteStart, byteLength);
      open();
      await source.verify?.();
      const size = header.itemSize;
      if (!header.fortranOrder || c === 0) return source.read(header.dataOffset + s, c, `tensor '${name}'`);
      const first = Math.floor(s / size);
      const last = Math.ceil((s + c) / size);
      const bytes = await readNpyElements(source, header, first, last - first, `tensor '${name}'`);
      return bytes.subarray(s - first * size, s - first * size + c);
    },
    /** Elements in C order decoded to float32 (big-endian dtypes swapped first). */
    async readFloat32(name: string, start?: number, count?: number) {
      const { info, header, source } = lookup(name);
      const [s, c] = checkRange(`${file}: tensor '${name}'`, 'element', info.elements, start, count);
      open();
      await source.verify?.();
      return decodeToFloat32(await readNpyElements(source, header, s, c, `tensor '${name}'`), header.type, header.littleEndian);
    },
    async close() {
      if (closed) return;
      closed = true;
      await closeAll();
    },
  });
}

/**
 * Opens a .npy file (format 1.0, 2.0 or 3.0; '<', '>' or '|' byte order; C or Fortran order;
 * dtypes b1, i1/u1, i2/u2, i4/u4, i8/u8, f2, f4, f8). Its one tensor is named after the file
 * without its folder and '.npy'. `shape` is the logical shape; readBytes and readFloat32 return
 * elements in C order: for Fortran-order arrays each ranged read fetches the file span those
 * elements occupy (up to the whole tensor, so memory up to byteLength per call).
 * @throws Error naming the file for a wrong magic, version, header literal, keys or dtype (object,
 *   string, structured … arrays are refused by name); RangeError for a header over 1 MiB, a
 *   truncated header or data, or a shape over 2^53 elements.
 * @param options none yet: an object with a key (a misspelt option) is a TypeError.
 */
export async function openNpy(file: string, options?: Readonly<Record<string, never>>): Promise<NpyFile> {
  checkNoOptions(options, `openNpy(${String(file)})`);
  const f = await ReadableFile.open(file);
  try {
    const header = await readNpyHeader(f, file);
    const base = file.replace(/^.*[\\/]/, '').replace(/\.npy$/i, '') || 'array';
    const info = npyInfo(base, header);
    return npyTensorFile('npy', file, {}, [{ info, header, source: f }], () => f.close());
  } catch (e) {
    await f.close();
    throw e;
  }
}
