// Picks the backend once, at require time, and explains itself: when the addon cannot be
// used, every reason is kept, for the fallback's `backend.reason` or for the error that
// QUANTKIT_BACKEND=native turns the failure into.
import * as path from 'node:path';
import type { QuantkitBinding } from '../binding';
import { fallbackBinding } from './fallback';
import { version } from './version';

export type BackendName = 'native' | 'fallback';

export interface BackendInfo {
  /** Which backend runs the calls. */
  readonly name: BackendName;
  /** The kernel in use: 'scalar' | 'sse2' | 'avx2' | 'avx512' | 'neon' for native, 'js' for fallback. */
  readonly isa: string;
  /** The package version. */
  readonly version: string;
  /** Threads one large call may use (QUANTKIT_THREADS for the addon; always 1 for the fallback). */
  readonly threads: number;
  /** Why the fallback is in use (absent for the native backend). */
  readonly reason?: string;
}

export interface LoadedBackend {
  binding: QuantkitBinding;
  info: BackendInfo;
}

const PACKAGE_ROOT = path.join(__dirname, '..');
const REQUIRED_CALLS = [
  'quantize', 'dequantize', 'minMax', 'quantizePacked', 'dequantizePacked', 'pack', 'unpack', 'recode',
  'toFloat16', 'fromFloat16', 'toBFloat16', 'fromBFloat16', 'ggmlQuantize', 'ggmlDequantize',
  'quantizeAxis', 'dequantizeAxis', 'minMaxAxis', 'quantizeFloat8', 'dequantizeFloat8',
  'errorStatsQuantize', 'errorStatsPair', 'histogramAdd',
] as const;

/** The first line of an error: Node's require errors append the whole require stack. */
function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

/**
 * The addon, or the reasons it cannot be used. `file` (QUANTKIT_ADDON) names one .node file
 * to load instead of searching: a sanitizer or debug build, or a cross-compiled one.
 */
export function loadNative(root: string = PACKAGE_ROOT, file: string | undefined = process.env.QUANTKIT_ADDON): { binding?: QuantkitBinding; reasons: string[] } {
  const reasons: string[] = [];
  let binding: QuantkitBinding;
  try {
    if (file) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      binding = require(path.resolve(file)) as QuantkitBinding;
    } else {
      // node-gyp-build looks in prebuilds/<platform>-<arch>/ and in build/Release (cmake-js output).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const load = require('node-gyp-build') as (dir: string) => unknown;
      binding = load(root) as QuantkitBinding;
    }
  } catch (e) {
    reasons.push(`the addon could not be loaded${file ? ` from QUANTKIT_ADDON=${file}` : ''}: ${message(e)}`);
    return { reasons };
  }
  for (const call of REQUIRED_CALLS) {
    if (typeof binding[call] !== 'function') reasons.push(`the addon has no '${call}' function (a build from another version?)`);
  }
  if (binding.version !== version) {
    reasons.push(`the addon was built for quantkit ${String(binding.version)} but this is ${version}; run 'npm run build:native'`);
  }
  return reasons.length === 0 ? { binding, reasons } : { reasons };
}

export function loadBackend(env: Readonly<Record<string, string | undefined>> = process.env, root: string = PACKAGE_ROOT): LoadedBackend {
  // '' (not undefined) when unset: loadNative's default would read process.env instead of env.
  const addonFile = env.QUANTKIT_ADDON ?? '';
  const choice = env.QUANTKIT_BACKEND ?? '';
  if (choice !== '' && choice !== 'native' && choice !== 'fallback') {
    throw new RangeError(`Expected QUANTKIT_BACKEND to be 'native', 'fallback' or unset but received '${choice}'`);
  }
  if (choice === 'fallback') {
    return { binding: fallbackBinding, info: { name: 'fallback', isa: fallbackBinding.isa, version, threads: 1, reason: 'QUANTKIT_BACKEND=fallback' } };
  }
  const { binding, reasons } = loadNative(root, addonFile);
  if (binding) return { binding, info: { name: 'native', isa: binding.isa, version, threads: binding.threads } };
  if (choice === 'native') {
    throw new Error(`QUANTKIT_BACKEND=native but the native addon is not usable:\n- ${reasons.join('\n- ')}`);
  }
  return { binding: fallbackBinding, info: { name: 'fallback', isa: fallbackBinding.isa, version, threads: 1, reason: reasons.join('; ') } };
}
