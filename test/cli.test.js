'use strict';
// The `quantkit` command as a user runs it: bin/quantkit.js in a child process, stdout, stderr
// and the exit status. What the commands compute is io-convert.test.js's business; here it is
// the command's surface: help, the embedded default file, the formats of the output, progress,
// errors (status 1, `quantkit: …` on stderr, no file written).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const qk = require('./support/quantkit');
const io = require('../dist/io');

const BIN = path.join(__dirname, '..', 'bin', 'quantkit.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(...args) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const DEFAULT = path.join(__dirname, '..', 'assets', 'paddleocr-cls.safetensors');

describe(`quantkit command (${qk.backend.name})`, function () {
  this.timeout(60000);

  it('--help lists the four commands and an example; --version is the package version', () => {
    const h = run('--help');
    assert.equal(h.status, 0, h.err);
    for (const c of ['inspect', 'quantize', 'dequantize', 'compare']) assert.match(h.out, new RegExp(`\\n  ${c} `));
    assert.match(h.out, /npx quantkit compare/);
    const v = run('--version');
    assert.equal(v.out.trim(), require('../package.json').version);
    const q = run('help', 'quantize');
    assert.match(q.out, /--scheme <scheme>/);
    assert.match(q.out, /q4_k/);
  });

  it('inspect with no file shows the shipped PaddleOCR weights', () => {
    const r = run('inspect');
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /format: safetensors/);
    assert.match(r.out, /license = "Apache-2\.0/);
    const json = JSON.parse(run('inspect', '--json').out);
    assert.equal(json.format, 'safetensors');
    assert.ok(json.tensors.length > 10);
    assert.equal(json.file, DEFAULT);
  });

  it('compare with no file prints the whole-file table and per-tensor tables; --json parses; --chart writes an SVG', () => {
    const r = run('compare', '--top', '2', '--schemes', 'int8-per-channel,q4_0');
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /whole file, best SQNR first:\nscheme +bits\/elem +bytes +MSE +SQNR dB/);
    assert.match(r.out, /per tensor, lowest SQNR first \(2 of \d+; --top to change\)/);
    const chart = path.join(tmp, 'sqnr.svg');
    const j = run('compare', '--json', '--schemes', 'q8_0', '--chart', chart);
    assert.equal(j.status, 0, j.err);
    const parsed = JSON.parse(j.out);
    assert.equal(parsed.total[0].scheme, 'q8_0');
    assert.ok(parsed.total[0].sqnrDb > 20);
    const svg = fs.readFileSync(chart, 'utf8');
    assert.match(svg, /^<svg/);
    assert.match(svg, /SQNR/);
  });

  it('quantize → inspect → dequantize round trip on the shipped file, with plain progress lines when stderr is not a terminal', () => {
    const gguf = path.join(tmp, 'cls-q8_0.gguf');
    const q = run('quantize', DEFAULT, gguf, '--scheme', 'q8_0', '--metadata', 'general.name=cls', '--metadata', 'my.count=3');
    assert.equal(q.status, 0, q.err);
    assert.match(q.err, /^quantize: \d+% \(/m);
    assert.match(q.err, /quantize: 100%/);
    assert.match(q.out, /→ .*cls-q8_0\.gguf \(gguf, q8_0\)/);
    assert.match(q.out, /tensors: \d+ quantized, \d+ converted, \d+ kept/);
    const i = JSON.parse(run('inspect', gguf, '--json').out);
    assert.equal(i.format, 'gguf');
    assert.equal(i.metadata['general.name'], 'cls');
    assert.equal(i.metadata['my.count'], 3);
    const back = path.join(tmp, 'cls-f16.safetensors');
    const d = run('dequantize', gguf, back, '--dtype', 'f16', '--quiet');
    assert.equal(d.status, 0, d.err);
    assert.equal(d.out, '');
    assert.equal(d.err, '');
    const j = JSON.parse(run('inspect', back, '--json').out);
    assert.ok(j.tensors.every((t) => ['F16', 'I64', 'I32'].includes(t.storedType)), JSON.stringify(j.tensors.map((t) => t.storedType)));
  });

  it('quantize --json prints the summary as JSON and nothing on stderr', () => {
    const out = path.join(tmp, 'cls-int8.safetensors');
    const r = run('quantize', DEFAULT, out, '--scheme', 'int8-per-channel', '--json');
    assert.equal(r.status, 0, r.err);
    assert.equal(r.err, '');
    const s = JSON.parse(r.out);
    assert.equal(s.outputFormat, 'safetensors');
    assert.ok(s.fileBytesOut < s.fileBytesIn / 2, `${s.fileBytesOut} of ${s.fileBytesIn}`);
  });

  it('SIGINT in the middle of a quantize leaves no OUT and no temporary file, and IN unchanged', async function () {
    // On Windows child.kill('SIGINT') is TerminateProcess: no handler runs, so nothing can clean up.
    if (process.platform === 'win32') this.skip();
    const dir = fs.mkdtempSync(path.join(tmp, 'sigint-'));
    const input = path.join(dir, 'big.safetensors');
    // 16 tensors of 1 Mi floats: q4_k takes long enough (the k-quants' search) to be interrupted.
    const x = new Float32Array(1 << 20).map((_, i) => Math.sin(i * 0.37));
    const data = new Uint8Array(x.buffer);
    await io.writeSafetensors(input, Array.from({ length: 16 }, (_, i) => ({ name: `w${i}`, type: 'f32', shape: [1024, 1024], byteLength: data.length, data })));
    const before = fs.readFileSync(input);
    const out = path.join(dir, 'out.gguf');
    const child = spawn(process.execPath, [BIN, 'quantize', input, out, '--scheme', 'q4_k'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let exited = false;
    done.then(() => (exited = true));
    await new Promise((resolve) => {
      child.stderr.on('data', (d) => {
        err += d;
        if (/quantize: [1-9]\d*%/.test(err)) resolve(); // a tensor or more is written
      });
      done.then(resolve); // a child that ends first fails below, with what it printed, instead of a timeout
    });
    assert.ok(!exited, `the quantize ended before it could be interrupted: ${err}`);
    child.kill('SIGINT');
    const { code, signal } = await done;
    assert.ok(signal === 'SIGINT' || code !== 0, `exit ${code} ${signal}`);
    assert.deepEqual(fs.readdirSync(dir), ['big.safetensors'], 'no OUT, no temporary file');
    assert.ok(before.equals(fs.readFileSync(input)));
  });

  it('errors: status 1, one `quantkit:` line naming the problem, nothing written', () => {
    const out = path.join(tmp, 'never.gguf');
    const cases = [
      [['quantize', path.join(tmp, 'missing.safetensors'), out, '--scheme', 'q8_0'], /^quantkit: Cannot open .*missing\.safetensors/],
      [['quantize', DEFAULT, out, '--scheme', 'int3'], /^quantkit: Expected a gguf scheme .* but received "int3"/],
      [['quantize', DEFAULT, DEFAULT, '--scheme', 'int8-per-channel'], /^quantkit: Refusing to write .*: it is the input/],
      [['inspect', path.join(__dirname, 'cli.test.js')], /^quantkit: .*cli\.test\.js: not a file quantkit reads/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.out, '');
    }
    assert.ok(!fs.existsSync(out));
    // Usage errors: status 2, the same one-line form, and where to read more.
    const usage = run('quantize', DEFAULT, out);
    assert.equal(usage.status, 2);
    assert.equal(usage.err, "quantkit: required option '-s, --scheme <scheme>' not specified\n(see: quantkit help quantize)\n");
    const badTop = run('compare', '--top', '-1');
    assert.equal(badTop.status, 2);
    assert.match(badTop.err, /^quantkit: option '--top <n>' argument '-1' is invalid\. expected a whole number \(0 or more\) but received "-1"/);
    const png = run('compare', '--chart', 'x.png');
    assert.equal(png.status, 2);
    assert.match(png.err, /expected a file name ending in \.svg/);
    const unknown = run('help', 'bogus');
    assert.equal(unknown.status, 2);
    assert.match(unknown.err, /^quantkit: unknown command 'bogus' \(the commands: inspect, quantize, dequantize, compare\)/);
    const dup = run('compare', '--schemes', 'int8,int8');
    assert.equal(dup.status, 1);
    assert.match(dup.err, /^quantkit: Expected each scheme once in schemes but 'int8' is at schemes\[0\] and schemes\[1\]/);
  });
});
