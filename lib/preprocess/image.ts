// Pixels -> model input and back (README "Preprocessing"). The arithmetic is per channel and
// per byte value, so it is done here once per channel into a 256-entry table, in the chosen
// framework's own float32 steps; the backend then only gathers and transposes (binding
// imageToTensor), and both backends give the table's bits.
import type { QuantkitBinding } from '../../binding';
import { DTYPES, type DType } from '../core/dtypes';
import type { Float16ArrayLike } from '../float16';
import { arrayHint, article, checkKeys, checkOptions, describe, keySet, typedArrayKind, checkAttached } from '../core/validate';
import { checkChoice, checkInteger, checkPerChannel, checkRoom, rangeError, typeError } from './checks';

export type ImageLayout = 'nchw' | 'nhwc';
export type ChannelOrder = 'rgb' | 'bgr';
export type ImageConvention = 'torchvision' | 'transformers.js';

/** What imageToTensor accepts as pixels: HWC bytes (a Node Buffer is a Uint8Array). */
export type PixelArray = Uint8Array | Uint8ClampedArray;

/** Per-tensor or per-channel quantization parameters (QuantParams / AxisParams). */
export interface ImageQuantParams {
  dtype: DType;
  scale: number | Float32Array;
  zeroPoint?: number | ArrayLike<number>;
  axis?: number;
  shape?: readonly number[];
  [key: string]: unknown;
}

export interface ImageToTensorOptions {
  width: number;
  height: number;
  /** Bytes per pixel: 1 (grey), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 3 | 4;
  /** Default 'nchw' (planes); 'nhwc' keeps pixels interleaved. */
  layout?: ImageLayout;
  /** Order of the output channels; default 'rgb'. mean and std are in this order. */
  channelOrder?: ChannelOrder;
  /** Keep the alpha channel of a 4-channel image as a 4th output channel; default false. */
  alpha?: boolean;
  /** Per output channel (a number applies to all); default none. */
  mean?: number | ArrayLike<number>;
  /** Per output channel, non-zero (a number applies to all); default none. */
  std?: number | ArrayLike<number>;
  /** Multiplier before normalizing; default 1/255; false keeps 0..255. */
  rescale?: number | false;
  /** Whose rounding to reproduce; default 'torchvision'. */
  convention?: ImageConvention;
  /**
   * Output element type: 'float32' (default) or 'float16': a new Uint16Array of float16 bits, or
   * written into `out`, a Uint16Array or (where the runtime has one) a Float16Array.
   */
  dtype?: 'float32' | 'float16';
  /** Quantize the normalized values with these parameters (per tensor or per channel) instead. */
  params?: ImageQuantParams;
  /** Element of `out` where this image's tensor starts (batches); default 0. */
  offset?: number;
}

export interface TensorToImageOptions {
  width: number;
  height: number;
  /** Channels of the tensor and of the image: 1, 3 or 4. */
  channels: 1 | 3 | 4;
  layout?: ImageLayout;
  /** Order of the tensor's channels; the image is always RGB(A). */
  channelOrder?: ChannelOrder;
  /** The normalization to undo (x · std + mean), per tensor channel. */
  mean?: number | ArrayLike<number>;
  std?: number | ArrayLike<number>;
  /** Element of `tensor` where the image starts; default 0. */
  offset?: number;
}

export type TensorArray = Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

const IMAGE_KEYS = keySet(['width', 'height', 'channels', 'layout', 'channelOrder', 'alpha', 'mean', 'std', 'rescale', 'convention', 'dtype', 'params', 'offset']);
const TENSOR_IMAGE_KEYS = keySet(['width', 'height', 'channels', 'layout', 'channelOrder', 'mean', 'std', 'offset']);
const LAYOUTS: readonly ImageLayout[] = ['nchw', 'nhwc'];
const ORDERS: readonly ChannelOrder[] = ['rgb', 'bgr'];
const CONVENTIONS: readonly ImageConvention[] = ['torchvision', 'transformers.js'];
const MAX_SIDE = 2 ** 26;

interface Geometry {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

function checkGeometry(o: Record<string, unknown>): Geometry {
  const width = checkInteger(o.width, 'opts.width', 1, MAX_SIDE);
  const height = checkInteger(o.height, 'opts.height', 1, MAX_SIDE);
  const channels = o.channels;
  if (typeof channels !== 'number') throw typeError('a number', 'opts.channels', channels);
  if (channels !== 1 && channels !== 3 && channels !== 4) throw rangeError('1, 3 or 4', 'opts.channels', channels);
  return { width, height, channels };
}

/** The output channels' source bytes: grey; RGB or BGR; and alpha last when kept. */
function sourcesOf(channels: 1 | 3 | 4, order: ChannelOrder, alpha: boolean): Uint8Array {
  if (channels === 1) return Uint8Array.of(0);
  const rgb = order === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  return Uint8Array.from(channels === 4 && alpha ? [...rgb, 3] : rgb);
}

interface Normalization {
  convention: ImageConvention;
  rescale: number | false;
  mean: number[] | undefined;
  std: number[] | undefined;
}

const f = Math.fround;

/**
 * The float32 value of byte b in channel c.
 * torchvision, Normalize(mean, std)(ToTensor()(img)): fl(b / 255) (a rescale other than 1/255:
 * fl(b · fl(r))), then fl(fl(v − fl(mean)) / fl(std)): mean and std are float32 tensors.
 * transformers.js' image processors: fl(r · b) with r a double, stored to a Float32Array, then
 * ((v − mean) / std) in double arithmetic and stored: one float32 rounding.
 */
function normalizedTable(n: Normalization, count: number): Float32Array {
  const table = new Float32Array(count * 256);
  for (let c = 0; c < count; c++) {
    const m = n.mean ? n.mean[c]! : 0;
    const s = n.std ? n.std[c]! : 1;
    const normalize = n.mean !== undefined || n.std !== undefined;
    for (let b = 0; b < 256; b++) {
      let v: number;
      if (n.convention === 'torchvision') {
        v = n.rescale === false ? b : n.rescale === 1 / 255 ? f(b / 255) : f(b * f(n.rescale));
        if (normalize) v = f(f(v - f(m)) / f(s));
      } else {
        v = n.rescale === false ? b : f(n.rescale * b);
        if (normalize) v = f((v - m) / s);
      }
      table[c * 256 + b] = v;
    }
  }
  return table;
}

function checkNormalization(o: Record<string, unknown>, count: number): Normalization {
  const convention = checkChoice(o.convention, CONVENTIONS, 'opts.convention', 'torchvision');
  let rescale: number | false = 1 / 255;
  if (o.rescale === false) rescale = false;
  else if (o.rescale !== undefined) {
    if (typeof o.rescale !== 'number') throw typeError('a number or false', 'opts.rescale', o.rescale);
    if (!(Number.isFinite(o.rescale) && o.rescale > 0)) throw rangeError('a positive finite number', 'opts.rescale', o.rescale);
    rescale = o.rescale;
  }
  const mean = o.mean === undefined ? undefined : checkPerChannel(o.mean, count, 'opts.mean', false);
  const std = o.std === undefined ? undefined : checkPerChannel(o.std, count, 'opts.std', true);
  return { convention, rescale, mean, std };
}

// The last few tables built (float32 and float16 outputs), by their inputs: a server that
// converts image after image with the same options builds its table once.
const cache = new Map<string, TensorArray>();
const CACHE_SIZE = 16;

function cached(key: string, build: () => TensorArray): TensorArray {
  let t = cache.get(key);
  if (t === undefined) {
    t = build();
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, t);
  }
  return t;
}

export interface ImageApi {
  imageToTensor<T extends TensorArray | Float16ArrayLike = Float32Array>(pixels: PixelArray, opts: ImageToTensorOptions, out?: T): T;
  tensorToImage(tensor: Float32Array, opts: TensorToImageOptions, out?: Uint8Array): Uint8Array;
}

type Quantize = (x: Float32Array, params: never) => TensorArray;

export function imageApi(binding: QuantkitBinding, quantize: Quantize): ImageApi {
  /** The output table, and the TypedArray kind the output must be. */
  function tableFor(o: Record<string, unknown>, n: Normalization, count: number, nhwc: boolean): { lut: TensorArray; ctor: { new (n: number): TensorArray; name: string } } {
    if (o.params !== undefined) {
      if (o.dtype !== undefined) throw new TypeError(`Expected either opts.dtype or opts.params but received both (dtype ${describe(o.dtype)})`);
      const p = o.params;
      if (p === null || typeof p !== 'object') throw typeError('quantization parameters (QuantParams or AxisParams)', 'opts.params', p);
      const params = p as ImageQuantParams;
      const info = typeof params.dtype === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, params.dtype) ? DTYPES[params.dtype] : undefined;
      if (info === undefined) throw typeError('a dtype', 'opts.params.dtype', params.dtype);
      if (info.packed) throw rangeError('a dtype of one element per array slot (packed 4- and 2-bit output is not supported)', 'opts.params.dtype', params.dtype);
      const values = normalizedTable(n, count);
      let lut: TensorArray;
      if (params.axis === undefined) {
        lut = quantize(values, params as never);
      } else {
        // Per channel: the axis must be the tensor's channel dimension, one parameter a channel.
        const shape = params.shape;
        const axis = params.axis;
        if (!Array.isArray(shape) || typeof axis !== 'number') throw typeError('an array with opts.params.axis', 'opts.params.shape', shape);
        const a = axis < 0 ? axis + shape.length : axis;
        const channelAxis = nhwc ? shape.length - 1 : shape.length - 3;
        if (a !== channelAxis || shape[a] !== count || params.blockSize !== undefined) {
          throw new RangeError(`Expected per-channel parameters along the ${nhwc ? 'last' : 'channel (third from last)'} dimension of ${count} for opts.params but received axis ${describe(axis)} of shape [${shape.join(', ')}]${params.blockSize !== undefined ? ' with blockSize' : ''}`);
        }
        lut = quantize(values, { ...params, axis: 0, shape: [count, 256] } as never);
      }
      return { lut, ctor: info.ctor as unknown as { new (n: number): TensorArray; name: string } };
    }
    const dtype = checkChoice(o.dtype, ['float32', 'float16'] as const, 'opts.dtype', 'float32');
    const key = `${dtype}|${n.convention}|${String(n.rescale)}|${count}|${n.mean?.join(',') ?? ''}|${n.std?.join(',') ?? ''}`;
    if (dtype === 'float32') return { lut: cached(key, () => normalizedTable(n, count)), ctor: Float32Array };
    const lut = cached(key, () => {
      const h = new Uint16Array(count * 256);
      binding.toFloat16(normalizedTable(n, count), h);
      return h;
    });
    return { lut, ctor: Uint16Array };
  }

  /**
   * HWC bytes -> a normalized NCHW (or NHWC) tensor of width · height · output channels
   * elements, written into `out` at opts.offset when given (and `out` returned), else into a
   * new array. float32 by default, float16 bits, or quantized codes (opts.params).
   */
  function imageToTensor<T extends TensorArray | Float16ArrayLike>(pixels: PixelArray, opts: ImageToTensorOptions, out?: T): T {
    const kind = typedArrayKind(pixels);
    if (kind !== 'Uint8Array' && kind !== 'Uint8ClampedArray') throw new TypeError(`Expected a Uint8Array, Buffer or Uint8ClampedArray (HWC bytes) for pixels but received ${describe(pixels)}${arrayHint(pixels, 'Uint8Array')}`);
    checkAttached(pixels, 'pixels');
    const o = checkOptions(opts, 'opts');
    if (opts === undefined) throw typeError('an options object with width, height and channels', 'opts', opts);
    checkKeys(o, IMAGE_KEYS, 'opts');
    const { width, height, channels } = checkGeometry(o);
    const pixelCount = width * height;
    if (pixels.length !== pixelCount * channels) {
      throw new RangeError(`Expected pixels.length to equal width · height · channels = ${width} · ${height} · ${channels} = ${pixelCount * channels} but received ${pixels.length}`);
    }
    const layout = checkChoice(o.layout, LAYOUTS, 'opts.layout', 'nchw');
    const order = checkChoice(o.channelOrder, ORDERS, 'opts.channelOrder', 'rgb');
    if (o.alpha !== undefined && typeof o.alpha !== 'boolean') throw typeError('a boolean', 'opts.alpha', o.alpha);
    const sources = sourcesOf(channels, order, o.alpha === true);
    const count = sources.length;
    const n = checkNormalization(o, count);
    const { lut, ctor } = tableFor(o, n, count, layout === 'nhwc');
    const size = pixelCount * count;
    let target: TensorArray;
    if (out === undefined) {
      if (o.offset !== undefined) throw typeError('an out array with opts.offset', 'out', out);
      target = new ctor(size);
    } else {
      // float16 output: a Float16Array (where the runtime has one) is written through a
      // Uint16Array view of its memory; the addon never sees a Float16Array.
      const float16 = o.params === undefined && o.dtype === 'float16';
      const half = float16 && typedArrayKind(out) === 'Float16Array';
      if (typedArrayKind(out) !== ctor.name && !half) throw typeError(`${article(ctor.name)} (the output's element type)`, 'out', out);
      const offset = o.offset === undefined ? 0 : checkInteger(o.offset, 'opts.offset', 0);
      checkRoom(out, offset, size, 'out');
      const view = half ? new Uint16Array(out.buffer, out.byteOffset, out.length) : (out as TensorArray);
      target = view.subarray(offset, offset + size);
      if (target.buffer === pixels.buffer && target.byteOffset < pixels.byteOffset + pixels.byteLength && pixels.byteOffset < target.byteOffset + target.byteLength) {
        throw new RangeError('Expected out not to overlap the pixels\' memory but it does');
      }
    }
    binding.imageToTensor(pixels, target, lut, sources, channels, layout === 'nhwc');
    return (out ?? target) as T;
  }

  /**
   * A float tensor (a model's image or mask output) -> HWC bytes, RGB(A): x · std + mean in
   * float32 when given, then torchvision save_image's fl(fl(v · 255) + 0.5), clamped to
   * [0, 255] (NaN -> 0) and truncated.
   */
  function tensorToImage(tensor: Float32Array, opts: TensorToImageOptions, out?: Uint8Array): Uint8Array {
    if (typedArrayKind(tensor) !== 'Float32Array') throw typeError('a Float32Array', 'tensor', tensor);
    checkAttached(tensor, 'tensor');
    const o = checkOptions(opts, 'opts');
    if (opts === undefined) throw typeError('an options object with width, height and channels', 'opts', opts);
    checkKeys(o, TENSOR_IMAGE_KEYS, 'opts');
    const { width, height, channels } = checkGeometry(o);
    const layout = checkChoice(o.layout, LAYOUTS, 'opts.layout', 'nchw');
    const order = checkChoice(o.channelOrder, ORDERS, 'opts.channelOrder', 'rgb');
    const mean = o.mean === undefined ? undefined : checkPerChannel(o.mean, channels, 'opts.mean', false);
    const std = o.std === undefined ? undefined : checkPerChannel(o.std, channels, 'opts.std', false);
    const offset = o.offset === undefined ? 0 : checkInteger(o.offset, 'opts.offset', 0);
    const pixelCount = width * height;
    checkRoom(tensor, offset, pixelCount * channels, 'tensor');
    let target: Uint8Array;
    if (out === undefined) target = new Uint8Array(pixelCount * channels);
    else {
      if (typedArrayKind(out) !== 'Uint8Array') throw typeError('a Uint8Array', 'out', out);
      checkAttached(out, 'out');
      if (out.length !== pixelCount * channels) throw new RangeError(`Expected out.length to equal ${pixelCount * channels} but received ${out.length}`);
      target = out;
    }
    // Output channel k (RGB order) reads tensor channel src[k].
    const src = channels === 1 ? [0] : order === 'rgb' ? [0, 1, 2, 3] : [2, 1, 0, 3];
    const nhwc = layout === 'nhwc';
    const bytes = new Uint8Array(pixelCount * channels);
    for (let k = 0; k < channels; k++) {
      const c = src[k]!;
      const s = std ? f(std[c]!) : 1;
      const m = mean ? f(mean[c]!) : 0;
      const denormalize = std !== undefined || mean !== undefined;
      for (let p = 0; p < pixelCount; p++) {
        let v = tensor[offset + (nhwc ? p * channels + c : c * pixelCount + p)]!;
        if (denormalize) v = f(f(v * s) + m);
        v = f(f(v * 255) + 0.5);
        bytes[p * channels + k] = v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0; // NaN -> 0
      }
    }
    target.set(bytes);
    return target;
  }

  return { imageToTensor, tensorToImage };
}
