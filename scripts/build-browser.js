#!/usr/bin/env node
// Builds the browser build (`import { init, quantize } from 'quantkit/browser'`) with esbuild:
// lib/browser/index.mts bundled as one ES module, dist/browser/quantkit.mjs, in which
// lib/core/backend (the Node loader: fs, path, the addon) is replaced by lib/browser/backend.ts
// and lib/async/observer (worker_threads) by lib/browser/observer.ts, with the WebAssembly
// module (prebuilds/wasm/quantkit.wasm, scripts/build-wasm.js) copied next to it as
// dist/browser/quantkit.wasm. The typings are tsc's (dist/browser/index.d.mts).
//
//   node scripts/build-browser.js [--require-wasm]
//
// Without the module (a clean clone has no emscripten) the bundle is still made and this says
// so; --require-wasm (npm pack) refuses instead. A Node built-in anywhere on the bundle's import
// path fails the build (platform 'browser' cannot resolve it), as does one left in the output.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const lib = path.join(root, 'lib');
const outDir = path.join(root, 'dist', 'browser');
const wasmModule = path.join(root, 'prebuilds', 'wasm', 'quantkit.wasm');

/** The Node-only modules of lib/ and their browser replacements. */
const REPLACED = new Map([
  [path.join(lib, 'core', 'backend'), path.join(lib, 'browser', 'backend.ts')],
  [path.join(lib, 'async', 'observer'), path.join(lib, 'browser', 'observer.ts')],
]);

const browserModules = {
  name: 'quantkit-browser-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path).replace(/\.(js|ts)$/, '');
      const replacement = REPLACED.get(target);
      return replacement === undefined ? undefined : { path: replacement };
    });
    // The version as a constant, not package.json whole (lib/core/version.ts requires it).
    build.onLoad({ filter: /[\\/]lib[\\/]core[\\/]version\.ts$/ }, () => ({
      contents: `export const version = ${JSON.stringify(require('../package.json').version)};`,
      loader: 'ts',
    }));
  },
};

async function main() {
  const requireWasm = process.argv.includes('--require-wasm');
  const started = Date.now();
  fs.mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [path.join(lib, 'browser', 'index.mts')],
    outfile: path.join(outDir, 'quantkit.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Every browser with WebAssembly SIMD (Chrome 91, Firefox 89, Safari 16.4) runs ES2021.
    target: 'es2021',
    plugins: [browserModules],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs);
  // Nothing from node_modules either: the browser build has no dependencies.
  const nodeOnly = inputs.filter((f) => f.startsWith('node:') || builtinModules.includes(f) || /node_modules|lib[\\/](core[\\/](loader|backend)\.ts|async[\\/])/.test(f));
  if (nodeOnly.length > 0) throw new Error(`the bundle took in Node-only modules: ${nodeOnly.join(', ')}`);
  const code = fs.readFileSync(path.join(outDir, 'quantkit.mjs'), 'utf8');
  const leak = code.match(/\brequire\s*\(|\bprocess\.|\b__dirname\b|["']node:/);
  if (leak) throw new Error(`dist/browser/quantkit.mjs still uses Node: '${leak[0]}'`);
  let wasm = 'no WebAssembly module (prebuilds/wasm/quantkit.wasm is missing: run `npm run build:wasm`)';
  if (fs.existsSync(wasmModule)) {
    fs.copyFileSync(wasmModule, path.join(outDir, 'quantkit.wasm'));
    wasm = `quantkit.wasm ${fs.statSync(wasmModule).size} bytes`;
  } else if (requireWasm) {
    throw new Error('prebuilds/wasm/quantkit.wasm is missing: run `npm run build:wasm` (the browser build needs it)');
  } else {
    fs.rmSync(path.join(outDir, 'quantkit.wasm'), { force: true });
  }
  console.log(`build-browser: dist/browser/quantkit.mjs ${code.length} bytes from ${inputs.length} modules, ${wasm} (${Date.now() - started} ms)`);
}

main().catch((e) => {
  console.error(`build-browser: ${e.message}`);
  process.exit(1);
});
