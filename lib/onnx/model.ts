// Reading and writing ONNX model files, with external data (the ONNX IR's way of keeping a
// model over protobuf's 2 GiB limit: tensors whose data_location is EXTERNAL name a file next to
// the model, an offset and a length).
//
// Reading materializes every external tensor into raw_data, so the modes see one kind of
// tensor. Writing puts every tensor of at least EXTERNAL_THRESHOLD bytes into one data file
// next to OUT when the input had external data, when the model would not fit in 2 GiB, or
// when asked; both files are written atomically (lib/io/file.ts), the data file first.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { writeAtomically, checkNotAnInput, trackTemp, ReadableFile } from '../io/file';
import { decodeModel, encodeModel, int64, type ModelProto, type TensorProto } from './proto';
import { allGraphs } from './graph';
import { checkModel } from './opset';
import { checkKeys, describe, isDetached, keySet } from '../core/validate';

/** ONNX's external-data location value (TensorProto.DataLocation.EXTERNAL). */
const EXTERNAL = 1;
/** Tensors at least this large go to the data file (onnx's save_as_external_data default, 1024). */
export const EXTERNAL_THRESHOLD = 1024;
/** protobuf's hard limit for one message. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;

/** A model as read. */
export interface LoadedModel {
  model: ModelProto;
  /** The model file's path, when read from one. */
  file?: string;
  /** Bytes of the model file plus its external data. */
  sizeBytes: number;
  /** Whether any tensor was stored as external data. */
  hadExternalData: boolean;
  /** The external data files read (absolute paths). */
  externalFiles: string[];
}

/** Every tensor stored in the model: initializers, Constant values and tensor attributes, in all graphs. */
export function allTensors(model: ModelProto): TensorProto[] {
  const out: TensorProto[] = [];
  for (const { graph } of allGraphs(model)) {
    out.push(...graph.initializer);
    for (const n of graph.node) for (const a of n.attribute) {
      if (a.t) out.push(a.t);
      if (a.tensors) out.push(...a.tensors);
    }
  }
  return out;
}

function externalFields(t: TensorProto, what: string): { location: string; offset: number; length: number | undefined } {
  const kv = new Map((t.externalData ?? []).map((e) => [e.key, e.value]));
  const location = kv.get('location');
  if (!location) throw new Error(`${what}: tensor ${t.name} is stored as external data but names no location`);
  const num = (k: string): number | undefined => {
    const v = kv.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new RangeError(`${what}: tensor ${t.name} has external_data ${k} = ${JSON.stringify(v)}, expected a non-negative integer`);
    return n;
  };
  return { location, offset: num('offset') ?? 0, length: num('length') };
}

/**
 * Reads a model from a path or from bytes. External data is read from `externalDataDir`
 * (default: the model file's folder; required for bytes that have external data).
 * @throws Error "not an ONNX model" for bytes that are not a ModelProto; Error naming the tensor
 * and the file when external data is missing, outside the model's folder, or too short.
 */
export async function loadModel(input: string | Uint8Array, externalDataDir?: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  let file: string | undefined;
  if (typeof input === 'string') {
    if (input.length === 0) throw new TypeError('Expected model to be a path or bytes but received an empty string');
    file = input;
    let st: fs.Stats;
    try {
      st = await fsp.stat(file);
    } catch (e) {
      throw new Error(`Cannot open ${file}: ${(e as Error).message}`);
    }
    if (!st.isFile()) throw new Error(`Cannot read ${file}: not a regular file`);
    if (st.size > PROTOBUF_LIMIT) throw new RangeError(`${file} is ${st.size} bytes: an ONNX model file is at most 2 GiB (larger models keep their weights as external data)`);
    bytes = await fsp.readFile(file);
  } else if (input instanceof Uint8Array) {
    if (isDetached(input)) throw new TypeError('Expected model bytes but received a Uint8Array whose buffer is detached (transferred)');
    // A copy: the decoded tensors point into these bytes, and the caller may reuse the buffer
    // before the returned promise settles (trial finding: a model of NaN, and no error).
    bytes = input.slice();
  } else {
    throw new TypeError(`Expected model to be a path (string) or the model's bytes (Uint8Array) but received ${describe(input)}${ArrayBuffer.isView(input) || (input as unknown) instanceof ArrayBuffer ? ' (wrap it: new Uint8Array(buffer, byteOffset, byteLength))' : ''}`);
  }
  if (externalDataDir !== undefined && (typeof externalDataDir !== 'string' || externalDataDir.length === 0)) {
    throw new TypeError(`Expected externalDataDir to be a folder path (non-empty string) but received ${describe(externalDataDir)}`);
  }
  const what = file ?? 'model bytes';
  if (bytes.length === 0) throw new Error(`${what} is not an ONNX model (it is empty)`);
  const model = decodeModel(bytes, what);
  const ir = int64(model.irVersion, 'ir_version');
  if (ir < 3) throw new Error(`${what} is not an ONNX model this tool can read (ir_version ${String(model.irVersion)}; opset imports need ir_version 3 or newer)`);
  if (ir > MAX_IR_VERSION) throw new Error(`${what} has ir_version ${ir}, newer than the ONNX IR ${MAX_IR_VERSION} schema quantkit reads: fields it does not know would be lost on writing`);
  const newest = model.opsetImport.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (newest && int64(newest.version, 'opset_import version') > MAX_KNOWN_OPSET) {
    throw new Error(`${what} imports default-domain opset ${String(newest.version)}, newer than the newest quantkit knows (${MAX_KNOWN_OPSET}, ONNX 1.18): the operators it writes may mean something else there`);
  }
  const dir = externalDataDir ?? (file ? path.dirname(path.resolve(file)) : undefined);
  let size = bytes.length;
  const files = new Map<string, ReadableFile>();
  let had = false;
  try {
    for (const t of allTensors(model)) {
      if (t.dataLocation !== EXTERNAL) continue;
      had = true;
      const { location, offset, length } = externalFields(t, what);
      if (!dir) throw new Error(`${what}: tensor ${t.name} is stored in external data file ${location}; pass the model as a path, or give externalDataDir`);
      const resolved = path.resolve(dir, location);
      if (path.isAbsolute(location) || path.relative(dir, resolved).startsWith('..') || escapesThroughLink(dir, resolved)) {
        throw new Error(`${what}: tensor ${t.name} names external data ${JSON.stringify(location)} outside the model's folder ${dir}; refused`);
      }
      let f = files.get(resolved);
      if (!f) {
        try {
          f = await ReadableFile.open(resolved);
        } catch (e) {
          throw new Error(`${what}: tensor ${t.name} is stored in external data file ${resolved}, which cannot be opened: ${withoutPrefix((e as Error).message, resolved)}`);
        }
        files.set(resolved, f);
        size += f.size;
      }
      const len = length ?? f.size - offset;
      if (offset + len > f.size || len < 0) {
        throw new RangeError(`${what}: tensor ${t.name} reads bytes [${offset}, ${offset + len}) of ${resolved}, which has ${f.size} bytes`);
      }
      t.rawData = await f.read(offset, len, `tensor ${t.name}`);
      t.externalData = [];
      delete t.dataLocation;
    }
  } finally {
    for (const f of files.values()) await f.close();
  }
  return { model, file, sizeBytes: size, hadExternalData: had, externalFiles: [...files.keys()] };
}

/** The newest ONNX IR version whose schema quantkit's protobuf reader knows (proto.ts). */
export const MAX_IR_VERSION = 11;
/** The newest default-domain opset quantkit knows the operators of (ONNX 1.18). */
export const MAX_KNOWN_OPSET = 23;

/** Whether `file` (inside `dir` by its path) is outside `dir` once symbolic links are followed. */
function escapesThroughLink(dir: string, file: string): boolean {
  let real: string;
  let realDir: string;
  try {
    realDir = fs.realpathSync(dir);
    real = fs.realpathSync(file);
  } catch {
    return false; // a missing file: the open below says so
  }
  const rel = path.relative(realDir, real);
  return rel.startsWith('..') || path.isAbsolute(rel);
}

/** ReadableFile's message without its 'Cannot open PATH: ' lead, which the caller's message already names. */
function withoutPrefix(message: string, file: string): string {
  for (const lead of [`Cannot open ${file}: `, `Cannot read ${file}: `]) if (message.startsWith(lead)) return message.slice(lead.length);
  return message;
}

/** Options for saveModel. */
export interface SaveOptions {
  /** Put large tensors in a data file next to OUT: true, false (refuse models over 2 GiB), or 'auto' (default: when the input had external data or the model needs it). */
  externalData?: boolean | 'auto';
  /** The data file's name, relative to OUT's folder (default: OUT's file name + '.data'). */
  externalDataFile?: string;
  /** Paths OUT (and its data file) must not be: the input model and its data files. */
  inputs?: readonly string[];
  /** Whether the input had external data (for 'auto'). */
  hadExternalData?: boolean;
}

const SAVE_KEYS = keySet(['externalData', 'externalDataFile', 'inputs', 'hadExternalData']);

/** saveModel's options, key by key: a TypeError/RangeError naming the option and the value. */
function checkSaveOptions(opts: SaveOptions): void {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`Expected options to be an object but received ${describe(opts)}`);
  checkKeys(opts, SAVE_KEYS, 'options');
  const { externalData, externalDataFile, inputs, hadExternalData } = opts;
  if (externalData !== undefined && typeof externalData !== 'boolean' && externalData !== 'auto') throw new TypeError(`Expected options.externalData to be true, false or 'auto' but received ${describe(externalData)}`);
  if (externalDataFile !== undefined && (typeof externalDataFile !== 'string' || externalDataFile.length === 0)) throw new TypeError(`Expected options.externalDataFile to be a file name but received ${describe(externalDataFile)}`);
  if (inputs !== undefined && (!Array.isArray(inputs) || !inputs.every((p) => typeof p === 'string'))) throw new TypeError(`Expected options.inputs to be an array of paths but received ${describe(inputs)}`);
  if (hadExternalData !== undefined && typeof hadExternalData !== 'boolean') throw new TypeError(`Expected options.hadExternalData to be a boolean but received ${describe(hadExternalData)}`);
}

/**
 * Writes `model` to `out`, atomically. Returns the bytes written (model plus data file) and
 * the data file's path when one was written.
 * @throws RangeError when the model exceeds 2 GiB and externalData is false.
 */
export async function saveModel(model: ModelProto, out: string, opts: SaveOptions = {}): Promise<{ bytes: number; dataFile?: string }> {
  checkModel(model, 'model');
  if (typeof out !== 'string' || out.length === 0) throw new TypeError(`Expected out to be a path but received ${describe(out)}`);
  checkSaveOptions(opts);
  const inputs = opts.inputs ?? [];
  checkNotAnInput(out, inputs);
  const tensors = allTensors(model);
  const total = tensors.reduce((a, t) => a + (t.rawData?.length ?? 0), 0);
  const mode = opts.externalData ?? 'auto';
  const external = mode === true || (mode === 'auto' && (opts.hadExternalData || total > PROTOBUF_LIMIT - 64 * 2 ** 20));
  if (!external) {
    const bytes = encodeModel(model);
    if (bytes.length > PROTOBUF_LIMIT) throw new RangeError(`The output model is ${bytes.length} bytes, over protobuf's 2 GiB limit: write it with externalData`);
    await writeAtomically(out, inputs, async (o) => o.write(bytes));
    return { bytes: bytes.length };
  }
  const dataName = opts.externalDataFile ?? `${path.basename(out)}.data`;
  if (path.isAbsolute(dataName) || dataName.includes('/') || dataName.includes('\\')) throw new TypeError(`Expected externalDataFile to be a file name next to the output but received ${JSON.stringify(dataName)}`);
  const dataPath = path.join(path.dirname(out), dataName);
  if (path.resolve(dataPath) === path.resolve(out)) throw new Error(`The external data file ${dataPath} cannot be the model file itself`);
  // Lay the data file out first (offsets aligned to 64 bytes), then swap each tensor's raw data
  // for its reference, encode, and restore the tensors: the caller's model is left as it was.
  const moved: { t: TensorProto; raw: Uint8Array; offset: number }[] = [];
  let offset = 0;
  for (const t of tensors) {
    const raw = t.rawData;
    if (!raw || raw.length < EXTERNAL_THRESHOLD) continue;
    offset = Math.ceil(offset / 64) * 64;
    moved.push({ t, raw, offset });
    offset += raw.length;
  }
  if (moved.length === 0) {
    // No tensor reaches the threshold: one file, rather than an empty data file beside it.
    const bytes = encodeModel(model);
    await writeAtomically(out, inputs, async (o) => o.write(bytes));
    return { bytes: bytes.length };
  }
  for (const m of moved) {
    m.t.rawData = new Uint8Array(0);
    m.t.dataLocation = EXTERNAL;
    m.t.externalData = [
      { key: 'location', value: dataName },
      { key: 'offset', value: String(m.offset) },
      { key: 'length', value: String(m.raw.length) },
    ];
  }
  let bytes: Uint8Array;
  try {
    bytes = encodeModel(model);
  } finally {
    for (const m of moved) {
      m.t.rawData = m.raw;
      m.t.externalData = [];
      delete m.t.dataLocation;
    }
  }
  let written = 0;
  // The data file is renamed into place first; until the model follows it, it counts as a
  // temporary file (removed by a failure, SIGINT/SIGTERM or exit), so that no data file is
  // left without its model.
  let untrackData: (() => void) | undefined;
  try {
    await writeAtomically(out, inputs, async (o) => {
      await writeAtomically(dataPath, [...inputs, out], async (d) => {
        const pad = new Uint8Array(64);
        for (const m of moved) {
          if (d.position < m.offset) await d.write(pad.subarray(0, m.offset - d.position));
          await d.write(m.raw);
        }
        written += d.position;
      });
      untrackData = trackTemp(dataPath);
      await o.write(bytes);
      written += bytes.length;
    });
  } catch (e) {
    if (untrackData) {
      untrackData();
      await fsp.unlink(dataPath).catch(() => undefined);
    }
    throw e;
  }
  untrackData?.();
  return { bytes: written, dataFile: dataPath };
}
