// GGUF (ggml's model file): reader and writer.
export { openGguf, GGUF_MAX_STRING_BYTES, GGUF_MAX_ARRAY_ITEMS, GGUF_MAX_ARRAY_DEPTH, GGUF_MAX_COUNT, type GgufFile, type GgufTensorInfo, type GgufKv, type GgufValue } from './read';
export { writeGguf, type GgufWriteOptions, type GgufMetadataEntry } from './write';
export { GGML_TYPES, GGUF_DEFAULT_ALIGNMENT, type GgmlTypeInfo, type GgufValueType, type GgufScalarType } from './constants';
