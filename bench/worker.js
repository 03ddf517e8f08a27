'use strict';
// One contender in one process: `node --expose-gc bench/worker.js <workDir> <contender> <result.json>`.
// Reads the inputs and the oracle's outputs that run.js wrote to workDir, checks the
// contender's output against them, times it with tinybench, checks the last timed
// output again, and writes its numbers to result.json. Progress goes to stderr.

const fs = require('node:fs');
const path = require('node:path');
const { createContender } = require('./contenders');
const { compareOutput } = require('./verify');
const { formatTime, sizeLabel } = require('./format');

function readArray(file, Ctor) {
  const buf = fs.readFileSync(file);
  // A copy into a fresh, aligned buffer of the exact size: the input is a plain TypedArray
  // at byteOffset 0, as a user's tensor usually is.
  const out = new Ctor(buf.byteLength / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Splits a file of `count` concatenated tensors into separate arrays. */
function readVariants(file, Ctor, count) {
  const all = readArray(file, Ctor);
  const n = all.length / count;
  return Array.from({ length: count }, (_, v) => all.slice(v * n, (v + 1) * n));
}

function makeLoader(workDir, manifest) {
  const inputs = new Map();
  const file = (name) => path.join(workDir, name);
  return {
    /** { n, variants: [{ x, q }] } */
    input(n) {
      if (!inputs.has(n)) {
        const count = manifest.variants[n];
        const xs = readVariants(file(`x-${n}.f32`), Float32Array, count);
        const qs = readVariants(file(`q-${n}.u8`), Uint8Array, count);
        inputs.set(n, { n, variants: xs.map((x, v) => ({ x, q: qs[v] })) });
      }
      return inputs.get(n);
    },
    /** The oracle's output for each variant. */
    expected(op, n) {
      const count = manifest.variants[n];
      switch (op) {
        case 'quantize': return readVariants(file(`q-${n}.u8`), Uint8Array, count).map((data) => ({ data }));
        case 'dequantize': return readVariants(file(`dq-${n}.f32`), Float32Array, count).map((data) => ({ data }));
        case 'dynamic': return readVariants(file(`dyn-${n}.u8`), Uint8Array, count).map((data, v) => ({ data, ...manifest.dynamic[n][v] }));
        case 'copy': return this.input(n).variants.map(({ x }) => ({ data: x }));
        default: throw new Error(`unknown op ${op}`);
      }
    },
  };
}

/** Folds the per-variant comparisons into one report for the (op, size) case. */
function mergeChecks(checks) {
  const merged = { equal: true, mismatches: 0, maxAbsDiff: 0, variants: checks.length };
  for (const c of checks) {
    merged.mismatches += c.mismatches;
    if (!(c.maxAbsDiff <= merged.maxAbsDiff)) merged.maxAbsDiff = c.maxAbsDiff;
    if (!c.equal && merged.equal) {
      merged.equal = false;
      Object.assign(merged, { first: c.first, shape: c.shape, scale: c.scale, zeroPoint: c.zeroPoint });
    }
  }
  if (checks.length > 1) merged.differingVariants = checks.filter((c) => !c.equal).length;
  return merged;
}

const hrMs = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/**
 * Warm up, pick a batch size so that one sample lasts about `sampleMs` (a single 1K call
 * is far below what one timer read can resolve well), then let tinybench collect samples.
 * Each sample is the mean of one batch; the reported median is the median of those.
 */
async function measure(Bench, label, handle, budget) {
  const { run } = handle;
  let calls = 0;
  const t0 = process.hrtime.bigint();
  if (handle.async) {
    while (calls < budget.warmupCalls || hrMs(t0) < budget.warmupMs) {
      await run();
      calls++;
    }
  } else {
    while (calls < budget.warmupCalls || hrMs(t0) < budget.warmupMs) {
      run();
      calls++;
    }
  }
  const perCall = hrMs(t0) / calls;
  const batch = Math.max(1, Math.min(100000, Math.round(budget.sampleMs / perCall)));

  const fn = handle.async
    ? async () => {
        const s = process.hrtime.bigint();
        for (let i = 0; i < batch; i++) await run();
        const d = hrMs(s);
        return { overriddenDuration: d / batch, overriddenIterationCost: d };
      }
    : () => {
        const s = process.hrtime.bigint();
        for (let i = 0; i < batch; i++) run();
        const d = hrMs(s);
        return { overriddenDuration: d / batch, overriddenIterationCost: d };
      };

  const bench = new Bench({
    time: budget.timeMs,
    iterations: budget.minSamples,
    warmup: false, // done above, together with the batch calibration
    timestampProvider: 'hrtimeNow',
    throws: true,
  });
  bench.add(label, fn, { async: handle.async });
  const [task] = await bench.run();
  const { latency } = task.result;
  const ns = (ms) => ms * 1e6;
  return {
    medianNs: ns(latency.p50),
    minNs: ns(latency.min),
    p75Ns: ns(latency.p75),
    p99Ns: ns(latency.p99),
    madNs: ns(latency.mad),
    rmePct: latency.rme,
    samples: latency.samplesCount,
    batch,
  };
}

function budgetFor(config, n) {
  return config.budgets.find((b) => n <= b.maxN);
}

/** Verify, time and verify again one (op, size) case. */
async function runCase(Bench, config, load, contender, id, op, n) {
  const input = load.input(n);
  const expected = load.expected(op, n);
  const handle = await contender.prepare(op, input);
  // One call per variant, each compared with the oracle's output for that variant.
  const perVariant = [];
  for (let v = 0; v < input.variants.length; v++) {
    await handle.run();
    const o = handle.output();
    perVariant[o.variant] = compareOutput(o, expected[o.variant]);
  }
  const verified = mergeChecks(perVariant);
  const entry = { contender: id, op, n, verified };
  if (handle.note) entry.note = handle.note;
  const where = `${contender.label.padEnd(28)} ${op.padEnd(10)} ${sizeLabel(n).padStart(4)}`;
  if (contender.exact && !verified.equal) {
    entry.skipped = 'output differs from onnxruntime-node: not timed';
    process.stderr.write(`  ${where}  WRONG: ${verified.mismatches} elements differ, not timed\n`);
    return entry;
  }
  handle.output().data.fill(0); // so that the check after timing sees the timed calls' output
  if (global.gc) global.gc();
  entry.timing = await measure(Bench, `${id} ${op} ${n}`, handle, budgetFor(config, n));
  // The timed calls must have produced what was verified (a timed path that skipped the
  // work would leave the zeroed output).
  const o = handle.output();
  const after = compareOutput(o, expected[o.variant]);
  const before = perVariant[o.variant];
  entry.sameAfterTiming = after.equal === before.equal && after.mismatches === before.mismatches;
  const t = entry.timing;
  process.stderr.write(`  ${where}  ${formatTime(t.medianNs).padStart(9)}  (${t.samples} samples × ${t.batch} calls)\n`);
  return entry;
}

async function main() {
  const [workDir, id, resultPath] = process.argv.slice(2);
  const config = JSON.parse(fs.readFileSync(path.join(workDir, 'config.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(path.join(workDir, 'manifest.json'), 'utf8'));
  const { Bench } = await import('tinybench');
  const load = makeLoader(workDir, manifest);
  const contender = await createContender(id);
  const results = [];
  const ops = contender.ops.filter((op) => op === 'copy' || config.ops.includes(op));
  for (const op of ops) {
    for (const n of config.sizes) {
      try {
        results.push(await runCase(Bench, config, load, contender, id, op, n));
      } catch (e) {
        // One broken case (a throw from the contender) does not hide the others.
        process.stderr.write(`  ${id} ${op} ${sizeLabel(n)} failed: ${e && e.stack ? e.stack : e}\n`);
        results.push({ contender: id, op, n, error: String(e && e.message ? e.message : e) });
      }
    }
  }
  if (contender.close) await contender.close();
  fs.writeFileSync(resultPath, JSON.stringify({ id, label: contender.label, exact: contender.exact, info: contender.info, results }));
}

main().catch((e) => {
  process.stderr.write(`bench worker failed: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
