// Mode 'fp16': float32 → float16, as onnxconverter-common's convert_float_to_float16
// (onnxconverter_common/float16.py) with keep_io_types=True does, but on the types quantkit
// infers itself (exporters such as PaddleOCR and Silero write no value_info, and there is no
// shape inference here):
//   - float32 initializers and Constant values become float16 (convert_np_to_float16: 0 < |x| <
//     1e-7 → ±1e-7, |x| > 65504 → ±65504, then round to nearest even via quantkit's toFloat16);
//   - every node runs in float16 except the converter's DEFAULT_OP_BLOCK_LIST, options.keepFloat32Ops,
//     excluded nodes, ops of other domains quantkit does not know, and whatever sits in their subgraphs;
//   - Cast nodes go where a value's type and its consumer's differ: float32 graph inputs and
//     outputs (keepIoTypes), and the inputs and outputs of the nodes that stay float32;
//   - Cast(to=float), ConstantOfShape's value, and the dtype of the Random*/EyeLike ops follow;
//     a Cast reads any type, so it gets no Cast before it, and a Cast(to=float) whose readers all
//     take float32 (a model converted before: its output Casts) is left as it is;
//   - ops of other domains quantkit does not know (com.microsoft Gelu, FastGelu, QuickGelu,
//     BiasGelu, FusedMatMul, …: ONNX Runtime's CPU kernels of these are float only) stay float32;
//     their float outputs are taken as float32 (the type of their inputs) and cast to float16 for
//     the float16 nodes that read them.
// Differences from the converter, each because its output would not load in ONNX Runtime:
// the upper clamp is 65504 (its default 1e4 alters weights it need not); a constant used by
// both kinds of node is converted and cast back for the float32 ones (it keeps it float32 and
// feeds float32 to float16 nodes); Cast(to=float) inside the float16 part becomes to=float16
// (its new implementation leaves the attribute while retyping the value); Constant's
// value_float(s) are converted too.
import quantkit from '../../index';
import type { ModeImpl } from './index';
import type { ModeContext } from '../context';
import { AT, DT, int64, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../proto';
import { attrInt, getAttr, makeNode, nodeLabel, opsetOf, type GraphScope } from '../graph';
import { floatValues, makeTensor } from '../tensor';
import { elemOf, inferTypes, KNOWN_FOREIGN, lookup, typeOf, type Scope } from '../types';

/** onnxconverter-common float16.py DEFAULT_OP_BLOCK_LIST: ops kept in float32. */
export const DEFAULT_OP_BLOCK_LIST: readonly string[] = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer', 'Imputer',
  'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder', 'RandomUniformLike',
  'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'ZipMap',
  'NonMaxSuppression', 'TopK', 'RoiAlign', 'Resize', 'Range', 'CumSum', 'Min', 'Max', 'Upsample',
];

/**
 * Why a default-domain quantization op stays float32 at this opset ('' when it takes float16),
 * from the ONNX operator schemas: QuantizeLinear-10/13's x and y_scale and DequantizeLinear-10/13's
 * x_scale and y are tensor(float) (float16 from version 19); DynamicQuantizeLinear-11's x and
 * y_scale are tensor(float) only; QLinearConv-10's and QLinearMatMul-10's scales are tensor(float)
 * (QLinearMatMul-21 allows float16, ONNX Runtime's CPU kernel takes float32). MatMulInteger and
 * ConvInteger read and write no float.
 */
export function quantOpFloat32Reason(opType: string, opset: number): string {
  switch (opType) {
    case 'QuantizeLinear': case 'DequantizeLinear':
      return opset < 19 ? `${opType}-${opset < 13 ? 10 : 13} takes float32 only (float16 from opset 19; the model's is ${opset})` : '';
    case 'DynamicQuantizeLinear': return 'DynamicQuantizeLinear takes and writes float32 only';
    case 'QLinearConv': case 'QLinearMatMul': return `${opType}'s scales stay float32`;
    default: return '';
  }
}

/** convert_float_to_float16's min_positive_val (1e-7, compared in float32 as numpy does). */
const MIN_POSITIVE = Math.fround(1e-7);
/** The largest finite float16 (the converter's max_finite_val is 1e4; see the header). */
const MAX_FINITE = 65504;

const F32 = DT.FLOAT;
const F16 = DT.FLOAT16;

/** toFloat16Clamped's output: the bits, and how many values each clamp changed. */
export interface ClampedFloat16 {
  bits: Uint16Array;
  /** Values with 0 < |x| < 1e-7 written as ±1e-7. */
  small: number;
  /** Finite values with |x| > 65504 written as ±65504. */
  large: number;
}

/**
 * float32 values → float16 bit patterns as convert_np_to_float16 does: 0 < x < 1e-7 → 1e-7,
 * −1e-7 < x < 0 → −1e-7, 65504 < x < ∞ → 65504, −∞ < x < −65504 → −65504 (0, ±∞, NaN kept),
 * then quantkit.toFloat16 (round to nearest even). Counts what each clamp changed.
 */
export function toFloat16Clamped(x: Float32Array): ClampedFloat16 {
  const v = new Float32Array(x.length);
  let small = 0;
  let large = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    if (a > 0 && a < MIN_POSITIVE) (v[i] = MIN_POSITIVE), small++;
    else if (a < 0 && a > -MIN_POSITIVE) (v[i] = -MIN_POSITIVE), small++;
    else if (a > MAX_FINITE && a < Infinity) (v[i] = MAX_FINITE), large++;
    else if (a < -MAX_FINITE && a > -Infinity) (v[i] = -MAX_FINITE), large++;
    else v[i] = a;
  }
  return { bits: quantkit.toFloat16(v), small, large };
}

/** `t` as a float16 tensor (same name and dims); clamps are recorded under `label` in `scope`. */
function tensorToFloat16(t: TensorProto, what: string, label: string, scope: GraphScope, ctx: ModeContext): TensorProto {
  const c = toFloat16Clamped(floatValues(t, what));
  ctx.clamped(label, scope, c.small, c.large);
  return makeTensor(t.name ?? '', F16, t.dims.map((d, i) => int64(d, `${what} dims[${i}]`)), c.bits);
}

/** How a node runs after the conversion. */
type Kind = 'f16' | 'f32' | 'const' | 'io';

function setElem(v: ValueInfoProto, t: number): void {
  if (v.type?.tensorType) v.type.tensorType.elemType = t;
  else v.type = { tensorType: { elemType: t } };
}

async function run(ctx: ModeContext): Promise<void> {
  const { model, opts, names } = ctx;
  const keepIo = opts.keepIoTypes;
  const blockList = new Set([...DEFAULT_OP_BLOCK_LIST, ...opts.keepFloat32Ops]);
  const keepOps = new Set(opts.keepFloat32Ops);
  const scopes = inferTypes(model);
  const main = scopes[0];
  const opset = opsetOf(model, '') ?? 1;

  // 1. How each node runs; a float32 node's subgraphs stay float32 whole. Dynamic mode's
  //    MatMulInteger → Cast(float) → Mul(Xs · Ws) stays float32 too: the int32 sums pass 65504,
  //    and Xs · Ws (DynamicQuantizeLinear's scale times the weight's) falls among float16's
  //    subnormals; the Mul's product, the layer's output, goes on in float16.
  const wide = new Set<string>(); // int32 sums cast to float, and products of quantization scales
  const accumulatorReason = (s: Scope, node: NodeProto): string => {
    const src = (name: string): NodeProto | undefined => (name ? lookup(s, name)?.defs.get(name)?.node : undefined);
    if (node.opType === 'Cast' && int64(getAttr(node, 'to')?.i ?? 0, `${nodeLabel(node)}.to`) === F32) {
      const p = src(node.input[0]);
      if (p && !p.domain && (p.opType === 'MatMulInteger' || p.opType === 'ConvInteger')) {
        wide.add(node.output[0]);
        return `casts the int32 sums of ${p.opType} ${nodeLabel(p)}, beyond float16's range`;
      }
    }
    if (node.opType !== 'Mul') return '';
    if (node.input.some((i) => wide.has(i))) return "scales int32 sums beyond float16's range back";
    if (node.input.some((i) => src(i)?.opType === 'DynamicQuantizeLinear' && !src(i)!.domain && src(i)!.output[1] === i)) {
      wide.add(node.output[0]);
      return "multiplies DynamicQuantizeLinear's scale (a product below float16's normal range)";
    }
    return '';
  };
  const kind = new Map<NodeProto, Kind>();
  const why = new Map<NodeProto, string>();
  for (const s of scopes) {
    const inherited = s.owner && kind.get(s.owner) === 'f32';
    for (const node of s.graph.node) {
      const foreign = node.domain && node.domain !== 'ai.onnx' && !KNOWN_FOREIGN.has(`${node.domain}/${node.opType}`);
      let reason = '';
      if (inherited) reason = 'inside the subgraph of a node that stays float32';
      else if (ctx.isExcluded(node)) reason = ctx.excludedBy(node)!;
      else if (foreign) reason = `op ${node.domain}.${node.opType} is not known to take float16 (kept float32 between Casts; its float outputs are taken as float32, like its inputs)`;
      else if (keepOps.has(node.opType)) reason = 'options.keepFloat32Ops';
      else if (blockList.has(node.opType)) reason = `'${node.opType}' is in onnxconverter-common's DEFAULT_OP_BLOCK_LIST`;
      else if (!node.domain || node.domain === 'ai.onnx') reason = quantOpFloat32Reason(node.opType, opset) || accumulatorReason(s, node);
      if (reason) {
        kind.set(node, 'f32');
        why.set(node, reason);
      } else kind.set(node, node.opType === 'Constant' && !node.domain ? 'const' : 'f16');
    }
  }

  // Which nodes read or write float32, before Casts rename their inputs and outputs: the
  // report's changed and skipped lists (step 6) are made from it.
  const isF32 = (s: Scope, name: string): boolean => !!name && typeOf(s, name) === F32;
  const floatIo = new Set<NodeProto>();
  for (const s of scopes) for (const node of s.graph.node) if (node.input.concat(node.output).some((n) => isF32(s, n))) floatIo.add(node);

  // 2. Where each float32 value is needed, and as what.
  type Slot = { scope: Scope; name: string; want: number; set: (name: string) => void; ioOut?: boolean };
  const slots: Slot[] = [];
  for (const s of scopes) {
    for (const node of s.graph.node) {
      const k = kind.get(node)!;
      // A Cast reads any type: its input never needs one more Cast.
      if (k === 'const' || (node.opType === 'Cast' && !node.domain)) continue;
      node.input.forEach((name, i) => {
        if (isF32(s, name)) slots.push({ scope: s, name, want: k === 'f16' ? F16 : F32, set: (n) => (node.input[i] = n) });
      });
    }
    const outWant = s === main ? (keepIo ? F32 : F16) : kind.get(s.owner!) === 'f32' ? F32 : F16;
    s.graph.output.forEach((o, i) => {
      if (isF32(s, o.name)) slots.push({ scope: s, name: o.name, want: outWant, set: (n) => (s.graph.output[i].name = n), ioOut: s === main });
    });
  }

  // 3. Each float32 value's type after the conversion.
  const key = (s: Scope, name: string): string => `${scopes.indexOf(s)}\u0000${name}`;
  const finalType = new Map<string, number>();
  const constWants = new Map<string, Set<number | 'io'>>();
  for (const sl of slots) {
    const def = lookup(sl.scope, sl.name)!;
    const d = def.defs.get(sl.name)!;
    if (d.init || (d.node && kind.get(d.node) === 'const')) {
      const k = key(def, sl.name);
      if (!constWants.has(k)) constWants.set(k, new Set());
      constWants.get(k)!.add(sl.ioOut && sl.want === F32 ? 'io' : sl.want);
    }
  }
  // A Cast(to=float) in the float16 part becomes Cast(to=float16), unless every reader of its
  // output takes float32 (a float32 model output, a node kept float32): then it stays as it is
  // (a model converted before keeps its output Casts).
  const wants = new Map<string, Set<number>>();
  for (const sl of slots) {
    const k = key(lookup(sl.scope, sl.name)!, sl.name);
    if (!wants.has(k)) wants.set(k, new Set());
    wants.get(k)!.add(sl.want);
  }
  const keptCasts = new Set<NodeProto>();
  for (const s of scopes) {
    for (const [name, d] of s.defs) {
      if (s.types.get(name) !== F32) continue;
      let t: number;
      if (d.input) t = s === main ? (keepIo ? F32 : F16) : kind.get(s.owner!) === 'f32' ? F32 : F16;
      else if (d.init || kind.get(d.node!) === 'const') {
        const w = constWants.get(key(s, name));
        t = !w || w.has('io') || !w.has(F16) ? F32 : F16;
      } else if (kind.get(d.node!) === 'f16' && d.node!.opType === 'Cast' && !d.node!.domain && !wants.get(key(s, name))?.has(F16)) {
        t = F32;
        keptCasts.add(d.node!);
      } else if (kind.get(d.node!) === 'f16') t = d.node!.opType === 'LayerNormalization' && d.node!.output.indexOf(name) > 0 ? F32 : F16;
      else t = F32;
      finalType.set(key(s, name), t);
    }
  }
  const final = (s: Scope, name: string): number | undefined => {
    const def = lookup(s, name);
    return def ? finalType.get(key(def, name)) : undefined;
  };

  const after = new Map<NodeProto, NodeProto[]>();
  const front = new Map<GraphProto, NodeProto[]>();
  const place = (s: Scope, name: string, n: NodeProto): void => {
    const d = s.defs.get(name);
    if (d?.node) {
      if (!after.has(d.node)) after.set(d.node, []);
      after.get(d.node)!.push(n);
    } else {
      if (!front.has(s.graph)) front.set(s.graph, []);
      front.get(s.graph)!.push(n);
    }
  };
  // 4. Main-graph outputs whose producer writes the other float type: the producer writes a
  //    new name and a Cast writes the output's own, so the model's output names stay.
  const renamed = new Set<string>();
  for (const sl of slots) {
    const have = final(sl.scope, sl.name);
    if (!sl.ioOut || have === undefined || have === sl.want || renamed.has(sl.name)) continue;
    const d = main.defs.get(sl.name);
    if (!d?.node) continue;
    const old = sl.name;
    const inner = names.make(`${old}_${have === F16 ? 'fp16' : 'fp32'}`);
    renamed.add(old);
    d.node.output[d.node.output.indexOf(old)] = inner;
    for (const other of slots) if (other.name === old && !other.ioOut) other.set(inner), (other.name = inner);
    main.defs.set(inner, d);
    main.types.set(inner, F32);
    finalType.set(key(main, inner), have);
    const cast = makeNode('Cast', [inner], [old], names.make(`${old}_cast_to_${sl.want === F16 ? 'fp16' : 'fp32'}`), [attrInt('to', sl.want)]);
    kind.set(cast, 'io');
    main.defs.set(old, { node: cast });
    finalType.set(key(main, old), sl.want);
    place(main, inner, cast);
  }

  // 5. Casts where a value's type and its consumer's differ, one per graph, value and type.
  const casts = new Map<string, string>();
  for (const sl of slots) {
    const have = final(sl.scope, sl.name);
    if (have === undefined || have === sl.want) continue;
    const ck = `${key(sl.scope, sl.name)}\u0000${sl.want}`;
    let out = casts.get(ck);
    if (!out) {
      out = names.make(`${sl.name}_to_${sl.want === F16 ? 'fp16' : 'fp32'}`);
      casts.set(ck, out);
      const cast = makeNode('Cast', [sl.name], [out], out, [attrInt('to', sl.want)]);
      kind.set(cast, 'io');
      place(sl.scope, sl.name, cast);
    }
    sl.set(out);
    if (!sl.ioOut && sl.scope !== main && sl.scope.graph.output.some((o) => o.name === out)) {
      const o = sl.scope.graph.output.find((x) => x.name === out)!;
      setElem(o, sl.want);
    }
  }

  // 6. Constants, attributes and declared types.
  for (const s of scopes) {
    for (const t of s.graph.initializer) {
      const name = t.name ?? '';
      // An initializer that is also a graph input (older exporters) follows the input's type,
      // so that the two agree (ONNX Runtime rejects a float32 initializer for a float16 input).
      const d = s.defs.get(name);
      if (finalType.get(key(s, name)) === F16 && t.dataType === F32 && (d?.init === t || d?.input)) {
        s.graph.initializer[s.graph.initializer.indexOf(t)] = tensorToFloat16(t, `initializer ${name} (${s.path})`, name, s, ctx);
      }
    }
    for (const node of s.graph.node) {
      const k = kind.get(node);
      if (k === 'const' && finalType.get(key(s, node.output[0])) === F16) {
        const v = node.attribute.find((a) => a.name === 'value' || a.name === 'value_float' || a.name === 'value_floats')!;
        const t: TensorProto =
          v.name === 'value' ? v.t! : v.name === 'value_float' ? makeTensor(node.output[0], F32, [], Float32Array.of(v.f ?? 0)) : makeTensor(node.output[0], F32, [(v.floats ?? []).length], Float32Array.from(v.floats ?? []));
        node.attribute = [{ name: 'value', type: AT.TENSOR, t: tensorToFloat16(t, `Constant ${nodeLabel(node)} (${s.path})`, nodeLabel(node), s, ctx) }];
        ctx.changed(node, s, 'float16 constant');
        continue;
      }
      if (k !== 'f16') {
        if (k === 'f32' && floatIo.has(node)) ctx.skipped(node, s, why.get(node)!);
        continue;
      }
      if (!floatIo.has(node)) continue;
      if (node.opType === 'Cast') {
        const to = getAttr(node, 'to')!;
        const toType = int64(to.i, `${nodeLabel(node)}.to`);
        if (toType === F32 && keptCasts.has(node)) ctx.skipped(node, s, 'Cast to float32 whose readers all take float32 (a float32 model output or a float32 node): kept');
        else if (toType === F16) ctx.skipped(node, s, 'already casts to float16');
        if (toType !== F32 || keptCasts.has(node)) continue;
        to.i = F16;
      } else if (node.opType === 'ConstantOfShape' && isF32(s, node.output[0])) {
        const v = getAttr(node, 'value');
        if (v?.t) v.t = tensorToFloat16(v.t, `ConstantOfShape ${nodeLabel(node)}.value`, nodeLabel(node), s, ctx);
        else node.attribute.push({ name: 'value', type: AT.TENSOR, t: makeTensor('', F16, [1], new Uint16Array(1)) });
      } else if (['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'EyeLike', 'Bernoulli'].includes(node.opType)) {
        const d = getAttr(node, 'dtype');
        if (d && int64(d.i, `${nodeLabel(node)}.dtype`) === F32) d.i = F16;
        else if (!d && (node.opType === 'RandomNormal' || node.opType === 'RandomUniform')) node.attribute.push(attrInt('dtype', F16));
      }
      ctx.changed(node, s, 'float16');
    }
    for (const v of [...s.graph.input, ...s.graph.output, ...s.graph.valueInfo]) {
      if (elemOf(v) === F32 && final(s, v.name) === F16) setElem(v, F16);
    }
  }

  // 7. The inserted Casts, in topological places.
  for (const s of scopes) {
    const nodes: NodeProto[] = [...(front.get(s.graph) ?? [])];
    for (const n of s.graph.node) nodes.push(n, ...(after.get(n) ?? []));
    s.graph.node = nodes;
  }
}

export const fp16Mode: ModeImpl = {
  // Cast with an integer 'to' attribute is Cast-6; every op that takes float takes float16 from there.
  minOpset: () => ({ opset: 6, why: 'Cast with an integer "to" attribute (Cast-6) for the float16 casts' }),
  run,
};
