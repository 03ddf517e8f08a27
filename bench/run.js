#!/usr/bin/env node
'use strict';
// quantkit benchmark: `npm run bench` (or `node bench/run.js [options]`).
//
// One run, one table: quantize / dequantize / dynamic quantize at several sizes, through
//   native    quantkit's public API with the addon          (QUANTKIT_BACKEND=native)
//   TS        quantkit's public API with the TS backend     (QUANTKIT_BACKEND=fallback)
//   notebook  the "Quantization 101" formulas as a plain JS loop
//   ORT       onnxruntime-node one-node sessions, default session options
//   copy      Float32Array#set of the same input (the memory floor)
//
// How it stays honest:
// - quantkit picks its backend once, at require time. Rather than clearing the require
//   cache and loading the package twice into one process, every contender runs in its
//   own worker process (bench/worker.js) with the environment it needs; each worker then
//   has only its own contender's JIT feedback, garbage and threads (ORT's thread pool
//   spins after a run), and the order the contenders run in cannot favour one of them.
// - The same bytes go to every worker: this process generates the input once (seeded),
//   runs onnxruntime-node on it as the oracle, and writes inputs and expected outputs to
//   a temporary folder. Each worker checks its contender's output against the oracle
//   bit for bit before timing it (a contender that should match and does not is not
//   timed), and again on the last timed call's output.
// - Sizes below 64K are timed over several distinct tensors taken in turn (64 at 1K), as
//   a stream of real tensors would arrive: on one small tensor called over and over, the
//   CPU's branch predictor learns a branchy JS loop by heart (the notebook loop ran 3×
//   faster that way than on unseen data).
// - Medians of tinybench samples; a small call is timed in batches so that one sample is
//   well above the timer's resolution (see worker.js). Each contender runs in --repeat
//   worker processes, interleaved with the others, and a case reports the median of their
//   medians (see foldPasses).
//
// Options:
//   --quick              1K and 64K, short budgets: a smoke test (writes results/quick.tmp.json;
//                        any other partial run writes results/partial.tmp.json)
//   --sizes 1K,64K,16M   sizes to run (K = 1024, M = 1048576)
//   --ops quantize,...   any of quantize, dequantize, dynamic
//   --time MS            per-case sampling budget for sizes up to 2M (larger sizes get 2.5×);
//                        default 500
//   --repeat N           worker processes per contender, interleaved; a case reports the
//                        median of their medians (default 3, --quick 1)
//   --extra              also run: the addon without the facade, the TS backend after
//                        polymorphic use, ORT with one thread, and each lower native kernel
//   --contenders a,b     run exactly these (ids in contenders.js)
//   --seed N             input seed (default 20240229)
//   --no-save            print only

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { FIXED, activations, DESCRIPTION } = require('./data');
const { ortContender, contenderEnv, QUANT_OPS } = require('./contenders');
const { parseSize, sizeLabel } = require('./format');
const report = require('./report');

const ROOT = path.join(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const DEFAULT_SIZES = [1 << 10, 1 << 16, 1 << 20, 1 << 24];
const MAIN_CONTENDERS = ['native', 'fallback', 'notebook', 'ort', 'copy'];
const LARGE = 1 << 21;
const VARIANT_SPAN = 1 << 16;

function usage(message) {
  if (message) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write('usage: node bench/run.js [--quick] [--sizes 1K,64K,1M,16M] [--ops quantize,dequantize,dynamic] [--time MS] [--repeat N] [--extra] [--contenders ids] [--seed N] [--no-save]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { quick: false, sizes: undefined, ops: QUANT_OPS, timeMs: undefined, repeat: undefined, extra: false, contenders: undefined, seed: 20240229, save: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) usage(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--quick': opts.quick = true; break;
      case '--extra': opts.extra = true; break;
      case '--no-save': opts.save = false; break;
      case '--sizes':
        try {
          opts.sizes = [...new Set(value().split(',').map(parseSize))].sort((a, b) => a - b);
        } catch (e) {
          usage(e.message);
        }
        break;
      case '--ops':
        opts.ops = value().split(',');
        for (const op of opts.ops) if (!QUANT_OPS.includes(op)) usage(`unknown op '${op}'`);
        break;
      case '--time': opts.timeMs = Number(value()); if (!(opts.timeMs > 0)) usage('--time needs a positive number of ms'); break;
      case '--contenders': opts.contenders = value().split(','); break;
      case '--repeat': opts.repeat = Number(value()); if (!(Number.isInteger(opts.repeat) && opts.repeat > 0)) usage('--repeat needs a positive integer'); break;
      case '--seed': opts.seed = Number(value()) >>> 0; break;
      case '--help': case '-h': usage(); break;
      default: usage(`unknown option '${argv[i]}'`);
    }
  }
  opts.sizes ??= opts.quick ? DEFAULT_SIZES.slice(0, 2) : DEFAULT_SIZES;
  opts.repeat ??= opts.quick ? 1 : 3;
  return opts;
}

/** Sampling budgets per task: small sizes get batches and many samples, 16M a few calls. */
function budgets(opts) {
  const timeMs = opts.timeMs ?? (opts.quick ? 80 : 500);
  return [
    { maxN: LARGE, warmupMs: opts.quick ? 20 : 150, warmupCalls: 3, sampleMs: 0.5, timeMs, minSamples: opts.quick ? 5 : 20 },
    { maxN: Number.MAX_SAFE_INTEGER, warmupMs: opts.quick ? 0 : 150, warmupCalls: opts.quick ? 1 : 2, sampleMs: 0, timeMs: timeMs * 2.5, minSamples: opts.quick ? 3 : 6 },
  ];
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    arch: process.arch,
    platform: process.platform,
    osRelease: os.release(),
    totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadAverageAtStart: os.loadavg().map((l) => +l.toFixed(2)),
    node: process.version,
    v8: process.versions.v8,
  };
}

function packageVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    try {
      return JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve(name)), '..', 'package.json'), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  }
}

/** Kernel levels the addon offers on this CPU, for --extra; [] when it does not load here. */
function availableIsas() {
  try {
    const { loadNative } = require(path.join(ROOT, 'dist', 'core', 'loader.js'));
    const { binding } = loadNative();
    return binding ? { isaAvailable: [...binding.isaAvailable], best: binding.isa } : { isaAvailable: [] };
  } catch {
    return { isaAvailable: [] };
  }
}

/**
 * How many distinct tensors a size is timed over: enough that together they hold 64K
 * values, so no contender is timed on one small input that the CPU has learned by heart
 * (see contenders.js). 64K and up: one.
 */
function variantsFor(n) {
  return Math.min(64, Math.ceil(VARIANT_SPAN / n));
}

/** Inputs and oracle outputs for every size, written to workDir for the workers. */
async function prepareData(workDir, sizes, seed) {
  const t0 = Date.now();
  const total = Math.max(...sizes.map((n) => n * variantsFor(n)));
  const all = activations(total, seed);
  const oracle = await ortContender();
  const manifest = { seed, fixed: FIXED, sizes, variants: {}, dynamic: {}, oracle: oracle.info };
  for (const n of sizes) {
    const count = variantsFor(n);
    const variants = [];
    for (let v = 0; v < count; v++) variants.push({ x: all.slice(v * n, (v + 1) * n) });
    const out = { q: [], dq: [], dyn: [] };
    manifest.dynamic[n] = [];
    // One session per op and a fixed rotation: each call takes the next variant in order.
    const q = await oracle.prepare('quantize', { n, variants });
    for (const v of variants) {
      await q.run();
      v.q = q.output().data;
      out.q.push(v.q);
    }
    const dq = await oracle.prepare('dequantize', { n, variants });
    const dyn = await oracle.prepare('dynamic', { n, variants });
    for (let v = 0; v < count; v++) {
      await dq.run();
      out.dq.push(dq.output().data);
      await dyn.run();
      const d = dyn.output();
      out.dyn.push(d.data);
      manifest.dynamic[n].push({ scale: d.scale, zeroPoint: d.zeroPoint });
    }
    manifest.variants[n] = count;
    writeConcatenated(path.join(workDir, `x-${n}.f32`), variants.map((v) => v.x));
    writeConcatenated(path.join(workDir, `q-${n}.u8`), out.q);
    writeConcatenated(path.join(workDir, `dq-${n}.f32`), out.dq);
    writeConcatenated(path.join(workDir, `dyn-${n}.u8`), out.dyn);
  }
  await oracle.close();
  fs.writeFileSync(path.join(workDir, 'manifest.json'), JSON.stringify(manifest));
  return { manifest, seconds: (Date.now() - t0) / 1000 };
}

function writeConcatenated(file, arrays) {
  const fd = fs.openSync(file, 'w');
  try {
    for (const a of arrays) fs.writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  } finally {
    fs.closeSync(fd);
  }
}

function runWorker(workDir, id) {
  const resultPath = path.join(workDir, `result-${id.replace(/[^\w.@-]/g, '_')}.json`);
  const child = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'worker.js'), workDir, id, resultPath], {
    env: { ...process.env, ...contenderEnv(id) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (child.status !== 0 || !fs.existsSync(resultPath)) {
    const why = child.error ? child.error.message : child.signal ? `killed by ${child.signal}` : `exit code ${child.status}`;
    return { id, error: `worker failed (${why}); its stderr is above` };
  }
  return JSON.parse(fs.readFileSync(resultPath, 'utf8'));
}

const median = (values) => {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

/**
 * One contender's passes (one worker process each) folded into one record. A case's time
 * is the median of the passes' medians: V8 does not always tier a JS loop up the same way
 * (whether a hot loop ends up in OSR code or in a regular optimized function can differ
 * from one process to the next, by 2× for lib/fallback.ts on this machine), and other
 * work on the machine comes and goes, so one process is one draw. `spread` is the slowest
 * pass median over the fastest.
 */
function foldPasses(passes) {
  const ok = passes.filter((p) => !p.error);
  if (ok.length === 0) return passes[0];
  const first = ok[0];
  const results = first.results.map((r0) => {
    const same = ok.map((p) => p.results.find((r) => r.op === r0.op && r.n === r0.n)).filter(Boolean);
    const broken = same.find((r) => r.error || r.skipped);
    if (broken) return broken;
    const medians = same.map((r) => r.timing.medianNs);
    const mid = median(medians);
    const closest = same.reduce((a, b) => (Math.abs(b.timing.medianNs - mid) < Math.abs(a.timing.medianNs - mid) ? b : a));
    return {
      ...closest,
      verified: same.find((r) => !r.verified.equal)?.verified ?? closest.verified,
      sameAfterTiming: same.every((r) => r.sameAfterTiming),
      timing: {
        ...closest.timing,
        medianNs: mid,
        passMediansNs: medians,
        spread: Math.max(...medians) / Math.min(...medians),
        samples: same.reduce((a, r) => a + r.timing.samples, 0),
      },
    };
  });
  const failedPasses = passes.length - ok.length;
  return { ...first, results, passes: passes.length, ...(failedPasses ? { error: `${failedPasses} of ${passes.length} worker runs failed` } : {}) };
}

function contenderList(opts, isas) {
  if (opts.contenders) return opts.contenders;
  const list = [...MAIN_CONTENDERS];
  if (opts.extra) {
    list.push('native-raw', 'fallback-poly', 'ort-1t');
    // Every kernel below the one the addon picks by itself, e.g. native@scalar, native@sse2.
    for (const isa of isas.isaAvailable) if (isa !== isas.best) list.push(`native@${isa}`);
  }
  return list;
}

function roundTiming(t) {
  const r = (v) => +v.toFixed(1);
  return {
    ...t,
    medianNs: r(t.medianNs),
    minNs: r(t.minNs),
    p75Ns: r(t.p75Ns),
    p99Ns: r(t.p99Ns),
    madNs: r(t.madNs),
    rmePct: +t.rmePct.toFixed(2),
    passMediansNs: t.passMediansNs?.map(r),
    spread: t.spread === undefined ? undefined : +t.spread.toFixed(3),
  };
}

function stamp(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = new Date();
  const machine = machineInfo();
  const isas = availableIsas();
  const contenders = contenderList(opts, isas);
  const config = { sizes: opts.sizes, ops: opts.ops, budgets: budgets(opts) };

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-bench-'));
  const cleanup = () => fs.rmSync(workDir, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  const runs = {};
  let prep;
  try {
    process.stderr.write(`quantkit bench: ${opts.sizes.map(sizeLabel).join(', ')} × ${opts.ops.join(', ')}; contenders ${contenders.join(', ')}\n`);
    prep = await prepareData(workDir, opts.sizes, opts.seed);
    process.stderr.write(`input and onnxruntime-node oracle ready (${prep.seconds.toFixed(1)} s)\n`);
    fs.writeFileSync(path.join(workDir, 'config.json'), JSON.stringify(config));
    // Passes interleave the contenders, so that a slow spell of the machine lands on all of them.
    const passes = Object.fromEntries(contenders.map((id) => [id, []]));
    for (let pass = 1; pass <= opts.repeat; pass++) {
      for (const id of contenders) {
        process.stderr.write(`${id}${opts.repeat > 1 ? ` (pass ${pass} of ${opts.repeat})` : ''}:\n`);
        passes[id].push(runWorker(workDir, id));
      }
    }
    for (const id of contenders) runs[id] = foldPasses(passes[id]);
  } finally {
    cleanup();
  }
  const seconds = (Date.now() - started.getTime()) / 1000;

  // ---- report ----
  const native = runs.native && !runs.native.error ? runs.native.info : undefined;
  const isa = native?.isa ?? 'n/a';
  const ortInfo = prep.manifest.oracle;
  const idx = report.indexResults(runs);
  const verification = report.verificationSummary(runs, contenders);
  const targets = report.targetsList(idx);
  const extras = contenders.filter((id) => !MAIN_CONTENDERS.includes(id));

  const out = [];
  out.push('');
  out.push(`quantkit ${native?.version ?? require('../package.json').version} benchmark — ${started.toISOString()}`);
  out.push(`machine   ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemGiB} GiB, ${machine.platform}-${machine.arch} ${machine.osRelease}`);
  out.push(`runtime   Node ${machine.node} (V8 ${machine.v8}), onnxruntime-node ${ortInfo.version} (opset ${ortInfo.opset}, session options: ${JSON.stringify(ortInfo.sessionOptions)}), tinybench ${packageVersion('tinybench')}`);
  out.push(`kernel    isa=${isa}${process.env.QUANTKIT_ISA ? ` (capped by QUANTKIT_ISA=${process.env.QUANTKIT_ISA})` : ''}; the addon offers ${isas.isaAvailable.join(', ') || 'n/a'} on this CPU`);
  out.push(`data      ${DESCRIPTION}, seed ${opts.seed}`);
  const load = machine.loadAverageAtStart[0];
  if (load > 0.3) out.push(`load      ${load} (1-min average) at start: other work on this machine perturbs the numbers`);
  out.push(`method    ${opts.repeat} worker process${opts.repeat > 1 ? 'es' : ''} per contender, interleaved; a time is the median over processes of the median of tinybench samples (a sample is the mean of a batch of calls for small sizes)`);
  out.push('');
  out.push('verification (bit for bit against onnxruntime-node, before and after timing):');
  out.push(...verification.lines);
  out.push('');
  out.push(report.mainTable(idx, opts.ops, opts.sizes));
  out.push('');
  for (const r of Object.values(report.RATIOS)) out.push(`  ${r.title.padEnd(9)} ${r.note}`);
  out.push('  ✓ / ✗     the issue\'s target for that cell (reported, not enforced)');
  out.push('');
  out.push('targets:');
  out.push(...targets.map((t) => t.line));
  const notes = report.notesList(runs, contenders);
  if (notes.length > 0) {
    out.push('');
    out.push('notes:');
    out.push(...notes);
  }
  if (extras.length > 0) {
    out.push('');
    out.push('extra contenders:');
    out.push(report.extrasTable(idx, runs, extras, opts.ops, opts.sizes));
  }
  out.push('');
  out.push(`took ${seconds.toFixed(0)} s`);

  const json = {
    schema: 1,
    date: started.toISOString(),
    durationSeconds: +seconds.toFixed(1),
    argv: process.argv.slice(2),
    machine,
    quantkit: { version: native?.version ?? null, backend: native?.backend ?? null, isa, isaAvailable: isas.isaAvailable, quantkitIsaEnv: process.env.QUANTKIT_ISA ?? null },
    peers: { onnxruntimeNode: ortInfo, tinybench: packageVersion('tinybench') },
    data: { description: DESCRIPTION, seed: opts.seed, fixed: FIXED, dynamicParams: prep.manifest.dynamic },
    method: {
      budgets: config.budgets,
      processesPerContender: opts.repeat,
      sample: 'mean time of one batch of calls',
      medianNs: 'median over processes of the median over samples',
      otherStatistics: 'minNs, p75Ns, p99Ns, madNs, rmePct and batch come from the process whose median is closest to medianNs',
    },
    contenders: Object.fromEntries(contenders.map((id) => [id, { label: runs[id].label ?? id, exact: runs[id].exact ?? null, info: runs[id].info ?? null, error: runs[id].error ?? null }])),
    results: contenders.flatMap((id) =>
      (runs[id].results ?? []).map((r) => ({
        contender: id,
        op: r.op,
        size: r.n,
        ...(r.timing ? roundTiming(r.timing) : r.error ? { error: r.error } : { skipped: r.skipped }),
        verified: r.verified?.equal ?? null,
        mismatches: r.verified?.mismatches ?? null,
        sameAfterTiming: r.sameAfterTiming ?? null,
        ...(r.note ? { note: r.note } : {}),
      })),
    ),
    ratios: opts.ops.flatMap((op) =>
      opts.sizes.map((n) => ({
        op,
        size: n,
        ...Object.fromEntries(Object.keys(report.RATIOS).map((k) => {
          const v = report.ratioValue(idx, k, op, n);
          return [k, Number.isFinite(v) ? +v.toPrecision(4) : null];
        })),
      })),
    ),
    targets: targets.map(({ line, n, ...t }) => ({ size: n, ...t })),
    verificationOk: !verification.failed,
  };

  process.stdout.write(`${out.join('\n')}\n`);
  if (opts.save) {
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const text = `${JSON.stringify(json, null, 2)}\n`;
    // A partial run never replaces the full record (*.tmp.json is git-ignored).
    const partial = opts.timeMs !== undefined || opts.repeat !== 3 || opts.sizes.join() !== DEFAULT_SIZES.join() || opts.ops.join() !== QUANT_OPS.join() || opts.contenders;
    const files = opts.quick ? ['quick.tmp.json'] : partial ? ['partial.tmp.json'] : ['latest.json', `${stamp(started)}-${isa}.json`];
    for (const f of files) fs.writeFileSync(path.join(RESULTS_DIR, f), text);
    process.stdout.write(`wrote ${files.map((f) => path.relative(ROOT, path.join(RESULTS_DIR, f))).join(', ')}\n`);
  }
  if (verification.failed) {
    process.stderr.write('bench: a contender that must match onnxruntime-node did not, or a worker failed (see above)\n');
    process.exitCode = 1;
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
