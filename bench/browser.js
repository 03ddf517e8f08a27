'use strict';
// The browser build's speed in Debian's headless Chromium (the README's Installing table):
// quantize (float32 -> int8) and dequantize (int8 -> float32) of 64K and 1M elements through
// quantkit/browser, timed in the page with performance.now(), median of 9 rounds (each the mean
// of a batch). Needs `npm run build:browser` (and the WebAssembly module) first.
//
//   node bench/browser.js
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const root = path.join(__dirname, '..');
const FILES = {
  '/quantkit.mjs': ['text/javascript', path.join(root, 'dist', 'browser', 'quantkit.mjs')],
  '/quantkit.wasm': ['application/wasm', path.join(root, 'dist', 'browser', 'quantkit.wasm')],
};
const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
window.result = (async () => {
  const qk = await import('/quantkit.mjs');
  await qk.init();
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const rows = {};
  for (const n of [65536, 1048576]) {
    const x = new Float32Array(n).map((_, i) => Math.sin(i) * 4);
    const q = new Int8Array(n), back = new Float32Array(n);
    const params = { scale: 0.03125, zeroPoint: 0, dtype: 'int8' };
    const calls = Math.max(3, Math.round(2e7 / n));
    for (const [op, run] of [['quantize', () => qk.quantize(x, params, q)], ['dequantize', () => qk.dequantize(q, params, back)]]) {
      const t = [];
      for (let r = 0; r < 11; r++) {
        const a = performance.now();
        for (let k = 0; k < calls; k++) run();
        if (r >= 2) t.push((performance.now() - a) * 1000 / calls);
      }
      rows[op + ' ' + n] = median(t);
    }
  }
  return { isa: qk.backend.isa, rows };
})();
</script>`;

async function main() {
  const server = http.createServer((req, res) => {
    const file = FILES[new URL(req.url, 'http://x').pathname];
    if (req.url === '/') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(PAGE); return; }
    if (!file) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': file[0] });
    res.end(fs.readFileSync(file[1]));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.QUANTKIT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const { isa, rows } = await page.evaluate(() => window.result);
    console.log(`Chromium ${context.browser()?.version() ?? ''}, quantkit/browser on wasm/${isa}; µs per call (median of 9 rounds)`);
    for (const [k, v] of Object.entries(rows)) console.log(`${k.padEnd(20)} ${v.toFixed(1).padStart(9)}`);
  } finally {
    await context.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/browser: ${e.message}`);
  process.exit(1);
});
