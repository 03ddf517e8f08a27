'use strict';
// The addon is context-aware: loaded in the main thread and in several worker_threads at
// once, each quantizing concurrently, every result is right; workers exit and start again;
// SharedArrayBuffer input and output work across threads; large calls, which the addon
// splits across threads of its own, are right in several workers at once.
const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const qk = require('./support/quantkit');
const { quantizeRef, dequantizeRef } = require('./support/reference');
const { randomFloats } = require('./support/data');

const ROOT = path.join(__dirname, '..');

// Each worker loads the package itself, quantizes its own data many times over, and posts
// back what it computed and which backend ran it.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const qk = require(workerData.root);
const { x, params, rounds, shared } = workerData;
let q;
for (let r = 0; r < rounds; r++) q = qk.quantize(x, params);
const back = qk.dequantize(q, params);
const dyn = qk.quantizeDynamic(x, { dtype: params.dtype });
if (shared) qk.quantize(shared.x.subarray(shared.begin, shared.end), params, shared.out.subarray(shared.begin, shared.end));
parentPort.postMessage({ backend: { ...qk.backend }, q, back, dyn: { scale: dyn.scale, zeroPoint: dyn.zeroPoint, data: dyn.data } });
`;

function runWorker(workerData) {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { root: ROOT, ...workerData } });
    let result;
    w.on('message', (m) => (result = m));
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve(result) : reject(new Error(`worker exited with ${code}`))));
  });
}

describe(`worker threads (${qk.backend.name}/${qk.backend.isa})`, function () {
  this.timeout(60000);

  it('several workers and the main thread quantize at the same time, each correctly', async () => {
    const jobs = ['uint8', 'int8', 'uint16', 'int16'].map((dtype, k) => ({
      x: randomFloats(50000 + k * 77, 100 + k, 30),
      params: { scale: 0.05 * (k + 1), zeroPoint: dtype.startsWith('u') ? 100 : -7, dtype },
      rounds: 40,
    }));
    const running = jobs.map(runWorker);
    for (let r = 0; r < 40; r++) qk.quantize(jobs[0].x, jobs[0].params); // the main thread keeps busy too
    const results = await Promise.all(running);
    results.forEach((res, k) => {
      const { x, params } = jobs[k];
      assert.deepEqual({ name: res.backend.name, isa: res.backend.isa }, { name: qk.backend.name, isa: qk.backend.isa });
      assert.deepEqual(res.q, quantizeRef(x, params), `worker ${k} quantize`);
      assert.deepEqual(res.back, dequantizeRef(res.q, params), `worker ${k} dequantize`);
      const dyn = qk.quantizeDynamic(x, { dtype: params.dtype });
      assert.deepEqual(res.dyn, { scale: dyn.scale, zeroPoint: dyn.zeroPoint, data: dyn.data }, `worker ${k} dynamic`);
    });
  });

  it('large ggml and float16 calls (split across threads in the addon) run in several workers at once', async function () {
    this.timeout(180000);
    // Each worker makes 4 Mi-element calls, which the addon splits across its own threads,
    // while the main thread does the same: every result must equal the TS backend's.
    const LARGE = `
const { parentPort, workerData } = require('node:worker_threads');
const qk = require(workerData.root);
const { x, type } = workerData;
const q = qk.ggml.quantize(x, type);
parentPort.postMessage({ q, y: qk.ggml.dequantize(q, type, x.length), h: qk.toFloat16(x), bf: qk.fromBFloat16(qk.toBFloat16(x)) });
`;
    const { fallbackBinding } = require('../dist/backend-ts');
    const n = (1 << 22) + 64;
    const jobs = ['q8_0', 'q4_1'].map((type, k) => ({ type, x: randomFloats(n, 500 + k, 3 * 10 ** k) }));
    const running = jobs.map(
      (job) =>
        new Promise((resolve, reject) => {
          const w = new Worker(LARGE, { eval: true, workerData: { root: ROOT, ...job } });
          let result;
          w.on('message', (m) => (result = m));
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve(result) : reject(new Error(`worker exited with ${code}`))));
        }),
    );
    const mainQ = qk.ggml.quantize(jobs[1].x, 'q4_0');
    const results = await Promise.all(running);
    const same = (a, b) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    const wantQ4 = new Uint8Array(mainQ.length);
    assert.equal(fallbackBinding.ggmlQuantize(jobs[1].x, wantQ4, 1), -1);
    assert.ok(same(mainQ, wantQ4), 'main thread q4_0');
    results.forEach((res, k) => {
      const { x, type } = jobs[k];
      const q = new Uint8Array(res.q.length);
      assert.equal(fallbackBinding.ggmlQuantize(x, q, type === 'q8_0' ? 0 : 2), -1);
      assert.ok(same(res.q, q), `worker ${k} ${type} quantize`);
      const y = new Float32Array(n);
      fallbackBinding.ggmlDequantize(q, y, type === 'q8_0' ? 0 : 2);
      assert.ok(same(res.y, y), `worker ${k} ${type} dequantize`);
      const h = new Uint16Array(n);
      fallbackBinding.toFloat16(x, h);
      assert.ok(same(res.h, h), `worker ${k} toFloat16`);
      const bf = new Uint16Array(n);
      fallbackBinding.toBFloat16(x, bf);
      const back = new Float32Array(n);
      fallbackBinding.fromBFloat16(bf, back);
      assert.ok(same(res.bf, back), `worker ${k} bfloat16 round trip`);
    });
  });

  it('workers can exit and new ones load the addon again', async () => {
    const params = { scale: 0.1, zeroPoint: 3, dtype: 'int8' };
    for (let generation = 0; generation < 4; generation++) {
      const x = randomFloats(1000, generation, 20);
      const [a, b] = await Promise.all([runWorker({ x, params, rounds: 2 }), runWorker({ x, params, rounds: 2 })]);
      assert.deepEqual(a.q, quantizeRef(x, params));
      assert.deepEqual(b.q, a.q);
    }
  });

  it('a SharedArrayBuffer is read and written by several workers, each its own part', async () => {
    const n = 90001;
    const x = new Float32Array(new SharedArrayBuffer(4 * n));
    x.set(randomFloats(n, 9, 4));
    const out = new Uint16Array(new SharedArrayBuffer(2 * n));
    const params = { scale: 0.001, zeroPoint: 30000, dtype: 'uint16' };
    const parts = 3;
    const step = Math.ceil(n / parts);
    await Promise.all(
      Array.from({ length: parts }, (_, k) =>
        runWorker({ x: x.subarray(0, 8), params, rounds: 1, shared: { x, out, begin: k * step, end: Math.min(n, (k + 1) * step) } }),
      ),
    );
    assert.deepEqual(out, quantizeRef(x, params));
  });
});
