// The browser build's async/observer (scripts/build-browser.js puts this module in its place):
// there are no worker threads to send the batch to, so observer.observeAsync observes it on
// this thread, in a later microtask, with the same order and rules as lib/async/observer.ts:
// one observer's batches run one after another, in call order; a synchronous observe while one
// is pending is refused (calibrate/state); an aborted `signal` rejects with an AbortError and
// leaves the observer as it was; a TypedArray batch is copied when the call is made. The
// options keep their type (AsyncOptions): `transfer` changes nothing here.
import { enqueueObserve, PENDING } from '../calibrate/state';
import { AbortError } from '../core/abort';
import type { AsyncOptions } from '../async';

type Observing = { observe(...args: unknown[]): unknown };

/** observeAsync(x, shape?, { signal }?) or observeAsync(x, { signal }): resolves with the observer. */
export function observeAsync<T extends object>(observer: T, x: unknown, shape?: unknown, options?: AsyncOptions): Promise<T> {
  const [dims, opts] = typeof shape === 'object' && shape !== null && !Array.isArray(shape) && options === undefined ? [undefined, shape as AsyncOptions] : [shape, options];
  const signal = opts?.signal;
  // The batch as it is now, as the worker version copies it when the call is made.
  const batch = ArrayBuffer.isView(x) && !(x instanceof DataView) ? (x as unknown as { slice(): unknown }).slice() : x;
  return enqueueObserve(observer, () => {
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    // This batch's turn: observe lets no batch through while one is pending, so the entry
    // (this job's, or a later call's) is set aside for the synchronous call and put back.
    const held = PENDING.get(observer);
    PENDING.delete(observer);
    try {
      (observer as unknown as Observing).observe(batch, dims);
    } finally {
      if (held !== undefined) PENDING.set(observer, held);
    }
    return observer;
  });
}
