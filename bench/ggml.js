#!/usr/bin/env node
// ggml blocks (q8_0, q4_0, q4_1 quantize and dequantize) and the float16 / bfloat16 array
// conversions through the live backend (QUANTKIT_BACKEND=native|fallback picks it), beside
// a Float32Array#set copy of the same input (the memory floor), per element count: 1M runs
// on one thread, 16M is split across QUANTKIT_THREADS threads in the addon (split.h).
// Median of repeated timed batches (timing.js); the machine and the kernel are printed
// above the table. Each ggml output is checked against the TS backend's before timing
// (identical or the case is not timed and the run exits 1).
// Then q5_0, q5_1, q4_k, q5_k, q6_k (scalar kernels on every ISA) at --new-sizes (64K and 1M
// elements by default), the addon beside the TS backend in the same run.
//   node bench/ggml.js [--sizes 1048576,16777216] [--new-sizes 65536,1048576]
'use strict';
const os = require('node:os');
const { medianNs } = require('./timing');
const qk = require('..');
const { fallbackBinding } = require('../dist/backend-ts');

const { ggml, backend } = qk;
const args = process.argv.slice(2);
const sizes = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1].split(',').map(Number) : [1 << 20, 1 << 24];
const newSizes = args.includes('--new-sizes') ? args[args.indexOf('--new-sizes') + 1].split(',').map(Number) : [1 << 16, 1 << 20];
const NEW_TYPES = [['q5_0', 3], ['q5_1', 4], ['q4_k', 5], ['q5_k', 6], ['q6_k', 7]];

function input(n) {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = ((s / 4294967296) * 2 - 1) * (1 + (i >> 5) % 7);
  }
  return x;
}

const ms = (ns) => ns / 1e6;
const cell = (ns, copy) => `${ms(ns).toFixed(3)} ms (${(ns / copy).toFixed(1)}×)`;

(async () => {
  console.log(`${os.cpus()[0].model}, ${os.cpus().length} cpus; node ${process.version}; backend ${backend.name}/${backend.isa} threads ${backend.threads ?? 1}`);
  console.log('Times are medians; × is the ratio to the copy floor of the same n. A shared machine makes them noisy.');
  console.log('| n | op | forward | back | copy floor |');
  console.log('| ---: | --- | ---: | ---: | ---: |');
  let ok = true;
  for (const n of sizes) {
    const x = input(n);
    const copyOut = new Float32Array(n);
    const copy = await medianNs(() => copyOut.set(x), n);
    const y = new Float32Array(n);
    for (const [code, type] of ['q8_0', 'q4_0', 'q4_1'].entries()) {
      const out = new Uint8Array((n / 32) * ggml.blockBytes(type));
      ggml.quantize(x, type, out);
      const other = new Uint8Array(out.length);
      fallbackBinding.ggmlQuantize(x, other, code);
      if (Buffer.compare(Buffer.from(out), Buffer.from(other)) !== 0) {
        console.log(`| ${n} | ${type} | backends differ, not timed | | |`);
        ok = false;
        continue;
      }
      const q = await medianNs(() => ggml.quantize(x, type, out), n);
      const d = await medianNs(() => ggml.dequantize(out, type, n, y), n);
      console.log(`| ${n} | ${type} quantize / dequantize | ${cell(q, copy)} | ${cell(d, copy)} | ${ms(copy).toFixed(3)} ms |`);
    }
    const h = new Uint16Array(n);
    const f16 = await medianNs(() => qk.toFloat16(x, h), n);
    const f16back = await medianNs(() => qk.fromFloat16(h, y), n);
    console.log(`| ${n} | toFloat16 / fromFloat16 | ${cell(f16, copy)} | ${cell(f16back, copy)} | ${ms(copy).toFixed(3)} ms |`);
    const bf = await medianNs(() => qk.toBFloat16(x, h), n);
    const bfback = await medianNs(() => qk.fromBFloat16(h, y), n);
    console.log(`| ${n} | toBFloat16 / fromBFloat16 | ${cell(bf, copy)} | ${cell(bfback, copy)} | ${ms(copy).toFixed(3)} ms |`);
  }
  if (newSizes.length > 0) {
    console.log('');
    console.log('Q5_0 to Q6_K: the addon (its scalar kernel; one thread below 4 Mi elements) and the TS backend, same input.');
    console.log('| n | type | native quantize | TS quantize | native dequantize | TS dequantize |');
    console.log('| ---: | --- | ---: | ---: | ---: | ---: |');
  }
  const { loadNative } = require('../dist/core/loader');
  const native = backend.name === 'native' ? loadNative().binding : null;
  for (const n of newSizes) {
    const x = input(n);
    const y = new Float32Array(n);
    for (const [type, code] of NEW_TYPES) {
      const out = new Uint8Array((n / ggml.blockElements(type)) * ggml.blockBytes(type));
      const other = new Uint8Array(out.length);
      fallbackBinding.ggmlQuantize(x, other, code);
      const per = (ns) => `${ms(ns).toFixed(3)} ms (${(ns / n).toFixed(1)} ns/el)`;
      const tq = await medianNs(() => fallbackBinding.ggmlQuantize(x, other, code), n);
      const td = await medianNs(() => fallbackBinding.ggmlDequantize(other, y, code), n);
      let nq = '';
      let nd = '';
      if (native) {
        native.ggmlQuantize(x, out, code);
        if (Buffer.compare(Buffer.from(out), Buffer.from(other)) !== 0) {
          console.log(`| ${n} | ${type} | backends differ, not timed | | | |`);
          ok = false;
          continue;
        }
        nq = per(await medianNs(() => native.ggmlQuantize(x, out, code), n));
        nd = per(await medianNs(() => native.ggmlDequantize(out, y, code), n));
      }
      console.log(`| ${n} | ${type} | ${nq} | ${per(tq)} | ${nd} | ${per(td)} |`);
    }
  }
  process.exit(ok ? 0 : 1);
})();
