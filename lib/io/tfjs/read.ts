// tfjs reader: a model.json (`weightsManifest` + optional `modelTopology`, `format`,
// `generatedBy`, `convertedBy`, …) or a bare weights manifest (an array of groups, as
// tfjs-converter's weights_manifest.json and @vladmandic/face-api's *-weights_manifest.json).
//
// Layout (tfjs-core src/io/types.ts WeightsManifestConfig; io_utils.ts decodeWeights): each group
// lists `paths` (shard files, relative to the json) and `weights`; a group's shards are one byte
// stream, concatenated in order, and its weights lie back to back in that stream in list order.
// A weight stores elements × (4 for float32/int32, 1 for bool) bytes, or with `quantization`
// elements × (1 for uint8, 2 for uint16 and float16).
// Decoding is tfjs's, bit for bit (io_utils.ts decodeWeight):
//   uint8/uint16, dtype float32:  value = float32(q * scale + min), in float64 arithmetic
//   uint8/uint16, dtype int32:    value = int32(Math.round(q * scale + min))
//   float16, dtype float32:       the float16 bits widened exactly (NaN payloads kept)
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { ReadableFile } from '../file';
import { checkNoOptions } from '../source-check';
import { decodeToFloat32, elementCount } from '../decode';
import type { ElementType, TensorFile, TensorInfo } from '../types';

/** A weight's `quantization` field as tfjs-converter writes it. */
export interface TfjsQuantization {
  readonly dtype: 'uint8' | 'uint16' | 'float16';
  readonly scale?: number;
  readonly min?: number;
  /** tfjs-converter ≥ 1.x writes it; tfjs itself decodes by the weight's own `dtype`. */
  readonly originalDtype?: string;
}

/** A tfjs weight as listed. `type` is what the file stores: f32, i32, bool, or u8/u16/f16 when quantized. */
export interface TfjsTensorInfo extends TensorInfo {
  /** The dtype tfjs gives the decoded tensor. */
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly quantization?: TfjsQuantization;
  /** Index of its group in the manifest. */
  readonly group: number;
  /** Byte offset in its group's concatenated shards. */
  readonly offset: number;
}

export interface TfjsFile extends TensorFile {
  readonly format: 'tfjs';
  readonly tensors: readonly TfjsTensorInfo[];
  tensor(name: string): TfjsTensorInfo;
  readonly tfjs: {
    /** 'model.json' for an object with weightsManifest, 'weights-manifest' for a bare array. */
    readonly kind: 'model.json' | 'weights-manifest';
    /** Shard paths per group, resolved against the json's folder. */
    readonly shards: readonly (readonly string[])[];
  };
}

/** Largest json accepted (graph-model topologies run to tens of MB). */
export const TFJS_MAX_JSON_BYTES = 512 * 1024 * 1024;

const QUANT_BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;
const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1 } as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** float16 bits → float32, exactly, keeping NaN payloads (as tfjs's table decoder does). */
export function float16BitsToFloat32(h: Uint16Array, out = new Float32Array(h.length)): Float32Array {
  const u = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i]!;
    const sign = (x & 0x8000) << 16;
    const exp = (x >> 10) & 0x1f;
    let mant = x & 0x3ff;
    if (exp === 0x1f) u[i] = sign | 0x7f800000 | (mant << 13);
    else if (exp !== 0) u[i] = sign | ((exp + 112) << 23) | (mant << 13);
    else if (mant === 0) u[i] = sign;
    else {
      // Subnormal: shift the mantissa up to an implicit 1, lowering the exponent each step.
      let e = 113;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        e--;
      }
      u[i] = sign | (e << 23) | ((mant & 0x3ff) << 13);
    }
  }
  return out;
}

/**
 * Opens a tfjs model.json or weights manifest and the shard files it lists; weights are read on
 * demand. readFloat32 gives exactly the values tfjs's decodeWeights gives (int32 and bool as
 * float32 numbers).
 *
 * @throws Error naming the file (and the group or weight, and the field) for: unreadable or
 *   non-JSON text; JSON that is neither an object with `weightsManifest` nor an array of groups;
 *   a group without `paths`/`weights` arrays; a weight without a string name, with a duplicate name,
 *   a shape that is not an array of non-negative integers, dtype 'string' or 'complex64' (not read)
 *   or any other unknown dtype; a quantization dtype other than uint8/uint16/float16, uint8/uint16
 *   without numeric `scale` and `min`, float16 on a non-float32 weight, quantized bool; a shard path
 *   that is absolute or leaves the json's folder, or cannot be opened.
 * @throws RangeError naming the file, the group and both sizes when a group's shards hold fewer or
 *   more bytes than its weights need (tfjs ignores extra bytes; quantkit refuses them, since
 *   tfjs-converter never writes them and shards that are not the manifest's decode to garbage).
 * @param options none yet: an object with a key (a misspelt option) is a TypeError.
 */
export async function openTfjs(path: string, options?: Readonly<Record<string, never>>): Promise<TfjsFile> {
  checkNoOptions(options, `openTfjs(${String(path)})`);
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`Expected a file path (non-empty string) but received ${String(path)}`);
  let st;
  try {
    st = await fs.stat(path);
  } catch (e) {
    throw new Error(`Cannot open ${path}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new Error(`Cannot read ${path}: not a regular file`);
  if (st.size > TFJS_MAX_JSON_BYTES) throw new RangeError(`${path}: ${st.size} bytes of JSON is more than quantkit reads (${TFJS_MAX_JSON_BYTES})`);
  let json: unknown;
  try {
    json = JSON.parse((await fs.readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  let kind: 'model.json' | 'weights-manifest';
  let manifest: unknown;
  const metadata: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (Array.isArray(json)) {
    kind = 'weights-manifest';
    manifest = json;
  } else if (isRecord(json) && Array.isArray(json.weightsManifest)) {
    kind = 'model.json';
    manifest = json.weightsManifest;
    for (const k of Object.keys(json)) if (k !== 'weightsManifest') metadata[k] = json[k];
  } else {
    throw new Error(`${path}: not a tfjs model.json (an object with a weightsManifest array) nor a weights manifest (an array of groups)`);
  }

  const dir = nodePath.dirname(nodePath.resolve(path));
  const groups = manifest as unknown[];
  interface Raw { info: TfjsTensorInfo }
  const raws: Raw[] = [];
  const shardPaths: string[][] = [];
  const names = new Set<string>();
  groups.forEach((g, gi) => {
    if (!isRecord(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new Error(`${path}: weightsManifest group ${gi} needs 'paths' and 'weights' arrays`);
    const paths = g.paths.map((p, pi) => {
      if (typeof p !== 'string' || p.length === 0) throw new Error(`${path}: group ${gi} paths[${pi}] is not a file name`);
      const full = nodePath.resolve(dir, p);
      if (nodePath.isAbsolute(p) || /^[a-z][a-z0-9+.-]*:/i.test(p) || (full !== dir && !full.startsWith(dir + nodePath.sep))) {
        throw new Error(`${path}: group ${gi} paths[${pi}] '${p}' is not a file inside the json's folder`);
      }
      return full;
    });
    shardPaths.push(paths);
    let offset = 0;
    g.weights.forEach((w, wi) => {
      if (!isRecord(w) || typeof w.name !== 'string') throw new Error(`${path}: group ${gi} weight ${wi} has no string 'name'`);
      const name = w.name;
      const where = `${path}: weight '${name}'`;
      if (names.has(name)) throw new Error(`${where}: duplicate name`);
      names.add(name);
      if (!Array.isArray(w.shape)) throw new Error(`${where}: 'shape' is not an array`);
      const elements = elementCount(w.shape, where);
      const dtype = w.dtype;
      if (dtype === 'string' || dtype === 'complex64') throw new Error(`${where}: dtype '${dtype}' is not read by quantkit (only float32, int32 and bool)`);
      if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)} (tfjs weights are float32, int32, bool, string or complex64)`);
      let quantization: TfjsQuantization | undefined;
      let type: ElementType = dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'bool';
      let storedType: string = dtype;
      let bytesPer: number = DTYPE_BYTES[dtype];
      if (w.quantization !== undefined) {
        const q = w.quantization;
        if (!isRecord(q)) throw new Error(`${where}: 'quantization' is not an object`);
        const qd = q.dtype;
        if (qd !== 'uint8' && qd !== 'uint16' && qd !== 'float16') throw new Error(`${where}: unknown quantization dtype ${JSON.stringify(qd)} (tfjs knows uint8, uint16 and float16)`);
        if (dtype === 'bool') throw new Error(`${where}: a bool weight cannot be quantized (tfjs refuses it)`);
        if (qd === 'float16' && dtype !== 'float32') throw new Error(`${where}: float16 quantization needs dtype float32 but the weight is ${dtype}`);
        if (qd !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min))) {
          throw new Error(`${where}: ${qd} quantization needs finite numbers 'scale' and 'min'`);
        }
        quantization = Object.freeze({
          dtype: qd,
          ...(qd !== 'float16' ? { scale: q.scale as number, min: q.min as number } : {}),
          ...(typeof q.original_dtype === 'string' ? { originalDtype: q.original_dtype } : {}),
        });
        type = qd === 'uint8' ? 'u8' : qd === 'uint16' ? 'u16' : 'f16';
        storedType = `${dtype} (${qd} quantization)`;
        bytesPer = QUANT_BYTES[qd];
      }
      const byteLength = elements * bytesPer;
      raws.push({
        info: Object.freeze({ name, type, storedType, shape: Object.freeze(w.shape.slice() as number[]), elements, byteLength, dtype, quantization, group: gi, offset }),
      });
      offset += byteLength;
      if (!Number.isSafeInteger(offset)) throw new RangeError(`${where}: group ${gi} needs more than 2^53 bytes`);
    });
  });

  // Open every shard; a group's shards must hold exactly its weights' bytes.
  const opened: ReadableFile[] = [];
  const shards: { file: ReadableFile; start: number }[][] = [];
  try {
    for (let gi = 0; gi < shardPaths.length; gi++) {
      const list: { file: ReadableFile; start: number }[] = [];
      let total = 0;
      for (const p of shardPaths[gi]!) {
        const f = await ReadableFile.open(p);
        opened.push(f);
        list.push({ file: f, start: total });
        total += f.size;
      }
      shards.push(list);
      const need = raws.filter((r) => r.info.group === gi).reduce((n, r) => n + r.info.byteLength, 0);
      if (total < need) throw new RangeError(`${path}: group ${gi}'s shards hold ${total} bytes but its weights need ${need}`);
      // tfjs (decodeWeights) reads what the weights need and ignores the rest; but tfjs-converter
      // writes exactly that many bytes, so more means the shards are not this manifest's (another
      // model's shards of the same name written over them, say) and every value would be wrong.
      if (total > need) {
        throw new RangeError(`${path}: group ${gi}'s shards hold ${total} bytes but its weights need ${need}: the shards do not match the manifest (were they replaced by another model's?)`);
      }
    }
  } catch (e) {
    await Promise.all(opened.map((f) => f.close().catch(() => undefined)));
    throw e;
  }

  const tensors = Object.freeze(raws.map((r) => r.info));
  const byName = new Map(tensors.map((t) => [t.name, t]));
  let closed = false;
  const tensor = (name: string): TfjsTensorInfo => {
    const t = byName.get(name);
    if (t === undefined) throw new Error(`${path}: no weight named '${name}'`);
    return t;
  };

  /** Bytes [start, start + length) of group gi's concatenated shards. */
  async function readGroup(gi: number, start: number, length: number, what: string): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let done = 0;
    for (const s of shards[gi]!) {
      if (done === length) break;
      const end = s.start + s.file.size;
      const at = start + done;
      if (at >= end) continue;
      const n = Math.min(length - done, end - at);
      await s.file.read(at - s.start, n, what, out.subarray(done, done + n));
      done += n;
    }
    return out;
  }

  async function readBytes(name: string, byteStart = 0, byteLength?: number): Promise<Uint8Array> {
    const t = tensor(name);
    if (closed) throw new Error(`${path}: the file is closed`);
    const len = byteLength ?? t.byteLength - byteStart;
    if (!Number.isSafeInteger(byteStart) || !Number.isSafeInteger(len) || byteStart < 0 || len < 0 || byteStart + len > t.byteLength) {
      throw new RangeError(`${path}: bytes [${byteStart}, ${byteStart + len}) are outside weight '${name}' (${t.byteLength} bytes)`);
    }
    return readGroup(t.group, t.offset + byteStart, len, `weight '${name}'`);
  }

  return {
    format: 'tfjs',
    path,
    metadata: Object.freeze(metadata),
    tensors,
    tfjs: Object.freeze({ kind, shards: Object.freeze(shardPaths.map((p) => Object.freeze(p))) }),
    tensor,
    readBytes,
    async readFloat32(name: string, start = 0, count?: number): Promise<Float32Array> {
      const t = tensor(name);
      const n = count ?? t.elements - start;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(n) || start < 0 || n < 0 || start + n > t.elements) {
        throw new RangeError(`${path}: elements [${start}, ${start + n}) are outside weight '${name}' (${t.elements} elements)`);
      }
      const per = t.byteLength / Math.max(t.elements, 1) || 1;
      const bytes = await readBytes(name, start * per, n * per);
      const q = t.quantization;
      if (q === undefined || q.dtype === 'float16') {
        if (q?.dtype === 'float16') return float16BitsToFloat32(new Uint16Array(bytes.buffer, bytes.byteOffset, n));
        return decodeToFloat32(bytes, t.type);
      }
      const codes = q.dtype === 'uint8' ? bytes : new Uint16Array(bytes.buffer, bytes.byteOffset, n);
      const out = new Float32Array(n);
      const scale = q.scale!;
      const min = q.min!;
      if (t.dtype === 'int32') for (let i = 0; i < n; i++) out[i] = Math.round(codes[i]! * scale + min) | 0;
      else for (let i = 0; i < n; i++) out[i] = codes[i]! * scale + min;
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(opened.map((f) => f.close()));
    },
  };
}
