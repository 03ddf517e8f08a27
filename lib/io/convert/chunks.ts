// Reading a tensor as float32 in bounded chunks, the next chunk read while the current one is
// encoded (the read runs on libuv's pool, the encoding on this thread), so a conversion holds
// two chunks of a tensor in memory, never the tensor.
import type { TensorFile, TensorInfo } from '../types';

/** Default elements per chunk: 4 Mi float32 values (16 MiB). */
export const DEFAULT_CHUNK_ELEMENTS = 1 << 22;

/**
 * Elements [0, t.elements) of `t` as float32 chunks of `step` elements (the last may be
 * shorter), each with its first element's index.
 */
export async function* floatChunks(file: TensorFile, t: TensorInfo, step: number): AsyncGenerator<{ start: number; x: Float32Array }> {
  const total = t.elements;
  const read = (s: number) => {
    const p = file.readFloat32(t.name, s, Math.min(step, total - s));
    p.catch(() => undefined); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
    return p;
  };
  let next = total > 0 ? read(0) : undefined;
  for (let s = 0; s < total; s += step) {
    const x = await next!;
    next = s + step < total ? read(s + step) : undefined;
    yield { start: s, x };
  }
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
