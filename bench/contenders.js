'use strict';
// The contenders. Each one is loaded in its own worker process (see run.js), so a
// contender's JIT feedback, heap and threads never touch another's timings.
//
// A contender gives prepare(op, input) → { async, run(), output() }: everything that a
// user sets up once (output buffers, sessions) happens in prepare; run() is exactly
// what is timed; output() is what verification compares with the oracle.
//   op:    'quantize' | 'dequantize' | 'dynamic' | 'copy'
//   input: { n, variants: [{ x: Float32Array, q: Uint8Array }, ...] }
//          q = x quantized with FIXED by ORT. Small sizes come as several distinct
//          tensors that run() takes in turn, as a stream of real tensors would arrive:
//          called on one 1K tensor over and over, a branchy JS loop gets its branch
//          outcomes learned by the CPU's predictor and looks several times faster than
//          it is on data it has not seen. output() says which variant it holds.

const path = require('node:path');
const { FIXED } = require('./data');
const graphs = require('../test/support/onnx-graphs');

const PACKAGE_ROOT = path.join(__dirname, '..');
const QUANT_OPS = ['quantize', 'dequantize', 'dynamic'];

/** Round robin over the input variants; `index` is the one handed out last. */
function rotation(variants) {
  let i = -1;
  return {
    next() {
      i = i + 1 === variants.length ? 0 : i + 1;
      return variants[i];
    },
    get index() {
      return i;
    },
  };
}

// ---- quantkit, through the public API, `out` preallocated ----------------------------

function quantkitHandle(qk, op, { n, variants }) {
  const r = rotation(variants);
  if (op === 'quantize') {
    const out = new Uint8Array(n);
    return { async: false, run: () => qk.quantize(r.next().x, FIXED, out), output: () => ({ data: out, variant: r.index }) };
  }
  if (op === 'dequantize') {
    const out = new Float32Array(n);
    return { async: false, run: () => qk.dequantize(r.next().q, FIXED, out), output: () => ({ data: out, variant: r.index }) };
  }
  if (op === 'dynamic') {
    const out = new Uint8Array(n);
    let last;
    return {
      async: false,
      run: () => {
        last = qk.quantizeDynamic(r.next().x, { out });
      },
      output: () => ({ data: out, scale: last.scale, zeroPoint: last.zeroPoint, variant: r.index }),
    };
  }
  throw new Error(`quantkit has no op '${op}'`);
}

/**
 * The facade users import. The backend is picked once, at require time, from
 * QUANTKIT_BACKEND, so the worker's environment (set by run.js) decides it; the check
 * below makes a silent fallback an error instead of a mislabeled column.
 */
function loadQuantkit(wanted) {
  const qk = require(PACKAGE_ROOT);
  if (qk.backend.name !== wanted) {
    throw new Error(`expected the ${wanted} backend but quantkit loaded ${qk.backend.name} (${qk.backend.reason ?? ''})`);
  }
  return qk;
}

function quantkitContender(wanted, label) {
  const qk = loadQuantkit(wanted);
  return {
    label,
    exact: true,
    ops: QUANT_OPS,
    info: { backend: qk.backend.name, isa: qk.backend.isa, version: qk.backend.version },
    prepare: (op, input) => quantkitHandle(qk, op, input),
  };
}

/**
 * The fallback after it has seen every dtype and both float inputs, as a library that
 * serves several models would: V8's feedback for the element accesses in lib/fallback.ts
 * goes polymorphic, and the uint8 path is timed in that state.
 */
function fallbackPolymorphicContender() {
  const c = quantkitContender('fallback', 'TS (polymorphic)');
  const qk = require(PACKAGE_ROOT);
  const x32 = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i) * 3);
  const x64 = Float64Array.from(x32);
  for (let round = 0; round < 200; round++) {
    for (const dtype of ['uint8', 'int8', 'uint16', 'int16']) {
      for (const x of [x32, x64]) {
        const p = qk.computeParams(x, { dtype });
        qk.dequantize(qk.quantize(x, p), p);
        qk.quantizeDynamic(x, { dtype });
      }
    }
  }
  return c;
}

/**
 * The addon's own calls without the facade (no argument validation in JS, no options
 * object): the difference to 'native' is what the facade costs per call. Dynamic still
 * needs parameters from the range, taken from the facade's paramsFromRange.
 */
function nativeRawContender() {
  const qk = loadQuantkit('native');
  const { loadNative } = require(path.join(PACKAGE_ROOT, 'dist', 'core', 'loader.js'));
  const { binding, reasons } = loadNative();
  if (!binding) throw new Error(`the addon is not usable: ${reasons.join('; ')}`);
  return {
    label: 'addon (no facade)',
    exact: true,
    ops: QUANT_OPS,
    info: { backend: 'native', isa: binding.isa },
    prepare(op, { n, variants }) {
      const r = rotation(variants);
      if (op === 'quantize') {
        const out = new Uint8Array(n);
        return {
          async: false,
          run: () => binding.quantize(r.next().x, out, FIXED.scale, FIXED.zeroPoint, 0, 255, 0),
          output: () => ({ data: out, variant: r.index }),
        };
      }
      if (op === 'dequantize') {
        const out = new Float32Array(n);
        return {
          async: false,
          run: () => binding.dequantize(r.next().q, out, FIXED.scale, FIXED.zeroPoint),
          output: () => ({ data: out, variant: r.index }),
        };
      }
      const out = new Uint8Array(n);
      let p;
      return {
        async: false,
        run: () => {
          const x = r.next().x;
          const [min, max] = binding.minMax(x);
          p = qk.paramsFromRange(min, max);
          binding.quantize(x, out, p.scale, p.zeroPoint, 0, 255, 0);
        },
        output: () => ({ data: out, scale: p.scale, zeroPoint: p.zeroPoint, variant: r.index }),
      };
    },
  };
}

// ---- the "Quantization 101" notebook as a plain JS loop ------------------------------
// s = (β−α)/(βq−αq), z = (β·αq − α·βq)/(β−α); q = clip(round(x/s + z), 0, 255);
// x̂ = s·(q − z). Double arithmetic and Math.round (ties up), as a JS port would write it.
// The notebook's own code rounds z (tf.math.round) and then casts x/s + z to uint8,
// which truncates; the formula's round() is used here, so it differs from ONNX only on
// ties and where double and float32 division disagree.

function notebookQuantize(x, out, s, z) {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = Math.round(x[i] / s + z);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

function notebookDequantize(q, out, s, z) {
  const n = q.length;
  for (let i = 0; i < n; i++) out[i] = s * (q[i] - z);
}

function notebookDynamic(x, out) {
  let alpha = Infinity;
  let beta = -Infinity;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v < alpha) alpha = v;
    if (v > beta) beta = v;
  }
  const alphaQ = 0;
  const betaQ = 255;
  const s = (beta - alpha) / (betaQ - alphaQ);
  const z = Math.round((beta * alphaQ - alpha * betaQ) / (beta - alpha));
  notebookQuantize(x, out, s, z);
  return { scale: s, zeroPoint: z };
}

function notebookContender() {
  return {
    label: 'notebook JS loop',
    exact: false,
    ops: QUANT_OPS,
    info: {},
    prepare(op, { n, variants }) {
      const { scale: s, zeroPoint: z } = FIXED;
      const r = rotation(variants);
      if (op === 'quantize') {
        const out = new Uint8Array(n);
        return { async: false, run: () => notebookQuantize(r.next().x, out, s, z), output: () => ({ data: out, variant: r.index }) };
      }
      if (op === 'dequantize') {
        const out = new Float32Array(n);
        return { async: false, run: () => notebookDequantize(r.next().q, out, s, z), output: () => ({ data: out, variant: r.index }) };
      }
      const out = new Uint8Array(n);
      let last;
      return {
        async: false,
        run: () => {
          last = notebookDynamic(r.next().x, out);
        },
        output: () => ({ data: out, scale: last.scale, zeroPoint: last.zeroPoint, variant: r.index }),
      };
    },
  };
}

// ---- onnxruntime-node, one-node sessions ---------------------------------------------
// The graphs are the test oracle's (test/support/onnx-graphs.js). FIXED's scale and zero
// point are initializers: a user with fixed parameters bakes them into the model, and it
// spares ORT two input tensors per call (its best case, not a handicap).
// Timed per call: wrapping the input in an ort.Tensor (no copy on the JS side) and the
// awaited session.run, which returns a freshly allocated output: what an ORT user pays.

const ORT_OPSET = graphs.DEFAULT_OPSET;

async function ortContender({ intraOpNumThreads } = {}) {
  const ort = require('onnxruntime-node');
  const options = intraOpNumThreads ? { intraOpNumThreads } : undefined;
  const sessions = {
    quantize: await ort.InferenceSession.create(graphs.quantizeModel(FIXED.dtype, ORT_OPSET, FIXED), options),
    dequantize: await ort.InferenceSession.create(graphs.dequantizeModel(FIXED.dtype, ORT_OPSET, FIXED), options),
    dynamic: await ort.InferenceSession.create(graphs.dynamicQuantizeModel(ORT_OPSET), options),
  };
  return {
    label: intraOpNumThreads ? `onnxruntime-node (${intraOpNumThreads} thread)` : 'onnxruntime-node',
    exact: true,
    ops: QUANT_OPS,
    info: {
      version: ort.env.versions.common,
      opset: ORT_OPSET,
      sessionOptions: options ?? 'default',
    },
    prepare(op, { n, variants }) {
      const session = sessions[op];
      const r = rotation(variants);
      let last;
      if (op === 'dequantize') {
        return {
          async: true,
          run: async () => {
            last = await session.run({ x: new ort.Tensor('uint8', r.next().q, [n]) });
          },
          output: () => ({ data: last.y.data, variant: r.index }),
        };
      }
      return {
        async: true,
        run: async () => {
          last = await session.run({ x: new ort.Tensor('float32', r.next().x, [n]) });
        },
        output: () =>
          op === 'dynamic'
            ? { data: last.y.data, scale: last.y_scale.data[0], zeroPoint: last.y_zero_point.data[0], variant: r.index }
            : { data: last.y.data, variant: r.index },
      };
    },
    async close() {
      for (const s of Object.values(sessions)) await s.release();
    },
  };
}

// ---- the memory floor -----------------------------------------------------------------

function copyContender() {
  return {
    label: 'Float32Array#set',
    exact: true,
    ops: ['copy'],
    info: {},
    prepare(op, { n, variants }) {
      // Float32Array#set is glibc's memmove, which uses `rep movsb` for these sizes; on
      // some CPUs (AMD Zen 3 with glibc 2.36, for one) that runs over ten times slower when
      // the destination lies a few bytes past the source modulo 4 KiB. Where the allocator
      // puts the two arrays decides it, and JS cannot see addresses, so two destinations
      // 1 KiB apart are tried and the faster one is timed: the floor, not the cliff.
      const candidates = [new Float32Array(n), new Float32Array(new ArrayBuffer(n * 4 + 1024), 1024, n)];
      const probe = candidates.map((out) => {
        let calls = 0;
        const t0 = process.hrtime.bigint();
        while (calls < 3 * variants.length || process.hrtime.bigint() - t0 < 5000000n) {
          out.set(variants[calls % variants.length].x);
          calls++;
        }
        return Number(process.hrtime.bigint() - t0) / calls;
      });
      const best = probe[0] <= probe[1] ? 0 : 1;
      const out = candidates[best];
      const r = rotation(variants);
      const slow = Math.max(...probe) / Math.min(...probe);
      return {
        async: false,
        run: () => out.set(r.next().x),
        output: () => ({ data: out, variant: r.index }),
        note: slow > 2 ? `of two destinations 1 KiB apart, one copied ${slow.toFixed(1)}× slower than the other; the faster is timed` : undefined,
      };
    },
  };
}

/**
 * Contender ids: native, native@<isa> (QUANTKIT_ISA caps the kernel; run.js sets it),
 * native-raw, fallback, fallback-poly, notebook, ort, ort-1t, copy.
 */
async function createContender(id) {
  if (id === 'native' || id.startsWith('native@')) {
    const c = quantkitContender('native', id === 'native' ? 'quantkit native' : `quantkit native, ${id.slice(7)} kernel`);
    if (id !== 'native' && c.info.isa !== id.slice(7)) throw new Error(`asked for the ${id.slice(7)} kernel but the addon runs ${c.info.isa}`);
    return c;
  }
  switch (id) {
    case 'native-raw': return nativeRawContender();
    case 'fallback': return quantkitContender('fallback', 'quantkit TS backend');
    case 'fallback-poly': return fallbackPolymorphicContender();
    case 'notebook': return notebookContender();
    case 'ort': return ortContender();
    case 'ort-1t': return ortContender({ intraOpNumThreads: 1 });
    case 'copy': return copyContender();
    default: throw new Error(`unknown contender '${id}'`);
  }
}

/** Which environment a contender's worker needs (the backend is chosen at require time). */
function contenderEnv(id) {
  // 'native' keeps a QUANTKIT_ISA the user set, to bench a lower kernel as the main column.
  if (id === 'native' || id === 'native-raw') return { QUANTKIT_BACKEND: 'native' };
  if (id.startsWith('native@')) return { QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: id.slice(7) };
  if (id === 'fallback' || id === 'fallback-poly') return { QUANTKIT_BACKEND: 'fallback' };
  return {};
}

module.exports = { createContender, contenderEnv, ortContender, QUANT_OPS };
