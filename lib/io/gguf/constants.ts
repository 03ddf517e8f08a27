// GGUF's numbers: metadata value types and ggml tensor types with their block geometry.
// Source: the GGUF spec (ggml docs/gguf.md), ggml's gguf.cpp reader, and gguf-py's
// constants.py (GGUFValueType, GGMLQuantizationType, GGML_QUANT_SIZES). Ids absent here
// (4, 5, 31–33, 36–38) were removed from ggml and never appear in valid files.
import type { ElementType } from '../types';

/** GGUF's magic: the bytes 'GGUF' (0x46554747 read as a little-endian u32). */
export const GGUF_MAGIC = 'GGUF';
/** The version this writer emits. */
export const GGUF_VERSION = 3;
/** Alignment of the data section and of every tensor's offset when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types by their on-disk id (GGUFValueType in gguf-py). */
export const GGUF_VALUE_TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'] as const;
export type GgufScalarType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'string' | 'u64' | 'i64' | 'f64';
/**
 * A metadata value's type: a scalar name, or `array<T>` for an array of T (nested arrays are
 * `array<array<T>>`). Reading a nested array whose inner arrays differ in item type gives the
 * first inner array's type.
 */
export type GgufValueType = GgufScalarType | `array<${string}>`;

/** Bytes of one fixed-size scalar (string and array have no fixed size). */
export const GGUF_SCALAR_BYTES: Readonly<Record<Exclude<GgufScalarType, 'string'>, number>> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, u64: 8, i64: 8, f64: 8,
};

/** One ggml tensor type: id, name as gguf-py spells it, block geometry, quantkit's type if it decodes it. */
export interface GgmlTypeInfo {
  readonly id: number;
  readonly name: string;
  readonly blockElements: number;
  readonly blockBytes: number;
  /** The ElementType quantkit decodes it as; undefined for types only readBytes serves. */
  readonly element?: ElementType;
}

const T = (id: number, name: string, blockElements: number, blockBytes: number, element?: ElementType): GgmlTypeInfo =>
  Object.freeze({ id, name, blockElements, blockBytes, element });

/** Every ggml tensor type by id (GGML_QUANT_SIZES: elements per block, bytes per block). */
export const GGML_TYPES: ReadonlyMap<number, GgmlTypeInfo> = new Map(
  [
    T(0, 'F32', 1, 4, 'f32'),
    T(1, 'F16', 1, 2, 'f16'),
    T(2, 'Q4_0', 32, 18, 'q4_0'),
    T(3, 'Q4_1', 32, 20, 'q4_1'),
    T(6, 'Q5_0', 32, 22, 'q5_0'),
    T(7, 'Q5_1', 32, 24, 'q5_1'),
    T(8, 'Q8_0', 32, 34, 'q8_0'),
    T(9, 'Q8_1', 32, 36),
    T(10, 'Q2_K', 256, 84),
    T(11, 'Q3_K', 256, 110),
    T(12, 'Q4_K', 256, 144, 'q4_k'),
    T(13, 'Q5_K', 256, 176, 'q5_k'),
    T(14, 'Q6_K', 256, 210, 'q6_k'),
    T(15, 'Q8_K', 256, 292),
    T(16, 'IQ2_XXS', 256, 66),
    T(17, 'IQ2_XS', 256, 74),
    T(18, 'IQ3_XXS', 256, 98),
    T(19, 'IQ1_S', 256, 50),
    T(20, 'IQ4_NL', 32, 18),
    T(21, 'IQ3_S', 256, 110),
    T(22, 'IQ2_S', 256, 82),
    T(23, 'IQ4_XS', 256, 136),
    T(24, 'I8', 1, 1, 'i8'),
    T(25, 'I16', 1, 2, 'i16'),
    T(26, 'I32', 1, 4, 'i32'),
    T(27, 'I64', 1, 8, 'i64'),
    T(28, 'F64', 1, 8, 'f64'),
    T(29, 'IQ1_M', 256, 56),
    T(30, 'BF16', 1, 2, 'bf16'),
    T(34, 'TQ1_0', 256, 54),
    T(35, 'TQ2_0', 256, 66),
    T(39, 'MXFP4', 32, 17),
    T(40, 'NVFP4', 64, 36),
    T(41, 'Q1_0', 128, 18),
  ].map((t) => [t.id, t] as const),
);

/** The ggml type a writer stores each writable ElementType as. */
export const GGML_ID_OF: Readonly<Partial<Record<ElementType, number>>> = Object.freeze(
  Object.fromEntries([...GGML_TYPES.values()].filter((t) => t.element !== undefined).map((t) => [t.element, t.id])),
);

/** Tensor names must be shorter than this many UTF-8 bytes (GGML_MAX_NAME): ggml refuses longer ones. */
export const GGML_MAX_NAME = 64;
/** Dimensions per tensor (GGML_MAX_DIMS). */
export const GGML_MAX_DIMS = 4;
