// Picks the backend once, at require time, and explains itself: when the addon cannot be
// used, every reason is kept, for the fallback's `backend.reason` or for the error that
// QUANTKIT_BACKEND=native turns the failure into, with what to do about it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { QuantkitBinding } from '../../binding';
import { fallbackBinding } from '../backend-ts';
import { createWasmBinding } from '../backend-wasm';
import { version } from './version';

export type BackendName = 'native' | 'wasm' | 'fallback';

export interface BackendInfo {
  /** Which backend runs the calls. */
  readonly name: BackendName;
  /** The kernel in use: 'scalar' | 'sse2' | 'avx2' | 'avx512' | 'neon' for native, 'simd128' | 'scalar' for wasm, 'js' for fallback. */
  readonly isa: string;
  /** The package version. */
  readonly version: string;
  /** Threads one large call may use (QUANTKIT_THREADS for the addon; always 1 for wasm and the fallback). */
  readonly threads: number;
  /** Why the addon is not in use (absent for the native backend). */
  readonly reason?: string;
}

export interface LoadedBackend {
  binding: QuantkitBinding;
  info: BackendInfo;
}

// dist/core/loader.js: the package root is two levels up.
const PACKAGE_ROOT = path.join(__dirname, '..', '..');
const REQUIRED_CALLS = [
  'quantize', 'dequantize', 'minMax', 'quantizePacked', 'dequantizePacked', 'pack', 'unpack', 'recode',
  'toFloat16', 'fromFloat16', 'toBFloat16', 'fromBFloat16', 'ggmlQuantize', 'ggmlDequantize',
  'quantizeAxis', 'dequantizeAxis', 'minMaxAxis', 'findBadScale', 'quantizeFloat8', 'dequantizeFloat8',
  'errorStatsQuantize', 'errorStatsPair', 'histogramAdd',
  'imageToTensor', 'quantizeEmbeddings', 'binarizeEmbeddings',
] as const;

/**
 * Where scripts/install.js keeps why the install-time build failed (FAILURE_RECORD in
 * scripts/native-build.js, the same path): npm hides that script's output, so without the
 * record the reason would be lost by the time the package is loaded.
 */
const INSTALL_FAILURE_RECORD = path.join('build', 'install-failure.json');
/** The fix when no record says otherwise; scripts/native-build.js gives the same (BUILD_ADVICE). */
const BUILD_ADVICE = 'to use the native addon, install cmake (3.19 or newer) and a C++17 compiler, then run `npm rebuild quantkit`';

interface InstallFailure {
  reason: string;
  advice: string;
}

/**
 * The install-time failure kept under `root`, if it belongs to this version on this platform
 * (a node_modules copied from elsewhere says nothing about this machine). A missing or
 * unreadable record is no record: it only ever adds to the explanation.
 */
function installFailure(root: string): InstallFailure | undefined {
  let record: unknown;
  try {
    record = JSON.parse(fs.readFileSync(path.join(root, INSTALL_FAILURE_RECORD), 'utf8'));
  } catch {
    return undefined;
  }
  const r = record as Partial<Record<'version' | 'platform' | 'arch' | 'reason' | 'advice', unknown>> | null;
  if (r === null || typeof r !== 'object' || r.version !== version || r.platform !== process.platform || r.arch !== process.arch || typeof r.reason !== 'string') {
    return undefined;
  }
  return { reason: r.reason, advice: typeof r.advice === 'string' ? r.advice : BUILD_ADVICE };
}

/**
 * Why no addon was found (`notFound`: node-gyp-build matched nothing for this platform) or
 * the one found does not load (dlopen refused it, e.g. built against a newer glibc), beyond
 * the loader's own message; and what to do.
 */
function explainMissingAddon(root: string, notFound: boolean): { reasons: string[]; advice: string } {
  const reasons: string[] = [];
  const platform = `${process.platform}-${process.arch}`;
  if (notFound) {
    reasons.push(fs.existsSync(path.join(root, 'prebuilds', platform))
      ? `none of the prebuilds for ${platform} fits this system`
      : `quantkit has no prebuild for ${platform}`);
  }
  const kept = installFailure(root);
  if (kept) {
    reasons.push(`the native addon was not built at install time: ${kept.reason}`);
  } else if (notFound) {
    // install.js records every failure, so without a record it did not run here.
    reasons.push('nothing was built from source at install time (were install scripts disabled, e.g. --ignore-scripts?)');
  }
  return { reasons, advice: kept?.advice ?? BUILD_ADVICE };
}

/** The first line of an error: Node's require errors append the whole require stack. */
function message(e: unknown): string {
  // Windows' messages end with \r\n: the reason stays one line there too.
  return (e instanceof Error ? e.message : String(e)).split(/\r?\n/)[0] ?? '';
}

/**
 * The addon, or the reasons it cannot be used and, when building it would help, `advice`: the
 * one thing to do. `file` (QUANTKIT_ADDON) names one .node file to load instead of searching:
 * a sanitizer or debug build, or a cross-compiled one.
 */
export function loadNative(root: string = PACKAGE_ROOT, file: string | undefined = process.env.QUANTKIT_ADDON): { binding?: QuantkitBinding; reasons: string[]; advice?: string } {
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
    // A file named by QUANTKIT_ADDON is the user's own; an addon that loaded but refused to
    // start (a bad QUANTKIT_ISA or QUANTKIT_THREADS) names its fix in its message. Only a
    // missing addon, or one the dynamic loader rejects, calls for a build.
    const notFound = message(e).startsWith('No native build was found');
    if (file || !(notFound || (e as NodeJS.ErrnoException).code === 'ERR_DLOPEN_FAILED')) return { reasons };
    const more = explainMissingAddon(root, notFound);
    return { reasons: [...reasons, ...more.reasons], advice: more.advice };
  }
  for (const call of REQUIRED_CALLS) {
    if (typeof binding[call] !== 'function') reasons.push(`the addon has no '${call}' function (a build from another version?)`);
  }
  if (binding.version !== version) {
    reasons.push(`the addon was built for quantkit ${String(binding.version)} but this is ${version} (in a checkout, run 'npm run build:native')`);
  }
  return reasons.length === 0 ? { binding, reasons } : { reasons, advice: BUILD_ADVICE };
}

const ISA_NAMES = ['scalar', 'sse2', 'avx2', 'avx512', 'neon', 'simd128'];
/** The kernel levels of the WebAssembly module: QUANTKIT_ISA caps it only when it names one. */
const WASM_ISA_NAMES = ['scalar', 'simd128'];

/** The WebAssembly module (scripts/build-wasm.js), shipped in the package. */
export const WASM_MODULE = path.join('prebuilds', 'wasm', 'quantkit.wasm');

/**
 * The WebAssembly backend, or why it cannot be used: the module is missing (a checkout
 * without `npm run build:wasm`), belongs to another version, or this runtime has no
 * WebAssembly SIMD.
 */
export function loadWasm(root: string = PACKAGE_ROOT, isa: string = process.env.QUANTKIT_ISA ?? ''): { binding?: QuantkitBinding; reason?: string } {
  const file = path.join(root, WASM_MODULE);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return { reason: `the WebAssembly module could not be read (${(e as NodeJS.ErrnoException).code ?? message(e)}: ${file}; in a checkout, run 'npm run build:wasm')` };
  }
  try {
    return { binding: createWasmBinding(new WebAssembly.Module(new Uint8Array(bytes)), { isa: WASM_ISA_NAMES.includes(isa) ? isa : undefined }) };
  } catch (e) {
    return { reason: `the WebAssembly module could not be used: ${message(e)}` };
  }
}

const MAX_THREADS = 8;

/**
 * QUANTKIT_ISA and QUANTKIT_THREADS, checked before anything loads: a mistyped value is a
 * RangeError at require time (as a bad QUANTKIT_BACKEND is), not a silent switch to the
 * slower TypeScript backend. The addon checks them again with the same words.
 */
function checkTuning(env: Readonly<Record<string, string | undefined>>): void {
  const isa = env.QUANTKIT_ISA ?? '';
  if (isa !== '' && !ISA_NAMES.includes(isa)) {
    throw new RangeError(`Expected QUANTKIT_ISA to be one of ${ISA_NAMES.join(', ')} but received '${isa}'`);
  }
  const threads = env.QUANTKIT_THREADS ?? '';
  if (threads !== '' && !(/^\d+$/.test(threads) && Number(threads) >= 1 && Number(threads) <= MAX_THREADS)) {
    throw new RangeError(`Expected QUANTKIT_THREADS to be an integer from 1 to ${MAX_THREADS} but received '${threads}'`);
  }
}

export function loadBackend(env: Readonly<Record<string, string | undefined>> = process.env, root: string = PACKAGE_ROOT): LoadedBackend {
  // '' (not undefined) when unset: loadNative's default would read process.env instead of env.
  const addonFile = env.QUANTKIT_ADDON ?? '';
  const choice = env.QUANTKIT_BACKEND ?? '';
  if (choice !== '' && choice !== 'native' && choice !== 'wasm' && choice !== 'fallback') {
    throw new RangeError(`Expected QUANTKIT_BACKEND to be 'native', 'wasm', 'fallback' or unset but received '${choice}'`);
  }
  checkTuning(env);
  if (choice === 'fallback') {
    return { binding: fallbackBinding, info: { name: 'fallback', isa: fallbackBinding.isa, version, threads: 1, reason: 'QUANTKIT_BACKEND=fallback' } };
  }
  const isa = env.QUANTKIT_ISA ?? '';
  if (choice === 'wasm') {
    const wasm = loadWasm(root, isa);
    if (wasm.binding) return { binding: wasm.binding, info: { name: 'wasm', isa: wasm.binding.isa, version, threads: 1, reason: 'QUANTKIT_BACKEND=wasm' } };
    throw new Error(`QUANTKIT_BACKEND=wasm but ${wasm.reason}`);
  }
  const { binding, reasons, advice } = loadNative(root, addonFile);
  if (binding) return { binding, info: { name: 'native', isa: binding.isa, version, threads: binding.threads } };
  if (choice === 'native') {
    const fix = advice ? `\n${advice[0]!.toUpperCase()}${advice.slice(1)}.` : '';
    throw new Error(`QUANTKIT_BACKEND=native but the native addon is not usable:\n- ${reasons.join('\n- ')}${fix}`);
  }
  // No addon: the same kernels as WebAssembly, else TypeScript. `reason` says why the addon
  // is not in use (and, for the fallback, why the WebAssembly module is not either).
  const wasm = loadWasm(root, isa);
  if (wasm.binding) {
    const why = (advice ? [...reasons, advice] : reasons).join('; ');
    return { binding: wasm.binding, info: { name: 'wasm', isa: wasm.binding.isa, version, threads: 1, reason: why } };
  }
  const reason = [...reasons, wasm.reason, ...(advice ? [advice] : [])].join('; ');
  return { binding: fallbackBinding, info: { name: 'fallback', isa: fallbackBinding.isa, version, threads: 1, reason } };
}
