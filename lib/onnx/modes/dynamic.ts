// Mode 'dynamic': what ONNX Runtime's quantize_dynamic writes (onnx_quantizer.py,
// operators/matmul.py MatMulInteger, operators/conv.py ConvInteger). Constant float32 weights
// of MatMul, Gemm and Conv become int8/uint8 initializers; the activation is quantized at run
// time by DynamicQuantizeLinear (uint8), multiplied in integers, and scaled back:
//
//   X → DynamicQuantizeLinear → (Xq, Xs, Xz)
//   MatMulInteger(Xq, Wq, Xz, Wz) | ConvInteger(…) → Cast(float) → Mul(Xs · Ws) [→ Mul(alpha)] [→ Add(bias)]
//
// Decisions (README "ONNX models"):
// - weightType default: uint8 when the model has a Conv anywhere (subgraphs too), else int8,
//   as transformers.js's q8 (onnxruntime-web lacks int8 ConvInteger); symmetric by default for
//   int8 only (ORT's is_weight_symmetric).
// - Gemm is rewritten directly (ORT rewrites Gemm to MatMul + Add first, and only when
//   alpha = beta = 1): transB's weight is stored transposed as [K, N], alpha is a Mul, beta·C an
//   Add (a Mul first when beta ≠ 1). transA = 1 is left float.
// - perChannel: MatMul/Gemm per output column (axis 1 of [K, N], scales [N] broadcast over
//   the last dim). Conv per output channel only when the weights are symmetric (ORT's
//   ConvInteger takes one weight zero point, and symmetric per-channel zero points are all the
//   centre), scales shaped [M, 1, …] for NCHW; asymmetric Conv weights stay per-tensor (ORT's
//   own tool never does per-channel ConvInteger).
// - MatMul needs a 2-D constant B; a B of another rank, or any non-constant or non-float32
//   weight, is reported in `skipped`. LSTM stays float (ORT's DynamicQuantizeLSTM is a
//   com.microsoft op onnxruntime-web lacks; Silero VAD's LSTM weights are not constants anyway).
// - Gather with a constant float32 `data` (an embedding table): ORT's GatherQuant
//   (operators/gather.py) through quantize_activation → quantize_initializer: the table is
//   quantized as an *activation*, with dynamic mode's activation type uint8, per tensor, no
//   reduce_range, asymmetric (symmetric only when weightType is uint8 too and `symmetric` is
//   set: ORT's quantize_initializer_impl takes is_weight_symmetric when the type equals the
//   weight type); weightType, perChannel and reduceRange do not apply to it, as in ORT. The
//   Gather then reads the codes, and a DequantizeLinear of its output (ORT's _dequantize_value,
//   `<out>_DequantizeLinear`) gives the float rows back under the original output name:
//     Gather(<data>_quantized, indices, axis) → <out>_quantized → DequantizeLinear(·, <data>_scale, <data>_zero_point) → <out>
//   Indices and `axis` are kept; per tensor fits any axis. ORT feeds a following MatMulInteger
//   the uint8 rows directly when it quantizes that consumer; here every consumer reads the
//   dequantized float output (one graph shape for all). Constant-node tables are quantized too
//   (ORT only takes initializers); a Gather whose data is a float tensor but not a constant
//   float32 one is in `skipped`, Gathers on integer data (Shape → Gather) are left alone
//   silently. A table also used by MatMul/Gemm gets its own copy per layout.
import type { ModeImpl } from './index';
import type { ModeContext } from '../context';
import { allGraphs, attrInt, findConstant, floatAttr, intAttr, makeNode, removeUnusedConstants, type ConstantSource, type GraphScope } from '../graph';
import { DT, type AttributeProto, type NodeProto, type TensorProto } from '../proto';
import { floatTensor, makeTensor, floatValues } from '../tensor';
import { broadcastDims, defaultWeightSymmetric, qRange, quantizeWeight, roundHalfEven, weightTensors, WEIGHT_DT, type QuantizedWeight, type WeightType } from '../weights';
import { constantWeight, countNodes, gatherTable, isOp, transpose2d, type ConstantWeight } from './weight-ops';

const OPS: ReadonlySet<string> = new Set(['MatMul', 'Gemm', 'Conv', 'Gather']);

/** The run-time quantized activation: DynamicQuantizeLinear's three outputs. */
interface DynamicInput { q: string; scale: string; zeroPoint: string }
/** A quantized weight's initializer names. */
interface WeightNames { q: string; scale: string; zeroPoint: string; perChannel: boolean }

export const dynamicMode: ModeImpl = {
  minOpset: () => ({ opset: 11, why: 'DynamicQuantizeLinear is opset 11' }),
  run: async (ctx) => new DynamicRewriter(ctx).run(),
};

class DynamicRewriter {
  private readonly type: WeightType;
  private readonly symmetric: boolean;
  /** Quantized weights by source tensor and layout key: a weight two nodes share is stored once. */
  private readonly weights = new Map<TensorProto, Map<string, WeightNames>>();
  /** Gather tables: quantized once per source tensor, their initializers stored once per graph that gathers from them. */
  private readonly tables = new Map<TensorProto, QuantizedWeight>();
  private readonly tableNames = new Map<GraphScope, Map<TensorProto, WeightNames>>();
  private done = 0;
  private readonly total: number;

  constructor(private readonly ctx: ModeContext) {
    const hasConv = allGraphs(ctx.model).some(({ graph }) => graph.node.some((n) => n.opType === 'Conv' && (n.domain ?? '') === ''));
    this.type = ctx.opts.weightType ?? (hasConv ? 'uint8' : 'int8');
    if (this.type !== 'int8' && this.type !== 'uint8') throw new TypeError(`mode 'dynamic': weightType '${this.type}' is not supported (MatMulInteger and ConvInteger take int8 or uint8)`);
    this.symmetric = ctx.opts.symmetric ?? defaultWeightSymmetric(this.type);
    this.total = countNodes(ctx.model, OPS);
  }

  async run(): Promise<void> {
    const scopes = allGraphs(this.ctx.model);
    for (const scope of scopes) {
      const inputs = new Map<string, DynamicInput>();
      for (const node of [...scope.graph.node]) {
        if (node.opType === 'LSTM' && (node.domain ?? '') === '') {
          this.ctx.skipped(node, scope, "LSTM stays float (ORT's DynamicQuantizeLSTM is a com.microsoft op that onnxruntime-web lacks)");
          continue;
        }
        if (!isOp(node, OPS)) continue;
        this.ctx.progress(++this.done, this.total, node.name || node.opType);
        if (node.opType === 'Gather') {
          this.gather(node, scope);
          continue;
        }
        if (this.ctx.isExcluded(node)) {
          this.ctx.skipped(node, scope, this.ctx.excludedBy(node)!);
          continue;
        }
        const replacement = node.opType === 'Conv' ? this.conv(node, scope, inputs) : this.matmul(node, scope, inputs);
        if (typeof replacement === 'string') this.ctx.skipped(node, scope, replacement);
      }
    }
    for (const { graph } of scopes) removeUnusedConstants(graph);
  }

  /**
   * Gather on a constant float32 table → Gather on its uint8 codes → DequantizeLinear (see the
   * header); other Gathers as gatherTable says (integer ones silently).
   */
  private gather(node: NodeProto, scope: GraphScope): void {
    const t = gatherTable(node, scope);
    if (t === undefined) return;
    if (this.ctx.isExcluded(node)) return this.ctx.skipped(node, scope, this.ctx.excludedBy(node)!);
    if (typeof t === 'string') return this.ctx.skipped(node, scope, t);
    const symmetric = this.type === 'uint8' && this.symmetric;
    let q = this.tables.get(t.source.tensor);
    if (!q) {
      q = quantizeWeight(t.values, t.dims, { type: 'uint8', symmetric, reduceRange: false }, `Gather data '${t.name}'`);
      this.tables.set(t.source.tensor, q);
    }
    // The codes sit in the Gather's own graph, next to the DequantizeLinear that reads the scale
    // and zero point (ORT's QDQ transformers look a DequantizeLinear's constants up there).
    let inGraph = this.tableNames.get(scope);
    if (!inGraph) this.tableNames.set(scope, (inGraph = new Map()));
    let n = inGraph.get(t.source.tensor);
    const names = this.ctx.names;
    if (!n) {
      n = { q: names.make(`${t.name}_quantized`), scale: names.make(`${t.name}_scale`), zeroPoint: names.make(`${t.name}_zero_point`), perChannel: false };
      const w = weightTensors(q, { data: n.q, scale: n.scale, zeroPoint: n.zeroPoint });
      scope.graph.initializer.push(w.data, w.scale, w.zeroPoint);
      inGraph.set(t.source.tensor, n);
    }
    const y = node.output[0];
    const codes = names.make(`${y}_quantized`);
    node.input[0] = n.q;
    node.output[0] = codes;
    const k = scope.graph.node.indexOf(node);
    scope.graph.node.splice(k + 1, 0, makeNode('DequantizeLinear', [codes, n.scale, n.zeroPoint], [y], names.make(`${y}_DequantizeLinear`)));
    this.ctx.changed(node, scope, `Gather on uint8 codes → DequantizeLinear (per-tensor${symmetric ? ', symmetric' : ''}, axis ${t.axis})`);
  }

  /** MatMul or Gemm → MatMulInteger; a string is why not. */
  private matmul(node: NodeProto, scope: GraphScope, inputs: Map<string, DynamicInput>): string | void {
    const gemm = node.opType === 'Gemm';
    const w = constantWeight(node, scope, 1, 'weight B');
    if (typeof w === 'string') return w;
    if (w.dims.length !== 2) return `weight B '${w.name}' has rank ${w.dims.length}; only a 2-D constant B is rewritten`;
    const transB = gemm ? intAttr(node, 'transB', 0) !== 0 : false;
    if (gemm && intAttr(node, 'transA', 0) !== 0) return 'transA = 1 is not rewritten (MatMulInteger takes A as it is)';
    const alpha = gemm ? floatAttr(node, 'alpha', 1) : 1;
    const beta = gemm ? floatAttr(node, 'beta', 1) : 1;
    const bias = gemm && beta !== 0 ? node.input[2] ?? '' : '';
    const [rows, cols] = w.dims;
    const kn = transB ? { values: transpose2d(w.values, rows, cols), dims: [cols, rows] } : { values: w.values, dims: w.dims };
    const perChannel = this.ctx.opts.perChannel;
    const wq = this.weight(w, `${transB ? 'T' : ''}${perChannel ? 'c' : 't'}`, () => ({ ...this.quantize(kn.values, kn.dims, perChannel ? 1 : undefined, w.name), scaleDims: undefined }), transB ? `${w.name}_transposed` : w.name);

    const g = scope.graph;
    const y = node.output[0];
    const base = node.name || y;
    const names = this.ctx.names;
    let out = alpha !== 1 || bias ? names.make(`${y}_scaled`) : y;
    const nodes = this.integerOp('MatMulInteger', node, scope, inputs, wq, out, []);
    if (alpha !== 1) {
      const a = names.make(`${base}_alpha`);
      g.initializer.push(floatTensor(a, [], [alpha]));
      const next = bias ? names.make(`${y}_alpha_output`) : y;
      nodes.push(makeNode('Mul', [out, a], [next], names.make(`${base}_alpha_mul`)));
      out = next;
    }
    if (bias) {
      let c = bias;
      if (beta !== 1) {
        const b = names.make(`${base}_beta`);
        g.initializer.push(floatTensor(b, [], [beta]));
        c = names.make(`${bias}_beta_output`);
        nodes.push(makeNode('Mul', [bias, b], [c], names.make(`${base}_beta_mul`)));
      }
      nodes.push(makeNode('Add', [out, c], [y], names.make(`${base}_bias_add`)));
    }
    this.replace(scope, node, nodes);
    const extra = gemm ? [transB ? 'transB' : '', alpha !== 1 ? 'alpha' : '', bias ? (beta !== 1 ? 'beta·C' : 'C') : ''].filter(Boolean) : [];
    this.ctx.changed(node, scope, `MatMulInteger (${this.type} ${wq.perChannel ? 'per-channel' : 'per-tensor'}${extra.length ? `; ${extra.join(', ')}` : ''})`);
  }

  /** Conv → ConvInteger; a string is why not. */
  private conv(node: NodeProto, scope: GraphScope, inputs: Map<string, DynamicInput>): string | void {
    const w = constantWeight(node, scope, 1, 'weight W');
    if (typeof w === 'string') return w;
    if (w.dims.length < 3) return `weight W '${w.name}' has rank ${w.dims.length}; Conv weights are [M, C/group, k…]`;
    const rank = w.dims.length;
    const m = w.dims[0];
    // Per channel only with one zero point for all channels (ORT's ConvInteger refuses more).
    const perChannel = this.ctx.opts.perChannel && this.symmetric;
    const wq = this.weight(w, perChannel ? 'c' : 't', () => {
      const q = this.quantize(w.values, w.dims, perChannel ? 0 : undefined, w.name);
      if (perChannel) centreZeroPoints(q, `weight W '${w.name}'`);
      return { ...q, scaleDims: perChannel ? broadcastDims(m, 1, rank) : undefined };
    }, w.name);

    const g = scope.graph;
    const y = node.output[0];
    const names = this.ctx.names;
    const bias = node.input[2] ?? '';
    const scaled = bias ? names.make(`${y}quant_scaled_output`) : y;
    const nodes = this.integerOp('ConvInteger', node, scope, inputs, wq, scaled, node.attribute.map((a) => ({ ...a })));
    if (bias) {
      // The bias [M] added along the channel axis of [N, M, spatial…]: a reshaped copy when
      // it is a constant, else a Reshape to [1, M, 1, …] (ORT's ConvInteger path).
      const shape = [m, ...new Array<number>(rank - 2).fill(1)];
      const c = findConstant(scope, bias);
      const reshaped = names.make(`${bias}_reshaped`);
      if (c && c.tensor.dataType === DT.FLOAT) {
        target(c).initializer.push(floatTensor(reshaped, shape, floatValues(c.tensor, `bias '${bias}'`)));
      } else {
        const shapeName = names.make(`${y}_bias_reshape_shape`);
        g.initializer.push(makeTensor(shapeName, DT.INT64, [rank], BigInt64Array.from([1n, -1n, ...new Array<bigint>(rank - 2).fill(1n)])));
        nodes.push(makeNode('Reshape', [bias, shapeName], [reshaped], names.make(`${y}_bias_reshape`)));
      }
      nodes.push(makeNode('Add', [scaled, reshaped], [y], names.make(`${y}_bias_add`)));
    }
    this.replace(scope, node, nodes);
    const note = this.ctx.opts.perChannel && !perChannel ? ' (per-channel needs symmetric weights: ConvInteger takes one weight zero point)' : '';
    this.ctx.changed(node, scope, `ConvInteger (${this.type} ${perChannel ? 'per-channel' : 'per-tensor'}${note})`);
  }

  /**
   * The integer op and its scaling back, ORT's names: `op`(Xq, Wq, Xz, Wz) → Cast(float) →
   * Mul by Xs·Ws, written to `out`.
   */
  private integerOp(op: 'MatMulInteger' | 'ConvInteger', node: NodeProto, scope: GraphScope, inputs: Map<string, DynamicInput>, wq: WeightNames, out: string, attrs: AttributeProto[]): NodeProto[] {
    const y = node.output[0];
    const base = node.name || y;
    const names = this.ctx.names;
    const x = this.dynamicInput(node.input[0], scope, inputs, node);
    const product = names.make(`${y}_output_quantized`);
    const cast = names.make(`${y}_output_quantized_cast_output`);
    const scales = names.make(`${base}_quant_scales_mul:0`);
    return [
      makeNode(op, [x.q, wq.q, x.zeroPoint, wq.zeroPoint], [product], names.make(`${base}_quant`), attrs),
      makeNode('Cast', [product], [cast], names.make(`${y}_output_quantized_cast`), [attrInt('to', DT.FLOAT)]),
      makeNode('Mul', [x.scale, wq.scale], [scales], names.make(`${base}_quant_scales_mul`)),
      makeNode('Mul', [cast, scales], [out], names.make(`${base}_quant_output_scale_mul`)),
    ];
  }

  private quantize(values: Float32Array, dims: number[], axis: number | undefined, name: string): QuantizedWeight {
    return quantizeWeight(values, dims, { type: this.type, symmetric: this.symmetric, reduceRange: this.ctx.opts.reduceRange, axis }, `weight '${name}'`);
  }

  /**
   * The quantized initializers of `w` in the layout `key`, made once: stored in the graph that
   * holds the float weight, so every node that sees the weight sees them. A per-channel weight
   * whose zero points are all equal gets one scalar zero point (all ConvInteger takes).
   */
  private weight(w: ConstantWeight, key: string, make: () => QuantizedWeight & { scaleDims?: number[] }, base: string): WeightNames {
    let byKey = this.weights.get(w.source.tensor);
    if (!byKey) this.weights.set(w.source.tensor, (byKey = new Map()));
    const have = byKey.get(key);
    if (have) return have;
    const q = make();
    const names = this.ctx.names;
    const n: WeightNames = { q: names.make(`${base}_quantized`), scale: names.make(`${base}_scale`), zeroPoint: names.make(`${base}_zero_point`), perChannel: q.axis !== undefined };
    const zeroPoints = q.scaleDims && q.zeroPoint.every((z) => z === q.zeroPoint[0]) ? q.zeroPoint.subarray(0, 1) : q.zeroPoint;
    const dt = WEIGHT_DT[q.type];
    target(w.source).initializer.push(
      makeTensor(n.q, dt, q.dims, q.codes),
      makeTensor(n.scale, DT.FLOAT, q.scaleDims ?? q.paramDims, q.scale),
      makeTensor(n.zeroPoint, dt, zeroPoints.length === 1 && q.scaleDims ? [] : q.paramDims, zeroPoints),
    );
    byKey.set(key, n);
    return n;
  }

  /** X's DynamicQuantizeLinear, made once per graph, before its first rewritten consumer. */
  private dynamicInput(x: string, scope: GraphScope, inputs: Map<string, DynamicInput>, before: NodeProto): DynamicInput {
    const have = inputs.get(x);
    if (have) return have;
    const names = this.ctx.names;
    const d: DynamicInput = { q: names.make(`${x}_quantized`), scale: names.make(`${x}_scale`), zeroPoint: names.make(`${x}_zero_point`) };
    const k = scope.graph.node.indexOf(before);
    scope.graph.node.splice(k, 0, makeNode('DynamicQuantizeLinear', [x], [d.q, d.scale, d.zeroPoint], names.make(`${x}_QuantizeLinear`)));
    inputs.set(x, d);
    return d;
  }

  private replace(scope: GraphScope, node: NodeProto, nodes: NodeProto[]): void {
    const k = scope.graph.node.indexOf(node);
    if (k < 0) throw new Error(`internal: node ${node.name} is not in its graph`);
    scope.graph.node.splice(k, 1, ...nodes);
  }
}

/**
 * ConvInteger takes one weight zero point, and symmetric per-channel zero points are all the
 * centre of the range, except for a channel whose range is below float32's smallest normal
 * (all zeros): compute_scale_zp gives it scale 1 and zero point 0, as ORT's tool would, and ORT's
 * ConvInteger then refuses the model (trial finding: one zero channel in PaddleOCR's recognizer,
 * uint8 symmetric). Such a channel's codes all equal its zero point, so it takes the centre as
 * zero point and code instead: it still dequantizes to 0 exactly. In place.
 */
function centreZeroPoints(q: QuantizedWeight, what: string): void {
  const { qmin, qmax } = qRange(q.type, q.reduceRange, true);
  const centre = roundHalfEven((qmin + qmax) / 2);
  const inner = q.codes.length / q.zeroPoint.length;
  for (let c = 0; c < q.zeroPoint.length; c++) {
    const z = q.zeroPoint[c];
    if (z === centre) continue;
    const codes = q.codes.subarray(c * inner, (c + 1) * inner);
    if (q.scale[c] !== 1 || codes.some((v) => v !== z)) throw new Error(`internal: ${what} channel ${c} has zero point ${z}, not the symmetric centre ${centre}`);
    codes.fill(centre);
    q.zeroPoint[c] = centre;
  }
}

/** The graph whose initializers hold tensors derived from `c`: the one that holds `c`. */
const target = (c: ConstantSource) => c.scope.graph;
