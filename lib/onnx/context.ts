// What every mode gets: the model, fresh names, the checked options, the exclusion rule, and
// the report it fills (nodes changed, nodes skipped and why).
import picomatch from 'picomatch';
import type { ModelProto, NodeProto } from './proto';
import { nodeLabel, type GraphScope, type Names } from './graph';

/** The modes of quantizeModel (README "ONNX models"). */
export const MODEL_MODES = ['dynamic', 'qdq', 'weights-only', 'matmul-nbits', 'fp16'] as const;
export type ModelMode = (typeof MODEL_MODES)[number];

/**
 * One input's value in a calibration feed: data of the input's element type with its shape
 * (float16 data as a Uint16Array of bits or a Float16Array), or an onnxruntime Tensor.
 */
export type CalibrationValue =
  | { data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | (ArrayBufferView & { readonly [Symbol.toStringTag]: 'Float16Array' }); dims: readonly number[] }
  | { readonly type: string; readonly data: unknown; readonly dims: readonly number[] };
/** One calibration feed (one model run): input name -> value. */
export type CalibrationFeed = Record<string, CalibrationValue>;

/** The options of quantizeModel, after checks (see quantize-model.ts for each one's meaning). */
export interface ModelOptions {
  mode: ModelMode;
  perChannel: boolean;
  weightType?: 'int8' | 'uint8' | 'int4' | 'uint4';
  activationType: 'uint8' | 'int8';
  blockSize?: number;
  symmetric?: boolean;
  reduceRange: boolean;
  calibration?: string | Iterable<CalibrationFeed> | AsyncIterable<CalibrationFeed>;
  method: 'minmax' | 'percentile' | 'entropy' | 'mse';
  percentile?: number;
  bins?: number;
  accuracyLevel?: number;
  keepIoTypes: boolean;
  keepFloat32Ops: readonly string[];
  excludeOp: readonly string[];
  excludeNode: readonly string[];
  externalDataDir?: string;
}

/** A node the mode rewrote. */
export interface ChangedNode {
  /** The node's name (or op type and first output when unnamed). */
  node: string;
  opType: string;
  /** What it became: 'MatMulInteger', 'DequantizeLinear(int4, block 32) → MatMul', … */
  as: string;
  /** Which graph: 'main' or the subgraph path. */
  graph: string;
}

/** A node the mode could have rewritten but did not, and why. */
export interface SkippedNode {
  node: string;
  opType: string;
  reason: string;
  graph: string;
}

/** A float32 tensor whose float16 conversion clamped values (mode 'fp16', onnxconverter-common's rule). */
export interface ClampedTensor {
  /** The tensor's name (an initializer, or the Constant / ConstantOfShape node's label). */
  tensor: string;
  graph: string;
  /** Values with 0 < |x| < 1e-7, written as ±1e-7 (float16 would flush or denormalize them). */
  small: number;
  /** Finite values with |x| > 65504, written as ±65504 (float16 would make them ±Infinity). */
  large: number;
}

export type ModelProgress = (done: number, total: number, label: string) => void;

export interface ModeContext {
  model: ModelProto;
  names: Names;
  opts: ModelOptions;
  /** Whether --exclude-op / --exclude-node keep `node` as it is. */
  isExcluded(node: NodeProto): boolean;
  /** Which exclusion keeps `node` ('excluded by excludeOp 'Conv''), for `skipped`; undefined when none. */
  excludedBy(node: NodeProto): string | undefined;
  changed(node: NodeProto, scope: GraphScope, as: string): void;
  skipped(node: NodeProto, scope: GraphScope, reason: string): void;
  /** Records a tensor whose float16 conversion clamped values (nothing when both counts are 0). */
  clamped(tensor: string, scope: GraphScope, small: number, large: number): void;
  progress: ModelProgress;
  /** Filled by the front: the report so far. */
  readonly report: { changed: ChangedNode[]; skipped: SkippedNode[]; clamped: ClampedTensor[] };
}

export function makeContext(model: ModelProto, names: Names, opts: ModelOptions, progress: ModelProgress): ModeContext {
  const report = { changed: [] as ChangedNode[], skipped: [] as SkippedNode[], clamped: [] as ClampedTensor[] };
  const excludedOps = new Set(opts.excludeOp);
  // Node names are matched exactly or as picomatch globs ('**/stft/Conv'): exported names are
  // long paths, and subgraph nodes repeat one name per branch.
  const excludedNodes = new Set(opts.excludeNode);
  const globs = opts.excludeNode.filter((g) => picomatch.scan(g).isGlob).map((g) => picomatch(g, { dot: true }));
  const excludedBy = (node: NodeProto): string | undefined => {
    if (excludedOps.has(node.opType)) return `excluded by excludeOp '${node.opType}'`;
    if (!node.name) return undefined;
    if (excludedNodes.has(node.name)) return `excluded by excludeNode '${node.name}'`;
    const k = globs.findIndex((m) => m(node.name!));
    return k >= 0 ? `excluded by excludeNode '${opts.excludeNode.filter((g) => picomatch.scan(g).isGlob)[k]}'` : undefined;
  };
  return {
    model,
    names,
    opts,
    report,
    progress,
    isExcluded: (node) => excludedBy(node) !== undefined,
    excludedBy,
    changed: (node, scope, as) => report.changed.push({ node: nodeLabel(node), opType: node.opType, as, graph: scope.path }),
    skipped: (node, scope, reason) => report.skipped.push({ node: nodeLabel(node), opType: node.opType, reason, graph: scope.path }),
    clamped: (tensor, scope, small, large) => {
      if (small > 0 || large > 0) report.clamped.push({ tensor, graph: scope.path, small, large });
    },
  };
}
