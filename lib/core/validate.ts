// Validation at the edge (SPEC §4): every misuse throws before anything is written, with
// TypeError for a wrong type, RangeError for a wrong value, and a message that names the
// argument and what was received.
import { DTYPES, DTYPE_NAMES, MIN_BITS, packedBytes, quantRange, type DType, type DTypeInfo } from './dtypes';
import type { FloatArray, QuantArray, Rounding } from '../../binding';

/** A short, human description of any value, for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'string': return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
    case 'boolean': return String(v);
    case 'bigint': return `${v}n`;
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default: break;
  }
  const kind = typedArrayKind(v);
  if (kind !== undefined) return `${kind}(${(v as { length: number }).length})`;
  if (v instanceof DataView) return 'DataView';
  if (Array.isArray(v)) return `an Array(${v.length})`;
  if (v instanceof ArrayBuffer) return `an ArrayBuffer(${v.byteLength})`;
  // What JSON.stringify makes of a TypedArray: { "0": …, "1": … }. Say how to get it back.
  // Only a plain object qualifies: a Proxy of a TypedArray also has keys '0', '1', ….
  const keys = Object.getPrototypeOf(v) === Object.prototype ? Object.keys(v as object) : [];
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) {
    return `an object with keys '0'…'${keys.length - 1}' (a TypedArray after JSON? rebuild it from Object.values(it), or store Array.from(it))`;
  }
  return 'an object';
}

/** 'a' or 'an' before a word, by its first letter: "an Int8Array", "a Uint8Array". */
export function article(word: string): string {
  return /^[AEIOaeio]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** The hint a plain Array gets where a TypedArray of numbers was expected. */
export function arrayHint(v: unknown, ctor = 'Float32Array'): string {
  return Array.isArray(v) ? ` (a plain Array is not accepted: pass new ${ctor}(array))` : '';
}

// Levenshtein distance, case-insensitive: how far a mistyped key is from a valid one.
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/** The valid key nearest to `key`, when it is near enough to be a likely typo. */
export function nearestKey(key: string, valid: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of valid) {
    // A prefix either way ('axes' for 'axis' is distance 1; 'zero' for 'zeroPoint' a prefix).
    const d = k.toLowerCase().startsWith(key.toLowerCase()) || key.toLowerCase().startsWith(k.toLowerCase()) ? 1 : editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** The keys one options or params object may have; `why` adds context to the message. */
export interface KeySet {
  readonly keys: ReadonlySet<string>;
  /** Said after the list of valid keys, e.g. "(with axis: …)". */
  readonly note?: string;
  /**
   * Keys let through here because a later check explains them better (shape and blockSize
   * without axis), and offered as suggestions, but not listed as valid.
   */
  readonly tolerated: ReadonlySet<string>;
}

export function keySet(keys: readonly string[], note?: string, tolerated: readonly string[] = []): KeySet {
  return Object.freeze({ keys: new Set(keys), note, tolerated: new Set(tolerated) });
}

/**
 * Every own enumerable key of `v` must be one of `allowed`: a misspelt option ('symetric') is a
 * TypeError that names it and the nearest valid key, instead of being silently ignored.
 * `for…in` is used for speed (V8 caches an object's keys); inherited enumerable keys are
 * skipped.
 */
export function checkKeys(v: object, allowed: KeySet, name: string): void {
  for (const key in v) {
    if (!allowed.keys.has(key) && !allowed.tolerated.has(key) && Object.prototype.hasOwnProperty.call(v, key)) throw unknownKey(key, allowed, name);
  }
}

function unknownKey(key: string, allowed: KeySet, name: string): TypeError {
  const near = nearestKey(key, [...allowed.keys, ...allowed.tolerated]);
  const valid = [...allowed.keys].map((k) => `'${k}'`).join(', ');
  return new TypeError(
    `Unknown key '${key}' in ${name}${near === undefined ? '' : ` (did you mean '${near}'?)`}; the valid keys are ${valid}${allowed.note ? ` ${allowed.note}` : ''}`,
  );
}

function typeError(what: string, name: string, v: unknown): TypeError {
  return new TypeError(`Expected ${what} for ${name} but received ${describe(v)}`);
}

function rangeError(what: string, name: string, v: unknown): RangeError {
  return new RangeError(`Expected ${what} for ${name} but received ${describe(v)}`);
}

// The intrinsic %TypedArray%.prototype[Symbol.toStringTag] getter: the element type's name for
// a real TypedArray (of any realm, subclasses included) and undefined for anything else. A
// Proxy around a TypedArray passes `instanceof` but not this, so it is refused with a clear
// TypeError here rather than a confusing one from V8 further in.
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get as (this: unknown) => string | undefined;

/** 'Float32Array', 'Uint8Array', … for a real TypedArray; undefined for anything else. */
export function typedArrayKind(v: unknown): string | undefined {
  return typedArrayTag.call(v);
}

export function isDetached(a: ArrayBufferView): boolean {
  if (a.byteLength !== 0) return false;
  const buffer = a.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  if (!(buffer instanceof ArrayBuffer)) return false; // a SharedArrayBuffer cannot be detached
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * True for a view that a shrunk resizable ArrayBuffer left out of bounds: it reads as empty
 * (length 0), which would otherwise pass for an empty input. Copying it throws, per spec.
 */
export function isOutOfBounds(a: ArrayBufferView): boolean {
  if (a.byteLength !== 0 || !(a.buffer as ArrayBuffer & { resizable?: boolean }).resizable) return false;
  try {
    new Uint8Array(a as unknown as ArrayLike<number>);
    return false;
  } catch {
    return true;
  }
}

export function checkAttached(a: ArrayBufferView, name: string): void {
  if (isDetached(a)) throw new RangeError(`Expected ${name} to be attached but its buffer is detached`);
  if (isOutOfBounds(a)) throw new RangeError(`Expected ${name} to lie inside its buffer but its resizable ArrayBuffer shrank below it`);
}

export function checkFloatArray(v: unknown, name: string): FloatArray {
  const kind = typedArrayKind(v);
  if (kind !== 'Float32Array' && kind !== 'Float64Array') throw new TypeError(`Expected a Float32Array or Float64Array for ${name} but received ${describe(v)}${arrayHint(v)}`);
  const a = v as FloatArray;
  checkAttached(a, name);
  return a;
}

export function checkOptions(v: unknown, name: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw typeError('an options object', name, v);
  }
  return v as Record<string, unknown>;
}

// The dtype table as a Map: one hash lookup per call instead of hasOwnProperty plus a keyed
// load on the frozen table (and never an inherited key: Map holds only these).
const DTYPE_BY_NAME: ReadonlyMap<unknown, DTypeInfo> = new Map(DTYPE_NAMES.map((d) => [d, DTYPES[d]]));

// What typedArrayKind says of each dtype's container ('Int8Array', …). Read from this Map
// rather than info.ctor.name: a function's name is an accessor, slow on every call's path.
const KIND_OF_DTYPE: ReadonlyMap<DTypeInfo, string> = new Map(DTYPE_NAMES.map((d) => [DTYPES[d], DTYPES[d].ctor.name]));

/** The TypedArray kind ('Uint8Array', …) that holds a dtype's values, as typedArrayKind names it. */
export function arrayKindOf(info: DTypeInfo): string {
  return KIND_OF_DTYPE.get(info) as string;
}

export function checkDType(v: unknown, name: string): DTypeInfo {
  if (v === undefined) return DTYPES.uint8;
  const info = DTYPE_BY_NAME.get(v);
  if (info === undefined) throw typeError(`one of ${DTYPE_NAMES.map((d) => `'${d}'`).join(', ')}`, name, v);
  return info;
}

/** Whose rounding quantize reproduces (README "Conventions"); default 'onnx'. */
export type Convention = 'onnx' | 'pytorch' | 'tflite';

/** Indexed by the binding's Rounding number. */
export const CONVENTION_NAMES: readonly Convention[] = ['onnx', 'pytorch', 'tflite'];

/** The binding's Rounding for a convention name, 0 (onnx) when absent. */
export function checkConvention(v: unknown, name: string): Rounding {
  if (v === undefined) return 0;
  const r = CONVENTION_NAMES.indexOf(v as Convention);
  if (typeof v !== 'string' || r < 0) throw typeError(`one of ${CONVENTION_NAMES.map((c) => `'${c}'`).join(', ')}`, name, v);
  return r as Rounding;
}

/**
 * float8 codes are rounded by the format conversion (nearest even, ONNX's Cast), whatever the
 * framework: only 'onnx', or no convention, applies to the float8 dtypes.
 */
export function checkFloat8Convention(v: unknown, name: string): Rounding {
  const r = checkConvention(v, name);
  if (r !== 0) throw rangeError("'onnx' or nothing (float8 codes round as ONNX's Cast does; 'pytorch' and 'tflite' are integer conventions)", name, v);
  return r;
}

/** `bits`, defaulting to the container width (SPEC §2.5). */
export function checkBits(v: unknown, info: DTypeInfo, name: string): number {
  if (v === undefined) return info.width;
  if (info.float8 !== undefined) throw rangeError('no value', `${name} (dtype '${info.name}' is a float format, without an integer bit width)`, v);
  if (typeof v !== 'number') throw typeError('a number', name, v);
  if (!Number.isInteger(v) || v < MIN_BITS || v > info.width) {
    throw rangeError(`an integer in [${MIN_BITS}, ${info.width}]`, `${name} (dtype '${info.name}')`, v);
  }
  return v;
}

export function checkBoolean(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw typeError('a boolean', name, v);
  return v;
}

/** A finite range end. */
export function checkFinite(v: unknown, name: string): number {
  if (typeof v !== 'number') throw typeError('a number', name, v);
  if (!Number.isFinite(v)) throw rangeError('a finite number', name, v);
  return v;
}

/** The scale as the float32 the kernels use; refused if rounding makes it 0 or Infinity. */
export function checkScale(v: unknown, name: string): number {
  if (typeof v !== 'number') throw typeError('a number', name, v);
  const s = Math.fround(v);
  if (!(Number.isFinite(v) && s > 0 && Number.isFinite(s))) {
    // 1e-50 and 1e39 are positive finite doubles: say what float32 makes of them.
    const asFloat32 = v > 0 && Number.isFinite(v) ? ` (${s} as float32)` : '';
    throw new RangeError(`Expected a positive finite float32 for ${name} but received ${describe(v)}${asFloat32}`);
  }
  return s;
}

export function checkZeroPoint(v: unknown, qmin: number, qmax: number, name: string): number {
  if (typeof v !== 'number') throw typeError('a number', name, v);
  if (!Number.isInteger(v) || v < qmin || v > qmax) throw rangeError(`an integer in [${qmin}, ${qmax}]`, name, v);
  return v;
}

/** What quantize/dequantize need from a QuantParams object, checked. */
export interface CheckedParams {
  info: DTypeInfo;
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
  /** float8 only: overflow and ±Inf go to ±max (true, ONNX's default) or to NaN / ±Inf. */
  saturate: boolean;
  /** params.convention as the binding's rounding argument. */
  rounding: Rounding;
}

// On every call's path: the argument names are constants, so that no string is built
// unless an error is thrown.
// Per-tensor params. 'data' and 'count' are there so that quantizeDynamic's result is itself
// a params object (dequantize(r.data, r)); 'axis' is undefined here (else per-axis params).
const PARAMS_KEYS = keySet(['scale', 'zeroPoint', 'dtype', 'bits', 'convention', 'count', 'saturate', 'data', 'axis'], "(per-axis params add 'shape' and 'blockSize')", ['shape', 'blockSize']);

/**
 * checkKeys(p, PARAMS_KEYS, 'params') for the per-call path: a switch over the key names
 * compares interned strings by identity, about three times cheaper than two Set lookups
 * per key. The error (and its message) is checkKeys'.
 */
function checkParamsKeys(p: Record<string, unknown>): void {
  for (const key in p) {
    switch (key) {
      case 'scale': case 'zeroPoint': case 'dtype': case 'bits': case 'convention': case 'count': case 'saturate':
      case 'data': case 'axis': case 'shape': case 'blockSize':
        continue;
      default:
        if (Object.prototype.hasOwnProperty.call(p, key)) throw unknownKey(key, PARAMS_KEYS, 'params');
    }
  }
}

/**
 * Per-tensor params (quantize and dequantize send per-axis ones elsewhere first). `what`
 * names the call for the one that takes no per-axis params (toUnsigned, toSigned).
 */
export function checkParams(v: unknown, what?: string): CheckedParams {
  if (v === null || typeof v !== 'object') throw typeError('a QuantParams object', 'params', v);
  const p = v as Record<string, unknown>;
  checkParamsKeys(p);
  if (p.axis !== undefined) {
    throw new RangeError(`Expected per-tensor params (without axis) for ${what ?? 'this call'} but received params.axis ${describe(p.axis)} (per-axis params are not supported here)`);
  }
  if (p.shape !== undefined || p.blockSize !== undefined) {
    const key = p.blockSize !== undefined ? 'blockSize' : 'shape';
    throw new RangeError(`Expected params.axis alongside params.${key} but received undefined (per-axis and blocked parameters need both axis and shape; without axis they are per-tensor)`);
  }
  if (ArrayBuffer.isView(p.scale)) {
    throw new TypeError(`Expected a number for params.scale but received ${describe(p.scale)} (an array of scales is per-axis: add params.axis and params.shape)`);
  }
  const info = checkDType(p.dtype, 'params.dtype');
  const bits = checkBits(p.bits, info, 'params.bits');
  if (info.float8 !== undefined) return checkFloat8Params(p, info);
  // Indexed, not destructured: array destructuring runs the iterator protocol per call.
  const range = quantRange(info, bits);
  const qmin = range[0];
  const qmax = range[1];
  const scale = checkScale(p.scale, 'params.scale');
  const zeroPoint = checkZeroPoint(p.zeroPoint, qmin, qmax, 'params.zeroPoint');
  const rounding = checkConvention(p.convention, 'params.convention');
  // Ignored by the integer dtypes (as ONNX ignores it), but a wrong type is still a mistake.
  if (p.saturate !== undefined) checkBoolean(p.saturate, 'params.saturate');
  return { info, scale, zeroPoint, qmin, qmax, saturate: true, rounding };
}

// float8: the zero point is 0 or absent. ONNX Runtime's QuantizeLinear ignores a float8 zero
// point and its DequantizeLinear refuses any other, so a non-zero one has no agreed meaning.
function checkFloat8Params(p: Record<string, unknown>, info: DTypeInfo): CheckedParams {
  const scale = checkScale(p.scale, 'params.scale');
  const z = p.zeroPoint;
  if (z !== undefined) {
    if (typeof z !== 'number') throw typeError('a number', 'params.zeroPoint', z);
    if (z !== 0) throw rangeError(`0 (the only float8 zero point ONNX Runtime accepts)`, `params.zeroPoint (dtype '${info.name}')`, z);
  }
  const saturate = p.saturate === undefined ? true : checkBoolean(p.saturate, 'params.saturate');
  const rounding = checkFloat8Convention(p.convention, 'params.convention');
  return { info, scale, zeroPoint: 0, qmin: 0, qmax: 0, saturate, rounding };
}

/** The quantized array of a given dtype (as input or as `out`). */
export function checkQuantArray(v: unknown, info: DTypeInfo, name: string): QuantArray {
  if (typedArrayKind(v) !== arrayKindOf(info)) throw new TypeError(`Expected ${article(info.ctor.name)} (dtype '${info.name}') for ${name} but received ${describe(v)}${name.endsWith('out') ? '' : arrayHint(v, info.ctor.name)}`);
  const a = v as QuantArray;
  checkAttached(a, name);
  return a;
}

export function checkFloat32Out(v: unknown, name: string): Float32Array {
  if (typedArrayKind(v) !== 'Float32Array') throw typeError('a Float32Array', name, v);
  const a = v as Float32Array;
  checkAttached(a, name);
  return a;
}

/** `out` must match the input's length and must not share any byte of its memory. */
export function checkOutShape(input: ArrayBufferView & { length: number }, out: ArrayBufferView & { length: number }, name: string): void {
  if (out.length !== input.length) {
    throw new RangeError(`Expected ${name}.length to equal the input length ${input.length} but received ${out.length}`);
  }
  checkDisjoint(input, out, name);
}

/** `out` must not share any byte of the input's memory. */
export function checkDisjoint(input: ArrayBufferView, out: ArrayBufferView, name: string): void {
  if (
    out.buffer === input.buffer &&
    out.byteLength !== 0 &&
    input.byteLength !== 0 &&
    out.byteOffset < input.byteOffset + input.byteLength &&
    input.byteOffset < out.byteOffset + out.byteLength
  ) {
    throw new RangeError(
      `Expected ${name} not to overlap the input's memory but it shares bytes ` +
        `[${Math.max(out.byteOffset, input.byteOffset)}, ${Math.min(out.byteOffset + out.byteLength, input.byteOffset + input.byteLength)}) of the same buffer`,
    );
  }
}

const PACKED_NAMES = DTYPE_NAMES.filter((d) => DTYPES[d].packed);

/** One of the packed sub-byte dtypes (for pack / unpack). */
export function checkPackedDType(v: unknown, name: string): DTypeInfo {
  const info = typeof v === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, v) ? DTYPES[v as DType] : undefined;
  if (info === undefined || !info.packed) throw typeError(`one of ${PACKED_NAMES.map((d) => `'${d}'`).join(', ')}`, name, v);
  return info;
}

/** An element count: a non-negative safe integer. */
export function checkCount(v: unknown, name: string): number {
  if (typeof v !== 'number') throw typeError('a number', name, v);
  if (!Number.isSafeInteger(v) || v < 0) throw rangeError('a non-negative integer', name, v);
  return v;
}

/** A packed array must hold exactly `count` elements of the dtype: ceil(count · width / 8) bytes. */
export function checkPackedLength(a: { length: number }, count: number, info: DTypeInfo, name: string): void {
  const bytes = packedBytes(count, info.width);
  if (a.length !== bytes) {
    throw new RangeError(`Expected ${name}.length to equal ${bytes} (${count} '${info.name}' values packed) but received ${a.length}`);
  }
}

/** One value per byte, for pack: an Int8Array or a Uint8Array. */
export function checkByteValues(v: unknown, name: string): Int8Array | Uint8Array {
  const kind = typedArrayKind(v);
  if (kind !== 'Int8Array' && kind !== 'Uint8Array') throw typeError('an Int8Array or Uint8Array', name, v);
  const a = v as Int8Array | Uint8Array;
  checkAttached(a, name);
  return a;
}

/** The one-value-per-byte array of a packed dtype: Int8Array when signed, Uint8Array when not. */
export function checkUnpackedOut(v: unknown, info: DTypeInfo, name: string): Int8Array | Uint8Array {
  const want = info.signed ? 'Int8Array' : 'Uint8Array';
  if (typedArrayKind(v) !== want) throw typeError(`${article(want)} (dtype '${info.name}')`, name, v);
  const a = v as Int8Array | Uint8Array;
  checkAttached(a, name);
  return a;
}
