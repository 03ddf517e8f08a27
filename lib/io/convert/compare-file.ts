// compareFile(): how much each quantization scheme would lose on every tensor of a model file
// and on the whole file (README "Files and the command"). Each selected tensor is read whole
// (one tensor at a time) and run through compare() (README "Calibrate and compare"); the file's
// figures pool the tensors: SQNR = 10·log10(Σx² / Σe²) over every element of every tensor a
// scheme applied to, MSE = Σe² / n, bytes summed.
import quantkit from '../../index';
import type { CompareRow, ObserverMethod, SchemeName, SchemeSpec } from '../../index';
import { openTensorFile } from '../open';
import type { ProgressCallback, TensorInfo } from '../types';
import { tensorSelector, type SelectOptions } from './select';
import { ggufTypeFor, type GgufScheme } from './quantize-file';

const GGML_SCHEMES: ReadonlySet<string> = new Set(['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k']);

export interface CompareFileOptions extends SelectOptions {
  /** Schemes (compare()'s names or specs); default FILE_SCHEMES. A scheme that does not fit a tensor is a row with `skipped`. */
  schemes?: ReadonlyArray<SchemeName | SchemeSpec>;
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
}

export interface CompareFileResult {
  file: string;
  format: string;
  /** One entry per compared tensor, in `sort` order. */
  tensors: TensorComparison[];
  /** Tensors left out and why (rank < 2, not float, not matched, …). */
  left: Array<{ name: string; why: string }>;
  /** The whole file, one row per scheme, best SQNR first. */
  total: FileComparisonRow[];
}

function sumSquares(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/**
 * Compares quantization schemes on every selected tensor of `file` (any format quantkit reads).
 * @throws Error naming the file and tensor for unreadable input; RangeError / TypeError from
 *   compare() for bad schemes (before any tensor is read: the first tensor checks them).
 */
export async function compareFile(file: string, opts: CompareFileOptions = {}): Promise<CompareFileResult> {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`Expected an options object but received ${String(opts)}`);
  const sort = opts.sort ?? 'sqnr';
  if (sort !== 'sqnr' && sort !== 'size' && sort !== 'file') throw new RangeError(`Expected 'sqnr', 'size' or 'file' for sort but received ${JSON.stringify(sort)}`);
  const select = tensorSelector(opts);
  const src = await openTensorFile(file);
  try {
    const chosen: TensorInfo[] = [];
    const left: Array<{ name: string; why: string }> = [];
    for (const t of src.tensors) {
      const why = select(t);
      if (why === undefined) chosen.push(t);
      else left.push({ name: t.name, why });
    }
    const total = chosen.reduce((s, t) => s + t.elements, 0);
    let done = 0;
    const tensors: TensorComparison[] = [];
    const pool = new Map<string, { bytes: number; e2: number; x2: number; n: number; maxAbs: number; ms: number; skipped: number; fallbacks: Record<string, number> }>();
    for (const t of chosen) {
      let x: Float32Array;
      let rows: Array<CompareRow & { storedAs?: string }>;
      try {
        x = await src.readFloat32(t.name);
        const shape = t.shape.length >= 2 ? [t.shape[0], t.elements / t.shape[0]] : [t.elements];
        // One scheme at a time: a scheme that does not fit this tensor (a conv kernel of 216
        // values and 32-blocks) is a skipped row, not the end of the file's report.
        const k = t.shape.length ? t.shape[t.shape.length - 1]! : 1;
        rows = (opts.schemes ?? FILE_SCHEMES).map((scheme) => {
          try {
            // A ggml scheme is measured as `quantkit quantize` would store this tensor: in its
            // rows (the last dimension), with llama.cpp's fallback type when a row is not whole
            // blocks (ggufTypeFor), so the file's totals are those of the file it would write.
            const ggmlType = typeof scheme === 'string' && GGML_SCHEMES.has(scheme) ? ggufTypeFor(scheme as GgufScheme, k) : undefined;
            if (ggmlType !== undefined && ggmlType !== scheme) {
              const row = quantkit.compare(x, { schemes: [ggmlType === 'f16' ? 'float16' : ggmlType] as never, calibration: opts.calibration, shape })[0]!;
              return { ...row, scheme: scheme as string, storedAs: ggmlType };
            }
            return quantkit.compare(x, { schemes: [scheme] as never, calibration: opts.calibration, shape })[0]!;
          } catch (e) {
            const m = /^Expected scheme '(.*)' to apply to x but (.*)$/s.exec((e as Error).message);
            if (!(e instanceof RangeError) || !m) throw e;
            return { scheme: m[1]!, bytes: NaN, bitsPerElement: NaN, mse: NaN, sqnrDb: NaN, cosine: NaN, maxAbs: NaN, ms: NaN, skipped: m[2]! };
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
        if (!p) pool.set(r.scheme, (p = { bytes: 0, e2: 0, x2: 0, n: 0, maxAbs: 0, ms: 0, skipped: 0, fallbacks: {} }));
        if (r.skipped !== undefined) {
          p.skipped++;
          continue;
        }
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
    }));
    rows.sort((a, b) => (Number.isNaN(b.sqnrDb) ? -1 : Number.isNaN(a.sqnrDb) ? 1 : b.sqnrDb - a.sqnrDb));
    return { file, format: src.format, tensors, left, total: rows };
  } finally {
    await src.close();
  }
}

/** The schemes `quantkit compare` runs when not told: the layouts people ship weights in. */
export const FILE_SCHEMES: readonly string[] = Object.freeze(['int8-per-channel', 'uint8', 'int4-block32', 'q8_0', 'q6_k', 'q5_k', 'q4_k', 'q4_0', 'float8e4m3fn', 'bfloat16']);
