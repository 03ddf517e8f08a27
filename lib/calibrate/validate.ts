// Checks of the calibrate capability's own options (README "Calibrate and compare"). The
// shared checks (dtype, bits, convention, shapes) come from ../validate and ../axis.
import { checkKeys, describe, keySet } from '../core/validate';

/**
 * Every own key of `obj` must be in `allowed`: an unknown option is a TypeError naming it and
 * the nearest valid key (core/validate's checkKeys, as every other options object in quantkit).
 */
export function checkKnownKeys(obj: Record<string, unknown>, allowed: readonly string[], name: string): void {
  checkKeys(obj, keySet(allowed), name);
}

/** An options object (undefined → {}), with only the allowed keys. */
export function checkOptionsObject(v: unknown, allowed: readonly string[], name: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new TypeError(`Expected an options object for ${name} but received ${describe(v)}`);
  }
  const o = v as Record<string, unknown>;
  checkKnownKeys(o, allowed, name);
  return o;
}

/** A number in (lo, hi] (or [lo, hi] with `closedLow`). */
export function checkNumberIn(v: unknown, lo: number, hi: number, closedLow: boolean, name: string): number {
  if (typeof v !== 'number') throw new TypeError(`Expected a number for ${name} but received ${describe(v)}`);
  if (!(closedLow ? v >= lo : v > lo) || !(v <= hi)) {
    throw new RangeError(`Expected a number in ${closedLow ? '[' : '('}${lo}, ${hi}] for ${name} but received ${describe(v)}`);
  }
  return v;
}

/** An integer in [lo, hi]. */
export function checkIntegerIn(v: unknown, lo: number, hi: number, name: string): number {
  if (typeof v !== 'number') throw new TypeError(`Expected a number for ${name} but received ${describe(v)}`);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`Expected an integer in [${lo}, ${hi}] for ${name} but received ${describe(v)}`);
  return v;
}
