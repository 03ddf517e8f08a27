// Reading .npz archives (np.savez / np.savez_compressed: a zip of .npy members) through yauzl,
// without loading the archive: the central directory and each member's .npy header are read at
// open; a stored member is then read with positioned reads, a deflated one by inflating from
// the member's start and skipping to the requested range on every read. Before a member's first
// data read, the whole member is streamed once and its CRC-32 checked against the central
// directory's (yauzl does not check it; NumPy's zipfile does).
import * as zlib from 'node:zlib';
import * as yauzl from 'yauzl';
import { ReadableFile } from '../file';
import { checkNoOptions } from '../source-check';
import { npyInfo, npyTensorFile, readNpyHeader, type ByteSource, type NpyFile, type NpyMember } from './read';

/**
 * The largest uncompressed/compressed ratio deflate can produce (about 1032:1 for long runs of
 * one byte, RFC 1951 length 258 per ~2 bits); a member claiming more is a zip bomb or corrupt.
 */
const MAX_DEFLATE_RATIO = 1032;

/** The CRC-32 of zip (ISO-HDLC, reflected 0xEDB88320), table-driven: for Node without zlib.crc32 (before 20.15 / 22.2). */
let crcTable: Uint32Array | undefined;
export function tableCrc32(data: Uint8Array, value = 0): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of `data` continuing from `value` (zip's CRC-32: zlib.crc32 where Node has it). */
export const crc32: (data: Uint8Array, value?: number) => number = typeof zlib.crc32 === 'function' ? (d, v) => zlib.crc32(d, v) >>> 0 : tableCrc32;

const hex32 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Bytes per positioned read when checking a stored member's CRC. */
const CRC_CHUNK = 1 << 20;

/**
 * A function that checks a member's CRC-32 the first time it is called and gives the same
 * verdict (the same promise) on every later call.
 */
function crcCheck(file: string, entry: yauzl.Entry, stream: (each: (chunk: Uint8Array) => void) => Promise<void>): () => Promise<void> {
  let verdict: Promise<void> | undefined;
  return () => {
    verdict ??= (async () => {
      let crc = 0;
      await stream((chunk) => {
        crc = crc32(chunk, crc);
      });
      if (crc !== entry.crc32 >>> 0) {
        throw new Error(`${file}: member '${entry.fileName}': CRC-32 mismatch (stored ${hex32(entry.crc32)}, computed ${hex32(crc)})`);
      }
    })();
    return verdict;
  };
}

function zipError(file: string, e: unknown): Error {
  return new Error(`${file}: not a readable zip archive: ${(e as Error).message}`);
}

/** A deflated member: every read inflates from its start (yauzl checks the inflated size). */
function deflatedSource(zip: yauzl.ZipFile, entry: yauzl.Entry, dataStart: number, file: string): ByteSource {
  const member = entry.fileName;
  // The member's inflated bytes from its start. Not openReadStreamLowLevelPromise: in yauzl
  // 3.4.0 it calls openReadStream with these arguments.
  const openInflated = async (): Promise<NodeJS.ReadableStream> => {
    try {
      return await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStreamLowLevel(dataStart, entry.compressedSize, 0, entry.compressedSize, true, entry.uncompressedSize, (err, s) => (err ? reject(err) : resolve(s))),
      );
    } catch (e) {
      throw new Error(`${file}: member '${member}' cannot be read: ${(e as Error).message}`);
    }
  };
  return {
    size: entry.uncompressedSize,
    verify: crcCheck(file, entry, async (each) => {
      const stream = await openInflated();
      try {
        for await (const c of stream as AsyncIterable<Buffer>) each(c);
      } catch (e) {
        throw new Error(`${file}: member '${member}' is corrupt: ${(e as Error).message}`);
      }
    }),
    async read(offset: number, length: number, what: string): Promise<Uint8Array> {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > entry.uncompressedSize) {
        throw new RangeError(`${file}: member '${member}': ${what} at bytes [${offset}, ${offset + length}) lies outside its ${entry.uncompressedSize} bytes`);
      }
      const out = new Uint8Array(length);
      if (length === 0) return out;
      const stream = await openInflated();
      let pos = 0;
      let filled = 0;
      try {
        for await (const c of stream as AsyncIterable<Buffer>) {
          const from = Math.max(0, offset - pos);
          const to = Math.min(c.length, offset + length - pos);
          if (to > from) {
            out.set(c.subarray(from, to), filled);
            filled += to - from;
          }
          pos += c.length;
          if (filled === length) break; // leaving the loop destroys the stream
        }
      } catch (e) {
        throw new Error(`${file}: member '${member}' is corrupt: ${(e as Error).message}`);
      }
      if (filled !== length) throw new RangeError(`${file}: member '${member}': inflated data ends at byte ${pos}, before ${what} at bytes [${offset}, ${offset + length})`);
      return out;
    },
  };
}

function storedSource(f: ReadableFile, entry: yauzl.Entry, dataStart: number, file: string): ByteSource {
  return {
    size: entry.uncompressedSize,
    verify: crcCheck(file, entry, async (each) => {
      const buf = new Uint8Array(Math.min(CRC_CHUNK, entry.uncompressedSize));
      for (let at = 0; at < entry.uncompressedSize; at += CRC_CHUNK) {
        const n = Math.min(CRC_CHUNK, entry.uncompressedSize - at);
        each(await f.read(dataStart + at, n, `member '${entry.fileName}'`, buf.subarray(0, n)));
      }
    }),
    read(offset: number, length: number, what: string) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > entry.uncompressedSize) {
        return Promise.reject(new RangeError(`${file}: member '${entry.fileName}': ${what} at bytes [${offset}, ${offset + length}) lies outside its ${entry.uncompressedSize} bytes`));
      }
      return f.read(dataStart + offset, length, `member '${entry.fileName}' ${what}`);
    },
  };
}

/**
 * Opens an .npz archive. Each member `x.npy` is the tensor `x` (in archive order), read as
 * openNpy reads a .npy file (C-order elements; see there for Fortran order). `metadata.members`
 * lists the .npy member names; `metadata.otherMembers` (present when there are any) lists the
 * others (a README.txt, say), which are skipped: NumPy's NpzFile lists them without refusing the
 * archive. Stored members are read with positioned reads; a deflated member is inflated from
 * its start on each read, up to the end of the requested range (time grows with the offset;
 * memory is the range plus zlib's buffers).
 *
 * CRC-32: the first read of a member's data (readBytes or readFloat32) first streams the whole
 * member once and compares its CRC-32 with the archive's; the verdict is kept per member, so the
 * cost is one extra pass per member per open file: reading the member's bytes once more for a
 * stored member (1 MiB positioned reads), one full inflate for a deflated one. Opening the
 * archive (and listing its tensors) does not pay it.
 * @throws Error naming the file and member when the archive is not a zip, a .npy member is
 *   encrypted, uses a compression other than stored/deflate, is named twice, or holds an invalid
 *   .npy header (see openNpy); RangeError when a member's data lies past the end of the archive
 *   or its sizes claim more than deflate can produce (a zip bomb). Reads reject with
 *   `FILE: member 'NAME': CRC-32 mismatch (stored 0x…, computed 0x…)` for a corrupt member.
 * @param options none yet: an object with a key (a misspelt option) is a TypeError.
 */
export async function openNpz(file: string, options?: Readonly<Record<string, never>>): Promise<NpyFile> {
  checkNoOptions(options, `openNpz(${String(file)})`);
  const f = await ReadableFile.open(file);
  let zip: yauzl.ZipFile | undefined;
  try {
    try {
      zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: false });
    } catch (e) {
      throw zipError(file, e);
    }
    const members: NpyMember[] = [];
    const names: string[] = [];
    const others: string[] = [];
    const seen = new Set<string>();
    try {
      for await (const entry of zip.eachEntry()) {
        const m = `${file}: member '${entry.fileName}'`;
        if (entry.fileName.endsWith('/')) continue; // a folder entry holds no data
        if (!entry.fileName.endsWith('.npy')) {
          others.push(entry.fileName);
          continue;
        }
        if (seen.has(entry.fileName)) throw new Error(`${m} appears twice in the archive`);
        seen.add(entry.fileName);
        if (entry.isEncrypted()) throw new Error(`${m} is encrypted`);
        if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw new Error(`${m} uses compression method ${entry.compressionMethod}; quantkit reads stored (0) and deflated (8) members`);
        if (entry.compressionMethod === 8 && entry.uncompressedSize > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
          throw new RangeError(`${m} claims ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed bytes, more than deflate can produce: a zip bomb or a corrupt entry`);
        }
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
        if (fileDataStart + entry.compressedSize > f.size) throw new RangeError(`${m}: its ${entry.compressedSize} bytes at offset ${fileDataStart} lie past the end of the archive (${f.size} bytes): the file is truncated`);
        const source = entry.compressionMethod === 0 ? storedSource(f, entry, fileDataStart, file) : deflatedSource(zip, entry, fileDataStart, file);
        const header = await readNpyHeader(source, `${file}: member '${entry.fileName}'`);
        const name = entry.fileName.slice(0, -'.npy'.length);
        members.push({ info: npyInfo(name, header), header, source });
        names.push(entry.fileName);
      }
    } catch (e) {
      const msg = (e as Error).message ?? '';
      if (e instanceof Error && msg.startsWith(`${file}:`)) throw e;
      throw zipError(file, e);
    }
    const z = zip;
    return npyTensorFile('npz', file, { members: Object.freeze(names), ...(others.length > 0 ? { otherMembers: Object.freeze(others) } : {}) }, members, async () => {
      z.close();
      await f.close();
    });
  } catch (e) {
    zip?.close();
    await f.close();
    throw e;
  }
}
