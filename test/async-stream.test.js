'use strict';
// quantizeStream / dequantizeStream (quantkit/stream, lib/stream/stream.ts): whatever the chunking, the stream's
// concatenated output is byte for byte ONE whole-array quantize / dequantize call with the same
// params. Property tests (fast-check) cut the input anywhere: inside a float's bytes, between
// the codes of one packed byte, into empty chunks; chunks are Float32Array / Float64Array views
// or Buffer / Uint8Array bytes of float32, float64, float16 or bfloat16 (opts.input). Chunks of
// CHUNK_ASYNC elements or more run on the worker pool, so those sizes are crossed too. Then
// backpressure through stream.pipeline, the errors (at creation, per chunk, at the end) and
// abort through opts.signal.
const assert = require('node:assert/strict');
const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const fc = require('fast-check');
const qk = require('./support/quantkit');
const { thrown } = require('./support/assert');
const { CHUNK_ASYNC, quantizeStream, dequantizeStream } = require('../dist/stream');
const { pool } = require('../dist/async/pool');

// Jobs handed to the worker pool, by op: the pool the facade's async twins use (one module
// instance), watched to tell which chunks ran on a worker thread.
const submitted = { quantize: 0, dequantize: 0 };
let onSubmit;
const submit = pool.submit.bind(pool);
pool.submit = (job) => {
  submitted[job.op] = (submitted[job.op] ?? 0) + 1;
  const cancel = submit(job);
  onSubmit?.(job);
  return cancel;
};

const INTEGER = ['uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'uint2', 'int2'];
const FLOAT8 = ['float8e4m3fn', 'float8e5m2'];
const DTYPES = [...INTEGER, ...FLOAT8];
const INPUTS = { float32: 4, float64: 8, float16: 2, bfloat16: 2 };

const info = (dtype) => qk.dtypes[dtype];
const perByte = (dtype) => (info(dtype).packed ? 8 / info(dtype).width : 1);
const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Runs chunks through a stream with stream.pipeline; resolves with the output, or rejects with the stream's error (then `got` holds what came out before it). */
async function through(stream, chunks, got = []) {
  await pipeline(
    Readable.from(chunks, { objectMode: true }),
    stream,
    new Writable({
      write(chunk, _enc, cb) {
        got.push(chunk);
        cb();
      },
    }),
  );
  return Buffer.concat(got);
}

/** fn's promise must reject with an error of class `name` whose message is exactly `message` (or matches it). */
async function rejectsWith(promise, name, message) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, name, `error class for: ${e.message}`);
    if (message instanceof RegExp) assert.match(e.message, message);
    else if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

/** Cut points (sorted, repeats give empty chunks) from fractions of `length`. */
function cutsOf(fractions, length) {
  return fractions.map((f) => Math.floor(f * (length + 1))).map((c) => Math.min(c, length)).sort((a, b) => a - b);
}

/** `a` cut at `cuts`: views into it (so chunks sit at odd offsets); every odd chunk of bytes a plain Uint8Array. */
function chunked(a, cuts, plainOdd = false) {
  const chunks = [];
  let at = 0;
  for (const c of [...cuts, a.length]) {
    const v = a.subarray(at, c);
    chunks.push(plainOdd && chunks.length % 2 === 1 ? new Uint8Array(v.buffer, v.byteOffset, v.length) : v);
    at = c;
  }
  return chunks;
}

// ---- data -------------------------------------------------------------------------------------

const scaleArb = fc.oneof(fc.constantFrom(1, 0.5, 0.25, 0.1, 2 ** -10, 3), fc.double({ min: 1e-4, max: 50, noNaN: true }));

function paramsArb(dtype) {
  if (FLOAT8.includes(dtype)) return fc.record({ scale: scaleArb, dtype: fc.constant(dtype), saturate: fc.boolean() });
  const [lo, hi] = info(dtype).ranges[info(dtype).width];
  return fc.record({ scale: scaleArb, zeroPoint: fc.integer({ min: lo, max: hi }), dtype: fc.constant(dtype), convention: fc.constantFrom('onnx', 'pytorch', 'tflite') });
}

// Mostly values over the code range (ties included: half-integers over a power-of-two scale),
// some specials (NaN, ±Inf, −0, subnormals, huge) from fc.double.
const valueArb = fc.oneof(
  { weight: 5, arbitrary: fc.double({ min: -300, max: 300, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: -600, max: 600 }).map((k) => k / 2) },
  { weight: 1, arbitrary: fc.double() },
);

const MODES = ['Float32Array', 'Float64Array', 'float32', 'float64', 'float16', 'bfloat16'];

/**
 * The stream's input for one mode: `ref` is what the whole-array quantize gets (the same values),
 * `chunks` its pieces, `opts` the stream's options.
 */
function makeInput(mode, values, fractions) {
  if (mode === 'Float32Array' || mode === 'Float64Array') {
    const x = mode === 'Float32Array' ? Float32Array.from(values) : Float64Array.from(values);
    return { ref: x, chunks: chunked(x, cutsOf(fractions, x.length)), opts: undefined };
  }
  let ref, bytes;
  if (mode === 'float32' || mode === 'float64') {
    ref = mode === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
    bytes = bytesOf(ref);
  } else {
    const f = Float32Array.from(values);
    const bits = mode === 'float16' ? qk.toFloat16(f) : qk.toBFloat16(f);
    // Some raw patterns too (NaN payloads, subnormals, infinities of the 16-bit format).
    for (let i = 0; i < bits.length; i += 7) bits[i] = (values[i] * 7919) & 0xffff;
    ref = { format: mode, bits };
    bytes = bytesOf(bits);
  }
  // Byte cuts anywhere: inside a float's bytes as often as between floats.
  return { ref, chunks: chunked(bytes, cutsOf(fractions, bytes.length), true), opts: { input: mode } };
}

// ---- quantizeStream = one quantize ------------------------------------------------------------

describe(`quantizeStream (${qk.backend.name})`, function () {
  this.timeout(60000);

  for (const dtype of DTYPES) {
    it(`${dtype}: any chunking of any input kind gives the bytes of one whole-array quantize`, async function () {
      await fc.assert(
        fc.asyncProperty(
          paramsArb(dtype),
          fc.constantFrom(...MODES),
          fc.array(valueArb, { maxLength: 600 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
          async (params, mode, values, fractions) => {
            const { ref, chunks, opts } = makeInput(mode, values, fractions);
            const want = bytesOf(qk.quantize(ref, params));
            const got = await through(quantizeStream(params, opts), chunks);
            assert.ok(got.equals(want), `${mode}, ${chunks.length} chunks of ${chunks.map((c) => c.length).join(',')}: ${got.toString('hex').slice(0, 80)} vs ${want.toString('hex').slice(0, 80)}`);
          },
        ),
        { numRuns: 80 },
      );
    });
  }

  // Chunks around CHUNK_ASYNC elements: the larger ones run on a worker thread (seen as a busy
  // worker in asyncStats while the stream runs), the others on this thread; the seams between
  // them (and a float cut in two across them) must not show in the output.
  for (const dtype of DTYPES) {
    it(`${dtype}: chunks of CHUNK_ASYNC (${CHUNK_ASYNC}) elements and around it, on the worker pool, give one quantize's bytes`, async function () {
      const n = 3 * CHUNK_ASYNC + 7;
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) * 40 + (i % 11 === 0 ? 0.5 : 0);
      x[5] = NaN;
      x[CHUNK_ASYNC] = -Infinity;
      const params = FLOAT8.includes(dtype) ? { scale: 0.125, dtype } : qk.paramsFromRange(-40, 40, { dtype });
      const want = bytesOf(qk.quantize(x, params));
      const jobs = submitted.quantize;
      const sizes = [CHUNK_ASYNC - 1, 0, CHUNK_ASYNC, CHUNK_ASYNC + 1, 7];
      const typed = chunked(x, sizes.slice(0, -1).map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0)));
      assert.ok((await through(quantizeStream(params), typed)).equals(want), 'Float32Array chunks');
      // Unpacked: exactly the two chunks of CHUNK_ASYNC elements or more went to the pool.
      // (Packed: a chunk's last codes may wait for the next one, so only "some" is certain.)
      if (!info(dtype).packed) assert.equal(submitted.quantize - jobs, 2, 'the chunks of CHUNK_ASYNC elements or more, and only those, ran on a worker thread');
      else assert.ok(submitted.quantize - jobs >= 1, 'a chunk ran on a worker thread');
      {
        const bytes = bytesOf(x);
        const cuts = [4 * CHUNK_ASYNC + 2, 4 * CHUNK_ASYNC + 3, 8 * CHUNK_ASYNC + 1, 12 * CHUNK_ASYNC + 9];
        assert.ok((await through(quantizeStream(params), chunked(bytes, cuts))).equals(want), 'float32 bytes cut inside floats');
        const wide = Float64Array.from(x);
        const want64 = bytesOf(qk.quantize(wide, params));
        assert.ok((await through(quantizeStream(params), chunked(wide, [1, 2 * CHUNK_ASYNC + 3]))).equals(want64), 'Float64Array chunks');
        const bits = qk.toBFloat16(x);
        const wantB = bytesOf(qk.quantize({ format: 'bfloat16', bits }, params));
        assert.ok((await through(quantizeStream(params, { input: 'bfloat16' }), chunked(bytesOf(bits), [3, 2 * CHUNK_ASYNC + 1]))).equals(wantB), 'bfloat16 bytes');
      }
    });
  }

  it('a float16 stream of every pattern, in chunks that cut codes in half, gives one quantize of the float16 input', async function () {
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i);
    for (const dtype of ['int8', 'uint4', 'float8e5m2']) {
      const params = FLOAT8.includes(dtype) ? { scale: 1, dtype } : qk.paramsFromRange(-8, 8, { dtype });
      const want = bytesOf(qk.quantize({ format: 'float16', bits }, params));
      const got = await through(quantizeStream(params, { input: 'float16' }), chunked(bytesOf(bits), [1, 2, 2, 40001, 90001]));
      assert.ok(got.equals(want), dtype);
    }
  });
});

// ---- dequantizeStream = one dequantize --------------------------------------------------------

describe(`dequantizeStream (${qk.backend.name})`, function () {
  this.timeout(60000);

  const CODE_CTORS = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array };

  for (const dtype of DTYPES) {
    it(`${dtype}: any chunking of the codes gives the floats of one whole-array dequantize${info(dtype).packed ? ' (params.count, odd counts)' : ''}`, async function () {
      await fc.assert(
        fc.asyncProperty(
          paramsArb(dtype),
          fc.array(valueArb, { maxLength: 600 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
          fc.boolean(),
          async (params, values, fractions, typedChunks) => {
            const n = values.length;
            const codes = qk.quantize(Float32Array.from(values), params);
            // Non-packed codes as their own typed array (cut between codes) or as bytes (cut anywhere).
            let chunks;
            if (typedChunks && CODE_CTORS[dtype] !== undefined) chunks = chunked(codes, cutsOf(fractions, codes.length));
            else chunks = chunked(Buffer.from(bytesOf(codes)), cutsOf(fractions, codes.byteLength), true);
            const p = info(dtype).packed ? { ...params, count: n } : params;
            const want = bytesOf(qk.dequantize(codes, p));
            const got = await through(dequantizeStream(p), chunks);
            assert.ok(got.equals(want), `${n} values, chunks ${chunks.map((c) => c.byteLength).join(',')}`);
          },
        ),
        { numRuns: 80 },
      );
    });
  }

  for (const dtype of INTEGER.filter((d) => info(d).packed)) {
    it(`${dtype}: without params.count every code of every byte comes out (as dequantize with count = bytes × ${perByte(dtype)})`, async function () {
      const codes = new Uint8Array(1001);
      for (let i = 0; i < codes.length; i++) codes[i] = (i * 37 + 11) & 0xff;
      const params = { scale: 0.3, zeroPoint: info(dtype).signed ? -1 : 2, dtype };
      const want = bytesOf(qk.dequantize(codes, { ...params, count: codes.length * perByte(dtype) }));
      const got = await through(dequantizeStream(params), chunked(codes, [0, 1, 1, 500, 999]));
      assert.ok(got.equals(want));
    });
  }

  for (const dtype of DTYPES) {
    it(`${dtype}: chunks around CHUNK_ASYNC elements, on the worker pool, give one dequantize's floats`, async function () {
      const n = 2 * CHUNK_ASYNC + 3;
      const x = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11) * 30);
      const params = FLOAT8.includes(dtype) ? { scale: 0.25, dtype } : qk.paramsFromRange(-30, 30, { dtype });
      const codes = qk.quantize(x, params);
      const p = info(dtype).packed ? { ...params, count: n } : params;
      const want = bytesOf(qk.dequantize(codes, p));
      const bytes = bytesOf(codes);
      const per = codes.byteLength / codes.length;
      const k = info(dtype).packed ? CHUNK_ASYNC / perByte(dtype) : CHUNK_ASYNC * per;
      const jobs = submitted.dequantize;
      const got = await through(dequantizeStream(p), chunked(bytes, [k - 1, k + 1, 2 * k + 3].filter((c) => c <= bytes.length)));
      assert.ok(got.equals(want));
      assert.ok(submitted.dequantize - jobs >= 1, 'a chunk of CHUNK_ASYNC elements or more ran on a worker thread');
    });
  }
});

// ---- backpressure -----------------------------------------------------------------------------

describe(`stream backpressure (${qk.backend.name})`, function () {
  this.timeout(60000);

  // A producer of many chunks into a slow consumer: write() returns false once the transform
  // holds highWaterMark chunks, the pipeline pauses the producer, and the chunks pulled from it
  // but not yet consumed stay bounded (without backpressure all of them would be pulled at once).
  async function slowPipeline(stream, chunkCount, chunkAt) {
    const hwm = stream.writableHighWaterMark;
    let pulled = 0;
    let consumed = 0;
    let maxBuffered = 0;
    let maxInFlight = 0;
    const out = [];
    function* produce() {
      for (let i = 0; i < chunkCount; i++) {
        maxBuffered = Math.max(maxBuffered, stream.writableLength);
        pulled++;
        yield chunkAt(i);
      }
    }
    await pipeline(
      Readable.from(produce(), { objectMode: true, highWaterMark: 1 }),
      stream,
      new Writable({
        highWaterMark: 1,
        write(chunk, _enc, cb) {
          out.push(chunk);
          consumed++;
          maxBuffered = Math.max(maxBuffered, stream.writableLength);
          maxInFlight = Math.max(maxInFlight, pulled - consumed);
          setTimeout(cb, 1);
        },
      }),
    );
    return { hwm, out: Buffer.concat(out), pulled, consumed, maxBuffered, maxInFlight };
  }

  it('quantizeStream: a slow consumer holds the producer back; the transform buffers at most highWaterMark + 1 chunks; the bytes are one quantize', async function () {
    const params = qk.paramsFromRange(-5, 5, { dtype: 'int16' });
    // 20000 int16 codes = 40 KB a chunk: the readable side (16 KiB) holds one chunk's output.
    const sizes = Array.from({ length: 160 }, (_, i) => (i % 40 === 13 ? CHUNK_ASYNC + 5 : 20000 + (i % 3)));
    const starts = [0];
    for (const s of sizes) starts.push(starts[starts.length - 1] + s);
    const x = Float32Array.from({ length: starts[starts.length - 1] }, (_, i) => Math.sin(i * 0.013) * 5);
    const r = await slowPipeline(quantizeStream(params, { highWaterMark: 4 }), sizes.length, (i) => x.subarray(starts[i], starts[i + 1]));
    assert.ok(r.out.equals(bytesOf(qk.quantize(x, params))), 'the bytes of one quantize');
    assert.equal(r.hwm, 4);
    assert.equal(r.consumed, sizes.length, 'one output chunk per input chunk');
    assert.ok(r.maxBuffered <= r.hwm + 1, `the transform buffered ${r.maxBuffered} chunks (highWaterMark ${r.hwm})`);
    // Source buffer and generator (2), the transform's buffer (hwm + 1) and chunk in hand (1), its
    // readable side (1), the sink's buffer and the chunk being written (2).
    assert.ok(r.maxInFlight <= r.hwm + 7, `${r.maxInFlight} chunks were pulled but not consumed`);
  });

  it('dequantizeStream: the same under a slow consumer', async function () {
    const params = { scale: 0.02, zeroPoint: 3, dtype: 'uint4', count: 150 * 9000 + 1 };
    const x = Float32Array.from({ length: params.count }, (_, i) => Math.sin(i * 0.7) * 0.15);
    const codes = qk.quantize(x, params);
    const step = 4500; // 9000 codes = 36 KB of floats a chunk
    const r = await slowPipeline(dequantizeStream(params, { highWaterMark: 3 }), Math.ceil(codes.length / step), (i) => codes.subarray(i * step, (i + 1) * step));
    assert.ok(r.out.equals(bytesOf(qk.dequantize(codes, params))), 'the floats of one dequantize');
    assert.ok(r.maxBuffered <= r.hwm + 1, `the transform buffered ${r.maxBuffered} chunks (highWaterMark ${r.hwm})`);
    assert.ok(r.maxInFlight <= r.hwm + 7, `${r.maxInFlight} chunks were pulled but not consumed`);
  });
});

// ---- errors -----------------------------------------------------------------------------------

describe(`stream errors (${qk.backend.name})`, function () {
  this.timeout(30000);
  const P = { scale: 0.5, zeroPoint: 3, dtype: 'uint8' };

  it('per-axis and blocked params: TypeError when the stream is made', function () {
    const axis = qk.paramsFromRange([-1, -2], [1, 2], { axis: 0, shape: [2, 3], dtype: 'int8' });
    const blocked = { ...qk.paramsFromRange([-1, -2], [1, 2], { axis: 1, shape: [1, 64], blockSize: 32, dtype: 'int8' }) };
    for (const make of [quantizeStream, dequantizeStream]) {
      const call = make === quantizeStream ? 'quantizeStream' : 'dequantizeStream';
      assert.throws(() => make(axis), { name: 'TypeError', message: `Expected per-tensor params for ${call} (a stream carries no shape, so per-axis and blocked params cannot be placed) but received params with axis` });
      delete blocked.axis;
      assert.throws(() => make(blocked), { name: 'TypeError', message: `Expected per-tensor params for ${call} (a stream carries no shape, so per-axis and blocked params cannot be placed) but received params with blockSize` });
    }
  });

  it('params the synchronous call refuses: the same error, when the stream is made', function () {
    const bad = [{ scale: -1, zeroPoint: 0, dtype: 'int8' }, { scale: 1, zeroPoint: 300, dtype: 'uint8' }, { scale: 1, zeroPoint: 0, dtype: 'int3' }, { scale: 1, zeroPoint: 1, dtype: 'float8e4m3fn' }];
    for (const p of bad) {
      const e = thrown(() => qk.quantize(new Float32Array(0), p));
      assert.throws(() => quantizeStream(p), { name: e.name, message: e.message });
    }
    for (const count of [-1, 1.5, 'x']) {
      const p = { scale: 1, zeroPoint: 0, dtype: 'int4', count };
      const e = thrown(() => qk.dequantize(new Uint8Array(1), p));
      assert.throws(() => dequantizeStream(p), { name: e.name, message: e.message });
    }
    assert.throws(() => quantizeStream(null), { name: 'TypeError', message: 'Expected a params object for params but received null' });
  });

  it('quantizeStream takes params with count (quantizeDynamic\'s result): the stream must carry that many values', async function () {
    const x = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i));
    const r = qk.quantizeDynamic(x, { dtype: 'int4' });
    const want = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    const bytes = Buffer.from(x.buffer);
    assert.ok((await through(quantizeStream(r), [bytes.subarray(0, 1999), bytes.subarray(1999)])).equals(want));
    await assert.rejects(through(quantizeStream(r), [bytes.subarray(0, 4000)]), { name: 'RangeError', message: 'Expected the stream to carry params.count = 1001 values but it carried 1000' });
    await assert.rejects(through(quantizeStream(r), [bytes, new Float32Array(1)]), { name: 'RangeError', message: 'Expected the stream to carry params.count = 1001 values but it carried 1002 or more' });
  });

  it('dequantizeStream takes the codes\' own array type and refuses another integer type (it would be read as bytes)', async function () {
    const p = { scale: 0.5, zeroPoint: 0, dtype: 'int8' };
    const codes = Int8Array.from([1, -2, 3, -128, 127]);
    const want = Buffer.from(qk.dequantize(codes, p).buffer);
    assert.ok((await through(dequantizeStream(p), [codes.subarray(0, 2), codes.subarray(2)])).equals(want));
    await assert.rejects(through(dequantizeStream(p), [new Int16Array([1, 2, -3])]), { name: 'TypeError', message: "Expected a Buffer or Uint8Array of code bytes or an Int8Array chunk for dequantizeStream (dtype 'int8') but received Int16Array(3) (chunk 0)" });
  });

  it('bad options: TypeError / RangeError naming the key', function () {
    assert.throws(() => quantizeStream(P, { foo: 1 }), { name: 'TypeError', message: "Expected opts to have only the keys 'signal', 'input', 'highWaterMark' but received the key 'foo'" });
    assert.throws(() => dequantizeStream(P, { out: new Float32Array(1) }), { name: 'TypeError', message: "Expected opts to have only the keys 'signal', 'input', 'highWaterMark' but received the key 'out'" });
    assert.throws(() => quantizeStream(P, 5), { name: 'TypeError', message: /Expected an options object for opts but received 5/ });
    assert.throws(() => quantizeStream(P, { signal: {} }), { name: 'TypeError', message: /Expected an AbortSignal for opts.signal/ });
    assert.throws(() => quantizeStream(P, { input: 'int8' }), { name: 'TypeError', message: "Expected one of 'float32', 'float64', 'float16', 'bfloat16' for opts.input but received 'int8'" });
    assert.throws(() => quantizeStream(P, { highWaterMark: -1 }), { name: 'RangeError', message: 'Expected a non-negative integer for opts.highWaterMark but received -1' });
    assert.throws(() => quantizeStream(P, { highWaterMark: 1.5 }), { name: 'RangeError' });
    assert.throws(() => dequantizeStream(P, { input: 'float32' }), { name: 'TypeError', message: "Expected no opts.input for dequantizeStream (its input is codes of params.dtype) but received 'float32'" });
  });

  it('a chunk of another type: the stream errors with a TypeError naming the chunk and its index', async function () {
    const bad = [
      [new Int16Array(3), 'Int16Array(3)'],
      ['abc', "'abc'"],
      [[1, 2, 3], null],
      [new DataView(new ArrayBuffer(4)), null],
    ];
    for (const [chunk, name] of bad) {
      const got = [];
      await rejectsWith(
        through(quantizeStream(P), [new Float32Array([1, 2]), chunk, new Float32Array([3])], got),
        'TypeError',
        name === null ? /^Expected a Float32Array, Float64Array or Buffer chunk for quantizeStream but received .* \(chunk 1\)$/ : `Expected a Float32Array, Float64Array or Buffer chunk for quantizeStream but received ${name} (chunk 1)`,
      );
      assert.ok(Buffer.concat(got).equals(bytesOf(qk.quantize(new Float32Array([1, 2]), P))), 'the chunk before it came out');
    }
    await rejectsWith(
      through(dequantizeStream(P), [new Uint8Array([1]), new Float32Array(7)]),
      'TypeError',
      "Expected a Buffer or Uint8Array of code bytes chunk for dequantizeStream (dtype 'uint8') but received Float32Array(7) (chunk 1)",
    );
    await rejectsWith(through(dequantizeStream(P), [new BigInt64Array(1)]), 'TypeError', /received BigInt64Array\(1\) \(chunk 0\)$/);
  });

  it('bytes that end inside a float: RangeError at the end, after the codes of every whole float', async function () {
    for (const [input, size] of Object.entries(INPUTS)) {
      const x = Float32Array.from({ length: 9 }, (_, i) => i - 4);
      const ref = input === 'float32' ? x : input === 'float64' ? Float64Array.from(x) : { format: input, bits: input === 'float16' ? qk.toFloat16(x) : qk.toBFloat16(x) };
      const bytes = bytesOf(ref.bits ?? ref);
      for (const dtype of ['uint8', 'int4']) {
        const params = { scale: 0.5, zeroPoint: dtype === 'uint8' ? 8 : 0, dtype };
        const got = [];
        await rejectsWith(
          through(quantizeStream(params, { input }), [bytes.subarray(0, 5 * size + 1), bytes.subarray(5 * size + 1, 9 * size - 1)], got),
          'RangeError',
          `Expected the stream's bytes to end on a whole ${input} (${size} bytes) but ${size - 1} byte(s) were left over`,
        );
        // Eight whole floats came through before the error (for int4: their four bytes).
        const eight = qk.quantize(input === 'float32' || input === 'float64' ? ref.subarray(0, 8) : { format: input, bits: ref.bits.subarray(0, 8) }, params);
        assert.ok(Buffer.concat(got).equals(bytesOf(eight)), `${input} ${dtype}: the whole floats' codes came out`);
      }
    }
    await rejectsWith(through(dequantizeStream({ scale: 1, zeroPoint: 0, dtype: 'int16' }), [Buffer.alloc(4), Buffer.alloc(3)]), 'RangeError', "Expected the stream's bytes to end on a whole int16 code (2 bytes) but 1 byte(s) were left over");
  });

  it('Buffer bytes of a float left unfinished before a Float32Array chunk: RangeError (the values would come out of order)', async function () {
    const b = bytesOf(new Float32Array([1, 2]));
    await rejectsWith(
      through(quantizeStream(P), [b.subarray(0, 6), new Float32Array([3]), b.subarray(6)]),
      'RangeError',
      'Expected the 2 byte(s) of a float32 left by the Buffer chunks to be completed before a Float32Array chunk but received Float32Array(1) (chunk 1)',
    );
    // Completed first, a typed chunk may follow bytes.
    const got = await through(quantizeStream(P), [b.subarray(0, 6), b.subarray(6), new Float32Array([3])]);
    assert.ok(got.equals(bytesOf(qk.quantize(new Float32Array([1, 2, 3]), P))));
  });

  it('packed codes with params.count: a stream of more or fewer bytes than the count packs is a RangeError, as dequantize refuses them', async function () {
    const p = { scale: 1, zeroPoint: 0, dtype: 'int4', count: 11 }; // 6 bytes
    const codes = qk.quantize(Float32Array.from({ length: 11 }, (_, i) => i - 5), p);
    const short = thrown(() => qk.dequantize(codes.subarray(0, 3), p));
    assert.equal(short.name, 'RangeError');
    await rejectsWith(through(dequantizeStream(p), [codes.subarray(0, 2), codes.subarray(2, 3)]), 'RangeError', "Expected the stream's codes to be 6 bytes (params.count 11 'int4' values packed) but received 3");
    await rejectsWith(through(dequantizeStream(p), []), 'RangeError', "Expected the stream's codes to be 6 bytes (params.count 11 'int4' values packed) but received 0");
    const long = Buffer.concat([codes, Buffer.from([0x55])]);
    assert.throws(() => qk.dequantize(long, p), { name: 'RangeError' });
    await rejectsWith(through(dequantizeStream(p), [long.subarray(0, 6), long.subarray(6)]), 'RangeError', "Expected the stream's codes to be 6 bytes (params.count 11 'int4' values packed) but received 7 or more");
    await rejectsWith(through(dequantizeStream(p), [long]), 'RangeError', /but received 7 or more$/);
    // count 0: no bytes at all.
    assert.equal((await through(dequantizeStream({ ...p, count: 0 }), [new Uint8Array(0)])).length, 0);
  });
});

// ---- abort ------------------------------------------------------------------------------------

describe(`stream abort (${qk.backend.name})`, function () {
  this.timeout(30000);
  const P = { scale: 0.5, zeroPoint: 0, dtype: 'int8' };

  for (const make of ['quantizeStream', 'dequantizeStream']) {
    it(`${make}: opts.signal aborted while a chunk runs on the worker destroys the stream with an AbortError`, async function () {
      const ac = new AbortController();
      const stream = ({ quantizeStream, dequantizeStream })[make](P, { signal: ac.signal });
      const big = make === 'quantizeStream' ? new Float32Array(16 * CHUNK_ASYNC).fill(1.5) : new Int8Array(16 * CHUNK_ASYNC).fill(3);
      let chunks = 0;
      const source = Readable.from(
        (function* () {
          for (; chunks < 1000; chunks++) yield big;
        })(),
        { objectMode: true, highWaterMark: 1 },
      );
      // Abort once a chunk's job is on the pool (the worker path), in the microtask after
      // it was handed over (when the job listens to the signal).
      let aborted = 0;
      onSubmit = () => {
        aborted++;
        queueMicrotask(() => ac.abort());
      };
      try {
        await rejectsWith(pipeline(source, stream, new Writable({ write: (_c, _e, cb) => cb() })), 'AbortError');
      } finally {
        onSubmit = undefined;
      }
      assert.equal(aborted, 1, 'the abort came while the first large chunk was on the pool');
      assert.ok(stream.destroyed, 'the stream was destroyed');
      assert.ok(chunks < 1000, 'the producer stopped');
    });
  }

  it('a signal aborted before the stream is made throws its AbortError at once; other streams and calls go on', async function () {
    const ac = new AbortController();
    const reason = new Error('stop');
    ac.abort(reason);
    for (const make of [quantizeStream, dequantizeStream]) {
      assert.throws(() => make(P, { signal: ac.signal }), (e) => e.name === 'AbortError' && e.code === 'ABORT_ERR' && e.cause === reason);
    }
    const x = Float32Array.from({ length: CHUNK_ASYNC + 1 }, (_, i) => i % 300);
    assert.ok((await through(quantizeStream(P), [x])).equals(bytesOf(qk.quantize(x, P))));
  });
});
