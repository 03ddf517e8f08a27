'use strict';
// What the emulated-platform checks share (scripts/test-arm64.js under qemu-user,
// scripts/test-wine.js under Wine): a tally of passed and failed checks with one summary line
// each, step timings, the final 'N passed, N failed' line and exit status, and running a
// command that must succeed.
const { spawnSync } = require('node:child_process');

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** A tally for the script `name` (its messages' prefix), running commands in `root`. */
function tally(name, root) {
  const t = {
    passed: 0,
    failed: 0,
    summary: [],
    timings: [],
    /** Counts `p` passed and `f` failed under `label`, with `extra` after the counts. */
    add(label, p, f, extra = '') {
      t.passed += p;
      t.failed += f;
      t.summary.push(`${label}: ${p} passed, ${f} failed${extra}`);
    },
    /** Keeps how long a step took. */
    time(label, ms) {
      t.timings.push(`${label}: ${seconds(ms)}`);
    },
    /** Runs fn, keeping how long it took. */
    timed(label, fn) {
      const started = Date.now();
      const r = fn();
      t.time(label, Date.now() - started);
      return r;
    },
    /** Ends the run now as a failure, with the reason. */
    fail(message) {
      console.error(`${name}: ${message}`);
      console.log(`${t.passed} passed, ${t.failed + 1} failed`);
      process.exit(1);
    },
    /** Prints the times, the summary and the counts, and exits (non-zero on any failure, or on nothing run). */
    finish(startedAt) {
      console.log(`times: ${t.timings.join('; ')}; total ${seconds(Date.now() - startedAt)}`);
      console.log(`\n${t.summary.join('\n')}`);
      console.log(`${t.passed} passed, ${t.failed} failed`);
      process.exit(t.failed === 0 && t.passed > 0 ? 0 : 1);
    },
    have(cmd) {
      return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
    },
    /** spawnSync that must succeed, else fail() with its output. */
    must(cmd, args, opts = {}) {
      const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
      if (r.error) t.fail(`${cmd} could not run: ${r.error.message}`);
      if (r.status !== 0) t.fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
      return r;
    },
  };
  return t;
}

module.exports = { tally, seconds };
