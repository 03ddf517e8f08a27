// ESM entry: the same module as the CommonJS one (one backend, one state), re-exported.
import quantkit from './index.js';

export const { paramsFromRange, computeParams, minMax, quantize, dequantize, quantizeDynamic, pack, unpack, ggml, toFloat16, fromFloat16, toBFloat16, fromBFloat16, toUnsigned, toSigned, createObserver, errorStats, compare, formatTable, imageToTensor, tensorToImage, quantizeEmbeddings, embeddingRanges, dequantizeEmbeddings, unpackBits, backend, dtypes,
  quantizeAsync, dequantizeAsync, quantizeDynamicAsync, minMaxAsync, computeParamsAsync, toFloat16Async, fromFloat16Async, toBFloat16Async, fromBFloat16Async, toUnsignedAsync, toSignedAsync, packAsync, unpackAsync, errorStatsAsync, imageToTensorAsync, tensorToImageAsync, quantizeEmbeddingsAsync, dequantizeEmbeddingsAsync, embeddingRangesAsync, unpackBitsAsync, AbortError, asyncStats } = quantkit;
export type * from './index.js';
export default quantkit;
