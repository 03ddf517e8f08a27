// What the weight modes (dynamic, weights-only) share: finding a node's constant float32
// weight, or the reason it has none, the count of candidate nodes for progress, and a Gather's
// table (its constant float32 `data`), told apart from the many Gathers on shape tensors.
import { allGraphs, findConstant, getAttr, intAttr, type ConstantSource, type GraphScope } from '../graph';
import { DT, type GraphProto, type ModelProto, type NodeProto } from '../proto';
import { dataTypeName, dimsOf, floatValues } from '../tensor';
import { firstNonFinite } from '../weights';

/** A node's constant float32 weight. */
export interface ConstantWeight {
  name: string;
  source: ConstantSource;
  values: Float32Array;
  dims: number[];
}

/**
 * The constant float32 input `index` of `node` (an initializer or a Constant node, in this
 * graph or an enclosing one), or why it is not one: a string to pass to ctx.skipped.
 */
export function constantWeight(node: NodeProto, scope: GraphScope, index: number, label: string): ConstantWeight | string {
  const name = node.input[index] ?? '';
  if (!name) return `no ${label} input`;
  const source = findConstant(scope, name);
  if (!source) return `${label} '${name}' is not a constant (computed in the graph, or a graph input a feed can override); only constant weights are quantized`;
  const t = source.tensor;
  if (t.dataType !== DT.FLOAT) return `${label} '${name}' is ${dataTypeName(t.dataType)}, not float (only float32 weights are quantized)`;
  const dims = dimsOf(t);
  const values = floatValues(t, `${label} '${name}'`);
  const bad = firstNonFinite(values);
  if (bad >= 0) return `${label} '${name}' holds ${values[bad]} at element ${bad}: no scale represents it`;
  return { name, source, values, dims };
}

/** Nodes of `ops` (default domain) in every graph, for progress totals. */
export function countNodes(model: ModelProto, ops: ReadonlySet<string>): number {
  let n = 0;
  for (const { graph } of allGraphs(model)) for (const node of graph.node) if (ops.has(node.opType) && (node.domain ?? '') === '') n++;
  return n;
}

/** Whether `node` is a default-domain node of one of `ops`. */
export const isOp = (node: NodeProto, ops: ReadonlySet<string>): boolean => ops.has(node.opType) && (node.domain ?? '') === '';

/** The row-major transpose of a 2-D [rows, cols] array (Gemm's transB weight as MatMul's [K, N]). */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/** The floating-point element types: a Gather on one of these is a lookup table, not shape arithmetic. */
const FLOAT_TYPES: ReadonlySet<number> = new Set([DT.FLOAT, DT.FLOAT16, DT.DOUBLE, DT.BFLOAT16]);

/**
 * A Gather's table: its constant float32 `data` (input 0) and the gather axis (normalised), or
 * a string saying why a float table is not quantized (for ctx.skipped), or undefined for a
 * Gather that is not a lookup in a float table (Shape → Gather and the other integer Gathers,
 * or data of unknown type): those are left alone silently, as ORT's is_valid_quantize_weight
 * leaves them (it quantizes a Gather only when its data is a float initializer).
 */
export function gatherTable(node: NodeProto, scope: GraphScope): (ConstantWeight & { axis: number }) | string | undefined {
  const name = node.input[0] ?? '';
  if (!name) return undefined;
  const source = findConstant(scope, name);
  const type = source ? source.tensor.dataType : elementType(scope, name);
  if (type === undefined || !FLOAT_TYPES.has(type)) return undefined;
  const w = constantWeight(node, scope, 0, 'data');
  if (typeof w === 'string') return w;
  const rank = w.dims.length;
  if (rank === 0) return `data '${name}' is a scalar; Gather needs data of rank ≥ 1`;
  const axis = intAttr(node, 'axis', 0);
  if (axis < -rank || axis >= rank) return `axis ${axis} is outside [${-rank}, ${rank - 1}] for data '${name}' of rank ${rank}`;
  return { ...w, axis: axis < 0 ? axis + rank : axis };
}

/** Each graph's value element types, made once (the model is rewritten only after they are read). */
const typeCache = new WeakMap<GraphProto, Map<string, number>>();

/**
 * The element type of value `name` seen from `scope` (this graph or an enclosing one), or
 * undefined when it cannot be told: declared types (inputs, outputs, value_info), initializers,
 * and a forward pass over the nodes with each default-domain op's output type rule (Shape → int64,
 * Cast → `to`, comparisons → bool, most ops → their first input's type for their first output).
 */
export function elementType(scope: GraphScope, name: string): number | undefined {
  for (let s: GraphScope | undefined = scope; s; s = s.parent) {
    let types = typeCache.get(s.graph);
    if (!types) typeCache.set(s.graph, (types = graphTypes(s.graph, (n) => (s!.parent ? elementType(s!.parent, n) : undefined))));
    const t = types.get(name);
    if (t !== undefined) return t;
  }
  return undefined;
}

const INT64_OUT = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression']);
const BOOL_OUT = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']);
/** Ops whose output type is set by an attribute or differs from their first input's in ways not listed here: unknown. */
const UNKNOWN_OUT = new Set(['If', 'Loop', 'Scan', 'TfIdfVectorizer', 'HannWindow', 'HammingWindow', 'BlackmanWindow', 'MelWeightMatrix', 'EyeLike', 'RandomNormalLike', 'RandomUniformLike', 'RandomNormal', 'RandomUniform', 'Multinomial', 'Bernoulli', 'StringNormalizer', 'QLinearConv', 'QLinearMatMul', 'Optional', 'OptionalGetElement']);

function graphTypes(graph: GraphProto, outer: (name: string) => number | undefined): Map<string, number> {
  const types = new Map<string, number>();
  for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) {
    const t = v.type?.tensorType?.elemType;
    if (t) types.set(v.name, t);
  }
  for (const t of graph.initializer) if (t.name && t.dataType) types.set(t.name, t.dataType);
  const typeOf = (n: string | undefined): number | undefined => (n ? types.get(n) ?? outer(n) : undefined);
  for (const node of graph.node) {
    const outs = (node.domain ?? '') === '' ? outputTypes(node, typeOf) : [];
    node.output.forEach((o, k) => {
      if (o && !types.has(o) && outs[k] !== undefined) types.set(o, outs[k]!);
    });
  }
  return types;
}

function outputTypes(node: NodeProto, typeOf: (n: string | undefined) => number | undefined): (number | undefined)[] {
  const op = node.opType;
  const in0 = typeOf(node.input[0]);
  if (op === 'Constant') {
    const a = node.attribute.find((x) => x.t || x.name === 'value_float' || x.name === 'value_floats' || x.name === 'value_int' || x.name === 'value_ints');
    return [a?.t ? a.t.dataType : a?.name.startsWith('value_float') ? DT.FLOAT : a ? DT.INT64 : undefined];
  }
  if (INT64_OUT.has(op)) return node.output.map(() => DT.INT64);
  if (BOOL_OUT.has(op)) return [DT.BOOL];
  if (UNKNOWN_OUT.has(op)) return [];
  switch (op) {
    case 'Cast': return [intAttr(node, 'to', 0) || undefined];
    case 'CastLike': return [typeOf(node.input[1])];
    case 'Where': return [typeOf(node.input[1])];
    case 'OneHot': return [typeOf(node.input[2])];
    case 'ConstantOfShape': return [getAttr(node, 'value')?.t?.dataType ?? DT.FLOAT];
    case 'DequantizeLinear': return [typeOf(node.input[1])];
    case 'QuantizeLinear': return [typeOf(node.input[2]) ?? DT.UINT8];
    case 'DynamicQuantizeLinear': return [DT.UINT8, DT.FLOAT, DT.UINT8];
    case 'MatMulInteger':
    case 'ConvInteger': return [DT.INT32];
    case 'TopK': return [in0, DT.INT64];
    case 'Unique': return [in0, DT.INT64, DT.INT64, DT.INT64];
    case 'Split': return node.output.map(() => in0);
    default: return [in0];
  }
}
