// Option checks shared by quantizeFile, dequantizeFile and compareFile: every key known (a
// misspelt one is a TypeError naming the nearest), every value of its type, before any file is
// opened.
import { checkOptionsObject } from '../../calibrate/validate';
import { describe } from '../../core/validate';

export { checkOptionsObject };

export function checkFunction(v: unknown, name: string): void {
  if (v !== undefined && typeof v !== 'function') throw new TypeError(`Expected a function for ${name} but received ${describe(v)}`);
}

/**
 * GGUF / safetensors metadata to add: a plain object of strings, finite numbers, booleans.
 * @throws TypeError naming the key.
 */
export function checkMetadata(v: unknown, name: string): Readonly<Record<string, string | number | boolean>> | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) throw new TypeError(`Expected an object of key-values for ${name} but received ${describe(v)}`);
  for (const [k, x] of Object.entries(v)) {
    if (!(typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)))) {
      throw new TypeError(`Expected a string, a finite number or a boolean for ${name}['${k}'] but received ${describe(x)}`);
    }
  }
  return v as Record<string, string | number | boolean>;
}

/** A list of globs, or one. */
export function checkGlobs(v: unknown, name: string): void {
  if (v === undefined) return;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((g) => typeof g === 'string' && g.length > 0)) {
    throw new TypeError(`Expected a glob string or an array of glob strings for ${name} but received ${describe(v)}`);
  }
}
