// PLACEHOLDER: being written in its own worktree; replaced at merge.
import type { ModeImpl } from './index';
export const weightsOnlyMode: ModeImpl = {
  minOpset: () => ({ opset: 1, why: '' }),
  run: async () => {
    throw new Error('mode weights-only: not written yet');
  },
};
