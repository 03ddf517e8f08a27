// quantkit/io: model files (README "Files and the command"). One reader and one writer per
// format, each in its own folder; this file only re-exports.
export type { FileFormat, ElementType, TensorInfo, TensorFile, TensorSource, ProgressCallback } from './types';
export { ReadableFile, writeAtomically, checkNotAnInput, type AtomicOutput } from './file';
export { TYPE_LAYOUT, byteLengthOf, elementCount, decodeToFloat32, type TypeLayout } from './decode';
export { detectFormat } from './detect';
export { openGguf, writeGguf, GGML_TYPES, type GgufFile, type GgufTensorInfo, type GgufKv, type GgufValue, type GgufWriteOptions, type GgufMetadataEntry, type GgufValueType } from './gguf';
export { openTfjs, float16BitsToFloat32, type TfjsFile, type TfjsTensorInfo, type TfjsQuantization } from './tfjs';
export { writeTfjs, type TfjsWriteOptions, type TfjsWriteResult, type TfjsQuantize } from './tfjs';
export { checkSources, sourceBytes, checkRange } from './source-check';
export * from './safetensors';
export * from './npy';
export { openTensorFile } from './open';
export * from './convert';
