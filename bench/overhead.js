'use strict';
// Per-call overhead of the call a server makes per request: quantize one small float32 tensor
// (16 or 768 elements: one embedding) to int8 / uint8 with per-tensor params into a
// preallocated `out`. Three rows per case, the same arrays and arguments in each:
//
//   floor    binding.callFloor(x, out, scale, zeroPoint, qmin, qmax, rounding): a native
//            method that does nothing; what any JS -> Node-API call with these arguments costs
//   binding  binding.quantize(...) with the same arguments: floor + the glue's unwrapping and
//            checks + the kernel
//   facade   require('quantkit').quantize(x, params, out): binding + the facade's checks
//
// Each process interleaves the rows over `--rounds` rounds of `--calls` calls and keeps the
// median round; `--repeat` processes run one after another and the table shows the median of
// their medians (min of the minimums beside it). Calls rotate over 8 distinct tensors.
// Usage: node bench/overhead.js [--repeat 3] [--rounds 15] [--calls 200000]
// Targets (issue 12, reported, not enforced): facade ≤ 400 ns at 768, ≤ 250 ns at 16.
const { execFileSync } = require('child_process');
const os = require('os');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SIZES = [16, 768];
const DTYPES = [
  { dtype: 'int8', ctor: Int8Array, zeroPoint: 0, qmin: -128, qmax: 127 },
  { dtype: 'uint8', ctor: Uint8Array, zeroPoint: 128, qmin: 0, qmax: 255 },
];
const TARGETS = { 16: 250, 768: 400 };

function child() {
  const quantkit = require('..');
  const { binding } = require('../dist/core/backend');
  const rounds = opt('rounds', 15);
  const calls = opt('calls', 200000);
  const scale = Math.fround(8 / 255);
  const rows = [];
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 8 - 4;
  for (const n of SIZES) {
    for (const d of DTYPES) {
      const xs = Array.from({ length: 8 }, () => Float32Array.from({ length: n }, random));
      const out = new d.ctor(n);
      const params = { scale, zeroPoint: d.zeroPoint, dtype: d.dtype };
      // Same x rotation in every row; the functions differ only in the call.
      const floor = () => {
        for (let i = 0; i < calls; i++) binding.callFloor(xs[i & 7], out, scale, d.zeroPoint, d.qmin, d.qmax, 0);
      };
      const bound = () => {
        for (let i = 0; i < calls; i++) binding.quantize(xs[i & 7], out, scale, d.zeroPoint, d.qmin, d.qmax, 0);
      };
      const facade = () => {
        for (let i = 0; i < calls; i++) quantkit.quantize(xs[i & 7], params, out);
      };
      // An older build without callFloor (to compare before / after) gets no floor row.
      const fns = typeof binding.callFloor === 'function' ? { floor, binding: bound, facade } : { binding: bound, facade };
      rows.push({ n, dtype: d.dtype, fns, times: Object.fromEntries(Object.keys(fns).map((k) => [k, []])) });
    }
  }
  for (let r = 0; r < rounds; r++) {
    for (const row of rows) {
      for (const [name, fn] of Object.entries(row.fns)) {
        const t0 = process.hrtime.bigint();
        fn();
        row.times[name].push(Number(process.hrtime.bigint() - t0) / calls);
      }
    }
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const min = (a) => Math.min(...a);
  process.stdout.write(
    JSON.stringify({
      backend: quantkit.backend,
      rows: rows.map((r) => ({
        n: r.n,
        dtype: r.dtype,
        median: Object.fromEntries(Object.entries(r.times).map(([k, v]) => [k, med(v)])),
        min: Object.fromEntries(Object.entries(r.times).map(([k, v]) => [k, min(v)])),
      })),
    }),
  );
}

function parent() {
  const repeat = opt('repeat', 3);
  const runs = [];
  for (let k = 0; k < repeat; k++) {
    const out = execFileSync(process.execPath, [__filename, '--child', ...args], { encoding: 'utf8', env: process.env });
    runs.push(JSON.parse(out));
  }
  const { backend } = runs[0];
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(`quantkit per-call overhead: ${backend.name} (${backend.isa}), node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cores`);
  console.log(`median of ${repeat} processes' median rounds (min in brackets), ns per call\n`);
  const head = ['case', 'floor', 'binding', 'facade', 'glue+kernel', 'facade cost', 'target'];
  const lines = [head];
  runs[0].rows.forEach((row, i) => {
    const m = (k) => (row.median[k] === undefined ? NaN : med(runs.map((r) => r.rows[i].median[k])));
    const lo = (k) => (row.min[k] === undefined ? NaN : Math.min(...runs.map((r) => r.rows[i].min[k])));
    const target = TARGETS[row.n];
    const facade = m('facade');
    lines.push([
      `${row.dtype} ${row.n}`,
      Number.isNaN(m('floor')) ? '—' : `${m('floor').toFixed(0)} [${lo('floor').toFixed(0)}]`,
      `${m('binding').toFixed(0)} [${lo('binding').toFixed(0)}]`,
      `${facade.toFixed(0)} [${lo('facade').toFixed(0)}]`,
      Number.isNaN(m('floor')) ? '—' : (m('binding') - m('floor')).toFixed(0),
      (facade - m('binding')).toFixed(0),
      `≤ ${target} ${facade <= target ? '✓' : '✗'}`,
    ]);
  });
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  for (const l of lines) console.log(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  console.log('\n  floor        a native no-op with quantize\'s seven arguments (binding.callFloor)');
  console.log('  glue+kernel  binding − floor: argument unwrapping and checks in native/glue, and the kernel');
  console.log('  facade cost  facade − binding: the checks in lib/affine and lib/core/validate');
}

if (args.includes('--child')) child();
else parent();
