// quantkit/io: model files (README "Files and the command"). One reader and one writer per
// format, each in its own folder, and the whole-file jobs (convert/); this file only re-exports
// what the README documents. Internals (header builders, range checks) stay in their folders.
export type { FileFormat, ElementType, TensorInfo, TensorFile, TensorSource, ProgressCallback } from './types';
export { writeAtomically, type AtomicOutput } from './file';
export { TYPE_LAYOUT, decodeToFloat32, type TypeLayout } from './decode';
export { detectFormat } from './detect';
export { openTensorFile } from './open';
export { openSafetensors, writeSafetensors, type SafetensorsFile, type SafetensorsTensorInfo, type SafetensorsWriteOptions } from './safetensors';
export { openNpy, openNpz, writeNpy, writeNpz, type NpyFile, type NpyTensorInfo, type NpyWriteOptions, type NpzWriteOptions } from './npy';
export { openGguf, writeGguf, GGML_TYPES, type GgufFile, type GgufTensorInfo, type GgufKv, type GgufValue, type GgufWriteOptions, type GgufMetadataEntry, type GgufValueType } from './gguf';
export { openTfjs, writeTfjs, type TfjsFile, type TfjsTensorInfo, type TfjsQuantization, type TfjsWriteOptions, type TfjsWriteResult, type TfjsQuantize } from './tfjs';
export { quantizeFile, dequantizeFile, compareFile, outputFormatOf, ggufTypeFor, SCHEMES, FILE_SCHEMES, AFFINE_FILE_SCHEMES, METADATA_KEY } from './convert';
export type { QuantizeFileOptions, QuantizeFileResult, TensorReport, GgufScheme, TfjsScheme, OutputFormat, DequantizeFileOptions, DequantizeFileResult, CompareFileOptions, CompareFileResult, TensorComparison, FileComparisonRow, AffineFileScheme, QuantizationRecord, QuantizedTensorRecord, SelectOptions } from './convert';
