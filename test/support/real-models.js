'use strict';
// Inputs and read-outs for the real models of the quantkit/onnx suites and bench: PaddleOCR
// (rendered text images, CTC decoding with the model's own key list) and Silero VAD (a
// synthetic signal, speech probabilities chunk by chunk). Nothing here knows quantkit.
const fs = require('node:fs');
const sharp = require('sharp');
const { REAL_MODELS, ort } = require('./onnx-build');

/**
 * `text` rendered black on white by sharp (Pango, DejaVu Sans), resized to `height` rows (aspect
 * kept, at most `width` columns), as PaddleOCR's recognizer and classifier take it
 * (resize_norm_img in ppocr/data/imaug/rec_img_aug.py): NCHW float32, (v/255 − 0.5)/0.5, the
 * columns right of the image left 0 (PaddleOCR's padding).
 */
async function textImage(text, height, width) {
  const rendered = await sharp({ text: { text, font: 'DejaVu Sans', dpi: 300 } }).png().toBuffer();
  const meta = await sharp(rendered).metadata();
  const w = Math.min(width, Math.max(1, Math.round((meta.width * height) / meta.height)));
  const { data, info } = await sharp(rendered).resize(w, height, { fit: 'fill' }).extend({ right: width - w, background: '#000' }) /* padding, overwritten below */.removeAlpha().greyscale().raw().toBuffer({ resolveWithObject: true });
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    if (i % width >= w) continue; // padding: 0 after normalization
    const v = 255 - data[i * info.channels]; // white text on black from Pango → black on white
    const x = (v / 255 - 0.5) / 0.5;
    out[i] = x;
    out[plane + i] = x;
    out[2 * plane + i] = x;
  }
  return { data: out, dims: [1, 3, height, width] };
}

let keys;
/** PaddleOCR's CTC decoding: argmax per time step, repeats merged, blank (0) dropped; class k is the key list's line k (1-based), the last class a space. */
function ctcDecode(probs, dims) {
  keys ??= [...fs.readFileSync(REAL_MODELS.keys, 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== ''), ' '];
  const [, steps, classes] = dims;
  let text = '';
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[t * classes + c] > probs[t * classes + best]) best = c;
    if (best !== 0 && best !== prev) text += keys[best - 1] ?? '?';
    prev = best;
  }
  return text;
}

/**
 * A 16 kHz test signal for a voice-activity detector: 1 s of faint noise, 1.5 s of a voiced,
 * speech-like sound (a 140 Hz glottal pulse train through three formant resonances, its
 * loudness modulated at a syllable rate of 4 Hz), 1 s of faint noise. Deterministic.
 */
function vadSignal() {
  const sr = 16000;
  const n = Math.round(3.5 * sr);
  const x = new Float32Array(n);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const formants = [[700, 0.9], [1220, 0.5], [2600, 0.25]];
  const state = formants.map(() => [0, 0]);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    let v = 0.002 * rand();
    if (t >= 1 && t < 2.5) {
      const pulse = (i % Math.round(sr / 140)) === 0 ? 1 : 0;
      let s = 0;
      formants.forEach(([f, g], k) => {
        // a two-pole resonator at f with 80 Hz bandwidth
        const r = Math.exp((-Math.PI * 80) / sr);
        const y = pulse + 2 * r * Math.cos((2 * Math.PI * f) / sr) * state[k][0] - r * r * state[k][1];
        state[k][1] = state[k][0];
        state[k][0] = y;
        s += g * y;
      });
      v += 0.05 * s * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t));
    }
    x[i] = v;
  }
  return x;
}

/**
 * Speech probabilities of a Silero VAD (v5) model over `signal`: 512-sample chunks, each fed
 * with the 64 samples before it (the model's context, as @livekit/agents-plugin-silero feeds
 * it), the recurrent state carried from chunk to chunk.
 */
async function vadProbabilities(model, signal) {
  const session = await ort.InferenceSession.create(typeof model === 'string' ? model : Buffer.from(model));
  let state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  const sr = new ort.Tensor('int64', BigInt64Array.of(16000n), []);
  const probs = [];
  for (let i = 0; i + 512 <= signal.length; i += 512) {
    const window = new Float32Array(576);
    if (i >= 64) window.set(signal.subarray(i - 64, i + 512));
    else window.set(signal.subarray(0, i + 512), 64 - i);
    const out = await session.run({ input: new ort.Tensor('float32', window, [1, 576]), state, sr });
    probs.push(out.output.data[0]);
    state = out.stateN;
  }
  await session.release();
  return Float32Array.from(probs);
}

/** Cosine similarity and SQNR (dB, signal power over error power) of `b` against reference `a`. */
function agreement(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let err = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
    err += (a[i] - b[i]) ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  }
  return { cosine: dot / Math.sqrt(na * nb), sqnrDb: 10 * Math.log10(na / err), maxAbs };
}

/** The texts rendered for the OCR checks and for calibration. */
const OCR_TEXTS = ['quantkit 2026', 'Hello World', 'ONNX Runtime', 'PaddleOCR', 'Node.js 20'];

module.exports = { textImage, ctcDecode, vadSignal, vadProbabilities, agreement, OCR_TEXTS };
