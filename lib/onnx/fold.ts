// Conv → BatchNormalization folded into one Conv before a mode runs: what ONNX Runtime's
// quantization pre-processing (quant_pre_process, its graph optimizer's Conv+BatchNormalization
// fusion) does before quantize_static/quantize_dynamic, and what the real models need: PaddleOCR
// keeps every BatchNormalization separate, and some of its Convs reach ±4300 just before a
// BatchNormalization of small variance, so quantizing (or float16-rounding) the Conv's weights or
// output on their own scale loses what the normalization then magnifies.
//
// With f[m] = scale[m] / sqrt(var[m] + epsilon) per output channel m (ONNX BatchNormalization,
// inference form), the folded Conv has W'[m, …] = W[m, …] · f[m] and
// b'[m] = (b[m] − mean[m]) · f[m] + B[m], computed in float64 and rounded once to float32.
import { findConstant, getAttr, nodeLabel, removeUnusedConstants, usesOf, type GraphScope } from './graph';
import { DT, type NodeProto } from './proto';
import { dimsOf, floatTensor, floatValues } from './tensor';
import type { ModeContext } from './context';
import { allGraphs } from './graph';

function constantFloats(scope: GraphScope, name: string): { values: Float32Array; dims: number[] } | undefined {
  if (!name) return undefined;
  const c = findConstant(scope, name);
  if (!c || c.tensor.dataType !== DT.FLOAT) return undefined;
  return { values: floatValues(c.tensor, `tensor ${name}`), dims: dimsOf(c.tensor) };
}

/**
 * Folds every BatchNormalization (inference form: one output) that directly follows a Conv
 * whose output nothing else reads, when the weights and the normalization's four inputs are
 * float32 constants and neither node is excluded. Returns the number folded.
 */
export function foldBatchNorms(ctx: ModeContext): number {
  let folded = 0;
  for (const scope of allGraphs(ctx.model)) {
    const graph = scope.graph;
    const uses = usesOf(graph);
    const outputs = new Set(graph.output.map((o) => o.name));
    const producer = new Map<string, NodeProto>();
    for (const n of graph.node) for (const o of n.output) producer.set(o, n);
    const removed = new Set<NodeProto>();
    for (const bn of graph.node) {
      if (bn.opType !== 'BatchNormalization' || (bn.domain ?? '') !== '' || bn.output.filter(Boolean).length !== 1 || ctx.isExcluded(bn)) continue;
      const x = bn.input[0];
      const conv = producer.get(x);
      if (!conv || conv.opType !== 'Conv' || (conv.domain ?? '') !== '' || ctx.isExcluded(conv)) continue;
      if (outputs.has(x) || (uses.get(x)?.length ?? 0) !== 1) continue;
      const w = constantFloats(scope, conv.input[1] ?? '');
      if (!w || w.dims.length < 3) continue;
      const m = w.dims[0];
      const bias = conv.input[2] ? constantFloats(scope, conv.input[2]) : undefined;
      if (conv.input[2] && !bias) continue;
      const [scale, shift, mean, variance] = [1, 2, 3, 4].map((i) => constantFloats(scope, bn.input[i] ?? ''));
      if (!scale || !shift || !mean || !variance || ![scale, shift, mean, variance].every((t) => t.values.length === m)) continue;
      if (bias && bias.values.length !== m) continue;
      const epsAttr = getAttr(bn, 'epsilon');
      const eps = epsAttr && typeof epsAttr.f === 'number' ? epsAttr.f : 1e-5;
      const per = w.values.length / m;
      const wOut = new Float32Array(w.values.length);
      const bOut = new Float32Array(m);
      for (let c = 0; c < m; c++) {
        const f = scale.values[c] / Math.sqrt(variance.values[c] + eps);
        for (let k = 0; k < per; k++) wOut[c * per + k] = w.values[c * per + k] * f;
        bOut[c] = ((bias ? bias.values[c] : 0) - mean.values[c]) * f + shift.values[c];
      }
      if (!wOut.every(Number.isFinite) || !bOut.every(Number.isFinite)) continue;
      const wName = ctx.names.make(`${conv.input[1]}_bn_folded`);
      const bName = ctx.names.make(`${conv.input[2] || `${nodeLabel(conv)}_bias`}_bn_folded`);
      graph.initializer.push(floatTensor(wName, w.dims, wOut), floatTensor(bName, [m], bOut));
      conv.input = [conv.input[0], wName, bName];
      conv.output = [bn.output[0]];
      removed.add(bn);
      folded++;
    }
    if (removed.size) {
      graph.node = graph.node.filter((n) => !removed.has(n));
      // the unfolded weights and the normalization's parameters, now read by nothing
      removeUnusedConstants(graph);
    }
  }
  return folded;
}
