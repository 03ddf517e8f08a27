'use strict';
// What the emulated-platform checks share (scripts/test-arm64.js under qemu-user,
// scripts/test-wine.js under Wine): a tally of passed and failed checks with one summary line
// each, step timings, the final 'N passed, N failed' line and exit status, running a command
// that must succeed, and installing the Debian packages a check needs.
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
    /**
     * Installs with apt-get the Debian packages of `wanted` ([package, () => present]) that are
     * missing (root only: else fail() naming them), waiting for another apt-get's lock; fails
     * when one is still missing afterwards.
     */
    install(wanted) {
      const missing = wanted.filter(([, present]) => !present()).map(([pkg]) => pkg);
      if (missing.length === 0) return;
      if (process.getuid && process.getuid() !== 0) t.fail(`missing ${missing.join(', ')}: install them with apt-get (needs root)`);
      console.log(`${name}: installing with apt-get: ${missing.join(' ')}`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      // Another apt-get may be running (another check installing its tools): wait for its lock.
      const lock = ['-o', 'DPkg::Lock::Timeout=600'];
      for (const args of [['update', '-qq', ...lock], ['install', '-y', '-qq', '--no-install-recommends', ...lock, ...missing]]) {
        t.must('apt-get', args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
      }
      const still = wanted.filter(([, present]) => !present()).map(([pkg]) => pkg);
      if (still.length) t.fail(`still missing after apt-get: ${still.join(', ')}`);
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
