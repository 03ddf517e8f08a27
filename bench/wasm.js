'use strict';
// Issue 13 §1: the WebAssembly backend beside the native addon (AVX2, its default threads) and
// the TypeScript backend: per-tensor quantize (float32 -> int8), dequantize (int8 -> float32)
// and quantizeDynamic (float32 -> uint8) at 64K and 1M elements, through the facade, each
// backend in its own process (QUANTKIT_BACKEND), processes interleaved. The wasm rows include
// the copies of the arrays into and out of the module's memory; the `wasm, in place` rows time
// the same calls on arrays allocated in the module's memory (binding.allocate), so the
// difference is what the copies cost.
//
//   node bench/wasm.js [--rounds 9] [--repeat 3] [--json bench/results/wasm.json]
// Prints the median over processes of each process's median round (a round: the mean of a batch).
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args[i + 1]; };
const rounds = Number(opt('--rounds', 9));
const repeat = Number(opt('--repeat', 3));
const SIZES = [65536, 1048576];
const OPS = ['quantize', 'dequantize', 'quantizeDynamic'];

function median(a) { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; }
function fill(x, seed) {
  let st = seed >>> 0;
  for (let i = 0; i < x.length; i++) { st = (st * 1664525 + 1013904223) >>> 0; x[i] = (st / 2 ** 32 - 0.5) * 8; }
  return x;
}

// One backend in this process: prints JSON { "op n": µs per call }.
function child(mode) {
  const q = require(path.join(__dirname, '..'));
  const { binding } = require(path.join(__dirname, '..', 'dist', 'core', 'backend'));
  const inPlace = mode === 'wasm-in-place';
  const res = {};
  for (const n of SIZES) {
    // In place: one block of the module's memory for all four arrays (binding.allocate), taken
    // before any call, so that no later growth of the memory detaches them.
    const block = inPlace ? binding.allocate(Uint8Array, 10 * n) : undefined;
    let at = 0;
    const alloc = (Ctor) => {
      if (!inPlace) return new Ctor(n);
      const a = new Ctor(block.buffer, block.byteOffset + at, n);
      at += n * Ctor.BYTES_PER_ELEMENT;
      return a;
    };
    const x = fill(alloc(Float32Array), n);
    const back = alloc(Float32Array);
    const codes = alloc(Int8Array);
    const ucodes = alloc(Uint8Array);
    const params = { scale: 0.03125, zeroPoint: 0, dtype: 'int8' };
    q.quantize(x, params, codes);
    const runs = {
      quantize: () => q.quantize(x, params, codes),
      dequantize: () => q.dequantize(codes, params, back),
      quantizeDynamic: () => q.quantizeDynamic(x, { dtype: 'uint8', out: ucodes }),
    };
    const calls = Math.max(3, Math.round((mode === 'fallback' ? 4e6 : 2e7) / n));
    for (const op of OPS) {
      const t = [];
      for (let r = 0; r < rounds + 2; r++) {
        const a = process.hrtime.bigint();
        for (let k = 0; k < calls; k++) runs[op]();
        if (r >= 2) t.push(Number(process.hrtime.bigint() - a) / calls / 1e3);
      }
      res[`${op} ${n}`] = median(t);
    }
  }
  process.stdout.write(JSON.stringify({ backend: q.backend, res }));
}

const MODES = [
  { mode: 'native', env: { QUANTKIT_BACKEND: 'native', QUANTKIT_ISA: 'avx2' } },
  { mode: 'wasm', env: { QUANTKIT_BACKEND: 'wasm', QUANTKIT_ISA: '' } },
  { mode: 'wasm-in-place', env: { QUANTKIT_BACKEND: 'wasm', QUANTKIT_ISA: '' } },
  { mode: 'fallback', env: { QUANTKIT_BACKEND: 'fallback', QUANTKIT_ISA: '' } },
];

function main() {
  const runs = Object.fromEntries(MODES.map((m) => [m.mode, []]));
  const info = {};
  for (let k = 0; k < repeat; k++) {
    for (const m of MODES) {
      const r = spawnSync(process.execPath, [__filename, '--child', m.mode, '--rounds', String(rounds)], { env: { ...process.env, ...m.env }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${m.mode}: ${r.stderr}`);
      const { backend, res } = JSON.parse(r.stdout);
      info[m.mode] = `${backend.name}/${backend.isa}`;
      runs[m.mode].push(res);
    }
  }
  const med = (mode, key) => median(runs[mode].map((r) => r[key]));
  const rows = [];
  console.log(`node ${process.version}, ${require('node:os').cpus()[0].model}; ${repeat} processes per backend, ${rounds} rounds each; µs per call`);
  console.log(`${'call'.padEnd(22)} ${'native avx2'.padStart(12)} ${'wasm'.padStart(10)} ${'wasm in place'.padStart(14)} ${'TypeScript'.padStart(11)}  ${'wasm/native'.padStart(11)} ${'TS/wasm'.padStart(8)}`);
  for (const op of OPS) {
    for (const n of SIZES) {
      const key = `${op} ${n}`;
      const row = { call: op, n, native: med('native', key), wasm: med('wasm', key), wasmInPlace: med('wasm-in-place', key), fallback: med('fallback', key) };
      row.wasmOverNative = row.wasm / row.native;
      row.fallbackOverWasm = row.fallback / row.wasm;
      rows.push(row);
      const f = (v) => v.toFixed(1).padStart(10);
      console.log(`${`${op} ${n === 65536 ? '64K' : '1M'}`.padEnd(22)} ${f(row.native).padStart(12)} ${f(row.wasm)} ${f(row.wasmInPlace).padStart(14)} ${f(row.fallback).padStart(11)}  ${(row.wasmOverNative.toFixed(2) + '×').padStart(11)} ${(row.fallbackOverWasm.toFixed(1) + '×').padStart(8)}`);
    }
  }
  console.log(`backends: ${Object.entries(info).map(([m, i]) => `${m} = ${i}`).join(', ')}`);
  const out = opt('--json', undefined);
  if (out) fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, info, rows }, null, 2)}\n`);
}

if (args.includes('--child')) child(opt('--child'));
else main();
