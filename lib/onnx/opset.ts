// Default-domain opset upgrades, for models exported at an opset below what a mode needs
// (PaddleOCR's recognition model is opset 9; DynamicQuantizeLinear needs 11, per-channel
// DequantizeLinear 13, int4 and block_size 21).
//
// Raising the version number is not enough: some operators changed their signature (Clip's
// min/max and Slice's starts/ends moved from attributes to inputs) or their meaning (Softmax
// before 13 flattens to 2-D at `axis`). Each such change is rewritten here to the newer form
// with the same result, following the operator changelog (onnx/docs/Changelog.md). An operator
// this file does not know is refused by name rather than carried over on trust: only those whose
// every change between the two versions is listed in COMPATIBLE or REWRITES pass.
import { allGraphs, attrInt, attrString, findConstant, getAttr, intAttr, intsAttr, makeNode, nodeLabel, Names, opsetOf, type GraphScope } from './graph';
import quantkit from '../index';
import { describe } from '../core/validate';
import { inferTypes, typeOf } from './types';
import { DT, int64, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './proto';
import { dataTypeName, floatTensor, floatValues, int64Tensor, makeTensor } from './tensor';

/**
 * Operators whose changes from opset 7 up to 21 only add types, add attributes whose defaults
 * keep the old behaviour, or allow negative axes: the node stays as it is.
 */
const COMPATIBLE = new Set([
  'Abs', 'Acos', 'Acosh', 'Add', 'And', 'ArgMax', 'ArgMin', 'Asin', 'Asinh', 'Atan', 'Atanh', 'AveragePool', 'BitShift', 'Cast', 'CastLike', 'Ceil', 'Celu', 'Compress', 'Concat', 'ConcatFromSequence', 'Constant', 'ConstantOfShape', 'Conv',
  'ConvInteger', 'ConvTranspose', 'Cos', 'Cosh', 'CumSum', 'DepthToSpace', 'DequantizeLinear', 'Det', 'Div', 'Einsum', 'Elu', 'Equal',
  'Erf', 'Exp', 'Expand', 'EyeLike', 'Flatten', 'Floor', 'GRU', 'Gather', 'GatherElements', 'GatherND', 'Gelu', 'Gemm',
  'GlobalAveragePool', 'GlobalLpPool', 'GlobalMaxPool', 'Greater', 'GreaterOrEqual', 'HardSigmoid', 'HardSwish', 'Identity', 'If',
  'InstanceNormalization', 'IsInf', 'IsNaN', 'LRN', 'LSTM', 'LayerNormalization', 'LeakyRelu', 'Less', 'LessOrEqual', 'Log', 'Loop',
  'LpNormalization', 'LpPool', 'MatMul', 'MatMulInteger', 'Max', 'MaxPool', 'MaxRoiPool', 'MaxUnpool', 'Mean', 'MeanVarianceNormalization',
  'Min', 'Mish', 'Mod', 'Mul', 'Multinomial', 'Neg', 'NonMaxSuppression', 'NonZero', 'Not', 'OneHot', 'Or', 'PRelu', 'Pow',
  'QLinearConv', 'QLinearMatMul', 'QuantizeLinear', 'RNN', 'RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike',
  'Range', 'Reciprocal', 'Relu', 'Reshape', 'ReverseSequence', 'Round', 'Scan', 'ScatterElements',
  'ScatterND', 'Selu', 'SequenceAt', 'SequenceConstruct', 'SequenceEmpty', 'SequenceErase', 'SequenceInsert', 'SequenceLength', 'Shape',
  'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Size', 'Softplus', 'Softsign', 'SpaceToDepth', 'Sqrt', 'Sub', 'Sum', 'Tan', 'Tanh',
  'ThresholdedRelu', 'Tile', 'Transpose', 'Trilu', 'Unique', 'Where', 'Xor', 'DynamicQuantizeLinear',
]);

type Rewrite = (node: NodeProto, k: RewriteKit) => NodeProto[];
interface RewriteKit {
  names: Names;
  graph: GraphProto;
  scope: GraphScope;
  /** The element type of value `name` (DT number), float32 when it cannot be told. */
  elemType(name: string): number;
  /** Adds an initializer to the node's graph and returns its name. */
  constant(base: string, t: ReturnType<typeof int64Tensor>): string;
}

const dropAttrs = (node: NodeProto, names: string[]): void => {
  node.attribute = node.attribute.filter((a) => !names.includes(a.name));
};

/** A rewrite per operator and the opset at which it takes effect (applies when from < at <= target). */
const REWRITES: Record<string, { at: number; rewrite: Rewrite }[]> = {
  // Clip-11: min and max are optional inputs instead of attributes.
  Clip: [{
    at: 11,
    rewrite(node, k) {
      const min = getAttr(node, 'min');
      const max = getAttr(node, 'max');
      const inputs = [node.input[0]];
      const type = k.elemType(node.input[0]);
      inputs.push(min && typeof min.f === 'number' ? k.constant(`${node.output[0]}_clip_min`, scalarOf(type, min.f, node)) : '');
      inputs.push(max && typeof max.f === 'number' ? k.constant(`${node.output[0]}_clip_max`, scalarOf(type, max.f, node)) : '');
      while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
      node.input = inputs;
      dropAttrs(node, ['min', 'max']);
      return [node];
    },
  }],
  // Slice-10: starts, ends, axes are inputs (and steps is new).
  Slice: [{
    at: 10,
    rewrite(node, k) {
      const starts = intsAttr(node, 'starts');
      const ends = intsAttr(node, 'ends');
      if (!starts || !ends) throw new Error(`Slice node ${nodeLabel(node)} has no starts/ends attributes`);
      const axes = intsAttr(node, 'axes');
      const base = node.output[0];
      node.input = [node.input[0], k.constant(`${base}_starts`, int64Tensor('', [starts.length], starts)), k.constant(`${base}_ends`, int64Tensor('', [ends.length], ends))];
      if (axes) node.input.push(k.constant(`${base}_axes`, int64Tensor('', [axes.length], axes)));
      dropAttrs(node, ['starts', 'ends', 'axes']);
      return [node];
    },
  }],
  // Pad-11: pads and the constant value are inputs.
  Pad: [{
    at: 11,
    rewrite(node, k) {
      const pads = intsAttr(node, 'pads') ?? intsAttr(node, 'paddings');
      if (!pads) throw new Error(`Pad node ${nodeLabel(node)} has no pads attribute`);
      const value = getAttr(node, 'value');
      node.input = [node.input[0], k.constant(`${node.output[0]}_pads`, int64Tensor('', [pads.length], pads))];
      if (value && typeof value.f === 'number' && value.f !== 0) node.input.push(k.constant(`${node.output[0]}_pad_value`, scalarOf(k.elemType(node.input[0]), value.f, node)));
      dropAttrs(node, ['pads', 'paddings', 'value']);
      return [node];
    },
  }],
  // TopK-10: k is an input.
  TopK: [{
    at: 10,
    rewrite(node, k) {
      const kk = intAttr(node, 'k', -1);
      if (kk < 0) throw new Error(`TopK node ${nodeLabel(node)} has no k attribute`);
      node.input = [node.input[0], k.constant(`${node.output[0]}_k`, int64Tensor('', [1], [kk]))];
      dropAttrs(node, ['k']);
      return [node];
    },
  }],
  // Dropout-12: ratio is an input; at inference Dropout is the identity either way.
  Dropout: [{
    at: 12,
    rewrite(node, k) {
      const ratio = getAttr(node, 'ratio');
      if (ratio && typeof ratio.f === 'number') node.input = [node.input[0], k.constant(`${node.output[0]}_ratio`, floatTensor('', [], [ratio.f]))];
      dropAttrs(node, ['ratio', 'is_test']);
      return [node];
    },
  }],
  // Resize-11: inputs (X, roi, scales[, sizes]) instead of (X, scales), and the coordinate rules
  // became attributes: Resize-10's are 'asymmetric' (onnx's version converter,
  // adapters/resize_10_11.h), with the nearest pixel as ONNX Runtime picks it at opset 10
  // (resize10NearestRule). roi only counts for tf_crop_and_resize: empty.
  Resize: [{
    at: 11,
    rewrite(node, k) {
      if (node.input.length !== 2 || !node.input[1]) throw new Error(`Resize node ${nodeLabel(node)} at opset 10 must have the inputs (X, scales); it has ${node.input.length}`);
      const rule = resize10NearestRule(node, k.scope);
      node.input = [node.input[0], k.constant(`${node.output[0]}_roi`, floatTensor('', [0], [])), node.input[1]];
      dropAttrs(node, ['coordinate_transformation_mode', 'nearest_mode']);
      node.attribute.push(attrString('coordinate_transformation_mode', 'asymmetric'));
      const mode = getAttr(node, 'mode');
      if (!mode || Buffer.from(mode.s ?? []).toString('utf8') === 'nearest') node.attribute.push(attrString('nearest_mode', rule));
      return [node];
    },
  }],
  // Scatter was deprecated in opset 11 for ScatterElements, which has its inputs, attribute and
  // meaning (and takes negative indices too).
  Scatter: [{
    at: 11,
    rewrite(node) {
      node.opType = 'ScatterElements';
      return [node];
    },
  }],
  // BatchNormalization-9 dropped `spatial` (1, the default, is what it always does from 9; 0 is
  // refused before any rewrite, in upgradeOpset).
  BatchNormalization: [{
    at: 9,
    rewrite(node) {
      dropAttrs(node, ['spatial']);
      return [node];
    },
  }],
  // RoiAlign-16 added coordinate_transformation_mode, whose default 'half_pixel' is not what
  // RoiAlign-10 did ('output_half_pixel').
  RoiAlign: [{
    at: 16,
    rewrite(node) {
      if (!getAttr(node, 'coordinate_transformation_mode')) node.attribute.push(attrString('coordinate_transformation_mode', 'output_half_pixel'));
      return [node];
    },
  }],
  // Squeeze-13 / Unsqueeze-13: axes is an input.
  Squeeze: [{ at: 13, rewrite: axesToInput('axes') }],
  Unsqueeze: [{ at: 13, rewrite: axesToInput('axes') }],
  // Split-13: split is an input.
  Split: [{ at: 13, rewrite: axesToInput('split') }],
  ReduceSum: [{ at: 13, rewrite: axesToInput('axes') }],
  // Reductions other than ReduceSum take axes as an input from 18.
  ...Object.fromEntries(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'].map((op) => [op, [{ at: 18, rewrite: axesToInput('axes') }]])),
  // Softmax, LogSoftmax, Hardmax before 13 flatten the input to 2-D at `axis` (default 1) and
  // normalize each row; from 13 they normalize along `axis` (default −1) alone. The old meaning
  // is Flatten(axis) → op(axis 1) → Reshape(back to the input's shape).
  ...Object.fromEntries(['Softmax', 'LogSoftmax', 'Hardmax'].map((op) => [op, [{
    at: 13,
    rewrite(node: NodeProto, k: RewriteKit) {
      const axis = intAttr(node, 'axis', 1);
      if (axis === -1) return [node];
      const base = node.output[0];
      const flat = k.names.make(`${base}_flat2d`);
      const normed = k.names.make(`${base}_rows`);
      const shape = k.names.make(`${base}_in_shape`);
      return [
        makeNode('Flatten', [node.input[0]], [flat], k.names.make(`${nodeLabel(node)}_flatten`), [attrInt('axis', axis)]),
        makeNode(op, [flat], [normed], node.name ? node.name : k.names.make(`${op}_rows`), [attrInt('axis', 1)]),
        makeNode('Shape', [node.input[0]], [shape], k.names.make(`${nodeLabel(node)}_shape`)),
        makeNode('Reshape', [normed, shape], [base], k.names.make(`${nodeLabel(node)}_reshape`)),
      ];
    },
  }]])),
};

/** A scalar of element type `type` (float32, float16, double) holding `v`: Clip's bounds and Pad's value take their input's type. */
function scalarOf(type: number, v: number, node: NodeProto): TensorProto {
  if (type === DT.FLOAT) return floatTensor('', [], [v]);
  if (type === DT.DOUBLE) return makeTensor('', DT.DOUBLE, [], Float64Array.of(v));
  if (type === DT.FLOAT16) return makeTensor('', DT.FLOAT16, [], quantkit.toFloat16(Float32Array.of(v)));
  throw new Error(`${node.opType} node ${nodeLabel(node)}: cannot move its attributes to inputs for element type ${dataTypeName(type)}`);
}

function axesToInput(attr: string): Rewrite {
  return (node, k) => {
    const v = intsAttr(node, attr);
    dropAttrs(node, [attr]);
    if (v === undefined) return [node];
    const name = k.constant(`${node.output[0]}_${attr}`, int64Tensor('', [v.length], v));
    while (node.input.length < 1) node.input.push('');
    node.input = [node.input[0], name, ...node.input.slice(2)];
    return [node];
  };
}

/** Operators refused with a reason (their old forms have no exact newer equivalent here). */
const REFUSED: Record<string, string> = {
  Upsample: 'Upsample was removed in opset 10 (Resize replaces it with different coordinate rules)',
};

/**
 * Resize-10's nearest pixel as ONNX Runtime computes it (upsamplebase.h, nearest mode SIMPLE):
 * floor along an axis scaled up, ceil along one scaled down. Resize-11 states one rule for all
 * axes, so the scales must be a constant whose axes agree: 'floor' or 'ceil' (also for linear,
 * where it is unused), or 'cannot: why'.
 */
function resize10NearestRule(node: NodeProto, scope: GraphScope): string {
  const mode = getAttr(node, 'mode');
  const nearest = !mode || Buffer.from(mode.s ?? []).toString('utf8') === 'nearest';
  if (!nearest) return 'floor';
  const c = node.input[1] ? findConstant(scope, node.input[1]) : undefined;
  if (!c) return "cannot: Resize-10's nearest pixel depends on each scale (floor when scaling up, ceil when down, as ONNX Runtime runs it), and its scales are not a constant";
  const scales = floatValues(c.tensor, `Resize ${nodeLabel(node)} scales`);
  const down = Array.from(scales).some((v) => v < 1);
  const up = Array.from(scales).some((v) => v > 1);
  if (down && up) return `cannot: Resize-10's nearest pixel is floor along axes scaled up and ceil along axes scaled down (as ONNX Runtime runs it), and Resize-11 has one rule for all axes; its scales are [${Array.from(scales).join(', ')}]`;
  return down ? 'ceil' : 'floor';
}

/** The lowest opset the upgrader starts from: below 7, Add, Mul, Gemm and others broadcast by attributes. */
export const MIN_UPGRADE_FROM = 7;

/**
 * Why `node` (default domain) cannot be upgraded from `from` to `target`, or '' (checked for
 * every node before any rewrite).
 */
function refusal(node: NodeProto, from: number, target: number, scope: GraphScope): string {
  const r = REFUSED[node.opType];
  if (r) return r;
  if (!COMPATIBLE.has(node.opType) && !REWRITES[node.opType]) return '';
  if (node.opType === 'Resize' && from < 11 && target >= 11) {
    const rule = resize10NearestRule(node, scope);
    if (rule.startsWith('cannot')) return rule.slice('cannot: '.length);
  }
  if (node.opType === 'Scan' && from < 9) return 'Scan-8 has a batch axis and a sequence_lens input, which Scan-9 dropped';
  if (node.opType === 'BatchNormalization' && from < 9 && target >= 9 && intAttr(node, 'spatial', 1) === 0) {
    return 'BatchNormalization with spatial = 0 (statistics per element, not per channel) has no form from opset 9';
  }
  return '';
}

/**
 * `model` must be a decoded ModelProto (loadModel's `.model`): a TypeError naming `name` otherwise.
 */
export function checkModel(model: unknown, name: string): asserts model is ModelProto {
  const m = model as ModelProto | null;
  if (m === null || typeof m !== 'object' || !m.graph || !Array.isArray(m.graph.node) || !Array.isArray(m.opsetImport)) {
    const hint = m && typeof m === 'object' && 'model' in m ? ' (loadModel returns { model, … }: pass its .model)' : ArrayBuffer.isView(m) ? ' (for model bytes, decode them with loadModel first)' : '';
    const got = m === null ? 'null' : ArrayBuffer.isView(m) ? `a ${m.constructor.name} of ${m.byteLength} bytes` : typeof m === 'object' ? `an object with keys ${Object.keys(m).slice(0, 5).join(', ') || '(none)'}` : typeof m;
    throw new TypeError(`Expected ${name} to be an ONNX ModelProto as loadModel returns it in .model${hint} but received ${got}`);
  }
}

/** The lowest IR version that may carry a default-domain opset (onnx/helper.py VERSION_TABLE). */
export function irVersionFor(opset: number): number {
  if (opset <= 8) return 4;
  if (opset <= 10) return 5;
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

/** The newest default-domain opset this upgrader writes (and ONNX Runtime 1.17+ runs). */
export const MAX_UPGRADE_OPSET = 21;

/**
 * Upgrades `model`'s default-domain opset to `target` in place: every node in every graph is
 * checked first (nothing changes when one cannot be upgraded), then rewritten as REWRITES says,
 * the opset import and ir_version raised.
 * @throws Error naming the operator, the node and both opsets when a node cannot be upgraded;
 * RangeError when `target` is above MAX_UPGRADE_OPSET.
 */
export function upgradeOpset(model: ModelProto, target: number, what = 'the model'): void {
  checkModel(model, 'model');
  if (typeof target !== 'number' || !Number.isInteger(target)) throw new TypeError(`Expected opset to be an integer but received ${describe(target)}`);
  const from = opsetOf(model, '');
  if (from === undefined) throw new Error(`${what}: imports no default-domain opset`);
  if (target < from) throw new RangeError(`${what}: cannot upgrade from opset ${from} to the lower ${target}; quantkit upgrades, never downgrades`);
  if (target === from) return;
  if (target > MAX_UPGRADE_OPSET) throw new RangeError(`${what}: cannot upgrade to opset ${target}; quantkit upgrades to at most opset ${MAX_UPGRADE_OPSET}`);
  if (from < MIN_UPGRADE_FROM) throw new Error(`${what}: cannot upgrade from opset ${from}: quantkit's upgrader starts at opset ${MIN_UPGRADE_FROM} (below it, Add, Mul, Gemm and others broadcast by attributes); convert the model with onnx.version_converter first`);
  const scopes = allGraphs(model);
  const isDefault = (n: NodeProto): boolean => (n.domain ?? '') === '' || n.domain === 'ai.onnx';
  for (const scope of scopes) {
    for (const node of scope.graph.node) {
      if (!isDefault(node)) continue;
      const why = refusal(node, from, target, scope);
      if (why) throw new Error(`${what}: cannot upgrade node ${nodeLabel(node)} (${node.opType}) from opset ${from} to ${target}: ${why}`);
      if (!COMPATIBLE.has(node.opType) && !REWRITES[node.opType]) {
        throw new Error(`${what}: cannot upgrade node ${nodeLabel(node)} from opset ${from} to ${target}: quantkit's upgrader does not know operator ${node.opType}; convert the model with onnx.version_converter first`);
      }
      if (node.opType === 'BatchNormalization' && node.output.filter(Boolean).length > 1) {
        throw new Error(`${what}: cannot upgrade node ${nodeLabel(node)}: BatchNormalization in training form (several outputs) changed meaning in opset 14`);
      }
    }
  }
  const names = new Names(model);
  // Types from before any rewrite: the rewrites keep every value's name and type.
  const typed = new Map(inferTypes(model).map((t) => [t.graph, t]));
  for (const scope of scopes) upgradeGraph(scope, from, target, names, (name) => typeOf(typed.get(scope.graph)!, name) ?? DT.FLOAT);
  const o = model.opsetImport.find((x) => (x.domain ?? '') === '' || x.domain === 'ai.onnx')!;
  o.version = target;
  if (int64(model.irVersion, 'ir_version') < irVersionFor(target)) model.irVersion = irVersionFor(target);
}

/** Rewrites one graph's nodes; `elemType` gives a value's element type (float32 when unknown). */
function upgradeGraph(scope: GraphScope, from: number, target: number, names: Names, elemType: (name: string) => number): void {
  const graph = scope.graph;
  const out: NodeProto[] = [];
  const kit: RewriteKit = {
    names,
    graph,
    scope,
    elemType,
    constant(base, t) {
      const name = names.make(base);
      graph.initializer.push({ ...t, name });
      return name;
    },
  };
  for (const node of graph.node) {
    let nodes = [node];
    if ((node.domain ?? '') === '' || node.domain === 'ai.onnx') {
      for (const step of REWRITES[node.opType] ?? []) {
        if (!(from < step.at && step.at <= target)) continue;
        // Every rewritten operator reads its first input and writes its first output.
        if (!node.input[0] || !node.output[0]) throw new Error(`${node.opType} node ${nodeLabel(node)} has no ${node.input[0] ? 'output' : 'input'}: the model is malformed`);
        nodes = nodes.flatMap((n) => (n.opType === node.opType ? step.rewrite(n, kit) : [n]));
      }
    }
    out.push(...nodes);
  }
  graph.node = out;
}

