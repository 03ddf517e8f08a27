#!/usr/bin/env node
// ggml blocks (q8_0, q4_0, q4_1 quantize and dequantize) and the float16 / bfloat16 array
// conversions through the live backend (QUANTKIT_BACKEND=native|fallback picks it), beside
// a Float32Array#set copy of the same input (the memory floor), per element count: 1M runs
// on one thread, 16M is split across QUANTKIT_THREADS threads in the addon (split.h).
// Median of repeated timed batches (timing.js); the machine and the kernel are printed
// above the table. Each ggml output is checked against the TS backend's before timing
// (identical or the case is not timed and the run exits 1).
// Then q5_0, q5_1, q4_k, q5_k, q6_k at --new-sizes (64K and 1M elements by default), the
// addon beside the TS backend in the same run; then their quantize at 1M elements at every
// kernel level this CPU runs (the level is picked at load, so each is timed in a child
// process started with QUANTKIT_ISA=<level>), each checked against the TS backend first.
//   node bench/ggml.js [--sizes 1048576,16777216] [--new-sizes 65536,1048576] [--no-levels]
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

// The child of the per-level table: one JSON line { isa, ms: { type: quantize ms | null } }
// (null: the bytes differ from the TS backend's, not timed).
async function levelChild() {
  const { loadNative } = require('../dist/core/loader');
  const native = loadNative().binding;
  const n = 1 << 20;
  const x = input(n);
  const ms = {};
  for (const [type, code] of NEW_TYPES) {
    const out = new Uint8Array((n / ggml.blockElements(type)) * ggml.blockBytes(type));
    const other = new Uint8Array(out.length);
    fallbackBinding.ggmlQuantize(x, other, code);
    native.ggmlQuantize(x, out, code);
    ms[type] = Buffer.compare(Buffer.from(out), Buffer.from(other)) === 0 ? (await medianNs(() => native.ggmlQuantize(x, out, code), n)) / 1e6 : null;
  }
  console.log(JSON.stringify({ isa: backend.isa, ms }));
}

// Quantize of the five types at every level this machine runs (a level the CPU lacks loads
// a lower one: reported once, under the level that ran).
function levelTable() {
  const { spawnSync } = require('node:child_process');
  const rows = [];
  for (const level of process.arch === 'arm64' ? ['scalar', 'neon'] : ['scalar', 'sse2', 'avx2', 'avx512']) {
    const r = spawnSync(process.execPath, [__filename, '--level-child'], {
      env: { ...process.env, QUANTKIT_ISA: level, QUANTKIT_BACKEND: 'native' }, encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`(${level}: could not run: ${(r.stderr || '').trim().split('\n')[0]})`);
      continue;
    }
    const row = JSON.parse(r.stdout.trim().split('\n').pop());
    if (!rows.some((e) => e.isa === row.isa)) rows.push(row);
  }
  if (rows.length === 0) return true;
  console.log('');
  console.log('Q5_0 to Q6_K quantize, 1M float32 elements, one thread, at each kernel level (× is the speed-up over scalar).');
  console.log(`| type | ${rows.map((r) => r.isa).join(' | ')} |`);
  console.log(`| --- | ${rows.map(() => '---:').join(' | ')} |`);
  let ok = true;
  for (const [type] of NEW_TYPES) {
    const base = rows[0].ms[type];
    const cells = rows.map((r) => {
      if (r.ms[type] === null) {
        ok = false;
        return 'differs from the TS backend, not timed';
      }
      return r === rows[0] || base === null ? `${r.ms[type].toFixed(2)} ms` : `${r.ms[type].toFixed(2)} ms (${(base / r.ms[type]).toFixed(1)}×)`;
    });
    console.log(`| ${type} | ${cells.join(' | ')} |`);
  }
  return ok;
}

if (args.includes('--level-child')) {
  levelChild().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
  return;
}

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
    console.log('Q5_0 to Q6_K: the addon (its kernel at the level above; one thread below 4 Mi elements) and the TS backend, same input.');
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
  if (native && !args.includes('--no-levels')) ok = levelTable() && ok;
  process.exit(ok ? 0 : 1);
})();
