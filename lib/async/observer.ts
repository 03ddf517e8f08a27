// observer.observeAsync: the batch is observed on a worker thread by a copy of the observer (made
// from createObserver's method and options and the observer's state, lib/calibrate/state.ts),
// and the copy's new state replaces the observer's when the job ends. One observer's batches
// run one after another, in call order; a synchronous observe meanwhile is refused.
import { CREATED, enqueueObserve, RESTORE, SNAPSHOT, type Stateful } from '../calibrate/state';
import { runAsync, type AsyncOptions } from './index';

type Observing = Stateful & { observe(...args: unknown[]): unknown };

/** The observer a description names, in this thread (worker.ts). */
export function restoreObserver(desc: unknown): Observing {
  const { method, opts, state } = desc as { method: string; opts: unknown; state: Record<string, unknown> };
  // Required lazily: this module is loaded by the calibrate observers themselves.
  const { createObserver } = require('../index') as { createObserver(m: string, o: unknown): Observing };
  const observer = createObserver(method, opts);
  observer[RESTORE](state);
  return observer;
}

/** observeAsync(x, shape?, { signal }?) or observeAsync(x, { signal }): resolves with the observer. */
export function observeAsync<T extends object>(observer: T, x: unknown, shape?: unknown, options?: AsyncOptions): Promise<T> {
  const args: unknown[] = typeof shape === 'object' && shape !== null && !Array.isArray(shape) && options === undefined ? [x, undefined, shape] : [x, shape, options];
  return enqueueObserve(observer, () => {
    const created = CREATED.get(observer) as { method: string; opts: unknown };
    const desc = { ...created, state: (observer as unknown as Stateful)[SNAPSHOT]() };
    const sync = (...a: unknown[]) => {
      const copy = restoreObserver(desc);
      copy.observe(...a);
      return copy[SNAPSHOT]();
    };
    return runAsync('observe', args, { observer: desc, sync }, 2).then((state) => {
      (observer as unknown as Stateful)[RESTORE](state as Record<string, unknown>);
      return observer;
    });
  });
}
