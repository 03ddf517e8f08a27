// compareFile(): how much each quantization scheme would lose on every tensor of a model file
// and on the whole file (README "Files and the command"). Each selected tensor is read whole
// (one tensor at a time: memory is about twice the largest tensor) and run through compare()
// (README "Calibrate and compare"); the file's figures pool the tensors: SQNR = 10·log10(Σx² /
// Σe²) over every element of every tensor a scheme applied to, MSE = Σe² / n, bytes summed.
// Scheme names are compare()'s, plus the names `quantize` takes (f16, bf16, the GGUF types,
// tfjs' uint16), so that what is compared is what would be written.
import quantkit from '../../index';
import type { CompareRow, ObserverMethod, SchemeName, SchemeSpec } from '../../index';
import { describe } from '../../core/validate';
import { namedScheme } from '../../calibrate/compare';
import { openTensorFile } from '../open';
import type { ProgressCallback, TensorInfo } from '../types';
import { tensorSelector, type SelectOptions } from './select';
import { ggufTypeFor, type GgufScheme } from './quantize-file';
import { checkFunction, checkGlobs, checkOptionsObject } from './options';
import { METADATA_KEY } from './layout';
import { TYPE_LAYOUT } from '../decode';

const GGML_SCHEMES: ReadonlySet<string> = new Set(['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k']);
/** quantize's names for schemes compare() knows by another. */
const ALIASES: Readonly<Record<string, SchemeName | SchemeSpec>> = {
  f16: 'float16',
  bf16: 'bfloat16',
  uint16: { name: 'uint16', dtype: 'uint16' },
};

export interface CompareFileOptions extends SelectOptions {
  /** Schemes (compare()'s names or specs, or quantize's names); default FILE_SCHEMES. A scheme that does not fit a tensor is a row with `skipped`. */
  schemes?: ReadonlyArray<SchemeName | SchemeSpec | string>;
  /** Observer method for the schemes' ranges; default 'minmax'. */
  calibration?: ObserverMethod;
  /** Order of `tensors`: 'sqnr' (lowest SQNR under any scheme first, the default), 'size' (largest first) or 'file'. */
  sort?: 'sqnr' | 'size' | 'file';
  onProgress?: ProgressCallback;
}

export interface TensorComparison {
  name: string;
  shape: number[];
  storedType: string;
  elements: number;
  /** compare()'s rows; `storedAs` is the ggml type a row was measured with when the scheme's blocks do not fit the tensor's rows (llama.cpp's fallback, as `quantkit quantize` writes it). */
  rows: Array<CompareRow & { storedAs?: string }>;
}

export interface FileComparisonRow {
  scheme: string;
  /** Stored bytes of the tensors the scheme applied to. */
  bytes: number;
  bitsPerElement: number;
  mse: number;
  sqnrDb: number;
  maxAbs: number;
  ms: number;
  /** Elements the scheme applied to, and how many tensors it skipped (see the tensors' rows). */
  elements: number;
  skippedTensors: number;
  /** Tensors measured in a ggml fallback type (their rows are not whole blocks of the scheme), by type: { f16: 53, q5_0: 1 }. */
  fallbacks: Record<string, number>;
  /** True when every tensor the scheme applied to fell back: the row measures the fallback, not the scheme (sorted last). */
  allFellBack: boolean;
}

export interface CompareFileResult {
  file: string;
  format: string;
  /** One entry per compared tensor, in `sort` order. */
  tensors: TensorComparison[];
  /** Tensors left out and why (rank < 2, not float, not matched, NaN or ±Inf in it, …). */
  left: Array<{ name: string; why: string }>;
  /** The whole file, one row per scheme, best SQNR first (rows that all fell back last). */
  total: FileComparisonRow[];
  /** Compared tensors the file already stores quantized (ggml blocks, tfjs uint8/uint16/float16), by stored type: their errors come on top of what that quantization lost. */
  storedQuantized: Record<string, number>;
}

/** The schemes `quantkit compare` runs when not told: the layouts people ship weights in. */
export const FILE_SCHEMES: readonly string[] = Object.freeze(['int8-per-channel', 'uint8', 'int4-block32', 'q8_0', 'q6_k', 'q5_k', 'q4_k', 'q4_0', 'float8e4m3fn', 'bfloat16']);

function sumSquares(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

const OPTION_KEYS = ['schemes', 'calibration', 'sort', 'include', 'exclude', 'quantize1d', 'onProgress'];

/**
 * The schemes, checked before any file is read: an array, not empty, no name twice, each one
 * compare() (or quantize) knows. Errors name `schemes[i]`.
 */
function checkSchemes(given: unknown): Array<SchemeName | SchemeSpec | string> {
  if (given === undefined) return [...FILE_SCHEMES];
  if (!Array.isArray(given)) throw new TypeError(`Expected an array of scheme names or specs for schemes but received ${describe(given)}`);
  // Names as `inspect` prints ggml types (Q4_K) are the same schemes.
  const v = given.map((s) => (typeof s === 'string' ? s.toLowerCase() : s));
  if (v.length === 0) throw new RangeError('Expected at least one scheme in schemes but received an empty array');
  const seen = new Set<string>();
  const probe = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
  v.forEach((s, i) => {
    const name = typeof s === 'string' ? s : s !== null && typeof s === 'object' ? (s as { name?: unknown }).name : undefined;
    if (typeof name === 'string') {
      if (seen.has(name)) throw new RangeError(`Expected each scheme once in schemes but '${name}' is at schemes[${[...seen].indexOf(name)}] and schemes[${i}]`);
      seen.add(name);
    }
    if (typeof s === 'string' && (GGML_SCHEMES.has(s) || ALIASES[s] !== undefined)) return;
    try {
      quantkit.compare(probe, { schemes: [s] as never, shape: [2, 256] });
    } catch (e) {
      const err = e as Error;
      const msg = err.message.replace(/opts\.schemes\[0\]/g, `schemes[${i}]`);
      throw err instanceof RangeError ? new RangeError(msg) : new TypeError(msg);
    }
  });
  return v as Array<SchemeName | SchemeSpec | string>;
}

/**
 * Compares quantization schemes on every selected tensor of `file` (any format quantkit reads).
 * @throws TypeError / RangeError for bad options or schemes (before the file is read); Error
 *   naming the file for unreadable input, a file quantkit already quantized, or an --include
 *   that matches nothing.
 */
export async function compareFile(file: string, options?: CompareFileOptions): Promise<CompareFileResult> {
  const opts = checkOptionsObject(options, OPTION_KEYS, 'options') as CompareFileOptions;
  const sort = opts.sort ?? 'sqnr';
  if (sort !== 'sqnr' && sort !== 'size' && sort !== 'file') throw new RangeError(`Expected 'sqnr', 'size' or 'file' for options.sort but received ${describe(sort)}`);
  checkFunction(opts.onProgress, 'options.onProgress');
  checkGlobs(opts.include, 'options.include');
  checkGlobs(opts.exclude, 'options.exclude');
  const schemes = checkSchemes(opts.schemes);
  const select = tensorSelector(opts);
  const src = await openTensorFile(file);
  try {
    if (src.metadata[METADATA_KEY] !== undefined) {
      throw new Error(`${file}: already quantized by quantkit (its __metadata__ has "${METADATA_KEY}"): compare the float original, or run quantkit dequantize first`);
    }
    const chosen: TensorInfo[] = [];
    const left: Array<{ name: string; why: string }> = [];
    for (const t of src.tensors) {
      const why = select(t);
      if (why === undefined) chosen.push(t);
      else left.push({ name: t.name, why });
    }
    if (chosen.length === 0 && opts.include !== undefined) {
      throw new Error(`${file}: --include ${JSON.stringify(opts.include)} leaves no float tensor of rank ≥ 2 to compare (its ${src.tensors.length} tensors are named like ${src.tensors.slice(0, 3).map((t) => t.name).join(', ')})`);
    }
    // tfjs stores kernels as TensorFlow does, output channels last (HWIO, and [in, out] for
    // dense layers): per-channel schemes take that axis there; elsewhere (ONNX, PyTorch,
    // safetensors, GGUF) the output channel is the first.
    const channelsLast = src.format === 'tfjs';
    const total = chosen.reduce((s, t) => s + t.elements, 0);
    let done = 0;
    const tensors: TensorComparison[] = [];
    const pool = new Map<string, { bytes: number; e2: number; x2: number; n: number; maxAbs: number; ms: number; skipped: number; applied: number; fallbacks: Record<string, number> }>();
    for (const t of chosen) {
      const x = await src.readFloat32(t.name);
      const bad = x.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        left.push({ name: t.name, why: `element ${bad} is ${x[bad]}: no scheme quantizes NaN or ±Inf` });
        done += t.elements;
        continue;
      }
      const last = t.shape.length ? t.shape[t.shape.length - 1]! : 1;
      const shape = t.shape.length < 2 ? [t.elements] : channelsLast ? [t.elements / last, last] : [t.shape[0]!, t.elements / t.shape[0]!];
      let rows: Array<CompareRow & { storedAs?: string }>;
      try {
        // One scheme at a time: a scheme that does not fit this tensor (a conv kernel of 216
        // values and 32-blocks) is a skipped row, not the end of the file's report.
        rows = schemes.map((scheme) => {
          const label = typeof scheme === 'string' ? scheme : scheme.name;
          try {
            // A ggml scheme is measured as `quantkit quantize` would store this tensor: in its
            // rows (the last dimension), with llama.cpp's fallback type when a row is not whole
            // blocks (ggufTypeFor), so the file's totals are those of the file it would write.
            if (typeof scheme === 'string' && GGML_SCHEMES.has(scheme)) {
              const type = ggufTypeFor(scheme as GgufScheme, last);
              if (type !== scheme) return { ...quantkit.compare(x, { schemes: [type === 'f16' ? 'float16' : type] as never, calibration: opts.calibration, shape })[0]!, scheme, storedAs: type };
            }
            let spec = typeof scheme === 'string' ? ALIASES[scheme] ?? scheme : scheme;
            if (channelsLast && typeof spec === 'string' && spec.endsWith('-per-channel')) spec = { ...namedScheme(spec as SchemeName), name: spec, axis: 1 };
            return { ...quantkit.compare(x, { schemes: [spec] as never, calibration: opts.calibration, shape })[0]!, scheme: label };
          } catch (e) {
            // A scheme that does not fit the tensor, or that the tensor's values overflow (a
            // float16 scale past 65504 gives ±Inf): a skipped row saying why, not the end of
            // the file's report.
            const message = (e as Error).message;
            const m = /^Expected scheme '(.*)' to apply to x but (.*)$/s.exec(message);
            if (!(e instanceof RangeError) || (!m && !/Infinity|float32 scale/.test(message))) throw e;
            return { scheme: label, bytes: NaN, bitsPerElement: NaN, mse: NaN, sqnrDb: NaN, cosine: NaN, maxAbs: NaN, ms: NaN, skipped: m ? m[2]! : message };
          }
        });
      } catch (e) {
        const err = e as Error;
        const msg = `${file}: tensor ${t.name}: ${err.message}`;
        throw err instanceof RangeError ? new RangeError(msg) : err instanceof TypeError ? new TypeError(msg) : new Error(msg);
      }
      const x2 = sumSquares(x);
      for (const r of rows) {
        let p = pool.get(r.scheme);
        if (!p) pool.set(r.scheme, (p = { bytes: 0, e2: 0, x2: 0, n: 0, maxAbs: 0, ms: 0, skipped: 0, applied: 0, fallbacks: {} }));
        if (r.skipped !== undefined) {
          p.skipped++;
          continue;
        }
        p.applied++;
        if (r.storedAs !== undefined) p.fallbacks[r.storedAs] = (p.fallbacks[r.storedAs] ?? 0) + 1;
        p.bytes += r.bytes;
        p.e2 += r.mse * x.length;
        p.x2 += x2;
        p.n += x.length;
        p.maxAbs = Math.max(p.maxAbs, r.maxAbs);
        p.ms += r.ms;
      }
      tensors.push({ name: t.name, shape: [...t.shape], storedType: t.storedType, elements: t.elements, rows });
      done += t.elements;
      opts.onProgress?.(done, total, t.name);
    }
    const worst = (c: TensorComparison) => Math.min(...c.rows.filter((r) => r.skipped === undefined).map((r) => r.sqnrDb), Infinity);
    if (sort === 'sqnr') tensors.sort((a, b) => worst(a) - worst(b));
    else if (sort === 'size') tensors.sort((a, b) => b.elements - a.elements);
    const rows: FileComparisonRow[] = [...pool].map(([scheme, p]) => ({
      scheme,
      bytes: p.bytes,
      bitsPerElement: p.n ? (p.bytes * 8) / p.n : NaN,
      mse: p.n ? p.e2 / p.n : NaN,
      sqnrDb: p.n ? (p.e2 === 0 ? Infinity : 10 * Math.log10(p.x2 / p.e2)) : NaN,
      maxAbs: p.n ? p.maxAbs : NaN,
      ms: p.ms,
      elements: p.n,
      skippedTensors: p.skipped,
      fallbacks: p.fallbacks,
      allFellBack: p.applied > 0 && Object.values(p.fallbacks).reduce((a, b) => a + b, 0) === p.applied,
    }));
    const rank = (r: FileComparisonRow) => (Number.isNaN(r.sqnrDb) ? 2 : r.allFellBack ? 1 : 0);
    rows.sort((a, b) => rank(a) - rank(b) || (rank(a) === 2 ? 0 : b.sqnrDb - a.sqnrDb));
    const storedQuantized: Record<string, number> = {};
    for (const t of chosen) {
      const q = (t as { quantization?: { dtype?: string } }).quantization;
      const kind = q !== undefined ? `tfjs ${q.dtype}` : TYPE_LAYOUT[t.type].blockElements > 1 ? t.storedType : undefined;
      if (kind !== undefined && !left.some((l) => l.name === t.name)) storedQuantized[kind] = (storedQuantized[kind] ?? 0) + 1;
    }
    return { file, format: src.format, tensors, left, total: rows, storedQuantized };
  } finally {
    await src.close();
  }
}
