// quantizeFile(): one model file to a quantized one (README "Files and the command"):
//   safetensors / NumPy / GGUF / tfjs → GGUF with ggml block types (q8_0 … q6_k) or f16 / bf16;
//   any of them → safetensors with int8 / int4 codes plus scale and zero-point tensors (layout.ts);
//   any of them → tfjs with the weight quantization of tfjs-converter (uint8, uint16, float16).
// Tensors stream through in chunks (chunks.ts): memory stays at a few chunks whatever the
// file's size. The output is written atomically (file.ts): an error leaves no partial file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import quantkit from '../../index';
import type { GgmlType } from '../../ggml';
import { openTensorFile } from '../open';
import { writeGguf } from '../gguf';
import { writeSafetensors } from '../safetensors';
import { writeTfjs } from '../tfjs';
import { byteLengthOf, TYPE_LAYOUT } from '../decode';
import type { ElementType, ProgressCallback, TensorFile, TensorInfo, TensorSource } from '../types';
import type { TfjsFile } from '../tfjs';
import type { GgufFile, GgufMetadataEntry } from '../gguf';
import { byteChunks, bytesOf, DEFAULT_CHUNK_ELEMENTS, floatChunks } from './chunks';
import { AFFINE_FILE_SCHEMES, GGUF_KV_KEY, ggufKvFromText, ggufKvToText, METADATA_KEY, type AffineFileScheme, type QuantizationRecord } from './layout';
import { isFloatTensor, storedAsValues, tensorSelector, type SelectOptions } from './select';
import { checkFunction, checkGlobs, checkMetadata, checkOptionsObject } from './options';
import { describe } from '../../core/validate';

export type GgufScheme = 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q4_k' | 'q5_k' | 'q6_k' | 'f16' | 'bf16';
export type TfjsScheme = 'uint8' | 'uint16' | 'float16';
export type OutputFormat = 'gguf' | 'safetensors' | 'tfjs';

export const SCHEMES: Readonly<Record<OutputFormat, readonly string[]>> = Object.freeze({
  gguf: Object.freeze(['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k', 'f16', 'bf16']),
  safetensors: Object.freeze([...Object.keys(AFFINE_FILE_SCHEMES), 'f16', 'bf16']),
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
  const ext = path.extname(String(out)).toLowerCase();
  const named: OutputFormat | undefined = ext === '.gguf' ? 'gguf' : ext === '.safetensors' ? 'safetensors' : ext === '.json' ? 'tfjs' : undefined;
  if (to !== undefined) {
    if (to !== 'gguf' && to !== 'safetensors' && to !== 'tfjs') throw new RangeError(`Expected 'gguf', 'safetensors' or 'tfjs' for to but received ${JSON.stringify(to)}`);
    if (named !== undefined && named !== to) throw new Error(`${out} is named as ${named} but --to says ${to}: rename the output or drop --to`);
    return to;
  }
  if (named !== undefined) return named;
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

// Keys the output's layout decides (GGUF's type, version and alignment; quantkit's record).
const RESERVED_KEYS: ReadonlySet<string> = new Set(['general.file_type', 'general.quantization_version', 'general.alignment', METADATA_KEY, GGUF_KV_KEY]);

const OPTION_KEYS = ['scheme', 'to', 'include', 'exclude', 'quantize1d', 'metadata', 'onProgress', 'chunkElements'];
// The names compare() uses for f16 / bf16, accepted for GGUF too.
const SCHEME_ALIASES: Readonly<Record<string, string>> = { float16: 'f16', bfloat16: 'bf16' };

function checkOptions(o: unknown): QuantizeFileOptions {
  if (o === undefined) throw new TypeError('Expected an options object with a scheme but received undefined');
  const opts = checkOptionsObject(o, OPTION_KEYS, 'options') as unknown as QuantizeFileOptions;
  if (typeof opts.scheme !== 'string') throw new TypeError(`Expected a scheme name (string) for options.scheme but received ${describe(opts.scheme)}`);
  if (opts.chunkElements !== undefined && (!Number.isSafeInteger(opts.chunkElements) || opts.chunkElements < 256 || opts.chunkElements % 256 !== 0)) {
    throw new RangeError(`Expected a multiple of 256 of at least 256 for options.chunkElements but received ${describe(opts.chunkElements)}`);
  }
  checkMetadata(opts.metadata, 'options.metadata');
  for (const key of Object.keys(opts.metadata ?? {})) {
    if (RESERVED_KEYS.has(key)) throw new Error(`options.metadata cannot set '${key}': quantkit writes it from the scheme and the file's layout`);
  }
  checkFunction(opts.onProgress, 'options.onProgress');
  checkGlobs(opts.include, 'options.include');
  checkGlobs(opts.exclude, 'options.exclude');
  if (opts.quantize1d !== undefined && typeof opts.quantize1d !== 'boolean') throw new TypeError(`Expected a boolean for options.quantize1d but received ${describe(opts.quantize1d)}`);
  return opts;
}

/**
 * A source quantkit has already quantized cannot be quantized again without losing what it
 * holds: its codes would be read as weights. Refused, with the way out.
 */
function checkNotQuantized(src: TensorFile): void {
  if (src.metadata[METADATA_KEY] !== undefined) {
    throw new Error(`${src.path}: already quantized by quantkit (its __metadata__ has "${METADATA_KEY}"): run quantkit dequantize on it first, or quantize the float original`);
  }
  const blocks = src.tensors.filter((t) => TYPE_LAYOUT[t.type].blockElements > 1 && (t as { decodable?: boolean }).decodable !== false);
  const opaque = src.tensors.filter((t) => (t as { decodable?: boolean }).decodable === false);
  if (blocks.length > 0 || opaque.length > 0) {
    const first = blocks[0] ?? opaque[0]!;
    throw new Error(`${src.path}: already quantized (${blocks.length + opaque.length} tensors in ggml blocks, e.g. ${first.name} ${first.storedType}): run quantkit dequantize on it first, or quantize the float original`);
  }
}

/** @throws Error when include/exclude leave no tensor to quantize (a glob that matches nothing is a mistake). */
function checkSelection(src: TensorFile, select: Select, opts: QuantizeFileOptions): void {
  if (opts.include === undefined && opts.exclude === undefined) return;
  if (src.tensors.some((t) => select(t) === undefined)) return;
  const names = src.tensors.slice(0, 3).map((t) => t.name).join(', ');
  const flags = [opts.include !== undefined ? `--include ${JSON.stringify(opts.include)}` : '', opts.exclude !== undefined ? `--exclude ${JSON.stringify(opts.exclude)}` : ''].filter(Boolean).join(' and ');
  const verb = opts.include !== undefined && opts.exclude !== undefined ? 'leave' : 'leaves';
  throw new Error(`${src.path}: ${flags} ${verb} no float tensor of rank ≥ 2 to quantize (its ${src.tensors.length} tensors are named like ${names})`);
}

/** @throws RangeError naming the tensor and element when x holds NaN or ±Inf (no scheme quantizes them). */
function checkFinite(x: Float32Array, start: number): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new RangeError(`element ${start + i} is ${x[i]}: no scheme quantizes NaN or ±Inf (exclude the tensor with --exclude, or fix the file)`);
  }
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
  const checked = checkOptions(options);
  const format = outputFormatOf(output, checked.to);
  const lower = checked.scheme.toLowerCase();
  const opts = { ...checked, scheme: format === 'tfjs' ? lower : SCHEME_ALIASES[lower] ?? lower };
  if (!SCHEMES[format].includes(opts.scheme)) {
    throw new RangeError(`Expected a ${format} scheme (${SCHEMES[format].join(', ')}) for scheme but received ${JSON.stringify(opts.scheme)}`);
  }
  const select = tensorSelector(opts);
  const step = opts.chunkElements ?? DEFAULT_CHUNK_ELEMENTS;
  const src = await openTensorFile(input);
  try {
    checkNotQuantized(src);
    checkSelection(src, select, opts);
    const totalIn = src.tensors.reduce((s, t) => s + t.byteLength, 0);
    let doneIn = 0;
    const progress = (t: TensorInfo) => (n: number) => {
      doneIn += n;
      opts.onProgress?.(doneIn, totalIn, t.name);
    };
    const reports: TensorReport[] = [];
    if (format === 'gguf') await toGguf(src, output, opts, select, step, reports, progress, input);
    else if (format === 'safetensors') await toSafetensors(src, output, opts, select, step, reports, progress, input);
    const tfjsOut = format === 'tfjs' ? await toTfjs(src, output, opts, select, step, reports, progress, input) : undefined;
    const fileBytesOut = tfjsOut ?? fs.statSync(output).size;
    return {
      input,
      output,
      inputFormat: src.format,
      outputFormat: format,
      scheme: opts.scheme,
      tensors: reports,
      bytesIn: reports.reduce((s, r) => s + r.bytesIn, 0),
      bytesOut: reports.reduce((s, r) => s + r.bytesOut, 0),
      fileBytesIn: src.format === 'tfjs' ? fs.statSync(input).size + (src as TfjsFile).tfjs.shards.flat().reduce((n, p) => n + fs.statSync(p).size, 0) : fs.statSync(input).size,
      fileBytesOut,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await src.close();
  }
}

type Progress = (t: TensorInfo) => (n: number) => void;
type Select = (t: TensorInfo) => string | undefined;

/**
 * Output buffers for one conversion, made on first use and shared by all its tensors (a fresh
 * set per tensor left hundreds of MB of garbage behind on a many-tensor file). Sized for a
 * chunk of `step` elements in the widest encoding: Q8_0's 34 bytes per 32 values.
 */
function scratchFor(step: number) {
  let h: Uint16Array | undefined;
  let b: Uint8Array | undefined;
  let f: Float32Array | undefined;
  return {
    halves: () => (h ??= new Uint16Array(step)),
    blocks: () => (b ??= new Uint8Array(Math.ceil(step / 32) * 34)),
    floats: () => (f ??= new Float32Array(step)),
  };
}

async function toGguf(src: TensorFile, output: string, opts: QuantizeFileOptions, select: Select, step: number, reports: TensorReport[], progress: Progress, input: string): Promise<void> {
  const scratch = scratchFor(step);
  const scheme = opts.scheme as GgufScheme;
  const sources: TensorSource[] = [];
  for (const t of src.tensors) {
    const why = select(t);
    const shape = [...t.shape];
    if (why === undefined) {
      const type = ggufTypeFor(scheme, rowLength(t));
      const bytesOut = byteLengthOf(type, t.elements)!;
      // Chunks hold whole blocks (256 divides the step), and ggml blocks never cross rows.
      // One output buffer per tensor, reused chunk after chunk: the writer has written a
      // chunk before it asks for the next.
      // Output buffers shared by every tensor of the file (scratch, below): tensors are written
      // one after another, and a chunk is written before the next is made.
      // ggml stores each block's scale (and min) as float16: a block whose scale or min passes
      // 65504 decodes to ±Inf, in llama.cpp too. Refused, naming the element, instead of
      // written: every chunk's blocks are decoded once and checked.
      const overflow = (y: Float32Array, x: Float32Array, start: number) => {
        for (let i = 0; i < y.length; i++) {
          if (!Number.isFinite(y[i]!)) throw new RangeError(`element ${start + i} (${x[i]}) becomes ${y[i]} in ${type}: its block's float16 scale or min passes 65504; keep the tensor float (--exclude) or pick a type without that limit (bf16, or another file format)`);
        }
      };
      const encode = type === 'f16' || type === 'bf16'
        ? (x: Float32Array, start: number) => {
            checkFinite(x, start);
            const h = scratch.halves().subarray(0, x.length);
            if (type === 'f16') {
              quantkit.toFloat16(x, h);
              for (let i = 0; i < h.length; i++) if ((h[i]! & 0x7c00) === 0x7c00) overflow(quantkit.fromFloat16(h.subarray(i, i + 1)), x.subarray(i, i + 1), start + i);
              return bytesOf(h);
            }
            return bytesOf(quantkit.toBFloat16(x, h));
          }
        : (x: Float32Array, start: number) => {
            checkFinite(x, start);
            const blocks = quantkit.ggml.quantize(x, type as GgmlType, scratch.blocks().subarray(0, byteLengthOf(type, x.length)!));
            overflow(quantkit.ggml.dequantize(blocks, type as GgmlType, x.length, scratch.floats().subarray(0, x.length)), x, start);
            return blocks;
          };
      sources.push({ name: t.name, type, shape, byteLength: bytesOut, chunks: () => encoded(src, t, step, encode, progress(t)) });
      reports.push({ name: t.name, action: 'quantized', from: t.type, to: type, shape, bytesIn: t.byteLength, bytesOut, note: type === scheme ? undefined : `rows of ${rowLength(t)} values are not whole ${TYPE_LAYOUT[scheme].blockElements}-value ${scheme} blocks: stored as ${type}` });
    } else if (GGUF_KEEPS.has(t.type) && storedAsValues(t) && !(t.shape.length < 2 && (t.type === 'f16' || t.type === 'bf16'))) {
      sources.push({ name: t.name, type: t.type, shape, byteLength: t.byteLength, chunks: () => passThrough(src, t, step * 4, progress(t)) });
      reports.push({ name: t.name, action: 'kept', from: t.type, to: t.type, shape, bytesIn: t.byteLength, bytesOut: t.byteLength, note: TYPE_LAYOUT[t.type].blockElements > 1 ? 'already ggml blocks' : why });
    } else if ((t as { dtype?: unknown }).dtype === 'int32' || t.type === 'u32' || t.type === 'u64') {
      // tfjs int32 weights stored quantized become I32, the values tfjs decodes; u32 and u64
      // (GGUF has no unsigned tensor types) become I64, u64 only while every value fits.
      const s = t.type === 'u32' || t.type === 'u64' ? widenToI64(src, t, step, progress(t)) : valuesSource(src, t, step, progress(t));
      sources.push(s);
      reports.push({ name: t.name, action: 'converted', from: t.storedType, to: s.type, shape, bytesIn: t.byteLength, bytesOut: s.byteLength, note: why });
    } else if (t.type === 'f16' || t.type === 'bf16' || t.type === 'u8' || t.type === 'bool' || t.type === 'u16' || !storedAsValues(t)) {
      // 1-D f16/bf16 tensors become F32 as llama.cpp's converter writes them; u8, bool and u16
      // (which GGUF has no type for) become F32, exactly; tfjs weight-quantized tensors become
      // the F32 values tfjs decodes.
      const bytesOut = t.elements * 4;
      sources.push({ name: t.name, type: 'f32', shape, byteLength: bytesOut, chunks: () => encoded(src, t, step, (x) => bytesOf(x), progress(t)) });
      reports.push({ name: t.name, action: 'converted', from: t.type, to: 'f32', shape, bytesIn: t.byteLength, bytesOut, note: why });
    } else {
      throw new Error(`${input}: tensor ${t.name} is ${t.type} (${t.storedType}), which GGUF has no tensor type for`);
    }
  }
  // The source's metadata, then ours: a GGUF source's key-values keep their types (minus the
  // keys this file's layout decides); safetensors' and NumPy's string metadata is copied as
  // strings; tfjs' model.json fields are not GGUF metadata and are left out.
  const entries = new Map<string, GgufMetadataEntry>();
  const skip = new Set(['general.alignment', 'general.file_type', 'general.quantization_version']);
  if (src.format === 'gguf') {
    for (const [key, kv] of (src as GgufFile).gguf.kv) if (!skip.has(key)) entries.set(key, { key, type: kv.type, value: kv.value });
  } else if (src.format !== 'tfjs') {
    // A safetensors file made from a GGUF file carries the GGUF key-values with their types.
    const typed = typeof src.metadata[GGUF_KV_KEY] === 'string' ? ggufKvFromText(src.metadata[GGUF_KV_KEY] as string, src.path) : [];
    for (const e of typed) if (!skip.has(e.key)) entries.set(e.key, e as GgufMetadataEntry);
    for (const [key, v] of Object.entries(src.metadata)) if (typeof v === 'string' && !skip.has(key) && key !== GGUF_KV_KEY && key !== METADATA_KEY && !entries.has(key)) entries.set(key, { key, value: v });
  }
  if (!entries.has('general.name')) entries.set('general.name', { key: 'general.name', value: path.basename(input).replace(/\.[^.]+$/, '') });
  entries.set('general.file_type', { key: 'general.file_type', type: 'u32', value: FILE_TYPE[scheme] });
  // As llama.cpp writes it into every quantized file (even one whose tensors all fell back to F16).
  entries.set('general.quantization_version', { key: 'general.quantization_version', type: 'u32', value: 2 });
  for (const [key, value] of Object.entries(opts.metadata ?? {})) entries.set(key, { key, value });
  const metadata = [...entries.values()];
  await writeGguf(output, { metadata, tensors: sources, inputs: inputsOf(src, input) });
}

/** u32 / u64 tensors as I64 (GGUF has no unsigned tensor types); a u64 value past 2^63 − 1 is an error naming it. */
function widenToI64(src: TensorFile, t: TensorInfo, step: number, progress: (n: number) => void): TensorSource {
  const from = t.type === 'u32' ? 4 : 8;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let index = 0;
    try {
      for await (const b of byteChunks(src, t, step * from)) {
        const n = b.length / from;
        const out = new BigInt64Array(n);
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        for (let i = 0; i < n; i++) {
          const v = from === 4 ? BigInt(dv.getUint32(i * 4, true)) : dv.getBigUint64(i * 8, true);
          if (v > 0x7fffffffffffffffn) throw new RangeError(`element ${index + i} is ${v}, past I64's largest value (GGUF has no u64 tensors)`);
          out[i] = v;
        }
        index += n;
        yield bytesOf(out);
        progress(b.length);
      }
    } catch (e) {
      throw tagError(src.path, t, e);
    }
  }
  return { name: t.name, type: 'i64', shape: [...t.shape], byteLength: t.elements * 8, chunks };
}

function inputsOf(src: TensorFile, input: string): string[] {
  const shards = src.format === 'tfjs' ? (src as TfjsFile).tfjs.shards.flat() : [];
  return [input, ...shards];
}

/**
 * A tensor's values as they decode: float32 for float tensors (and tfjs float32 weights stored
 * quantized), int32 for tfjs int32 weights stored quantized, the stored bytes otherwise.
 */
export function valuesSource(src: TensorFile, t: TensorInfo, step: number, progress: (n: number) => void): TensorSource {
  const shape = [...t.shape];
  if (storedAsValues(t) && TYPE_LAYOUT[t.type].blockElements === 1) {
    return { name: t.name, type: t.type, shape, byteLength: t.byteLength, chunks: () => passThrough(src, t, step * 4, progress) };
  }
  const asInt = (t as { dtype?: unknown }).dtype === 'int32';
  const encode = asInt ? (x: Float32Array) => bytesOf(Int32Array.from(x)) : (x: Float32Array) => bytesOf(x);
  return { name: t.name, type: asInt ? 'i32' : 'f32', shape, byteLength: t.elements * 4, chunks: () => encoded(src, t, step, encode, progress) };
}

async function toSafetensors(src: TensorFile, output: string, opts: QuantizeFileOptions, select: Select, step: number, reports: TensorReport[], progress: Progress, input: string): Promise<void> {
  if (opts.scheme === 'f16' || opts.scheme === 'bf16') return toSafetensorsHalf(src, output, opts, select, step, reports, progress, input);
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
      if (TYPE_LAYOUT[t.type].blockElements > 1) throw new Error(`${input}: tensor ${t.name} is ${t.storedType} ggml blocks, which safetensors cannot hold: run quantkit dequantize first`);
      if (!storedAsValues(t)) {
        sources.push(valuesSource(src, t, step, progress(t)));
        reports.push({ name: t.name, action: 'converted', from: t.storedType, to: sources[sources.length - 1].type, shape, bytesIn: t.byteLength, bytesOut: sources[sources.length - 1].byteLength, note: why });
        continue;
      }
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
          checkFinite(x, r * k);
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
    if (zeroPoint) sources.push({ name: `${t.name}.zero_point`, type: spec.dtype === 'int8' || spec.dtype === 'int4' ? 'i8' : 'u8', shape: paramShape, byteLength: zeroPoint.byteLength, chunks: async function* () { yield zeroPoint; } });
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
  if (src.format === 'gguf') metadata[GGUF_KV_KEY] = ggufKvToText((src as GgufFile).gguf.kv);
  for (const [key, v] of Object.entries(opts.metadata ?? {})) metadata[key] = String(v);
  metadata[METADATA_KEY] = JSON.stringify(record);
  await writeSafetensors(output, sources, { metadata, inputs: inputsOf(src, input) });
}

/** safetensors → safetensors with the selected float tensors cast to F16 / BF16 (round to nearest even; F16 refuses values past 65504). */
async function toSafetensorsHalf(src: TensorFile, output: string, opts: QuantizeFileOptions, select: Select, step: number, reports: TensorReport[], progress: Progress, input: string): Promise<void> {
  const type = opts.scheme as 'f16' | 'bf16';
  const scratch = scratchFor(step);
  const sources: TensorSource[] = [];
  for (const t of src.tensors) {
    const why = select(t);
    if (why !== undefined) {
      if (TYPE_LAYOUT[t.type].blockElements > 1) throw new Error(`${input}: tensor ${t.name} is ${t.storedType} ggml blocks, which safetensors cannot hold: run quantkit dequantize first`);
      const s = valuesSource(src, t, step, progress(t));
      sources.push(s);
      reports.push({ name: t.name, action: s.type === t.type && storedAsValues(t) ? 'kept' : 'converted', from: t.storedType, to: s.type, shape: [...t.shape], bytesIn: t.byteLength, bytesOut: s.byteLength, note: why });
      continue;
    }
    const encode = (x: Float32Array, start: number) => {
      checkFinite(x, start);
      const out = scratch.halves().subarray(0, x.length);
      if (type === 'bf16') return bytesOf(quantkit.toBFloat16(x, out));
      quantkit.toFloat16(x, out);
      for (let i = 0; i < out.length; i++) if ((out[i]! & 0x7c00) === 0x7c00) throw new RangeError(`element ${start + i} (${x[i]}) is past float16's largest value 65504: use bf16`);
      return bytesOf(out);
    };
    sources.push({ name: t.name, type, shape: [...t.shape], byteLength: t.elements * 2, chunks: () => encoded(src, t, step, encode, progress(t)) });
    reports.push({ name: t.name, action: 'quantized', from: t.storedType, to: type, shape: [...t.shape], bytesIn: t.byteLength, bytesOut: t.elements * 2 });
  }
  const metadata: Record<string, string> = {};
  for (const [key, v] of Object.entries(src.metadata)) if (typeof v === 'string') metadata[key] = v;
  if (src.format === 'gguf') metadata[GGUF_KV_KEY] = ggufKvToText((src as GgufFile).gguf.kv);
  for (const [key, v] of Object.entries(opts.metadata ?? {})) metadata[key] = String(v);
  await writeSafetensors(output, sources, { metadata, inputs: inputsOf(src, input) });
}

async function toTfjs(src: TensorFile, output: string, opts: QuantizeFileOptions, select: Select, step: number, reports: TensorReport[], progress: Progress, input: string): Promise<number> {
  const scheme = opts.scheme as TfjsScheme;
  const sources: TensorSource[] = [];
  const chosen = new Set<string>();
  for (const t of src.tensors) {
    const why = select(t);
    if (TYPE_LAYOUT[t.type].blockElements > 1 && why !== undefined) throw new Error(`${input}: tensor ${t.name} is ${t.storedType} ggml blocks; quantize it (drop --exclude/--include for it) or run quantkit dequantize first`);
    const s = why === undefined || isFloatTensor(t) ? floatSource(src, t, step, progress(t)) : valuesSource(src, t, step, progress(t));
    sources.push(s);
    if (why === undefined) chosen.add(t.name);
    reports.push({ name: t.name, action: why === undefined ? 'quantized' : s.type === t.type && storedAsValues(t) ? 'kept' : 'converted', from: t.storedType, to: why === undefined ? scheme : s.type, shape: [...t.shape], bytesIn: t.byteLength, bytesOut: why === undefined ? t.elements * (scheme === 'uint8' ? 1 : 2) : s.byteLength, note: why });
  }
  const m = src.format === 'tfjs' ? (src.metadata as Record<string, unknown>) : {};
  if (m.modelTopology === undefined && path.basename(output) === 'model.json') {
    throw new Error(`${input} has no tfjs model topology, so ${output} would be a bare weights manifest, which tf.loadLayersModel / tf.loadGraphModel cannot load as a model.json: name it like weights_manifest.json`);
  }
  const r = await writeTfjs(output, {
    tensors: sources,
    quantize: (s: TensorSource) => (chosen.has(s.name) ? scheme : undefined),
    ...(m.modelTopology !== undefined ? { modelTopology: m.modelTopology } : {}),
    ...(typeof m.format === 'string' ? { format: m.format } : {}),
    ...(typeof m.generatedBy === 'string' ? { generatedBy: m.generatedBy } : {}),
    ...(m.signature !== undefined ? { signature: m.signature } : {}),
    ...(m.userDefinedMetadata !== undefined ? { userDefinedMetadata: m.userDefinedMetadata } : {}),
    convertedBy: `quantkit ${quantkit.backend.version}`,
    inputs: inputsOf(src, input),
  });
  return fs.statSync(r.json).size + r.weightBytes;
}

function floatSource(src: TensorFile, t: TensorInfo, step: number, progress: (n: number) => void): TensorSource {
  const b = TYPE_LAYOUT[t.type].blockElements;
  const chunk = Math.max(b, step - (step % b));
  return { name: t.name, type: 'f32', shape: [...t.shape], byteLength: t.elements * 4, chunks: () => encoded(src, t, chunk, (x) => bytesOf(x), progress) };
}
