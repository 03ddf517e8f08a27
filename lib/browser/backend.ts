// The browser build's core/backend (scripts/build-browser.js puts this module in its place):
// the same `binding` and `backend` every facade imports, over the WebAssembly module that
// init() (lib/browser/index.mts) instantiates. Until then each call refuses with what to do;
// after it, each call goes straight to the module's binding (lib/backend-wasm).
//
// No Node built-ins here or on any import below: this is the browser's import path.
import type { QuantkitBinding } from '../../binding';
import type { WasmBinding } from '../backend-wasm';
import { CALLS } from '../backend-wasm/calls';
import type { BackendInfo } from '../core/loader';
import { version } from '../core/version';

let live: WasmBinding | undefined;

function current(call: string): WasmBinding {
  if (live === undefined) {
    throw new Error(`quantkit's WebAssembly module is not loaded yet: await init() (from 'quantkit/browser') once before using quantkit (binding.${call} was called)`);
  }
  return live;
}

/** The WebAssembly binding once init() has set it (lib/browser/index.mts). */
export function setBinding(b: WasmBinding): void {
  live = b;
}

/** The binding init() set, if any. */
export function loadedBinding(): WasmBinding | undefined {
  return live;
}

const calls: Record<string, unknown> = {};
for (const { name } of CALLS) {
  calls[name] = (...args: unknown[]): unknown => (current(name)[name as keyof QuantkitBinding] as (...a: unknown[]) => unknown)(...args);
}

/** What every facade calls: the live WebAssembly binding's calls, looked up at each call. */
export const binding: QuantkitBinding = Object.freeze(Object.defineProperties(calls, {
  version: { get: () => version, enumerable: true },
  isa: { get: () => current('isa').isa, enumerable: true },
  isaAvailable: { get: () => current('isaAvailable').isaAvailable, enumerable: true },
  threads: { get: () => 1, enumerable: true },
})) as unknown as QuantkitBinding;

/**
 * Which backend is live: always 'wasm' in the browser; `isa` is 'simd128' (or 'scalar' when
 * init's `isa` option capped it), '' before init() has finished; one thread.
 */
export const backend: BackendInfo = Object.freeze(Object.defineProperties({} as BackendInfo, {
  name: { value: 'wasm', enumerable: true },
  isa: { get: () => live?.isa ?? '', enumerable: true },
  version: { value: version, enumerable: true },
  threads: { value: 1, enumerable: true },
  reason: { value: 'the browser build (quantkit/browser) runs the WebAssembly module', enumerable: true },
}));
