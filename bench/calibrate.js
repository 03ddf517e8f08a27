#!/usr/bin/env node
// Calibration through the live backend (QUANTKIT_BACKEND=native|fallback picks it), one run,
// side by side at 16M float32 elements (--n N): the copy floor, minmax observe, histogram
// observe (2048 bins, after the first batch fixed the range), errorStats int8 per-tensor beside
// quantize alone, and the Python peers on the same data (numpy.histogram, torch.histc, NumPy's
// quantize + dequantize + metrics) when /usr/bin/python3 has them; a missing peer's row says
// why. Medians; the machine and the kernel are printed above the table. Not a test: nothing
// here is asserted.
//   node bench/calibrate.js [--n 16777216]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const qk = require('..');

const args = process.argv.slice(2);
const n = args.includes('--n') ? Number(args[args.indexOf('--n') + 1]) : 1 << 24;
const REPEAT = 15;

function input(count) {
  const x = new Float32Array(count);
  let s = 12345;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 4294967296;
    x[i] = (u * 2 - 1) * (1 + ((i >> 7) % 5)) * (u < 0.001 ? 20 : 1);
  }
  return x;
}

/** Medians of the cases timed in turn, one run of each per round, so that a change in the
 * machine's load hits every case alike (the ratios are what the issue's targets are about). */
function interleavedMedians(cases) {
  for (const fn of Object.values(cases)) fn();
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < REPEAT; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t0 = process.hrtime.bigint();
      fn();
      times[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, t]) => [k, t.sort((a, b) => a - b)[t.length >> 1]]));
}

const x = input(n);
const { backend } = qk;
console.log(`${os.cpus()[0].model}, ${os.cpus().length} cpus; node ${process.version}; backend ${backend.name}/${backend.isa} threads ${backend.threads}; n = ${n}`);
console.log(`Medians of ${REPEAT} rounds, the cases in turn in each (one warm-up). A shared machine makes them noisy; nothing here is asserted.`);

const copyOut = new Float32Array(n);
const mm = qk.createObserver('minmax');
const hist = qk.createObserver('percentile');
hist.observe(x); // fixes T and the bins; later batches of the same data add counts only
const params = qk.computeParams(x, { dtype: 'int8', symmetric: true });
const q = new Int8Array(n);
const { copy, minmax, histogram, quantize, stats } = interleavedMedians({
  copy: () => copyOut.set(x),
  minmax: () => mm.observe(x),
  histogram: () => hist.observe(x),
  quantize: () => qk.quantize(x, params, q),
  stats: () => qk.errorStats(x, params),
});
const { min, max } = qk.minMax(x);
const threshold = Math.max(-min, max);

const file = path.join(os.tmpdir(), `quantkit-bench-calibrate-${process.pid}.f32`);
fs.writeFileSync(file, Buffer.from(x.buffer));
const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'calibrate_peers.py')], {
  input: JSON.stringify({ file, threshold, bins: hist.histogram().counts.length, scale: params.scale, zeroPoint: params.zeroPoint, repeat: REPEAT, threads: backend.threads }),
  encoding: 'utf8',
});
fs.rmSync(file, { force: true });
let peers = {};
if (py.error || py.status !== 0) peers = { missing: { numpy: `/usr/bin/python3 failed: ${py.error ? py.error.message : py.stderr.trim().split('\n').pop()}`, torch: 'see numpy' } };
else peers = JSON.parse(py.stdout);

const f = (v) => `${v.toFixed(2)} ms`;
const rows = [
  ['copy floor (Float32Array#set)', copy, ''],
  ['minmax observe', minmax, `${(minmax / copy).toFixed(2)}× copy (issue: at the copy floor)`],
  [`histogram observe (${hist.histogram().counts.length} bins)`, histogram, `${(histogram / copy).toFixed(2)}× copy (issue: ≤ 3×)`],
  ['quantize int8 (out given)', quantize, ''],
  ['errorStats int8 per-tensor', stats, `${(stats / quantize).toFixed(2)}× quantize (issue: ≤ 1.5×)`],
];
for (const [name, versus, target] of [
  ['numpy.histogram', histogram, '≥ 10×'],
  ['torch.histc', histogram, '≥ 10×'],
  ['numpy quantize + dequantize + metrics', stats, '≥ 5×'],
]) {
  const key = name.split('.')[0].split(' ')[0];
  if (typeof peers[name] === 'number') rows.push([name, peers[name], `quantkit ${(peers[name] / versus).toFixed(1)}× faster (issue: ${target})`]);
  else rows.push([name, NaN, `not timed: ${(peers.missing && peers.missing[key]) || 'no result'}`]);
}
console.log('| row | time | ratio |');
console.log('| --- | ---: | --- |');
for (const [name, t, note] of rows) console.log(`| ${name} | ${Number.isNaN(t) ? '—' : f(t)} | ${note} |`);
if (peers.numpy) console.log(`(numpy ${peers.numpy}${peers.torch ? `, torch ${peers.torch}` : ''}, torch threads ${backend.threads})`);
