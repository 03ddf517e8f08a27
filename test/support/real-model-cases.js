'use strict';
// The real-model matrix of quantkit/onnx, shared by test/onnx-models.test.js (which asserts the
// bounds) and bench/onnx.js (which prints the README's table with latencies): for each model,
// its inputs, its calibration feeds, the modes that apply, and `evaluate(model, bytes)` → how
// the quantized model's outputs agree with the float model's.
const { REAL_MODELS, runModel, ort } = require('./onnx-build');
const { textImage, ctcDecode, vadSignal, vadProbabilities, agreement, OCR_TEXTS } = require('./real-models');

const ALL = ['dynamic', 'qdq', 'weights-only', 'matmul-nbits', 'fp16'];

/** The options each mode runs with in the matrix (the README's table says the same). */
const MODE_OPTIONS = {
  // int8 per-channel with ONNX Runtime's reduce_range: 7-bit weights keep MatMulInteger's u8s8
  // products inside int16 on CPUs without VNNI (ORT's advice); the defaults (per-tensor, uint8
  // for models with Conv) change PaddleOCR's text ("Hello Worla").
  dynamic: { perChannel: true, weightType: 'int8', reduceRange: true },
  qdq: {},
  'weights-only': {},
  'matmul-nbits': { blockSize: 32 },
  fp16: {},
};

/** Per-model changes to MODE_OPTIONS. */
const MODEL_MODE_OPTIONS = {
  // Silero VAD in mode 'qdq' (its 16 kHz If branch; the 8 kHz one never runs in calibration and
  // stays float) keeps three places float, measured on vadSignal (max |Δp| over its chunks):
  // - the STFT and encoder/0's Conv: the magnitudes span the noise floor (~1e-3) to speech (~6),
  //   and uint8 steps of 0.023 make the silent chunks' spectrum 0 (0.74 with encoder/0 alone);
  // - decoder/Concat, which writes the LSTM state output [h; c]: one per-tensor scale set by c's
  //   range (±7) leaves h (±1) steps of 0.054, and the error builds up from chunk to chunk
  //   (0.43 with that node alone). Every node quantized: 0.97; these three float: 0.063.
  vad: { qdq: { excludeNode: ['**/stft/*', '**/encoder/0/**', '**/decoder/Concat'] } },
};

/** The options `mode` runs with on model `key`. */
function optionsFor(key, mode) {
  return { mode, ...MODE_OPTIONS[mode], ...(MODEL_MODE_OPTIONS[key]?.[mode] ?? {}) };
}

async function ocrInputs(height, width) {
  return Promise.all(OCR_TEXTS.map((t) => textImage(t, height, width)));
}

const CASES = {
  rec: {
    file: REAL_MODELS.rec,
    title: 'PaddleOCR PP-OCRv4 recognition',
    modes: ALL,
    inputs: () => ocrInputs(48, 320),
    /** Recognized text of every image, and the probabilities' agreement. */
    async read(bytes, inputs) {
      const texts = [];
      const probs = [];
      for (const x of inputs) {
        const out = await runModel(bytes, { x });
        const o = Object.values(out)[0];
        texts.push(ctcDecode(o.data, o.dims));
        probs.push(o.data);
      }
      return { texts, values: concat(probs) };
    },
  },
  cls: {
    file: REAL_MODELS.cls,
    title: 'PaddleOCR text direction classifier',
    modes: ALL,
    // upright and upside-down text: the classifier's two labels
    inputs: async () => {
      const upright = await ocrInputs(48, 192);
      return [...upright, ...upright.map(rotate180)];
    },
    async read(bytes, inputs) {
      const labels = [];
      const probs = [];
      for (const x of inputs) {
        const o = Object.values(await runModel(bytes, { x }))[0];
        labels.push(o.data[0] >= o.data[1] ? '0°' : '180°');
        probs.push(o.data);
      }
      return { texts: labels, values: concat(probs) };
    },
  },
  det: {
    file: REAL_MODELS.det,
    title: 'PaddleOCR PP-OCRv4 detection',
    modes: ['dynamic', 'qdq', 'weights-only', 'fp16'],
    inputs: async () => [await textImage(OCR_TEXTS[0], 96, 320), await textImage(OCR_TEXTS[1], 96, 320)],
    async read(bytes, inputs) {
      const maps = [];
      for (const x of inputs) maps.push(Object.values(await runModel(bytes, { x }))[0].data);
      return { values: concat(maps) };
    },
  },
  vad: {
    file: REAL_MODELS.vad,
    title: 'Silero VAD v5',
    modes: ['dynamic', 'qdq', 'weights-only', 'fp16'],
    inputs: async () => [vadSignal()],
    async read(bytes, inputs) {
      return { values: await vadProbabilities(bytes, inputs[0]) };
    },
  },
};

/** Calibration feeds for qdq: the model's own inputs (the OCR models read rendered text; VAD its signal, vadFeeds). */
async function calibrationFeeds(key) {
  const inputs = await CASES[key].inputs();
  if (key === 'vad') return vadFeeds(inputs[0]);
  return inputs.map((x) => ({ x }));
}

/**
 * Silero VAD feeds as vadProbabilities drives the model (sr 16000, chunks of 512 samples after
 * 64 of context, the state the float model returned for the previous chunk): every `every`-th
 * chunk of `signal`.
 */
async function vadFeeds(signal, every = 1) {
  const s = await ort.InferenceSession.create(REAL_MODELS.vad);
  const sr = new ort.Tensor('int64', BigInt64Array.of(16000n), []);
  let state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  const feeds = [];
  for (let i = 0, k = 0; i + 512 <= signal.length; i += 512, k++) {
    const window = new Float32Array(576);
    if (i >= 64) window.set(signal.subarray(i - 64, i + 512));
    else window.set(signal.subarray(0, i + 512), 64 - i);
    if (k % every === 0) feeds.push({ input: { data: window, dims: [1, 576] }, state: { data: Float32Array.from(state.data), dims: [2, 1, 128] }, sr: { data: BigInt64Array.of(16000n), dims: [] } });
    state = (await s.run({ input: new ort.Tensor('float32', window, [1, 576]), state, sr })).stateN;
  }
  await s.release();
  return feeds;
}

/** An NCHW image turned upside down (rows and columns reversed). */
function rotate180({ data, dims }) {
  const [, c, h, w] = dims;
  const out = new Float32Array(data.length);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(k * h + (h - 1 - y)) * w + (w - 1 - x)] = data[(k * h + y) * w + x];
  return { data: out, dims };
}

function concat(arrays) {
  const out = new Float32Array(arrays.reduce((a, b) => a + b.length, 0));
  let k = 0;
  for (const a of arrays) {
    out.set(a, k);
    k += a.length;
  }
  return out;
}

/** How `bytes` (a quantized model) agrees with the float model on the case's inputs. */
async function evaluate(key, bytes, reference) {
  const c = CASES[key];
  const inputs = await c.inputs();
  const ref = reference ?? (await c.read(c.file, inputs));
  const got = await c.read(bytes, inputs);
  const a = agreement(ref.values, got.values);
  // Detection: the share of pixels on the same side of PaddleOCR's DB binarization threshold (0.3).
  // VAD: the share of chunks on the same side of 0.5 (speech or not).
  if (key === 'vad') {
    let same = 0;
    for (let i = 0; i < ref.values.length; i++) same += (ref.values[i] > 0.5) === (got.values[i] > 0.5) ? 1 : 0;
    a.decisionAgreement = same / ref.values.length;
  }
  if (key === 'det') {
    let same = 0;
    for (let i = 0; i < ref.values.length; i++) same += (ref.values[i] > 0.3) === (got.values[i] > 0.3) ? 1 : 0;
    a.maskAgreement = same / ref.values.length;
  }
  return { ...a, texts: got.texts, refTexts: ref.texts, textsEqual: ref.texts ? ref.texts.every((t, i) => t === got.texts[i]) : undefined, reference: ref };
}

/** The recognizer in every mode with the options above (qdq calibrated on its own inputs), as quantizeModel jobs. */
async function recModeJobs() {
  const jobs = [];
  for (const mode of ALL) {
    const opts = optionsFor('rec', mode);
    if (mode === 'qdq') opts.calibration = await calibrationFeeds('rec');
    jobs.push([CASES.rec.file, opts]);
  }
  return jobs;
}

module.exports = { CASES, MODE_OPTIONS, MODEL_MODE_OPTIONS, optionsFor, calibrationFeeds, vadFeeds, evaluate, recModeJobs, ALL_MODES: ALL };
