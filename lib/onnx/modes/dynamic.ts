// PLACEHOLDER: being written in its own worktree; replaced at merge.
import type { ModeImpl } from './index';
export const dynamicMode: ModeImpl = {
  minOpset: () => ({ opset: 1, why: '' }),
  run: async () => {
    throw new Error('mode dynamic: not written yet');
  },
};
