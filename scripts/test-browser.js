#!/usr/bin/env node
// The browser build (dist/browser, scripts/build-browser.js) in a real headless Chromium:
// Debian's /usr/bin/chromium (QUANTKIT_CHROMIUM names another), driven by playwright-core
// (no browser download), on a page served from a localhost server started here. The page
// imports quantkit.mjs, calls init(), runs scripts/browser-workload.mjs (quantize and
// dequantize in every dtype, packed int4, per-axis and blocked, quantizeDynamic, float16,
// ggml, observers, imageToTensor on a canvas's ImageData, embeddings) and digests every
// output with crypto.subtle; Node runs the same workload with require('quantkit') (its own
// backend, and the TypeScript one in a child) and the digests must be equal. Also: the page
// runs the 'wasm' backend, calls before init() refuse, and the page requests nothing but its
// own files (no Node built-in, nothing else).
//
//   node scripts/test-browser.js            (npm run test:browser builds dist/ first)
//
// Prints 'N passed, N failed'; exits non-zero on a failure.
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { builtinModules } = require('node:module');
const { chromium } = require('playwright-core');

const root = path.join(__dirname, '..');
const bundleDir = path.join(root, 'dist', 'browser');
const CHROMIUM = process.env.QUANTKIT_CHROMIUM || '/usr/bin/chromium';

/** What the server serves: URL path -> file. Anything else is a 404 and fails the run. */
const FILES = new Map([
  ['/quantkit.mjs', path.join(bundleDir, 'quantkit.mjs')],
  ['/quantkit.wasm', path.join(bundleDir, 'quantkit.wasm')],
  ['/workload.mjs', path.join(__dirname, 'browser-workload.mjs')],
]);
const TYPES = { '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };

// The page: init(), the workload, its digests; each step's failure is reported, not thrown.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>quantkit in the browser</title>
<link rel="icon" href="data:,">
<canvas id="c"></canvas>
<script type="module">
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
window.result = (async () => {
  const qk = await import('/quantkit.mjs');
  const w = await import('/workload.mjs');
  let before;
  try { qk.quantize(new Float32Array(1), { scale: 1, zeroPoint: 0, dtype: 'uint8' }); before = 'no error'; } catch (e) { before = e.message; }
  const info = await qk.init();
  const again = await qk.init();
  const initErrors = {};
  for (const [tag, options] of [['misspelt', { wsm: '/quantkit.wasm' }], ['late', { isa: 'scalar' }]]) {
    try { await qk.init(options); initErrors[tag] = 'resolved'; } catch (e) { initErrors[tag] = e.constructor.name + ': ' + e.message; }
  }
  const canvas = document.getElementById('c');
  canvas.width = w.WIDTH;
  canvas.height = w.HEIGHT;
  const ctx = canvas.getContext('2d');
  w.paintCanvas(ctx);
  const image = ctx.getImageData(0, 0, w.WIDTH, w.HEIGHT);
  const outputs = w.run(qk, image.data);
  const digests = [];
  for (const [name, a] of outputs) digests.push([name, hex(await crypto.subtle.digest('SHA-256', bytes(a)))]);
  const all = new Uint8Array(outputs.reduce((n, [, a]) => n + a.byteLength, 0));
  let at = 0;
  for (const [, a] of outputs) { all.set(bytes(a), at); at += a.byteLength; }
  // init's other sources, each in a fresh instance of the module (another URL is another module).
  const x = new Float32Array([-2.5, -0.5, 0, 0.5, 1.5, 2.5, 100, -100]);
  const params = { scale: 1, zeroPoint: 3, dtype: 'int8' };
  const sources = {};
  const wasmBytes = await (await fetch('/quantkit.wasm')).arrayBuffer();
  const compiled = await WebAssembly.compile(wasmBytes);
  for (const [tag, options] of [['bytes', { wasm: new Uint8Array(wasmBytes) }], ['module', { wasm: compiled, isa: 'scalar' }], ['response', { wasm: fetch('/quantkit.wasm') }], ['url', { wasm: new URL('/quantkit.wasm', location.href) }]]) {
    const m = await import('/quantkit.mjs?' + tag);
    await m.init(options);
    sources[tag] = { isa: m.backend.isa, q: Array.from(m.quantize(x, params)) };
  }
  const failing = await import('/quantkit.mjs?failing');
  const failures = {};
  for (const [tag, options] of [['missing', { wasm: '/missing.wasm' }], ['number', { wasm: 42 }], ['isa', { isa: 'avx2' }]]) {
    try { await failing.init(options); failures[tag] = 'resolved'; } catch (e) { failures[tag] = e.constructor.name + ': ' + e.message; }
  }
  await failing.init();
  failures.retried = failing.isReady();
  // observeAsync on this thread: the same range as observe; an aborted signal rejects.
  const batch = new Float32Array(4096).map((_, i) => Math.sin(i) * 3);
  const sync = qk.createObserver('moving-average');
  sync.observe(batch); sync.observe(batch.map((v) => v * 2));
  const later = qk.createObserver('moving-average');
  const first = later.observeAsync(batch);
  const second = later.observeAsync(batch.map((v) => v * 2));
  let refused;
  try { later.observe(batch); refused = 'no error'; } catch (e) { refused = e.message; }
  await Promise.all([first, second]);
  const controller = new AbortController();
  controller.abort();
  let aborted;
  try { await later.observeAsync(batch, { signal: controller.signal }); aborted = 'resolved'; } catch (e) { aborted = e.name + ' ' + e.code; }
  const observers = { sync: sync.range(), async: later.range(), refused, aborted };
  return { digests, digest: hex(await crypto.subtle.digest('SHA-256', all)), before, initErrors, sameInit: info === again, backend: { ...qk.backend }, ready: qk.isReady(), sources, failures, observers };
})().catch((e) => ({ error: String(e && e.stack || e) }));
</script>`;

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
    console.log(`  ok ${name}`);
  } catch (e) {
    failed++;
    console.log(`  FAIL ${name}\n    ${String(e.message).split('\n').join('\n    ')}`);
  }
}

/** The page's small quantize for init's sources, in Node. */
function nodeQuantized() {
  const qk = require('..');
  return Array.from(qk.quantize(new Float32Array([-2.5, -0.5, 0, 0.5, 1.5, 2.5, 100, -100]), { scale: 1, zeroPoint: 3, dtype: 'int8' }));
}

/** The workload's digests in Node, with the backend the environment picks (child: a fresh require). */
function nodeDigests(env) {
  const script = `
    const crypto = require('node:crypto');
    const qk = require(${JSON.stringify(root)});
    import(${JSON.stringify(require('node:url').pathToFileURL(path.join(__dirname, 'browser-workload.mjs')).href)}).then((w) => {
      const outputs = w.run(qk, w.paintRgba());
      const bytes = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      const all = crypto.createHash('sha256');
      const digests = outputs.map(([name, a]) => { all.update(bytes(a)); return [name, crypto.createHash('sha256').update(bytes(a)).digest('hex')]; });
      process.stdout.write(JSON.stringify({ backend: qk.backend.name + '/' + qk.backend.isa, digests, digest: all.digest('hex') }));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the Node side failed (${JSON.stringify(env)}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

function serve(requests) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    requests.push(url.pathname);
    const file = url.pathname === '/' ? null : FILES.get(url.pathname);
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': TYPES['.html'] });
      res.end(PAGE);
    } else if (file !== undefined && fs.existsSync(file)) {
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] });
      fs.createReadStream(file).pipe(res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const started = Date.now();
  for (const f of FILES.values()) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(root, f)} is missing: run \`npm run build:ts && npm run build:wasm && npm run build:browser\``);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set QUANTKIT_CHROMIUM)`);
  const requests = [];
  const server = await serve(requests);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-chromium-'));
  const pageErrors = [];
  let page;
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    // The one 404 the page asks for (init's error test) is the only console error allowed.
    page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('/missing.wasm')) pageErrors.push(`console: ${m.text()} (${m.location().url})`); });
    page.on('request', (r) => { if (!r.url().startsWith(`http://127.0.0.1:${server.address().port}/`)) requests.push(r.url()); });
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const browserStarted = Date.now();
    const result = await page.evaluate(() => window.result);
    const browserMs = Date.now() - browserStarted;
    const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
    await context.close();
    context = undefined;

    const node = nodeDigests({});
    const wasm = nodeDigests({ QUANTKIT_BACKEND: 'wasm' });
    const fallback = nodeDigests({ QUANTKIT_BACKEND: 'fallback' });
    console.log(`browser: Chromium ${version}, page work ${browserMs} ms; Node: ${node.backend}, ${wasm.backend}, ${fallback.backend}`);

    check('the page ran without an error', () => {
      assert.equal(result.error, undefined);
      assert.deepEqual(pageErrors, []);
    });
    if (result.error) return;
    check("the page's backend is 'wasm' at the module's best level (as in Node), one thread, and init() resolves with it", () => {
      assert.equal(result.backend.name, 'wasm');
      assert.equal(`wasm/${result.backend.isa}`, wasm.backend);
      assert.equal(result.backend.threads, 1);
      assert.equal(result.backend.version, require('../package.json').version);
      assert.equal(result.sameInit, true);
      assert.equal(result.ready, true);
    });
    check("init() takes the module's bytes, a compiled Module (with isa 'scalar'), a Response promise or a URL; they compute the same", () => {
      const expected = nodeQuantized();
      for (const tag of ['bytes', 'module', 'response', 'url']) assert.deepEqual(result.sources[tag].q, expected, tag);
      assert.equal(result.sources.module.isa, 'scalar');
      assert.equal(result.sources.bytes.isa, result.backend.isa);
    });
    check('init() refuses a missing file, a bad source and a bad isa with what went wrong, then can be tried again', () => {
      assert.match(result.failures.missing, /^Error: quantkit could not fetch its WebAssembly module from http:\/\/127\.0\.0\.1:\d+\/missing\.wasm: HTTP 404 Not Found \(serve quantkit\.wasm next to quantkit\.mjs, or pass init\(\{ wasm \}\)\)$/);
      assert.equal(result.failures.number, 'TypeError: Expected a URL, string, Request, Response, ArrayBuffer, TypedArray or WebAssembly.Module for options.wasm but received 42');
      assert.match(result.failures.isa, /^RangeError: Expected the WebAssembly backend's isa to be one of .* but received 'avx2'$/);
      assert.equal(result.failures.retried, true);
    });
    check('observeAsync runs on the page: the same range as observe, in call order; observe refused meanwhile; an aborted signal rejects', () => {
      assert.deepEqual(result.observers.async, result.observers.sync);
      assert.match(result.observers.refused, /^Expected no observe\(x\) on an observer while its observeAsync\(x\) is pending/);
      assert.equal(result.observers.aborted, 'AbortError ABORT_ERR');
    });
    check('a call before init() refuses and says what to do', () => {
      assert.match(result.before, /WebAssembly module is not loaded yet: await init\(\) \(from 'quantkit\/browser'\) once before using quantkit \(binding\.\w+ was called\)$/);
    });
    check('init() refuses a misspelt option key by name, and options once the module is loaded', () => {
      assert.equal(result.initErrors.misspelt, "TypeError: Unknown key 'wsm' in options (did you mean 'wasm'?); the valid keys are 'wasm', 'isa'");
      assert.equal(result.initErrors.late, "Error: init() was already called: the module is loaded once, with the first call's options; call init() without options to wait for it");
    });
    check('the page requested its own files only: no Node built-in, nothing else', () => {
      const allowed = new Set(['/', '/missing.wasm', ...FILES.keys()]);
      const other = requests.filter((r) => !allowed.has(r));
      assert.deepEqual(other, []);
      assert.ok(!requests.some((r) => builtinModules.some((m) => r.includes(`node:${m}`) || r === `/${m}`)));
      assert.ok(requests.includes('/quantkit.wasm'), 'the module was not fetched');
    });
    check('the ImageData the canvas drew is the one Node paints', () => {
      const name = 'image pixels';
      assert.equal(result.digests.find(([n]) => n === name)[1], node.digests.find(([n]) => n === name)[1]);
    });
    for (const [name, digest] of node.digests) {
      check(`${name}: the browser's bytes are Node's (${node.backend}, wasm and TypeScript backends)`, () => {
        const b = result.digests.find(([n]) => n === name);
        assert.ok(b, `the page has no '${name}'`);
        assert.equal(b[1], digest, `browser vs Node (${node.backend})`);
        assert.equal(wasm.digests.find(([n]) => n === name)[1], digest, 'Node: the wasm backend vs the default one');
        assert.equal(fallback.digests.find(([n]) => n === name)[1], digest, 'Node: the TypeScript backend vs the default one');
      });
    }
    check('the digest of every output is the same in the browser and in Node', () => {
      assert.equal(result.digests.length, node.digests.length);
      assert.equal(result.digest, node.digest);
    });
  } finally {
    if (context) await context.close().catch(() => {});
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(`test-browser: ${Date.now() - started} ms`);
}

main().then(
  () => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed === 0 ? 0 : 1);
  },
  (e) => {
    console.error(`test-browser: ${e.stack || e.message}`);
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  },
);
