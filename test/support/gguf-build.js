'use strict';
// GGUF files built by hand from the spec (ggml docs/gguf.md), independent of quantkit's
// writer: tests state every byte they want, including the hostile ones.
const VT = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 };

class Builder {
  constructor() {
    this.parts = [];
  }
  raw(bytes) {
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  u8(v) { const b = Buffer.alloc(1); b.writeUInt8(v); return this.raw(b); }
  i8(v) { const b = Buffer.alloc(1); b.writeInt8(v); return this.raw(b); }
  u16(v) { const b = Buffer.alloc(2); b.writeUInt16LE(v); return this.raw(b); }
  i16(v) { const b = Buffer.alloc(2); b.writeInt16LE(v); return this.raw(b); }
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return this.raw(b); }
  i32(v) { const b = Buffer.alloc(4); b.writeInt32LE(v); return this.raw(b); }
  f32(v) { const b = Buffer.alloc(4); b.writeFloatLE(v); return this.raw(b); }
  f64(v) { const b = Buffer.alloc(8); b.writeDoubleLE(v); return this.raw(b); }
  u64(v) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return this.raw(b); }
  i64(v) { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return this.raw(b); }
  str(s) { const b = Buffer.from(s, 'utf8'); return this.u64(b.length).raw(b); }
  bool(v) { return this.u8(v ? 1 : 0); }
  /** A scalar value of `type` (no type id). */
  val(type, v) {
    if (type === 'string') return this.str(v);
    return this[type](v);
  }
  /** A key-value: key, type id, value. For arrays `type` is ['array', itemType] and v the items. */
  kv(key, type, v) {
    this.str(key);
    if (Array.isArray(type)) {
      this.u32(VT.array).u32(VT[type[1]]).u64(v.length);
      for (const x of v) this.val(type[1], x);
      return this;
    }
    return this.u32(VT[type]).val(type, v);
  }
  header({ version = 3, tensors = 0, kvs = 0 } = {}) {
    return this.raw(Buffer.from('GGUF')).u32(version).u64(tensors).u64(kvs);
  }
  /** A tensor info: name, ne (ggml order), ggml type id, offset. */
  tensor(name, ne, type, offset) {
    this.str(name).u32(ne.length);
    for (const d of ne) this.u64(d);
    return this.u32(type).u64(offset);
  }
  get length() {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  padTo(alignment) {
    const pad = (alignment - (this.length % alignment)) % alignment;
    return this.raw(Buffer.alloc(pad));
  }
  bytes() {
    return Buffer.concat(this.parts);
  }
}

module.exports = { Builder, VT };
