#!/usr/bin/env node
// ONNX model quantization on real models (README "ONNX models"), one run: for each model of the
// real-model matrix (test/support/real-model-cases.js) and each mode that applies: the time
// quantizeModel takes (median of --repeat), the size before and after, onnxruntime-node's
// latency before and after (median of --runs session.run calls on the case's first input,
// after 3 warm-up runs, default session options), and the output agreement with the float model
// (cosine and SQNR of all outputs; OCR text and direction identical; VAD largest probability
// difference). Not a test: test/onnx-models.test.js asserts the bounds.
//   node bench/onnx.js [--repeat 3] [--runs 20] [--markdown]
'use strict';
const { performance } = require('node:perf_hooks');
const qk = require('..');
const { quantizeModel } = require('../dist/onnx');
const { CASES, optionsFor, calibrationFeeds, evaluate } = require('../test/support/real-model-cases');
const { ort } = require('../test/support/onnx-build');

const args = process.argv.slice(2);
const arg = (k, d) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const REPEAT = arg('--repeat', 3);
const RUNS = arg('--runs', 20);
const MARKDOWN = args.includes('--markdown');

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function latency(model, feeds) {
  const session = await ort.InferenceSession.create(typeof model === 'string' ? model : Buffer.from(model));
  const toTensor = (v) => (v instanceof ort.Tensor ? v : new ort.Tensor(v.data instanceof BigInt64Array ? 'int64' : 'float32', v.data, v.dims));
  const f = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toTensor(v)]));
  for (let i = 0; i < 3; i++) await session.run(f);
  const t = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await session.run(f);
    t.push(performance.now() - t0);
  }
  await session.release();
  return median(t);
}

function latencyFeeds(key, inputs) {
  if (key !== 'vad') return { x: inputs[0] };
  return {
    input: { data: inputs[0].slice(16000, 16576), dims: [1, 576] },
    state: { data: new Float32Array(256), dims: [2, 1, 128] },
    sr: new ort.Tensor('int64', BigInt64Array.of(16000n), []),
  };
}

const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;

(async () => {
  const rows = [];
  for (const [key, c] of Object.entries(CASES)) {
    const inputs = await c.inputs();
    const feeds = latencyFeeds(key, inputs);
    const floatMs = await latency(c.file, feeds);
    let reference;
    for (const mode of c.modes) {
      const opts = optionsFor(key, mode);
      if (mode === 'qdq') opts.calibration = await calibrationFeeds(key);
      const times = [];
      let r;
      for (let i = 0; i < REPEAT; i++) {
        const t0 = performance.now();
        r = await quantizeModel(c.file, opts);
        times.push(performance.now() - t0);
      }
      const e = await evaluate(key, r.bytes, reference);
      reference = e.reference;
      const readout = e.textsEqual === undefined ? (key === 'vad' ? `max Δp ${e.maxAbs.toFixed(3)}` : `text mask ${(100 * e.maskAgreement).toFixed(2)} % same`) : e.textsEqual ? `${key === 'rec' ? 'text' : 'labels'} identical` : `DIFFERENT: ${e.texts.join(' | ')}`;
      rows.push({
        model: key,
        mode,
        quantizeMs: median(times),
        sizeBefore: r.sizeBefore,
        sizeAfter: r.sizeAfter,
        nodes: r.nodesChanged,
        floatMs,
        quantMs: await latency(r.bytes, feeds),
        cosine: e.cosine,
        sqnrDb: e.sqnrDb,
        readout,
      });
    }
  }
  const header = ['model', 'mode', 'nodes', 'size', 'ORT latency', 'cosine', 'SQNR', 'read-out', 'quantize'];
  const cells = rows.map((r) => [
    r.model, r.mode, String(r.nodes), `${mb(r.sizeBefore)} → ${mb(r.sizeAfter)}`, `${r.floatMs.toFixed(2)} → ${r.quantMs.toFixed(2)} ms`,
    r.cosine.toFixed(5), `${r.sqnrDb.toFixed(1)} dB`, r.readout, `${r.quantizeMs.toFixed(0)} ms`,
  ]);
  console.log(`quantkit/onnx on real models: backend ${qk.backend.name}/${qk.backend.isa}, onnxruntime-node ${require('onnxruntime-node/package.json').version}, quantize median of ${REPEAT}, ORT median of ${RUNS} runs\n`);
  if (MARKDOWN) {
    console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
    for (const c of cells) console.log(`| ${c.join(' | ')} |`);
  } else {
    const w = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
    console.log(line(header));
    for (const c of cells) console.log(line(c));
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
