// tfjs (TensorFlow.js model.json / weights manifest + binary shards): reader and writer.
export { openTfjs, float16BitsToFloat32, TFJS_MAX_JSON_BYTES, type TfjsFile, type TfjsTensorInfo, type TfjsQuantization } from './read';
export { writeTfjs, tfjsAffineParams, type TfjsWriteOptions, type TfjsWriteResult, type TfjsQuantize } from './write';
