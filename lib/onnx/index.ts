// quantkit/onnx: ONNX model quantization (README "ONNX models"). A subpath export, so that
// `require('quantkit')` does not load protobufjs.
export { quantizeModel, checkModelOptions, type QuantizeModelOptions, type QuantizeModelResult } from './quantize-model';
export { MODEL_MODES, type ModelMode, type ChangedNode, type SkippedNode, type CalibrationFeed, type CalibrationValue, type ModelProgress, type ClampedTensor } from './context';
export { loadModel, saveModel, type LoadedModel, type SaveOptions } from './model';
export { upgradeOpset } from './opset';
