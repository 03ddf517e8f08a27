// The calibrate capability (README "Calibrate and compare"): streaming observers that turn
// batches into ranges and parameters, and fused error statistics of a quantization.
import type { QuantkitBinding } from '../../binding';
import { observerFactory } from './observer';
import { errorStatsApi } from './error-stats';

export type { Observer, ChannelObserver, ObserverMethod, ObserverOptions, ParamsOptions, TensorRange, ChannelRange } from './observer';
export type { ErrorStats, ChannelErrorStats, ErrorStatsOptions, ErrorStatsTarget } from './error-stats';
export { checkKnownKeys } from './validate';

export function calibrateApi(binding: QuantkitBinding) {
  return { createObserver: observerFactory(binding), ...errorStatsApi(binding) };
}
