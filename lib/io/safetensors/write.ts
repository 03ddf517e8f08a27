// Writing safetensors files: the header is computed from the sources' names, types and shapes
// before any data is read, then each tensor's bytes are streamed in the order given.
//
// Layout as the reference writer (huggingface/safetensors, safetensors/src/tensor.rs `prepare`)
// produces it: compact JSON with "__metadata__" first, then the tensors; the header padded with
// spaces (b' ') to a multiple of 8 bytes so the data area starts 8-byte aligned. Unlike the
// reference, which sorts tensors by dtype alignment then name, data offsets follow the given
// order (readers sort by offset, so both layouts are valid files).
import type { ElementType, ProgressCallback, TensorSource } from '../types';
import { writeAtomically } from '../file';
import { checkSources, checkWriterOptions, sourceBytes } from '../source-check';
import { TYPE_TO_SAFETENSORS } from './dtypes';

export interface SafetensorsWriteOptions {
  /** Stored as the header's "__metadata__" (string → string). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Paths OUT must not be (the files the tensors are read from); see writeAtomically. */
  readonly inputs?: readonly string[];
  /** Called after each chunk with tensor bytes written so far, the total, and the tensor's name. */
  readonly onProgress?: ProgressCallback;
}

const WRITABLE = Object.keys(TYPE_TO_SAFETENSORS) as ElementType[];

function checkMetadata(metadata: unknown, what: string): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError(`${what}: expected an object of strings for metadata but received ${metadata === null ? 'null' : Array.isArray(metadata) ? 'an Array' : typeof metadata}`);
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new TypeError(`${what}: expected a string for metadata['${k}'] but received ${typeof v}`);
  }
  return metadata as Record<string, string>;
}

/**
 * The header bytes (JSON padded with spaces to a multiple of 8) for tensors laid out in order.
 * Keys are written by hand rather than through an object, which would move integer-like names first.
 */
export function safetensorsHeader(tensors: readonly Pick<TensorSource, 'name' | 'type' | 'shape' | 'byteLength'>[], metadata?: Readonly<Record<string, string>>): Uint8Array {
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${JSON.stringify(Object.fromEntries(Object.entries(metadata)))}`);
  let offset = 0;
  for (const t of tensors) {
    const dtype = TYPE_TO_SAFETENSORS[t.type];
    parts.push(`${JSON.stringify(t.name)}:{"dtype":${JSON.stringify(dtype)},"shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + t.byteLength}]}`);
    offset += t.byteLength;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  return padded;
}

/**
 * Writes `tensors` to the safetensors file `out`, all or nothing (writeAtomically: a temporary
 * file renamed over OUT at the end; on any error OUT is left as it was).
 * Types: f64, f32, f16, bf16, i64…i8, u64…u8, bool, f8e4m3, f8e5m2 (stored as F64 … F8_E5M2);
 * bytes are written as given (little-endian, C order, as the format requires).
 * @throws TypeError / RangeError / Error for a malformed source list, an unknown option key or metadata (checked before
 *   anything is opened), Error when OUT is an input, RangeError when a source's chunks() yields
 *   more or fewer bytes than its byteLength; errors from chunks() and the disk are rethrown.
 */
export async function writeSafetensors(out: string, tensors: readonly TensorSource[], opts: SafetensorsWriteOptions = {}): Promise<void> {
  const what = `writeSafetensors(${String(out)})`;
  checkWriterOptions(opts, ['metadata', 'inputs', 'onProgress'], what);
  checkSources(tensors, what, WRITABLE, ['__metadata__']);
  const metadata = checkMetadata(opts.metadata, what);
  const header = safetensorsHeader(tensors, metadata);
  if (header.length > 100_000_000) throw new RangeError(`${what}: the header would have ${header.length} bytes, over the 100000000-byte limit readers enforce`);
  const total = tensors.reduce((a, t) => a + t.byteLength, 0);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);
  await writeAtomically(out, opts.inputs ?? [], async (o) => {
    await o.write(prefix);
    await o.write(header);
    let done = 0;
    for (const t of tensors) {
      for await (const chunk of sourceBytes(t, what)) {
        await o.write(chunk);
        done += chunk.length;
        opts.onProgress?.(done, total, t.name);
      }
    }
  });
}
