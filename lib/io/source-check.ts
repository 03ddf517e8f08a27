// Checks shared by the writers and readers of quantkit/io: options objects have only known keys,
// a writer's TensorSource list is validated before anything is opened, its bytes are streamed with their count enforced,
// and a reader's byte or element range is checked against the tensor.
import type { ElementType, TensorSource } from './types';
import { TYPE_LAYOUT, byteLengthOf, elementCount } from './decode';
import { checkOptionsObject } from '../calibrate/validate';
import { describe } from '../core/validate';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `an Array of length ${v.length}`;
  return `a ${(v as object).constructor?.name ?? 'null-prototype object'}`;
}

/** `${what}: ` before the message of a check's TypeError (checkOptionsObject names no call). */
function prefixed<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof TypeError) throw new TypeError(`${what}: ${e.message}`);
    throw e;
  }
}

/**
 * A writer's options object (undefined → {}): every key must be one of `allowed` (a misspelt
 * one is a TypeError naming it and the nearest valid key: calibrate's checkOptionsObject, as every
 * options object in quantkit), `inputs` an array of paths and `onProgress` a function when given.
 * The writer checks its other values.
 * @throws TypeError starting with `${what}: `.
 */
export function checkWriterOptions(v: unknown, allowed: readonly string[], what: string): Record<string, unknown> {
  const o = prefixed(what, () => checkOptionsObject(v, allowed, 'options'));
  const inputs = o.inputs;
  if (inputs !== undefined && (!Array.isArray(inputs) || !inputs.every((p) => typeof p === 'string' && p.length > 0))) {
    throw new TypeError(`${what}: expected an array of file paths for inputs but received ${describe(inputs)}`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError(`${what}: expected a function for onProgress but received ${describe(o.onProgress)}`);
  return o;
}

/**
 * The second argument of an opener, which takes no options: undefined or an object without keys.
 * A misspelt option is then an error rather than silently ignored.
 * @throws TypeError starting with `${what}: `.
 */
export function checkNoOptions(v: unknown, what: string): void {
  if (v === undefined) return;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    // Array.prototype.map passes the index as a second argument.
    const hint = typeof v === 'number' ? ' (an index passed by Array.prototype.map? call it as paths.map((p) => open(p)))' : '';
    throw new TypeError(`${what}: expected no options (it takes none) but received ${describe(v)}${hint}`);
  }
  const key = Object.keys(v)[0];
  if (key !== undefined) throw new TypeError(`${what}: Unknown key '${key}' in options; it takes no options`);
}

/**
 * Checks every source of a writer: an array of objects with a non-empty, well-formed name
 * (unique), a type from `allowed`, a shape of non-negative integers, `byteLength` equal to
 * shape × type, and either `data` (a Uint8Array of byteLength bytes) or `chunks()`.
 * @param what the writer and file, for messages ("writeSafetensors(out.safetensors)").
 * @returns each source's element count, in order.
 * @throws TypeError for a wrong kind of value, RangeError for a wrong size or count, Error for a duplicate name.
 */
export function checkSources(sources: unknown, what: string, allowed: readonly ElementType[], reservedNames: readonly string[] = []): number[] {
  if (!Array.isArray(sources)) throw new TypeError(`${what}: expected an array of tensor sources but received ${show(sources)}`);
  const seen = new Set<string>();
  return sources.map((s: unknown, i) => {
    if (s === null || typeof s !== 'object') throw new TypeError(`${what}: expected a tensor source object at index ${i} but received ${show(s)}`);
    const src = s as Partial<TensorSource>;
    const name = src.name;
    if (typeof name !== 'string' || name.length === 0) throw new TypeError(`${what}: expected a non-empty string for tensors[${i}].name but received ${show(name)}`);
    if (LONE_SURROGATE.test(name)) throw new TypeError(`${what}: tensor name at index ${i} contains a lone UTF-16 surrogate and cannot be stored as UTF-8`);
    if (reservedNames.includes(name)) throw new Error(`${what}: '${name}' is reserved and cannot name a tensor`);
    if (seen.has(name)) throw new Error(`${what}: two tensors are named '${name}'`);
    seen.add(name);
    const t = `${what}: tensor '${name}'`;
    if (typeof src.type !== 'string' || !Object.prototype.hasOwnProperty.call(TYPE_LAYOUT, src.type)) throw new TypeError(`${t}: expected an element type for type but received ${show(src.type)}`);
    if (!allowed.includes(src.type)) throw new TypeError(`${t}: type '${src.type}' cannot be stored in this format (it stores ${allowed.join(', ')})`);
    if (!Array.isArray(src.shape)) throw new TypeError(`${t}: expected an array of dimensions for shape but received ${show(src.shape)}`);
    const elements = elementCount(src.shape, t);
    const expected = byteLengthOf(src.type, elements);
    if (expected === undefined || !Number.isSafeInteger(expected)) throw new RangeError(`${t}: shape [${src.shape.join(', ')}] is not a whole number of ${src.type} blocks or is too large`);
    if (src.byteLength !== expected) throw new RangeError(`${t}: expected byteLength ${expected} (shape [${src.shape.join(', ')}] of ${src.type}) but received ${show(src.byteLength)}`);
    if (src.data !== undefined) {
      if (!(src.data instanceof Uint8Array)) throw new TypeError(`${t}: expected a Uint8Array for data but received ${show(src.data)}`);
      if (src.data.length !== expected) throw new RangeError(`${t}: data has ${src.data.length} bytes but byteLength is ${expected}`);
    } else if (typeof src.chunks !== 'function') {
      throw new TypeError(`${t}: expected data (a Uint8Array) or a chunks() function`);
    }
    return elements;
  });
}

/**
 * The bytes of a checked source, chunk by chunk, with their total enforced.
 * @throws TypeError when a chunk is not a Uint8Array; RangeError when the chunks add up to more or fewer than byteLength.
 */
export async function* sourceBytes(src: TensorSource, what: string): AsyncGenerator<Uint8Array> {
  if (src.data !== undefined) {
    yield src.data;
    return;
  }
  let n = 0;
  for await (const chunk of src.chunks!()) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError(`${what}: tensor '${src.name}': chunks() yielded ${show(chunk)} instead of a Uint8Array`);
    n += chunk.length;
    if (n > src.byteLength) throw new RangeError(`${what}: tensor '${src.name}': chunks() yielded more than its byteLength of ${src.byteLength} bytes`);
    if (chunk.length > 0) yield chunk;
  }
  if (n !== src.byteLength) throw new RangeError(`${what}: tensor '${src.name}': chunks() yielded ${n} bytes but byteLength is ${src.byteLength}`);
}

/**
 * Resolves a reader's [start, start + count) against a tensor of `total` units (bytes or
 * elements): defaults are the whole tensor from `start`.
 * @throws RangeError naming the file, the tensor and the range when it is not inside.
 */
export function checkRange(what: string, unit: string, total: number, start: number | undefined, count: number | undefined): [number, number] {
  const s = start ?? 0;
  if (!Number.isSafeInteger(s) || s < 0 || s > total) throw new RangeError(`${what}: expected a start ${unit} index in [0, ${total}] but received ${String(start)}`);
  const c = count ?? total - s;
  if (!Number.isSafeInteger(c) || c < 0 || s + c > total) throw new RangeError(`${what}: ${unit}s [${s}, ${s + Number(c)}) lie outside the tensor's ${total} ${unit}s`);
  return [s, c];
}
