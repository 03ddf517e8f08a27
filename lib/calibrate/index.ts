// The calibrate capability (README "Calibrate and compare"): streaming observers that turn
// batches into ranges and parameters, fused error statistics of a quantization, and compare(),
// the table of schemes built from both.
import type { QuantkitBinding } from '../../binding';
import { observerFactory } from './observer';
import { errorStatsApi } from './error-stats';
import { compareApi, type CompareDeps } from './compare';

export type { Observer, ChannelObserver, ObserverMethod, ObserverOptions, ParamsOptions, TensorRange, ChannelRange } from './observer';
export type { ErrorStats, ChannelErrorStats, ErrorStatsOptions, ErrorStatsTarget } from './error-stats';
export type { CompareOptions, CompareRow, SchemeName, SchemeSpec } from './compare';
export { checkKnownKeys } from './validate';
export { DEFAULT_SCHEMES, formatTable } from './compare';

/** The calls that compare() makes besides the calibrate ones: the public quantize and friends. */
export type CompareCalls = Omit<CompareDeps, 'binding' | 'createObserver' | 'errorStats'>;

export function calibrateApi(binding: QuantkitBinding, calls: CompareCalls) {
  const createObserver = observerFactory(binding);
  const { errorStats } = errorStatsApi(binding);
  const { compare } = compareApi({ binding, createObserver: createObserver as CompareDeps['createObserver'], errorStats, ...calls });
  return { createObserver, errorStats, compare };
}
