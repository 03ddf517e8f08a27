// float16 and bfloat16 conversions (README "float16 and bfloat16"): validation at the edge,
// then the backend's array call. The 16-bit side is a Uint16Array of bits; a Float16Array
// (where the runtime has one) is accepted as fromFloat16's input and toFloat16's `out` and
// is handed to the backend as a Uint16Array view of the same memory: the addon never sees a
// Float16Array (Node-API before napi_float16_array reports one as an Int8Array on Node 22).
import type { FloatArray, QuantkitBinding } from '../../binding';
import { checkFloat32Out, checkFloatArray, checkOutShape, describe, isDetached, typedArrayKind } from '../core/validate';

/** The runtime's Float16Array constructor, or undefined (Node 20 has none; Node 22 only with --js-float16array). */
const Float16Ctor = (globalThis as { Float16Array?: new (n: number) => ArrayBufferView & { length: number } }).Float16Array;

/** A Float16Array where the runtime has one; `never` for the compiler when it does not know the type. */
export type Float16ArrayLike = ArrayBufferView & { readonly length: number; readonly [Symbol.toStringTag]: 'Float16Array' };

function checkBits16(v: unknown, name: string, allowFloat16: boolean): Uint16Array {
  const kind = typedArrayKind(v);
  const float16 = allowFloat16 && kind === 'Float16Array';
  if (kind !== 'Uint16Array' && !float16) {
    const what = allowFloat16 && Float16Ctor !== undefined ? 'a Uint16Array or Float16Array' : 'a Uint16Array';
    throw new TypeError(`Expected ${what} for ${name} but received ${describe(v)}`);
  }
  const a = v as Uint16Array;
  if (isDetached(a)) throw new RangeError(`Expected ${name} to be attached but its buffer is detached`);
  return float16 ? new Uint16Array(a.buffer, a.byteOffset, a.length) : a;
}

export interface Float16Api {
  /**
   * float32 (a Float64Array is rounded to float32 first) -> float16 bits, round to nearest even.
   * Returns `out` when given (a Uint16Array, or a Float16Array where the runtime has one, written
   * through a Uint16Array view of its memory); otherwise a new Uint16Array on every runtime, so
   * that code written for Node 20 (no Float16Array) keeps its types. TypeError for a wrong type,
   * RangeError for a length mismatch, an overlap or a detached buffer.
   */
  toFloat16<O extends Uint16Array | Float16ArrayLike = Uint16Array>(x: FloatArray, out?: O): O;
  /** float16 bits (or a Float16Array) -> float32, exact. */
  fromFloat16(h: Uint16Array | Float16ArrayLike, out?: Float32Array): Float32Array;
  /** float32 (a Float64Array is rounded to float32 first) -> bfloat16 bits, round to nearest even. */
  toBFloat16(x: FloatArray, out?: Uint16Array): Uint16Array;
  /** bfloat16 bits -> float32, exact. */
  fromBFloat16(h: Uint16Array, out?: Float32Array): Float32Array;
}

export function float16Api(binding: QuantkitBinding): Float16Api {
  function to(call: 'toFloat16' | 'toBFloat16', x: unknown, out: unknown, allowFloat16: boolean): unknown {
    const input = checkFloatArray(x, 'x');
    if (out === undefined) {
      const target = new Uint16Array(input.length);
      binding[call](input, target);
      return target;
    }
    const bits = checkBits16(out, 'out', allowFloat16);
    checkOutShape(input, bits, 'out');
    binding[call](input, bits);
    return out;
  }

  function from(call: 'fromFloat16' | 'fromBFloat16', h: unknown, out: unknown, allowFloat16: boolean): Float32Array {
    const bits = checkBits16(h, 'h', allowFloat16);
    let target: Float32Array;
    if (out === undefined) {
      target = new Float32Array(bits.length);
    } else {
      target = checkFloat32Out(out, 'out');
      checkOutShape(bits, target, 'out');
    }
    binding[call](bits, target);
    return target;
  }

  return {
    toFloat16: <O extends Uint16Array | Float16ArrayLike = Uint16Array>(x: FloatArray, out?: O): O => to('toFloat16', x, out, true) as O,
    fromFloat16: (h: Uint16Array | Float16ArrayLike, out?: Float32Array): Float32Array => from('fromFloat16', h, out, true),
    toBFloat16: (x: FloatArray, out?: Uint16Array): Uint16Array => to('toBFloat16', x, out, false) as Uint16Array,
    fromBFloat16: (h: Uint16Array, out?: Float32Array): Float32Array => from('fromBFloat16', h, out, false),
  };
}
