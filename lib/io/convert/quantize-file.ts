// quantizeFile(): one model file to a quantized one (README "Files and the command"):
//   safetensors / NumPy / GGUF / tfjs → GGUF with ggml block types (q8_0 … q6_k) or f16 / bf16;
//   any of them → safetensors with int8 / int4 codes plus scale and zero-point tensors (layout.ts);
//   any of them → tfjs with the weight quantization of tfjs-converter (uint8, uint16, float16).
// Tensors stream through in chunks (chunks.ts): memory stays at a few chunks whatever the
// file's size. The output is written atomically (file.ts): an error leaves no partial file.
import * as path from 'node:path';
import quantkit from '../../index';
import type { GgmlType } from '../../ggml';
import { openTensorFile } from '../open';
import { writeGguf } from '../gguf';
import { writeSafetensors } from '../safetensors';
import { writeTfjs } from '../tfjs';
import { byteLengthOf, TYPE_LAYOUT } from '../decode';
import type { ElementType, ProgressCallback, TensorFile, TensorInfo, TensorSource } from '../types';
import { byteChunks, bytesOf, DEFAULT_CHUNK_ELEMENTS, floatChunks } from './chunks';
import { AFFINE_FILE_SCHEMES, METADATA_KEY, type AffineFileScheme, type QuantizationRecord } from './layout';
import { tensorSelector, type SelectOptions } from './select';

export type GgufScheme = 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q4_k' | 'q5_k' | 'q6_k' | 'f16' | 'bf16';
export type TfjsScheme = 'uint8' | 'uint16' | 'float16';
export type OutputFormat = 'gguf' | 'safetensors' | 'tfjs';

export const SCHEMES: Readonly<Record<OutputFormat, readonly string[]>> = Object.freeze({
  gguf: Object.freeze(['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k', 'f16', 'bf16']),
  safetensors: Object.freeze(Object.keys(AFFINE_FILE_SCHEMES)),
  tfjs: Object.freeze(['uint8', 'uint16', 'float16']),
});

export interface QuantizeFileOptions extends SelectOptions {
  /** A scheme of the output format (SCHEMES): 'q4_k' for GGUF, 'int8' for safetensors, 'uint8' for tfjs, … */
  scheme: string;
  /** Output format; default from OUT's extension (.gguf, .safetensors, .json for tfjs). */
  to?: OutputFormat;
  /** Metadata to add: GGUF key-values (numbers, booleans, strings) or safetensors `__metadata__` strings. */
  metadata?: Readonly<Record<string, string | number | boolean>>;
  /** Called after each chunk with input bytes done and the total. */
  onProgress?: ProgressCallback;
  /** Float32 elements read at a time (default 4 Mi); memory is a small multiple of it. */
  chunkElements?: number;
}

export interface TensorReport {
  name: string;
  /** 'quantized' (by the scheme), 'converted' (another float or int type, exactly), 'kept' (bytes unchanged). */
  action: 'quantized' | 'converted' | 'kept';
  from: string;
  to: string;
  shape: number[];
  bytesIn: number;
  bytesOut: number;
  /** Why a tensor was not quantized, or the type it fell back to. */
  note?: string;
}

export interface QuantizeFileResult {
  input: string;
  output: string;
  inputFormat: string;
  outputFormat: OutputFormat;
  scheme: string;
  tensors: TensorReport[];
  /** Tensor bytes in and out (headers and metadata not counted). */
  bytesIn: number;
  bytesOut: number;
  /** File sizes in bytes. */
  fileBytesIn: number;
  fileBytesOut: number;
  seconds: number;
}

/** The output format OUT's extension names, or `to`. @throws Error when neither says. */
export function outputFormatOf(out: string, to?: string): OutputFormat {
  if (to !== undefined) {
    if (to === 'gguf' || to === 'safetensors' || to === 'tfjs') return to;
    throw new RangeError(`Expected 'gguf', 'safetensors' or 'tfjs' for to but received ${JSON.stringify(to)}`);
  }
  const ext = path.extname(out).toLowerCase();
  if (ext === '.gguf') return 'gguf';
  if (ext === '.safetensors') return 'safetensors';
  if (ext === '.json') return 'tfjs';
  throw new Error(`Cannot tell the output format from ${out}: name it .gguf, .safetensors or .json (tfjs), or pass --to`);
}

// Types GGUF stores as they are: floats, ggml blocks and the signed integers (ggml.h's I8 … F64).
const GGUF_KEEPS: ReadonlySet<ElementType> = new Set<ElementType>(['f32', 'f16', 'bf16', 'f64', 'i8', 'i16', 'i32', 'i64', 'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k']);

const GGML_FALLBACK: Partial<Record<GgufScheme, GgufScheme>> = { q4_k: 'q5_0', q5_k: 'q5_1', q6_k: 'q8_0' };

/**
 * The GGUF type a tensor of row length `k` gets under `scheme`: the scheme, or, when `k` is not a
 * multiple of its block, the fallback llama.cpp's quantizer takes (llama.cpp
 * src/llama-quant.cpp, llama_tensor_get_type: q4_k → q5_0, q5_k → q5_1, q6_k → q8_0), or f16 when
 * `k` is not a multiple of 32 either.
 */
export function ggufTypeFor(scheme: GgufScheme, k: number): GgufScheme {
  let t: GgufScheme | undefined = scheme;
  while (t !== undefined && k % TYPE_LAYOUT[t as ElementType].blockElements !== 0) t = GGML_FALLBACK[t];
  return t ?? 'f16';
}

// llama.cpp's llama_ftype values (include/llama.h) for general.file_type.
const FILE_TYPE: Record<GgufScheme, number> = { f16: 1, q4_0: 2, q4_1: 3, q8_0: 7, q5_0: 8, q5_1: 9, q4_k: 14, q5_k: 16, q6_k: 18, bf16: 32 };

function checkOptions(o: unknown): QuantizeFileOptions {
  if (o === null || typeof o !== 'object') throw new TypeError(`Expected an options object with a scheme but received ${String(o)}`);
  const opts = o as QuantizeFileOptions;
  if (typeof opts.scheme !== 'string') throw new TypeError(`Expected a string for scheme but received ${String(opts.scheme)}`);
  if (opts.chunkElements !== undefined && (!Number.isSafeInteger(opts.chunkElements) || opts.chunkElements < 256 || opts.chunkElements % 256 !== 0)) {
    throw new RangeError(`Expected a multiple of 256 of at least 256 for chunkElements but received ${opts.chunkElements}`);
  }
  if (opts.metadata !== undefined && (opts.metadata === null || typeof opts.metadata !== 'object')) throw new TypeError(`Expected an object of key-values for metadata but received ${String(opts.metadata)}`);
  return opts;
}

function rowLength(t: TensorInfo): number {
  return t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1];
}

function tagError(file: string, t: TensorInfo, e: unknown): Error {
  const err = e as Error;
  const msg = `${file}: tensor ${t.name}: ${err.message}`;
  const tagged = err instanceof RangeError ? new RangeError(msg) : err instanceof TypeError ? new TypeError(msg) : new Error(msg);
  (tagged as Error & { cause?: unknown }).cause = err;
  return tagged;
}

/** Float32 chunks → encoded chunks, with progress and errors tagged with the tensor. */
async function* encoded(src: TensorFile, t: TensorInfo, step: number, encode: (x: Float32Array, start: number) => Uint8Array, progress: (n: number) => void): AsyncGenerator<Uint8Array> {
  const inPerElement = t.byteLength / Math.max(1, t.elements);
  try {
    for await (const { x, start } of floatChunks(src, t, step)) {
      yield encode(x, start);
      progress(x.length * inPerElement);
    }
  } catch (e) {
    throw tagError(src.path, t, e);
  }
}

async function* passThrough(src: TensorFile, t: TensorInfo, stepBytes: number, progress: (n: number) => void): AsyncGenerator<Uint8Array> {
  try {
    for await (const b of byteChunks(src, t, stepBytes)) {
      yield b;
      progress(b.length);
    }
  } catch (e) {
    throw tagError(src.path, t, e);
  }
}

/**
 * Quantizes the model file `input` into `output` (see the file comment for the formats).
 * @throws Error naming the file and tensor for unreadable input; RangeError for a scheme the
 *   output format does not have (the message lists them); Error when output is the input.
 */
export async function quantizeFile(input: string, output: string, options: QuantizeFileOptions): Promise<QuantizeFileResult> {
  const t0 = performance.now();
  const opts = checkOptions(options);
  const format = outputFormatOf(output, opts.to);
  if (!SCHEMES[format].includes(opts.scheme)) {
    throw new RangeError(`Expected a ${format} scheme (${SCHEMES[format].join(', ')}) for scheme but received ${JSON.stringify(opts.scheme)}`);
  }
  const select = tensorSelector(opts);
  const step = opts.chunkElements ?? DEFAULT_CHUNK_ELEMENTS;
  const src = await openTensorFile(input);
  try {
    const totalIn = src.tensors.reduce((s, t) => s + t.byteLength, 0);
    let doneIn = 0;
    const progress = (t: TensorInfo) => (n: number) => {
      doneIn += n;
      opts.onProgress?.(doneIn, totalIn, t.name);
    };
    const reports: TensorReport[] = [];
    if (format === 'gguf') await toGguf(src, output, opts, select, step, reports, progress, input);
    else if (format === 'safetensors') await toSafetensors(src, output, opts, select, step, reports, progress, input);
    else await toTfjs(src, output, opts, select, reports, progress, input);
    const { statSync } = await import('node:fs');
    const fileBytesOut = format === 'tfjs' ? tfjsBytes(output) : statSync(output).size;
    return {
      input,
      output,
      inputFormat: src.format,
      outputFormat: format,
      scheme: opts.scheme,
      tensors: reports,
      bytesIn: reports.reduce((s, r) => s + r.bytesIn, 0),
      bytesOut: reports.reduce((s, r) => s + r.bytesOut, 0),
      fileBytesIn: src.format === 'tfjs' ? tfjsBytes(input) : statSync(input).size,
      fileBytesOut,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await src.close();
  }
}

function tfjsBytes(json: string): number {
  // model.json plus its shards.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const fs = require('node:fs') as typeof import('node:fs');
  let n = fs.statSync(json).size;
  try {
    const j = JSON.parse(fs.readFileSync(json, 'utf8'));
    const groups = Array.isArray(j) ? j : j.weightsManifest ?? [];
    for (const g of groups) for (const p of g.paths ?? []) n += fs.statSync(path.join(path.dirname(json), p)).size;
  } catch {
    /* size of the json alone */
  }
  return n;
}

type Progress = (t: TensorInfo) => (n: number) => void;
type Select = (t: TensorInfo) => string | undefined;

async function toGguf(src: TensorFile, output: string, opts: QuantizeFileOptions, select: Select, step: number, reports: TensorReport[], progress: Progress, input: string): Promise<void> {
  const scheme = opts.scheme as GgufScheme;
  const sources: TensorSource[] = [];
  for (const t of src.tensors) {
    const why = select(t);
    const shape = [...t.shape];
    if (why === undefined) {
      const type = ggufTypeFor(scheme, rowLength(t));
      const bytesOut = byteLengthOf(type, t.elements)!;
      // Chunks hold whole blocks (256 divides the step), and ggml blocks never cross rows.
      const encode = type === 'f16' ? (x: Float32Array) => bytesOf(quantkit.toFloat16(x)) : type === 'bf16' ? (x: Float32Array) => bytesOf(quantkit.toBFloat16(x)) : (x: Float32Array) => quantkit.ggml.quantize(x, type as GgmlType);
      sources.push({ name: t.name, type, shape, byteLength: bytesOut, chunks: () => encoded(src, t, step, encode, progress(t)) });
      reports.push({ name: t.name, action: 'quantized', from: t.type, to: type, shape, bytesIn: t.byteLength, bytesOut, note: type === scheme ? undefined : `row length ${rowLength(t)} is not a multiple of ${TYPE_LAYOUT[scheme].blockElements}: ${type}` });
    } else if (GGUF_KEEPS.has(t.type) && !(t.shape.length < 2 && (t.type === 'f16' || t.type === 'bf16'))) {
      sources.push({ name: t.name, type: t.type, shape, byteLength: t.byteLength, chunks: () => passThrough(src, t, step * 4, progress(t)) });
      reports.push({ name: t.name, action: 'kept', from: t.type, to: t.type, shape, bytesIn: t.byteLength, bytesOut: t.byteLength, note: TYPE_LAYOUT[t.type].blockElements > 1 ? 'already ggml blocks' : why });
    } else if (t.type === 'f16' || t.type === 'bf16' || t.type === 'u8' || t.type === 'bool' || t.type === 'u16') {
      // 1-D f16/bf16 tensors become F32 as llama.cpp's converter writes them; u8, bool and u16
      // (which GGUF has no type for) become F32, exactly.
      const bytesOut = t.elements * 4;
      sources.push({ name: t.name, type: 'f32', shape, byteLength: bytesOut, chunks: () => encoded(src, t, step, (x) => bytesOf(x), progress(t)) });
      reports.push({ name: t.name, action: 'converted', from: t.type, to: 'f32', shape, bytesIn: t.byteLength, bytesOut, note: why });
    } else {
      throw new Error(`${input}: tensor ${t.name} is ${t.storedType}, which GGUF has no type for and float32 cannot hold exactly; convert it to another type first`);
    }
  }
  const metadata: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(src.metadata)) {
    if (src.format === 'gguf' && (k === 'general.alignment' || k === 'general.file_type' || k === 'general.quantization_version')) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') metadata[k] = v;
  }
  if (metadata['general.name'] === undefined) metadata['general.name'] = path.basename(input).replace(/\.[^.]+$/, '');
  metadata['general.file_type'] = FILE_TYPE[scheme];
  Object.assign(metadata, opts.metadata ?? {});
  await writeGguf(output, { metadata, tensors: sources, inputs: inputsOf(src, input) });
}

function inputsOf(src: TensorFile, input: string): string[] {
  const m = src.metadata as Record<string, unknown>;
  const shards = Array.isArray(m['tfjs.shards']) ? (m['tfjs.shards'] as string[]) : [];
  return [input, ...shards];
}

async function toSafetensors(src: TensorFile, output: string, opts: QuantizeFileOptions, select: Select, step: number, reports: TensorReport[], progress: Progress, input: string): Promise<void> {
  const spec = AFFINE_FILE_SCHEMES[opts.scheme as AffineFileScheme];
  const record: QuantizationRecord = { version: 1, tensors: {} };
  const sources: TensorSource[] = [];
  const four = spec.dtype === 'int4' || spec.dtype === 'uint4';
  for (const t of src.tensors) {
    let why = select(t);
    const shape = [...t.shape];
    const rows = shape.length === 0 ? 1 : shape[0];
    const k = rows === 0 ? 0 : t.elements / rows;
    if (why === undefined && four && k % 2 !== 0) why = `${k} elements a row is odd: int4 codes pack two a byte per row`;
    if (why !== undefined) {
      if (t.type === 'q8_0' || TYPE_LAYOUT[t.type].blockElements > 1) throw new Error(`${input}: tensor ${t.name} is ${t.storedType} ggml blocks, which safetensors cannot hold: run quantkit dequantize first`);
      sources.push({ name: t.name, type: t.type, shape, byteLength: t.byteLength, chunks: () => passThrough(src, t, step * 4, progress(t)) });
      reports.push({ name: t.name, action: 'kept', from: t.type, to: t.type, shape, bytesIn: t.byteLength, bytesOut: t.byteLength, note: why });
      continue;
    }
    const groups = spec.blockSize ? Math.ceil(k / spec.blockSize) : 1;
    const scale = new Float32Array(rows * groups);
    const zeroPoint = spec.symmetric ? undefined : new Uint8Array(rows * groups);
    const rowsPerChunk = Math.max(1, Math.floor(step / Math.max(1, k)));
    const codeBytes = four ? rows * (k / 2) : rows * k;
    async function* codes(progressOf: (n: number) => void): AsyncGenerator<Uint8Array> {
      const inPerElement = t.byteLength / t.elements;
      try {
        for (let r = 0; r < rows; r += rowsPerChunk) {
          const n = Math.min(rowsPerChunk, rows - r);
          const x = await src.readFloat32(t.name, r * k, n * k);
          const q = quantkit.quantizeDynamic(x, { dtype: spec.dtype, symmetric: spec.symmetric, shape: [n, k], axis: spec.blockSize ? 1 : 0, ...(spec.blockSize ? { blockSize: spec.blockSize } : {}) } as never) as unknown as { data: ArrayBufferView; scale: Float32Array; zeroPoint?: ArrayBufferView };
          scale.set(q.scale, r * groups);
          if (zeroPoint && q.zeroPoint) zeroPoint.set(new Uint8Array(q.zeroPoint.buffer, q.zeroPoint.byteOffset, q.zeroPoint.byteLength), r * groups);
          yield bytesOf(q.data);
          progressOf(x.length * inPerElement);
        }
      } catch (e) {
        throw tagError(src.path, t, e);
      }
    }
    const codeType: ElementType = spec.dtype === 'int8' ? 'i8' : 'u8';
    const codeShape = four ? [rows, k / 2] : shape;
    sources.push({ name: t.name, type: codeType, shape: codeShape, byteLength: codeBytes, chunks: () => codes(progress(t)) });
    const paramShape = spec.blockSize ? [rows, groups] : [rows];
    sources.push({ name: `${t.name}.scale`, type: 'f32', shape: paramShape, byteLength: scale.byteLength, chunks: async function* () { yield bytesOf(scale); } });
    if (zeroPoint) sources.push({ name: `${t.name}.zero_point`, type: 'u8', shape: paramShape, byteLength: zeroPoint.byteLength, chunks: async function* () { yield zeroPoint; } });
    record.tensors[t.name] = { scheme: opts.scheme as AffineFileScheme, dtype: spec.dtype, shape, axis: 0, ...(spec.blockSize ? { blockSize: spec.blockSize } : {}), symmetric: spec.symmetric, from: t.type };
    reports.push({ name: t.name, action: 'quantized', from: t.type, to: spec.blockSize ? `${spec.dtype} block ${spec.blockSize}` : `${spec.dtype} per-channel`, shape, bytesIn: t.byteLength, bytesOut: codeBytes + scale.byteLength + (zeroPoint?.byteLength ?? 0) });
  }
  for (const t of src.tensors) {
    for (const suffix of ['.scale', '.zero_point']) {
      if (record.tensors[t.name] && src.tensors.some((u) => u.name === t.name + suffix)) throw new Error(`${input}: tensor ${t.name} would be quantized next to its ${t.name}${suffix}, a name the file already uses`);
    }
  }
  const metadata: Record<string, string> = {};
  for (const [key, v] of Object.entries(src.metadata)) if (typeof v === 'string') metadata[key] = v;
  for (const [key, v] of Object.entries(opts.metadata ?? {})) metadata[key] = String(v);
  metadata[METADATA_KEY] = JSON.stringify(record);
  await writeSafetensors(output, sources, { metadata, inputs: inputsOf(src, input) });
}

async function toTfjs(src: TensorFile, output: string, opts: QuantizeFileOptions, select: Select, reports: TensorReport[], progress: Progress, input: string): Promise<void> {
  void src; void output; void opts; void select; void reports; void progress; void input;
  throw new Error('tfjs output: wired after the tfjs writer lands');
}
