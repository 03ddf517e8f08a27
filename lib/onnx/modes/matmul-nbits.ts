// PLACEHOLDER: being written in its own worktree; replaced at merge.
import type { ModeImpl } from './index';
export const matmulNBitsMode: ModeImpl = {
  minOpset: () => ({ opset: 1, why: '' }),
  run: async () => {
    throw new Error('mode matmul-nbits: not written yet');
  },
};
