// The shapes every file format in quantkit/io shares (README "Files and the command"): a
// reader lists tensors and reads them by byte or element range with positioned reads (a file
// is never loaded whole); a writer takes tensors as sources that yield their bytes in chunks.

/** The formats quantkit reads and writes; detected from a file's first bytes, not its name. */
export type FileFormat = 'safetensors' | 'npy' | 'npz' | 'gguf' | 'tfjs';

/**
 * Element types across formats, by one canonical name each. Each format maps its own names
 * to these ('F32' in safetensors, '<f4' in NumPy, GGML_TYPE_F32 in GGUF, 'float32' in tfjs).
 * The ggml block types ('q8_0' … 'q6_k') are blocks of codes, not single elements.
 */
export type ElementType =
  | 'f64' | 'f32' | 'f16' | 'bf16'
  | 'i64' | 'i32' | 'i16' | 'i8'
  | 'u64' | 'u32' | 'u16' | 'u8'
  | 'bool' | 'f8e4m3' | 'f8e5m2'
  | 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q4_k' | 'q5_k' | 'q6_k';

/** One tensor as a file lists it. */
export interface TensorInfo {
  /** The tensor's name in the file. */
  readonly name: string;
  /** Canonical element type (see ElementType). */
  readonly type: ElementType;
  /** The format's own spelling of the type ('F32', '<f4', 'Q4_K', 'float32' + 'uint8' quantization, …). */
  readonly storedType: string;
  /** Row-major shape, outermost dimension first (GGUF's ggml order is reversed into this). */
  readonly shape: readonly number[];
  /** Number of elements: the product of shape (1 for a scalar). */
  readonly elements: number;
  /** Bytes the tensor occupies in the file. */
  readonly byteLength: number;
}

/** A file opened for reading: its tensors and metadata, read on demand. */
export interface TensorFile {
  readonly format: FileFormat;
  /** The path it was opened from. */
  readonly path: string;
  /** Format metadata: safetensors `__metadata__`, GGUF key-values, tfjs model.json fields, npz member names. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Tensors in file order. */
  readonly tensors: readonly TensorInfo[];
  /** The tensor called `name`; throws an Error naming the file and the tensor when absent. */
  tensor(name: string): TensorInfo;
  /**
   * Stored bytes [byteStart, byteStart + byteLength) of a tensor, exactly as in the file
   * (little-endian unless the format says otherwise). Defaults: the whole tensor. `into`
   * (exactly byteLength bytes) is filled and returned instead of a new buffer where the reader
   * supports it (safetensors and GGUF: converters reuse buffers, as fresh 16 MiB allocations
   * cost more than the read); other readers return a new buffer.
   * @throws RangeError when the range is outside the tensor or `into` has another length.
   */
  readBytes(name: string, byteStart?: number, byteLength?: number, into?: Uint8Array): Promise<Uint8Array>;
  /**
   * Elements [start, start + count) of a tensor decoded to float32 (ints and bool converted,
   * float64 rounded to nearest, float16/bfloat16/float8 exact, ggml blocks dequantized as ggml
   * does, tfjs uint8/uint16/float16 weight quantization decoded as tfjs does). For block types,
   * start and count must be multiples of the block's element count. Defaults: the whole tensor.
   */
  readFloat32(name: string, start?: number, count?: number): Promise<Float32Array>;
  /** Closes the file descriptor(s); later reads reject. */
  close(): Promise<void>;
}

/**
 * One tensor to write: its bytes come from `chunks()`, in order, `byteLength` in all (a writer
 * rejects a source that yields more or fewer). `data` may be given instead of `chunks` for
 * tensors already in memory.
 */
export interface TensorSource {
  readonly name: string;
  readonly type: ElementType;
  /** Row-major, outermost first. */
  readonly shape: readonly number[];
  readonly byteLength: number;
  readonly data?: Uint8Array;
  chunks?(): AsyncIterable<Uint8Array>;
}

/** Called after each chunk a writer or converter has written (bytes so far / total). */
export type ProgressCallback = (done: number, total: number, tensor: string) => void;
