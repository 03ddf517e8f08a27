// Preprocessing (README "Preprocessing" and "Embeddings"): the facade of pixels -> model input
// and of embedding codes, over the binding's imageToTensor / quantizeEmbeddings /
// binarizeEmbeddings calls.
import type { QuantkitBinding } from '../../binding';
import type { HalfWidener } from '../core/half-input';
import { imageApi, type ImageApi } from './image';
import { embeddingsApi, type EmbeddingsApi } from './embeddings';

export type { ImageApi, ImageToTensorOptions, TensorToImageOptions, ImageLayout, ChannelOrder, ImageConvention, ImageQuantParams, PixelArray } from './image';
export type { EmbeddingsApi, EmbeddingPrecision, EmbeddingConvention, EmbeddingRanges, QuantizeEmbeddingsOptions, DequantizeEmbeddingsOptions, EmbeddingCodes } from './embeddings';

export function preprocessApi(binding: QuantkitBinding, half: HalfWidener, quantize: (x: Float32Array, params: never) => Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array): ImageApi & EmbeddingsApi {
  return { ...imageApi(binding, quantize), ...embeddingsApi(binding, half) };
}
