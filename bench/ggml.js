#!/usr/bin/env node
// ggml blocks at 1M float32 elements: quantkit's ggml.quantize (q8_0, q4_0, q4_1) and
// ggml.dequantize through the live backend (QUANTKIT_BACKEND=native|fallback picks it),
// beside a Float32Array#set copy of the same input (the memory floor). Median of 15 runs
// after warm-up; the machine and the kernel are printed above the table. Each backend's
// bytes are checked against the other's before timing (identical or the run exits 1).
'use strict';
const os = require('node:os');
const { ggml, backend } = require('..');
const { fallbackBinding } = require('../dist/fallback');

const N = 1 << 20;
const RUNS = 15;
const x = new Float32Array(N);
let s = 12345;
for (let i = 0; i < N; i++) {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  x[i] = ((s / 4294967296) * 2 - 1) * (1 + (i >> 5) % 7);
}

function median(fn) {
  for (let i = 0; i < 3; i++) fn();
  const t = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return t.sort((a, b) => a - b)[RUNS >> 1];
}

console.log(`${os.cpus()[0].model}, ${os.cpus().length} cpus; node ${process.version}; backend ${backend.name}/${backend.isa}; n = ${N}`);
const copyOut = new Float32Array(N);
const copy = median(() => copyOut.set(x));
console.log(`copy (Float32Array#set)        ${copy.toFixed(3)} ms`);
let ok = true;
for (const [code, type] of ['q8_0', 'q4_0', 'q4_1'].entries()) {
  const out = new Uint8Array((N / 32) * ggml.blockBytes(type));
  const y = new Float32Array(N);
  ggml.quantize(x, type, out);
  const other = new Uint8Array(out.length);
  fallbackBinding.ggmlQuantize(x, other, code);
  if (Buffer.compare(Buffer.from(out), Buffer.from(other)) !== 0) {
    console.log(`${type}: backends differ, not timed`);
    ok = false;
    continue;
  }
  const q = median(() => ggml.quantize(x, type, out));
  const d = median(() => ggml.dequantize(out, type, N, y));
  console.log(`${type.padEnd(5)} quantize ${q.toFixed(3).padStart(8)} ms (${(q / copy).toFixed(1)}× copy)   dequantize ${d.toFixed(3).padStart(8)} ms (${(d / copy).toFixed(1)}× copy)`);
}
process.exit(ok ? 0 : 1);
