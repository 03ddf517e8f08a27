// Element types' sizes and their decoding to float32, shared by every reader in quantkit/io.
// float16/bfloat16/float8 decode through quantkit's own exact conversions, ggml blocks through
// ggml.dequantize, so every reader gives the same floats on every backend.
import quantkit from '../index';
import type { ElementType } from './types';

/** Bytes per element, or for ggml block types the bytes and elements of one block. */
export interface TypeLayout {
  readonly blockElements: number;
  readonly blockBytes: number;
}

export const TYPE_LAYOUT: Readonly<Record<ElementType, TypeLayout>> = Object.freeze({
  f64: { blockElements: 1, blockBytes: 8 },
  f32: { blockElements: 1, blockBytes: 4 },
  f16: { blockElements: 1, blockBytes: 2 },
  bf16: { blockElements: 1, blockBytes: 2 },
  i64: { blockElements: 1, blockBytes: 8 },
  i32: { blockElements: 1, blockBytes: 4 },
  i16: { blockElements: 1, blockBytes: 2 },
  i8: { blockElements: 1, blockBytes: 1 },
  u64: { blockElements: 1, blockBytes: 8 },
  u32: { blockElements: 1, blockBytes: 4 },
  u16: { blockElements: 1, blockBytes: 2 },
  u8: { blockElements: 1, blockBytes: 1 },
  bool: { blockElements: 1, blockBytes: 1 },
  f8e4m3: { blockElements: 1, blockBytes: 1 },
  f8e5m2: { blockElements: 1, blockBytes: 1 },
  q8_0: { blockElements: 32, blockBytes: 34 },
  q4_0: { blockElements: 32, blockBytes: 18 },
  q4_1: { blockElements: 32, blockBytes: 20 },
  q5_0: { blockElements: 32, blockBytes: 22 },
  q5_1: { blockElements: 32, blockBytes: 24 },
  q4_k: { blockElements: 256, blockBytes: 144 },
  q5_k: { blockElements: 256, blockBytes: 176 },
  q6_k: { blockElements: 256, blockBytes: 210 },
});

/**
 * Bytes that `elements` values of `type` occupy, or undefined when `elements` is not a whole
 * number of blocks. Exact for counts up to 2^53 (callers check the product of a shape first).
 */
export function byteLengthOf(type: ElementType, elements: number): number | undefined {
  const l = TYPE_LAYOUT[type];
  if (elements % l.blockElements !== 0) return undefined;
  return (elements / l.blockElements) * l.blockBytes;
}

/**
 * The product of `shape`'s dimensions, checked: each a non-negative safe integer and the
 * product at most 2^53 − 1.
 * @throws RangeError naming `what` and the shape.
 */
export function elementCount(shape: readonly unknown[], what: string): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new RangeError(`${what}: shape [${shape.join(', ')}] has a dimension that is not a non-negative integer: ${String(d)}`);
    n *= d;
    if (!Number.isSafeInteger(n)) throw new RangeError(`${what}: shape [${shape.join(', ')}] has more than 2^53 elements`);
  }
  return n;
}

function view<T>(C: { new (b: ArrayBuffer, o: number, l: number): T; BYTES_PER_ELEMENT: number }, bytes: Uint8Array): T {
  // Aligned copy when the bytes are not aligned for C (file ranges usually are not).
  const b = bytes.byteOffset % C.BYTES_PER_ELEMENT === 0 ? bytes : bytes.slice();
  return new C(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength / C.BYTES_PER_ELEMENT);
}

/**
 * `bytes` (whole elements or whole blocks of `type`) decoded to float32. `littleEndian` false
 * is for big-endian NumPy files (multi-byte types are swapped first). Into `into` (exactly
 * the element count) when given.
 * @throws RangeError when bytes.length is not a whole number of elements or blocks.
 */
export function decodeToFloat32(bytes: Uint8Array, type: ElementType, littleEndian = true, into?: Float32Array): Float32Array {
  const { blockElements, blockBytes } = TYPE_LAYOUT[type];
  if (bytes.length % blockBytes !== 0) throw new RangeError(`Expected a multiple of ${blockBytes} bytes for ${type} data but received ${bytes.length}`);
  const n = (bytes.length / blockBytes) * blockElements;
  if (!littleEndian && blockBytes > 1 && blockElements === 1) {
    const swapped = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += blockBytes) for (let j = 0; j < blockBytes; j++) swapped[i + j] = bytes[i + blockBytes - 1 - j];
    bytes = swapped;
  }
  if (into !== undefined && into.length !== n) throw new RangeError(`Expected into.length to be ${n} (the values in ${bytes.length} bytes of ${type}) but received ${into.length}`);
  const out = into ?? new Float32Array(n);
  switch (type) {
    case 'f32':
      out.set(view(Float32Array, bytes));
      return out;
    case 'f64':
      out.set(view(Float64Array, bytes));
      return out;
    case 'f16':
      return quantkit.fromFloat16(view(Uint16Array, bytes), out);
    case 'bf16':
      return quantkit.fromBFloat16(view(Uint16Array, bytes), out);
    case 'f8e4m3':
      return quantkit.dequantize(bytes, { scale: 1, zeroPoint: 0, dtype: 'float8e4m3fn' } as never, out as never) as unknown as Float32Array;
    case 'f8e5m2':
      return quantkit.dequantize(bytes, { scale: 1, zeroPoint: 0, dtype: 'float8e5m2' } as never, out as never) as unknown as Float32Array;
    case 'i64': {
      const v = view(BigInt64Array, bytes);
      for (let i = 0; i < n; i++) out[i] = Number(v[i]);
      return out;
    }
    case 'u64': {
      const v = view(BigUint64Array, bytes);
      for (let i = 0; i < n; i++) out[i] = Number(v[i]);
      return out;
    }
    case 'i32':
      out.set(view(Int32Array, bytes));
      return out;
    case 'u32':
      out.set(view(Uint32Array, bytes));
      return out;
    case 'i16':
      out.set(view(Int16Array, bytes));
      return out;
    case 'u16':
      out.set(view(Uint16Array, bytes));
      return out;
    case 'i8':
      out.set(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
      return out;
    case 'u8':
    case 'bool':
      out.set(bytes);
      return out;
    default:
      return quantkit.ggml.dequantize(bytes, type as never, n, out);
  }
}
