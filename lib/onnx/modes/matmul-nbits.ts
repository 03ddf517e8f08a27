// Mode 'matmul-nbits': every MatMul whose B is a constant 2-D float32 [K, N] becomes ONNX
// Runtime's com.microsoft MatMulNBits with 4-bit weights, blockwise along K: what ORT's
// MatMulNBitsQuantizer (quantization/matmul_nbits_quantizer.py, DefaultWeightOnlyQuantizer,
// QOperator format) writes, byte for byte.
//
// The arithmetic is MLAS's (core/mlas/lib/q4_dq.cpp, BlockwiseQuantizer<float, bs, 4, true>::
// quantizeAndTranspose, range2scalezp / range2scale), which is neither quantkit's ONNX nor its
// other conventions: the scale may be negative (symmetric), codes are roundf(v · fl(1/s) + zp)
// (multiply by the reciprocal, add the zero point, round half away from zero). So the codes
// are computed here; quantkit's `pack` (a kernel of both backends) packs them.
import quantkit from '../../index';
import type { ModeImpl } from './index';
import type { ModeContext } from '../context';
import { DT, type NodeProto, type TensorProto } from '../proto';
import { allGraphs, attrInt, ensureOpset, findConstant, makeNode, nodeLabel, removeUnusedConstants, type GraphScope } from '../graph';
import { dataTypeName, dimsOf, floatValues, makeTensor } from '../tensor';

/** MatMulNBitsQuantizer's default block size (block_size=128). transformers.js' q4 passes 32. */
export const DEFAULT_NBITS_BLOCK_SIZE = 128;
/** The block sizes MLAS's MlasQuantizeBlockwise instantiates (q4_dq.cpp: "Only block size 16, 32, 64, 128, 256 are supported"). */
export const NBITS_BLOCK_SIZES = [16, 32, 64, 128, 256] as const;
/** Shorter K than this is left as MatMul: a single mostly-padding block gains nothing. */
const MIN_K = 16;

/** The three MatMulNBits tensors of one [K, N] weight (ContribOperators.md, MatMulNBits). */
export interface NBitsBlocks {
  K: number;
  N: number;
  blockSize: number;
  /** ceil(K / blockSize). */
  kBlocks: number;
  /** uint8 [N, kBlocks, blockSize / 2]: column n's codes in K order, element 2j in the low nibble of byte j. */
  packed: Uint8Array;
  /** float32 [N · kBlocks], N-major (scales[n · kBlocks + b]); negative for symmetric blocks whose extreme is positive. */
  scales: Float32Array;
  /** uint8 [N · ceil(kBlocks / 2)], block 2i in the low nibble; undefined when symmetric (every zero point is 8). */
  zeroPoints?: Uint8Array;
}

// C's roundf: half away from zero. |x| + 0.5 is exact in double for any float32 code input.
const roundf = (x: number): number => (x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5));
const FLT_MAX = 3.4028234663852886e38;

/**
 * Quantizes a row-major float32 weight `w` [K, N] to MatMulNBits' 4-bit blocks along K, as
 * ONNX Runtime's quantize_matmul_4bits (onnxruntime_pybind_quant.cc → MlasQuantizeBlockwise<float, 4>,
 * columnwise) does, all in float32:
 * - per block (column n, rows [b·bs, min((b+1)·bs, K))): min, max by `v < min`, `v > max` from ±FLT_MAX;
 * - asymmetric (range2scalezp): min = min(min, 0), max = max(max, 0), s = (max − min) / 15,
 *   zp = clamp(roundf(0 − min / s), 0, 15) (min when s = 0, i.e. zp 0);
 * - symmetric (range2scale): m = |max| > |min| ? max : min, s = −m / 8, zp 8 (implied, not stored);
 * - codes q = clamp(roundf(fl(v · fl(1 / s)) + zp), 0, 15) (reciprocal 0 when s = 0);
 * - codes past K are 0 (numpy.zeros); for odd K the unpaired high nibble repeats the code of row
 *   K − 2 when that row is in the same 2-block thread tile, else 0 (MLAS's `vi` pair buffer);
 * - zero points are packed two blocks a byte; an odd block count leaves 8 in the last high nibble.
 * @throws RangeError for a blockSize MLAS does not instantiate, or `w.length !== K · N`.
 */
export function quantizeNBits(w: Float32Array, K: number, N: number, blockSize: number, symmetric: boolean): NBitsBlocks {
  if (!(NBITS_BLOCK_SIZES as readonly number[]).includes(blockSize)) throw new RangeError(`Expected a MatMulNBits block size of ${NBITS_BLOCK_SIZES.join(', ')} but received ${blockSize}`);
  if (!Number.isInteger(K) || !Number.isInteger(N) || K < 1 || N < 1 || w.length !== K * N) throw new RangeError(`Expected a float32 weight of K · N = ${K} · ${N} values but received ${w.length}`);
  const kBlocks = Math.ceil(K / blockSize);
  const kPad = kBlocks * blockSize;
  const codes = new Uint8Array(N * kPad);
  const scales = new Float32Array(N * kBlocks);
  const zpPerCol = Math.ceil(kBlocks / 2);
  const zpCodes = symmetric ? undefined : new Uint8Array(N * zpPerCol * 2).fill(8);
  const f = Math.fround;
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kBlocks; b++) {
      const k0 = b * blockSize;
      const k1 = Math.min(k0 + blockSize, K);
      let min = FLT_MAX;
      let max = -FLT_MAX;
      for (let k = k0; k < k1; k++) {
        const v = w[k * N + n];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      let s: number;
      let zp = 8;
      if (symmetric) {
        const m = Math.abs(max) > Math.abs(min) ? max : min;
        s = f(-m / 8);
      } else {
        min = Math.min(min, 0);
        max = Math.max(max, 0);
        s = f(f(max - min) / 15);
        const zf = s !== 0 ? f(0 - f(min / s)) : min;
        zp = zf < 0 ? 0 : zf > 15 ? 15 : roundf(zf);
        zpCodes![n * zpPerCol * 2 + b] = zp;
      }
      scales[n * kBlocks + b] = s;
      const r = s !== 0 ? f(1 / s) : 0;
      const base = n * kPad;
      for (let k = k0; k < k1; k++) {
        const q = roundf(f(f(w[k * N + n] * r) + zp));
        codes[base + k] = q < 0 ? 0 : q > 15 ? 15 : q;
      }
    }
    // MLAS quantizes rows in pairs within a tile of 2 blocks; an unpaired last row packs the
    // pair buffer's stale high code (row K − 2's), or 0 when the tile starts at row K − 1.
    if (K % 2 === 1 && (K - 1) % (2 * blockSize) !== 0) codes[n * kPad + K] = codes[n * kPad + K - 2];
  }
  return {
    K,
    N,
    blockSize,
    kBlocks,
    packed: quantkit.pack(codes, 'uint4'),
    scales,
    zeroPoints: zpCodes && quantkit.pack(zpCodes, 'uint4'),
  };
}

interface Quantized {
  b: string;
  scales: string;
  zeroPoints?: string;
}

function isFloat32Const(t: TensorProto): boolean {
  return t.dataType === DT.FLOAT;
}

async function run(ctx: ModeContext): Promise<void> {
  const { model, opts, names } = ctx;
  const blockSize = opts.blockSize ?? DEFAULT_NBITS_BLOCK_SIZE;
  if (!(NBITS_BLOCK_SIZES as readonly number[]).includes(blockSize)) {
    throw new RangeError(`Expected options.blockSize for mode 'matmul-nbits' to be one of ${NBITS_BLOCK_SIZES.join(', ')} (the block sizes ONNX Runtime's MLAS quantizes) but received ${blockSize}`);
  }
  // MatMulNBitsQuantizer's default: is_symmetric=False.
  const symmetric = opts.symmetric ?? false;
  const scopes = allGraphs(model);
  const todo: { node: NodeProto; scope: GraphScope }[] = [];
  for (const scope of scopes) for (const node of scope.graph.node) if (node.opType === 'MatMul' && (node.domain ?? '') === '') todo.push({ node, scope });
  // One set of tensors per weight tensor, shared by every MatMul that reads it.
  const done = new Map<TensorProto, Quantized>();
  let changed = 0;
  for (let i = 0; i < todo.length; i++) {
    const { node, scope } = todo[i];
    ctx.progress(i, todo.length, nodeLabel(node));
    if (ctx.isExcluded(node)) {
      ctx.skipped(node, scope, ctx.excludedBy(node)!);
      continue;
    }
    if (node.input.length !== 2 || node.output.length !== 1) throw new Error(`MatMul ${nodeLabel(node)} (${scope.path}) has ${node.input.length} inputs and ${node.output.length} outputs; expected 2 and 1`);
    const bName = node.input[1];
    const src = findConstant(scope, bName);
    if (!src) {
      ctx.skipped(node, scope, `B (${bName}) is not a constant`);
      continue;
    }
    const dims = dimsOf(src.tensor);
    if (dims.length !== 2) {
      ctx.skipped(node, scope, `B (${bName}) is ${dims.length}-D [${dims.join(', ')}], not 2-D`);
      continue;
    }
    if (!isFloat32Const(src.tensor)) {
      ctx.skipped(node, scope, `B (${bName}) is ${dataTypeName(src.tensor.dataType)}, not float`);
      continue;
    }
    const [K, N] = dims;
    if (K < MIN_K || N < 1) {
      ctx.skipped(node, scope, `B (${bName}) is [${K}, ${N}]: K below ${MIN_K} or N empty`);
      continue;
    }
    let q = done.get(src.tensor);
    if (!q) {
      const w = floatValues(src.tensor, `MatMul ${nodeLabel(node)} B (${bName})`);
      if (!w.every(Number.isFinite)) {
        ctx.skipped(node, scope, `B (${bName}) holds NaN or infinite values`);
        continue;
      }
      const blocks = quantizeNBits(w, K, N, blockSize, symmetric);
      // The new tensors live where B does, so every MatMul that sees B sees them.
      const home = src.scope.graph;
      q = { b: names.make(`${bName}_Q4`), scales: names.make(`${bName}_scales`) };
      home.initializer.push(makeTensor(q.b, DT.UINT8, [N, blocks.kBlocks, blockSize / 2], blocks.packed));
      home.initializer.push(makeTensor(q.scales, DT.FLOAT, [N * blocks.kBlocks], blocks.scales));
      if (blocks.zeroPoints) {
        q.zeroPoints = names.make(`${bName}_zero_points`);
        home.initializer.push(makeTensor(q.zeroPoints, DT.UINT8, [blocks.zeroPoints.length], blocks.zeroPoints));
      }
      done.set(src.tensor, q);
    }
    const attrs = [attrInt('K', K), attrInt('N', N), attrInt('bits', 4), attrInt('block_size', blockSize)];
    // The tool writes accuracy_level only when set (0 means unset).
    if (opts.accuracyLevel) attrs.push(attrInt('accuracy_level', opts.accuracyLevel));
    const inputs = [node.input[0], q.b, q.scales, ...(q.zeroPoints ? [q.zeroPoints] : [])];
    const nb = makeNode('MatMulNBits', inputs, node.output, node.name ? names.make(`${node.name}_Q4`) : '', attrs, 'com.microsoft');
    scope.graph.node[scope.graph.node.indexOf(node)] = nb;
    ctx.changed(node, scope, `MatMulNBits(4-bit, block ${blockSize}, ${symmetric ? 'symmetric' : 'asymmetric'})`);
    changed++;
  }
  ctx.progress(todo.length, todo.length, 'done');
  if (changed > 0) {
    ensureOpset(model, 'com.microsoft', 1);
    for (const scope of scopes.slice().reverse()) removeUnusedConstants(scope.graph);
  }
}

export const matmulNBitsMode: ModeImpl = {
  // MatMulNBits is a com.microsoft op: the default-domain opset is not touched.
  minOpset: () => ({ opset: 1, why: '' }),
  run,
};
