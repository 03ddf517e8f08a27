#!/usr/bin/env node
// `npm run test:leak`: two checks of SPEC §4 ("no input can crash the process, read or write
// outside the arrays, or leak memory") that are too long for `npm test`.
//
//   leak  About 4.5 million calls through the public API and the raw binding: every call on
//         small arrays, every kind of error the glue throws, and 4.5 Mi-element calls
//         (split across threads). For each kind of call, resident memory sampled after a
//         full GC must stop growing once warmed up; see CALLS_PER_KIND for the bound.
//   glue  The raw binding fed random JS values of every kind in every position, with random
//         argument counts. Only TypeError or RangeError may come out; a throw leaves every
//         array argument as it was; a call that succeeds gives the TypeScript backend's bits.
//
//   node scripts/leak-test.js [--only leak|glue] [--scale F] [--glue-calls N] [--seed N] [--backend native|wasm]
//
// The addon under test is the one the package loads (QUANTKIT_ADDON names another, e.g. the
// sanitizer build: scripts/test-asan.js runs `--only glue` under AddressSanitizer).
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const only = option('only', '');
if (!['', 'leak', 'glue'].includes(only)) {
  console.error(`Expected --only to be leak or glue but received '${only}'`);
  process.exit(2);
}

// The leak check needs global.gc: start again with --expose-gc when it is missing. And a
// fixed mmap threshold: by default glibc raises it after a large block is freed, so the
// next large arrays come from the heap and, freed, stay resident there, where a leak of
// small blocks then hides (it reuses that memory instead of growing RSS).
if (typeof global.gc !== 'function' && only !== 'glue') {
  const env = { ...process.env, GLIBC_TUNABLES: process.env.GLIBC_TUNABLES || 'glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072' };
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}

// --backend wasm: the glue check against the WebAssembly module's binding (lib/backend-wasm),
// which unwraps and copies in TypeScript what the addon unwraps in C++; its memory must not grow
// over the run (every call frees what it took, thrown or not).
const wasm = option('backend', 'native') === 'wasm';
if (!['native', 'wasm'].includes(option('backend', 'native'))) {
  console.error(`Expected --backend to be native or wasm but received '${option('backend')}'`);
  process.exit(2);
}
if (wasm && only !== 'glue') {
  console.error('--backend wasm runs the glue check only: add --only glue');
  process.exit(2);
}
process.env.QUANTKIT_BACKEND = wasm ? 'wasm' : 'native'; // a fallback would prove nothing: fail instead
let qk;
try {
  qk = require(ROOT);
} catch (e) {
  console.error(e.message);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const { loadNative, loadWasm } = require(path.join(ROOT, 'dist', 'core', 'loader'));
const { fallbackBinding } = require(path.join(ROOT, 'dist', 'backend-ts'));
const { randomSource } = require(path.join(ROOT, 'test', 'support', 'data'));

const { binding } = wasm ? loadWasm() : loadNative();
const seed = Number(option('seed', '20250601'));
let passed = 0;
let failed = 0;

function result(name, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  if (ok) passed++;
  else failed++;
}

function detached(Ctor, n) {
  const a = new Ctor(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

const MB = 1024 * 1024;
const mb = (bytes) => `${(bytes / MB).toFixed(1)} MB`;

// ---------------------------------------------------------------------------------------
// leak

// Each kind of call runs CALLS_PER_KIND times after a warm-up, with resident memory sampled
// (after two full GCs) before and after every quarter. A leak costs memory in every quarter,
// so the kind passes when RSS grew by at most PER_KIND_BOUND · 3/4 from the end of the first
// quarter to the end of the last (the last 150,000 calls), and by at most 2 · PER_KIND_BOUND
// over the whole run. The first quarter may take one step while the heap and the allocator
// settle (seen: +4.1 MB once, then flat, for calls that allocate a new output each time),
// which is not a leak. Why 4 MB for 200,000 calls (20 bytes a call): the smallest leak C++
// can make, one malloc chunk (a forgotten std::string, a `new` never deleted), costs 32
// bytes a call, 4.8 MB over the last three quarters against their 3 MB; the noise, with
// freed large arrays returned to the OS (GLIBC_TUNABLES, above), measured under 1.5 MB on
// 2-core x86-64. The 4.5 Mi-element calls (split across threads, most of them allocating a
// fresh 4.5 or 18 MB output) get LARGE_BOUND: keeping one output alive in 300 calls would
// add 18 MB or more, and `arrayBuffers` would show it even sooner.
// The two kinds that allocate a new output every call are held to V8's own accounting after
// GC (heapUsed + external, which counts every ArrayBuffer) instead of RSS: there RSS follows
// how glibc reuses the freed backing stores (seen in CI: +2.7 +9.0 +7.6 +8.9 MB, up and down,
// with arrayBuffers +0.0), while their native calls are the very ones the 'into out' and
// 'binding' kinds hold to the RSS bound.
const CALLS_PER_KIND = 200000;
const PER_KIND_BOUND = 4 * MB;
const LARGE_CALLS = 300;
const LARGE_BOUND = 8 * MB;
const ARRAY_BUFFER_BOUND = 1 * MB;

function runLeak() {
  const scale = Number(option('scale', '1')); // --scale 0.1 for a quick look
  const r = randomSource(seed);
  const SIZES = [0, 1, 7, 31, 64, 100, 1000, 4099];
  const floats = SIZES.map((n) => Float32Array.from({ length: n }, () => (r.next() - 0.5) * 200));
  const doubles = SIZES.map((n) => Float64Array.from({ length: n }, () => (r.next() - 0.5) * 200));
  const codes = SIZES.map((n) => Uint8Array.from({ length: n }, () => r.int(0, 255)));
  const codes16 = SIZES.map((n) => Int16Array.from({ length: n }, () => r.int(-32768, 32767)));
  const outs = SIZES.map((n) => new Uint8Array(n));
  const outs16 = SIZES.map((n) => new Int16Array(n));
  const outF = SIZES.map((n) => new Float32Array(n));
  const range = new Float64Array(2);
  const gone = detached(Float32Array, 4);
  const shared = new Float32Array(64);
  const sharedAsBytes = new Uint8Array(shared.buffer, 8, 64);
  const u8 = { scale: 0.5, zeroPoint: 128, dtype: 'uint8' };
  const i16 = { scale: 0.01, zeroPoint: -5, dtype: 'int16', bits: 12 };
  const throws = (Ctor, fn) => () => {
    try {
      fn();
    } catch (e) {
      if (e instanceof Ctor) return;
      throw e;
    }
    throw new Error(`expected a ${Ctor.name}`);
  };
  const at = (k) => k % SIZES.length;

  // Every call the addon offers, through the facade and directly, and one of each kind of
  // error message the glue builds (each allocates a std::string and a JS Error).
  const kinds = [
    ['facade quantize, new output', (k) => qk.quantize(floats[at(k)], u8)],
    ['facade quantize f64 into out', (k) => qk.quantize(doubles[at(k)], i16, outs16[at(k)])],
    ['facade dequantize, new output', (k) => qk.dequantize(codes[at(k)], u8)],
    ['facade dequantize into out', (k) => qk.dequantize(codes16[at(k)], i16, outF[at(k)])],
    ['facade minMax', (k) => qk.minMax(floats[at(k)])],
    ['facade quantizeDynamic', (k) => qk.quantizeDynamic(floats[at(k)], { dtype: 'int8', bits: 4 })],
    ['facade computeParams', (k) => qk.computeParams(doubles[at(k)], { symmetric: true })],
    ['binding quantize', (k) => binding.quantize(floats[at(k)], outs[at(k)], 0.25, 3, 0, 255, k % 3)],
    ['binding dequantize', (k) => binding.dequantize(codes[at(k)], outF[at(k)], 0.25, 3)],
    ['binding minMax', (k) => binding.minMax(doubles[at(k)], range)],
    ['facade RangeError (scale)', throws(RangeError, () => qk.quantize(floats[1], { scale: -1, zeroPoint: 0, dtype: 'uint8' }))],
    ['glue TypeError (array type)', throws(TypeError, () => binding.quantize(floats[2], outF[2], 1, 0, 0, 255, 0))],
    ['glue TypeError (argument count)', throws(TypeError, () => binding.quantize())],
    ['glue TypeError (not a number)', throws(TypeError, () => binding.quantize(floats[2], outs[2], 1, 'zero', 0, 255, 0))],
    ['glue RangeError (overlap)', throws(RangeError, () => binding.quantize(shared, sharedAsBytes, 1, 0, 0, 255, 0))],
    ['glue RangeError (scale NaN)', throws(RangeError, () => binding.dequantize(codes[2], outF[2], NaN, 0))],
    ['glue RangeError (zero point)', throws(RangeError, () => binding.quantize(floats[2], outs[2], 1, 0.5, 0, 255, 0))],
    ['glue RangeError (rounding)', throws(RangeError, () => binding.quantize(floats[2], outs[2], 1, 0, 0, 255, 3))],
    ['glue RangeError (qmin < qmax)', throws(RangeError, () => binding.quantize(floats[2], outs[2], 1, 0, 9, 3, 0))],
    ['glue RangeError (detached)', throws(RangeError, () => binding.minMax(gone, range))],
    ['glue RangeError (out length)', throws(RangeError, () => binding.minMax(floats[2], new Float64Array(3)))],
  ];

  // 4.5 Mi elements: over the 4 Mi threshold, so each call runs on QUANTKIT_THREADS threads.
  const LARGE = 4.5 * MB;
  const big = Float32Array.from({ length: LARGE }, (_, i) => Math.sin(i) * 50);
  const big64 = Float64Array.from({ length: LARGE }, (_, i) => Math.cos(i) * 50);
  const bigQ = new Uint8Array(LARGE);
  const bigF = new Float32Array(LARGE);
  const largeCalls = [
    () => binding.quantize(big, bigQ, 0.5, 128, 0, 255, 1),
    () => binding.dequantize(bigQ, bigF, 0.5, 128),
    () => binding.minMax(big64, range),
    () => qk.quantizeDynamic(big), // a fresh 4.5 MB output each time: it must be freed
    () => qk.dequantize(bigQ, u8), // and a fresh 18 MB one
  ];

  const sample = () => {
    global.gc();
    global.gc();
    return process.memoryUsage();
  };
  let totalCalls = 0;
  const t0 = Date.now();
  const first = sample();
  // Runs fn(k) `calls` times after calls / 10 of warm-up; RSS after each quarter.
  const measure = (name, fn, calls, bound) => {
    for (let k = 0; k < calls / 10; k++) fn(k);
    const before = sample();
    const jsHeld = name.includes('new output');
    const metric = jsHeld ? (m) => m.heapUsed + m.external : (m) => m.rss;
    const base = metric(before);
    const rss = [];
    for (let q = 0; q < 4; q++) {
      for (let k = 0; k < calls / 4; k++) fn(k);
      rss.push(metric(sample()));
    }
    totalCalls += calls * 1.1;
    const after = sample();
    const growth = Math.max(...rss) - base;
    const slope = rss[3] - rss[0];
    const buffers = after.arrayBuffers - before.arrayBuffers;
    const ok = slope <= (bound * 3) / 4 && growth <= 2 * bound && buffers <= ARRAY_BUFFER_BOUND;
    const trail = rss.map((v) => (v - base) / MB).map((v) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`).join(' ');
    result(`leak: ${name}`, ok, `${calls} calls, ${jsHeld ? 'V8 heap + external' : 'RSS'} ${mb(base)} then ${trail} MB (bound ${mb((bound * 3) / 4)} over the last three quarters, ${mb(2 * bound)} in all), arrayBuffers ${buffers >= 0 ? '+' : ''}${mb(buffers)}`);
  };
  for (const [name, fn] of kinds) measure(name, fn, Math.round(CALLS_PER_KIND * scale), PER_KIND_BOUND);
  measure('4.5 Mi-element calls, split across threads', (k) => largeCalls[k % largeCalls.length](), Math.max(20, Math.round(LARGE_CALLS * scale)), LARGE_BOUND);
  const last = sample();
  console.log(`leak: ${Math.round(totalCalls)} calls in ${((Date.now() - t0) / 1000).toFixed(1)} s, backend ${qk.backend.name}/${qk.backend.isa}, ${qk.backend.threads} threads; RSS ${mb(first.rss)} at the start, ${mb(last.rss)} at the end`);
}

// ---------------------------------------------------------------------------------------
// glue

class Boom extends Error {}

const TYPED = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];
const QUANT_OF_DTYPE = ['uint8', 'int8', 'uint16', 'int16'];
// The intrinsic TypedArray accessors: a test value may shadow `buffer` or `length` with a throwing getter.
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const intrinsic = (name) => Object.getOwnPropertyDescriptor(TypedArrayProto, name).get;
const taBuffer = intrinsic('buffer');
const taByteOffset = intrinsic('byteOffset');
const taByteLength = intrinsic('byteLength');
const taLength = intrinsic('length');
const taKind = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;

function bytesOf(v) {
  return new Uint8Array(taBuffer.call(v), taByteOffset.call(v), taByteLength.call(v));
}

function fill(r, a) {
  const bigint = a instanceof BigInt64Array || a instanceof BigUint64Array;
  const bytes = bytesOf(a);
  if (r.next() < 0.3) {
    for (let i = 0; i < bytes.length; i++) bytes[i] = r.int(0, 255); // any bit pattern, NaNs included
  } else {
    for (let i = 0; i < a.length; i++) a[i] = bigint ? BigInt(r.int(-1000, 1000)) : (r.next() - 0.5) * 2 ** r.int(-10, 20);
  }
  return a;
}

const NUMBERS = [0, -0, 1, -1, 0.5, 2, 3, 7, 8, 15, 127, 128, -128, -129, 255, 256, 65535, 65536, -32768, 32767, -32769,
  2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53, 1e-50, 1e-45, 1.4e-45, 1.1754943508222875e-38, 3.4028234663852886e38, 3.5e38,
  1e300, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, NaN, Infinity, -Infinity];

// Any JS value, arrays carved from `pool` (one ArrayBuffer per call) so that arguments
// sometimes overlap.
function randomValue(r, pool, depth = 0) {
  const kind = r.int(0, 39);
  const typed = () => {
    const Ctor = r.pick(TYPED);
    const n = r.int(0, 24);
    if (r.next() < 0.5) {
      const max = Math.floor((pool.byteLength - n * Ctor.BYTES_PER_ELEMENT) / Ctor.BYTES_PER_ELEMENT);
      if (max >= 0) return fill(r, new Ctor(pool, r.int(0, max) * Ctor.BYTES_PER_ELEMENT, n));
    }
    return fill(r, new Ctor(n));
  };
  switch (kind) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: return typed();
    case 8: return r.pick(NUMBERS);
    case 9: return r.int(-70000, 70000);
    case 10: return (r.next() - 0.5) * 2 ** r.int(-160, 160);
    case 11: return r.pick([undefined, null, true, false]);
    case 12: return r.pick(['', '1', '0.5', 'uint8', 'abc'.repeat(r.int(0, 20))]);
    case 13: return Symbol('s');
    case 14: return r.pick([0n, 1n, -1n, 2n ** 64n, 10n]);
    case 15: return r.pick([{}, [], [1, 2, 3], Object.create(null), new Date(0), /x/, new Map(), Promise.resolve(1)]);
    case 16: return r.pick([() => 1, function named() {}, class K {}, Math.max]);
    case 17: return r.next() < 0.5 ? new ArrayBuffer(r.int(0, 32)) : pool;
    case 18: return new SharedArrayBuffer(r.int(0, 32));
    case 19: {
      const b = r.next() < 0.5 ? pool : new ArrayBuffer(16);
      return new DataView(b, r.int(0, b.byteLength));
    }
    case 20: return detached(r.pick(TYPED), r.int(0, 8));
    case 21: { // a view of a SharedArrayBuffer
      const Ctor = r.pick(TYPED);
      return fill(r, new Ctor(new SharedArrayBuffer(Ctor.BYTES_PER_ELEMENT * 16), Ctor.BYTES_PER_ELEMENT * r.int(0, 8), r.int(0, 8)));
    }
    case 22: { // a resizable buffer: length-tracking views, and views the buffer shrank under
      const Ctor = r.pick(TYPED);
      const e = Ctor.BYTES_PER_ELEMENT;
      const rab = new ArrayBuffer(16 * e, { maxByteLength: 64 * e });
      const view = r.next() < 0.5 ? new Ctor(rab) : new Ctor(rab, e * r.int(0, 4), r.int(0, 12));
      fill(r, new Uint8Array(rab));
      rab.resize(e * r.int(0, 64));
      return view;
    }
    case 23: { // a growable SharedArrayBuffer
      const Ctor = r.pick(TYPED);
      const gsab = new SharedArrayBuffer(8 * Ctor.BYTES_PER_ELEMENT, { maxByteLength: 32 * Ctor.BYTES_PER_ELEMENT });
      const view = new Ctor(gsab);
      gsab.grow(Ctor.BYTES_PER_ELEMENT * r.int(8, 32));
      return view;
    }
    case 24: return new Proxy(typed(), {});
    case 25: return new Proxy({}, { get() { throw new Boom('proxy get'); }, has() { throw new Boom('proxy has'); }, getPrototypeOf() { throw new Boom('proxy proto'); } });
    case 26: return { valueOf() { throw new Boom('valueOf'); }, [Symbol.toPrimitive]() { throw new Boom('toPrimitive'); } };
    case 27: { // a TypedArray whose own properties lie
      const a = typed();
      Object.defineProperty(a, 'length', { get() { throw new Boom('length'); } });
      Object.defineProperty(a, 'buffer', { get() { throw new Boom('buffer'); } });
      return a;
    }
    case 28: { // a TypedArray subclass
      class Sub extends r.pick([Float32Array, Float64Array, Uint8Array, Int16Array]) {}
      return fill(r, new Sub(r.int(0, 16)));
    }
    case 29: return Object.setPrototypeOf(new Float32Array(4), Uint8Array.prototype); // claims to be another kind
    case 30: return new Uint8Array(0); // empty, attached
    case 31: return new Float64Array(2);
    case 32: { // a params-like object for the facade, sometimes with throwing getters
      const o = { scale: randomValue(r, pool, depth + 1), zeroPoint: randomValue(r, pool, depth + 1), dtype: r.pick([...QUANT_OF_DTYPE, 'float32', 'u8', undefined]) };
      if (r.next() < 0.5) o.bits = r.pick([undefined, 2, 4, 8, 9, 16, 17, 0.5, NaN]);
      if (r.next() < 0.2) Object.defineProperty(o, r.pick(['scale', 'zeroPoint', 'dtype', 'bits']), { get() { throw new Boom('getter'); } });
      return o;
    }
    case 33: return { scale: r.pick([0.5, 1, 1e-3]), zeroPoint: r.int(-2, 130), dtype: r.pick(QUANT_OF_DTYPE) };
    case 34: return new Float32Array(r.int(0, 24)).map(() => (r.next() - 0.5) * 1000);
    case 35: return new (r.pick([Uint8Array, Int8Array, Uint16Array, Int16Array]))(r.int(0, 24));
    case 36: return Object.freeze(r.int(0, 255));
    case 37: return depth < 2 ? [randomValue(r, pool, depth + 1)] : 0;
    case 38: return new WeakRef({});
    default: return r.pick([globalThis, process, Buffer.alloc(r.int(0, 16))]); // a Buffer is a Uint8Array
  }
}

// The arrays among the arguments, with copies of their bytes; a detached or shrunk-away
// view has no bytes and needs no copy.
function snapshot(args) {
  const out = [];
  for (const a of args) {
    if (!ArrayBuffer.isView(a) || a instanceof DataView) continue;
    try {
      out.push({ a, bytes: bytesOf(a).slice() });
    } catch {
      // a view the resizable buffer shrank under: nothing a call could write
    }
  }
  return out;
}

function unchanged(snap) {
  return snap.every(({ a, bytes }) => {
    let now;
    try {
      now = bytesOf(a);
    } catch {
      return bytes.length === 0;
    }
    return now.length === bytes.length && now.every((b, i) => b === bytes[i]);
  });
}

// A fresh array of the same kind (the internal one, whatever its prototype says) and
// contents, on memory of its own.
function copyOf(a) {
  const c = new globalThis[taKind.call(a)](taLength.call(a));
  bytesOf(c).set(bytesOf(a));
  return c;
}

function runGlue() {
  const total = Number(option('glue-calls', '60000'));
  const r = randomSource(seed + 1);
  const CALLS = [['quantize', 7], ['dequantize', 4], ['minMax', 2]];
  const FACADE = ['quantize', 'dequantize', 'minMax', 'computeParams', 'quantizeDynamic', 'paramsFromRange'];
  const problems = [];
  const note = (what) => {
    if (problems.length < 10) problems.push(what);
  };
  let thrown = 0;
  let succeeded = 0;
  let compared = 0;
  const stats = {};
  const t0 = Date.now();
  let memoryAtWarm = 0;
  for (let i = 0; i < total; i++) {
    if (wasm && i === 1000) memoryAtWarm = binding.memory.buffer.byteLength;
    const pool = new ArrayBuffer(r.int(0, 96));
    const facade = r.next() < 0.25;
    const [name, arity] = facade ? [r.pick(FACADE), 3] : r.pick(CALLS);
    const count = r.next() < 0.8 ? arity : r.int(0, arity + 3);
    const args = Array.from({ length: count }, () => randomValue(r, pool));
    // Sometimes make the call nearly right, so that calls get past the type checks.
    if (!facade && count === arity && r.next() < 0.3) {
      if (name === 'quantize') args[0] = r.pick([Float32Array, Float64Array]).from({ length: r.int(0, 40) }, () => (r.next() - 0.5) * 300);
      if (name === 'dequantize') args[0] = new (r.pick([Uint8Array, Int8Array, Uint16Array, Int16Array]))(r.int(0, 40)).map(() => r.int(-40000, 70000));
      if (name === 'minMax') args[0] = Float32Array.from({ length: r.int(0, 40) }, () => (r.next() - 0.5) * 300);
      if (r.next() < 0.7) {
        const n = args[0].length;
        args[1] = name === 'quantize' ? new (r.pick([Uint8Array, Int8Array, Uint16Array, Int16Array]))(n) : name === 'dequantize' ? new Float32Array(n) : new Float64Array(2);
      }
      // and the numbers: a scale, then small integers for the zero point, qmin, qmax
      for (let k = 2; k < arity; k++) if (r.next() < 0.6) args[k] = k === 2 ? r.pick([0.5, 1, 3, 1e-3, 1e-40, 7e5]) : r.int(-130, 260);
      if (name === 'quantize' && r.next() < 0.5) {
        args[4] = r.int(-128, 0); // qmin <= zeroPoint <= qmax, inside int8 and uint8 half the time
        args[5] = args[4] + r.int(1, 255);
        args[3] = r.int(args[4], args[5]);
      }
      if (name === 'quantize' && r.next() < 0.7) args[6] = r.int(0, 2); // a valid rounding
    }
    const snap = snapshot(args);
    const label = `${facade ? 'quantkit' : 'binding'}.${name}(${args.map((a) => (typeof a === 'symbol' ? 'symbol' : describeArg(a))).join(', ')})`;
    try {
      (facade ? qk : binding)[name](...args);
    } catch (e) {
      thrown++;
      const allowed = e instanceof TypeError || e instanceof RangeError || (facade && e instanceof Boom);
      if (!allowed) note(`${label} threw ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
      // The glue's own messages; the facade may also pass on one of V8's (a Proxy of a
      // TypedArray passes `instanceof`, and V8's byteLength getter then refuses it).
      else if (!facade && !/^(Expected |\w+ takes \d arguments? but received \d+$)/.test(e.message)) note(`${label} threw an unexpected message: ${e.message}`);
      if (!unchanged(snap)) note(`${label} threw ${e && e.message} but changed an array argument`);
      continue;
    }
    succeeded++;
    if (facade) continue;
    stats[name] = (stats[name] || 0) + 1;
    // The call was valid: the TypeScript backend must give the same bits, and x is untouched.
    if (!unchanged(snap.filter((s) => s.a === args[0]))) note(`${label} changed its input`);
    const copies = args.map((a) => (ArrayBuffer.isView(a) && !(a instanceof DataView) ? copyOf(a) : a));
    fallbackBinding[name](...copies);
    const got = bytesOf(args[1]);
    const want = bytesOf(copies[1]);
    compared++;
    if (got.length !== want.length || !got.every((b, k) => b === want[k])) {
      note(`${label} differs from the TypeScript backend: ${Array.from(copies[1])} expected, bytes ${got} vs ${want}`);
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log(`glue: ${total} calls with random arguments in ${seconds.toFixed(1)} s: ${thrown} threw, ${succeeded} succeeded (${compared} compared with the TypeScript backend: ${Object.entries(stats).map(([k, v]) => `${v} ${k}`).join(', ')})`);
  for (const p of problems) console.log(`  ${p}`);
  result(`glue${wasm ? ' (wasm)' : ''}: only TypeError / RangeError, arrays untouched on a throw, same bits as the TypeScript backend`, problems.length === 0);
  if (wasm) {
    const end = binding.memory.buffer.byteLength;
    console.log(`glue (wasm): the module's memory was ${memoryAtWarm} bytes after 1000 calls and ${end} at the end`);
    result('glue (wasm): the module\'s memory does not grow after warm-up', end === memoryAtWarm);
  }
}

function describeArg(a) {
  try {
    if (ArrayBuffer.isView(a)) return `${a.constructor.name}(${taByteLength.call(a)} bytes)`;
    if (a === null || (typeof a !== 'object' && typeof a !== 'function')) return typeof a === 'bigint' ? `${a}n` : String(a);
    return typeof a === 'function' ? 'a function' : 'an object';
  } catch {
    return 'a value';
  }
}

// ---------------------------------------------------------------------------------------

if (only !== 'glue') runLeak();
if (only !== 'leak') runGlue();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
