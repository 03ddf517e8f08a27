'use strict';
// The package as users load it: CommonJS and ESM entry points, the typings a strict
// TypeScript consumer compiles against, and the loader's choice of backend.
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const qk = require('./support/quantkit');
const { loadBackend, loadNative, WASM_MODULE } = require('../dist/core/loader');

const ROOT = path.join(__dirname, '..');
// Whether this engine runs WebAssembly SIMD (V8 needs SSE4.1 on x86-64: test:baseline's emulated
// SSE2-only CPU has none). Where it does not, the loader must fall back to TypeScript and say why.
const WASM_SIMD_ERROR = (() => {
  try {
    new WebAssembly.Module(fs.readFileSync(path.join(ROOT, WASM_MODULE)));
    return undefined;
  } catch (e) {
    return e.message;
  }
})();

describe(`the package (${qk.backend.name}/${qk.backend.isa})`, () => {
  it('ESM import gives the same module and functions as require', async () => {
    const esm = await import('quantkit');
    for (const name of ['paramsFromRange', 'computeParams', 'minMax', 'quantize', 'dequantize', 'quantizeDynamic', 'backend']) {
      assert.equal(esm[name], qk[name], name);
      assert.equal(esm.default[name], qk[name], `default.${name}`);
    }
  });

  it('an ESM program can quantize', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "import { quantize } from 'quantkit'; console.log(Array.from(quantize(new Float32Array([0, 2, 3, 1000, -254, -1000]), { scale: 2, zeroPoint: 128, dtype: 'uint8' })).join(','))"],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(out.trim(), '128,129,130,255,1,0');
  });

  it('backend says which backend and kernel run', () => {
    assert.ok(['native', 'wasm', 'fallback'].includes(qk.backend.name));
    assert.equal(qk.backend.version, require('../package.json').version);
    assert.equal(typeof qk.backend.isa, 'string');
    assert.ok(Object.isFrozen(qk.backend));
    if (qk.backend.name === 'fallback') assert.equal(qk.backend.isa, 'js');
    if (qk.backend.name === 'wasm') assert.ok(['simd128', 'scalar'].includes(qk.backend.isa), qk.backend.isa);
    if (qk.backend.name === 'native') assert.equal(qk.backend.reason, undefined);
    else assert.equal(typeof qk.backend.reason, 'string');
  });

  describe('loader', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-no-addon-'));
    after(() => fs.rmSync(empty, { recursive: true, force: true }));

    it('falls back with a reason when the addon is missing', () => {
      const { binding, info } = loadBackend({}, empty);
      assert.equal(info.name, 'fallback');
      assert.equal(info.isa, 'js');
      assert.match(info.reason, /^the addon could not be loaded: No native build was found/);
      assert.match(info.reason, /; the WebAssembly module could not be read \(ENOENT: .*quantkit\.wasm; in a checkout, run 'npm run build:wasm'\); to use the native addon, /);
      assert.equal(typeof binding.quantize, 'function');
    });

    it('takes the WebAssembly module when the addon is missing, and says why', () => {
      // A package root with the module but no addon: what a platform without a prebuild gets.
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quantkit-wasm-only-'));
      try {
        fs.mkdirSync(path.join(root, 'prebuilds', 'wasm'), { recursive: true });
        fs.copyFileSync(path.join(ROOT, WASM_MODULE), path.join(root, WASM_MODULE));
        const { binding, info } = loadBackend({}, root);
        if (WASM_SIMD_ERROR !== undefined) {
          assert.equal(info.name, 'fallback');
          assert.ok(info.reason.includes(`; the WebAssembly module could not be used: ${WASM_SIMD_ERROR}`), info.reason);
          return;
        }
        assert.equal(info.name, 'wasm');
        assert.equal(info.threads, 1);
        assert.ok(binding.isaAvailable.includes(info.isa), info.isa);
        assert.match(info.reason, /^the addon could not be loaded: No native build was found/);
        const x = Float32Array.from([0, 1.5, -2.5, 1000]);
        const q = new Int8Array(4);
        binding.quantize(x, q, 0.5, 0, -128, 127, 0);
        assert.deepEqual(Array.from(q), [0, 3, -5, 127]);
        // A module from another version is refused by name, and the fallback says so.
        const bytes = fs.readFileSync(path.join(root, WASM_MODULE));
        const at = bytes.indexOf(Buffer.from(`${qk.backend.version}\0`));
        assert.ok(at > 0, 'the version string is in the module');
        bytes[at] = '9'.charCodeAt(0);
        fs.writeFileSync(path.join(root, WASM_MODULE), bytes);
        const other = loadBackend({}, root);
        assert.equal(other.info.name, 'fallback');
        assert.match(other.info.reason, /the WebAssembly module could not be used: the WebAssembly module was built for quantkit 9\S* but this is /);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('QUANTKIT_BACKEND=wasm forces the WebAssembly module, and is an error without it', () => {
      if (WASM_SIMD_ERROR !== undefined) {
        assert.throws(() => loadBackend({ QUANTKIT_BACKEND: 'wasm' }), { message: `QUANTKIT_BACKEND=wasm but the WebAssembly module could not be used: ${WASM_SIMD_ERROR}` });
        return;
      }
      const { info } = loadBackend({ QUANTKIT_BACKEND: 'wasm' });
      assert.equal(info.name, 'wasm');
      assert.equal(info.reason, 'QUANTKIT_BACKEND=wasm');
      const capped = loadBackend({ QUANTKIT_BACKEND: 'wasm', QUANTKIT_ISA: 'scalar' });
      assert.equal(capped.info.isa, 'scalar');
      assert.throws(() => loadBackend({ QUANTKIT_BACKEND: 'wasm' }, empty), (e) => {
        assert.match(e.message, /^QUANTKIT_BACKEND=wasm but the WebAssembly module could not be read \(ENOENT: /);
        return true;
      });
    });

    it('QUANTKIT_BACKEND=native makes a missing addon an error listing every reason', () => {
      assert.throws(() => loadBackend({ QUANTKIT_BACKEND: 'native' }, empty), (e) => {
        assert.match(e.message, /^QUANTKIT_BACKEND=native but the native addon is not usable:\n- the addon could not be loaded: /);
        return true;
      });
    });

    it('QUANTKIT_ADDON loads one named .node file, and says so when it cannot', () => {
      const file = path.join(empty, 'missing.node');
      const { info } = loadBackend({ QUANTKIT_ADDON: file });
      assert.equal(info.name, WASM_SIMD_ERROR === undefined ? 'wasm' : 'fallback');
      assert.ok(info.reason.startsWith(`the addon could not be loaded from QUANTKIT_ADDON=${file}: Cannot find module '${file}'`), info.reason);
      const built = loadNative();
      assert.ok(built.binding, 'this test needs the built addon');
      const named = loadBackend({ QUANTKIT_ADDON: require('node-gyp-build').path(ROOT) });
      assert.equal(named.info.name, 'native');
    });

    it('QUANTKIT_BACKEND=fallback forces the TypeScript backend', () => {
      const { info } = loadBackend({ QUANTKIT_BACKEND: 'fallback' });
      assert.deepEqual({ ...info }, { name: 'fallback', isa: 'js', version: qk.backend.version, threads: 1, reason: 'QUANTKIT_BACKEND=fallback' });
    });

    it('an unknown QUANTKIT_BACKEND is an error, at require time too', () => {
      assert.throws(() => loadBackend({ QUANTKIT_BACKEND: 'gpu' }), {
        name: 'RangeError',
        message: "Expected QUANTKIT_BACKEND to be 'native', 'wasm', 'fallback' or unset but received 'gpu'",
      });
      const r = spawnSync(process.execPath, ['-e', "require('quantkit')"], { cwd: ROOT, env: { ...process.env, QUANTKIT_BACKEND: 'gpu' }, encoding: 'utf8' });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /Expected QUANTKIT_BACKEND to be 'native', 'wasm', 'fallback' or unset but received 'gpu'/);
    });

    it('QUANTKIT_THREADS sets the threads of a large call, and a bad value is a RangeError at require time', function () {
      this.timeout(Math.max(this.timeout(), 60000)); // a dozen node processes on a loaded machine
      const show = (threads, backend = '') =>
        spawnSync(process.execPath, ['-e', "console.log(JSON.stringify(require('quantkit').backend))"], {
          cwd: ROOT,
          env: { ...process.env, QUANTKIT_BACKEND: backend, QUANTKIT_THREADS: threads },
          encoding: 'utf8',
        });
      assert.equal(JSON.parse(show('1').stdout).threads, 1);
      assert.equal(JSON.parse(show('').stdout).threads, 2);
      for (const bad of ['0', '9', 'two', '1.5', ' 2']) {
        for (const backend of ['', 'fallback']) {
          const r = show(bad, backend);
          assert.notEqual(r.status, 0, `QUANTKIT_THREADS='${bad}' QUANTKIT_BACKEND='${backend}' loaded`);
          assert.match(r.stderr, new RegExp(`RangeError: Expected QUANTKIT_THREADS to be an integer from 1 to 8 but received '${bad.replace('.', '\\.')}'`));
        }
      }
    });

    it('an unknown QUANTKIT_ISA is a RangeError at require time (the addon refuses it too, with the same words)', () => {
      const r = spawnSync(process.execPath, ['-e', "console.log(JSON.stringify(require('quantkit').backend))"], {
        cwd: ROOT,
        env: { ...process.env, QUANTKIT_BACKEND: '', QUANTKIT_ISA: 'mmx' },
        encoding: 'utf8',
      });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /RangeError: Expected QUANTKIT_ISA to be one of scalar, sse2, avx2, avx512, neon, simd128 but received 'mmx'/);
    });
  });
});
