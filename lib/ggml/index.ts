// ggml blocks: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 (32 elements) and the k-quants Q4_K, Q5_K, Q6_K
// (256-element super-blocks), byte for byte as ggml's reference row quantizers write them
// (native/kernels/ggml/ggml.h has the layouts and the rules), so the bytes drop into a GGUF
// tensor. The facade validates every argument, then calls the live backend.
import type { FloatArray, QuantkitBinding } from '../../binding';
import { GGML_BLOCK_BYTES, GGML_BLOCK_ELEMENTS } from '../backend-ts/ggml';
import { checkDisjoint, checkFloat32Out, checkFloatArray, describe, isDetached, typedArrayKind } from '../core/validate';

export type GgmlType = 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q4_k' | 'q5_k' | 'q6_k';

const TYPE_CODES: Readonly<Record<GgmlType, number>> = {
  q8_0: 0, q4_0: 1, q4_1: 2, q5_0: 3, q5_1: 4, q4_k: 5, q5_k: 6, q6_k: 7,
};
const TYPE_LIST = Object.keys(TYPE_CODES).map((t) => `'${t}'`).join(', ');
const BLOCK_SIZE = 32;

export interface Ggml {
  /**
   * Elements per block of the 32-element types (q8_0, q4_0, q4_1, q5_0, q5_1), kept for
   * compatibility; `blockElements(type)` is right for every type (256 for the k-quants).
   */
  readonly blockSize: 32;
  /** Elements per block: 32, or 256 for the k-quants q4_k, q5_k and q6_k. */
  blockElements(type: GgmlType): number;
  /** Bytes per block: 34 (q8_0), 18 (q4_0), 20 (q4_1), 22 (q5_0), 24 (q5_1), 144 (q4_k), 176 (q5_k), 210 (q6_k). */
  blockBytes(type: GgmlType): number;
  /**
   * x (length a multiple of blockElements(type), every value finite as float32) as ggml
   * blocks; writes into `out` (exactly x.length / blockElements(type) · blockBytes(type)
   * bytes) when given and returns it.
   */
  quantize(x: FloatArray, type: GgmlType, out?: Uint8Array): Uint8Array;
  /**
   * The n values (n a multiple of blockElements(type)) that `bytes` (exactly
   * n / blockElements(type) · blockBytes(type) of them) encode, as ggml's dequantize_row_*
   * computes them; into `out` (length n) when given.
   */
  dequantize(bytes: Uint8Array, type: GgmlType, n: number, out?: Float32Array): Float32Array;
}

function checkType(v: unknown, name: string): number {
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(TYPE_CODES, v)) return TYPE_CODES[v as GgmlType];
  throw new TypeError(`Expected one of ${TYPE_LIST} for ${name} but received ${describe(v)}`);
}

function checkUint8Array(v: unknown, name: string): Uint8Array {
  if (typedArrayKind(v) !== 'Uint8Array') throw new TypeError(`Expected a Uint8Array for ${name} but received ${describe(v)}`);
  const a = v as Uint8Array;
  if (isDetached(a)) throw new RangeError(`Expected ${name} to be attached but its buffer is detached`);
  return a;
}

function checkBlockCount(length: number, code: number, type: string, name: string): number {
  const elements = GGML_BLOCK_ELEMENTS[code]!;
  if (length % elements !== 0) {
    throw new RangeError(`Expected ${name} to be a multiple of ${elements} (the ${type} block size) but received ${length}`);
  }
  return length / elements;
}

function checkByteLength(a: Uint8Array, want: number, name: string, why: string): void {
  if (a.length !== want) throw new RangeError(`Expected ${name}.length to be ${want} (${why}) but received ${a.length}`);
}

function blockWhy(blocks: number, type: string, bytes: number): string {
  return `${blocks} ${type} block${blocks === 1 ? '' : 's'} of ${bytes} bytes`;
}

/** The ggml calls over one backend (index.ts builds the public `ggml` from the live one). */
export function ggmlFacade(binding: QuantkitBinding): Ggml {
  return Object.freeze({
    blockSize: BLOCK_SIZE,

    blockElements(type: GgmlType): number {
      return GGML_BLOCK_ELEMENTS[checkType(type, 'type')]!;
    },

    blockBytes(type: GgmlType): number {
      return GGML_BLOCK_BYTES[checkType(type, 'type')]!;
    },

    quantize(x: FloatArray, type: GgmlType, out?: Uint8Array): Uint8Array {
      checkFloatArray(x, 'x');
      const code = checkType(type, 'type');
      const blocks = checkBlockCount(x.length, code, type, 'x.length');
      const size = GGML_BLOCK_BYTES[code]!;
      let target: Uint8Array;
      if (out === undefined) {
        target = new Uint8Array(blocks * size);
      } else {
        target = checkUint8Array(out, 'out');
        checkByteLength(target, blocks * size, 'out', blockWhy(blocks, type, size));
        checkDisjoint(x, target, 'out');
      }
      const bad = binding.ggmlQuantize(x, target, code);
      if (bad >= 0) {
        // ggml's reference is undefined on NaN and Infinity (they reach a float -> int8 cast).
        const v = x[bad]!;
        const asFloat32 = Number.isNaN(v) || Math.fround(v) === v ? '' : ` (${Math.fround(v)} as float32)`;
        throw new RangeError(`Expected a finite float32 for x[${bad}] but received ${describe(v)}${asFloat32}`);
      }
      return target;
    },

    dequantize(bytes: Uint8Array, type: GgmlType, n: number, out?: Float32Array): Float32Array {
      const input = checkUint8Array(bytes, 'bytes');
      const code = checkType(type, 'type');
      if (typeof n !== 'number') throw new TypeError(`Expected a number for n but received ${describe(n)}`);
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new RangeError(`Expected a non-negative integer for n but received ${describe(n)}`);
      }
      const blocks = checkBlockCount(n, code, type, 'n');
      const size = GGML_BLOCK_BYTES[code]!;
      checkByteLength(input, blocks * size, 'bytes', blockWhy(blocks, type, size));
      let target: Float32Array;
      if (out === undefined) {
        target = new Float32Array(n);
      } else {
        target = checkFloat32Out(out, 'out');
        if (target.length !== n) throw new RangeError(`Expected out.length to equal n ${n} but received ${target.length}`);
        checkDisjoint(input, target, 'out');
      }
      binding.ggmlDequantize(input, target, code);
      return target;
    },
  });
}
