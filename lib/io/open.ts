// openTensorFile: any file quantkit reads, by its content (detectFormat), through the reader of
// its format.
import type { TensorFile } from './types';
import { detectFormat } from './detect';
import { checkNoOptions } from './source-check';
import { openSafetensors } from './safetensors';
import { openNpy, openNpz } from './npy';
import { openGguf } from './gguf';
import { openTfjs } from './tfjs';

/**
 * Opens `file` with the reader of the format its first bytes show (safetensors, .npy, .npz,
 * GGUF, tfjs model.json / weights manifest), whatever its name.
 * @throws Error naming the file when no format matches, and the reader's errors.
 * @param options none yet: an object with a key (a misspelt option) is a TypeError.
 */
export async function openTensorFile(file: string, options?: Readonly<Record<string, never>>): Promise<TensorFile> {
  checkNoOptions(options, `openTensorFile(${String(file)})`);
  const format = await detectFormat(file);
  switch (format) {
    case 'safetensors':
      return openSafetensors(file);
    case 'npy':
      return openNpy(file);
    case 'npz':
      return openNpz(file);
    case 'gguf':
      return openGguf(file);
    case 'tfjs':
      return openTfjs(file);
  }
}
