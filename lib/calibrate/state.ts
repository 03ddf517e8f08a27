// An observer's state as plain data, so that a batch can be observed on a worker thread
// (lib/async/observer.ts): the worker rebuilds the observer from how it was created and this
// state, observes the batch, and sends the new state back. Internal: not part of the API.

/** Returns the observer's state (numbers and fresh TypedArrays). */
export const SNAPSHOT = Symbol('quantkit.observer.snapshot');
/** Replaces the observer's state with one SNAPSHOT returned. */
export const RESTORE = Symbol('quantkit.observer.restore');

export interface Stateful {
  [SNAPSHOT](): Record<string, unknown>;
  [RESTORE](state: Record<string, unknown>): void;
}

/** How each observer was made: createObserver's method and options. */
export const CREATED = new WeakMap<object, { method: string; opts: unknown }>();

/** Observers with an observeAsync in flight: their synchronous observe would be overwritten by it, so it is refused. */
export const PENDING = new WeakMap<object, Promise<unknown>>();

export function checkNotPending(observer: object): void {
  if (PENDING.has(observer)) {
    throw new Error('Expected no observe(x) on an observer while its observeAsync(x) is pending (await it first: the async batch would overwrite this one)');
  }
}

/**
 * Queues `job` (one observeAsync batch) after the observer's pending batches, so that one
 * observer's batches run one after another, in call order, whatever became of the earlier ones;
 * the observer counts as pending (checkNotPending) until its last queued batch settles.
 */
export function enqueueObserve<T extends object>(observer: T, job: () => T | Promise<T>): Promise<T> {
  const previous = PENDING.get(observer) ?? Promise.resolve();
  const next: Promise<T> = previous.then(
    () => undefined,
    () => undefined,
  ).then(job);
  PENDING.set(observer, next);
  const clear = () => {
    if (PENDING.get(observer) === next) PENDING.delete(observer);
  };
  next.then(clear, clear);
  return next;
}
