// Mode 'weights-only': every constant float32 weight of MatMul, Gemm, Conv and ConvTranspose is
// stored as int8/uint8/int4/uint4 codes with a scale and zero point, and a DequantizeLinear
// gives the float weight back at run time; activations stay float. This is the weight half of
// ONNX Runtime's QDQ format (qdq_quantizer.py _add_qdq_nodes_for_initializer: `<w>_quantized`,
// `<w>_scale`, `<w>_zero_point` → `<w>_DequantizeLinear` → `<w>_DequantizeLinear_Output`),
// with the parameters of quant_utils.py (lib/onnx/weights.ts).
//
// Layouts: perChannel (the default without blockSize; opset 13): the output-channel axis (Conv 0,
// ConvTranspose 1, MatMul the last (N of [K, N]), Gemm 0 with transB else 1); per tensor
// (perChannel: false; opset 10; ONNX Runtime's default, which garbles PaddleOCR's text);
// blockSize: blocks along the input (reduction) axis (Conv and ConvTranspose: the input
// channels, axis 1 and 0; MatMul: K, axis rank − 2; Gemm: 1 with transB else 0; opset 21
// block_size). A depthwise Conv's input-channel axis holds one weight per group, so blocks
// along it would hold one weight each: those weights are per-channel instead (said in the
// report). int4/uint4 need opset 21. Defaults: int8; symmetric for int8/int4 (ORT's
// WeightSymmetric default), asymmetric for uint8/uint4.
//
// Gather: a constant float32 `data` (an embedding table [vocab, hidden]) is stored the same way,
// DequantizeLinear → Gather (indices untouched, the `axis` attribute kept), as ORT's QDQ form
// does it (operators/gather.py QDQGather: the table quantized before the Gather). ORT treats the
// table as an activation (the activation type, asymmetric, per tensor); here it is a weight
// like the others, so weightType, symmetric, reduceRange and the layout options mean what they
// mean for MatMul: perChannel is one scale per gathered slice (the gather axis: one per token
// row of an embedding, the layout of a tied Gemm transB / lm_head, which then shares the same
// DequantizeLinear), blockSize blocks along the last axis that is not the gather axis (the
// hidden axis of [vocab, hidden], contiguous in memory); a 1-D table is per tensor under
// perChannel (one scale per value would outweigh the value) and blocked along its one axis.
// A Gather whose data is a float tensor but not a constant float32 one is in `skipped`; Gathers
// on integer data (Shape → Gather) or data of unknown type are left alone without a report.
import type { ModeImpl } from './index';
import type { ModeContext, ModelOptions } from '../context';
import { allGraphs, attrInt, intAttr, makeNode, removeUnusedConstants, type GraphScope } from '../graph';
import type { NodeProto, TensorProto } from '../proto';
import { quantizeWeight, weightTensors, type QuantizedWeight, type WeightType } from '../weights';
import { constantWeight, countNodes, gatherTable, isOp, type ConstantWeight } from './weight-ops';

const OPS: ReadonlySet<string> = new Set(['MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'Gather']);

const is4bit = (t: WeightType | undefined): boolean => t === 'int4' || t === 'uint4';

export const weightsOnlyMode: ModeImpl = {
  minOpset: (opts: ModelOptions) => {
    if (is4bit(opts.weightType)) return { opset: 21, why: 'DequantizeLinear of int4/uint4 is opset 21' };
    if (opts.blockSize !== undefined) return { opset: 21, why: 'DequantizeLinear block_size is opset 21' };
    if (opts.perChannel) return { opset: 13, why: 'DequantizeLinear axis (per-channel) is opset 13' };
    return { opset: 10, why: 'DequantizeLinear is opset 10' };
  },
  run: async (ctx) => run(ctx),
};

/**
 * What was made: the quantized weight by source tensor and layout; the DequantizeLinear output
 * by graph and (source tensor, layout) key.
 */
interface Made {
  quantized: Map<TensorProto, Map<string, QuantizedWeight>>;
  outputs: Map<GraphScope, Map<TensorProto, Map<string, string>>>;
}

/** The parameter layout of a node's weight: axis (per channel or blocked) and blockSize, or per tensor. */
interface Layout { axis?: number; blockSize?: number; label: string }

function layoutOf(node: NodeProto, dims: number[], opts: ModelOptions): Layout | string {
  const rank = dims.length;
  const op = node.opType;
  if ((op === 'Conv' || op === 'ConvTranspose') && rank < 3) return `weight has rank ${rank}; ${op} weights are [M, C/group, k…]`;
  if (op === 'Gemm' && rank !== 2) return `weight B has rank ${rank}; Gemm's B is 2-D`;
  if (op === 'MatMul' && rank < 2) return `weight B has rank ${rank}; a 1-D B has no output-channel axis (only 2-D and batched B are rewritten)`;
  const transB = op === 'Gemm' && intAttr(node, 'transB', 0) !== 0;
  // The output-channel axis, and the input (reduction) axis that blocks run along.
  const out = op === 'Conv' ? 0 : op === 'ConvTranspose' ? 1 : op === 'Gemm' ? (transB ? 0 : 1) : rank - 1;
  const inp = op === 'Conv' ? 1 : op === 'ConvTranspose' ? 0 : op === 'Gemm' ? (transB ? 1 : 0) : rank - 2;
  if (opts.blockSize !== undefined) {
    const depthwise = op === 'Conv' && dims[1] === 1 && intAttr(node, 'group', 1) > 1;
    if (depthwise) return { axis: out, label: `per-channel (depthwise: blocks of the one input channel would hold one weight each)` };
    return { axis: inp, blockSize: opts.blockSize, label: `block ${opts.blockSize} on axis ${inp}` };
  }
  if (opts.perChannel) return { axis: out, label: `per-channel axis ${out}` };
  return { label: 'per-tensor' };
}

/** A Gather table's layout (see the header): per gathered slice, blocks along the last other axis, or per tensor. */
function gatherLayoutOf(rank: number, gatherAxis: number, opts: ModelOptions): Layout {
  if (opts.blockSize !== undefined) {
    const axis = rank === 1 ? 0 : gatherAxis === rank - 1 ? rank - 2 : rank - 1;
    return { axis, blockSize: opts.blockSize, label: `block ${opts.blockSize} on axis ${axis}` };
  }
  if (opts.perChannel && rank === 1) return { label: 'per-tensor (a 1-D table: per channel would hold one value per scale)' };
  if (opts.perChannel) return { axis: gatherAxis, label: `per-channel axis ${gatherAxis}` };
  return { label: 'per-tensor' };
}

async function run(ctx: ModeContext): Promise<void> {
  const opts = ctx.opts;
  const type: WeightType = opts.weightType ?? 'int8';
  const total = countNodes(ctx.model, OPS);
  let done = 0;
  const made: Made = { quantized: new Map(), outputs: new Map() };
  const scopes = allGraphs(ctx.model);
  for (const scope of scopes) {
    for (const node of [...scope.graph.node]) {
      if (!isOp(node, OPS)) continue;
      ctx.progress(++done, total, node.name || node.opType);
      if (node.opType === 'Gather') {
        gather(ctx, scope, node, type, made);
        continue;
      }
      if (ctx.isExcluded(node)) {
        ctx.skipped(node, scope, ctx.excludedBy(node)!);
        continue;
      }
      const w = constantWeight(node, scope, 1, node.opType.startsWith('Conv') ? 'weight W' : 'weight B');
      if (typeof w === 'string') {
        ctx.skipped(node, scope, w);
        continue;
      }
      const layout = layoutOf(node, w.dims, opts);
      if (typeof layout === 'string') {
        ctx.skipped(node, scope, layout);
        continue;
      }
      node.input[1] = dequantized(ctx, scope, node, w, layout, type, made);
      ctx.changed(node, scope, `DequantizeLinear(${type}, ${layout.label}) → ${node.opType}`);
    }
  }
  for (const { graph } of scopes) removeUnusedConstants(graph);
}

/** A Gather on a constant float32 table → DequantizeLinear → Gather; other Gathers as gatherTable says. */
function gather(ctx: ModeContext, scope: GraphScope, node: NodeProto, type: WeightType, made: Made): void {
  const t = gatherTable(node, scope);
  if (t === undefined) return;
  if (ctx.isExcluded(node)) return ctx.skipped(node, scope, ctx.excludedBy(node)!);
  if (typeof t === 'string') return ctx.skipped(node, scope, t);
  const layout = gatherLayoutOf(t.dims.length, t.axis, ctx.opts);
  node.input[0] = dequantized(ctx, scope, node, t, layout, type, made);
  ctx.changed(node, scope, `DequantizeLinear(${type}, ${layout.label}) → Gather`);
}

/**
 * The name of `w`'s float weight rebuilt by a DequantizeLinear in `scope` (made once per
 * weight, layout and graph, before `before`). The codes and parameters are initializers of that
 * same graph, even when the float weight lives in an enclosing one: ONNX Runtime's QDQ
 * transformers (qdq_actions.cc TransposeDQWeightsForMatMulNBits, the DQ → MatMul fusions) look
 * the DequantizeLinear's constant inputs up in the DQ's own graph and refuse to load the model
 * at the default optimization level when they are an outer scope's. A weight used in several
 * graphs is quantized once and its codes are stored once per graph.
 */
function dequantized(ctx: ModeContext, scope: GraphScope, before: NodeProto, w: ConstantWeight, layout: Layout, type: WeightType, made: Made): string {
  const key = `${layout.axis ?? ''}/${layout.blockSize ?? ''}`;
  const names = ctx.names;
  let outputs = made.outputs.get(scope);
  if (!outputs) made.outputs.set(scope, (outputs = new Map()));
  let byLayout = outputs.get(w.source.tensor);
  if (!byLayout) outputs.set(w.source.tensor, (byLayout = new Map()));
  const have = byLayout.get(key);
  if (have) return have;
  let quantized = made.quantized.get(w.source.tensor);
  if (!quantized) made.quantized.set(w.source.tensor, (quantized = new Map()));
  let q = quantized.get(key);
  if (q === undefined) {
    q = quantizeWeight(w.values, w.dims, { type, symmetric: ctx.opts.symmetric, reduceRange: ctx.opts.reduceRange, axis: layout.axis, blockSize: layout.blockSize }, `weight '${w.name}'`);
    quantized.set(key, q);
  }
  const t = weightTensors(q, { data: names.make(`${w.name}_quantized`), scale: names.make(`${w.name}_scale`), zeroPoint: names.make(`${w.name}_zero_point`) });
  scope.graph.initializer.push(t.data, t.scale, t.zeroPoint);
  const output = names.make(`${w.name}_DequantizeLinear_Output`);
  const attrs = [...(layout.axis !== undefined ? [attrInt('axis', layout.axis)] : []), ...(layout.blockSize !== undefined ? [attrInt('block_size', layout.blockSize)] : [])];
  const dq = makeNode('DequantizeLinear', [t.data.name!, t.scale.name!, t.zeroPoint.name!], [output], names.make(`${w.name}_DequantizeLinear`), attrs);
  scope.graph.node.splice(scope.graph.node.indexOf(before), 0, dq);
  byLayout.set(key, output);
  return output;
}
