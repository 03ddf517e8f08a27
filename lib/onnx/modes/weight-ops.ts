// What the weight modes (dynamic, weights-only) share: finding a node's constant float32
// weight, or the reason it has none, the count of candidate nodes for progress, and a Gather's
// table (its constant float32 `data`), told apart from the many Gathers on shape tensors.
import { allGraphs, findConstant, intAttr, type ConstantSource, type GraphScope } from '../graph';
import { DT, type ModelProto, type NodeProto } from '../proto';
import { elementType } from '../types';
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
  if (dims.includes(0)) return `${label} '${name}' is empty (dims [${dims.join(', ')}]): there is nothing to quantize`;
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
