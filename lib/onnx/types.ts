// Element types of every value in a model and its subgraphs, inferred forward from the graph
// inputs, initializers and constants through the ONNX operator schemas' type rules (an op's
// output keeps input 0's type unless the schema says otherwise). Exporters such as PaddleOCR and
// Silero write no value_info, and quantkit has no shape inference: mode 'fp16' decides from
// these types where Casts go, and the opset upgrader types the constants it writes (Clip's
// bounds, Pad's value) from them.
import { DT, int64, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto';
import { getAttr, nodeLabel, type GraphScope } from './graph';

const F32 = DT.FLOAT;

/** Ops of other domains known to take float16 like float (their output has input 0's type). */
export const KNOWN_FOREIGN = new Set(['com.microsoft/MatMulNBits']);

/**
 * com.microsoft ops whose outputs are not all float though they read float: the quantizing ops
 * write integer codes (QuantizeLinear, QLinear*, QGemm with y_zero_point, MatMulInteger16's
 * int32), EmbedLayerNormalization's mask_index (output 1) is int32. Index -1: every output.
 */
const FOREIGN_NOT_FLOAT: ReadonlyMap<string, number> = new Map([
  ['com.microsoft/QuantizeLinear', -1], ['com.microsoft/QGemm', -1], ['com.microsoft/MatMulInteger16', -1],
  ['com.microsoft/EmbedLayerNormalization', 1],
]);

/**
 * The element types of the outputs of an op of another domain that quantkit does not know
 * (it stays float32): the type declared in value_info wins (inferGraph); otherwise, when the
 * node reads float32, its outputs are taken as float32 too — the float ops of com.microsoft
 * (Gelu, FastGelu, QuickGelu, BiasGelu, FusedMatMul, SkipLayerNormalization, Attention, …) write
 * their input's type T — so that float16 consumers get a Cast; other outputs stay unknown.
 */
function foreignOutputTypes(node: NodeProto, ins: (number | undefined)[]): (number | undefined)[] {
  const op = `${node.domain}/${node.opType}`;
  const readsF32 = ins.some((t) => t === F32);
  const notFloat = FOREIGN_NOT_FLOAT.get(op) ?? (node.domain === 'com.microsoft' && node.opType.startsWith('QLinear') ? -1 : undefined);
  return node.output.map((_, i) => (readsF32 && notFloat !== -1 && notFloat !== i ? F32 : undefined));
}

export interface Scope extends GraphScope {
  parent?: Scope;
  /** The node whose attribute holds this graph (undefined for the main graph). */
  owner?: NodeProto;
  /** Element types of the values defined here (inputs, initializers, node outputs), as inferred. */
  types: Map<string, number | undefined>;
  /** What defines each value here. */
  defs: Map<string, { node?: NodeProto; init?: TensorProto; input?: boolean }>;
}

export const subgraphsOf = (node: NodeProto): { attr: AttributeProto; graph: GraphProto; k: number }[] =>
  node.attribute.flatMap((a) => (a.g ? [{ attr: a, graph: a.g, k: 0 }] : (a.graphs ?? []).map((graph, k) => ({ attr: a, graph, k }))));

export function lookup(scope: Scope, name: string): Scope | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.defs.has(name)) return s;
  return undefined;
}
export const typeOf = (scope: Scope, name: string): number | undefined => lookup(scope, name)?.types.get(name);
export const elemOf = (v: ValueInfoProto): number | undefined => v.type?.tensorType?.elemType || undefined;

function constantType(node: NodeProto): number | undefined {
  for (const a of node.attribute) {
    if (a.name === 'value' && a.t) return a.t.dataType;
    if (a.name === 'value_float' || a.name === 'value_floats') return F32;
    if (a.name === 'value_int' || a.name === 'value_ints') return DT.INT64;
    if (a.name === 'value_string' || a.name === 'value_strings') return DT.STRING;
  }
  return undefined;
}

/** The element types of a default-domain node's outputs, from its inputs' (ONNX operator schemas). */
function outputTypes(node: NodeProto, ins: (number | undefined)[], sub: Scope[]): (number | undefined)[] {
  const n = node.output.length;
  const all = (t: number | undefined): (number | undefined)[] => new Array(n).fill(t);
  const dtype = (dflt: number | undefined): number | undefined => {
    const a = getAttr(node, 'dtype');
    return a && a.i !== undefined && a.i !== null ? int64(a.i, `${nodeLabel(node)}.dtype`) : dflt;
  };
  if (node.domain && node.domain !== 'ai.onnx') return KNOWN_FOREIGN.has(`${node.domain}/${node.opType}`) ? all(ins[0]) : foreignOutputTypes(node, ins);
  switch (node.opType) {
    case 'Constant': return [constantType(node)];
    case 'Shape': case 'Size': case 'NonZero': case 'ArgMax': case 'ArgMin': return all(DT.INT64);
    case 'Cast': return [int64(getAttr(node, 'to')?.i, `${nodeLabel(node)}.to`)];
    case 'CastLike': return [ins[1]];
    case 'Equal': case 'Less': case 'Greater': case 'LessOrEqual': case 'GreaterOrEqual': case 'Not': case 'And': case 'Or': case 'Xor': case 'IsNaN': case 'IsInf':
      return all(DT.BOOL);
    case 'ConstantOfShape': return [getAttr(node, 'value')?.t?.dataType ?? F32];
    case 'RandomNormal': case 'RandomUniform': return [dtype(F32)];
    case 'RandomNormalLike': case 'RandomUniformLike': case 'EyeLike': case 'Bernoulli': return [dtype(ins[0])];
    case 'Multinomial': return [dtype(DT.INT32)];
    case 'Where': return [ins[1]];
    case 'OneHot': return [ins[2]];
    case 'TopK': case 'MaxPool': return [ins[0], DT.INT64];
    case 'Unique': return [ins[0], DT.INT64, DT.INT64, DT.INT64];
    case 'Dropout': return [ins[0], DT.BOOL];
    case 'LayerNormalization': return [ins[0], F32, F32];
    case 'QuantizeLinear': return [ins[2] ?? DT.UINT8];
    case 'DequantizeLinear': return [ins[1]];
    case 'DynamicQuantizeLinear': return [DT.UINT8, F32, DT.UINT8];
    case 'MatMulInteger': case 'ConvInteger': return [DT.INT32];
    case 'QLinearConv': case 'QLinearMatMul': return [ins[7]];
    case 'If': return sub[0] ? sub[0].graph.output.map((o) => sub[0].types.get(o.name) ?? typeOf(sub[0], o.name) ?? elemOf(o)) : all(undefined);
    case 'Loop': return sub[0] ? sub[0].graph.output.slice(1).map((o) => typeOf(sub[0], o.name) ?? elemOf(o)) : all(undefined);
    case 'Scan': return sub[0] ? sub[0].graph.output.map((o) => typeOf(sub[0], o.name) ?? elemOf(o)) : all(undefined);
    default: return all(ins[0]);
  }
}

/** Builds the scopes of `graph` and its subgraphs and infers every value's element type. */
export function inferGraph(graph: GraphProto, parent: Scope | undefined, owner: NodeProto | undefined, path: string, ownerInputs: (number | undefined)[], out: Scope[]): Scope {
  const s: Scope = { graph, parent, owner, path, types: new Map(), defs: new Map() };
  out.push(s);
  graph.input.forEach((v, i) => {
    let t = elemOf(v);
    // Loop/Scan bodies may leave their inputs untyped: Loop's are (iteration, condition, carried…).
    if (t === undefined && owner?.opType === 'Loop') t = i === 0 ? DT.INT64 : i === 1 ? DT.BOOL : ownerInputs[i];
    if (t === undefined && owner?.opType === 'Scan') t = ownerInputs[i + (owner.input.length - graph.input.length)];
    s.types.set(v.name, t);
    s.defs.set(v.name, { input: true });
  });
  for (const t of graph.initializer) {
    const name = t.name ?? '';
    if (s.defs.has(name)) continue; // an initializer that is also an input: the input's type stands
    s.types.set(name, t.dataType);
    s.defs.set(name, { init: t });
  }
  const declared = new Map<string, number | undefined>();
  for (const v of [...graph.valueInfo, ...graph.output]) if (elemOf(v) !== undefined) declared.set(v.name, elemOf(v));
  for (const node of graph.node) {
    const ins = node.input.map((i) => (i ? typeOf(s, i) : undefined));
    const subs = subgraphsOf(node).map(({ attr, graph: g, k }) =>
      inferGraph(g, s, node, `${path} > ${nodeLabel(node)}.${attr.name}${attr.g ? '' : `[${k}]`}`, ins, out),
    );
    const outs = outputTypes(node, ins, subs);
    node.output.forEach((o, i) => {
      if (!o) return;
      s.types.set(o, declared.get(o) ?? outs[i]);
      s.defs.set(o, { node });
    });
  }
  return s;
}

/**
 * The typed scopes of `model`: the main graph first, then every subgraph (If/Loop/Scan bodies)
 * with its parent; each value's element type, or undefined where the rules cannot tell.
 */
export function inferTypes(model: ModelProto): Scope[] {
  const out: Scope[] = [];
  inferGraph(model.graph, undefined, undefined, 'main', [], out);
  return out;
}

/** Typed scopes by the graph they type, per main graph: made on first use, before a mode rewrites. */
const typedByRoot = new WeakMap<GraphProto, Map<GraphProto, Scope>>();

/**
 * The element type of value `name` as seen from `scope` (its graph or an enclosing one), or
 * undefined when the rules cannot tell. The types are inferred once per model, on the first call:
 * ask before rewriting (a mode's own rewrites keep the names and types of what they replace).
 */
export function elementType(scope: GraphScope, name: string): number | undefined {
  let root: GraphScope = scope;
  while (root.parent) root = root.parent;
  let typed = typedByRoot.get(root.graph);
  if (!typed) {
    const scopes: Scope[] = [];
    inferGraph(root.graph, undefined, undefined, root.path, [], scopes);
    typed = new Map(scopes.map((t) => [t.graph, t]));
    typedByRoot.set(root.graph, typed);
  }
  const t = typed.get(scope.graph);
  return t ? typeOf(t, name) : undefined;
}
