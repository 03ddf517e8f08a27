// compare() (README "Calibrate and compare"): one tensor through several quantization schemes,
// one row each with the stored size and the round trip's error (errorStats), and formatTable()
// to print the rows. A scheme's ranges come from the observer method named by opts.calibration
// (per-tensor schemes: any method; per-channel schemes: 'minmax' or 'moving-average', the
// methods with per-channel forms; blocked schemes: each block's own min/max, as ONNX Runtime's
// and llama.cpp's block quantizers take them). ggml, float16 and bfloat16 have no ranges.
import type { DType } from '../core/dtypes';
import { checkQuantInput, halfWidener, isHalf, type QuantInput } from '../core/half-input';
import { describe, nearestKey, typedArrayKind } from '../core/validate';
import type { QuantkitBinding } from '../../binding';
import type { AxisParams, AxisRangeOptions } from '../axis';
import type { QuantParams } from '../affine';
import type { ErrorStats, ErrorStatsTarget } from './error-stats';
import type { ObserverMethod, ObserverOptions, ParamsOptions } from './observer';
import { OBSERVER_METHODS } from './observer';
import { checkKnownKeys, checkOptionsObject } from './validate';
import type { GgmlType } from '../ggml';

/** Elements per ggml block (native/kernels/ggml/ggml.h): 32, or 256 for the k-quants. */
const GGML_ELEMENTS: Readonly<Record<GgmlType, number>> = { q8_0: 32, q4_0: 32, q4_1: 32, q5_0: 32, q5_1: 32, q4_k: 256, q5_k: 256, q6_k: 256 };

/** A scheme compare() knows by name, or one described by its parts. */
export type SchemeName =
  | 'uint8' | 'int8' | 'int8-per-channel' | 'uint8-per-channel' | 'int4-per-channel' | 'uint4-per-channel' | 'int16'
  | 'int4-block32' | 'int4-block128' | 'uint4-block32' | 'uint4-block128' | 'int8-block32'
  | 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q4_k' | 'q5_k' | 'q6_k' | 'float8e4m3fn' | 'float8e5m2' | 'float16' | 'bfloat16';

export interface SchemeSpec {
  /** The row's name. */
  name: string;
  dtype: DType | 'float16' | 'bfloat16';
  bits?: number;
  symmetric?: boolean;
  /** One scale per index along `axis` of opts.shape (per-channel). */
  perChannel?: boolean;
  /**
   * Blocks of this many elements (ONNX block_size): along each row of opts.shape (shape[0] rows,
   * the rest flattened), or along `axis` of opts.shape when given, or over the flat tensor.
   */
  blockSize?: number;
  /** The axis of opts.shape for perChannel or blockSize; default 0 per-channel, each row flattened blocked. */
  axis?: number;
  /** ggml block type instead of dtype parameters. */
  ggml?: GgmlType;
}

export interface CompareOptions {
  /** Schemes to run, in order; default DEFAULT_SCHEMES. */
  schemes?: ReadonlyArray<SchemeName | SchemeSpec>;
  /** The observer method that sets each scheme's range; default 'minmax'. */
  calibration?: ObserverMethod;
  /** x's shape (its product is x.length): needed by per-channel schemes (axis 0); blocked ones block each of its shape[0] rows. */
  shape?: readonly number[];
}

export interface CompareRow {
  scheme: string;
  /** Stored size: codes, scales and zero points (ggml: whole blocks). */
  bytes: number;
  bitsPerElement: number;
  mse: number;
  sqnrDb: number;
  cosine: number;
  maxAbs: number;
  /** Milliseconds to calibrate and quantize (not the error statistics), on this machine. */
  ms: number;
  /**
   * Set instead of the numbers (all NaN) when the scheme does not apply to this tensor: a default
   * scheme whose layout does not fit (a scheme asked for by name is a RangeError instead), or a
   * range of the data that float32 cannot give a scale (any scheme).
   */
  skipped?: string;
}

export const DEFAULT_SCHEMES: readonly SchemeName[] = Object.freeze([
  'uint8', 'int8-per-channel', 'int4-block32', 'int4-block128', 'uint4-block32',
  'q8_0', 'q4_0', 'q4_1', 'float8e4m3fn', 'float16', 'bfloat16',
] as SchemeName[]);

const NAMED: Readonly<Record<SchemeName, Omit<SchemeSpec, 'name'>>> = {
  uint8: { dtype: 'uint8' },
  int8: { dtype: 'int8', symmetric: true },
  int16: { dtype: 'int16', symmetric: true },
  'int8-per-channel': { dtype: 'int8', symmetric: true, perChannel: true },
  'uint8-per-channel': { dtype: 'uint8', perChannel: true },
  'int4-per-channel': { dtype: 'int4', symmetric: true, perChannel: true },
  'uint4-per-channel': { dtype: 'uint4', perChannel: true },
  'int4-block32': { dtype: 'int4', blockSize: 32 },
  'int4-block128': { dtype: 'int4', blockSize: 128 },
  'uint4-block32': { dtype: 'uint4', blockSize: 32 },
  'uint4-block128': { dtype: 'uint4', blockSize: 128 },
  'int8-block32': { dtype: 'int8', blockSize: 32 },
  q8_0: { dtype: 'int8', ggml: 'q8_0' },
  q4_0: { dtype: 'int4', ggml: 'q4_0' },
  q4_1: { dtype: 'uint4', ggml: 'q4_1' },
  q5_0: { dtype: 'int8', ggml: 'q5_0' },
  q5_1: { dtype: 'uint8', ggml: 'q5_1' },
  q4_k: { dtype: 'uint4', ggml: 'q4_k' },
  q5_k: { dtype: 'uint8', ggml: 'q5_k' },
  q6_k: { dtype: 'int8', ggml: 'q6_k' },
  float8e4m3fn: { dtype: 'float8e4m3fn' },
  float8e5m2: { dtype: 'float8e5m2' },
  float16: { dtype: 'float16' },
  bfloat16: { dtype: 'bfloat16' },
};
const NAMES = Object.keys(NAMED) as SchemeName[];

/** The parts of the scheme compare() knows as `name` (the table above), for code that builds on its schemes. */
export function namedScheme(name: SchemeName): Readonly<Omit<SchemeSpec, 'name'>> {
  return NAMED[name];
}
const SPEC_KEYS = ['name', 'dtype', 'bits', 'symmetric', 'perChannel', 'blockSize', 'axis', 'ggml'];

/** What compare() needs of the rest of quantkit. */
export interface CompareDeps {
  binding: QuantkitBinding;
  quantize: (x: Float32Array, params: QuantParams | AxisParams) => unknown;
  computeParams: (x: Float32Array, opts: AxisRangeOptions) => AxisParams;
  createObserver: (method: ObserverMethod, opts?: ObserverOptions) => {
    observe(x: Float32Array): unknown;
    params(opts?: ParamsOptions): QuantParams | AxisParams;
  };
  ggmlQuantize: (x: Float32Array, type: GgmlType) => unknown;
  toHalf: (x: Float32Array, format: 'float16' | 'bfloat16') => unknown;
  errorStats: (x: QuantInput, target: ErrorStatsTarget) => ErrorStats;
}

function checkScheme(v: unknown, k: number): SchemeSpec {
  const name = `opts.schemes[${k}]`;
  if (typeof v === 'string') {
    if (!Object.prototype.hasOwnProperty.call(NAMED, v)) {
      const near = nearestKey(v, NAMES);
      throw new TypeError(`Expected a scheme name${near ? ` (did you mean '${near}'?)` : ''} or { name, dtype, … } for ${name} but received ${describe(v)}; the names are ${NAMES.map((s) => `'${s}'`).join(', ')}`);
    }
    return { name: v, ...NAMED[v as SchemeName] };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`Expected a scheme name or { name, dtype, … } for ${name} but received ${describe(v)}`);
  const o = v as Record<string, unknown>;
  checkKnownKeys(o, SPEC_KEYS, name);
  if (typeof o.name !== 'string' || o.name === '') throw new TypeError(`Expected a non-empty string for ${name}.name but received ${describe(o.name)}`);
  if (o.perChannel !== undefined && typeof o.perChannel !== 'boolean') throw new TypeError(`Expected a boolean for ${name}.perChannel but received ${describe(o.perChannel)}`);
  if (o.perChannel === true && o.blockSize !== undefined) throw new RangeError(`Expected either ${name}.perChannel or ${name}.blockSize but received both`);
  if (o.ggml !== undefined && !Object.prototype.hasOwnProperty.call(GGML_ELEMENTS, o.ggml as string)) throw new TypeError(`Expected one of ${Object.keys(GGML_ELEMENTS).map((t) => `'${t}'`).join(', ')} for ${name}.ggml but received ${describe(o.ggml)}`);
  // dtype, bits, symmetric, blockSize and axis are checked where they are used, by the calls
  // that take them, with their own messages.
  return o as unknown as SchemeSpec;
}

/**
 * The observer a per-tensor scheme's range comes from, with the options that method takes:
 * 'entropy' and 'mse' search for the scheme's own integer target; float8 dtypes have none, so
 * they take 'minmax' (or 'percentile', which needs no target).
 */
function observerFor(method: ObserverMethod, s: SchemeSpec): [ObserverMethod, ObserverOptions] {
  const float8 = s.dtype.startsWith('float8');
  switch (method) {
    case 'percentile':
      return [method, s.symmetric === undefined ? {} : { symmetric: s.symmetric }];
    case 'entropy':
      return float8 ? ['minmax', {}] : [method, { dtype: s.dtype as DType, ...(s.bits === undefined ? {} : { bits: s.bits }) }];
    case 'mse':
      return float8 ? ['minmax', {}] : [method, { dtype: s.dtype as DType, ...(s.bits === undefined ? {} : { bits: s.bits }), ...(s.symmetric === undefined ? {} : { symmetric: s.symmetric }) }];
    default:
      return [method, {}];
  }
}

export function compareApi(deps: CompareDeps) {
  const half = halfWidener(deps.binding);

  /** The parameters a scheme gets on x: observer ranges, or each block's own. */
  function paramsFor(x: Float32Array, s: SchemeSpec, method: ObserverMethod, shape: readonly number[] | undefined): ErrorStatsTarget {
    if (s.ggml !== undefined) return { ggml: s.ggml };
    if (s.dtype === 'float16' || s.dtype === 'bfloat16') return { dtype: s.dtype };
    const target: ParamsOptions = { dtype: s.dtype as DType };
    if (s.bits !== undefined) target.bits = s.bits;
    if (s.symmetric !== undefined) target.symmetric = s.symmetric;
    if (s.blockSize !== undefined) {
      // Rows of shape[0], each blocked along the rest of the tensor flattened (as MatMulNBits and
      // ggml block a weight's rows; a conv kernel's last axis is often 1 or 3 long). A scheme
      // with its own axis blocks along that axis of opts.shape instead.
      const [layout, axis] = s.axis !== undefined && shape !== undefined
        ? [shape, s.axis]
        : [shape !== undefined && shape.length >= 2 && shape[0]! > 0 ? [shape[0]!, x.length / shape[0]!] : [x.length], -1];
      return deps.computeParams(x, { axis, shape: layout, blockSize: s.blockSize, ...target } as AxisRangeOptions);
    }
    if (s.perChannel === true) {
      const perChannel = method === 'minmax' || method === 'moving-average' ? method : 'minmax';
      const obs = deps.createObserver(perChannel, { axis: s.axis ?? 0, shape: shape as number[] });
      obs.observe(x);
      return obs.params(target) as ErrorStatsTarget;
    }
    const obs = deps.createObserver(...observerFor(method, s));
    obs.observe(x);
    return obs.params(target) as ErrorStatsTarget;
  }

  // The codes themselves, so that `ms` covers calibrating and quantizing, as a user would.
  function quantizeWith(x: Float32Array, s: SchemeSpec, p: ErrorStatsTarget): void {
    if (s.ggml !== undefined) deps.ggmlQuantize(x, s.ggml);
    else if (s.dtype === 'float16' || s.dtype === 'bfloat16') deps.toHalf(x, s.dtype);
    else deps.quantize(x, p as QuantParams | AxisParams);
  }

  function whyNot(s: SchemeSpec, n: number, shape: readonly number[] | undefined): string | undefined {
    if (s.ggml !== undefined && n % GGML_ELEMENTS[s.ggml] !== 0) return `x.length ${n} is not a multiple of ${GGML_ELEMENTS[s.ggml]} (${s.ggml} blocks)`;
    if (s.perChannel === true && (shape === undefined || shape.length < 2)) return 'per-channel needs opts.shape with at least 2 dimensions';
    if (n === 0) return 'x is empty';
    return undefined;
  }

  /**
   * One row per scheme for x (Float32Array, Float64Array or 16-bit float input): bytes stored,
   * bits per element, MSE, SQNR (dB), cosine, max |x − x̂| and milliseconds. Errors: TypeError
   * for a wrong type, an unknown option, scheme or method; RangeError for a shape that does not
   * fit x, or a named scheme that cannot apply (a default one that cannot is a row with `skipped`).
   */
  function compare(x: QuantInput, opts?: CompareOptions): CompareRow[] {
    const input = checkQuantInput(x, 'x');
    const floats = isHalf(input) ? half.whole(input) : input;
    const data = typedArrayKind(floats) === 'Float32Array' ? (floats as Float32Array) : Float32Array.from(floats);
    const o = checkOptionsObject(opts, ['schemes', 'calibration', 'shape'], 'opts');
    const method = (o.calibration ?? 'minmax') as ObserverMethod;
    if (!OBSERVER_METHODS.includes(method)) {
      throw new TypeError(`Expected one of ${OBSERVER_METHODS.map((m) => `'${m}'`).join(', ')} for opts.calibration but received ${describe(o.calibration)}`);
    }
    let shape: readonly number[] | undefined;
    if (o.shape !== undefined) {
      if (!Array.isArray(o.shape) || o.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
        throw new TypeError(`Expected an array of non-negative integers for opts.shape but received ${describe(o.shape)}`);
      }
      const product = (o.shape as number[]).reduce((a, b) => a * b, 1);
      if (product !== data.length) throw new RangeError(`Expected x.length to equal ${product}, the product of opts.shape [${o.shape.join(', ')}], but received ${data.length}`);
      shape = o.shape as number[];
    }
    const asked = o.schemes !== undefined;
    if (asked && !Array.isArray(o.schemes)) throw new TypeError(`Expected an array of schemes for opts.schemes but received ${describe(o.schemes)}`);
    const specs = ((o.schemes ?? DEFAULT_SCHEMES) as unknown[]).map(checkScheme);
    return specs.map((s) => {
      const why = whyNot(s, data.length, shape);
      if (why !== undefined) {
        if (asked) throw new RangeError(`Expected scheme '${s.name}' to apply to x but ${why}`);
        return { scheme: s.name, bytes: NaN, bitsPerElement: NaN, mse: NaN, sqnrDb: NaN, cosine: NaN, maxAbs: NaN, ms: NaN, skipped: why };
      }
      const t0 = performance.now();
      let p: ErrorStatsTarget;
      try {
        p = paramsFor(data, s, method, shape);
      } catch (e) {
        // The data, not the call: a range too narrow for float32 (every value of a block
        // subnormal and equal) has no scale. The row says so, and the other rows still come.
        if (e instanceof RangeError && /to give a positive finite float32 scale/.test(e.message)) {
          return { scheme: s.name, bytes: NaN, bitsPerElement: NaN, mse: NaN, sqnrDb: NaN, cosine: NaN, maxAbs: NaN, ms: NaN, skipped: e.message };
        }
        throw e;
      }
      quantizeWith(data, s, p);
      const ms = performance.now() - t0;
      const e = deps.errorStats(data, p);
      return { scheme: s.name, bytes: e.bytes, bitsPerElement: e.bitsPerElement, mse: e.mse, sqnrDb: e.sqnrDb, cosine: e.cosine, maxAbs: e.maxAbs, ms };
    });
  }

  return { compare };
}

function fmt(v: number, digits: number): string {
  if (Number.isNaN(v)) return '—';
  if (v === Infinity) return '∞';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(digits - 1);
  return v.toFixed(digits);
}

/** Three significant digits (errors span many decades: 0.00142 and 0.00130 must not both read 0.001). */
function sig(v: number): string {
  if (Number.isNaN(v)) return '—';
  if (v === Infinity) return '∞';
  if (v === 0) return '0';
  return Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6 ? v.toExponential(2) : v.toPrecision(3);
}

/**
 * The rows as an aligned text table (one header line, a rule, one line a row), for a terminal
 * or a README. Columns: scheme, bits/elem, bytes, MSE, SQNR dB, cosine, max |err|, ms.
 */
export function formatTable(rows: readonly CompareRow[]): string {
  if (!Array.isArray(rows)) throw new TypeError(`Expected the array compare() returns for rows but received ${describe(rows)}`);
  const head = ['scheme', 'bits/elem', 'bytes', 'MSE', 'SQNR dB', 'cosine', 'max |err|', 'ms'];
  const body = rows.map((r, k) => {
    if (r === null || typeof r !== 'object' || typeof r.scheme !== 'string') throw new TypeError(`Expected a compare() row for rows[${k}] but received ${describe(r)}`);
    if (r.skipped !== undefined) return [r.scheme, '—', '—', '—', '—', '—', '—', `skipped: ${r.skipped}`];
    return [r.scheme, fmt(r.bitsPerElement, 2), String(r.bytes), sig(r.mse), fmt(r.sqnrDb, 2), fmt(r.cosine, 6), sig(r.maxAbs), fmt(r.ms, 2)];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((row) => (c === 7 && row[7]!.startsWith('skipped') ? 0 : row[c]!.length))));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 || cell.startsWith('skipped') ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
