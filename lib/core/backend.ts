// The backend, picked once per module instance (so once per thread) at require time: the
// addon, or the TypeScript backend with the reason why (core/loader). Every capability's
// facade calls through this one binding.
import type { QuantkitBinding } from '../../binding';
import { loadBackend, type BackendInfo } from './loader';

const loaded = loadBackend();

export const binding: QuantkitBinding = loaded.binding;

/** Which backend is live: `name`, the kernel `isa`, the `version`, and `reason` for a fallback. */
export const backend: BackendInfo = Object.freeze({ ...loaded.info });
