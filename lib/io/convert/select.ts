// Which tensors of a file a conversion touches: --include / --exclude globs on tensor names
// (picomatch syntax; `*` does not cross '/', which tfjs names use as a separator) and the rule
// llama.cpp and tfjs-converter share: tensors of rank below 2 (norms, biases) stay float.
import picomatch from 'picomatch';
import type { ElementType, TensorInfo } from '../types';
import { checkGlobs } from './options';

export interface SelectOptions {
  /** Globs a tensor name must match (any of them); default every tensor. */
  include?: string | readonly string[];
  /** Globs that leave a tensor as it is (any of them). */
  exclude?: string | readonly string[];
  /** Quantize tensors of rank 0 and 1 too (default false: they stay float). */
  quantize1d?: boolean;
}

const FLOATS: ReadonlySet<ElementType> = new Set(['f64', 'f32', 'f16', 'bf16']);

export function isFloatType(t: ElementType): boolean {
  return FLOATS.has(t);
}

/**
 * Whether a tensor's values are floats: a float element type, ggml blocks quantkit decodes, or
 * a tfjs float32 weight stored with uint8/uint16/float16 weight quantization (its stored type is
 * the codes').
 */
export function isFloatTensor(t: TensorInfo): boolean {
  if ((t as { decodable?: unknown }).decodable === false) return false;
  return isFloatType(t.type) || (t as { dtype?: unknown }).dtype === 'float32' || t.type.startsWith('q');
}

/** Whether a tensor's stored bytes are its values (false for tfjs weight-quantized tensors). */
export function storedAsValues(t: TensorInfo): boolean {
  return (t as { quantization?: unknown }).quantization === undefined;
}

function globList(v: unknown, name: string): string[] {
  if (v === undefined) return [];
  checkGlobs(v, name);
  return typeof v === 'string' ? [v] : (v as string[]);
}

/**
 * A function telling, for each tensor, undefined (quantize it) or why it is left as it is.
 * @throws TypeError when include/exclude are not glob strings.
 */
export function tensorSelector(opts: SelectOptions): (t: TensorInfo) => string | undefined {
  const include = globList(opts.include, 'include');
  const exclude = globList(opts.exclude, 'exclude');
  const inc = include.length ? picomatch(include, { dot: true }) : undefined;
  const exc = exclude.length ? picomatch(exclude, { dot: true }) : undefined;
  return (t) => {
    if (!isFloatTensor(t)) return `not a float tensor (${t.storedType})`;
    if (!opts.quantize1d && t.shape.length < 2) return `rank ${t.shape.length}: stays float`;
    if (inc && !inc(t.name)) return 'not matched by --include';
    if (exc && exc(t.name)) return 'matched by --exclude';
    if (t.elements === 0) return 'empty';
    return undefined;
  };
}
