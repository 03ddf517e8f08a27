// Mode 'qdq': static quantization in QDQ form from calibration inputs, as ONNX Runtime's
// quantize_static(quant_format=QDQ) does it (onnxruntime/python/tools/quantization/
// qdq_quantizer.py, operators/*.py, base_quantizer.py, calibrate.py; ORT 1.20–1.30).
//
// 1. Mark (QDQQuantizer.quantize_model, node by node in graph order): which tensors of which
//    main-graph nodes get QuantizeLinear → DequantizeLinear pairs (activations), which
//    constants are stored quantized behind a DequantizeLinear (weights), which biases become
//    int32, which outputs share their input's parameters, which Relu/Clip are removed.
// 2. Calibrate (calibrate-model.ts): run the float model in onnxruntime-node with the marked
//    activations exposed as outputs, feed each batch to a quantkit observer.
// 3. Parameters: activations by ORT's compute_scale_zp for the activation type (asymmetric,
//    no reduce_range: calc_quant_params); weights int8 symmetric, per channel (axis per op) or
//    per tensor (weights.ts); constants that are inputs of other ops (Add's, Mul's, Concat's)
//    with the activation type, asymmetric (_calc_initializer_quant_params); biases int32 with
//    scale input_scale × weight_scale, zero point 0 (quantize_bias_static_impl), holding Gemm's
//    beta × C (ORT folds beta into the scale but not the codes: see quantizeBias),
//    after ORT's weight-scale adjustment for int32 biases (_adjust_weight_scale_for_int32_bias).
// 4. Rewrite with ORT's names: W_quantized / W_scale / W_zero_point → W_DequantizeLinear →
//    W_DequantizeLinear_Output; T → T_QuantizeLinear → T_QuantizeLinear_Output →
//    T_DequantizeLinear → T_DequantizeLinear_Output (a graph output T keeps its name on the DQ;
//    its producer writes T_QuantizeLinear_Input); B_quantized (int32) → B_DequantizeLinear → B.
//
// Per-op marking rules (operators/*.py of ORT 1.30; QDQ_OPS lists the ops):
// - Conv/ConvTranspose, Gemm, MatMul (QDQConv, QDQGemm, QDQMatMul), Relu/Clip
//   (QDQRemovableActivation), Split (QDQSplit): see the branches below.
// - Reshape, Transpose, Squeeze, Unsqueeze, Flatten, AveragePool, Slice, MaxPool, Resize, TopK
//   (QDQDirect8BitOp, QDQMaxPool, QDQResize): when input 0 is already marked, output 0 shares its
//   parameters; otherwise nothing (TopK's int64 indices are never quantized).
// - Gather, GatherElements (QDQGather): a float constant table is marked as an activation-type
//   constant (asymmetric, per tensor, like Add's constants) and the output shares its
//   parameters; a marked data input likewise; otherwise nothing. The indices stay as they are.
// - Pad (QDQPad): every float input (data, and a float constant_value as an activation-type
//   constant); the output shares input 0's parameters in modes reflect/edge/wrap and when the
//   constant pad value is 0 (see padKeepsRange), else gets its own.
// - Where (QDQWhere): nothing on the inputs; the outputs get their own parameters only when both
//   value inputs (1 and 2) are marked already (by their producers' rules, earlier in graph order).
// - InstanceNormalization, LayerNormalization, BatchNormalization (QDQNormalization): input 0 and
//   every float output activations; the scale (input 1) an int8 symmetric weight, per channel
//   along axis 1 only where the scale's rank has an axis 1 (a 1-D scale, as in Instance- and
//   BatchNormalization, goes per tensor, as ORT's is_tensor_per_channel decides), an activation
//   when computed. ORT also stores the bias (input 2) as int32 at input 0's scale × the scale's
//   scale; quantkit keeps it float (a deviation): that scale suits Conv (the bias adds to W·x)
//   but not a normalization (it adds to γ·x̂, whose scale does not grow with x's), so where input
//   0's range is wide the int32 step is coarse. PaddleOCR's detector with foldBatchNorm: false has
//   a BatchNormalization whose input scale is 144, so ORT's bias step is 1.24 and every bias code
//   0 (its three BatchNormalizations quantized ORT's way take the output cosine from 0.945 to
//   0.845). BatchNormalization's mean and variance (inputs 3, 4) stay float, as in ORT; the
//   default foldBatchNorm folds BatchNormalizations that follow a Conv into it first.
// - Add, Mul, Concat, Sigmoid, LeakyRelu, GlobalAveragePool, Softmax, CumSum, ArgMax, and
//   com.microsoft EmbedLayerNormalization (QDQOperatorBase, the rule of every op without a
//   QDQ class): every float input and output its own parameters, float constants as
//   activation-type constants.
// Deviations: HardSigmoid is quantized too (not in ORT's list); a normalization's bias stays
// float (above; for a LayerNormalization whose scale has rank ≥ 2, ORT's tool stops with a numpy
// error in _adjust_weight_scale_for_int32_bias); float16 tensors stay float
// (ORT quantizes them with float16 scales); a bias whose weight (Conv's W, a normalization's
// scale) is computed rather than a constant stays float (ORT quantizes it at the computed
// tensor's activation scale); Constant nodes count as initializers (ORT's is_valid_quantize_weight
// and is_input_a_initializer look at initializers only, so a Gather on a Constant-node table
// or a normalization with a Constant-node scale is treated as a constant here, as in every
// other rule of this mode).
//
// Subgraphs: the main graph and the branches of If nodes (nested in If branches only) are
// quantized, each graph by the rules above on its own nodes. A value inside a branch is
// calibrated by carrying it out through its If nodes as an extra output (calibrate-model.ts
// exposeTensors). A value of an enclosing graph that a branch node reads is calibrated where it
// is produced, and the Q/DQ pair the branch's rules ask for goes at the start of that branch
// (the enclosing graph's own readers are quantized, or not, by its own nodes' rules). A constant
// of an enclosing graph is a constant to the branch: its int8 (or int32 bias) copy goes into the
// branch, under a new name, and the float one goes when nothing reads it any more. The new
// initializers go into the graph whose nodes read them. A Relu/Clip whose output a subgraph reads
// is kept (the subgraph would read its producer's output unclipped). A branch that never ran
// during calibration stays float (skipped). Loop and Scan bodies stay float: their values
// cannot be carried out of the body as one tensor per model run.
import type { ModeImpl } from './index';
import type { ModeContext } from '../context';
import type { NodeProto, TensorProto, GraphProto } from '../proto';
import { DT } from '../proto';
import { allGraphs, attrInt, findConstant, floatAttr, getAttr, intAttr, makeNode, opsetOf, removeUnusedConstants, stringAttr, usesOf, type GraphScope } from '../graph';
import { elementType } from '../types';
import { dimsOf, floatValues, makeTensor } from '../tensor';
import { qRange, quantizeWeight, roundHalfEven, scaleZeroPoint, weightTensors, type QuantizedWeight } from '../weights';
import { calibrate, calibrationFeeds, modelInputs, ortTypeName, type BranchTensor } from '../calibrate-model';
import quantkit from '../../index';

/** Ops with their own rule (ORT's QDQRegistry classes). */
const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
const REMOVABLE = new Set(['Relu', 'Clip']); // QDQRemovableActivation
/** QDQDirect8BitOp (and QDQMaxPool from opset 12, QDQResize from 11): output 0 shares input 0's parameters when input 0 is quantized (TopK: the values; its indices are int64). */
const DIRECT = new Set(['Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'AveragePool', 'Slice', 'MaxPool', 'Resize', 'TopK']);
/** QDQGather: a float constant table is quantized with the activation type, asymmetric; the output shares the table's parameters (or a quantized input's). */
const GATHER = new Set(['Gather', 'GatherElements']);
/** QDQNormalization: input 0 and the outputs activations, the scale (input 1) a weight (per channel along axis 1 when the rank has one), the bias (input 2) int32 at input scale × scale's scale. */
const NORMALIZATION = new Set(['InstanceNormalization', 'LayerNormalization', 'BatchNormalization']);
/**
 * QDQOperatorBase: every float input and output its own parameters (float constants with the
 * activation type). CumSum is in ORT's QDQRegistry as QDQOperatorBase; ArgMax (QLinearOpsRegistry)
 * gets the same rule in QDQ form (its int64 output is not quantized). HardSigmoid is quantkit's
 * addition (ORT's default op list lacks it).
 */
const GENERIC = new Set(['Add', 'Mul', 'Concat', 'Sigmoid', 'HardSigmoid', 'LeakyRelu', 'GlobalAveragePool', 'Softmax', 'CumSum', 'ArgMax']);
/** com.microsoft ops in ORT's default list (CommonOpsRegistry), quantized by QDQOperatorBase's rule. */
const MS_GENERIC = new Set(['EmbedLayerNormalization']);
/** The op types mode 'qdq' quantizes (EmbedLayerNormalization in the com.microsoft domain, the others in ai.onnx). */
export const QDQ_OPS: readonly string[] = [...WEIGHTED, ...REMOVABLE, ...DIRECT, 'Split', 'Pad', ...GATHER, 'Where', ...NORMALIZATION, ...GENERIC, ...MS_GENERIC];
const ALL = new Set(QDQ_OPS);
/** Whether `n` is one of the ops mode 'qdq' quantizes, in its domain. */
const isQdqOp = (n: NodeProto): boolean => ((n.domain ?? '') === 'com.microsoft' ? MS_GENERIC.has(n.opType) : (n.domain ?? '') === '' && ALL.has(n.opType) && !MS_GENERIC.has(n.opType));

/** A tensor marked for quantization (ORT QDQTensorQuantInfo). */
interface Mark {
  kind: 'activation' | 'weight';
  /** Per-channel axis (weights). */
  axis?: number;
  /** Shares the parameters of this tensor (quantize_output_same_as_input). */
  shareFrom?: string;
}
/** A bias to store as int32 (ORT QDQBiasQuantInfo). */
interface BiasMark { node: NodeProto; input: string; weight: string; beta: number }
/** A tensor's written parameters. */
interface Params { scaleName: string; zpName: string; scale: Float32Array; axis?: number }

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;


/**
 * The int32 codes and scale of a bias, after ORT's quantize_bias_static_impl (base_quantizer.py):
 * `scale = fl(inputScale · weightScale[c])` (float32, as numpy multiplies float32 arrays),
 * `q = clip(rint(float64(fl(beta · b)) / float64(scale)), int32)` with ties to even; per channel
 * `c` is the bias element's index, per tensor the one weight scale.
 *
 * Deviation for Gemm's beta ≠ 1: ORT takes `scale = inputScale · weightScale · beta` and
 * `q = rint(b / scale)`, then its QDQGemm sets the Gemm's beta to 1 (set_default_beta): the
 * DequantizeLinear gives `b`, and the model adds `b` where the float model adds `beta · b`.
 * quantkit quantizes the Gemm's effective bias `beta · b` at the scale of the product
 * (`inputScale · weightScale`, what ONNX Runtime's QDQ → QGemm fusion at the default session
 * options assumes, ignoring the bias DequantizeLinear's own scale), so that both the unfused
 * graph and the fused QGemm add `beta · b` with beta 1.
 * @param bias float32 values (one per output channel for per-channel weights).
 * @param beta Gemm's beta (1 for Conv, ConvTranspose and a Gemm without one).
 * @returns codes (Int32Array, bias order) and scales (one per weight scale).
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScale: Float32Array, beta: number): { codes: Int32Array; scale: Float32Array } {
  const scale = new Float32Array(weightScale.length);
  for (let c = 0; c < scale.length; c++) scale[c] = Math.fround(inputScale * weightScale[c]);
  const codes = new Int32Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const s = scale.length === 1 ? scale[0] : scale[i];
    const q = roundHalfEven(Math.fround(beta * bias[i]) / s);
    codes[i] = Number.isNaN(q) ? 0 : Math.min(INT32_MAX, Math.max(INT32_MIN, q));
  }
  return { codes, scale };
}

/** A Gemm's bias as the Gemm adds it: `fl(beta · b)` (beta 1: `b` itself). */
function effectiveBias(bias: Float32Array, beta: number): Float32Array {
  return beta === 1 ? bias : bias.map((v) => Math.fround(beta * v));
}

/**
 * ORT's _adjust_weight_scale_for_int32_bias (qdq_quantizer.py): when `inputScale · weightScale`
 * is below `1.0001 · 2·|bias| / (2^32 − 2)` (per tensor: |bias|'s max with 0; per channel: each
 * element), the weight scale grows by the ratio (float64, then float32) so that the int32 bias
 * does not clip. Returns the new scales, or undefined when none changed. quantkit computes the
 * threshold in float64 throughout (numpy mixes float32 scalars in; the decision differs only
 * within an ulp of the threshold).
 */
export function adjustWeightScaleForBias(bias: Float32Array, inputScale: number, weightScale: Float32Array): Float32Array | undefined {
  const qrange = INT32_MAX - (INT32_MIN + 1);
  const out = Float32Array.from(weightScale);
  let changed = false;
  const fix = (k: number, absmax: number): void => {
    const smallest = (1.0001 * (2 * absmax)) / qrange;
    const candidate = inputScale * weightScale[k];
    if (candidate < smallest && candidate > 0) {
      out[k] = Math.fround(weightScale[k] * (smallest / candidate));
      changed = true;
    }
  };
  if (weightScale.length === 1) {
    let lo = 0;
    let hi = 0;
    for (const b of bias) {
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    fix(0, Math.max(Math.abs(lo), Math.abs(hi)));
  } else {
    for (let k = 0; k < weightScale.length; k++) fix(k, Math.abs(bias[k]));
  }
  return changed ? out : undefined;
}

export const qdqMode: ModeImpl = {
  minOpset: (opts) => (opts.perChannel ? { opset: 13, why: 'per-channel DequantizeLinear (axis)' } : { opset: 10, why: 'QuantizeLinear and DequantizeLinear' }),
  run: async (ctx) => runQdq(ctx),
};

async function runQdq(ctx: ModeContext): Promise<void> {
  const { model, opts } = ctx;
  const scopes = allGraphs(model);
  const opset = opsetOf(model, '') ?? 0;
  const ownerOf = (s: GraphScope): NodeProto | undefined => s.parent?.graph.node.find((n) => n.attribute.some((a) => a.g === s.graph || a.graphs?.includes(s.graph)));
  const inBranches = (s: GraphScope): boolean => {
    for (let c = s; c.parent; c = c.parent) {
      const owner = ownerOf(c);
      if (!owner || owner.opType !== 'If' || (owner.domain ?? '') !== '') return false;
    }
    return true;
  };
  // Each value's calibration key: its name for a main-graph value, `NAME (in PATH)` for a branch's.
  const defined = new Map(scopes.map((s) => [s, new Set([...s.graph.input.map((i) => i.name), ...s.graph.initializer.map((t) => t.name ?? ''), ...s.graph.node.flatMap((n) => n.output)])]));
  const branch = new Map<string, BranchTensor>();
  /** The key of value `name` as read in `scope`; undefined for a branch value of unknown element type (it cannot be carried out). */
  const keyOf = (scope: GraphScope, name: string): string | undefined => {
    let d: GraphScope | undefined = scope;
    while (d && !defined.get(d)!.has(name)) d = d.parent;
    if (!d || !d.parent) return name;
    const index = scopes.indexOf(d);
    let key = `${name} (in ${d.path})`;
    if (branch.has(key) && branch.get(key)!.scope !== index) key += ` #${index}`; // two If nodes of one name
    if (!branch.has(key)) {
      const elemType = elementType(d, name);
      if (elemType === undefined) return undefined;
      branch.set(key, { scope: index, name, elemType });
    }
    return key;
  };

  const parts: ScopeQdq[] = [];
  for (const s of scopes) {
    if (s.parent && !inBranches(s)) {
      for (const n of s.graph.node) {
        if (isQdqOp(n) && !ctx.isExcluded(n)) ctx.skipped(n, s, 'inside a Loop or Scan body: its tensors cannot be exposed as model outputs for calibration, so it stays float');
      }
      continue;
    }
    parts.push(scopeQdq(ctx, s, opset, (t) => keyOf(s, t)));
  }
  if (parts.every((p) => p.candidates.length === 0)) {
    // Nothing to calibrate: the feeds are still checked (a wrong calibration set is an error).
    for await (const _ of calibrationFeeds(opts.calibration, modelInputs(model))) void _;
    return;
  }
  const keys = (p: ScopeQdq, names: readonly string[]): string[] => names.map((t) => p.keyOf(t)).filter((k): k is string => k !== undefined);
  /** A map by key as graph `p` names its values. */
  const local = <V>(p: ScopeQdq, m: ReadonlyMap<string, V>): Map<string, V> => {
    const out = new Map<string, V>();
    for (const t of p.tensorNames) {
      const k = p.keyOf(t);
      if (k !== undefined && m.has(k)) out.set(t, m.get(k)!);
    }
    return out;
  };
  const tensorNames = [...new Set(parts.flatMap((p) => keys(p, p.tensorNames)))];
  const choose = (types: Map<string, string>): string[] => [...new Set(parts.flatMap((p) => keys(p, p.choose(local(p, types)))))];
  // Runs to come, when the calibration set says (an array); 0: unknown (the progress shows counts).
  const calibrationRuns = Array.isArray(opts.calibration) ? opts.calibration.length : 0;
  // Each candidate tensor's type as types.ts infers it (calibrate checks the ones it exposes).
  const predicted = new Map<string, string>();
  for (const p of parts) {
    for (const t of p.tensorNames) {
      const k = p.keyOf(t);
      const type = ortTypeName(elementType(p.scope, t));
      if (k !== undefined && type !== undefined) predicted.set(k, type);
    }
  }
  const cal = await calibrate(model, tensorNames, opts.calibration, { method: opts.method, activationType: opts.activationType, percentile: opts.percentile, bins: opts.bins }, choose,
    (runs) => ctx.progress(runs, calibrationRuns, `calibration run ${runs}${calibrationRuns ? ` of ${calibrationRuns}` : ''}`), branch, predicted);
  const enclosing = new Set<GraphScope>(); // graphs around a rewritten branch
  for (const p of parts) {
    const untaken = new Set(p.tensorNames.filter((t) => cal.untaken.has(p.keyOf(t) ?? '')));
    if (p.finish({ ranges: local(p, cal.ranges), types: local(p, cal.types), untaken })) for (let s = p.scope.parent; s; s = s.parent) enclosing.add(s);
  }
  // Constants of enclosing graphs that only quantized branch nodes read (now from their int8 copies) go, inner graphs first.
  for (const s of [...scopes].reverse()) if (enclosing.has(s)) removeUnusedConstants(s.graph);
}

/** One graph's share of mode 'qdq': its candidates, the tensors to expose, its marking, and its rewrite from the calibration. */
interface ScopeQdq {
  scope: GraphScope;
  candidates: NodeProto[];
  /** Non-constant inputs and outputs of the candidates, as this graph names them. */
  tensorNames: string[];
  /** The calibration key of a value this graph reads. */
  keyOf(name: string): string | undefined;
  /** Marks the tensors (types by local name); returns the local names to calibrate. */
  choose(types: Map<string, string>): string[];
  /** Writes the graph's Q/DQ nodes from the calibration (by local name); whether it changed a node. */
  finish(cal: { ranges: Map<string, { min: number; max: number }>; types: Map<string, string>; untaken: Set<string> }): boolean;
}

/**
 * usesOf(graph), where a value of an enclosing graph counts one use more (its other readers are
 * out of this graph's sight): a removable Relu/Clip never renames an outer value's producer.
 */
function localUses(graph: GraphProto): Map<string, NodeProto[]> {
  const uses = usesOf(graph);
  const here = new Set([...graph.input.map((i) => i.name), ...graph.initializer.map((t) => t.name ?? ''), ...graph.node.flatMap((n) => n.output)]);
  for (const [name, l] of uses) if (!here.has(name)) l.push(l[0]);
  return uses;
}

/** The names read by the nodes (and written as outputs) of the subgraphs of `graph`'s nodes, at any depth. */
function readInSubgraphs(graph: GraphProto): Set<string> {
  const out = new Set<string>();
  const visit = (g: GraphProto): void => {
    for (const n of g.node) for (const i of n.input) out.add(i);
    for (const o of g.output) out.add(o.name);
    for (const n of g.node) for (const a of n.attribute) for (const sg of a.g ? [a.g] : a.graphs ?? []) visit(sg);
  };
  for (const n of graph.node) for (const a of n.attribute) for (const sg of a.g ? [a.g] : a.graphs ?? []) visit(sg);
  return out;
}

/** Mode 'qdq' on the nodes of one graph (the main graph or an If branch). */
function scopeQdq(ctx: ModeContext, scope: GraphScope, opset: number, keyOf: (name: string) => string | undefined): ScopeQdq {
  const { opts } = ctx;
  const graph = scope.graph;

  const candidates: NodeProto[] = [];
  for (const n of graph.node) {
    if (!isQdqOp(n)) continue;
    if (ctx.isExcluded(n)) {
      ctx.skipped(n, scope, ctx.excludedBy(n)!);
      continue;
    }
    if (n.opType === 'MaxPool' && opset < 12) {
      ctx.skipped(n, scope, `MaxPool is quantized from opset 12 (ORT's QDQMaxPool); the model has opset ${opset}`);
      continue;
    }
    if (n.opType === 'Resize' && opset < 11) {
      ctx.skipped(n, scope, `Resize is quantized from opset 11 (ORT's QDQResize); the model has opset ${opset}`);
      continue;
    }
    candidates.push(n);
  }

  // Constants of this graph or an enclosing one (a branch's int8 copy of an enclosing weight goes into the branch).
  const constOf = (name: string): TensorProto | undefined => (name ? findConstant(scope, name)?.tensor : undefined);
  const isLocalConst = (name: string): boolean => findConstant(scope, name)?.scope.graph === graph;
  const isFloatConst = (name: string): boolean => constOf(name)?.dataType === DT.FLOAT;
  const graphInputs = new Set(graph.input.map((i) => i.name));
  const graphOutputs = new Set(graph.output.map((o) => o.name));

  // Every non-constant input and output of a candidate: exposed on the first run to learn types.
  const tensorNames: string[] = [];
  const seen = new Set<string>();
  for (const n of candidates) {
    for (const t of [...n.input, ...n.output]) {
      if (!t || seen.has(t) || constOf(t)) continue;
      seen.add(t);
      tensorNames.push(t);
    }
  }

  const marks = new Map<string, Mark>();
  const biases = new Map<string, BiasMark>();
  const removed = new Set<NodeProto>();
  /** Deferred renames: producer output `from` becomes `to` (a removed Relu/Clip's output). */
  const renames: Array<{ from: string; to: string }> = [];
  const gemmBeta = new Set<NodeProto>();
  /**
   * Each weight's per-consumer layout (per-channel axis, or undefined for per tensor). ORT's
   * quantize_weight_tensor_per_channel keeps one entry per tensor, the last consumer's axis, and
   * writes one DequantizeLinear for all consumers: a weight read by MatMul (axis 1) and by
   * Gemm transB=1 (axis 0) then reaches the MatMul with per-channel parameters along K, which
   * ORT's fused QLinearMatMul/MatMulIntegerToFloat read as along N (wrong outputs at the default
   * session options). quantkit writes one quantized copy per layout instead.
   */
  const weightAxes = new Map<string, Map<NodeProto, number | undefined>>();
  /** Each changed node: `as` replaces the description, `note` is appended to it. */
  const quantizedNodes: Array<{ node: NodeProto; as: string; note: string }> = [];

  const choose = (types: Map<string, string>): string[] => {
    // From scratch on every call: calibrate may call it on predicted types first, then on ORT's.
    marks.clear();
    biases.clear();
    removed.clear();
    renames.length = 0;
    gemmBeta.clear();
    weightAxes.clear();
    quantizedNodes.length = 0;
    const quantizable = (t: string): boolean => !!t && (isFloatConst(t) || types.get(t) === 'float32');
    const uses = localUses(graph);
    // Values read inside this graph's subgraphs: a removed Relu/Clip's output would reach them unclipped.
    const readInside = readInSubgraphs(graph);
    const markTensor = (t: string, m: Mark): void => {
      if (!quantizable(t)) return;
      if (m.shareFrom !== undefined) marks.set(t, m);
      else if (!marks.has(t)) marks.set(t, m);
    };
    const act = (t: string): void => markTensor(t, { kind: 'activation' });
    const share = (out: string, from: string): void => {
      const p = marks.get(from);
      if (p?.axis !== undefined) return; // a per-channel weight's parameters cannot serve an activation
      markTensor(out, { kind: 'activation', shareFrom: from });
    };
    const isMarked = (t: string): boolean => marks.has(t) || biases.has(t);
    const weight = (t: string, axis: number | undefined, node: NodeProto): void => {
      if (!isFloatConst(t)) return act(t);
      const rank = dimsOf(constOf(t)!).length;
      const a = opts.perChannel && axis !== undefined && axis >= -rank && axis < rank ? (axis < 0 ? axis + rank : axis) : undefined;
      if (!weightAxes.has(t)) weightAxes.set(t, new Map());
      weightAxes.get(t)!.set(node, a);
      // quantize_weight_tensor_per_channel overwrites an earlier mark; quantize_weight_tensor does not
      if (a !== undefined) marks.set(t, { kind: 'weight', axis: a });
      else if (!marks.has(t)) marks.set(t, { kind: 'weight' });
    };
    const bias = (node: NodeProto, b: string, beta: number): boolean => {
      const c = constOf(b);
      if (!c || c.dataType !== DT.FLOAT) return false;
      biases.set(b, { node, input: node.input[0], weight: node.input[1], beta });
      return true;
    };

    for (const node of candidates) {
      const [in0, in1, in2] = node.input;
      const out0 = node.output[0];
      const op = node.opType;
      const before = marks.size + biases.size;
      let as = '';
      let note = '';
      if (op === 'Conv' || op === 'ConvTranspose') {
        act(in0);
        act(out0);
        let axis: number | undefined = op === 'Conv' ? 0 : 1;
        // ConvTranspose weights are [C, M/group, …]: per-channel along axis 1 holds M/group scales,
        // which do not fit a bias of M when group > 1 (ORT writes such a model; quantkit goes per tensor).
        if (op === 'ConvTranspose' && intAttr(node, 'group', 1) > 1) axis = undefined;
        weight(in1, axis, node);
        if (in2) bias(node, in2, 1);
      } else if (op === 'Gemm') {
        act(in0);
        act(out0);
        weight(in1, intAttr(node, 'transB', 0) ? 0 : 1, node);
        if (in2 && isFloatConst(in2)) {
          if (bias(node, in2, floatAttr(node, 'beta', 1))) gemmBeta.add(node);
        }
      } else if (op === 'MatMul') {
        // ORT's QDQMatMul gives every constant input axis 1 whatever its rank. ORT's QLinearMatMul
        // (the fusion of DQ → MatMul) takes per-channel parameters only along N of a 2-D B: a
        // per-axis DequantizeLinear holds a 1-D scale, which its IsBQuantParamSupported refuses for
        // B of another rank (axis 1 is then K, and no axis works), and A's parameters must be
        // scalars. quantkit goes per tensor there and says why.
        node.input.forEach((t, k) => {
          if (!isFloatConst(t)) return act(t);
          const rank = dimsOf(constOf(t)!).length;
          if (k === 1 && rank === 2) return weight(t, 1, node);
          if (opts.perChannel) {
            note = k === 1
              ? `B '${t}' has rank ${rank}, and ONNX Runtime's QLinearMatMul takes per-channel weights only for a 2-D B`
              : `A '${t}' is a constant, and ONNX Runtime's QLinearMatMul takes only per-tensor parameters for A`;
          }
          weight(t, undefined, node);
        });
        act(out0);
      } else if (REMOVABLE.has(op)) {
        if (!isMarked(in0)) continue;
        const single = (uses.get(in0)?.length ?? 0) === 1;
        if (quantizable(out0) && types.get(in0) === 'float32' && single && !graphOutputs.has(in0) && !graphInputs.has(in0) && !renames.some((r) => r.to === in0) && !readInside.has(out0)) {
          // try_replacing_upstream_output: the producer writes this node's output; the node goes
          renames.push({ from: in0, to: out0 });
          marks.delete(in0);
          removed.add(node);
          as = 'removed: its QuantizeLinear clips to the calibrated range of its output';
        } else {
          act(in0);
        }
        act(out0);
      } else if (DIRECT.has(op)) {
        if (isMarked(in0)) share(out0, in0);
      } else if (op === 'Split') {
        if (!isMarked(in0)) act(in0);
        for (const o of node.output) share(o, in0);
      } else if (op === 'Pad') {
        // QDQPad: every input (the int64 pads and axes are not float); the output shares input 0's
        // parameters when the padding adds no value outside them (_should_quantize_output_same_as_input).
        for (const t of node.input) act(t);
        if (padKeepsRange(node, opset, constOf)) share(out0, in0);
        else act(out0);
      } else if (GATHER.has(op)) {
        if (isFloatConst(in0)) act(in0);
        if (isFloatConst(in0) || isMarked(in0)) share(out0, in0);
      } else if (op === 'Where') {
        // QDQWhere: the outputs get their own parameters when both values are quantized already; the inputs are left as they are.
        if (isMarked(in1) && isMarked(in2)) for (const o of node.output) act(o);
      } else if (NORMALIZATION.has(op)) {
        act(in0);
        weight(in1, 1, node);
        // The bias stays float (a deviation: see the header).
        for (const o of node.output) act(o);
      } else {
        for (const t of [...node.input, ...node.output]) act(t);
      }
      if (marks.size + biases.size !== before || as) quantizedNodes.push({ node, as, note });
    }
    return [...marks.entries()].filter(([t, m]) => !constOf(t) && m.kind === 'activation').map(([t]) => t);
  };

  const finish = (cal: Parameters<ScopeQdq['finish']>[0]): boolean => {
    // A branch that never ran during calibration (its tensors never held a value) stays float.
    if ([...marks.keys()].some((t) => cal.untaken.has(t))) {
      for (const n of candidates) ctx.skipped(n, scope, 'its If branch never ran during calibration: its tensors have no range, so it stays float');
      return false;
    }

    // Candidates left float because their tensors are float16 or bfloat16 (ORT's tool quantizes those
    // too; quantkit's QDQ writes float32 scales only): said in skipped, as mode 'weights-only' does.
    const changedNodes = new Set(quantizedNodes.map((q) => q.node));
    for (const n of candidates) {
      if (changedNodes.has(n) || removed.has(n)) continue;
      for (const t of [...n.input, ...n.output]) {
        if (!t) continue;
        const c = constOf(t);
        const type = c ? (c.dataType === DT.FLOAT16 ? 'float16' : c.dataType === DT.BFLOAT16 ? 'bfloat16' : '') : cal.types.get(t);
        if (type !== 'float16' && type !== 'bfloat16') continue;
        const role = c ? 'constant' : n.input.includes(t) ? 'input' : 'output';
        ctx.skipped(n, scope, `${role} '${t}' is ${type}, not float: only float32 is quantized in mode 'qdq' (convert the model to float32 first)`);
        break;
      }
    }

    // adjust_tensor_ranges (base_quantizer.py), on the graph as calibrated: a Relu/Clip's input
    // takes its output's range when it feeds nothing else; Softmax's output is [0, 1]. Deviation:
    // not when the input is also a graph output, which ORT's rule counts as feeding nothing and
    // clips to the Relu's range (a pre-activation output lost every negative value: trial finding).
    const ranges = cal.ranges;
    const usesBefore = localUses(graph);
    for (const n of candidates) {
      if (REMOVABLE.has(n.opType)) {
        const r = ranges.get(n.output[0]);
        if (r && ranges.has(n.input[0]) && (usesBefore.get(n.input[0])?.length ?? 0) === 1 && !graphOutputs.has(n.input[0])) ranges.set(n.input[0], r);
      } else if (n.opType === 'Softmax' && ranges.has(n.output[0])) {
        ranges.set(n.output[0], { min: 0, max: 1 });
      }
    }

    // What each node became, said before the rewiring renames its inputs.
    const descriptions = quantizedNodes.map(({ node, as, note }) => ({ node, as: as || describeNode(node, marks, weightAxes, opts.activationType) + (note ? `: ${note}` : '') }));

    // Apply the removals: the producer writes the removed node's output directly.
    for (const { from, to } of renames) {
      for (const n of graph.node) n.output = n.output.map((o) => (o === from ? to : o));
    }
    graph.node = graph.node.filter((n) => !removed.has(n));

    const names = ctx.names;
    const actType = opts.activationType;
    const actDt = actType === 'uint8' ? DT.UINT8 : DT.INT8;
    const { qmin, qmax } = qRange(actType, false, false);
    const params = new Map<string, Params>();
    const front: NodeProto[] = []; // DequantizeLinear of constants: no graph input, placed first
    const after = new Map<string, NodeProto[]>(); // Q/DQ pairs, placed after the producer of the tensor
    const atStart: NodeProto[] = []; // Q/DQ pairs of graph inputs
    const retarget = new Map<string, string>(); // consumer input renames

    const addInit = (t: TensorProto): void => {
      graph.initializer.push(t);
    };

    // Constants: weights (int8, symmetric) and constant inputs of other ops (activation type, asymmetric).
    // A weight whose consumers need other layouts gets one copy per layout: the mark's own layout
    // is keyed by the tensor's name (and named as ORT names it), each other one by `name\0axis`.
    const quantizedWeights = new Map<string, QuantizedWeight>();
    const weightOf = new Map<string, string>(); // key → tensor name
    const layoutKey = (t: string, axis: number | undefined): string => (axis === marks.get(t)?.axis ? t : `${t}\0${axis ?? 'tensor'}`);
    /** The key of the quantized copy of constant `t` that `node` reads. */
    const keyFor = (node: NodeProto, t: string): string => {
      const axes = weightAxes.get(t);
      return marks.get(t)?.kind === 'weight' && axes?.has(node) ? layoutKey(t, axes.get(node)) : t;
    };
    for (const [t, m] of marks) {
      const c = constOf(t);
      if (!c || m.shareFrom !== undefined) continue;
      if (c.dataType !== DT.FLOAT) continue;
      const values = floatValues(c, `constant ${t}`);
      if (m.kind !== 'weight') {
        quantizedWeights.set(t, quantizeWeight(values, dimsOf(c), { type: actType, symmetric: false, reduceRange: opts.reduceRange }, `constant ${t}`));
        weightOf.set(t, t);
        continue;
      }
      const layouts = [m.axis, ...[...(weightAxes.get(t)?.values() ?? [])].filter((a) => a !== m.axis)].filter((a, k, all) => all.indexOf(a) === k);
      for (const axis of layouts) {
        quantizedWeights.set(layoutKey(t, axis), quantizeWeight(values, dimsOf(c), { type: 'int8', axis, symmetric: true, reduceRange: opts.reduceRange }, `weight ${t}`));
        weightOf.set(layoutKey(t, axis), t);
      }
    }

    // Activation parameters (calc_quant_params: compute_scale_zp, asymmetric, full range).
    const actParams = new Map<string, { scale: number; zeroPoint: number }>();
    for (const [t, m] of marks) {
      if (constOf(t) || m.shareFrom !== undefined) continue;
      const r = ranges.get(t);
      if (!r) throw new Error(`internal: tensor '${t}' was marked for quantization but not calibrated`);
      actParams.set(t, scaleZeroPoint(Math.fround(r.min), Math.fround(r.max), qmin, qmax, false, `activation ${t}`));
    }
    const scaleOf = (t: string): number | undefined => {
      let name = t;
      for (let m = marks.get(name); m?.shareFrom !== undefined; m = marks.get(name)) name = m.shareFrom;
      const a = actParams.get(name);
      if (a) return a.scale;
      const w = quantizedWeights.get(name);
      return w && w.scale.length === 1 ? w.scale[0] : undefined;
    };

    // _adjust_weight_quant_params_for_bias_tensors: int8 symmetric weights whose scale would make the int32 bias clip.
    for (const [b, info] of biases) {
      const w = quantizedWeights.get(keyFor(info.node, info.weight));
      const inScale = scaleOf(info.input);
      if (!w || inScale === undefined || marks.get(info.weight)?.kind !== 'weight' || w.zeroPoint.some((z) => z !== 0)) continue;
      const bias = floatValues(constOf(b)!, `bias ${b}`);
      const adjusted = adjustWeightScaleForBias(effectiveBias(bias, info.beta), inScale, w.scale);
      if (adjusted) {
        w.scale = adjusted;
        const layout = w.axis === undefined ? {} : { axis: w.axis, shape: w.dims };
        w.codes = quantkit.quantize(floatValues(constOf(info.weight)!, `weight ${info.weight}`), { ...layout, scale: w.axis === undefined ? adjusted[0] : adjusted, zeroPoint: w.axis === undefined ? 0 : w.zeroPoint, dtype: 'int8' } as never) as unknown as Int8Array;
      }
    }

    // Weights: quantized initializer → DequantizeLinear (_add_qdq_nodes_for_initializer).
    const nodeRetarget = new Map<string, string>(); // key → DequantizeLinear output, for consumers of another layout
    for (const [key, q] of quantizedWeights) {
      const t = weightOf.get(key)!;
      const tensors = weightTensors(q, { data: names.make(`${t}_quantized`), scale: names.make(`${t}_scale`), zeroPoint: names.make(`${t}_zero_point`) });
      addInit(tensors.data);
      addInit(tensors.scale);
      addInit(tensors.zeroPoint);
      const out = names.make(`${t}_DequantizeLinear_Output`);
      front.push(makeNode('DequantizeLinear', [tensors.data.name!, tensors.scale.name!, tensors.zeroPoint.name!], [out], names.make(`${t}_DequantizeLinear`), q.axis === undefined ? [] : [attrInt('axis', q.axis)]));
      if (key === t) retarget.set(t, out);
      else nodeRetarget.set(key, out);
      params.set(key, { scaleName: tensors.scale.name!, zpName: tensors.zeroPoint.name!, scale: q.scale, axis: q.axis });
    }

    // Activations: QuantizeLinear → DequantizeLinear (_add_qdq_pair_for_activation), shared ones after their providers.
    const producerOutput = new Map<string, NodeProto>();
    for (const n of graph.node) for (const o of n.output) producerOutput.set(o, n);
    const outputRenames = new Map<string, string>(); // graph output T: producer now writes T_QuantizeLinear_Input
    const pending = [...marks.entries()].filter(([t]) => !constOf(t));
    const done = new Set<string>();
    const emit = (t: string, scaleName: string, zpName: string): void => {
      const qOut = names.make(`${t}_QuantizeLinear_Output`);
      let qIn = t;
      let dqOut: string;
      // A graph output written by a node: the producer writes T_QuantizeLinear_Input, the DQ writes T.
      // A graph input that is also a graph output keeps its name (nothing may redefine an input):
      // only its consumers read the DQ's output.
      if (graphOutputs.has(t) && producerOutput.has(t)) {
        qIn = names.make(`${t}_QuantizeLinear_Input`);
        dqOut = t;
        outputRenames.set(t, qIn);
      } else {
        dqOut = names.make(`${t}_DequantizeLinear_Output`);
        retarget.set(t, dqOut);
      }
      const pair = [
        makeNode('QuantizeLinear', [qIn, scaleName, zpName], [qOut], names.make(`${t}_QuantizeLinear`)),
        makeNode('DequantizeLinear', [qOut, scaleName, zpName], [dqOut], names.make(`${t}_DequantizeLinear`)),
      ];
      if (producerOutput.has(t)) after.set(t, [...(after.get(t) ?? []), ...pair]);
      else atStart.push(...pair);
    };
    for (const [t, m] of pending) {
      if (m.shareFrom !== undefined) continue;
      const p = actParams.get(t)!;
      const scale = makeTensor(names.make(`${t}_scale`), DT.FLOAT, [], Float32Array.of(p.scale));
      const zp = makeTensor(names.make(`${t}_zero_point`), actDt, [], actType === 'uint8' ? Uint8Array.of(p.zeroPoint) : Int8Array.of(p.zeroPoint));
      addInit(scale);
      addInit(zp);
      params.set(t, { scaleName: scale.name!, zpName: zp.name!, scale: Float32Array.of(p.scale) });
      emit(t, scale.name!, zp.name!);
      done.add(t);
    }
    // _quantize_sharing_param_tensors: repeat until every shared tensor found its provider.
    for (let left = pending.filter(([, m]) => m.shareFrom !== undefined); left.length > 0;) {
      const next = left.filter(([t, m]) => {
        const p = params.get(m.shareFrom!);
        if (!p) return true;
        params.set(t, p);
        emit(t, p.scaleName, p.zpName);
        done.add(t);
        return false;
      });
      if (next.length === left.length) throw new Error(`internal: tensor '${next[0][0]}' shares the parameters of '${next[0][1].shareFrom}', which were never written`);
      left = next;
    }

    // Biases: int32 codes of beta × bias, scale input_scale × weight_scale, zero point 0 (quantize_bias_static; see quantizeBias).
    const biasNodes: NodeProto[] = [];
    const biasNames = new Map<NodeProto, string>();
    const usedBias = new Set<string>();
    for (const [b, info] of biases) {
      const w = params.get(keyFor(info.node, info.weight));
      const inScale = scaleOf(info.input);
      const c = constOf(b);
      if (!w || inScale === undefined || !c || marks.get(info.weight)?.kind !== 'weight') continue;
      const bias = floatValues(c, `bias ${b}`);
      const dims = dimsOf(c);
      const perChannel = w.scale.length > 1;
      if (perChannel && (dims.length !== 1 || dims[0] !== w.scale.length)) {
        ctx.skipped(info.node, scope, `bias ${b} of dims ${JSON.stringify(dims)} does not match the ${w.scale.length} weight scales: it stays float`);
        continue;
      }
      const { codes, scale } = quantizeBias(bias, inScale, w.scale, info.beta);
      // A bias shared by two quantized nodes gets one copy per node (ORT's _dup_initializer).
      // A bias of an enclosing graph too: its DequantizeLinear here must not redefine the outer name.
      let outName = b;
      if (usedBias.has(b) || !isLocalConst(b)) {
        outName = names.make(b);
        biasNames.set(info.node, outName);
      }
      usedBias.add(b);
      const qName = names.make(`${outName}_quantized`);
      addInit(makeTensor(qName, DT.INT32, dims, codes));
      const sName = names.make(`${qName}_scale`);
      addInit(makeTensor(sName, DT.FLOAT, [scale.length], scale));
      const zName = names.make(`${qName}_zero_point`);
      addInit(makeTensor(zName, DT.INT32, perChannel ? [scale.length] : [], new Int32Array(perChannel ? scale.length : 1)));
      biasNodes.push(makeNode('DequantizeLinear', [qName, sName, zName], [outName], names.make(`${outName}_DequantizeLinear`), perChannel ? [attrInt('axis', 0)] : []));
      if (outName === b) dropConstant(graph, b);
      if (info.node.opType === 'Gemm' && gemmBeta.has(info.node)) {
        const beta = getAttr(info.node, 'beta');
        if (beta) beta.f = 1.0; // set_default_beta: the beta is in the bias codes now
      }
    }
    for (const [node, name] of biasNames) node.input[2] = name;

    // Rewire consumers to the dequantized values, then place the new nodes.
    for (const n of graph.node) {
      n.input = n.input.map((i) => nodeRetarget.get(keyFor(n, i)) ?? retarget.get(i) ?? i);
      n.output = n.output.map((o) => outputRenames.get(o) ?? o);
    }
    const rebuilt: NodeProto[] = [...front, ...biasNodes, ...atStart];
    for (const n of graph.node) {
      rebuilt.push(n);
      for (const o of n.output) {
        const orig = [...outputRenames].find(([, v]) => v === o)?.[0] ?? o;
        const extra = after.get(orig);
        if (extra) rebuilt.push(...extra);
      }
    }
    graph.node = rebuilt;
    removeUnusedConstants(graph);

    for (const { node, as } of descriptions) ctx.changed(node, scope, as);
    return descriptions.length > 0;
  };
  return { scope, candidates, tensorNames, keyOf, choose, finish };
}

function describeNode(node: NodeProto, marks: Map<string, Mark>, weightAxes: Map<string, Map<NodeProto, number | undefined>>, actType: string): string {
  const t = node.input.find((i) => marks.get(i)?.kind === 'weight');
  const axis = t === undefined ? undefined : weightAxes.get(t)?.has(node) ? weightAxes.get(t)!.get(node) : marks.get(t)!.axis;
  const weight = t !== undefined ? `, int8 ${axis === undefined ? 'per-tensor' : `per-channel (axis ${axis})`} weights` : '';
  const shared = node.output.some((o) => marks.get(o)?.shareFrom !== undefined) ? ', output shares its input\'s parameters' : '';
  return `QDQ ${node.opType} (${actType} activations${weight}${shared})`;
}

/**
 * Whether a Pad's output stays within its input's quantized range, so that it may share the
 * input's parameters: ORT's QDQPad._should_quantize_output_same_as_input (operators/pad.py).
 * Modes reflect, edge and wrap copy input values; mode constant pads with the opset-2 `value`
 * attribute (opset < 11), else with input 2 when it is a float constant (a Constant node or an
 * initializer, ORT's get_constant_value), else with 0; only a pad value of 0 (±0) qualifies,
 * since every calibrated range holds 0. A computed pad value (not a constant) does not.
 */
export function padKeepsRange(node: NodeProto, opset: number, constOf: (name: string) => TensorProto | undefined): boolean {
  const mode = stringAttr(node, 'mode', 'constant');
  if (mode === 'reflect' || mode === 'edge' || mode === 'wrap') return true;
  if (mode !== 'constant') return false;
  if (opset < 11) return floatAttr(node, 'value', 0) === 0;
  const value = node.input[2];
  if (!value) return true;
  const c = constOf(value);
  if (!c || (c.dataType !== DT.FLOAT && c.dataType !== DT.FLOAT16)) return false;
  const v = floatValues(c, `${node.name || node.opType} constant_value ${value}`);
  return v.length === 1 && v[0] === 0;
}

/** Removes the initializer or main-graph Constant node that defines `name` (its DequantizeLinear defines it now). */
function dropConstant(graph: GraphProto, name: string): void {
  graph.initializer = graph.initializer.filter((t) => t.name !== name);
  graph.node = graph.node.filter((n) => !(n.opType === 'Constant' && n.output.length === 1 && n.output[0] === name));
}
