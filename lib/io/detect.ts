// Which format a file is, from its first bytes (never from its name).
import type { FileFormat } from './types';
import { ReadableFile } from './file';

/**
 * The format of the file at `file`: GGUF ('GGUF' magic), NumPy .npy (\x93NUMPY), .npz (a zip:
 * 'PK\x03\x04' or an empty archive's 'PK\x05\x06'), tfjs (JSON: a model.json object or a
 * weights-manifest array), safetensors (an 8-byte little-endian header length then '{').
 * @throws Error naming the file when none matches (saying so when the file is empty).
 */
export async function detectFormat(file: string): Promise<FileFormat> {
  const f = await ReadableFile.open(file);
  try {
    if (f.size === 0) throw new Error(`${file}: not a file quantkit reads (safetensors, .npy, .npz, GGUF or tfjs model.json / weights manifest); it is empty (0 bytes)`);
    const head = await f.read(0, Math.min(f.size, 16), 'the first bytes');
    const ascii = String.fromCharCode(...head);
    if (ascii.startsWith('GGUF')) return 'gguf';
    if (ascii.startsWith('\x93NUMPY')) return 'npy';
    if (ascii.startsWith('PK\x03\x04') || ascii.startsWith('PK\x05\x06')) return 'npz';
    // safetensors before JSON: a header length whose low byte is '{', '[' or a space would
    // otherwise look like JSON text. Bytes 4..7 of the length are 0 (it is at most 100 MB),
    // which JSON text never has.
    if (head.length >= 9 && head[8] === 0x7b && head[4] === 0 && head[5] === 0 && head[6] === 0 && head[7] === 0) return 'safetensors';
    const firstText = ascii.replace(/^\uFEFF?[\s]*/, '')[0];
    if (firstText === '{' || firstText === '[') return 'tfjs';
    // An ONNX model (a ModelProto: field 1, ir_version, comes first) is quantkit/onnx's, not a tensor file.
    const onnx = head[0] === 0x08 || /\.onnx$/i.test(file) ? '; an ONNX model is quantized with `quantkit quantize IN.onnx OUT.onnx --mode …` (README "ONNX models")' : '';
    throw new Error(`${file}: not a file quantkit reads (safetensors, .npy, .npz, GGUF or tfjs model.json / weights manifest); it starts with bytes ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}${onnx}`);
  } finally {
    await f.close();
  }
}
