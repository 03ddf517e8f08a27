// The TypeScript backend of the preprocessing calls (binding.d.ts; the addon's are in
// native/kernels/preprocess/). Same bits: the image call copies table entries, and the
// embedding codes use float32 steps spelled with Math.fround. The facade has validated
// every argument.
import type { FloatArray, QuantkitBinding } from '../../binding';

type Lut = Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

// Copies go through integer views, so a float32 table entry keeps its exact bits.
function bitsOf(a: Lut): Uint32Array | Uint16Array | Int16Array | Uint8Array | Int8Array {
  return a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : a;
}

function imageToTensor(pixels: Uint8Array | Uint8ClampedArray, out: Lut, lut: Lut, sources: Uint8Array, inChannels: number, nhwc: boolean): void {
  const o = bitsOf(out);
  const t = bitsOf(lut);
  const oc = sources.length;
  const n = pixels.length / inChannels;
  for (let c = 0; c < oc; c++) {
    const base = c * 256;
    const src = sources[c]!;
    if (nhwc) {
      for (let p = 0; p < n; p++) o[p * oc + c] = t[base + pixels[p * inChannels + src]!]!;
    } else {
      const plane = c * n;
      for (let p = 0; p < n; p++) o[plane + p] = t[base + pixels[p * inChannels + src]!]!;
    }
  }
}

const fround = Math.fround;

// fl(fl(x − min) / step), NaN -> 0, clamped to [0, 255], then floor or nearest even. Each
// difference and quotient of float32 values is rounded once by fround (double rounding is
// innocuous for one IEEE operation on float32 operands).
function quantizeRow(x: FloatArray, out: Uint8Array | Int8Array, begin: number, dim: number, min: Float32Array, step: Float32Array, floor: boolean, offset: number): void {
  for (let d = 0; d < dim; d++) {
    let t = fround(fround(fround(x[begin + d]!) - min[d]!) / step[d]!);
    if (!(t > 0)) t = 0;
    if (t > 255) t = 255;
    let q = Math.floor(t);
    // Ties to even: halfway values go to the even neighbour.
    if (!floor) {
      const r = t - q;
      if (r > 0.5 || (r === 0.5 && (q & 1) === 1)) q += 1;
    }
    out[begin + d] = q - offset;
  }
}

function quantizeEmbeddings(x: FloatArray, out: Uint8Array | Int8Array, min: Float32Array, step: Float32Array, dim: number, floor: boolean): void {
  const offset = out instanceof Int8Array ? 128 : 0;
  for (let i = 0; i < x.length; i += dim) quantizeRow(x, out, i, dim, min, step, floor, offset);
}

function binarizeRow(x: FloatArray, out: Uint8Array | Int8Array, begin: number, dim: number, at: number, offset: number): void {
  for (let d = 0; d < dim; d += 8) {
    let byte = 0;
    for (let k = 0; k < 8; k++) {
      if (d + k < dim && x[begin + d + k]! > 0) byte |= 0x80 >> k;
    }
    out[at + (d >> 3)] = byte - offset;
  }
}

function binarizeEmbeddings(x: FloatArray, out: Uint8Array | Int8Array, dim: number): void {
  const offset = out instanceof Int8Array ? 128 : 0;
  const rowBytes = Math.ceil(dim / 8);
  for (let r = 0, i = 0; i < x.length; r++, i += dim) binarizeRow(x, out, i, dim, r * rowBytes, offset);
}

export const preprocessCalls: Pick<QuantkitBinding, 'imageToTensor' | 'quantizeEmbeddings' | 'binarizeEmbeddings'> = {
  imageToTensor,
  quantizeEmbeddings,
  binarizeEmbeddings,
};
