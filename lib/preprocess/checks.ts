// Argument checks shared by the preprocessing facade (README "Preprocessing"): every misuse
// is a TypeError or RangeError naming the argument and the value, thrown before anything is
// written.
import { checkAttached, describe, typedArrayKind } from '../core/validate';

export function typeError(what: string, name: string, v: unknown): TypeError {
  return new TypeError(`Expected ${what} for ${name} but received ${describe(v)}`);
}

export function rangeError(what: string, name: string, v: unknown): RangeError {
  return new RangeError(`Expected ${what} for ${name} but received ${describe(v)}`);
}

/** An integer in [lo, hi]. */
export function checkInteger(v: unknown, name: string, lo: number, hi = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number') throw typeError('a number', name, v);
  if (!Number.isInteger(v) || v < lo || v > hi) throw rangeError(hi === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${lo}` : `an integer in [${lo}, ${hi}]`, name, v);
  return v;
}

/** One of `names` (a string), or `fallback` when absent. */
export function checkChoice<T extends string>(v: unknown, names: readonly T[], name: string, fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !names.includes(v as T)) throw typeError(`one of ${names.map((n) => `'${n}'`).join(', ')}`, name, v);
  return v as T;
}

/**
 * Per-channel numbers: a number (the same for every channel) or an Array / TypedArray of
 * exactly `count` finite numbers (`nonZero`: none of them 0).
 */
export function checkPerChannel(v: unknown, count: number, name: string, nonZero: boolean): number[] {
  let values: number[];
  if (typeof v === 'number') {
    values = new Array<number>(count).fill(v);
  } else if (Array.isArray(v) || (typedArrayKind(v) !== undefined && typedArrayKind(v) !== 'BigInt64Array' && typedArrayKind(v) !== 'BigUint64Array')) {
    const a = v as ArrayLike<unknown>;
    if (a.length !== count) throw new RangeError(`Expected ${count} values (one per output channel) for ${name} but received ${describe(v)}`);
    values = [];
    for (let i = 0; i < count; i++) {
      const x = a[i];
      if (typeof x !== 'number') throw typeError('a number', `${name}[${i}]`, x);
      values.push(x);
    }
  } else {
    throw typeError(`a number or an array of ${count}`, name, v);
  }
  values.forEach((x, i) => {
    const at = typeof v === 'number' ? name : `${name}[${i}]`;
    if (!Number.isFinite(x)) throw rangeError('a finite number', at, x);
    if (nonZero && Math.fround(x) === 0) throw rangeError('a non-zero number', at, x);
  });
  return values;
}

/** Where a call writes: `out` at element `offset` has room for `size` elements. */
export function checkRoom(out: ArrayBufferView & { length: number }, offset: number, size: number, name: string): void {
  checkAttached(out, name);
  if (offset > out.length || out.length - offset < size) {
    throw new RangeError(`Expected ${name} to hold ${size} elements from offset ${offset} but received ${describe(out)}`);
  }
}
