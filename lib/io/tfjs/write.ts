// tfjs writer: model.json (or a bare weights manifest) plus binary shards: one group, its
// weights' bytes concatenated in order and cut into shards of `shardBytes` (default 4 MiB, at least 4096).
// Shards of a json named model.json are named as tfjs-converter names them (write_weights.py):
// 'group1-shard1of2.bin', …; any other json name prefixes them with its own name without the
// extension: b.json → 'b.group1-shard1of2.bin', … (weights_manifest.json too), so that two
// models written into one folder under different json names never share a shard file.
//
// Weight quantization follows tfjs-converter's quantization.py (--quantize_uint8 / _uint16 /
// _float16); only float32 weights are quantized, int32 and bool are stored as they are:
//   uint8/uint16 (quant_max 255/65535), in float64 arithmetic:
//     min, max = the data's min and max;  if min == max: codes all 0, scale 1, min kept
//     scale = (max − min) / quant_max
//     if min ≤ 0 ≤ max (nudge so that 0.0 is exactly a code):
//       zero = round_half_even(−min / scale);  min = −zero · scale;  max = quant_max · scale + min
//     code = round_half_even((clip(x, min, max) − min) / scale)
//     manifest: quantization {dtype, min, scale, original_dtype: 'float32'}
//   float16: float32 → float16 bits, round to nearest even (numpy's astype(float16)).
// tfjs decodes code · scale + min (see read.ts). NumPy 1.x evaluated the clip/subtract/divide in
// float32 (its value-based casting of the float64 scalars); NumPy 2 (NEP 50) and quantkit do it
// in float64, so codes can differ by one from an old converter's at exact rounding midpoints.
//
// All files are written as temporaries and renamed only once every shard and the json are
// complete; on any error (or SIGINT/SIGTERM) every temporary is removed.
import * as fsp from 'node:fs/promises';
import * as nodePath from 'node:path';
import { randomBytes } from 'node:crypto';
import quantkit from '../../index';
import { checkNotAnInput, checkOutput, keepMode, trackTemp, writeAtomically, writeError } from '../file';
import { decodeToFloat32, TYPE_LAYOUT } from '../decode';
import { checkSources, checkWriterOptions, sourceBytes } from '../source-check';
import type { ElementType, ProgressCallback, TensorSource } from '../types';
import { describe, nearestKey } from '../../core/validate';

export type TfjsQuantize = 'uint8' | 'uint16' | 'float16';

export interface TfjsWriteOptions {
  /** Weights in order. Float types (and ggml blocks) become float32, integer types int32, bool bool. */
  readonly tensors: readonly TensorSource[];
  /**
   * Weight quantization for float32 weights: one choice for all, a record by weight name, or a
   * function of the source; undefined (or null) stores float32.
   */
  readonly quantize?: TfjsQuantize | Readonly<Record<string, TfjsQuantize | undefined>> | ((t: TensorSource) => TfjsQuantize | undefined | null);
  /** A Layers or Graph model topology: writes a model.json; without it a bare weights manifest is written. */
  readonly modelTopology?: unknown;
  /** model.json fields written when a topology is given. */
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly signature?: unknown;
  readonly userDefinedMetadata?: unknown;
  /**
   * Bytes per shard file: an integer of at least 4096 (a smaller one would write a file per few
   * weights: 1 made 65,536 files of a 256 KiB model). Default 4 MiB, tfjs-converter's.
   */
  readonly shardBytes?: number;
  /** Paths no output may be. */
  readonly inputs?: readonly string[];
  readonly onProgress?: ProgressCallback;
}

export interface TfjsWriteResult {
  /** The json written. */
  readonly json: string;
  /** The shard files written, in order. */
  readonly shards: readonly string[];
  /** Bytes of all shards. */
  readonly weightBytes: number;
}

/** The uint8/uint16 parameters tfjs-converter's quantize_weights picks for `data`. */
export function tfjsAffineParams(data: Float32Array, dtype: 'uint8' | 'uint16'): { scale: number; min: number; max: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (data.length === 0) return { scale: 1, min: 0, max: 0 };
  if (lo === hi) return { scale: 1, min: lo, max: hi };
  const qmax = dtype === 'uint8' ? 255 : 65535;
  const scale = (hi - lo) / qmax;
  if (lo <= 0 && 0 <= hi) {
    const zero = roundHalfEven((0 - lo) / scale);
    const min = -zero * scale;
    return { scale, min, max: qmax * scale + min };
  }
  return { scale, min: lo, max: hi };
}

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round takes .5 up; NumPy's round takes it to the even neighbour.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The smallest shardBytes accepted: one page; tfjs-converter's default is 4 MiB. */
const MIN_SHARD_BYTES = 4096;

const WRITABLE = Object.keys(TYPE_LAYOUT) as ElementType[];
const OPTION_KEYS = ['tensors', 'quantize', 'modelTopology', 'format', 'generatedBy', 'convertedBy', 'signature', 'userDefinedMetadata', 'shardBytes', 'inputs', 'onProgress'];
const QUANTIZE_CHOICES: readonly unknown[] = ['uint8', 'uint16', 'float16'];

/**
 * `quantize` as given: undefined, null, a choice, a function (its results are checked per
 * weight), or a record whose keys all name a weight (a misspelt weight name is an error, not a
 * weight silently left float32) and whose values are choices (or undefined / null).
 */
function checkQuantize(quantize: unknown, tensors: readonly TensorSource[], what: string): void {
  if (quantize === undefined || quantize === null || typeof quantize === 'function') return;
  const expected = "'uint8', 'uint16', 'float16', a record by weight name or a function";
  if (typeof quantize === 'string') {
    if (!QUANTIZE_CHOICES.includes(quantize)) {
      const near = nearestKey(quantize, QUANTIZE_CHOICES as string[]);
      throw new TypeError(`${what}: expected quantize ${expected} but received ${describe(quantize)}${near === undefined ? '' : ` (did you mean '${near}'?)`}`);
    }
    return;
  }
  if (typeof quantize !== 'object' || Array.isArray(quantize) || ArrayBuffer.isView(quantize)) throw new TypeError(`${what}: expected quantize ${expected} but received ${describe(quantize)}`);
  const names = new Set(tensors.map((t) => t.name));
  for (const [name, c] of Object.entries(quantize)) {
    if (!names.has(name)) {
      const near = nearestKey(name, names);
      throw new TypeError(`${what}: quantize names '${name}', which is no weight${near === undefined ? '' : ` (did you mean '${near}'?)`}`);
    }
    if (c !== undefined && c !== null && !QUANTIZE_CHOICES.includes(c)) throw new TypeError(`${what}: expected quantize['${name}'] 'uint8', 'uint16' or 'float16' but received ${describe(c)}`);
  }
}

const FLOAT_TYPES = new Set<ElementType>(['f64', 'f32', 'f16', 'bf16', 'f8e4m3', 'f8e5m2', 'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k']);


/** A checked source's bytes in one array (sourceBytes enforces the count). */
async function collect(t: TensorSource, what: string): Promise<Uint8Array> {
  if (t.data !== undefined) return t.data;
  const out = new Uint8Array(t.byteLength);
  let n = 0;
  for await (const c of sourceBytes(t, what)) {
    out.set(c, n);
    n += c.length;
  }
  return out;
}

/** int32 values of an integer-typed source, each checked to fit. */
function toInt32(bytes: Uint8Array, type: ElementType, where: string): Int32Array {
  const n = bytes.length / TYPE_LAYOUT[type].blockBytes;
  const out = new Int32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    let v: number | bigint;
    switch (type) {
      case 'i8': v = dv.getInt8(i); break;
      case 'u8': v = dv.getUint8(i); break;
      case 'i16': v = dv.getInt16(2 * i, true); break;
      case 'u16': v = dv.getUint16(2 * i, true); break;
      case 'i32': v = dv.getInt32(4 * i, true); break;
      case 'u32': v = dv.getUint32(4 * i, true); break;
      case 'i64': v = dv.getBigInt64(8 * i, true); break;
      default: v = dv.getBigUint64(8 * i, true); break;
    }
    if (v < -2147483648 || v > 2147483647) throw new RangeError(`${where}: element ${i} is ${v}, outside int32 (tfjs stores integers as int32)`);
    out[i] = Number(v);
  }
  return out;
}

const asBytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The shard file names for a json at `out`: see the naming rule at the top of this file. */
export function tfjsShardNames(out: string, count: number): string[] {
  const base = nodePath.basename(out);
  const prefix = base === 'model.json' ? '' : `${nodePath.parse(base).name || base}.`;
  return Array.from({ length: count }, (_, i) => `${prefix}group1-shard${i + 1}of${count}.bin`);
}

/**
 * Writes a tfjs model: `out` is the json (model.json when `modelTopology` is given, else a bare
 * weights manifest array), the shards go next to it (in the folder of `out` as given, even when
 * `out` is a symbolic link: the json lists them relative to where it is opened). Shards are named
 * 'group1-shardIofN.bin' for a json named model.json, else 'NAME.group1-shardIofN.bin' for a
 * json NAME.json, so that models written into one folder under different names keep their own
 * shards; a shard file of that name already there is replaced. Returns the files written.
 *
 * Every error of the writer's own checks starts with `writeTfjs(OUT): `; errors of the disk name
 * the file (writeAtomically), errors thrown by a source's chunks() are rethrown as they are.
 * @throws TypeError for bad options (an unknown key names the nearest valid one), an unknown quantize
 *   choice or weight name in a quantize record or a weight of a type with no tfjs dtype.
 * @throws RangeError for a byteLength not matching the shape, a source yielding more or fewer bytes,
 *   non-finite values in a weight to quantize to uint8/uint16, integers outside int32, or shardBytes
 *   not an integer of at least 4096.
 * @throws Error for a duplicate weight name or an output equal to an input (nothing is written).
 */
export async function writeTfjs(out: string, options: TfjsWriteOptions): Promise<TfjsWriteResult> {
  if (typeof out !== 'string' || out.length === 0) throw new TypeError(`Expected an output path (non-empty string) but received ${String(out)}`);
  const what = `writeTfjs(${out})`;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${what}: expected an options object { tensors, quantize?, … } but received ${describe(options)}`);
  checkWriterOptions(options, OPTION_KEYS, what);
  const { tensors, quantize } = options;
  const counts = checkSources(tensors, what, WRITABLE);
  checkQuantize(quantize, tensors, what);
  for (const key of ['format', 'generatedBy'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'string') throw new TypeError(`${what}: expected a string for ${key} but received ${describe(options[key])}`);
  }
  if (options.convertedBy !== undefined && options.convertedBy !== null && typeof options.convertedBy !== 'string') {
    throw new TypeError(`${what}: expected a string or null for convertedBy but received ${describe(options.convertedBy)}`);
  }
  const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
  if (typeof shardBytes !== 'number') throw new TypeError(`${what}: expected a number for shardBytes but received ${describe(shardBytes)}`);
  if (!Number.isSafeInteger(shardBytes) || shardBytes < MIN_SHARD_BYTES) {
    throw new RangeError(`${what}: expected an integer of at least ${MIN_SHARD_BYTES} for shardBytes but received ${describe(shardBytes)} (each shard is a file; tfjs-converter writes 4 MiB shards)`);
  }

  const choose = (t: TensorSource): TfjsQuantize | undefined => {
    const c = typeof quantize === 'function' ? quantize(t) : typeof quantize === 'object' && quantize !== null ? (Object.prototype.hasOwnProperty.call(quantize, t.name) ? quantize[t.name] : undefined) : quantize;
    if (c === undefined || c === null) return undefined;
    if (c !== 'uint8' && c !== 'uint16' && c !== 'float16') throw new TypeError(`${what}: tensor '${t.name}': expected quantize 'uint8', 'uint16' or 'float16' but received ${describe(c)}`);
    return c;
  };

  interface Plan { t: TensorSource; dtype: 'float32' | 'int32' | 'bool'; q?: TfjsQuantize; elements: number; inBytes: number; stored: number }
  const plans: Plan[] = [];
  // checkSources has checked names (non-empty, unique), types, shapes, byteLength and data.
  tensors.forEach((t, i) => {
    const elements = counts[i]!;
    const inBytes = t.byteLength;
    const dtype = t.type === 'bool' ? 'bool' : FLOAT_TYPES.has(t.type) ? 'float32' : 'int32';
    const q = dtype === 'float32' ? choose(t) : undefined;
    const per = q === 'uint8' ? 1 : q !== undefined ? 2 : dtype === 'bool' ? 1 : 4;
    plans.push({ t, dtype, q, elements, inBytes, stored: elements * per });
  });
  const total = plans.reduce((n, p) => n + p.stored, 0);
  const nShards = Math.ceil(total / shardBytes);
  const dir = nodePath.dirname(nodePath.resolve(out));
  const shardNames = tfjsShardNames(out, nShards);
  const shardPaths = shardNames.map((n) => nodePath.join(dir, n));
  const inputs = options.inputs ?? [];
  if (shardPaths.includes(nodePath.resolve(out))) throw new Error(`Refusing to write ${out}: it is also the name of a shard`);
  checkNotAnInput(out, inputs);
  // What each shard's rename replaces (a link's target; not a folder, device or read-only file).
  const shardTargets = shardPaths.map((p) => checkOutput(p, inputs));

  const temps: string[] = [];
  const untrack = new Map<string, () => void>();
  let written = 0;
  let shard = -1;
  let handle: fsp.FileHandle | undefined;
  let room = 0;
  // Flushes and closes the shard being written, if any.
  const finishShard = async (): Promise<void> => {
    if (handle === undefined) return;
    try {
      await handle.sync();
      await handle.close();
    } catch (e) {
      throw writeError(shardPaths[shard]!, e, 'flushing it to disk');
    }
    handle = undefined;
  };
  const openNext = async (): Promise<void> => {
    await finishShard();
    shard++;
    const target = shardTargets[shard]!;
    const temp = nodePath.join(nodePath.dirname(target), `.${nodePath.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      handle = await fsp.open(temp, 'wx');
    } catch (e) {
      throw writeError(shardPaths[shard]!, e, `creating a temporary file in ${nodePath.dirname(target)}`);
    }
    temps.push(temp);
    untrack.set(temp, trackTemp(temp));
    room = Math.min(shardBytes, total - shard * shardBytes);
  };
  const sink = async (bytes: Uint8Array): Promise<void> => {
    let at = 0;
    while (at < bytes.length) {
      if (room === 0) await openNext();
      const n = Math.min(room, bytes.length - at);
      let done = 0;
      try {
        while (done < n) done += (await handle!.write(bytes, at + done, Math.min(n - done, 2 ** 30))).bytesWritten; // at most 1 GiB a call
      } catch (e) {
        throw writeError(shardPaths[shard]!, e, 'writing');
      }
      at += n;
      room -= n;
      written += n;
    }
  };

  const manifestWeights: Record<string, unknown>[] = [];
  try {
    return await writeAtomically(out, inputs, async (jsonOut) => {
      for (const p of plans) {
        const t = p.t;
        const where = `${what}: tensor '${t.name}'`;
        const bytes = await collect(t, what);
        const entry: Record<string, unknown> = { name: t.name, shape: t.shape.slice(), dtype: p.dtype };
        let stored: Uint8Array;
        if (p.dtype === 'bool') {
          stored = bytes.map((b) => (b !== 0 ? 1 : 0));
        } else if (p.dtype === 'int32') {
          stored = asBytes(toInt32(bytes, t.type, where));
        } else {
          const x = t.type === 'f32' ? new Float32Array(bytes.slice().buffer) : decodeToFloat32(bytes, t.type);
          if (p.q === undefined) stored = asBytes(x);
          else if (p.q === 'float16') {
            stored = asBytes(quantkit.toFloat16(x));
            entry.quantization = { dtype: 'float16', original_dtype: 'float32' };
          } else {
            for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) throw new RangeError(`${where}: element ${i} is ${x[i]}; ${p.q} quantization needs finite values`);
            const { scale, min, max } = tfjsAffineParams(x, p.q);
            const qmax = p.q === 'uint8' ? 255 : 65535;
            const codes = p.q === 'uint8' ? new Uint8Array(x.length) : new Uint16Array(x.length);
            if (min !== max) {
              for (let i = 0; i < x.length; i++) {
                const c = roundHalfEven((Math.min(Math.max(x[i]!, min), max) - min) / scale);
                codes[i] = c < 0 ? 0 : c > qmax ? qmax : c;
              }
            }
            stored = asBytes(codes);
            entry.quantization = { dtype: p.q, min, scale, original_dtype: 'float32' };
          }
        }
        await sink(stored);
        manifestWeights.push(entry);
        options.onProgress?.(written, total, t.name);
      }
      await finishShard();
      const manifest = [{ paths: shardNames, weights: manifestWeights }];
      let json: unknown = manifest;
      if (options.modelTopology !== undefined) {
        const m: Record<string, unknown> = {};
        if (options.format !== undefined) m.format = options.format;
        if (options.generatedBy !== undefined) m.generatedBy = options.generatedBy;
        m.convertedBy = options.convertedBy === undefined ? 'quantkit' : options.convertedBy;
        m.modelTopology = options.modelTopology;
        if (options.signature !== undefined) m.signature = options.signature;
        if (options.userDefinedMetadata !== undefined) m.userDefinedMetadata = options.userDefinedMetadata;
        m.weightsManifest = manifest;
        json = m;
      }
      await jsonOut.write(new TextEncoder().encode(JSON.stringify(json)));
      // Every shard is complete: put them in place; the json is renamed last, by writeAtomically.
      for (let i = 0; i < temps.length; i++) {
        await keepMode(temps[i]!, shardTargets[i]!, shardPaths[i]!);
        try {
          await fsp.rename(temps[i]!, shardTargets[i]!);
        } catch (e) {
          throw writeError(shardPaths[i]!, e, 'renaming the temporary file into place');
        }
        untrack.get(temps[i]!)!();
      }
      temps.length = 0;
      return { json: out, shards: shardPaths, weightBytes: total };
    });
  } finally {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    for (const t of temps) {
      await fsp.unlink(t).catch(() => undefined);
      untrack.get(t)!();
    }
  }
}
