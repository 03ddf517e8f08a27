// Reading a tensor as float32 in bounded chunks, the next chunk read while the current one is
// encoded (the read runs on libuv's pool, the encoding on this thread), so a conversion holds
// two chunks of a tensor in memory, never the tensor.
import type { TensorFile, TensorInfo } from '../types';
import { decodeToFloat32, TYPE_LAYOUT } from '../decode';

/** Default elements per chunk: 4 Mi float32 values (16 MiB). */
export const DEFAULT_CHUNK_ELEMENTS = 1 << 22;

/**
 * Elements [0, t.elements) of `t` as float32 chunks of `step` elements (the last may be
 * shorter; `step` a multiple of the type's block), each with its first element's index.
 * A chunk is valid until the consumer asks for the one after next: safetensors and GGUF
 * tensors are read into two buffers used in turn (fresh 16 MiB buffers cost more in page
 * faults than the read itself); other formats go through their readFloat32.
 */
export async function* floatChunks(file: TensorFile, t: TensorInfo, step: number): AsyncGenerator<{ start: number; x: Float32Array }> {
  const total = t.elements;
  const { blockElements, blockBytes } = TYPE_LAYOUT[t.type];
  const reusable = (file.format === 'safetensors' || file.format === 'gguf') && (t as { decodable?: boolean }).decodable !== false;
  const floats = Math.min(step, total);
  const raw = t.type === 'f32' ? 0 : (floats / blockElements) * blockBytes;
  const slots = reusable ? [acquire(floats, raw), acquire(floats, raw)] : [];
  const read = (s: number, k: number): Promise<Float32Array> => {
    const c = Math.min(step, total - s);
    let p: Promise<Float32Array>;
    if (!reusable) {
      p = file.readFloat32(t.name, s, c);
    } else {
      const slot = slots[k % 2]!;
      const f = slot.f.subarray(0, c);
      if (raw === 0) {
        p = file.readBytes(t.name, s * 4, c * 4, bytesOf(f)).then(() => f);
      } else {
        const b = slot.b!.subarray(0, (c / blockElements) * blockBytes);
        p = file.readBytes(t.name, (s / blockElements) * blockBytes, b.length, b).then((got) => decodeToFloat32(got, t.type, true, f));
      }
    }
    p.catch(() => undefined); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
    return p;
  };
  let next = total > 0 ? read(0, 0) : undefined;
  try {
    for (let s = 0, k = 0; s < total; s += step, k++) {
      const x = await next!;
      next = s + step < total ? read(s + step, k + 1) : undefined;
      yield { start: s, x };
    }
  } finally {
    // A prefetch still in flight writes into its slot: give the slots back only once it is done.
    const pending = next;
    if (pending === undefined) for (const slot of slots) release(slot);
    else void pending.then(() => undefined, () => undefined).then(() => slots.forEach(release));
  }
}

interface Slot {
  f: Float32Array;
  b?: Uint8Array;
}

// Buffers of finished conversions, reused by the next tensor: fresh 16 MiB buffers cost page
// faults on every tensor (more than the read). A generator takes two and gives them back when
// it ends; concurrent conversions each take their own. At most four are kept.
const spare: Slot[] = [];

function acquire(floats: number, raw: number): Slot {
  const i = spare.findIndex((sl) => sl.f.length >= floats && (raw === 0 || (sl.b !== undefined && sl.b.length >= raw)));
  if (i >= 0) return spare.splice(i, 1)[0]!;
  return { f: new Float32Array(floats), b: raw ? new Uint8Array(raw) : undefined };
}

function release(slot: Slot): void {
  if (spare.length < 4) spare.push(slot);
}

/** The stored bytes of `t` in chunks of at most `stepBytes`, read ahead like floatChunks. */
export async function* byteChunks(file: TensorFile, t: TensorInfo, stepBytes: number): AsyncGenerator<Uint8Array> {
  const total = t.byteLength;
  const read = (s: number) => {
    const p = file.readBytes(t.name, s, Math.min(stepBytes, total - s));
    p.catch(() => undefined);
    return p;
  };
  let next = total > 0 ? read(0) : undefined;
  for (let s = 0; s < total; s += stepBytes) {
    const b = await next!;
    next = s + stepBytes < total ? read(s + stepBytes) : undefined;
    yield b;
  }
}

/** Uint8Array view of a typed array's bytes (no copy). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
