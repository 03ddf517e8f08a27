// safetensors dtype names and quantkit's element types (huggingface/safetensors,
// safetensors/src/tensor.rs `enum Dtype`; every dtype is little-endian, C order).
import type { ElementType } from '../types';

/** safetensors dtype → quantkit element type, for every dtype quantkit reads and writes. */
export const SAFETENSORS_TO_TYPE: Readonly<Record<string, ElementType>> = Object.freeze({
  F64: 'f64', F32: 'f32', F16: 'f16', BF16: 'bf16',
  I64: 'i64', I32: 'i32', I16: 'i16', I8: 'i8',
  U64: 'u64', U32: 'u32', U16: 'u16', U8: 'u8',
  BOOL: 'bool', F8_E4M3: 'f8e4m3', F8_E5M2: 'f8e5m2',
});

/** quantkit element type → safetensors dtype (the ggml block types have none). */
export const TYPE_TO_SAFETENSORS: Readonly<Partial<Record<ElementType, string>>> = Object.freeze(
  Object.fromEntries(Object.entries(SAFETENSORS_TO_TYPE).map(([k, v]) => [v, k])),
);

/** Dtypes newer safetensors versions define that quantkit does not decode (sub-byte floats, complex). */
export const KNOWN_UNSUPPORTED = Object.freeze(['F4', 'F6_E2M3', 'F6_E3M2', 'F8_E8M0', 'C64']);
