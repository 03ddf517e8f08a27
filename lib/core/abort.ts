// The rejection of an aborted job, in a module with no Node import, so that the async calls
// (lib/async) and the browser build's observeAsync (lib/browser/observer.ts) reject alike.

/**
 * The rejection of an aborted job: `name` 'AbortError', `code` 'ABORT_ERR' (as Node's own
 * AbortError from fs and timers), `cause` the signal's reason.
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}
