// Whole-file jobs over quantkit/io's readers and writers: quantize, dequantize, compare.
export { quantizeFile, outputFormatOf, ggufTypeFor, SCHEMES, type QuantizeFileOptions, type QuantizeFileResult, type TensorReport, type GgufScheme, type TfjsScheme, type OutputFormat } from './quantize-file';
export { dequantizeFile, type DequantizeFileOptions, type DequantizeFileResult } from './dequantize-file';
export { compareFile, FILE_SCHEMES, type CompareFileOptions, type CompareFileResult, type TensorComparison, type FileComparisonRow } from './compare-file';
export { AFFINE_FILE_SCHEMES, METADATA_KEY, type AffineFileScheme, type QuantizationRecord, type QuantizedTensorRecord } from './layout';
export { tensorSelector, type SelectOptions } from './select';
