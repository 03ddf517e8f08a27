// The binding's calls as the WebAssembly module's C ABI takes them (native/wasm/exports.cc):
// each call's parameters in binding.d.ts's order, with what the Node-API glue accepts for
// each (native/glue/common.h) and the words it refuses the rest with. The order of CALLS is
// the module's numbering of the calls, checked against qk_op_name at load.

/** A TypedArray's kind, numbered as Node-API's napi_typedarray_type and native/ops' ArrayKind. */
export const KIND = {
  Int8Array: 0, Uint8Array: 1, Uint8ClampedArray: 2, Int16Array: 3, Uint16Array: 4, Int32Array: 5, Uint32Array: 6,
  Float32Array: 7, Float64Array: 8,
} as const;
export type KindName = keyof typeof KIND;

/**
 * One parameter. `array`: a TypedArray of one of `kinds`, refused with "Expected <expected>
 * for <name>"; `io`: 'in' is only read, 'out' only written (its old contents are not copied
 * in), 'inout' read and written; `like`: the parameter whose kind this one must have.
 * `number`: passed on as it is (native/args refuses what is not a number, in its order of
 * checks); `boolean`: refused when of another type.
 */
export type Param =
  | { type: 'array'; name: string; kinds: readonly KindName[]; expected: string; io: 'in' | 'out' | 'inout'; like?: string }
  | { type: 'number'; name: string }
  | { type: 'boolean'; name: string };

export interface CallSpec {
  name: string;
  params: readonly Param[];
  /** The call returns a number: -1, or an index (then nothing was written). */
  returns: boolean;
  /**
   * How the glue words a value of the wrong type ('glue': native/glue/common.h's Describe,
   * 'preprocess': native/glue/preprocess.cc's, which names kinds only).
   */
  describe?: 'preprocess';
}

const FLOAT: readonly KindName[] = ['Float32Array', 'Float64Array'];
const QUANT: readonly KindName[] = ['Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array'];
const TENSOR: readonly KindName[] = ['Float32Array', 'Uint16Array', 'Int16Array', 'Uint8Array', 'Int8Array'];
const FLOAT_WORDS = 'a Float32Array or Float64Array';
const QUANT_WORDS = 'a Uint8Array, Int8Array, Uint16Array or Int16Array';
const TENSOR_WORDS = 'a Float32Array, Uint16Array, Int16Array, Uint8Array or Int8Array';

const floatIn = (name: string): Param => ({ type: 'array', name, kinds: FLOAT, expected: FLOAT_WORDS, io: 'in' });
const quantIn = (name: string): Param => ({ type: 'array', name, kinds: QUANT, expected: QUANT_WORDS, io: 'in' });
const quantOut = (name: string): Param => ({ type: 'array', name, kinds: QUANT, expected: QUANT_WORDS, io: 'out' });
const only = (kind: KindName, name: string, io: 'in' | 'out' | 'inout'): Param => ({
  type: 'array', name, kinds: [kind], expected: `${/^[AEIO]/.test(kind) ? 'an' : 'a'} ${kind}`, io,
});
const bytes = (name: string, io: 'in' | 'out'): Param => ({ type: 'array', name, kinds: ['Int8Array', 'Uint8Array'], expected: 'an Int8Array or Uint8Array', io });
const num = (name: string): Param => ({ type: 'number', name });
const bool = (name: string): Param => ({ type: 'boolean', name });
const call = (name: string, params: Param[], returns = false, describe?: 'preprocess'): CallSpec => ({ name, params, returns, describe });

const QUANTIZE_NUMBERS = [num('scale'), num('zeroPoint'), num('qmin'), num('qmax'), num('rounding')];
const LAYOUT = [num('outer'), num('axisLength'), num('inner'), num('blockSize')];

export const CALLS: readonly CallSpec[] = [
  call('quantize', [floatIn('x'), quantOut('out'), ...QUANTIZE_NUMBERS]),
  call('dequantize', [quantIn('q'), only('Float32Array', 'out', 'out'), num('scale'), num('zeroPoint')]),
  call('minMax', [floatIn('x'), only('Float64Array', 'out', 'out')]),
  call('toFloat16', [floatIn('x'), only('Uint16Array', 'out', 'out')]),
  call('fromFloat16', [only('Uint16Array', 'h', 'in'), only('Float32Array', 'out', 'out')]),
  call('toBFloat16', [floatIn('x'), only('Uint16Array', 'out', 'out')]),
  call('fromBFloat16', [only('Uint16Array', 'h', 'in'), only('Float32Array', 'out', 'out')]),
  call('quantizePacked', [floatIn('x'), only('Uint8Array', 'out', 'out'), num('bits'), bool('signed'), ...QUANTIZE_NUMBERS]),
  call('dequantizePacked', [only('Uint8Array', 'q', 'in'), only('Float32Array', 'out', 'out'), num('bits'), bool('signed'), num('scale'), num('zeroPoint')]),
  call('pack', [bytes('values', 'in'), only('Uint8Array', 'out', 'out'), num('bits'), bool('signed')], true),
  call('unpack', [only('Uint8Array', 'packed', 'in'), bytes('out', 'out'), num('bits'), bool('signed')]),
  call('recode', [quantIn('q'), quantOut('out'), num('offset')]),
  call('quantizeFloat8', [floatIn('x'), only('Uint8Array', 'out', 'out'), num('format'), bool('saturate'), num('scale')]),
  call('dequantizeFloat8', [only('Uint8Array', 'q', 'in'), only('Float32Array', 'out', 'out'), num('format'), num('scale')]),
  call('findBadScale', [only('Float32Array', 'scale', 'in')], true),
  call('quantizeAxis', [floatIn('x'), quantOut('out'), only('Float32Array', 'scale', 'in'), only('Int32Array', 'zeroPoint', 'in'), ...LAYOUT,
    num('qmin'), num('qmax'), num('rounding')]),
  call('dequantizeAxis', [quantIn('q'), only('Float32Array', 'out', 'out'), only('Float32Array', 'scale', 'in'), only('Int32Array', 'zeroPoint', 'in'), ...LAYOUT]),
  call('minMaxAxis', [floatIn('x'), only('Float64Array', 'out', 'out'), ...LAYOUT]),
  call('ggmlQuantize', [floatIn('x'), only('Uint8Array', 'out', 'out'), num('typeCode')], true),
  call('ggmlDequantize', [only('Uint8Array', 'bytes', 'in'), only('Float32Array', 'out', 'out'), num('typeCode')]),
  call('errorStatsQuantize', [floatIn('x'), only('Float64Array', 'acc', 'inout'), num('codeType'), ...QUANTIZE_NUMBERS.slice(0, 4), num('rounding'),
    num('channels'), num('inner'), num('indexBase')]),
  call('errorStatsPair', [floatIn('x'), only('Float32Array', 'xHat', 'in'), only('Float64Array', 'acc', 'inout'), num('channels'), num('inner'), num('indexBase')]),
  call('histogramAdd', [floatIn('x'), only('Float64Array', 'counts', 'inout'), num('lo'), num('invWidth'), only('Float64Array', 'range', 'out')]),
  call('imageToTensor', [
    { type: 'array', name: 'pixels', kinds: ['Uint8Array', 'Uint8ClampedArray'], expected: 'a Uint8Array or Uint8ClampedArray', io: 'in' },
    { type: 'array', name: 'out', kinds: TENSOR, expected: TENSOR_WORDS, io: 'out' },
    { type: 'array', name: 'lut', kinds: TENSOR, expected: TENSOR_WORDS, io: 'in', like: 'out' },
    only('Uint8Array', 'sources', 'in'), num('inChannels'), bool('nhwc')], false, 'preprocess'),
  call('quantizeEmbeddings', [floatIn('x'), bytes('out', 'out'), only('Float32Array', 'min', 'in'), only('Float32Array', 'step', 'in'), num('dim'), bool('floor')], false, 'preprocess'),
  call('binarizeEmbeddings', [floatIn('x'), bytes('out', 'out'), num('dim')], false, 'preprocess'),
];
