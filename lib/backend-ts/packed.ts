// The TypeScript backend's packed sub-byte calls (binding.d.ts: quantizePacked,
// dequantizePacked, pack, unpack). Quantize and dequantize go through the backend's own
// 8-bit calls one chunk at a time, so the numbers are exactly theirs; this file only moves
// bits. The facade has validated every argument before these run.
import type { FloatArray, QuantkitBinding, Rounding } from '../../binding';

type Quantize8 = QuantkitBinding['quantize'];
type Dequantize8 = QuantkitBinding['dequantize'];
export type PackedCalls = Pick<QuantkitBinding, 'quantizePacked' | 'dequantizePacked' | 'pack' | 'unpack'>;

// Elements per chunk: a multiple of 8, so every chunk starts on a byte for both widths.
const CHUNK = 4096;

/** Packs codes[0, n) (two's complement, only the low `bits` bits used) into out from byte 0. */
function packCodes(codes: Int8Array | Uint8Array, n: number, out: Uint8Array, bits: number): void {
  const mask = (1 << bits) - 1;
  const perByte = 8 / bits;
  let j = 0;
  let i = 0;
  for (; i + perByte <= n; i += perByte) {
    let byte = 0;
    for (let k = 0; k < perByte; k++) byte |= (codes[i + k] & mask) << (k * bits);
    out[j++] = byte;
  }
  if (i < n) {
    // The last, partial byte: its unused high bits stay zero (what ONNX's packer writes).
    let byte = 0;
    for (let k = 0; i + k < n; k++) byte |= (codes[i + k] & mask) << (k * bits);
    out[j] = byte;
  }
}

/** Unpacks n elements of `bits` bits from packed (from byte 0) into out, sign-extended when signed. */
function unpackCodes(packed: Uint8Array, n: number, out: Int8Array | Uint8Array, bits: number, signed: boolean): void {
  const mask = (1 << bits) - 1;
  const perByte = 8 / bits;
  // (v << shift) >> shift on a 32-bit int sign-extends the low `bits` bits.
  const shift = 32 - bits;
  for (let i = 0; i < n; i++) {
    const v = (packed[(i / perByte) | 0] >> ((i % perByte) * bits)) & mask;
    out[i] = signed ? (v << shift) >> shift : v;
  }
}

export function packedCalls(quantize8: Quantize8, dequantize8: Dequantize8): PackedCalls {
  const signedCodes = new Int8Array(CHUNK);
  const unsignedCodes = new Uint8Array(CHUNK);

  function quantizePacked(x: FloatArray, out: Uint8Array, bits: number, signed: boolean, scale: number, zeroPoint: number, qmin: number, qmax: number, rounding: Rounding): void {
    const codes = signed ? signedCodes : unsignedCodes;
    const n = x.length;
    for (let i = 0; i < n; i += CHUNK) {
      const m = Math.min(CHUNK, n - i);
      quantize8(x.subarray(i, i + m), codes.subarray(0, m), scale, zeroPoint, qmin, qmax, rounding);
      packCodes(codes, m, out.subarray((i * bits) / 8), bits);
    }
  }

  function dequantizePacked(q: Uint8Array, out: Float32Array, bits: number, signed: boolean, scale: number, zeroPoint: number): void {
    const codes = signed ? signedCodes : unsignedCodes;
    const n = out.length;
    for (let i = 0; i < n; i += CHUNK) {
      const m = Math.min(CHUNK, n - i);
      unpackCodes(q.subarray((i * bits) / 8), m, codes, bits, signed);
      dequantize8(codes.subarray(0, m), out.subarray(i, i + m), scale, zeroPoint);
    }
  }

  function pack(values: Int8Array | Uint8Array, out: Uint8Array, bits: number, signed: boolean): number {
    const lo = signed ? -(1 << (bits - 1)) : 0;
    const hi = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    const n = values.length;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v < lo || v > hi) return i;
    }
    packCodes(values, n, out, bits);
    return -1;
  }

  function unpack(packed: Uint8Array, out: Int8Array | Uint8Array, bits: number, signed: boolean): void {
    unpackCodes(packed, out.length, out, bits, signed);
  }

  return { quantizePacked, dequantizePacked, pack, unpack };
}
