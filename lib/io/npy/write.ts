// Writing .npy files and .npz archives: headers as np.save writes them (header.ts), data
// streamed from the sources; .npz members through yazl, stored or deflated.
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { ElementType, ProgressCallback, TensorSource } from '../types';
import { describe } from '../../core/validate';
import { writeAtomically } from '../file';
import { checkSources, checkWriterOptions, sourceBytes } from '../source-check';
import { TYPE_TO_NPY, npyHeaderBytes } from './header';

export interface NpyWriteOptions {
  /** Paths OUT must not be (the files the tensors are read from); see writeAtomically. */
  readonly inputs?: readonly string[];
  /** Called after each chunk with tensor bytes written so far, the total, and the tensor's name. */
  readonly onProgress?: ProgressCallback;
}

export interface NpzWriteOptions extends NpyWriteOptions {
  /** Deflate each member (np.savez_compressed) instead of storing it (np.savez). Default false. */
  readonly compress?: boolean;
}

const WRITABLE = Object.keys(TYPE_TO_NPY) as ElementType[];

/**
 * Writes one tensor as a .npy file (version 1.0, or 2.0 when the header needs it; little-endian;
 * C order; header padded so the data starts at a multiple of 64), all or nothing (writeAtomically).
 * The bytes are those np.save writes for the same array. Types: bool, i8…i64, u8…u64, f16, f32, f64.
 * @throws TypeError for a type NumPy has no dtype for (bf16, f8e4m3, f8e5m2, ggml blocks), an
 *   unknown option key and for malformed sources, RangeError for sizes that do not match, Error when OUT is an input;
 *   errors of chunks() and the disk are rethrown with OUT left as it was.
 */
export async function writeNpy(out: string, tensor: TensorSource, opts: NpyWriteOptions = {}): Promise<void> {
  const what = `writeNpy(${String(out)})`;
  checkWriterOptions(opts, ['inputs', 'onProgress'], what);
  checkSources([tensor], what, WRITABLE);
  const header = npyHeaderBytes(tensor.type, tensor.shape, what);
  await writeAtomically(out, opts.inputs ?? [], async (o) => {
    await o.write(header);
    let done = 0;
    for await (const chunk of sourceBytes(tensor, what)) {
      await o.write(chunk);
      done += chunk.length;
      opts.onProgress?.(done, tensor.byteLength, tensor.name);
    }
  });
}

// A fixed member time keeps archives reproducible (the zip format stores local DOS time).
const MTIME = new Date(2000, 0, 1);

/**
 * Writes tensors as an .npz archive (each tensor `x` is the member `x.npy`, in the given order),
 * all or nothing. `compress` deflates members like np.savez_compressed; otherwise they are
 * stored like np.savez. Types as writeNpy.
 * @throws as writeNpy; also Error for two tensors with the same name.
 */
export async function writeNpz(out: string, tensors: readonly TensorSource[], opts: NpzWriteOptions = {}): Promise<void> {
  const what = `writeNpz(${String(out)})`;
  checkWriterOptions(opts, ['compress', 'inputs', 'onProgress'], what);
  if (opts.compress !== undefined && typeof opts.compress !== 'boolean') throw new TypeError(`${what}: expected a boolean for compress but received ${describe(opts.compress)}`);
  checkSources(tensors, what, WRITABLE);
  const headers = tensors.map((t) => npyHeaderBytes(t.type, t.shape, what));
  const total = tensors.reduce((a, t) => a + t.byteLength, 0);
  await writeAtomically(out, opts.inputs ?? [], async (o) => {
    const zip = new ZipFile();
    let failure: unknown;
    // yazl forwards no error of a lazily added read stream (its pipe just stalls), so a failing
    // source, like a zip error, ends the output stream here.
    const fail = (e: unknown) => {
      failure ??= e;
      (zip.outputStream as unknown as Readable).destroy(e as Error);
    };
    zip.on('error', fail);
    let done = 0;
    tensors.forEach((t, i) => {
      async function* member(): AsyncGenerator<Uint8Array> {
        yield headers[i];
        for await (const chunk of sourceBytes(t, what)) {
          yield chunk;
          done += chunk.length;
          opts.onProgress?.(done, total, t.name);
        }
      }
      zip.addReadStreamLazy(`${t.name}.npy`, { compress: opts.compress === true, size: headers[i].length + t.byteLength, mtime: MTIME, mode: 0o100644 }, (cb) => {
        const stream = Readable.from(member(), { objectMode: false });
        stream.on('error', fail);
        cb(null, stream);
      });
    });
    zip.end();
    try {
      for await (const chunk of zip.outputStream) await o.write(chunk as Uint8Array);
    } catch (e) {
      throw failure ?? e;
    }
    if (failure !== undefined) throw failure;
  });
}
