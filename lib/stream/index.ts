// quantkit/stream (README "Streams"): quantizeStream and dequantizeStream, Transform streams over
// the facade's calls and their async twins. A subpath of its own, so that the main entry's
// typings need no Node types (a Transform is one).
import quantkit from '../index';
import { streamApi } from './stream';

export type { StreamOptions } from './stream';
export { CHUNK_ASYNC } from './stream';

export const { quantizeStream, dequantizeStream } = streamApi(quantkit);
