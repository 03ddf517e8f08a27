// quantizeModel: read an ONNX model, rewrite it in one of the modes, write it (README "ONNX
// models"). The modes live in modes/, the file handling in model.ts, opset upgrades in opset.ts.
import { checkOptionsObject } from '../calibrate/validate';
import { describe } from '../core/validate';
import { MODEL_MODES, makeContext, type CalibrationFeed, type ChangedNode, type ModelMode, type ModelOptions, type ModelProgress, type SkippedNode, type ClampedTensor } from './context';
import { loadModel, saveModel } from './model';
import { checkNotAnInput, checkOutput } from '../io/file';
import { DT, encodeModel } from './proto';
import picomatch from 'picomatch';
import { allGraphs, Names, opsetOf } from './graph';
import type { ModelProto } from './proto';
import { MAX_UPGRADE_OPSET, upgradeOpset } from './opset';
import { MODES } from './modes';
import { NBITS_BLOCK_SIZES } from './modes/matmul-nbits';
import { foldBatchNorms } from './fold';

/** Options of quantizeModel. */
export interface QuantizeModelOptions {
  /** 'dynamic' | 'qdq' | 'weights-only' | 'matmul-nbits' | 'fp16' (required). */
  mode: ModelMode;
  /** Write the model here (atomically, with its data file when it has external data); without it the bytes are returned. */
  output?: string;
  /** Weights per output channel (dynamic: default false, as ONNX Runtime; qdq, and weights-only without blockSize: default true). */
  perChannel?: boolean;
  /** dynamic: 'int8' | 'uint8' (default int8, uint8 when the model has Conv); weights-only: also 'int4' | 'uint4' (default int8). */
  weightType?: 'int8' | 'uint8' | 'int4' | 'uint4';
  /** qdq: the activations' type (default 'uint8'). */
  activationType?: 'uint8' | 'int8';
  /** weights-only: blocked along the input axis (opset 21 block_size, ≥ 16, power of 2); matmul-nbits: a power of 2 from 16 to 256 (default 128, ORT's; transformers.js' q4 uses 32). */
  blockSize?: number;
  /** Weights' zero point fixed at the middle of the range (defaults per mode, see the README). */
  symmetric?: boolean;
  /** ONNX Runtime's reduce_range: 7-bit weights (uint8 [0, 127], int8 [−64, 64]). Default false. */
  reduceRange?: boolean;
  /** qdq: the calibration inputs: a .npz path of named inputs (one batch per member prefix), or an iterable of feeds. */
  calibration?: string | Iterable<CalibrationFeed> | AsyncIterable<CalibrationFeed>;
  /** qdq: the activation observer (default 'minmax'). */
  method?: 'minmax' | 'percentile' | 'entropy' | 'mse';
  /** qdq with method 'percentile': the percentile (default 99.999). */
  percentile?: number;
  /** qdq histogram methods: bins (default 2048 for 'percentile' and 'mse', 128 for 'entropy', ONNX Runtime's defaults; at 128 bins the entropy search often keeps the whole range, as 'minmax' does). */
  bins?: number;
  /** matmul-nbits: MatMulNBits' accuracy_level (0–4, default 0: unset). */
  accuracyLevel?: number;
  /** fp16: keep float32 graph inputs and outputs (default true). */
  keepIoTypes?: boolean;
  /** fp16: more op types to keep in float32, beyond the default block list (one op type may be given as a string). */
  keepFloat32Ops?: string | readonly string[];
  /** Op types to leave as they are (one may be given as a string). */
  excludeOp?: string | readonly string[];
  /** Node names to leave as they are: exact names or picomatch globs ('**\/stft/Conv'); one may be given as a string. */
  excludeNode?: string | readonly string[];
  /** Fold each BatchNormalization into the Conv before it first, as ONNX Runtime's quantization pre-processing does (default true, but for matmul-nbits, which leaves Conv alone). */
  foldBatchNorm?: boolean;
  /** Upgrade the default-domain opset to this version first (default: the lowest the mode needs, when the model's is lower). */
  opset?: number;
  /** Large tensors in a data file next to the output: true, false, or 'auto' (default: when the input had external data or the model needs it). */
  externalData?: boolean | 'auto';
  /** Where the input's external data files are (default: the model's folder; needed for bytes input with external data). */
  externalDataDir?: string;
  /** Progress: (done, total, label). */
  onProgress?: ModelProgress;
}

/** What quantizeModel did. */
export interface QuantizeModelResult {
  mode: ModelMode;
  /** The model's bytes, when no output was given. */
  bytes?: Uint8Array;
  /** The output path, when given; the data file's path when one was written. */
  output?: string;
  dataFile?: string;
  /** Bytes in (model plus external data) and out. */
  sizeBefore: number;
  sizeAfter: number;
  /** The default-domain opset before and after (an upgrade when they differ). */
  opsetBefore: number;
  opsetAfter: number;
  /** BatchNormalization nodes folded into the Conv before them. */
  batchNormsFolded: number;
  /** Nodes rewritten, one row each. */
  nodesChanged: number;
  changed: ChangedNode[];
  /** Nodes of the kinds the mode rewrites that it left as they were, and why. */
  skipped: SkippedNode[];
  /** Mode 'fp16': the tensors whose conversion clamped values (|x| < 1e-7 or > 65504), with counts; [] in the other modes. */
  clamped: ClampedTensor[];
}

const KEYS = ['mode', 'output', 'perChannel', 'weightType', 'activationType', 'blockSize', 'symmetric', 'reduceRange', 'calibration', 'method', 'percentile', 'bins', 'accuracyLevel', 'keepIoTypes', 'keepFloat32Ops', 'excludeOp', 'excludeNode', 'opset', 'externalData', 'externalDataDir', 'onProgress', 'foldBatchNorm'];

function oneOf<T extends string>(v: unknown, allowed: readonly T[], name: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw (typeof v === 'string' ? RangeError : TypeError)(`Expected ${name} to be one of ${allowed.map((a) => `'${a}'`).join(', ')} but received ${describe(v)}`) as Error;
  }
  return v as T;
}
const bool = (v: unknown, name: string, dflt: boolean): boolean => {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`Expected ${name} to be a boolean but received ${describe(v)}`);
  return v;
};
const strings = (v: unknown, name: string): string[] => {
  if (v === undefined) return [];
  const l = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(l) || !l.every((s) => typeof s === 'string' && s.length > 0)) throw new TypeError(`Expected ${name} to be an array of non-empty strings but received ${describe(v)}`);
  return l as string[];
};
const int = (v: unknown, name: string, lo: number, hi: number): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new TypeError(`Expected ${name} to be a number but received ${describe(v)}`);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`Expected ${name} to be an integer in [${lo}, ${hi}] but received ${describe(v)}`);
  return v;
};

/** Checks quantizeModel's options; every error names the option and the value. */
export function checkModelOptions(raw: unknown): { opts: ModelOptions; output?: string; opset?: number; externalData: boolean | 'auto'; onProgress?: ModelProgress; foldBatchNorm: boolean } {
  if (raw === undefined) throw new TypeError(`Expected options with a mode (${MODEL_MODES.map((m) => `'${m}'`).join(', ')}) but received undefined`);
  const o = checkOptionsObject(raw, KEYS, 'options');
  const mode = oneOf(o.mode, MODEL_MODES, 'options.mode');
  const only = (key: string, modes: readonly ModelMode[]): void => {
    if (o[key] !== undefined && !modes.includes(mode)) throw new TypeError(`options.${key} applies to mode ${modes.map((m) => `'${m}'`).join(' or ')}, not '${mode}'`);
  };
  only('perChannel', ['dynamic', 'qdq', 'weights-only']);
  only('weightType', ['dynamic', 'weights-only']);
  only('activationType', ['qdq']);
  only('blockSize', ['weights-only', 'matmul-nbits']);
  only('symmetric', ['dynamic', 'weights-only', 'matmul-nbits']);
  only('reduceRange', ['dynamic', 'qdq', 'weights-only']);
  only('calibration', ['qdq']);
  only('method', ['qdq']);
  only('percentile', ['qdq']);
  only('bins', ['qdq']);
  only('accuracyLevel', ['matmul-nbits']);
  only('keepIoTypes', ['fp16']);
  only('keepFloat32Ops', ['fp16']);
  if (o.output !== undefined && (typeof o.output !== 'string' || o.output.length === 0)) throw new TypeError(`Expected options.output to be a path but received ${describe(o.output)}`);
  if (o.externalDataDir !== undefined && (typeof o.externalDataDir !== 'string' || o.externalDataDir.length === 0)) throw new TypeError(`Expected options.externalDataDir to be a folder path but received ${describe(o.externalDataDir)}`);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError(`Expected options.onProgress to be a function but received ${describe(o.onProgress)}`);
  if (o.externalData !== undefined && o.externalData !== 'auto' && typeof o.externalData !== 'boolean') throw new TypeError(`Expected options.externalData to be true, false or 'auto' but received ${describe(o.externalData)}`);
  const weightTypes = mode === 'dynamic' ? (['int8', 'uint8'] as const) : (['int8', 'uint8', 'int4', 'uint4'] as const);
  const weightType = o.weightType === undefined ? undefined : oneOf(o.weightType, weightTypes, 'options.weightType');
  const method = o.method === undefined ? 'minmax' : oneOf(o.method, ['minmax', 'percentile', 'entropy', 'mse'] as const, 'options.method');
  if (o.percentile !== undefined && method !== 'percentile') throw new TypeError(`options.percentile applies to method 'percentile', not '${method}'`);
  if (o.bins !== undefined && method === 'minmax') throw new TypeError(`options.bins applies to the histogram methods ('percentile', 'entropy', 'mse'), not 'minmax'`);
  if (o.percentile !== undefined && (typeof o.percentile !== 'number' || !(o.percentile > 50 && o.percentile <= 100))) throw new RangeError(`Expected options.percentile to be a number in (50, 100] but received ${describe(o.percentile)}`);
  const blockSize = int(o.blockSize, 'options.blockSize', 16, 2 ** 20);
  if (blockSize !== undefined && (blockSize & (blockSize - 1)) !== 0) throw new RangeError(`Expected options.blockSize to be a power of 2 (16, 32, 64, 128, …) but received ${blockSize}`);
  if (mode === 'qdq' && o.calibration === undefined) throw new TypeError(`Mode 'qdq' needs options.calibration: a .npz of named model inputs, or an iterable of feeds ({ inputName: { data, dims } })`);
  const calibration = o.calibration;
  if (calibration !== undefined && typeof calibration !== 'string') {
    const c = calibration as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
    if (calibration === null || typeof calibration !== 'object' || (typeof c[Symbol.iterator] !== 'function' && typeof c[Symbol.asyncIterator] !== 'function')) {
      throw new TypeError(`Expected options.calibration to be a .npz path or an iterable of feeds but received ${describe(calibration)}`);
    }
  }
  if (blockSize !== undefined && o.perChannel !== undefined) throw new TypeError(`options.blockSize and options.perChannel: ${String(o.perChannel)} exclude each other (blocked parameters are per block along the input axis)`);
  if (mode === 'matmul-nbits' && blockSize !== undefined && !(NBITS_BLOCK_SIZES as readonly number[]).includes(blockSize)) {
    throw new RangeError(`Expected options.blockSize for mode 'matmul-nbits' to be one of ${NBITS_BLOCK_SIZES.join(', ')} (the block sizes ONNX Runtime's MLAS quantizes) but received ${blockSize}`);
  }
  const opts: ModelOptions = {
    mode,
    perChannel: bool(o.perChannel, 'options.perChannel', mode === 'qdq' || (mode === 'weights-only' && blockSize === undefined)),
    weightType,
    activationType: o.activationType === undefined ? 'uint8' : oneOf(o.activationType, ['uint8', 'int8'] as const, 'options.activationType'),
    blockSize,
    symmetric: o.symmetric === undefined ? undefined : bool(o.symmetric, 'options.symmetric', false),
    reduceRange: bool(o.reduceRange, 'options.reduceRange', false),
    calibration: calibration as ModelOptions['calibration'],
    method,
    percentile: o.percentile as number | undefined,
    bins: int(o.bins, 'options.bins', 16, 4096),
    accuracyLevel: int(o.accuracyLevel, 'options.accuracyLevel', 0, 4),
    keepIoTypes: bool(o.keepIoTypes, 'options.keepIoTypes', true),
    keepFloat32Ops: strings(o.keepFloat32Ops, 'options.keepFloat32Ops'),
    excludeOp: strings(o.excludeOp, 'options.excludeOp'),
    excludeNode: strings(o.excludeNode, 'options.excludeNode'),
    externalDataDir: o.externalDataDir as string | undefined,
  };
  const opset = int(o.opset, 'options.opset', 7, MAX_UPGRADE_OPSET);
  const need = MODES[mode].minOpset(opts);
  if (opset !== undefined && opset < need.opset) throw new RangeError(`Expected options.opset to be at least ${need.opset}, which mode '${mode}' needs (${need.why}), but received ${opset}`);
  return { foldBatchNorm: bool(o.foldBatchNorm, 'options.foldBatchNorm', mode !== 'matmul-nbits'), opts, output: o.output as string | undefined, opset, externalData: (o.externalData as boolean | 'auto' | undefined) ?? 'auto', onProgress: o.onProgress as ModelProgress | undefined };
}

/** ONNX's element type numbers (TensorProto.DataType, 0 UNDEFINED excluded). */
const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(DT));

/** Inputs the rewritten operators must have (ONNX's schemas: X and W/B; BatchNormalization's five). */
const REQUIRED_INPUTS: Record<string, number> = { MatMul: 2, Gemm: 2, Conv: 2, ConvTranspose: 2, BatchNormalization: 5 };

/**
 * The structure every mode relies on: each node has an op type and a first output, and the
 * operators the modes rewrite have their required inputs. A malformed model is an Error naming
 * the node, before anything is rewritten.
 */
function checkNodes(m: ModelProto, what: string): void {
  for (const { graph, path } of allGraphs(m)) {
    for (const t of graph.initializer) {
      if (!KNOWN_TYPES.has(t.dataType)) throw new Error(`${what}: initializer ${t.name}${path === 'main' ? '' : ` of ${path}`} has data_type ${t.dataType}, which is no ONNX element type: the model is malformed`);
    }
    graph.node.forEach((n, k) => {
      const label = n.name ? `node ${n.name}` : `node #${k}${path === 'main' ? '' : ` of ${path}`}`;
      if (typeof n.opType !== 'string' || n.opType === '') throw new Error(`${what}: ${label} has no op_type: the model is malformed`);
      if (!n.output[0]) throw new Error(`${what}: ${label} (${n.opType}) has no output: the model is malformed`);
      const need = (n.domain ?? '') === '' ? REQUIRED_INPUTS[n.opType] ?? 0 : 0;
      for (let i = 0; i < need; i++) if (!n.input[i]) throw new Error(`${what}: ${label} (${n.opType}) has no input ${i}; ONNX's ${n.opType} needs ${need}: the model is malformed`);
    });
  }
}

/** An exclusion that matches no node is a mistake (a misspelt op type or name): an Error naming it. */
function checkExclusions(m: ModelProto, opts: ModelOptions, what: string): void {
  const ops = new Set<string>();
  const names: string[] = [];
  for (const { graph } of allGraphs(m)) {
    for (const n of graph.node) {
      ops.add(n.opType);
      if (n.name) names.push(n.name);
    }
  }
  for (const [key, list] of [['excludeOp', opts.excludeOp], ['keepFloat32Ops', opts.keepFloat32Ops]] as const) {
    for (const op of list) {
      if (!ops.has(op)) throw new Error(`options.${key} '${op}' matches no node of ${what} (its op types: ${[...ops].sort().join(', ')})`);
    }
  }
  for (const pattern of opts.excludeNode) {
    const match = picomatch.scan(pattern).isGlob ? picomatch(pattern, { dot: true }) : (n: string) => n === pattern;
    if (!names.some((n) => match(n))) {
      const like = names.length ? `names look like ${names.slice(0, 3).map((n) => `'${n}'`).join(', ')}${names.length > 3 ? ', …' : ''}` : 'its nodes have no names';
      throw new Error(`options.excludeNode '${pattern}' matches no node name of ${what} (${like})`);
    }
  }
}

/**
 * Quantizes an ONNX model (README "ONNX models"): `model` is a path or the model's bytes; with
 * `options.output` the result is written there atomically, else its bytes are returned.
 * @throws TypeError/RangeError naming the option for bad options; Error for a file that is not
 * an ONNX model, missing external data, an opset the mode cannot reach, or a node that cannot
 * be rewritten; nothing is written then.
 */
export async function quantizeModel(model: string | Uint8Array, options: QuantizeModelOptions): Promise<QuantizeModelResult> {
  const { opts, output, opset, externalData, onProgress, foldBatchNorm } = checkModelOptions(options);
  // OUT before any work: not an input (the model, the calibration file), a writable file in a folder that exists.
  const calibrationFile = typeof opts.calibration === 'string' ? [opts.calibration] : [];
  if (output !== undefined) checkOutput(output, [...(typeof model === 'string' ? [model] : []), ...calibrationFile]);
  const loaded = await loadModel(model, opts.externalDataDir);
  if (output !== undefined) checkNotAnInput(output, loaded.externalFiles);
  const m = loaded.model;
  const what = loaded.file ?? 'the model';
  const before = opsetOf(m, '');
  if (before === undefined) throw new Error(`${what} imports no default-domain (ai.onnx) opset`);
  const impl = MODES[opts.mode];
  const need = impl.minOpset(opts);
  const target = Math.max(opset ?? 0, before < need.opset ? need.opset : 0);
  if (opset !== undefined && opset < before) throw new RangeError(`Expected options.opset to be at least the model's opset ${before} (quantkit upgrades, never downgrades) but received ${opset}`);
  checkNodes(m, what);
  if (target > before) upgradeOpset(m, target, `${what} (opset ${before}; mode '${opts.mode}' needs ${need.opset}: ${need.why})`);
  checkExclusions(m, opts, what);
  const ctx = makeContext(m, new Names(m), opts, onProgress ?? (() => undefined));
  const batchNormsFolded = foldBatchNorm ? foldBatchNorms(ctx) : 0;
  await impl.run(ctx);
  const result: QuantizeModelResult = {
    mode: opts.mode,
    sizeBefore: loaded.sizeBytes,
    sizeAfter: 0,
    opsetBefore: before,
    opsetAfter: opsetOf(m, '') ?? before,
    batchNormsFolded,
    nodesChanged: ctx.report.changed.length,
    changed: ctx.report.changed,
    skipped: ctx.report.skipped,
    clamped: ctx.report.clamped,
  };
  if (output !== undefined) {
    const inputs = [...(loaded.file ? [loaded.file] : []), ...loaded.externalFiles];
    const saved = await saveModel(m, output, { externalData, inputs, hadExternalData: loaded.hadExternalData });
    result.output = output;
    result.sizeAfter = saved.bytes;
    if (saved.dataFile) result.dataFile = saved.dataFile;
  } else {
    if (externalData === true) throw new TypeError('options.externalData: true needs options.output (a data file is written next to it)');
    result.bytes = encodeModel(m);
    result.sizeAfter = result.bytes.length;
  }
  return result;
}
