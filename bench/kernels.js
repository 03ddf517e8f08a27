'use strict';
// Focused kernel bench for issue 12 §3: per-tensor quantize at 64K and 1M against ONNX
// Runtime's QuantizeLinear, and quantizeDynamic at 16M against the copy floor (the
// Float32Array#set of the same input, as bench/run.js measures it), all in one process,
// each contender in its own process, processes interleaved; prints the median of the
// processes' medians of the rounds (each round the mean of a batch of calls) and the ratios.
//
//   node bench/kernels.js [--rounds 15] [--repeat 3]
// QUANTKIT_THREADS=1 for the one-thread dynamic row; QUANTKIT_ADDON=<file> times another build (before/after).
const path = require('path');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args[i + 1]; };
const rounds = Number(opt('--rounds', 15));
const q = require(path.join(__dirname, '..'));
const { ortContender } = require('./contenders');
const { FIXED } = require('./data');

function median(a) { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; }
function input(n, seed) {
  let st = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) { st = (st * 1664525 + 1013904223) >>> 0; x[i] = (st / 2 ** 32 - 0.5) * 8; }
  return x;
}
async function time(fn, calls) {
  const a = process.hrtime.bigint();
  for (let k = 0; k < calls; k++) await fn();
  return Number(process.hrtime.bigint() - a) / calls / 1e3;  // µs per call
}

// One contender per process (ORT's idle pool threads spin after a run and would slow
// whatever runs next in the same process): prints JSON { case: median µs }.
async function child(who) {
  const res = {};
  const ortc = who === 'ort' ? await ortContender() : null;
  for (const n of [65536, 1048576]) {
    if (who === 'copy') break;
    const variants = [1, 2, 3, 4].map((seed) => ({ x: input(n, seed) }));
    const out = new (FIXED.dtype === 'int8' ? Int8Array : Uint8Array)(n);
    const params = { scale: FIXED.scale, zeroPoint: FIXED.zeroPoint, dtype: FIXED.dtype };
    let v = 0;
    const run = ortc ? ortc.prepare('quantize', { n, variants }).run : () => { q.quantize(variants[v++ & 3].x, params, out); };
    const calls = Math.max(4, Math.round(2e7 / n));
    const t = [];
    for (let r = 0; r < rounds + 2; r++) {
      const a = await time(run, calls);
      if (r >= 2) t.push(a);
    }
    res[`quantize ${n}`] = median(t);
  }
  if (who !== 'ort') {
    const n = 16 * 1048576;
    const x = input(n, 7);
    const dst = who === 'copy' ? new Float32Array(n) : new Uint8Array(n);
    const run = who === 'copy' ? () => { dst.set(x); } : () => { q.quantizeDynamic(x, { dtype: 'uint8', out: dst }); };
    const t = [];
    for (let r = 0; r < Math.max(5, rounds >> 1) + 1; r++) {
      const a = await time(run, 4);
      if (r >= 1) t.push(a);
    }
    res[`dynamic ${n}`] = median(t);
  }
  if (ortc) await ortc.close();
  process.stdout.write(JSON.stringify(res));
}

function main() {
  const { execFileSync } = require('child_process');
  const repeat = Number(opt('--repeat', 3));
  const runs = { native: [], ort: [], copy: [] };
  for (let k = 0; k < repeat; k++) {
    for (const who of Object.keys(runs)) {
      runs[who].push(JSON.parse(execFileSync(process.execPath, [__filename, '--child', who, '--rounds', String(rounds)], { encoding: 'utf8' })));
    }
  }
  const med = (who, c) => median(runs[who].map((r) => r[c]));
  console.log(`backend ${q.backend.name}/${q.backend.isa}, threads ${q.backend.threads}; median of ${repeat} processes' medians of ${rounds} rounds`);
  for (const c of Object.keys(runs.native[0])) {
    const other = c.startsWith('quantize') ? 'ort' : 'copy';
    const a = med('native', c), b = med(other, c);
    const ratio = other === 'ort' ? `ORT÷native ${(b / a).toFixed(2)}` : `native÷copy ${(a / b).toFixed(2)}`;
    console.log(`${c.padEnd(18)} native ${a.toFixed(1).padStart(8)} µs   ${other.padEnd(4)} ${b.toFixed(1).padStart(8)} µs   ${ratio}`);
  }
}

if (args.includes('--child')) child(opt('--child')).catch((e) => { console.error(e); process.exit(1); });
else main();
