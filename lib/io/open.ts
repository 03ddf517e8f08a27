// openTensorFile: any file quantkit reads, by its content (detectFormat), through the reader of
// its format.
import type { TensorFile } from './types';
import { detectFormat } from './detect';
import { openSafetensors } from './safetensors';
import { openNpy, openNpz } from './npy';

/**
 * Opens `file` with the reader of the format its first bytes show (safetensors, .npy, .npz,
 * GGUF, tfjs model.json / weights manifest), whatever its name.
 * @throws Error naming the file when no format matches, and the reader's errors.
 */
export async function openTensorFile(file: string): Promise<TensorFile> {
  const format = await detectFormat(file);
  switch (format) {
    case 'safetensors':
      return openSafetensors(file);
    case 'npy':
      return openNpy(file);
    case 'npz':
      return openNpz(file);
    // MERGE (GGUF/tfjs helper): lib/io/gguf and lib/io/tfjs are not in this tree yet. Once they
    // are, import { openGguf } from './gguf' and { openTfjs } from './tfjs' above and replace
    // these two cases with `return openGguf(file);` and `return openTfjs(file);`.
    case 'gguf':
    case 'tfjs':
      throw new Error(`${file}: ${format} files are not yet readable in this build of quantkit/io`);
  }
}
