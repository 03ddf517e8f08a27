// dequantizeFile(): any file quantkit reads back to float32 or float16 safetensors (README
// "Files and the command"): ggml blocks dequantized as ggml does, tfjs weight quantization
// decoded as tfjs does, quantkit's int8/int4 safetensors layout (layout.ts) through
// dequantize() with its scales and zero points; integer tensors are kept as they are.
import quantkit from '../../index';
import { openTensorFile } from '../open';
import { writeSafetensors } from '../safetensors';
import type { ProgressCallback, TensorFile, TensorInfo, TensorSource } from '../types';
import { TYPE_LAYOUT } from '../decode';
import { bytesOf, DEFAULT_CHUNK_ELEMENTS, floatChunks } from './chunks';
import { GGUF_KV_KEY, ggufKvToText, METADATA_KEY, type QuantizationRecord, type QuantizedTensorRecord } from './layout';
import type { GgufFile } from '../gguf';
import { isFloatTensor, isFloatType } from './select';
import { checkFunction, checkOptionsObject } from './options';
import { valuesSource } from './quantize-file';
import type { TensorReport } from './quantize-file';

export interface DequantizeFileOptions {
  /** Float type of the output: 'f32' (default) or 'f16'. */
  dtype?: 'f32' | 'f16';
  onProgress?: ProgressCallback;
  /** Elements decoded at a time (default 4 Mi). */
  chunkElements?: number;
}

export interface DequantizeFileResult {
  input: string;
  output: string;
  inputFormat: string;
  tensors: TensorReport[];
  seconds: number;
}

const INTS = new Set(['i64', 'i32', 'i16', 'i8', 'u64', 'u32', 'u16', 'u8', 'bool']);

function quantizationRecord(src: TensorFile): QuantizationRecord | undefined {
  const raw = src.metadata[METADATA_KEY];
  if (raw === undefined) return undefined;
  let rec: QuantizationRecord;
  try {
    rec = JSON.parse(String(raw));
  } catch (e) {
    throw new Error(`${src.path}: __metadata__["${METADATA_KEY}"] is not JSON: ${(e as Error).message}`);
  }
  if (rec === null || typeof rec !== 'object' || rec.version !== 1 || rec.tensors === null || typeof rec.tensors !== 'object') {
    throw new Error(`${src.path}: __metadata__["${METADATA_KEY}"] is not a version 1 quantkit record`);
  }
  return rec;
}

/**
 * Writes the floats `input` holds to the safetensors file `output`.
 * @throws Error naming the file and tensor for unreadable input or a quantkit record that does
 *   not match the tensors; Error when output is the input.
 */
export async function dequantizeFile(input: string, output: string, opts: DequantizeFileOptions = {}): Promise<DequantizeFileResult> {
  const t0 = performance.now();
  checkOptionsObject(opts, ['dtype', 'onProgress', 'chunkElements'], 'options');
  const dtype = opts.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16') throw new RangeError(`Expected 'f32' or 'f16' for dtype but received ${JSON.stringify(dtype)}`);
  checkFunction(opts.onProgress, 'options.onProgress');
  if (opts.chunkElements !== undefined && (!Number.isSafeInteger(opts.chunkElements) || opts.chunkElements < 256 || opts.chunkElements % 256 !== 0)) {
    throw new RangeError(`Expected a multiple of 256 of at least 256 for options.chunkElements but received ${String(opts.chunkElements)}`);
  }
  if (typeof output !== 'string' || !output.toLowerCase().endsWith('.safetensors')) {
    throw new Error(`dequantize writes safetensors: name the output .safetensors (received ${JSON.stringify(output)})`);
  }
  const step = opts.chunkElements ?? DEFAULT_CHUNK_ELEMENTS;
  const src = await openTensorFile(input);
  try {
    const rec = src.format === 'safetensors' ? quantizationRecord(src) : undefined;
    const side = new Set<string>();
    if (rec) for (const name of Object.keys(rec.tensors)) side.add(`${name}.scale`).add(`${name}.zero_point`);
    const totalIn = src.tensors.reduce((s, t) => s + t.byteLength, 0);
    let doneIn = 0;
    const progress = (t: TensorInfo, n: number) => {
      doneIn += n;
      opts.onProgress?.(doneIn, totalIn, t.name);
    };
    const encode = (x: Float32Array) => (dtype === 'f16' ? bytesOf(quantkit.toFloat16(x)) : bytesOf(x));
    const sources: TensorSource[] = [];
    const reports: TensorReport[] = [];
    for (const t of src.tensors) {
      if (side.has(t.name)) continue;
      const r = rec?.tensors[t.name];
      const shape = r ? [...r.shape] : [...t.shape];
      if (r) {
        const elements = shape.reduce((a, b) => a * b, 1);
        sources.push({ name: t.name, type: dtype, shape, byteLength: elements * (dtype === 'f16' ? 2 : 4), chunks: () => affineChunks(src, t, r, step, encode, (n) => progress(t, n)) });
        reports.push({ name: t.name, action: 'converted', from: `${r.dtype}${r.blockSize ? ` block ${r.blockSize}` : ' per-channel'}`, to: dtype, shape, bytesIn: t.byteLength, bytesOut: elements * (dtype === 'f16' ? 2 : 4) });
      } else if (INTS.has(t.type) && !isFloatTensor(t)) {
        const s = valuesSource(src, t, step, (n) => progress(t, n));
        sources.push(s);
        reports.push({ name: t.name, action: s.type === t.type ? 'kept' : 'converted', from: t.storedType, to: s.type, shape, bytesIn: t.byteLength, bytesOut: s.byteLength, note: 'integer tensor' });
      } else {
        const bytesOut = t.elements * (dtype === 'f16' ? 2 : 4);
        const block = TYPE_LAYOUT[t.type].blockElements;
        const chunkElements = Math.max(block, step - (step % block));
        sources.push({ name: t.name, type: dtype, shape, byteLength: bytesOut, chunks: () => tagged(src, t, floatChunks(src, t, chunkElements), (c) => encode(c.x), (c) => progress(t, (c.x.length * t.byteLength) / t.elements)) });
        reports.push({ name: t.name, action: isFloatType(t.type) && t.type === dtype ? 'kept' : 'converted', from: t.storedType, to: dtype, shape, bytesIn: t.byteLength, bytesOut });
      }
    }
    // safetensors metadata is string → string: other values (GGUF's numbers, booleans, arrays,
    // 64-bit integers; tfjs' topology) are kept as their JSON text.
    const metadata: Record<string, string> = {};
    // A GGUF source's key-values also go under GGUF_KV_KEY with their types, so that
    // quantizing this file back to GGUF restores them as they were.
    if (src.format === 'gguf') metadata[GGUF_KV_KEY] = ggufKvToText((src as GgufFile).gguf.kv);
    for (const [k, v] of Object.entries(src.metadata)) {
      if (k === METADATA_KEY || v === undefined || metadata[k] !== undefined) continue;
      metadata[k] = typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : JSON.stringify(v, (_key, x) => (typeof x === 'bigint' ? x.toString() : x));
    }
    await writeSafetensors(output, sources, { metadata, inputs: [input] });
    return { input, output, inputFormat: src.format, tensors: reports, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await src.close();
  }
}

async function* tagged<C>(src: TensorFile, t: TensorInfo, it: AsyncIterable<C>, map: (c: C) => Uint8Array, after: (c: C) => void): AsyncGenerator<Uint8Array> {
  try {
    for await (const c of it) {
      yield map(c);
      after(c);
    }
  } catch (e) {
    throw new Error(`${src.path}: tensor ${t.name}: ${(e as Error).message}`);
  }
}

async function* affineChunks(src: TensorFile, t: TensorInfo, r: QuantizedTensorRecord, step: number, encode: (x: Float32Array) => Uint8Array, progress: (n: number) => void): AsyncGenerator<Uint8Array> {
  const where = `${src.path}: tensor ${t.name}`;
  const rows = r.shape.length === 0 ? 1 : r.shape[0];
  const elements = r.shape.reduce((a, b) => a * b, 1);
  const k = rows === 0 ? 0 : elements / rows;
  const four = r.dtype === 'int4' || r.dtype === 'uint4';
  const rowBytes = four ? k / 2 : k;
  const groups = r.blockSize ? Math.ceil(k / r.blockSize) : 1;
  if (t.byteLength !== rows * rowBytes) throw new Error(`${where}: holds ${t.byteLength} bytes but its record (${r.dtype}, shape [${r.shape.join(', ')}]) needs ${rows * rowBytes}`);
  const scaleInfo = src.tensors.find((u) => u.name === `${t.name}.scale`);
  if (!scaleInfo || scaleInfo.type !== 'f32' || scaleInfo.elements !== rows * groups) throw new Error(`${where}: ${t.name}.scale is missing or is not ${rows * groups} float32 values`);
  const scale = await src.readFloat32(scaleInfo.name);
  const zpInfo = r.symmetric ? undefined : src.tensors.find((u) => u.name === `${t.name}.zero_point`);
  if (!r.symmetric && (!zpInfo || zpInfo.elements !== rows * groups || zpInfo.byteLength !== rows * groups)) throw new Error(`${where}: ${t.name}.zero_point is missing or is not ${rows * groups} one-byte values`);
  const zpBytes = zpInfo ? await src.readBytes(zpInfo.name) : undefined;
  const rowsPerChunk = Math.max(1, Math.floor(step / Math.max(1, k)));
  try {
    for (let row = 0; row < rows; row += rowsPerChunk) {
      const n = Math.min(rowsPerChunk, rows - row);
      const codes = await src.readBytes(t.name, row * rowBytes, n * rowBytes);
      const q = r.dtype === 'int8' ? new Int8Array(codes.buffer, codes.byteOffset, codes.length) : codes;
      const zs = zpBytes?.subarray(row * groups, (row + n) * groups);
      const params = {
        dtype: r.dtype,
        axis: r.blockSize ? 1 : 0,
        shape: [n, k],
        ...(r.blockSize ? { blockSize: r.blockSize } : {}),
        scale: scale.subarray(row * groups, (row + n) * groups),
        ...(zs ? { zeroPoint: r.dtype === 'int8' || r.dtype === 'int4' ? new Int8Array(zs.buffer, zs.byteOffset, zs.length) : zs } : {}),
      };
      const x = quantkit.dequantize(q as never, params as never, new Float32Array(n * k) as never) as unknown as Float32Array;
      yield encode(x);
      progress(codes.length);
    }
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}
