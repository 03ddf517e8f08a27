// Activation ranges for mode 'qdq' (README "ONNX models"), as ONNX Runtime's quantize_static
// collects them (onnxruntime/python/tools/quantization/calibrate.py): the model runs in
// onnxruntime-node, with optimizations off (ORT's calibrators use ORT_DISABLE_ALL), on a copy
// whose graph outputs also name the intermediate float tensors to calibrate (values inside If
// branches carried out through their If nodes: exposeTensors); each batch of each
// such tensor goes to a quantkit observer (createObserver: 'minmax', 'percentile', 'entropy',
// 'mse'), whose range() is the tensor's calibrated range.
//
// The calibration inputs are checked against the model's inputs before any run: a feed names
// every graph input (initializers that are also inputs may be left out) and no other, with the
// input's element type, rank and fixed dimensions.
import { createRequire } from 'node:module';
import quantkit from '../index';
import { openNpz } from '../io/npy';
import type { ElementType } from '../io/types';
import { describe, typedArrayKind } from '../core/validate';
import type { CalibrationFeed, ModelOptions } from './context';
import { decodeModel, encodeModel, int64, DT, type ModelProto, type ValueInfoProto } from './proto';
import { dataTypeName, makeTensor } from './tensor';
import { allGraphs, attrTensor, makeNode, Names } from './graph';

/** onnxruntime-node's API as used here (a peer dependency, loaded at run time). */
interface OrtTensor { type: string; data: ArrayBufferView & { length: number }; dims: readonly number[] }
interface OrtSession { run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>; release(): Promise<void> }
interface OrtModule {
  Tensor: new (type: string, data: ArrayBufferView, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, opts?: Record<string, unknown>): Promise<OrtSession> };
}

/**
 * Loads onnxruntime-node (the optional peer dependency), from the caller's node_modules.
 * @throws Error telling the user to `npm install onnxruntime-node` when it cannot be loaded.
 */
export function loadOrt(what: string): OrtModule {
  const req = createRequire(__filename);
  try {
    return req('onnxruntime-node') as OrtModule;
  } catch (e) {
    throw new Error(`${what} runs the model in ONNX Runtime to calibrate its activations, but onnxruntime-node could not be loaded (${(e as Error).message.split('\n')[0]}): install the peer dependency with \`npm install onnxruntime-node\``);
  }
}

/** One model input as a feed must match it. */
export interface ModelInput {
  name: string;
  /** ONNX elem_type. */
  elemType: number;
  /** Fixed dimensions as numbers, dynamic ones (dim_param or absent) as undefined; undefined for an unknown rank. */
  dims?: (number | undefined)[];
}

/** A checked feed: input name → { ORT type, data, dims }. */
export type Feed = Map<string, { type: string; data: ArrayBufferView & { length: number }; dims: number[] }>;

/** The ORT tensor type (and typed array) for each ONNX elem_type a feed may have. */
const ORT_TYPE: Record<number, { type: string; ctor: string }> = {
  [DT.FLOAT]: { type: 'float32', ctor: 'Float32Array' },
  [DT.DOUBLE]: { type: 'float64', ctor: 'Float64Array' },
  [DT.INT64]: { type: 'int64', ctor: 'BigInt64Array' },
  [DT.INT32]: { type: 'int32', ctor: 'Int32Array' },
  [DT.UINT8]: { type: 'uint8', ctor: 'Uint8Array' },
  [DT.INT8]: { type: 'int8', ctor: 'Int8Array' },
  [DT.BOOL]: { type: 'bool', ctor: 'Uint8Array' },
  [DT.FLOAT16]: { type: 'float16', ctor: 'Uint16Array' },
};
/** ONNX element types as onnxruntime names a tensor's type (Tensor.type). */
const ORT_TYPE_NAME: Record<number, string> = {
  [DT.FLOAT]: 'float32', [DT.DOUBLE]: 'float64', [DT.FLOAT16]: 'float16', [DT.BFLOAT16]: 'bfloat16', [DT.INT64]: 'int64', [DT.INT32]: 'int32',
  [DT.INT16]: 'int16', [DT.INT8]: 'int8', [DT.UINT64]: 'uint64', [DT.UINT32]: 'uint32', [DT.UINT16]: 'uint16', [DT.UINT8]: 'uint8', [DT.BOOL]: 'bool', [DT.STRING]: 'string',
};
/** onnxruntime's name of an ONNX element type, or undefined for one it has no name for. */
export const ortTypeName = (elemType: number | undefined): string | undefined => (elemType === undefined ? undefined : ORT_TYPE_NAME[elemType]);

/** The npz element types that can feed each ORT type. */
const NPZ_TYPE: Record<string, ElementType> = { float32: 'f32', float64: 'f64', int64: 'i64', int32: 'i32', uint8: 'u8', int8: 'i8', bool: 'bool', float16: 'f16' };
const CTORS: Record<string, new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView & { length: number }> = {
  Float32Array, Float64Array, BigInt64Array, Int32Array, Uint8Array, Int8Array, Uint16Array,
} as never;

/** The graph inputs a feed must give (graph inputs that are not initializers), with their types and fixed dims. */
export function modelInputs(model: ModelProto): ModelInput[] {
  const inits = new Set(model.graph.initializer.map((t) => t.name));
  return model.graph.input.filter((i) => !inits.has(i.name)).map((i) => {
    const tt = i.type?.tensorType;
    if (!tt) throw new Error(`model input '${i.name}' is not a tensor: mode 'qdq' can only feed tensor inputs`);
    // protobufjs puts defaults on the prototype: only an own dimValue is a fixed dimension.
    const dims = tt.shape ? tt.shape.dim.map((d) => (Object.prototype.hasOwnProperty.call(d, 'dimValue') && d.dimValue !== null && d.dimValue !== undefined ? int64(d.dimValue, `input ${i.name} dim`) : undefined)) : undefined;
    return { name: i.name, elemType: tt.elemType, dims };
  });
}

const shapeText = (dims: readonly (number | undefined)[] | undefined): string => (dims ? `[${dims.map((d) => (d === undefined ? '?' : d)).join(', ')}]` : '(any shape)');

/** Checks one feed value against its model input; returns the checked tensor. */
function checkFeedValue(input: ModelInput, v: unknown, where: string): { type: string; data: ArrayBufferView & { length: number }; dims: number[] } {
  const want = ORT_TYPE[input.elemType];
  if (!want) throw new TypeError(`${where}: model input '${input.name}' has element type ${dataTypeName(input.elemType)}, which quantkit cannot feed`);
  const o = v as { data?: unknown; dims?: unknown; type?: unknown };
  if (v === null || typeof v !== 'object' || !ArrayBuffer.isView(o.data) || !Array.isArray(o.dims)) {
    const got = v !== null && typeof v === 'object' && ('data' in o || 'dims' in o)
      ? `{ data: ${describe(o.data)}, dims: ${describe(o.dims)} } (data must be a TypedArray, ${want.ctor} for this input; dims an array)`
      : describe(v);
    throw new TypeError(`${where}: expected input '${input.name}' to be { data, dims } (or an onnxruntime Tensor) but received ${got}`);
  }
  let data = o.data as ArrayBufferView & { length: number };
  // A float16 input may come as a Float16Array (where the runtime has one): it is fed as the
  // Uint16Array of its bits over the same memory, the form onnxruntime-node takes on every Node.
  if (want.ctor === 'Uint16Array' && typedArrayKind(data) === 'Float16Array') data = new Uint16Array(data.buffer, data.byteOffset, data.length);
  const dims = (o.dims as unknown[]).map((d) => (typeof d === 'bigint' ? Number(d) : d));
  if (!dims.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) throw new TypeError(`${where}: expected input '${input.name}' dims to be non-negative integers but received [${(o.dims as unknown[]).map((d) => (typeof d === 'number' || typeof d === 'bigint' ? String(d) : describe(d))).join(', ')}]`);
  const nd = dims as number[];
  if (data.constructor.name !== want.ctor) {
    throw new TypeError(`${where}: model input '${input.name}' is ${dataTypeName(input.elemType)}: expected its data to be a ${want.ctor} but received a ${data.constructor.name}`);
  }
  if (input.dims) {
    const fits = input.dims.length === nd.length && input.dims.every((d, k) => d === undefined || d === nd[k]);
    if (!fits) throw new RangeError(`${where}: model input '${input.name}' has shape ${shapeText(input.dims)} but the feed's dims are [${nd.join(', ')}]`);
  }
  const n = nd.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new RangeError(`${where}: input '${input.name}' dims [${nd.join(', ')}] need ${n} values but its data holds ${data.length}`);
  return { type: want.type, data, dims: nd };
}

/** Where each checked feed came from ('options.calibration feed 3', 'options.calibration f.npz sample 3'), for error messages. */
const feedWhere = new WeakMap<Feed, string>();

/** Checks a feed object against the model inputs: every input present, no other name, each type and shape fitting. */
export function checkFeed(inputs: readonly ModelInput[], feed: unknown, where: string): Feed {
  if (feed === null || typeof feed !== 'object' || Array.isArray(feed)) throw new TypeError(`${where}: expected a feed object { inputName: { data, dims } } but received ${describe(feed)}`);
  const names = new Set(inputs.map((i) => i.name));
  const expected = inputs.map((i) => `'${i.name}' ${shapeText(i.dims)}`).join(', ');
  for (const k of Object.keys(feed)) {
    if (!names.has(k)) throw new RangeError(`${where}: the feed names '${k}', which is not an input of the model (its inputs: ${expected})`);
  }
  const out: Feed = new Map();
  for (const input of inputs) {
    const v = (feed as Record<string, unknown>)[input.name];
    if (v === undefined) throw new RangeError(`${where}: the feed has no value for model input '${input.name}' ${shapeText(input.dims)} (its inputs: ${expected})`);
    out.set(input.name, checkFeedValue(input, v, where));
  }
  feedWhere.set(out, where);
  return out;
}

/**
 * The feeds of `options.calibration`, checked against the model inputs.
 *
 * - An iterable or async iterable yields feed objects `{ inputName: { data, dims } }` (or
 *   onnxruntime Tensor values): one model run each.
 * - A `.npz` path (read with quantkit's openNpz): one member per model input, named after it.
 *   A member whose rank is the input's rank + 1 is a stack of samples: run `s` feeds
 *   `member[s]`. A member of the input's own rank is split along its first axis, the model's
 *   batch axis: run `s` feeds `member[s:s+1]` (batch 1). Every member must give the same number
 *   of runs. Little-endian, C-order members with the input's element type ('<f4' for float).
 * @throws TypeError/RangeError naming the input, the feed's index (or the npz member) and the
 *   expected shape for a feed that does not fit; Error when there is no feed at all.
 */
export async function* calibrationFeeds(calibration: ModelOptions['calibration'], inputs: readonly ModelInput[]): AsyncGenerator<Feed> {
  if (calibration === undefined) throw new TypeError(`Mode 'qdq' needs options.calibration`);
  let count = 0;
  if (typeof calibration === 'string') {
    for await (const f of npzFeeds(calibration, inputs)) {
      count++;
      yield f;
    }
  } else {
    for await (const f of calibration as AsyncIterable<CalibrationFeed> | Iterable<CalibrationFeed>) {
      yield checkFeed(inputs, f, `options.calibration feed ${count}`);
      count++;
    }
  }
  if (count === 0) throw new Error(`options.calibration gave no feed: mode 'qdq' needs at least one run of the model to calibrate its activations`);
}

async function* npzFeeds(file: string, inputs: readonly ModelInput[]): AsyncGenerator<Feed> {
  let npz: Awaited<ReturnType<typeof openNpz>>;
  try {
    npz = await openNpz(file);
  } catch (e) {
    if (e instanceof Error) e.message = `options.calibration: ${e.message}`;
    throw e;
  }
  try {
    const where = `options.calibration ${file}`;
    const names = new Set(inputs.map((i) => i.name));
    for (const t of npz.tensors) {
      if (!names.has(t.name)) throw new RangeError(`${where}: member '${t.name}' is not an input of the model (its inputs: ${inputs.map((i) => `'${i.name}'`).join(', ')})`);
    }
    let runs: number | undefined;
    const plan = inputs.map((input) => {
      const t = npz.tensors.find((x) => x.name === input.name);
      if (!t) throw new RangeError(`${where}: no member '${input.name}.npy' for model input '${input.name}' ${shapeText(input.dims)}`);
      const want = ORT_TYPE[input.elemType];
      if (!want) throw new TypeError(`${where}: model input '${input.name}' has element type ${dataTypeName(input.elemType)}, which quantkit cannot feed`);
      if (t.type !== NPZ_TYPE[want.type] || (!t.littleEndian && t.type !== 'u8' && t.type !== 'i8' && t.type !== 'bool')) {
        throw new TypeError(`${where}: member '${t.name}' is '${t.storedType}' but model input '${input.name}' is ${dataTypeName(input.elemType)} (expected little-endian '${NPZ_TYPE[want.type]}')`);
      }
      const rank = input.dims?.length;
      const stacked = rank === undefined ? false : t.shape.length === rank + 1;
      if (rank !== undefined && !stacked && t.shape.length !== rank) {
        throw new RangeError(`${where}: member '${t.name}' has shape [${t.shape.join(', ')}]: expected [samples, ...${shapeText(input.dims)}] or ${shapeText(input.dims)} split along its first (batch) axis`);
      }
      if (t.shape.length === 0) throw new RangeError(`${where}: member '${t.name}' is a scalar: expected a first axis of samples`);
      const n = t.shape[0];
      if (runs !== undefined && n !== runs) throw new RangeError(`${where}: member '${t.name}' holds ${n} samples along its first axis but another member holds ${runs}`);
      runs = n;
      const dims = stacked ? t.shape.slice(1) : [1, ...t.shape.slice(1)];
      const elems = dims.reduce((a, b) => a * b, 1);
      return { input, t, dims, elems, type: want.type, ctor: CTORS[want.ctor], itemSize: t.byteLength / Math.max(1, t.elements) };
    });
    for (let s = 0; s < (runs ?? 0); s++) {
      const feed: Record<string, unknown> = {};
      for (const p of plan) {
        const bytes = await npz.readBytes(p.t.name, s * p.elems * p.itemSize, p.elems * p.itemSize);
        const copy = new Uint8Array(bytes.length);
        copy.set(bytes);
        feed[p.input.name] = { data: new p.ctor(copy.buffer, 0, p.elems), dims: p.dims };
      }
      yield checkFeed(inputs, feed, `${where} sample ${s}`);
    }
  } finally {
    await npz.close();
  }
}

/** Observer options of mode 'qdq' (ORT's calibrator defaults where quantkit has the same method). */
export interface RangeMethod {
  method: ModelOptions['method'];
  activationType: 'uint8' | 'int8';
  percentile?: number;
  bins?: number;
}

type TensorObserver = { observe(x: Float32Array): unknown; range(): { min: number; max: number } };

/**
 * A quantkit observer for one tensor. 'minmax': running min and max (ORT MinMaxCalibrater,
 * nanmin/nanmax over batches). 'percentile': ORT's PercentileCalibrater as quantize_static
 * creates it (symmetric, 2048 bins, 99.999). 'entropy': ORT's EntropyCalibrater (128 bins,
 * 128 quantized levels: quantkit's int8 target). 'mse': quantkit's own search for the
 * activation type (ORT has no such method; 2048 bins).
 */
export function makeObserver(m: RangeMethod): TensorObserver {
  switch (m.method) {
    case 'minmax':
      return quantkit.createObserver('minmax') as unknown as TensorObserver;
    case 'percentile':
      return quantkit.createObserver('percentile', { bins: m.bins ?? 2048, percentile: m.percentile ?? 99.999, symmetric: true }) as unknown as TensorObserver;
    case 'entropy':
      return quantkit.createObserver('entropy', { bins: m.bins ?? 128, dtype: 'int8' }) as unknown as TensorObserver;
    case 'mse':
      return quantkit.createObserver('mse', { bins: m.bins ?? 2048, dtype: m.activationType, symmetric: false, convention: 'onnx' }) as unknown as TensorObserver;
  }
}

/**
 * A value inside an If branch to calibrate: the index of its graph in allGraphs order, its name
 * there and its element type (ONNX elem_type, from types.ts elementType).
 */
export interface BranchTensor { scope: number; name: string; elemType: number }

/**
 * A copy of `model` whose graph outputs also name `tensors` (keys: main-graph value names, or
 * keys of `branch` for values inside If branches); returns its bytes and the output that carries
 * each key. A branch value T is carried outward one If at a time: it becomes an extra output of
 * its branch, the other branch gets an extra output of the same element type (a Constant of
 * shape [0]: If outputs may differ in shape between branches), and the If node an extra output,
 * which is in turn a value of the enclosing graph, up to the main graph (T already an output of
 * its branch goes out through an Identity: the If's existing output holds the other branch's
 * value on the runs that take it). On a run where T's branch does not run, its output is that
 * empty tensor. New names come from the copy's own Names (the model's names are not taken).
 * @throws Error (internal) when a value sits in a Loop or Scan body (they cannot carry it out).
 */
export function exposeTensors(model: ModelProto, tensors: readonly string[], branch?: ReadonlyMap<string, BranchTensor>): { bytes: Uint8Array; outputs: Map<string, string> } {
  const copy = decodeModel(encodeModel(model), 'the model');
  const have = new Set(copy.graph.output.map((o) => o.name));
  const outputs = new Map<string, string>();
  const scopes = branch && branch.size > 0 ? allGraphs(copy) : [];
  const names = new Names(copy);
  const typed = (name: string, elemType: number): ValueInfoProto => ({ name, type: { tensorType: { elemType } } });
  for (const key of tensors) {
    const ref = branch?.get(key);
    let name = key;
    if (ref) {
      let s = scopes[ref.scope];
      name = ref.name;
      while (s.parent) {
        const parent = s.parent;
        const owner = parent.graph.node.find((n) => n.attribute.some((a) => a.g === s.graph));
        if (!owner || owner.opType !== 'If' || (owner.domain ?? '') !== '') throw new Error(`internal: tensor '${ref.name}' of ${scopes[ref.scope].path} is not inside an If branch`);
        const other = owner.attribute.find((a) => a.g && a.g !== s.graph && (a.name === 'then_branch' || a.name === 'else_branch'))!.g!;
        let out = name;
        if (s.graph.output.some((o) => o.name === name)) {
          out = names.make(`${name}_calibration`);
          s.graph.node.push(makeNode('Identity', [name], [out], out));
        }
        const empty = names.make(`${name}_untaken`);
        other.node.push(makeNode('Constant', [], [empty], empty, [attrTensor('value', makeTensor(empty, ref.elemType, [0], new Uint8Array(0)))]));
        other.output.push(typed(empty, ref.elemType));
        s.graph.output.push(typed(out, ref.elemType));
        name = names.make(`${name}_calibration`);
        owner.output.push(name);
        s = parent;
      }
    }
    outputs.set(key, name);
    if (!have.has(name)) {
      copy.graph.output.push({ name });
      have.add(name);
    }
  }
  return { bytes: encodeModel(copy), outputs };
}

/** What calibrate() found. */
export interface Calibration {
  /** Each calibrated tensor's range (ORT's TensorData range_value). */
  ranges: Map<string, { min: number; max: number }>;
  /** The ORT type of every candidate tensor the first run produced ('float32', 'int64', …). */
  types: Map<string, string>;
  /** Model runs. */
  runs: number;
  /** Tensors inside If branches that never held a value: their branch never ran during calibration. */
  untaken: Set<string>;
}

/** NaN values in a float feed value (float32, float64, float16 bits): their count and the first's index. */
function nanCount(v: { type: string; data: ArrayBufferView & { length: number } }): { count: number; first: number } {
  let count = 0;
  let first = -1;
  if (v.type === 'float32' || v.type === 'float64') {
    const a = v.data as Float32Array;
    for (let i = 0; i < a.length; i++) if (a[i] !== a[i] && count++ === 0) first = i;
  } else if (v.type === 'float16') {
    const a = v.data as Uint16Array;
    for (let i = 0; i < a.length; i++) if ((a[i] & 0x7c00) === 0x7c00 && (a[i] & 0x3ff) !== 0 && count++ === 0) first = i;
  }
  return { count, first };
}

/** A flat index as coordinates in `dims` ('[0, 2, 5]'). */
function coords(i: number, dims: readonly number[]): string {
  const c = new Array<number>(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) {
    c[k] = dims[k] > 0 ? i % dims[k] : 0;
    i = dims[k] > 0 ? Math.floor(i / dims[k]) : 0;
  }
  return `[${c.join(', ')}]`;
}

/**
 * Runs the model on every feed and observes the tensors to calibrate.
 *
 * The first run exposes every candidate (node inputs and outputs that are not constants or
 * graph inputs: graph inputs are read from the feeds) to learn their types; `choose(types)`
 * then names the tensors to calibrate (a subset), and later runs expose only those. The
 * sessions log only fatal messages (logSeverityLevel 4): their errors are reported here.
 * @param candidates main-graph value names, and keys of `branch`.
 * @param branch values inside If branches, by key: exposed through their If nodes (exposeTensors);
 *   a run where such a value's branch did not run gives an empty tensor, which is not observed.
 *   One that never held a value is not an error: it is returned in `untaken`, without a range.
 * @throws RangeError naming the tensor, the run and the feed (or npz sample) and the element
 *   when a batch holds ±Infinity (no finite range); Error naming the tensors that never saw a
 *   finite value (only NaN or empty batches) and the feed inputs that held NaN (a RangeError
 *   naming the feed, the input and its zero dimension when feeds were empty); Error naming
 *   the run and feed when ONNX Runtime fails on it (RangeError naming the input and its dims
 *   when the feed has a zero-size dimension); the errors of calibrationFeeds and loadOrt.
 */
export async function calibrate(
  model: ModelProto,
  candidates: readonly string[],
  calibration: ModelOptions['calibration'],
  method: RangeMethod,
  choose: (types: Map<string, string>) => string[],
  progress?: (runs: number) => void,
  branch?: ReadonlyMap<string, BranchTensor>,
  predicted?: ReadonlyMap<string, string>,
): Promise<Calibration> {
  const inputs = modelInputs(model);
  const inputNames = new Set(inputs.map((i) => i.name));
  const ort = loadOrt(`mode 'qdq'`);
  // The feeds' generator is closed on every path below (a .npz stays open until it is: trial finding).
  const feeds = calibrationFeeds(calibration, inputs);
  const first = await feeds.next();
  if (first.done) throw new Error('internal: calibrationFeeds ended without a feed');
  const exposed = candidates.filter((c) => !inputNames.has(c));
  let outputOf = new Map<string, string>(); // key → the output of the calibration copy that carries it
  let exposedNow = 0; // how many tensors the current session exposes
  const create = (names: readonly string[]): Promise<OrtSession> => {
    const { bytes, outputs } = exposeTensors(model, names, branch);
    outputOf = outputs;
    exposedNow = names.length;
    return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', logSeverityLevel: 4 });
  };
  const toOrt = (feed: Feed): Record<string, OrtTensor> => Object.fromEntries([...feed].map(([k, v]) => [k, new ort.Tensor(v.type, v.data, v.dims)]));
  let runs = 0;
  const where = (feed: Feed): string => `run ${runs} (${feedWhere.get(feed) ?? `feed ${runs}`})`;
  const run = async (s: OrtSession, feed: Feed): Promise<Record<string, OrtTensor>> => {
    try {
      return await s.run(toOrt(feed));
    } catch (e) {
      const msg = String((e as Error)?.message ?? e).trim();
      const empty = [...feed].find(([, v]) => v.dims.includes(0));
      if (empty) throw new RangeError(`${feedWhere.get(feed) ?? `feed ${runs}`}: input '${empty[0]}' has dims [${empty[1].dims.join(', ')}], a zero-size tensor, and ONNX Runtime cannot run the model on it (calibration run ${runs}: ${msg})`);
      throw new Error(`calibration ${where(feed)}: ONNX Runtime failed to run the model: ${msg}`);
    }
  };
  // Feed inputs holding NaN, and zero-size ones: named when a tensor never sees a finite value.
  const nanInputs: string[] = [];
  const emptyInputs: string[] = [];
  const noteNaN = (feed: Feed): void => {
    for (const [k, v] of feed) {
      const zero = v.dims.indexOf(0);
      if (zero >= 0 && emptyInputs.length < 3) emptyInputs.push(`${feedWhere.get(feed) ?? `feed ${runs}`}: input '${k}' has dims [${v.dims.join(', ')}]: dimension ${zero} is 0, a zero-size tensor`);
    }
    for (const [k, v] of feed) {
      if (nanInputs.length >= 3) return;
      const { count, first: at } = nanCount(v);
      if (count > 0) nanInputs.push(`input '${k}' of ${feedWhere.get(feed) ?? `feed ${runs}`} is ${count === v.data.length ? 'all NaN' : `NaN at ${coords(at, v.dims)} (${count} of ${v.data.length} values)`}`);
    }
  };

  let session: OrtSession | undefined;
  const types = new Map<string, string>();
  const observers = new Map<string, TensorObserver>();
  const held = new Set<string>(); // branch tensors that held a value on some run
  try {
    // With every candidate's type predicted (types.ts), one session exposes only the chosen
    // tensors; the first run checks the prediction for them, and any miss falls back to a
    // first session that exposes every candidate to read the types from ONNX Runtime.
    let chosen: string[] | undefined;
    let out: Record<string, OrtTensor> | undefined;
    if (predicted && exposed.every((c) => predicted.has(c))) {
      const guess = choose(new Map(predicted));
      session = await create(guess.filter((t) => !inputNames.has(t)));
      const o = await run(session, first.value);
      if (guess.every((t) => (inputNames.has(t) ? first.value.get(t)?.type : o[outputOf.get(t) ?? t]?.type) === predicted.get(t))) {
        chosen = guess;
        out = o;
        for (const [k, v] of predicted) types.set(k, v);
        for (const [k, v] of first.value) types.set(k, v.type);
      } else {
        await session.release();
        session = undefined;
      }
    }
    if (!chosen || !out) {
      session = await create(exposed);
      out = await run(session, first.value);
      for (const [k, v] of first.value) types.set(k, v.type);
      for (const c of exposed) {
        const v = out[outputOf.get(c) ?? c];
        if (v) types.set(c, v.type);
      }
      chosen = choose(types);
    }
    for (const t of chosen) observers.set(t, makeObserver(method));
    const observe = (feed: Feed, results: Record<string, OrtTensor>): void => {
      noteNaN(feed);
      for (const [t, obs] of observers) {
        const v = inputNames.has(t) ? feed.get(t) : results[outputOf.get(t) ?? t];
        if (!v) throw new Error(`internal: calibration run produced no tensor '${t}'`);
        if (v.type !== 'float32') continue;
        if (branch?.has(t)) {
          if (v.data.length === 0) continue; // its If branch did not run
          held.add(t);
        }
        try {
          obs.observe(v.data as Float32Array);
        } catch (e) {
          const a = v.data as Float32Array;
          let i = 0;
          while (i < a.length && (Number.isFinite(a[i]) || a[i] !== a[i])) i++;
          if (i === a.length) throw new Error(`calibrating tensor '${t}' on ${where(feed)}: ${(e as Error).message}`);
          const what = inputNames.has(t) ? `model input '${t}'` : `tensor '${t}'`;
          throw new RangeError(`calibrating ${what} on ${where(feed)}: expected finite float32 values (NaN is ignored) but '${t}'${coords(i, v.dims)} = ${a[i]}: ±Infinity has no finite range to quantize`);
        }
      }
      runs++;
      progress?.(runs);
    };
    observe(first.value, out);
    const keep = chosen.filter((t) => !inputNames.has(t));
    let current = session!;
    if (keep.length < exposedNow) {
      await current.release();
      session = undefined;
      session = current = await create(keep);
    }
    for await (const feed of feeds) observe(feed, await run(current, feed));
  } finally {
    await session?.release();
    await feeds.return(undefined);
  }
  const ranges = new Map<string, { min: number; max: number }>();
  const rangeless: string[] = [];
  const untaken = new Set<string>();
  for (const [t, obs] of observers) {
    if (branch?.has(t) && !held.has(t)) {
      untaken.add(t);
      continue;
    }
    try {
      const r = obs.range();
      ranges.set(t, { min: r.min, max: r.max });
    } catch {
      rangeless.push(t); // only empty or all-NaN batches
    }
  }
  if (rangeless.length > 0) {
    const list = rangeless.slice(0, 5).map((t) => `'${t}'`).join(', ') + (rangeless.length > 5 ? ` and ${rangeless.length - 5} more` : '');
    const cause = (nanInputs.length > 0 ? `; the calibration inputs hold NaN: ${nanInputs.join('; ')}${nanInputs.length >= 3 ? '; …' : ''}` : '')
      + (emptyInputs.length > 0 ? `; the calibration inputs are empty: ${emptyInputs.join('; ')}${emptyInputs.length >= 3 ? '; …' : ''}` : '');
    // Zero-size feeds (a batch of 0 in a symbolic dim, which ONNX Runtime runs): a RangeError, as when ONNX Runtime refuses one.
    const E = emptyInputs.length > 0 ? RangeError : Error;
    throw new E(`calibrating ${rangeless.length === 1 ? 'tensor' : 'tensors'} ${list}: no finite value in ${runs} calibration ${runs === 1 ? 'run' : 'runs'} (only NaN or empty batches), so there is no range to quantize with${cause}`);
  }
  return { ranges, types, runs, untaken };
}
