// The synchronous API over one binding, wired once for both entries: lib/index.ts (Node: the
// backend picked at load) and lib/browser/index.mts (the WebAssembly module init() loads).
// Each capability's facade lives in its own folder; this only connects them to each other
// (compare() needs quantize, computeParams, ggml and the half conversions).
import type { QuantkitBinding } from '../../binding';
import { ggmlFacade, type Ggml } from '../ggml';
import { float16Api } from '../float16';
import { signApi } from '../sign';
import { computeParams, quantize } from '../affine';
import { calibrateApi, type CompareCalls } from '../calibrate';
import { preprocessApi } from '../preprocess';
import { halfWidener } from './half-input';

/** The float16, sign, ggml, calibrate and preprocess facades over `binding`. */
export function syncApi(binding: QuantkitBinding) {
  const half = float16Api(binding);
  const ggml: Ggml = ggmlFacade(binding);
  const calibrate = calibrateApi(binding, {
    quantize: quantize as CompareCalls['quantize'],
    computeParams: computeParams as CompareCalls['computeParams'],
    ggmlQuantize: (x, type) => ggml.quantize(x, type),
    toHalf: (x, format) => (format === 'float16' ? half.toFloat16(x) : half.toBFloat16(x)),
  });
  return { ...half, ...signApi(binding), ggml, ...calibrate, ...preprocessApi(binding, halfWidener(binding), quantize as never) };
}
