// The browser build's typings (quantkit/browser): init() first, then the same calls as the
// Node entry; the async twins are not there.
import quantkit, { init, isReady, quantize, backend, ggml, type BackendInfo, type InitOptions } from 'quantkit/browser';
// @ts-expect-error the async twins run on worker_threads: not in the browser build
import { quantizeAsync } from 'quantkit/browser';

const options: InitOptions = { wasm: new URL('https://example.com/quantkit.wasm'), isa: 'simd128' };
const info: BackendInfo = await init(options);
// @ts-expect-error isa is 'simd128' or 'scalar'
await init({ isa: 'avx2' });
const q: Int8Array = quantize(new Float32Array(2), { scale: 1, zeroPoint: 0, dtype: 'int8' });
const bytes: Uint8Array = ggml.quantize(new Float32Array(32), 'q8_0');
// @ts-expect-error no quantizeAsync on the browser's ggml
ggml.quantizeAsync(new Float32Array(32), 'q8_0');
const ready: boolean = isReady() && quantkit.isReady();
export { info, q, bytes, ready, backend, quantizeAsync };
