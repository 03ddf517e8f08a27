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
  readonly out?: number;
  readonly opts?: number;
  readonly outKey?: string;
  readonly partial?: boolean;
  readonly split?: 'quantize' | 'dequantize' | 'convert' | 'ggml-quantize' | 'ggml-dequantize';
}

export const OPS = {
  quantize: { out: 2, split: 'quantize' },
  dequantize: { out: 2, split: 'dequantize' },
  quantizeDynamic: { opts: 1, outKey: 'out' },
  minMax: { opts: 1 },
  computeParams: { opts: 1 },
  toFloat16: { out: 1, split: 'convert' },
  fromFloat16: { out: 1, split: 'convert' },
  toBFloat16: { out: 1, split: 'convert' },
  fromBFloat16: { out: 1, split: 'convert' },
  toUnsigned: { out: 2 },
  toSigned: { out: 2 },
  pack: { out: 2 },
  unpack: { out: 3 },
  'ggml.quantize': { out: 2, split: 'ggml-quantize' },
  'ggml.dequantize': { out: 3, split: 'ggml-dequantize' },
  errorStats: { opts: 2 },
  imageToTensor: { opts: 1, out: 2, partial: true },
  tensorToImage: { opts: 1, out: 2, partial: true },
  quantizeEmbeddings: { opts: 1, out: 2 },
  dequantizeEmbeddings: { opts: 1, out: 2 },
  embeddingRanges: {},
  unpackBits: { out: 2 },
  // An observer's batch: the observer's state travels with the batch (observer.ts).
  observe: {},
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
