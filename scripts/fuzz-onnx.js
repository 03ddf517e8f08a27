#!/usr/bin/env node
// Property fuzz of quantkit/onnx (fast-check): real and small ONNX models are mutated (bytes
// overwritten, varints set to edge values, the file cut short or padded, bytes inserted) and
// quantized from bytes in every mode but qdq (which runs ONNX Runtime: the feed checks are
// tested in its suite). Every outcome must be a documented one:
//   - quantizeModel resolves with bytes that decode again as a model;
//   - or it rejects with an Error, TypeError or RangeError of quantkit's own checks (never
//     another class, an engine error such as "Cannot read properties of undefined", a crash or
//     a hang); an output path, when given, is never left behind by a rejection.
//
//   npm run build:ts && node scripts/fuzz-onnx.js [--seconds N] [--seed S]   (default 40 s)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const fc = require('fast-check');
const { quantizeModel, loadModel } = require('../dist/onnx');
const { buildModel, REAL_MODELS } = require('../test/support/onnx-build');

function option(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const seconds = Math.min(option('seconds', 40), 120);
const seed = option('seed', Date.now() % 2 ** 31);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qk-fuzz-onnx-'));
const MODES = ['dynamic', 'weights-only', 'matmul-nbits', 'fp16'];

function seeds() {
  const w = Float32Array.from({ length: 40 * 24 }, (_, i) => Math.sin(i));
  const conv = Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i));
  return [
    buildModel({ opset: 13, inputs: [['x', 'float', [2, 40]]], outputs: [['y', 'float', [2, 24]]], nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }], initializers: [{ name: 'w', dims: [40, 24], float: w }] }),
    buildModel({
      opset: 9,
      inputs: [['x', 'float', [1, 3, 8, 8]]],
      outputs: [['y', 'float', undefined]],
      nodes: [
        { op: 'Conv', inputs: ['x', 'k'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Clip', inputs: ['c'], outputs: ['r'], attrs: { min: { float: 0 }, max: { float: 6 } } },
        { op: 'Softmax', inputs: ['r'], outputs: ['y'], attrs: { axis: 1 } },
      ],
      initializers: [{ name: 'k', dims: [4, 3, 3, 3], float: conv }],
    }),
    new Uint8Array(fs.readFileSync(REAL_MODELS.cls)),
  ];
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set'), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('varint'), at: fc.nat(), value: fc.constantFrom(0, 1, 0x7f, 0xff, 0x80) }),
  fc.record({ kind: fc.constant('cut'), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert'), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

function mutate(src, muts) {
  let b = Uint8Array.from(src);
  for (const m of muts) {
    const at = b.length ? m.at % b.length : 0;
    if (m.kind === 'set') b.set(m.bytes.subarray(0, b.length - at), at);
    else if (m.kind === 'varint') b[at] = m.value;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else {
      const out = new Uint8Array(b.length + m.bytes.length);
      out.set(b.subarray(0, at));
      out.set(m.bytes, at);
      out.set(b.subarray(at), at + m.bytes.length);
      b = out;
    }
  }
  return b;
}

(async () => {
  const models = seeds();
  const deadline = Date.now() + seconds * 1000;
  let cases = 0;
  let accepted = 0;
  const failures = [];
  const classes = {};
  // The small models most of the time: more cases per second; the real model for depth.
  const arb = fc.record({ model: fc.constantFrom(0, 0, 1, 1, 2), mode: fc.constantFrom(...MODES), muts: fc.array(mutation, { minLength: 1, maxLength: 4 }), toFile: fc.boolean() });
  try {
    await fc.assert(
      fc.asyncProperty(arb, async ({ model, mode, muts, toFile }) => {
        if (Date.now() > deadline) return;
        cases++;
        const bytes = mutate(models[model], muts);
        const out = path.join(dir, `out-${cases}.onnx`);
        try {
          const r = await quantizeModel(bytes, toFile ? { mode, output: out } : { mode });
          accepted++;
          if (!toFile) await loadModel(r.bytes);
          else fs.rmSync(out, { force: true });
        } catch (e) {
          const name = e && e.constructor ? e.constructor.name : typeof e;
          classes[name] = (classes[name] ?? 0) + 1;
          // A TypeError or RangeError from the engine itself (not a check of ours) is a bug too.
          const internal = /Cannot read propert|is not a function|is not iterable|undefined|Invalid array length|Maximum call stack/.test(String(e && e.message)) && !/^Expected /.test(String(e && e.message));
          if (!(e instanceof Error) || !['Error', 'TypeError', 'RangeError'].includes(name) || internal) {
            failures.push(`${name}: ${String(e && e.message)}`);
            throw e;
          }
          if (toFile && fs.readdirSync(dir).length) throw new Error(`a rejected quantize left ${fs.readdirSync(dir).join(', ')}`);
        }
      }),
      { seed, numRuns: 1e9, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false },
    );
  } catch (e) {
    console.error(e.message);
    failures.push(e.message.split('\n')[0]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`fuzz-onnx: seed ${seed}, ${cases} mutated models in ${seconds} s: ${accepted} quantized, rejections ${JSON.stringify(classes)}`);
  console.log(`${failures.length ? 0 : 1} passed, ${failures.length ? 1 : 0} failed`);
  process.exit(failures.length ? 1 : 0);
})();
