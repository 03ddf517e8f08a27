// Streaming calibration (README "Calibrate and compare"): observers that see a tensor batch by
// batch and then give its range and quantization parameters. 'minmax' and 'moving-average'
// are torch.ao.quantization's MinMaxObserver / MovingAverageMinMaxObserver (and their
// per-channel forms) in float32, step by step; the histogram methods live in histogram.ts.
// A batch is checked whole before any state changes, so a refused batch leaves the observer
// exactly as it was.
import type { QuantkitBinding } from '../../binding';
import { type DType } from '../core/dtypes';
import { checkLayout, type AxisParams, type Layout } from '../axis';
import { checkQuantInput, isHalf, type QuantInput } from '../core/half-input';
import { describe, type Convention } from '../core/validate';
import type { QuantParams } from '../affine';
import { checkNumberIn, checkOptionsObject } from './validate';
import { batchReader, checkTarget, refuseInfinite, scaleZeroOf, tensorParams, type BatchReader, type TensorRange } from './target';
import { CREATED, RESTORE, SNAPSHOT, checkNotPending } from './state';
import { observeAsync } from '../async/observer';
import type { AsyncOptions } from '../async';
import { createHistogramMethod, HISTOGRAM_METHODS, HISTOGRAM_OPTION_KEYS, type HistogramMethod, type HistogramSource } from './histogram';

export type ObserverMethod = 'minmax' | 'moving-average' | HistogramMethod;
export const OBSERVER_METHODS: readonly ObserverMethod[] = ['minmax', 'moving-average', ...HISTOGRAM_METHODS];

export interface ObserverOptions {
  /** Per-channel ('minmax', 'moving-average'): the channel axis of `shape`, in [-rank, rank − 1]. */
  axis?: number;
  /** Per-channel: the shape of every batch (a batch may differ in any dimension but `axis`, see observe). */
  shape?: readonly number[];
  /** 'moving-average': c in min += c · (batchMin − min); default 0.01 (PyTorch's). */
  averagingConstant?: number;
  /** Histogram methods: the initial number of bins (even, ≥ 16); default 2048. */
  bins?: number;
  /** 'percentile': the percentile kept, in (50, 100]; default 99.999. */
  percentile?: number;
  /** 'entropy', 'mse' (and `symmetric` for 'percentile'): the target range() reports for; params() may name another. */
  dtype?: DType;
  bits?: number;
  symmetric?: boolean;
  /** 'mse': whose parameter math the searched ranges are scored with; default 'onnx'. */
  convention?: Convention;
}

export interface ParamsOptions<D extends DType = DType> {
  /** Default 'uint8' (or the observer's dtype option). */
  dtype?: D;
  bits?: number;
  symmetric?: boolean;
  /** Whose rounding quantize uses *and* whose parameter math gives scale and zero point; default 'onnx'. */
  convention?: Convention;
}

export interface ChannelRange { min: Float32Array; max: Float32Array }

export interface Observer {
  readonly method: ObserverMethod;
  /** Batches accepted so far (empty and all-NaN ones included). */
  readonly batches: number;
  /** Adds one batch. A per-channel observer may take the batch's own shape (same rank and channel count). */
  observe(x: QuantInput, shape?: readonly number[]): this;
  /** observe on a worker thread (README "Async calls"); batches of one observer are observed in call order. */
  observeAsync(x: QuantInput, shape?: readonly number[] | AsyncOptions, options?: AsyncOptions): Promise<this>;
  range(): TensorRange;
  params<D extends DType = 'uint8'>(opts?: ParamsOptions<D>): QuantParams<D>;
}

export interface ChannelObserver {
  readonly method: 'minmax' | 'moving-average';
  readonly batches: number;
  readonly axis: number;
  observe(x: QuantInput, shape?: readonly number[]): this;
  /** observe on a worker thread (README "Async calls"); batches of one observer are observed in call order. */
  observeAsync(x: QuantInput, shape?: readonly number[] | AsyncOptions, options?: AsyncOptions): Promise<this>;
  range(): ChannelRange;
  params<D extends DType = 'uint8'>(opts?: ParamsOptions<D>): AxisParams<D>;
}

const OPTION_KEYS: Record<ObserverMethod, readonly string[]> = {
  minmax: ['axis', 'shape'],
  'moving-average': ['axis', 'shape', 'averagingConstant'],
  percentile: HISTOGRAM_OPTION_KEYS.percentile,
  entropy: HISTOGRAM_OPTION_KEYS.entropy,
  mse: HISTOGRAM_OPTION_KEYS.mse,
};
const PARAMS_KEYS = ['dtype', 'bits', 'symmetric', 'convention'] as const;

const f32 = Math.fround;

const ZERO_POINT_CTORS: Partial<Record<DType, new (n: number) => Int8Array | Uint8Array | Int16Array | Uint16Array>> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint4: Uint8Array, int4: Int8Array, uint2: Uint8Array, int2: Int8Array,
};

function noData(method: string): RangeError {
  return new RangeError(`Expected the '${method}' observer to have seen at least one number before range() or params() but it has seen none (no batch, or only empty and all-NaN ones)`);
}

class TensorObserver implements Observer {
  private seen = 0;
  /** Batches accepted so far (read-only: a refused batch does not count). */
  get batches(): number {
    return this.seen;
  }
  private lo = Infinity;
  private hi = -Infinity;

  constructor(readonly method: 'minmax' | 'moving-average', private readonly reader: BatchReader, private readonly c: number) {}

  observe(x: QuantInput, shape?: readonly number[]): this {
    checkNotPending(this);
    const input = checkQuantInput(x, 'x');
    if (shape !== undefined) throw new TypeError(`Expected no shape argument for a per-tensor observer (create it with opts.axis and opts.shape for per-channel) but received ${describe(shape)}`);
    const r = this.reader.range(input);
    this.seen++;
    if (Number.isNaN(r.min)) return this;
    if (this.method === 'minmax' || this.lo === Infinity) {
      // MinMaxObserver: torch.min(batchMin, min); a moving average starts from its first batch.
      this.lo = this.method === 'minmax' ? Math.min(this.lo, r.min) : r.min;
      this.hi = this.method === 'minmax' ? Math.max(this.hi, r.max) : r.max;
    } else {
      // MovingAverageMinMaxObserver: min + c · (batchMin − min), each operation in float32.
      this.lo = f32(this.lo + f32(this.c * f32(r.min - this.lo)));
      this.hi = f32(this.hi + f32(this.c * f32(r.max - this.hi)));
    }
    return this;
  }

  observeAsync(x: QuantInput, shape?: readonly number[] | AsyncOptions, options?: AsyncOptions): Promise<this> {
    return observeAsync(this, x, shape, options);
  }

  [SNAPSHOT](): Record<string, unknown> {
    return { seen: this.seen, lo: this.lo, hi: this.hi };
  }

  [RESTORE](s: Record<string, unknown>): void {
    this.seen = s.seen as number;
    this.lo = s.lo as number;
    this.hi = s.hi as number;
  }

  range(): TensorRange {
    if (this.lo === Infinity) throw noData(this.method);
    return { min: this.lo, max: this.hi };
  }

  params<D extends DType = 'uint8'>(opts?: ParamsOptions<D>): QuantParams<D> {
    const t = checkTarget(checkOptionsObject(opts, PARAMS_KEYS, 'opts'), 'opts');
    const r = this.range();
    return tensorParams(r.min, r.max, t) as QuantParams<D>;
  }
}

class PerChannelObserver implements ChannelObserver {
  private seen = 0;
  /** Batches accepted so far (read-only: a refused batch does not count). */
  get batches(): number {
    return this.seen;
  }
  readonly axis: number;
  private readonly lo: Float32Array;
  private readonly hi: Float32Array;
  private readonly shape: number[];
  private readonly ranges: Float64Array;

  constructor(readonly method: 'minmax' | 'moving-average', private readonly binding: QuantkitBinding, private readonly reader: BatchReader,
    private readonly c: number, layout: Layout) {
    this.axis = layout.axis;
    this.shape = layout.shape;
    this.lo = new Float32Array(layout.d).fill(Infinity);
    this.hi = new Float32Array(layout.d).fill(-Infinity);
    this.ranges = new Float64Array(2 * layout.d);
  }

  private layoutOf(shape: readonly number[] | undefined, n: number): Layout {
    const what = shape === undefined ? 'opts.shape' : 'shape';
    const misfit = (): RangeError => new RangeError(`Expected ${what} to have rank ${this.shape.length} and ${this.shape[this.axis]} channels along axis ${this.axis} but received [${(shape ?? []).join(', ')}]`);
    if (shape !== undefined && shape.length !== this.shape.length) throw misfit();
    // Named as the caller wrote it: the observer's opts.shape, or observe's own shape argument.
    const l = checkLayout({ shape: shape ?? this.shape, axis: this.axis }, shape === undefined ? 'opts' : 'observe(x, shape): the batch', { length: n, name: 'x' });
    if (l.d !== this.shape[this.axis]) throw misfit();
    if (l.n !== n) throw new RangeError(`Expected x.length to equal the product of ${what} [${l.shape.join(', ')}] = ${l.n} but received ${n}`);
    return l;
  }

  observe(x: QuantInput, shape?: readonly number[]): this {
    checkNotPending(this);
    const input = checkQuantInput(x, 'x');
    if (shape !== undefined && !Array.isArray(shape)) throw new TypeError(`Expected an array of dimensions for shape but received ${describe(shape)}`);
    const n = isHalf(input) ? input.bits.length : input.length;
    const l = this.layoutOf(shape, n);
    const floats = this.reader.floats(input);
    const r = this.ranges;
    this.binding.minMaxAxis(floats, r, l.outer, l.d, l.inner, 0);
    for (let k = 0; k < l.d; k++) if (r[2 * k] === -Infinity || r[2 * k + 1] === Infinity) refuseInfinite(floats);
    this.seen++;
    const average = this.method === 'moving-average';
    for (let k = 0; k < l.d; k++) {
      const bmin = r[2 * k];
      const bmax = r[2 * k + 1];
      if (Number.isNaN(bmin)) continue; // this channel had no number in this batch
      if (!average || this.lo[k] === Infinity) {
        this.lo[k] = average ? bmin : Math.min(this.lo[k], bmin);
        this.hi[k] = average ? bmax : Math.max(this.hi[k], bmax);
      } else {
        this.lo[k] = f32(this.lo[k] + f32(this.c * f32(bmin - this.lo[k])));
        this.hi[k] = f32(this.hi[k] + f32(this.c * f32(bmax - this.hi[k])));
      }
    }
    return this;
  }

  observeAsync(x: QuantInput, shape?: readonly number[] | AsyncOptions, options?: AsyncOptions): Promise<this> {
    return observeAsync(this, x, shape, options);
  }

  [SNAPSHOT](): Record<string, unknown> {
    return { seen: this.seen, lo: this.lo.slice(), hi: this.hi.slice() };
  }

  [RESTORE](s: Record<string, unknown>): void {
    this.seen = s.seen as number;
    this.lo.set(s.lo as Float32Array);
    this.hi.set(s.hi as Float32Array);
  }

  range(): ChannelRange {
    const empty = this.lo.findIndex((v) => v === Infinity);
    if (empty >= 0) {
      throw new RangeError(`Expected the '${this.method}' observer to have seen a number in every channel before range() or params() but channel ${empty} has none`);
    }
    return { min: this.lo.slice(), max: this.hi.slice() };
  }

  params<D extends DType = 'uint8'>(opts?: ParamsOptions<D>): AxisParams<D> {
    const t = checkTarget(checkOptionsObject(opts, PARAMS_KEYS, 'opts'), 'opts');
    if (t.info.float8) {
      throw new RangeError(`Expected an integer dtype for opts.dtype of a per-channel observer (per-axis float8 parameters are not supported) but received '${t.info.name}'`);
    }
    const r = this.range();
    const d = r.min.length;
    const scale = new Float32Array(d);
    const zeroPoint = new (ZERO_POINT_CTORS[t.info.name] as new (n: number) => Int8Array)(d);
    for (let k = 0; k < d; k++) {
      const p = scaleZeroOf(r.min[k], r.max[k], t, `channel ${k}'s observed range [${r.min[k]}, ${r.max[k]}]`);
      scale[k] = p.scale;
      zeroPoint[k] = p.zeroPoint;
    }
    const params = { scale, zeroPoint, axis: this.axis, shape: this.shape.slice(), dtype: t.info.name } as unknown as AxisParams<D>;
    if (t.bits !== t.info.width) params.bits = t.bits;
    if (t.convention !== undefined) params.convention = t.convention;
    return params;
  }
}

export function observerFactory(binding: QuantkitBinding) {
  const reader = batchReader(binding);
  function createObserver(method: ObserverMethod, opts?: ObserverOptions): Observer | ChannelObserver {
    const made = <T extends object>(observer: T): T => {
      CREATED.set(observer, { method, opts: opts === undefined ? undefined : { ...opts, ...(Array.isArray(opts.shape) ? { shape: opts.shape.slice() } : {}) } });
      return observer;
    };
    if (typeof method !== 'string' || !(OBSERVER_METHODS as readonly string[]).includes(method)) {
      throw new TypeError(`Expected one of ${OBSERVER_METHODS.map((m) => `'${m}'`).join(', ')} for method but received ${describe(method)}`);
    }
    const o = checkOptionsObject(opts, OPTION_KEYS[method], 'opts');
    if (method === 'minmax' || method === 'moving-average') {
      const c = o.averagingConstant === undefined ? 0.01 : checkNumberIn(o.averagingConstant, 0, 1, false, 'opts.averagingConstant');
      // PyTorch holds the constant as a Python float and multiplies a float32 tensor by it: float32.
      const cf = f32(c);
      if (o.axis !== undefined || o.shape !== undefined) {
        if (o.shape === undefined) throw new TypeError(`Expected opts.shape with opts.axis (the shape of a batch) but received undefined`);
        if (o.axis === undefined) throw new TypeError(`Expected opts.axis with opts.shape (the channel axis) but received undefined`);
        return made(new PerChannelObserver(method, binding, reader, cf, checkLayout(o, 'opts', undefined)));
      }
      return made(new TensorObserver(method, reader, cf));
    }
    return made(createHistogramMethod(method, o, binding, reader));
  }
  return createObserver as {
    (method: 'minmax' | 'moving-average', opts: ObserverOptions & { axis: number; shape: readonly number[] }): ChannelObserver;
    (method: ObserverMethod, opts?: ObserverOptions): Observer;
  };
}

export type { HistogramSource, TensorRange };
