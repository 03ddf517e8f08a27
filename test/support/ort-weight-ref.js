'use strict';
// ONNX Runtime's weight quantization (onnxruntime/python/tools/quantization/quant_utils.py,
// 1.20–1.30) restated in plain JS for the onnx-dynamic and onnx-weights-only suites, written
// from the Python (numpy semantics: float32 arithmetic where numpy keeps float32, float64 where
// it widens), not from lib/onnx/weights.ts, and reading the quantized models with onnx-proto
// rather than quantkit's own schema.
//
//   qminQmax(type, reduceRange, symmetric)            get_qmin_qmax_for_qType
//   scaleZp(rmin, rmax, qmin, qmax, symmetric)        compute_scale_zp -> { scale (float32), zp }
//   quantizeNparray(values, scale, zp, type)          quantize_nparray (full-range clip)
//   quantizeRef(values, dims, { type, symmetric, reduceRange, axis?, blockSize? })
//       -> { codes (one per element), scale: Float32Array, zp: Int32Array, paramOf(i) }
//   pack4(codes)                                      pack_bytes_to_4bit
//   readModel(bytes) -> { graph, init(name) -> { dims, dataType, raw }, nodes }
const { onnx } = require('onnx-proto');

const FULL = { uint8: [0, 255], int8: [-128, 127], uint4: [0, 15], int4: [-8, 7] };

function qminQmax(type, reduceRange, symmetric) {
  if (reduceRange) return { uint8: [0, 127], int8: [-64, 64], uint4: [0, 7], int4: [-4, 3] }[type];
  if (symmetric && type === 'int8') return [-127, 127];
  return FULL[type];
}

// numpy's round: half to even.
function rint(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const f32 = Math.fround;

function scaleZp(rmin, rmax, qmin, qmax, symmetric) {
  rmin = Math.min(rmin, 0); // numpy.minimum on float32 0-d arrays
  rmax = Math.max(rmax, 0);
  if (symmetric) {
    const absmax = Math.max(Math.abs(rmin), Math.abs(rmax));
    rmin = -absmax;
    rmax = absmax;
  }
  const dr = f32(rmax - rmin); // float32 - float32, then numpy.float64(...)
  const scale = dr / (qmax - qmin);
  if (scale < 1.1754943508222875e-38) return { scale: 1, zp: 0 };
  const zp = symmetric ? rint((qmin + qmax) / 2) : rint(qmin - rmin / scale);
  return { scale: f32(scale), zp };
}

function quantizeNparray(v, scale, zp, type) {
  const [lo, hi] = FULL[type];
  return Math.min(hi, Math.max(lo, rint(f32(v / scale)) + zp));
}

function quantizeRef(values, dims, { type, symmetric, reduceRange = false, axis, blockSize }) {
  const [qmin, qmax] = qminQmax(type, reduceRange, symmetric);
  const n = values.length;
  // Each element's parameter index: 0 (per tensor), its channel, or its block.
  let paramOf = () => 0;
  let count = 1;
  if (axis !== undefined) {
    const a = axis < 0 ? axis + dims.length : axis;
    const inner = dims.slice(a + 1).reduce((x, y) => x * y, 1);
    const d = dims[a];
    if (blockSize === undefined) {
      count = d;
      paramOf = (i) => Math.floor(i / inner) % d;
    } else {
      const nb = Math.ceil(d / blockSize);
      const outer = dims.slice(0, a).reduce((x, y) => x * y, 1);
      count = outer * nb * inner;
      paramOf = (i) => {
        const o = Math.floor(i / (d * inner));
        const k = Math.floor(i / inner) % d;
        return (o * nb + Math.floor(k / blockSize)) * inner + (i % inner);
      };
    }
  }
  const mins = new Array(count).fill(Infinity);
  const maxs = new Array(count).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const p = paramOf(i);
    if (values[i] < mins[p]) mins[p] = values[i];
    if (values[i] > maxs[p]) maxs[p] = values[i];
  }
  const scale = new Float32Array(count);
  const zp = new Int32Array(count);
  for (let p = 0; p < count; p++) {
    const r = scaleZp(mins[p], maxs[p], qmin, qmax, symmetric);
    scale[p] = r.scale;
    zp[p] = r.zp;
  }
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = quantizeNparray(values[i], scale[paramOf(i)], zp[paramOf(i)], type);
  return { codes, scale, zp, paramOf, count };
}

function pack4(codes) {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  for (let i = 0; i < codes.length; i++) out[i >> 1] |= (codes[i] & 0xf) << ((i & 1) * 4);
  return out;
}

/** The stored codes of an int8/uint8/int4/uint4 tensor, one value per element. */
function codesOf(t, count) {
  const raw = t.rawData;
  const out = new Int32Array(count);
  const dt = t.dataType;
  for (let i = 0; i < count; i++) {
    if (dt === 2) out[i] = raw[i];
    else if (dt === 3) out[i] = (raw[i] << 24) >> 24;
    else {
      const nib = (raw[i >> 1] >> ((i & 1) * 4)) & 0xf;
      out[i] = dt === 22 ? (nib << 28) >> 28 : nib;
    }
  }
  return out;
}

function floatsOf(t) {
  const raw = t.rawData;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

function allGraphs(g, out = []) {
  out.push(g);
  for (const n of g.node) for (const a of n.attribute) for (const sg of a.g ? [a.g] : a.graphs ?? []) allGraphs(sg, out);
  return out;
}

function readModel(bytes) {
  const model = onnx.ModelProto.decode(bytes);
  const graphs = allGraphs(model.graph);
  const inits = new Map();
  for (const g of graphs) for (const t of g.initializer) inits.set(t.name, t);
  const nodes = graphs.flatMap((g) => g.node);
  const dims = (t) => t.dims.map(Number);
  const attr = (node, name) => {
    const a = node.attribute.find((x) => x.name === name);
    return a ? (a.i !== undefined && a.type === 2 ? Number(a.i) : a) : undefined;
  };
  return { model, graphs, nodes, init: (name) => inits.get(name), dims, attr, opset: Number(model.opsetImport.find((o) => !o.domain).version) };
}

module.exports = { qminQmax, scaleZp, quantizeNparray, quantizeRef, pack4, codesOf, floatsOf, readModel, rint, FULL };

// Cross-backend check: quantizeModel run in a child process on the other backend, its bytes'
// sha256 per option set (a test compares them with the bytes this process wrote).
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const path = require('node:path');

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

function otherBackend(current) {
  return current === 'native' ? 'fallback' : 'native';
}

/**
 * sha256 of each model a job list quantizes, on `backend`, in a child process: the list is what
 * `require(modulePath)[exportName](...args)` gives (or resolves to), [[model, options], …] with
 * the model a path or bytes. `args` go through JSON. The cross-backend byte checks of the ONNX
 * suites compare it with jobDigests of the same list in this process.
 * @throws Error with the child's stderr when it fails, or when it ran another backend.
 */
function jobDigestsOn(backend, modulePath, exportName, args = []) {
  const script = `
    const q = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'onnx'))});
    const qk = require(${JSON.stringify(path.join(__dirname, '..', '..'))});
    const crypto = require('node:crypto');
    (async () => {
      const jobs = await require(process.argv[1])[process.argv[2]](...JSON.parse(process.argv[3]));
      const out = [];
      for (const [model, o] of jobs) out.push(crypto.createHash('sha256').update((await q.quantizeModel(model, o)).bytes).digest('hex'));
      console.log(JSON.stringify({ backend: qk.backend.name, digests: out }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, modulePath, exportName, JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, QUANTKIT_BACKEND: backend, QUANTKIT_ISA: '' } });
  if (r.status !== 0) throw new Error(`child on ${backend} failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop());
  if (res.backend !== backend) throw new Error(`child asked for ${backend} but ran ${res.backend}`);
  return res.digests;
}

/** sha256 of each [model, options] job's quantized model, in this process. */
async function jobDigests(jobs) {
  const { quantizeModel } = require('../../dist/onnx');
  const out = [];
  for (const [model, o] of await jobs) out.push(sha256((await quantizeModel(model, o)).bytes));
  return out;
}

/** Jobs: each model file (a path or a list of paths) with each options object. */
function fileJobs(modelPaths, optionsList) {
  return [modelPaths].flat().flatMap((m) => optionsList.map((o) => [m, o]));
}

/** sha256 of quantizeModel(file, opts) for each file (a path or a list) and each opts, on `backend`, in a child process. */
function digestsOn(backend, modelPaths, optionsList) {
  return jobDigestsOn(backend, __filename, 'fileJobs', [modelPaths, optionsList]);
}

module.exports.sha256 = sha256;
module.exports.otherBackend = otherBackend;
module.exports.digestsOn = digestsOn;
module.exports.jobDigestsOn = jobDigestsOn;
module.exports.jobDigests = jobDigests;
module.exports.fileJobs = fileJobs;

/**
 * A synthetic page for PaddleOCR det: dark bars in lines on white, normalized as PaddleOCR does
 * (ImageNet mean/std), [1, 3, H, W]. Random noise makes the det map all 0 (nothing to compare).
 */
function textImage(H, W) {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const d = new Float32Array(3 * H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const bar = y % 32 >= 10 && y % 32 < 22 && x > 8 && x < W - 8 && (x >> 2) % 3 !== 0;
      for (let c = 0; c < 3; c++) d[c * H * W + y * W + x] = ((bar ? 0.05 : 0.95) - mean[c]) / std[c];
    }
  }
  return d;
}

/** The det map check: the float map finds text, and the quantized one agrees (mean |Δ| < 0.05, ≥ 95 % of pixels on the same side of 0.3). */
function checkDetMap(q, f) {
  const n = f.length;
  let text = 0;
  let sum = 0;
  let agree = 0;
  for (let i = 0; i < n; i++) {
    if (f[i] > 0.3) text++;
    sum += Math.abs(q[i] - f[i]);
    if (q[i] > 0.3 === f[i] > 0.3) agree++;
  }
  if (text < 200) throw new Error(`the float model finds only ${text} text pixels: the input tests nothing`);
  if (!(sum / n < 0.05)) throw new Error(`mean |Δ| ${sum / n}`);
  if (!(agree / n >= 0.95)) throw new Error(`only ${((100 * agree) / n).toFixed(1)} % of pixels agree`);
}

module.exports.textImage = textImage;
module.exports.checkDetMap = checkDetMap;
