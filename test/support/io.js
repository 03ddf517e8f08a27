'use strict';
// Helpers for the quantkit/io suites: scratch folders, hand-built files, and rejection checks
// that pin both the error class and the message.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** A fresh folder under the OS temp dir; removed by the returned cleanup. */
function scratch(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `quantkit-${prefix}-`));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The bytes of a safetensors file with `header` (a string or an object, JSON-encoded as is) and `data`. */
function safetensorsBytes(header, data = new Uint8Array(0), { length } = {}) {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(length ?? json.length));
  return Buffer.concat([prefix, json, Buffer.from(data)]);
}

/**
 * `promiseOrFn` must reject with an error of class `name` whose message equals `message`
 * (a string) or matches it (a RegExp).
 */
async function rejectsWith(promiseOrFn, name, message) {
  let error;
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected a ${name} but nothing was thrown`);
  assert.equal(error.constructor.name, name, `error class for: ${error.message}`);
  if (message instanceof RegExp) assert.match(error.message, message);
  else assert.equal(error.message, message);
  return error;
}

/** Random bytes valid for `type` (bool: 0/1). */
function randomBytesFor(type, n, seed = 1) {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = type === 'bool' ? (s >>> 0) & 1 : (s >>> 0) & 0xff;
  }
  return out;
}

/** An async chunk source yielding `bytes` in pieces of `sizes` (cycled). */
function chunked(bytes, sizes = [3, 1, 7]) {
  return async function* chunks() {
    let i = 0;
    let k = 0;
    while (i < bytes.length) {
      const n = sizes[k++ % sizes.length];
      yield bytes.slice(i, i + n);
      i += n;
    }
  };
}

/** Files in `dir` (to check that a failed write left no temporary file). */
function listDir(dir) {
  return fs.readdirSync(dir).sort();
}

// Reference decoders, written from the format definitions (IEEE 754 binary16; bfloat16 = top
// half of binary32; OCP FP8 E4M3FN: bias 7, no infinities, S.1111.111 is NaN; E5M2: bias 15, IEEE-like).
function fromBits(bits, expBits, manBits, bias, ieeeSpecials) {
  const sign = (bits >> (expBits + manBits)) & 1 ? -1 : 1;
  const e = (bits >> manBits) & ((1 << expBits) - 1);
  const m = bits & ((1 << manBits) - 1);
  const emax = (1 << expBits) - 1;
  if (ieeeSpecials && e === emax) return m ? NaN : sign * Infinity;
  if (!ieeeSpecials && e === emax && m === (1 << manBits) - 1) return NaN;
  if (e === 0) return sign * m * 2 ** (1 - bias - manBits);
  return sign * (1 + m / 2 ** manBits) * 2 ** (e - bias);
}

/** Stored bytes of `type` decoded to float32, independently of quantkit (little-endian unless `bigEndian`). */
function referenceDecode(bytes, type, bigEndian = false) {
  const size = { f64: 8, f32: 4, f16: 2, bf16: 2, i64: 8, i32: 4, i16: 2, i8: 1, u64: 8, u32: 4, u16: 2, u8: 1, bool: 1, f8e4m3: 1, f8e5m2: 1 }[type];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = !bigEndian;
  const out = new Float32Array(bytes.length / size);
  for (let i = 0; i < out.length; i++) {
    const o = i * size;
    switch (type) {
      case 'f64': out[i] = dv.getFloat64(o, le); break;
      case 'f32': out[i] = dv.getFloat32(o, le); break;
      case 'f16': out[i] = fromBits(dv.getUint16(o, le), 5, 10, 15, true); break;
      case 'bf16': { const b = new DataView(new ArrayBuffer(4)); b.setUint32(0, dv.getUint16(o, le) << 16); out[i] = b.getFloat32(0); break; }
      case 'i64': out[i] = Number(dv.getBigInt64(o, le)); break;
      case 'u64': out[i] = Number(dv.getBigUint64(o, le)); break;
      case 'i32': out[i] = dv.getInt32(o, le); break;
      case 'u32': out[i] = dv.getUint32(o, le); break;
      case 'i16': out[i] = dv.getInt16(o, le); break;
      case 'u16': out[i] = dv.getUint16(o, le); break;
      case 'i8': out[i] = dv.getInt8(o); break;
      case 'u8': case 'bool': out[i] = dv.getUint8(o); break;
      case 'f8e4m3': out[i] = fromBits(dv.getUint8(o), 4, 3, 7, false); break;
      case 'f8e5m2': out[i] = fromBits(dv.getUint8(o), 5, 2, 15, true); break;
      default: throw new Error(type);
    }
  }
  return out;
}

/** Float32Arrays equal element for element, NaN equal to NaN, −0 distinct from +0. */
function sameFloats(actual, expected, what = '') {
  assert.equal(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what} element ${i}: ${actual[i]} !== ${expected[i]}`);
  }
}

module.exports = { scratch, safetensorsBytes, rejectsWith, randomBytesFor, chunked, listDir, referenceDecode, sameFloats };
