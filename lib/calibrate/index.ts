// The calibrate capability (README "Calibrate and compare"): streaming observers that turn
// batches into ranges and parameters, and fused error statistics of a quantization.
import type { QuantkitBinding } from '../../binding';
import { observerFactory } from './observer';

export type { Observer, ChannelObserver, ObserverMethod, ObserverOptions, ParamsOptions, TensorRange, ChannelRange } from './observer';
export { checkKnownKeys } from './validate';

export function calibrateApi(binding: QuantkitBinding) {
  return { createObserver: observerFactory(binding) };
}
