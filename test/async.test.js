'use strict';
// Async twins (README "Async calls"): each resolves with exactly the synchronous call's result,
// takes { signal } and { transfer }, and never lets a kernel touch memory the caller can free
// (run under the ASan build by scripts/test-asan.js: a use after free would be reported there).
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { MessageChannel } = require('node:worker_threads');
const v8 = require('node:v8');
const vm = require('node:vm');
const quantkit = require('./support/quantkit');
const { randomFloats } = require('./support/data');
const { thrown } = require('./support/assert');
const { PART_ELEMENTS } = require('../dist/async/ops');
const { COPY_SLICE } = require('../dist/async');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

function random(n, seed = 1, scale = 4) {
  return randomFloats(n, seed, scale);
}

function shared(a) {
  const s = new a.constructor(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

function bytes(a) {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

async function rejection(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('the async call did not reject');
}

async function idle() {
  while (quantkit.asyncStats().busy > 0 || quantkit.asyncStats().queued > 0) await new Promise((r) => setTimeout(r, 2));
}

/** Deep equality that compares TypedArrays by type and bytes (NaN payloads included). */
function sameResult(a, b, path = 'result') {
  if (ArrayBuffer.isView(a)) {
    assert.ok(ArrayBuffer.isView(b), `${path}: expected a ${a.constructor.name}`);
    assert.equal(Object.prototype.toString.call(b), Object.prototype.toString.call(a), `${path}: type`);
    assert.ok(bytes(a).equals(bytes(b)), `${path}: bytes differ`);
    return;
  }
  if (a !== null && typeof a === 'object') {
    assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort(), `${path}: keys`);
    for (const k of Object.keys(a)) sameResult(a[k], b[k], `${path}.${k}`);
    return;
  }
  assert.ok(Object.is(a, b), `${path}: ${a} vs ${b}`);
}

const BIG = 2 * PART_ELEMENTS + 4096 + 96; // the worker splits calls this long into parts

describe('async twins: the synchronous call\'s bits', function () {
  this.timeout(120000);
  const xf = random(10000, 3); // finite: ggml and the embeddings take no NaN
  const x = xf.slice();
  x[5] = NaN;
  x[7] = -0;
  const p8 = quantkit.computeParams(x, { dtype: 'int8' });
  const pu4 = quantkit.computeParams(x, { dtype: 'uint4' });
  const axis = quantkit.paramsFromRange([-4, -2, -1, -3], [4, 2, 1, 3], { axis: 0, shape: [4, 2500], dtype: 'int8' });
  const q = quantkit.quantize(x, p8);
  const h = quantkit.toFloat16(x);
  const cases = [
    ['quantize', () => [x, p8]],
    ['quantize', () => [x, pu4]],
    ['quantize', () => [x, axis]],
    ['quantize', () => [{ format: 'bfloat16', bits: quantkit.toBFloat16(x) }, p8]],
    ['quantize', () => [x, { scale: 0.02, dtype: 'float8e4m3fn' }]],
    ['dequantize', () => [q, p8]],
    ['quantizeDynamic', () => [x, { dtype: 'int4', symmetric: true }]],
    ['quantizeDynamic', () => [x, { dtype: 'int8', axis: 0, shape: [4, 2500] }]],
    ['minMax', () => [x]],
    ['minMax', () => [x, { axis: 1, shape: [100, 100] }]],
    ['computeParams', () => [x, { dtype: 'uint8' }]],
    ['toFloat16', () => [x]],
    ['fromFloat16', () => [h]],
    ['toBFloat16', () => [x]],
    ['fromBFloat16', () => [quantkit.toBFloat16(x)]],
    ['toUnsigned', () => [q, p8]],
    ['pack', () => [Int8Array.from({ length: 101 }, (_, i) => (i % 16) - 8), 'int4']],
    ['unpack', () => [quantkit.pack(Int8Array.from({ length: 101 }, (_, i) => (i % 16) - 8), 'int4'), 'int4', 101]],
    ['errorStats', () => [x, p8]],
    ['imageToTensor', () => [Uint8Array.from({ length: 4 * 3 * 5 }, (_, i) => (i * 37) % 256), { width: 4, height: 5, channels: 3, mean: [0.5, 0.4, 0.3], std: 0.25 }]],
    ['tensorToImage', () => [random(60, 9, 1), { width: 4, height: 5, channels: 3 }]],
    ['quantizeEmbeddings', () => [xf.subarray(0, 9984), { dim: 32, precision: 'ubinary' }]],
    ['quantizeEmbeddings', () => [xf.subarray(0, 9984), { dim: 32, precision: 'int8', ranges: quantkit.embeddingRanges(xf.subarray(0, 9984), 32) }]],
    ['embeddingRanges', () => [xf.subarray(0, 9984), 32]],
    ['unpackBits', () => [quantkit.quantizeEmbeddings(xf.subarray(0, 9984), { dim: 32, precision: 'ubinary' }), 32]],
    ['ggml.quantize', () => [xf.subarray(0, 9984 - (9984 % 256)), 'q4_k']],
    ['ggml.dequantize', () => [quantkit.ggml.quantize(xf.subarray(0, 9728), 'q6_k'), 'q6_k', 9728]],
  ];
  const fn = (name) => name.split('.').reduce((o, k) => o[k], quantkit);
  const twin = (name) => (name.startsWith('ggml.') ? quantkit.ggml[`${name.slice(5)}Async`] : quantkit[`${name}Async`]);
  for (const [name, args] of cases) {
    it(`${name}Async(${args().map((a) => (ArrayBuffer.isView(a) ? a.constructor.name : typeof a === 'object' ? (a.format ? `{${a.format}}` : a.dtype ?? (a.axis !== undefined ? 'axis' : 'opts')) : JSON.stringify(a))).join(', ')})`, async () => {
      sameResult(fn(name)(...args()), await twin(name)(...args()));
    });
  }

  it('every twin the README lists exists and returns a Promise', () => {
    for (const name of ['quantize', 'dequantize', 'quantizeDynamic', 'minMax', 'computeParams', 'toFloat16', 'fromFloat16', 'toBFloat16', 'fromBFloat16', 'toUnsigned', 'toSigned', 'pack', 'unpack', 'errorStats', 'imageToTensor', 'tensorToImage', 'quantizeEmbeddings', 'dequantizeEmbeddings', 'embeddingRanges', 'unpackBits']) {
      assert.equal(typeof quantkit[`${name}Async`], 'function', name);
    }
    assert.equal(typeof quantkit.ggml.quantizeAsync, 'function');
    const p = quantkit.minMaxAsync(x);
    assert.ok(p instanceof Promise);
    return p;
  });

  it('resolves with the caller\'s out, written (ordinary and SharedArrayBuffer arrays)', async () => {
    const want = quantkit.quantize(x, p8);
    const out = new Int8Array(x.length);
    assert.equal(await quantkit.quantizeAsync(x, p8, out), out);
    assert.ok(bytes(out).equals(bytes(want)));
    const sx = shared(x);
    const so = new Int8Array(new SharedArrayBuffer(x.length));
    assert.equal(await quantkit.quantizeAsync(sx, p8, { out: so }), so);
    assert.ok(bytes(so).equals(bytes(want)));
    const d = new Float32Array(x.length);
    const r = await quantkit.quantizeDynamicAsync(x, { dtype: 'int8', out: new Int8Array(x.length) });
    assert.equal(r.data.length, x.length);
    assert.equal(await quantkit.dequantizeAsync(want, p8, d), d);
    sameResult(quantkit.dequantize(want, p8), d);
  });

  it('views at odd offsets and arrays that share one buffer keep their layout (the overlap checks still apply)', async () => {
    const buf = new ArrayBuffer(4 * 1000 + 8);
    const xs = new Float32Array(buf, 4, 500);
    xs.set(random(500, 11));
    const out = new Uint8Array(buf, 4 * 600 + 1, 500);
    const want = quantkit.quantize(xs.slice(), p8);
    await quantkit.quantizeAsync(xs, { ...p8, dtype: 'uint8', zeroPoint: 128 }, out);
    sameResult(quantkit.quantize(xs, { ...p8, dtype: 'uint8', zeroPoint: 128 }), out);
    assert.equal(want.length, 500);
    const overlapping = new Uint16Array(buf, 8, 500);
    const e1 = thrown(() => quantkit.toFloat16(xs, overlapping));
    const e2 = await rejection(quantkit.toFloat16Async(xs, overlapping));
    assert.equal(e2.constructor, e1.constructor);
    assert.equal(e2.message, e1.message);
  });

  it(`long calls split into parts on the worker equal one call (${BIG} elements)`, async () => {
    const big = random(BIG, 5);
    const sync = quantkit.quantize(big, p8);
    sameResult(sync, await quantkit.quantizeAsync(big, p8));
    const so = new Int8Array(new SharedArrayBuffer(BIG));
    await quantkit.quantizeAsync(shared(big), p8, { out: so });
    sameResult(sync, so);
    sameResult(quantkit.dequantize(sync, p8), await quantkit.dequantizeAsync(sync, p8));
    sameResult(quantkit.toFloat16(big), await quantkit.toFloat16Async(big));
    const n = BIG - (BIG % 256);
    sameResult(quantkit.ggml.quantize(big.subarray(0, n), 'q8_0'), await quantkit.ggml.quantizeAsync(big.subarray(0, n), 'q8_0'));
    const g = quantkit.ggml.quantize(big.subarray(0, n), 'q4_0');
    sameResult(quantkit.ggml.dequantize(g, 'q4_0', n), await quantkit.ggml.dequantizeAsync(g, 'q4_0', n));
  });

  it('a bad value in a late part is reported as the whole call reports it', async () => {
    const big = random(BIG, 6);
    const n = BIG - (BIG % 256);
    big[n - 3] = Infinity;
    const e1 = thrown(() => quantkit.ggml.quantize(big.subarray(0, n), 'q8_0'));
    const out = new Uint8Array(new SharedArrayBuffer((n / 32) * 34));
    const e2 = await rejection(quantkit.ggml.quantizeAsync(big.subarray(0, n), 'q8_0', { out }));
    assert.equal(e2.constructor, e1.constructor);
    assert.equal(e2.message, e1.message);
    assert.ok(out.every((v) => v === 0), 'nothing written');
  });
});

describe('async twins: errors', function () {
  this.timeout(30000);
  const x = random(1000, 4);
  const p = { scale: 0.1, zeroPoint: 0, dtype: 'int8' };
  const bad = [
    ['quantize', [x, { scale: -1, zeroPoint: 0, dtype: 'int8' }]],
    ['quantize', [x, p, new Int8Array(3)]],
    ['quantize', [x, p, new Uint8Array(1000)]],
    ['quantize', [[1, 2, 3], p]],
    ['quantize', [x, { ...p, dtype: 'int9' }]],
    ['dequantize', [new Int8Array(4), { scale: NaN, zeroPoint: 0, dtype: 'int8' }]],
    ['minMax', [x, { axis: 3, shape: [10, 100] }]],
    ['quantizeDynamic', [x, { dtype: 'int8', bogus: 1 }]],
    ['toFloat16', [new Int32Array(4)]],
    ['imageToTensor', [new Uint8Array(5), { width: 2, height: 1, channels: 3 }]],
    ['errorStats', [x, new Float32Array(3)]],
  ];
  for (const [name, args] of bad) {
    it(`${name}Async rejects as ${name} throws: ${thrown(() => quantkit[name](...args)).message.slice(0, 90)}`, async () => {
      const e1 = thrown(() => quantkit[name](...args));
      const e2 = await rejection(quantkit[`${name}Async`](...args));
      assert.equal(e2.constructor, e1.constructor);
      assert.equal(e2.message, e1.message);
    });
  }

  it('an argument past the call\'s own (a misplaced signal) is refused', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(quantkit.minMaxAsync(x, undefined, { signal: ac.signal }), { name: 'TypeError', message: 'Expected at most 2 arguments for minMaxAsync (its async options go in the options object) but received 3' });
    await assert.rejects(quantkit.quantizeAsync(x, p, undefined, { signal: ac.signal }), { name: 'TypeError', message: /at most 3 arguments for quantizeAsync \(its async options go in out's place\)/ });
    await assert.rejects(quantkit.embeddingRangesAsync(x, 10, undefined, 5), { name: 'TypeError', message: /at most 3 arguments for embeddingRangesAsync/ });
    assert.deepEqual(await quantkit.minMaxAsync(x, undefined, undefined), quantkit.minMax(x));
  });

  it('objects are read as the synchronous call reads them: getters, prototypes, hidden keys', async () => {
    class Params {
      get scale() { return 0.1; }
      get zeroPoint() { return 3; }
      get dtype() { return 'uint8'; }
    }
    sameResult(quantkit.quantize(x, new Params()), await quantkit.quantizeAsync(x, new Params()));
    sameResult(quantkit.quantize(x, Object.create(p)), await quantkit.quantizeAsync(x, Object.create(p)));
    const o = { dtype: 'int8' };
    Object.defineProperty(o, 'symmetric', { get: () => true });
    sameResult(quantkit.quantizeDynamic(x, o), await quantkit.quantizeDynamicAsync(x, o));
    const ac = new AbortController();
    const withSignal = Object.create({ dtype: 'int8' });
    withSignal.signal = ac.signal;
    sameResult(quantkit.quantizeDynamic(x, { dtype: 'int8' }), await quantkit.quantizeDynamicAsync(x, withSignal));
  });

  it('a function where an array goes is refused as the synchronous call refuses it', async () => {
    const e1 = thrown(() => quantkit.quantize(() => 1, p));
    const e2 = await rejection(quantkit.quantizeAsync(() => 1, p));
    assert.equal(e2.message, e1.message);
  });

  it('checks its own options', async () => {
    await assert.rejects(quantkit.quantizeAsync(x, p, { signal: 'stop' }), { name: 'TypeError', message: "Expected an AbortSignal for options.signal but received 'stop'" });
    await assert.rejects(quantkit.quantizeAsync(x, p, { outt: new Int8Array(1000) }), { name: 'TypeError', message: /received the key 'outt'/ });
    await assert.rejects(quantkit.quantizeAsync(x, p, { transfer: 1 }), { name: 'TypeError', message: 'Expected a boolean for options.transfer but received 1' });
    await assert.rejects(quantkit.minMaxAsync(x, { signal: {} }), { name: 'TypeError', message: 'Expected an AbortSignal for opts.signal but received an object' });
    await assert.rejects(quantkit.embeddingRangesAsync(x, 10, { out: 1 }), { name: 'TypeError', message: /received the key 'out'/ });
  });
});

describe('async twins: abort', function () {
  this.timeout(120000);
  const p = { scale: 0.05, zeroPoint: 0, dtype: 'int8' };

  it('an aborted signal rejects at once with an AbortError carrying the reason, nothing written', async () => {
    const ac = new AbortController();
    const reason = new Error('client went away');
    ac.abort(reason);
    const out = new Int8Array(16).fill(7);
    const e = await rejection(quantkit.quantizeAsync(random(16), p, { out, signal: ac.signal }));
    assert.equal(e.name, 'AbortError');
    assert.equal(e.code, 'ABORT_ERR');
    assert.equal(e.cause, reason);
    assert.ok(e instanceof quantkit.AbortError);
    assert.ok(out.every((v) => v === 7));
  });

  it('a queued job is dropped: it rejects and never runs', async () => {
    const size = require('../dist/async/pool').poolSize();
    const big = shared(random(BIG, 8));
    const busy = Array.from({ length: size }, () => quantkit.quantizeAsync(big, p));
    const ac = new AbortController();
    const out = new Int8Array(new SharedArrayBuffer(BIG)).fill(9);
    const queued = quantkit.quantizeAsync(big, p, { out, signal: ac.signal });
    assert.ok(quantkit.asyncStats().queued >= 1, 'the job waits');
    ac.abort();
    assert.equal((await rejection(queued)).name, 'AbortError');
    await Promise.all(busy);
    await idle();
    assert.ok(out.every((v) => v === 9), 'never ran');
  });

  // The abort lands while the worker runs the job's parts: it stops at the next part, and the
  // promise settles only then for a SharedArrayBuffer out (the worker writes it), at once for
  // a copied out (the caller's array gets nothing). Larger jobs until an abort lands mid-job.
  for (const kind of ['shared', 'copied']) {
    it(`a running job stops: nothing more is written (${kind} out)`, async () => {
      let landed = false;
      for (let scale = 1; scale <= 8 && !landed; scale *= 2) {
        const n = (BIG - (BIG % 256)) * scale;
        const x = shared(random(n, scale));
        const bytesOut = (n / 256) * quantkit.ggml.blockBytes('q6_k');
        const out = kind === 'shared' ? new Uint8Array(new SharedArrayBuffer(bytesOut)) : new Uint8Array(bytesOut);
        const ac = new AbortController();
        const job = quantkit.ggml.quantizeAsync(x, 'q6_k', { out, signal: ac.signal });
        // Abort once the job is on a worker (the copy of an ordinary out takes a few turns).
        while (quantkit.asyncStats().busy === 0) await new Promise((r) => setImmediate(r));
        ac.abort();
        try {
          await job;
          assert.ok(bytes(out).equals(bytes(quantkit.ggml.quantize(x, 'q6_k'))), 'a job that finished first is whole');
        } catch (e) {
          assert.equal(e.name, 'AbortError');
          landed = true;
          const seen = Buffer.from(bytes(out));
          await idle();
          assert.ok(bytes(out).equals(seen), 'written after the rejection');
          if (kind === 'copied') assert.ok(out.every((v) => v === 0), 'a part reached the caller');
        }
      }
      assert.ok(landed, 'no abort landed while a job ran');
    });
  }
});

describe('async twins: the caller\'s buffers may go away while a job runs', function () {
  this.timeout(120000);
  const p = { scale: 0.05, zeroPoint: 3, dtype: 'uint8' };
  const n = 4 * COPY_SLICE; // copied over several turns

  it('x transferred away right after the call: RangeError naming x, or the whole result', async () => {
    const x = random(n, 21);
    const want = quantkit.quantize(x, p);
    const job = quantkit.quantizeAsync(x, p);
    const moved = x.buffer.transfer ? x.buffer.transfer() : structuredClone(x.buffer, { transfer: [x.buffer] });
    new Float32Array(moved).fill(1);
    gc();
    try {
      sameResult(want, await job);
    } catch (e) {
      assert.equal(e.constructor, RangeError);
      assert.match(e.message, /Expected x to be attached/);
    }
  });

  it('out detached while the job runs: RangeError naming out, nothing written anywhere else', async () => {
    const x = shared(random(n, 22));
    const out = new Uint8Array(n);
    const job = quantkit.quantizeAsync(x, p, out);
    while (quantkit.asyncStats().busy === 0) await new Promise((r) => setImmediate(r));
    const port = new MessageChannel();
    port.port1.postMessage(out.buffer, [out.buffer]);
    port.port1.close();
    port.port2.close();
    gc();
    const e = await rejection(job);
    assert.equal(e.constructor, RangeError);
    assert.match(e.message, /^Expected out to stay attached/);
  });

  it('an array detached or shrunk while the inputs are still being copied: the synchronous call on it as it now is', async () => {
    const big = 4 * COPY_SLICE;
    const out = new Uint8Array(big);
    const job = quantkit.quantizeAsync(new Float32Array(big), p, { out });
    structuredClone(out.buffer, { transfer: [out.buffer] });
    const e1 = await rejection(job);
    assert.equal(e1.constructor, RangeError);
    assert.equal(e1.message, 'Expected out to be attached but its buffer is detached');
    const ab = new ArrayBuffer(big, { maxByteLength: big });
    const tracking = new Float32Array(ab); // length-tracking: shrinking changes its length
    const job2 = quantkit.quantizeAsync(tracking, p);
    ab.resize(8);
    // The copy saw the array change and left the call to the synchronous one, on the array as it now is.
    sameResult(quantkit.quantize(tracking, p), await job2);
    assert.equal(tracking.length, 2);
  });

  it('a resizable buffer shrunk during the job: RangeError, no write past its end', async () => {
    const ab = new ArrayBuffer(n, { maxByteLength: 2 * n });
    const out = new Uint8Array(ab);
    const x = shared(random(n, 23));
    const job = quantkit.quantizeAsync(x, p, out);
    ab.resize(16);
    const e = await rejection(job);
    assert.ok(e instanceof RangeError, e.message);
    ab.resize(2 * n);
    assert.ok(new Uint8Array(ab, 16).every((v) => v === 0));
  });

  it('a growable SharedArrayBuffer that grows during the job is fine', async () => {
    const sab = new SharedArrayBuffer(n * 4, { maxByteLength: n * 8 });
    const x = new Float32Array(sab, 0, n);
    x.set(random(n, 24));
    const want = quantkit.quantize(x, p);
    const job = quantkit.quantizeAsync(x, p);
    sab.grow(n * 8);
    sameResult(want, await job);
  });

  it('transfer: true moves the buffers (no copy): the caller\'s arrays are detached, the result holds the memory', async () => {
    const x = random(n, 25);
    const want = quantkit.quantize(x, p);
    const out = new Uint8Array(n);
    const outBuffer = out.buffer;
    const job = quantkit.quantizeAsync(x, p, { out, transfer: true });
    assert.equal(x.byteLength, 0, 'x detached at once');
    assert.equal(out.byteLength, 0, 'out detached at once');
    assert.equal(outBuffer.byteLength, 0);
    const r = await job;
    assert.notEqual(r, out);
    sameResult(want, r);
  });

  it('transfer: true copies what cannot be moved (WebAssembly memory, pooled Buffers) and writes such an out back', async () => {
    const mem = new WebAssembly.Memory({ initial: 1 });
    const x = new Float32Array(mem.buffer, 0, 16);
    x.set(random(16, 26));
    const out = new Uint8Array(mem.buffer, 1024, 16);
    const r = await quantkit.quantizeAsync(x, p, { out, transfer: true });
    assert.equal(x.length, 16);
    assert.equal(r, out);
    sameResult(quantkit.quantize(x, p), out);
    const pooled = Buffer.from('0123456789abcdef'); // a slice of Node's shared pool
    const codes = new Uint8Array(pooled.buffer, pooled.byteOffset, 16);
    const want = quantkit.dequantize(codes.slice(), p);
    sameResult(want, await quantkit.dequantizeAsync(codes, p, { transfer: true }));
    assert.equal(pooled.toString(), '0123456789abcdef', 'the pool is left alone');
  });
});

describe('async twins: observers', function () {
  this.timeout(60000);
  const batches = [random(5000, 31, 2), random(3000, 32, 5), random(7000, 33, 1)];
  const setups = [
    ['minmax', undefined],
    ['moving-average', { averagingConstant: 0.3 }],
    ['percentile', { percentile: 99.9 }],
    ['entropy', { bins: 256 }],
    ['mse', { bins: 128 }],
    ['minmax', { axis: 1, shape: [100, 0] }],
  ];
  for (const [method, opts] of setups) {
    it(`observeAsync equals observe, batch order kept (${method}${opts?.axis !== undefined ? ', per channel' : ''})`, async () => {
      const make = () => quantkit.createObserver(method, opts && opts.shape ? { ...opts, shape: [opts.shape[0], 50] } : opts);
      const shapes = batches.map((b) => (opts?.axis !== undefined ? [b.length / 50, 50] : undefined));
      const a = make();
      batches.forEach((b, i) => a.observe(b, shapes[i]));
      const b = make();
      const done = batches.map((batch, i) => (shapes[i] ? b.observeAsync(batch, shapes[i]) : b.observeAsync(batch)));
      assert.throws(() => b.observe(batches[0], shapes[0]), /while its observeAsync\(x\) is pending/);
      assert.equal(await done[2], b);
      await Promise.all(done);
      assert.equal(b.batches, a.batches);
      sameResult(a.range(), b.range());
      sameResult(a.params({ dtype: 'int8' }), b.params({ dtype: 'int8' }));
      b.observe(batches[0], shapes[0]); // allowed again
    });
  }

  it('a refused batch leaves the observer as it was', async () => {
    const o = quantkit.createObserver('minmax');
    await o.observeAsync(batches[0]);
    const before = o.range();
    const bad = batches[1].slice();
    bad[17] = -Infinity;
    const e = await rejection(o.observeAsync(bad));
    assert.equal(e.message, thrown(() => quantkit.createObserver('minmax').observe(bad)).message);
    assert.deepEqual(o.range(), before);
    assert.equal(o.batches, 1);
  });
});

describe('async twins: the pool', function () {
  this.timeout(60000);

  it('concurrent calls start workers up to the pool size', async () => {
    const size = require('../dist/async/pool').poolSize();
    const x = shared(random(BIG, 41));
    const jobs = Array.from({ length: size + 1 }, () => quantkit.quantizeAsync(x, { scale: 0.1, zeroPoint: 0, dtype: 'int8' }));
    assert.equal(quantkit.asyncStats().workers, size);
    assert.equal(quantkit.asyncStats().queued, 1);
    await Promise.all(jobs);
    assert.equal(quantkit.asyncStats().busy, 0);
  });

  it('a process with idle workers exits by itself', () => {
    const code = `const q = require(${JSON.stringify(require.resolve('..'))});
      q.quantizeAsync(new Float32Array(8), { scale: 1, zeroPoint: 0, dtype: 'int8' }).then((r) => console.log('done', r.length));`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'done 8');
  });

  it('one signal for many jobs adds one listener (no MaxListenersExceededWarning)', async () => {
    const ac = new AbortController();
    const warnings = [];
    const onWarning = (w) => warnings.push(w.name);
    process.on('warning', onWarning);
    const xs = random(64, 43);
    const jobs = Array.from({ length: 40 }, () => quantkit.quantizeAsync(xs, { scale: 0.1, zeroPoint: 0, dtype: 'int8' }, { signal: ac.signal }));
    const results = await Promise.all(jobs);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    assert.deepEqual(warnings, []);
    for (const r of results) sameResult(quantkit.quantize(xs, { scale: 0.1, zeroPoint: 0, dtype: 'int8' }), r);
  });

  it('a bad QUANTKIT_ASYNC_THREADS makes require throw, naming it', () => {
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(require.resolve('..'))})`], { encoding: 'utf8', env: { ...process.env, QUANTKIT_ASYNC_THREADS: '0' } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /RangeError: Expected QUANTKIT_ASYNC_THREADS to be an integer from 1 to 256 but received '0'/);
  });

  it('QUANTKIT_ASYNC_THREADS is checked', () => {
    const { poolSize } = require('../dist/async/pool');
    assert.equal(poolSize({ QUANTKIT_ASYNC_THREADS: '3' }), 3);
    assert.throws(() => poolSize({ QUANTKIT_ASYNC_THREADS: '0' }), { name: 'RangeError', message: "Expected QUANTKIT_ASYNC_THREADS to be an integer from 1 to 256 but received '0'" });
  });
});
