// Reading .npz archives (np.savez / np.savez_compressed: a zip of .npy members) through yauzl,
// without loading the archive: the central directory and each member's .npy header are read at
// open; a stored member is then read with positioned reads, a deflated one by inflating from
// the member's start and skipping to the requested range on every read.
import * as yauzl from 'yauzl';
import { ReadableFile } from '../file';
import { npyInfo, npyTensorFile, readNpyHeader, type ByteSource, type NpyFile, type NpyMember } from './read';

/**
 * The largest uncompressed/compressed ratio deflate can produce (about 1032:1 for long runs of
 * one byte, RFC 1951 length 258 per ~2 bits); a member claiming more is a zip bomb or corrupt.
 */
const MAX_DEFLATE_RATIO = 1032;

function zipError(file: string, e: unknown): Error {
  return new Error(`${file}: not a readable zip archive: ${(e as Error).message}`);
}

/** A deflated member: every read inflates from its start (yauzl checks the inflated size). */
function deflatedSource(zip: yauzl.ZipFile, entry: yauzl.Entry, dataStart: number, file: string): ByteSource {
  const member = entry.fileName;
  return {
    size: entry.uncompressedSize,
    async read(offset: number, length: number, what: string): Promise<Uint8Array> {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > entry.uncompressedSize) {
        throw new RangeError(`${file}: member '${member}': ${what} at bytes [${offset}, ${offset + length}) lies outside its ${entry.uncompressedSize} bytes`);
      }
      const out = new Uint8Array(length);
      if (length === 0) return out;
      let stream: NodeJS.ReadableStream;
      try {
        // Not openReadStreamLowLevelPromise: in yauzl 3.4.0 it calls openReadStream with these arguments.
        stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
          zip.openReadStreamLowLevel(dataStart, entry.compressedSize, 0, entry.compressedSize, true, entry.uncompressedSize, (err, s) => (err ? reject(err) : resolve(s))),
        );
      } catch (e) {
        throw new Error(`${file}: member '${member}' cannot be read: ${(e as Error).message}`);
      }
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
 * lists the member names. Stored members are read with positioned reads; a deflated member is
 * inflated from its start on each read, up to the end of the requested range (time grows with
 * the offset; memory is the range plus zlib's buffers).
 * @throws Error naming the file and member when the archive is not a zip, a member is not a .npy
 *   file, is encrypted, uses a compression other than stored/deflate, is named twice, or holds
 *   an invalid .npy header (see openNpy); RangeError when a member's data lies past the end of
 *   the archive or its sizes claim more than deflate can produce (a zip bomb).
 */
export async function openNpz(file: string): Promise<NpyFile> {
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
    const seen = new Set<string>();
    try {
      for await (const entry of zip.eachEntry()) {
        const m = `${file}: member '${entry.fileName}'`;
        if (entry.fileName.endsWith('/')) continue; // a folder entry holds no data
        if (!entry.fileName.endsWith('.npy')) throw new Error(`${m} is not a .npy file (an .npz holds only .npy members)`);
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
    return npyTensorFile('npz', file, { members: Object.freeze(names) }, members, async () => {
      z.close();
      await f.close();
    });
  } catch (e) {
    zip?.close();
    await f.close();
    throw e;
  }
}
