'use strict';
// The WebAssembly backend's binding itself (lib/backend-wasm), beyond what every suite checks
// through the facade on it: memory past 2 GiB (addresses that read as negative int32s unless
// made unsigned), calls larger than the module's allocator takes, and modules that are not
// quantkit's. Runs once (test/run.js ONCE): it makes its own instances, whatever the backend.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { loadWasm, WASM_MODULE } = require('../dist/core/loader');
const { createWasmBinding } = require('../dist/backend-wasm');
const { fallbackBinding } = require('../dist/backend-ts');

const ROOT = path.join(__dirname, '..');

describe('the WebAssembly binding', function () {
  this.timeout(Math.max(this.timeout(), 120000));

  it('works with its memory past 2 GiB (addresses above 2^31)', () => {
    const { binding, reason } = loadWasm();
    assert.ok(binding, reason);
    const keep = binding.allocate(Uint8Array, 1.6e9).byteOffset; // pushes the next blocks past 2^31
    try {
      const n = 150e6; // 600 MB in, 150 MB out: a block that spans 2^31
      const x = new Float32Array(n);
      for (let i = 0; i < n; i += 4099) x[i] = (i % 1000) - 500.25;
      x[n - 1] = 77.5;
      const q = new Int8Array(n);
      binding.quantize(x, q, 0.5, 3, -128, 127, 0);
      assert.ok(binding.memory.buffer.byteLength > 2 ** 31, `memory ${binding.memory.buffer.byteLength}`);
      const want = new Int8Array(64);
      for (const at of [0, 4099, 4099 * 1000, n - 64]) {
        fallbackBinding.quantize(x.subarray(at, at + 64), want, 0.5, 3, -128, 127, 0);
        assert.deepEqual(q.subarray(at, at + 64), want, `at ${at}`);
      }
    } finally {
      // The memory grew since: the view is detached, its memory is where it was.
      binding.release(new Uint8Array(binding.memory.buffer, keep, 0));
    }
  });

  it('refuses a call larger than it can take in one piece, naming the bytes, before copying', () => {
    const { binding } = loadWasm();
    const x = new Float32Array(new ArrayBuffer(4 * 600e6)); // never touched: the check comes first
    assert.throws(() => binding.quantize(x, new Int8Array(600e6), 1, 0, -128, 127, 0), {
      name: 'RangeError',
      message: 'quantize needs 3000000016 bytes of WebAssembly memory for its arrays, more than the 2147418112 the WebAssembly backend can take in one call: use smaller calls (or the native addon)',
    });
  });

  it('refuses a module that is not quantkit\'s, and one of another version', () => {
    // The smallest valid module: the magic number and version 1, no sections.
    const empty = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    assert.throws(() => createWasmBinding(empty), { name: 'Error', message: /^this is not quantkit's WebAssembly module: it does not export memory, _initialize, qk_version, / });
    const bytes = fs.readFileSync(path.join(ROOT, WASM_MODULE));
    const at = bytes.indexOf(Buffer.from(`${require('../package.json').version}\0`));
    assert.ok(at > 0);
    bytes[at] = '9'.charCodeAt(0);
    assert.throws(() => createWasmBinding(new WebAssembly.Module(bytes)), { name: 'Error', message: /^the WebAssembly module was built for quantkit 9/ });
  });

  it('refuses an isa it cannot run', () => {
    const module = new WebAssembly.Module(fs.readFileSync(path.join(ROOT, WASM_MODULE)));
    assert.throws(() => createWasmBinding(module, { isa: 'avx2' }), { name: 'RangeError', message: "Expected the WebAssembly backend's isa to be one of scalar, simd128 but received 'avx2'" });
    assert.equal(createWasmBinding(module, { isa: 'scalar' }).isa, 'scalar');
  });
});
