'use strict';
// Which suites run where: the one rule test/run.js, scripts/test-asan.js, test-baseline.js and
// test-arm64.js share.

/**
 * The file and async suites (model files, ONNX models, the command, async twins and streams):
 * TypeScript over facade calls whose kernels the other suites check at every level. They run
 * on the top native level and on the TypeScript backend (and under ASan at its top level), not
 * again at each kernel level nor under qemu.
 */
function isFileSuite(f) {
  return /^(io-.*|onnx-(?!oracle|vectors).*|cli|async(-.*)?)\.test\.js$/.test(f);
}

// The runtime suites: what depends on the runtime (the Node release, the OS) rather than on the
// kernels (which npm test checks at every level, and test:baseline, test:asan and test:arm64
// elsewhere); scripts/node-matrix.js runs them on every other Node line, scripts/test-wine.js
// under Windows' Node in Wine:
//   loader, native-glue: dlopen of the addon and every Node-API call's checks under that Node;
//   threads:             the context-aware addon in worker_threads;
//   module:              CJS/ESM resolution and loading (require() of ES modules is new in 22);
//   parity:              the TypeScript backend's bits (V8's float arithmetic, Math.fround, typed
//                        arrays) against the addon's, on random and edge inputs;
//   float16, half-input: float16 input and output, and Float16Array where the runtime has it;
//   errors, options:     TypedArray kinds, detached and resizable buffers, the error messages;
//   quantize, dequantize: the main calls end to end through the facade;
//   io-safetensors, cli: the fs, stream, signal and child-process APIs the readers and the command use;
//   async, async-stream: worker threads, postMessage's transfer rules (Node 21 refuses what Node 20
//                        copies), ArrayBuffer.prototype.transfer, resizable buffers, AbortSignal, streams.
// Left to npm test (on CI's Node only): types (tsc's verdict on the typings does not depend on
// the Node running it), and the suites whose time goes to third-party oracles (ONNX Runtime,
// PyTorch, NumPy, sharp) or to the kernels at every dtype and layout (axis, packed, ggml,
// float8, calibrate, embeddings, the ONNX model, GGUF, tfjs, .npy and image suites).
const RUNTIME = ['loader', 'native-glue', 'threads', 'module', 'parity', 'float16', 'half-input', 'errors', 'options', 'quantize', 'dequantize', 'io-safetensors', 'cli', 'async', 'async-stream'];

module.exports = { isFileSuite, RUNTIME };
