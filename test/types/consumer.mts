// The ESM view: named and default imports resolve to the same typings.
import quantkit, { quantize, backend } from 'quantkit';

const a: Uint8Array = quantize(new Float32Array(2), { scale: 1, zeroPoint: 0, dtype: 'uint8' });
const b: string = quantkit.backend.isa + backend.version;
export { a, b };
