// Histogram observers (stub; filled in below).
import type { QuantkitBinding } from '../../binding';
import type { BatchReader, Observer } from './observer';

export type HistogramMethod = 'percentile' | 'entropy' | 'mse';
export const HISTOGRAM_METHODS: readonly HistogramMethod[] = ['percentile', 'entropy', 'mse'];
export const HISTOGRAM_OPTION_KEYS: Record<HistogramMethod, readonly string[]> = {
  percentile: ['bins', 'percentile', 'symmetric', 'dtype', 'bits'],
  entropy: ['bins', 'dtype', 'bits', 'symmetric'],
  mse: ['bins', 'dtype', 'bits', 'symmetric', 'convention'],
};
export interface HistogramSource { counts: Float64Array }

export function createHistogramMethod(method: HistogramMethod, _o: Record<string, unknown>, _binding: QuantkitBinding, _reader: BatchReader): Observer {
  throw new Error(`'${method}' is not implemented yet`);
}
