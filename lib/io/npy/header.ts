// The .npy header: reading it (versions 1.0, 2.0 and 3.0) and writing it as NumPy does.
//
// Format (numpy/lib/format.py, "NPY format" in NumPy's documentation): the magic "\x93NUMPY",
// a major and a minor version byte, the header length (u16 little-endian in 1.0, u32 in 2.0
// and 3.0), then the header: a Python dict literal with exactly the keys 'descr' (a dtype
// string such as '<f4'), 'fortran_order' (bool) and 'shape' (a tuple of ints), padded with
// spaces and ended by '\n'; latin-1 text in 1.0/2.0, UTF-8 in 3.0. The data follows.
// NumPy pads so the data starts at a multiple of 64 bytes (ARRAY_ALIGN) and adds spare spaces
// for growing the first axis (GROWTH_AXIS_MAX_DIGITS = 21); the writer here does the same, so
// its files are byte for byte those of np.save.
import type { ElementType } from '../types';

/** The longest header read, in bytes; NumPy's own headers for these dtypes are far shorter (max 64 dims). */
export const MAX_NPY_HEADER = 1 << 20;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/** NumPy kind+size → element type: b1 bool, i1…i8, u1…u8, f2, f4, f8. */
const NPY_TO_TYPE: Readonly<Record<string, ElementType>> = Object.freeze({
  b1: 'bool', i1: 'i8', u1: 'u8', i2: 'i16', u2: 'u16', i4: 'i32', u4: 'u32', i8: 'i64', u8: 'u64', f2: 'f16', f4: 'f32', f8: 'f64',
});

/** Element type → NumPy descr as np.save writes it ('|' for single bytes, '<' otherwise). */
export const TYPE_TO_NPY: Readonly<Partial<Record<ElementType, string>>> = Object.freeze({
  bool: '|b1', i8: '|i1', u8: '|u1', i16: '<i2', u16: '<u2', i32: '<i4', u32: '<u4', i64: '<i8', u64: '<u8', f16: '<f2', f32: '<f4', f64: '<f8',
});

export interface NpyHeader {
  readonly version: readonly [number, number];
  /** The descr as stored ('<f4', '>i8', '|b1'). */
  readonly descr: string;
  readonly type: ElementType;
  readonly itemSize: number;
  /** False for '>' (big-endian) multi-byte types. */
  readonly littleEndian: boolean;
  readonly fortranOrder: boolean;
  /** Logical shape (the same for C and Fortran order). */
  readonly shape: readonly number[];
  readonly elements: number;
  readonly byteLength: number;
  /** Offset of the first data byte from the start of the .npy bytes. */
  readonly dataOffset: number;
}

type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<PyValue, PyValue>;

/** A parser for the Python literals a .npy header holds: dicts, tuples, lists, str, int, True/False/None. */
class PyLiteral {
  private i = 0;
  constructor(private readonly s: string, private readonly what: string) {}

  private fail(why: string): never {
    throw new Error(`${this.what}: .npy header is not a valid Python literal (${why} at character ${this.i}): ${JSON.stringify(this.s.length > 200 ? `${this.s.slice(0, 200)}…` : this.s)}`);
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i])) this.i++;
  }

  parseAll(): PyValue {
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected text after the value');
    return v;
  }

  private value(depth: number): PyValue {
    if (depth > 64) this.fail('nesting too deep');
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.dict(depth);
    if (c === '(' || c === '[') return this.sequence(depth, c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.string();
    const m = /^(?:[+-]?\d+L?|True|False|None)/.exec(this.s.slice(this.i, this.i + 40));
    if (!m) this.fail('expected a value');
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace('L', '')); // 'L': Python 2 long, in files written by NumPy on Python 2
  }

  private dict(depth: number): Map<PyValue, PyValue> {
    const map = new Map<PyValue, PyValue>();
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return map;
      }
      const k = this.value(depth + 1);
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      if (typeof k === 'string' && map.has(k)) this.fail(`key '${k}' repeated`);
      map.set(k, this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail("expected ',' or '}'");
    }
  }

  private sequence(depth: number, close: string): PyValue {
    const items: PyValue[] = [];
    let commas = 0;
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        // (x) is x in Python, (x,) a 1-tuple.
        if (close === ')' && items.length === 1 && commas === 0) return items[0];
        return close === ')' ? { tuple: items } : items;
      }
      items.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        commas++;
      } else if (this.s[this.i] !== close) this.fail(`expected ',' or '${close}'`);
    }
  }

  private string(): string {
    const q = this.s[this.i++];
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated string');
      const c = this.s[this.i++];
      if (c === q) return out;
      if (c === '\n') this.fail('newline in a string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0' };
      if (e in simple) out += simple[e];
      else if (e === 'x' || e === 'u') {
        const len = e === 'x' ? 2 : 4;
        const hex = this.s.slice(this.i, this.i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail('bad escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += len;
      } else this.fail('unsupported escape');
    }
  }
}

function describe(v: PyValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Map) return 'a dict';
  return 'a tuple';
}

/** The element type of NumPy descr `descr`. @throws Error naming the descr for anything but b1, i1…i8, u1…u8, f2, f4, f8. */
export function npyType(descr: string, what: string): { type: ElementType; itemSize: number; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)$/.exec(descr);
  let key = m ? `${m[2]}${m[3]}` : '';
  if (key === '?') key = 'b1';
  const type = Object.prototype.hasOwnProperty.call(NPY_TO_TYPE, key) ? NPY_TO_TYPE[key] : undefined;
  if (m === null || type === undefined) {
    const why = m && m[2] === 'O' ? 'object arrays hold pickled Python objects and are never read'
      : m && (m[2] === 'U' || m[2] === 'S' || m[2] === 'a') ? 'string arrays are not tensors'
        : m && m[2] === 'V' ? 'void/structured dtypes are not tensors'
          : m && m[2] === 'c' ? 'complex numbers are not supported'
            : m && (m[2] === 'M' || m[2] === 'm') ? 'datetimes are not tensors' : 'not a dtype quantkit reads';
    throw new Error(`${what}: NumPy dtype '${descr}' is not supported: ${why} (quantkit reads b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4, f8 in either byte order)`);
  }
  const itemSize = Number(m[3] || 1);
  // '=' (native) does not occur in files NumPy writes (it stores '<' or '>'); it is read as little-endian.
  return { type, itemSize, littleEndian: m[1] !== '>' || itemSize === 1 };
}

/** The header's declared length and where it starts, from the first 12 bytes (or fewer). */
export function npyPrefix(head: Uint8Array, what: string): { version: [number, number]; headerStart: number; headerLength: number } {
  if (head.length < 10 || MAGIC.some((b, i) => head[i] !== b)) throw new Error(`${what}: not a .npy file (it does not start with \\x93NUMPY)`);
  const major = head[6];
  const minor = head[7];
  if (![1, 2, 3].includes(major) || minor !== 0) throw new Error(`${what}: .npy format version ${major}.${minor} is not supported (quantkit reads 1.0, 2.0 and 3.0)`);
  if (major === 1) return { version: [1, 0], headerStart: 10, headerLength: head[8] | (head[9] << 8) };
  if (head.length < 12) throw new RangeError(`${what}: .npy file ends inside its header length`);
  const headerLength = (head[8] | (head[9] << 8) | (head[10] << 16)) + head[11] * 2 ** 24;
  return { version: [major, 0], headerStart: 12, headerLength };
}

/**
 * Parses the header text (the bytes after the length field) into an NpyHeader.
 * @throws Error naming `what` for a malformed literal, missing or extra keys, a wrong kind of value
 *   or an unsupported dtype; RangeError for a shape over 2^53 elements or bytes.
 */
export function parseNpyHeader(headerBytes: Uint8Array, version: [number, number], headerStart: number, what: string): NpyHeader {
  let text: string;
  if (version[0] === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      throw new Error(`${what}: .npy 3.0 header is not valid UTF-8`);
    }
  } else {
    text = new TextDecoder('latin1').decode(headerBytes);
  }
  const d = new PyLiteral(text, what).parseAll();
  if (!(d instanceof Map)) throw new Error(`${what}: .npy header is ${describe(d)}, not a dict`);
  const keys = [...d.keys()].map((k) => describe(k)).sort();
  if (keys.join(',') !== "'descr','fortran_order','shape'") throw new Error(`${what}: .npy header has keys ${keys.join(', ') || '(none)'}; expected exactly 'descr', 'fortran_order' and 'shape'`);
  const descr = d.get('descr');
  if (typeof descr !== 'string') {
    const why = Array.isArray(descr) ? ' (a structured dtype: quantkit reads plain numeric arrays only)' : '';
    throw new Error(`${what}: .npy header 'descr' is ${describe(descr)}, not a dtype string${why}`);
  }
  const fortran = d.get('fortran_order');
  if (typeof fortran !== 'boolean') throw new Error(`${what}: .npy header 'fortran_order' is ${describe(fortran)}, not True or False`);
  const shapeV = d.get('shape');
  if (shapeV === null || typeof shapeV !== 'object' || !('tuple' in shapeV)) throw new Error(`${what}: .npy header 'shape' is ${describe(shapeV)}, not a tuple of ints`);
  const shape = shapeV.tuple.map((x) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw new RangeError(`${what}: .npy header 'shape' has ${describe(x)}, not a non-negative integer`);
    return x;
  });
  const { type, itemSize, littleEndian } = npyType(descr, what);
  let elements = 1;
  for (const n of shape) {
    elements *= n;
    if (!Number.isSafeInteger(elements)) throw new RangeError(`${what}: .npy shape (${shape.join(', ')}) has more than 2^53 elements`);
  }
  const byteLength = elements * itemSize;
  if (!Number.isSafeInteger(byteLength)) throw new RangeError(`${what}: .npy shape (${shape.join(', ')}) of '${descr}' has more than 2^53 bytes`);
  return Object.freeze({
    version: Object.freeze([...version]) as unknown as [number, number],
    descr, type, itemSize, littleEndian, fortranOrder: fortran, shape: Object.freeze(shape), elements, byteLength,
    dataOffset: headerStart + headerBytes.length,
  });
}

/**
 * The bytes np.save writes before the data of a C-order array of `type` and `shape`:
 * version 1.0, or 2.0 when the header does not fit in 65535 bytes.
 * @throws TypeError for a type NumPy has no dtype for (bf16, float8, ggml blocks).
 */
export function npyHeaderBytes(type: ElementType, shape: readonly number[], what = 'npy'): Uint8Array {
  const descr = TYPE_TO_NPY[type];
  if (descr === undefined) throw new TypeError(`${what}: type '${type}' has no NumPy dtype (.npy stores ${Object.keys(TYPE_TO_NPY).join(', ')})`);
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const body = new TextEncoder().encode(header); // ASCII: latin-1 and UTF-8 agree
  for (const [major, lenBytes] of [[1, 2], [2, 4]] as const) {
    const hlen = body.length + 1;
    const padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
    const total = hlen + padlen;
    if (lenBytes === 2 && total > 0xffff) continue;
    const out = new Uint8Array(MAGIC.length + 2 + lenBytes + total).fill(0x20);
    out.set(MAGIC);
    out[6] = major;
    out[7] = 0;
    const dv = new DataView(out.buffer);
    if (lenBytes === 2) dv.setUint16(8, total, true);
    else dv.setUint32(8, total, true);
    out.set(body, MAGIC.length + 2 + lenBytes);
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new RangeError(`${what}: the .npy header would have ${body.length} bytes, more than version 2.0 can hold`);
}
