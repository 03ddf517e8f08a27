// The exact surface of the native addon (build/Release/quantkit.node or a prebuild).
// The pure-TypeScript backend (lib/fallback.ts) is an object of this same type, so the
// compiler checks that both backends offer the same calls. The facade (lib/index.ts)
// validates everything before calling in; the addon re-checks what memory safety needs.

/** Input of quantize and minMax. A Float64Array is read as if rounded to float32 first. */
export type FloatArray = Float32Array | Float64Array;

/** Output of quantize, input of dequantize. */
export type QuantArray = Uint8Array | Int8Array | Uint16Array | Int16Array;

/**
 * The trailing `rounding` argument of the quantize calls (README "Conventions"):
 * 0 onnx: rint(fl(x / s)), ties to even;
 * 1 pytorch: rint(fl(x · fl(1 / s))), ties to even;
 * 2 tflite: round(fl(x / s)), ties away from zero.
 * Clamping, NaN -> zeroPoint and ±Inf saturation are the same for all three.
 */
export type Rounding = 0 | 1 | 2;

export interface QuantkitBinding {
  /** Version of the package the binding was built from. */
  readonly version: string;
  /** Kernel in use: 'scalar' | 'sse2' | 'avx2' | 'avx512' | 'neon' (native), 'js' (fallback). */
  readonly isa: string;
  /** Every kernel level this build can run on this CPU, lowest first. */
  readonly isaAvailable: readonly string[];
  /**
   * Threads one large call may use (QUANTKIT_THREADS, default 2 native, 1 fallback). Calls
   * of at least 4 Mi elements are split into parts of at least 2 Mi; smaller calls use one.
   */
  readonly threads: number;

  /**
   * out[i] = clamp(rint(fl(x[i] / scale)) + zeroPoint, qmin, qmax); NaN -> zeroPoint (rounding 0;
   * see Rounding for 1 and 2). The dtype is out's type; qmin/qmax lie inside it with qmin < qmax;
   * scale is used as float32.
   */
  quantize(x: FloatArray, out: QuantArray, scale: number, zeroPoint: number, qmin: number, qmax: number, rounding: Rounding): void;

  /**
   * Does nothing, with quantize's arguments: the cost of the bare call into the backend, the
   * floor beside which bench/overhead.js shows what the facade and the glue add per call.
   */
  callFloor(x: FloatArray, out: QuantArray, scale: number, zeroPoint: number, qmin: number, qmax: number, rounding: Rounding): void;

  /**
   * Caps the threads one call made from the calling thread may use (0 lifts the cap). The async
   * workers set 1, so each job keeps to one core. TypeError/RangeError for anything but an
   * integer from 0 to 8. The TypeScript backend runs every call on its thread: nothing to cap.
   */
  capThreads(n: number): void;

  /** out[i] = fl(float32(q[i] - zeroPoint) * scale). */
  dequantize(q: QuantArray, out: Float32Array, scale: number, zeroPoint: number): void;

  /**
   * out[0] = min and out[1] = max of the non-NaN values (as float32, -0 reported as 0);
   * NaN, NaN when there are none. `out` is a Float64Array of length 2.
   */
  minMax(x: FloatArray, out: Float64Array): void;

  // float16 / bfloat16 (native/kernels/convert/half.h): the 16-bit side is a Uint16Array of bits;
  // out has x's (or h's) length and shares no memory with it. float32 -> 16 bits rounds to
  // nearest even; NaN -> sign | 0x7e00 | mantissa >> 13 (float16), sign | 0x7fc0 (bfloat16).
  // 16 bits -> float32 is exact; a float16 NaN keeps its payload and gets the quiet bit,
  // a bfloat16 NaN is kept as is (bits << 16).

  toFloat16(x: FloatArray, out: Uint16Array): void;
  fromFloat16(h: Uint16Array, out: Float32Array): void;
  toBFloat16(x: FloatArray, out: Uint16Array): void;
  fromBFloat16(h: Uint16Array, out: Float32Array): void;

  // Packed sub-byte types (uint4/int4/uint2/int2), `bits` (4 or 2) per element: element i
  // sits in byte floor(i·bits/8) at bit (i·bits) mod 8 (ONNX order); the unused high bits of
  // the last byte are written as 0 and ignored when read.

  /**
   * quantize, then pack: out.length === ceil(x.length · bits / 8). [qmin, qmax] lies inside
   * the signed or unsigned bits-wide range.
   */
  quantizePacked(x: FloatArray, out: Uint8Array, bits: number, signed: boolean, scale: number, zeroPoint: number, qmin: number, qmax: number, rounding: Rounding): void;

  /** Unpack, then dequantize: out.length elements, q.length === ceil(out.length · bits / 8). */
  dequantizePacked(q: Uint8Array, out: Float32Array, bits: number, signed: boolean, scale: number, zeroPoint: number): void;

  /**
   * One value per byte in, packed out (out.length === ceil(values.length · bits / 8)).
   * Returns -1, or the index of the first value outside the bits-wide range (then nothing
   * is written).
   */
  pack(values: Int8Array | Uint8Array, out: Uint8Array, bits: number, signed: boolean): number;

  /** Packed in, one value per byte out (sign-extended when signed); packed.length === ceil(out.length · bits / 8). */
  unpack(packed: Uint8Array, out: Int8Array | Uint8Array, bits: number, signed: boolean): void;

  /**
   * out[i] = (q[i] + offset) modulo 2^width, between the signed and the unsigned type of one
   * width (Int8Array <-> Uint8Array, Int16Array <-> Uint16Array); out may be q's own memory.
   */
  recode(q: QuantArray, out: QuantArray, offset: number): void;

  // float8 (native/kernels/float8/float8.h): format 0 = float8e4m3fn, 1 = float8e5m2; the codes are
  // a Uint8Array of x's (or out's) length sharing no memory with the other array. There is
  // no zero point: it is 0 (the only one ONNX Runtime's DequantizeLinear accepts).

  /**
   * out[i] = float8(fl(x[i] / scale)), round to nearest even; an overflow (and ±Inf) is ±max
   * when `saturate`, else NaN (e4m3fn) or ±Inf (e5m2); NaN -> sign | 0x7f.
   */
  quantizeFloat8(x: FloatArray, out: Uint8Array, format: number, saturate: boolean, scale: number): void;

  /** out[i] = fl(float(q[i]) * scale); a NaN code gives 0x7fc00000 or 0xffc00000 by its sign. */
  dequantizeFloat8(q: Uint8Array, out: Float32Array, format: number, scale: number): void;

  // Per-axis and blocked parameters (native/kernels/axis/axis.h): x holds outer · axisLength · inner
  // elements (axisLength = shape[axis], inner = the product of the dims after it). blockSize 0:
  // per-axis, element (o, a, i) uses parameter a (axisLength parameters). blockSize ≥ 1:
  // element (o, a, i) uses parameter (o · nb + floor(a / blockSize)) · inner + i with
  // nb = ceil(axisLength / blockSize) (outer · nb · inner parameters). Each element gets the bits
  // quantize / dequantize give it with its own scale and zero point. scale holds positive
  // finite float32s, zeroPoint integers inside [qmin, qmax] (quantize) or the container
  // (dequantize); out shares no memory with any input.

  quantizeAxis(x: FloatArray, out: QuantArray, scale: Float32Array, zeroPoint: Int32Array, outer: number, axisLength: number, inner: number, blockSize: number, qmin: number, qmax: number, rounding: Rounding): void;

  dequantizeAxis(q: QuantArray, out: Float32Array, scale: Float32Array, zeroPoint: Int32Array, outer: number, axisLength: number, inner: number, blockSize: number): void;

  /**
   * out[2k] = min and out[2k + 1] = max of parameter k's elements (as float32, NaN ignored,
   * -0 reported as 0); NaN, NaN when there is none. out.length === 2 · parameter count.
   */
  minMaxAxis(x: FloatArray, out: Float64Array, outer: number, axisLength: number, inner: number, blockSize: number): void;

  /**
   * -1, or the index of the first element of `scale` that is not a positive finite float32
   * (NaN, ±0, negative, ±Inf). The facade's check of per-axis scales: a branch-free scan in
   * the addon, so that a small per-axis call is not dominated by it.
   */
  findBadScale(scale: Float32Array): number;

  // ggml blocks (native/kernels/ggml/ggml.h), byte for byte as ggml's reference quantizers:
  // typeCode 0 = Q8_0 (34-byte blocks), 1 = Q4_0 (18), 2 = Q4_1 (20), 3 = Q5_0 (22),
  // 4 = Q5_1 (24), 32 elements a block; 5 = Q4_K (144), 6 = Q5_K (176), 7 = Q6_K (210),
  // 256 elements a block. "elements" below is the type's.

  /**
   * x.length is a multiple of elements; out.length === x.length / elements · block bytes.
   * Returns -1, or the index of x's first element that is not finite as float32 (then
   * nothing is written).
   */
  ggmlQuantize(x: FloatArray, out: Uint8Array, typeCode: number): number;

  /** out.length is a multiple of elements; bytes.length === out.length / elements · block bytes. */
  ggmlDequantize(bytes: Uint8Array, out: Float32Array, typeCode: number): void;

  // Calibration (native/kernels/calibrate/calibrate.h, README "Calibrate and compare").
  // Error statistics add into `acc`: groups of 16 doubles, [0] the whole call's, [1 + c]
  // channel c's when channels > 0 (element i, numbered indexBase + i, is in channel
  // floor((indexBase + i) / inner) mod channels). A group holds the compensated sums (value,
  // then its Neumaier compensation) of x², e², x·x̂, x̂², |e| (e = x − x̂ in double), then max |e|
  // (−1: none yet), its element number (−1), the count of pairs used, of pairs with a NaN
  // (excluded), of pairs with ±Inf (excluded) and the first such element number (−1).
  // acc.length === 16 · (1 + channels); x is read as float32. Sums agree between backends to a
  // few ulps (their order differs); counts, max |e| and its element number are identical.

  /**
   * The round trip of a per-tensor integer quantization, fused: q as quantize gives it into a
   * code type (codeType: 0 uint8, 1 int8, 2 uint16, 3 int16; [qmin, qmax] inside it), x̂ as
   * dequantize gives it, pairs (x, x̂) accumulated; nothing of x's size is allocated.
   */
  errorStatsQuantize(x: FloatArray, acc: Float64Array, codeType: number, scale: number, zeroPoint: number, qmin: number, qmax: number, rounding: Rounding, channels: number, inner: number, indexBase: number): void;

  /** Pairs (x[i], xHat[i]) accumulated; xHat.length === x.length. */
  errorStatsPair(x: FloatArray, xHat: Float32Array, acc: Float64Array, channels: number, inner: number, indexBase: number): void;

  /**
   * counts[k] += the number of non-NaN x (as float32) whose bin is k: t = fl(fl(x − lo) · invWidth)
   * in float32 (lo and invWidth rounded to float32 first), clamped to [0, counts.length − 1]
   * (±Inf lands in an end bin), truncated;
   * 1 ≤ counts.length ≤ 2^22. range[0], range[1] = min and max of the non-NaN x as float32
   * (−0 as 0; NaN, NaN when none): one pass bins a batch and says whether it fitted.
   */
  histogramAdd(x: FloatArray, counts: Float64Array, lo: number, invWidth: number, range: Float64Array): void;

  // Preprocessing (native/kernels/preprocess/, README "Preprocessing").

  /**
   * Pixels -> tensor through per-channel tables: for pixel p (pixels.length / inChannels of
   * them, HWC bytes) and output channel c, the element at c · pixelCount + p (NCHW) or
   * p · sources.length + c (nhwc) is lut[c · 256 + pixels[p · inChannels + sources[c]]], copied
   * bit for bit. inChannels is 1, 3 or 4; sources has 1 to 4 entries below inChannels; lut is
   * the same kind of array as out, 256 · sources.length long; out shares no memory with the others.
   */
  imageToTensor(pixels: Uint8Array | Uint8ClampedArray, out: Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array, lut: Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array, sources: Uint8Array, inChannels: number, nhwc: boolean): void;

  /**
   * Rows of `dim` values to one code each: t = fl(fl(x − min[d]) / step[d]), NaN -> 0, clamped
   * to [0, 255], then floor (floor = true, sentence-transformers) or nearest even; a Uint8Array
   * out gets t, an Int8Array out t − 128. x.length is a multiple of dim, out has x's length.
   */
  quantizeEmbeddings(x: FloatArray, out: Uint8Array | Int8Array, min: Float32Array, step: Float32Array, dim: number, floor: boolean): void;

  /**
   * Packed signs (numpy.packbits(x > 0, axis=-1)): bit 7 − d mod 8 of byte floor(d / 8) of a
   * row is x[d] > 0; ceil(dim / 8) bytes a row, the unused bits 0. An Int8Array out gets the
   * byte − 128.
   */
  binarizeEmbeddings(x: FloatArray, out: Uint8Array | Int8Array, dim: number): void;
}
