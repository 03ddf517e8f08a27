// The operations that have async twins, and where each one keeps its output and its options.
// Shared by the caller's side (index.ts: where `signal` and `transfer` are taken from) and the
// worker (worker.ts: which argument it writes, how it splits a call into parts).

/**
 * `out`: the index of the output argument (an array written in place), when the call has one.
 * `opts`: the index of the call's options object, when it has one; the async options
 * (`signal`, `transfer`) are read from it (and removed before the synchronous call). A call
 * without one takes them in `out`'s place: `quantizeAsync(x, params, { out, signal })`.
 * `outKey`: the options key that holds the output (quantizeDynamic's `opts.out`).
 * `partial`: the call may write only part of `out` (opts.offset), so a copied `out` gets back
 * only the elements the call changed (two calls into one batch tensor do not undo each other).
 * `split`: how the worker runs the call in parts, checking for an abort between them.
 */
export interface OpSpec {
  /** How many arguments the synchronous call takes at most. */
  readonly arity: number;
  readonly out?: number;
  readonly opts?: number;
  readonly outKey?: string;
  readonly partial?: boolean;
  readonly split?: 'quantize' | 'dequantize' | 'convert' | 'ggml-quantize' | 'ggml-dequantize';
}

export const OPS = {
  quantize: { arity: 3, out: 2, split: 'quantize' },
  dequantize: { arity: 3, out: 2, split: 'dequantize' },
  quantizeDynamic: { arity: 2, opts: 1, outKey: 'out' },
  minMax: { arity: 2, opts: 1 },
  computeParams: { arity: 2, opts: 1 },
  toFloat16: { arity: 2, out: 1, split: 'convert' },
  fromFloat16: { arity: 2, out: 1, split: 'convert' },
  toBFloat16: { arity: 2, out: 1, split: 'convert' },
  fromBFloat16: { arity: 2, out: 1, split: 'convert' },
  toUnsigned: { arity: 3, out: 2 },
  toSigned: { arity: 3, out: 2 },
  pack: { arity: 3, out: 2 },
  unpack: { arity: 4, out: 3 },
  'ggml.quantize': { arity: 3, out: 2, split: 'ggml-quantize' },
  'ggml.dequantize': { arity: 4, out: 3, split: 'ggml-dequantize' },
  errorStats: { arity: 3, opts: 2 },
  imageToTensor: { arity: 3, opts: 1, out: 2, partial: true },
  tensorToImage: { arity: 3, opts: 1, out: 2, partial: true },
  quantizeEmbeddings: { arity: 3, opts: 1, out: 2 },
  dequantizeEmbeddings: { arity: 3, opts: 1, out: 2 },
  embeddingRanges: { arity: 2 },
  unpackBits: { arity: 3, out: 2 },
  // An observer's batch: the observer's state travels with the batch (observer.ts).
  observe: { arity: 2 },
} as const satisfies Record<string, OpSpec>;

export type OpName = keyof typeof OPS;

/** Elements per part when the worker splits a call: a few milliseconds of native work, so an abort stops it promptly. */
export const PART_ELEMENTS = 1 << 22;

// ---------------------------------------------------------------------------------------------
// Walking a call's arguments, the same way on both sides of the hand-over.

export type Typed = ArrayBufferView & { length: number; subarray(a: number, b?: number): Typed; set(a: ArrayLike<number> | Typed, o?: number): void; slice(): Typed; [i: number]: number };

/** The mark that stands for an argument array in a worker's result (the caller puts its own back). */
export const MARK = '__quantkitArg';

export function isTyped(v: unknown): v is Typed {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

export function isShared(a: Typed): boolean {
  return typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer;
}

export function plainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !isTyped(v) && !Array.isArray(v);
}

/** The arrays among the arguments, top level and one object deep, in a fixed order. */
export function argArrays(args: unknown[]): Typed[] {
  const found: Typed[] = [];
  for (const a of args) {
    if (isTyped(a)) found.push(a);
    else if (plainObject(a)) for (const v of Object.values(a)) if (isTyped(v)) found.push(v);
  }
  return found;
}

/** The array a call writes (its out argument or option), when it was given one. */
export function outputOf(spec: OpSpec, args: unknown[]): Typed | undefined {
  if (spec.out !== undefined && isTyped(args[spec.out])) return args[spec.out] as Typed;
  if (spec.outKey !== undefined && spec.opts !== undefined && plainObject(args[spec.opts])) {
    const v = (args[spec.opts] as Record<string, unknown>)[spec.outKey];
    if (isTyped(v)) return v;
  }
  return undefined;
}

/**
 * A copy of an object without `keys`, with the same prototype and property kinds (getters,
 * non-enumerable keys); a key the prototype also has is shadowed by a hidden undefined.
 */
export function withoutKeys<T extends object>(o: T, keys: readonly string[]): T {
  const d = Object.getOwnPropertyDescriptors(o) as Record<string, PropertyDescriptor>;
  for (const k of keys) delete d[k];
  const copy = Object.create(Object.getPrototypeOf(o), d) as T;
  for (const k of keys) if (k in copy) Object.defineProperty(copy, k, { value: undefined, enumerable: false });
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Objects as the synchronous call sees them. Structured cloning keeps only own enumerable data
// properties, but a call reads `params.scale` through getters and prototypes too (a class with
// getters, Object.create(params)), and counts only own enumerable keys as option keys. So an
// object that is not plain data travels as its three parts and is rebuilt with the same shape.

const OBJECT = '__quantkitObject';

function isPlainData(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.getOwnPropertyNames(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key) as PropertyDescriptor;
    if (!d.enumerable || !('value' in d)) return false;
  }
  return true;
}

/** An argument ready for postMessage: objects that are not plain data become { own, hidden, inherited } (read once, getters included). */
export function encodeArg(v: unknown, depth = 0): unknown {
  if (typeof v !== 'object' || v === null || isTyped(v) || depth > 3) return v;
  if (Array.isArray(v)) return v.map((x) => encodeArg(x, depth + 1));
  if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer)) return v;
  const o = v as Record<string, unknown>;
  if (isPlainData(o)) {
    const plain: Record<string, unknown> = {};
    for (const k of Object.keys(o)) plain[k] = encodeArg(o[k], depth + 1);
    return plain;
  }
  const own: Record<string, unknown> = {};
  const hidden: Record<string, unknown> = {};
  const inherited: Record<string, unknown> = {};
  for (const k of Object.getOwnPropertyNames(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k) as PropertyDescriptor;
    (d.enumerable ? own : hidden)[k] = encodeArg(o[k], depth + 1);
  }
  for (let p = Object.getPrototypeOf(o); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k === 'constructor' || k in own || k in hidden || k in inherited) continue;
      const value = o[k];
      if (typeof value !== 'function') inherited[k] = encodeArg(value, depth + 1);
    }
  }
  return { [OBJECT]: 1, own, hidden, inherited };
}

/** The object encodeArg described: the same own enumerable keys, the rest readable as before. */
export function decodeArg(v: unknown, depth = 0): unknown {
  if (typeof v !== 'object' || v === null || isTyped(v) || depth > 3) return v;
  if (Array.isArray(v)) return v.map((x) => decodeArg(x, depth + 1));
  const o = v as Record<string, unknown>;
  if (o[OBJECT] !== 1) {
    if (Object.getPrototypeOf(o) !== Object.prototype) return v;
    for (const k of Object.keys(o)) o[k] = decodeArg(o[k], depth + 1);
    return o;
  }
  const parts = o as { own: Record<string, unknown>; hidden: Record<string, unknown>; inherited: Record<string, unknown> };
  const proto: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(parts.inherited)) proto[k] = decodeArg(x, depth + 1);
  const made = Object.create(proto) as Record<string, unknown>;
  for (const [k, x] of Object.entries(parts.own)) made[k] = decodeArg(x, depth + 1);
  for (const [k, x] of Object.entries(parts.hidden)) Object.defineProperty(made, k, { value: decodeArg(x, depth + 1), enumerable: false, writable: true, configurable: true });
  return made;
}
