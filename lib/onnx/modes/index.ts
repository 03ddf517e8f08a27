// The modes of quantizeModel, one file each.
import type { ModeContext, ModelMode, ModelOptions } from '../context';
import { dynamicMode } from './dynamic';
import { qdqMode } from './qdq';
import { weightsOnlyMode } from './weights-only';
import { matmulNBitsMode } from './matmul-nbits';
import { fp16Mode } from './fp16';

export interface ModeImpl {
  /** The default-domain opset the rewritten graph needs, and why (for the error or the upgrade). */
  minOpset(opts: ModelOptions): { opset: number; why: string };
  /** Rewrites ctx.model in place. */
  run(ctx: ModeContext): Promise<void>;
}

export const MODES: Record<ModelMode, ModeImpl> = {
  dynamic: dynamicMode,
  qdq: qdqMode,
  'weights-only': weightsOnlyMode,
  'matmul-nbits': matmulNBitsMode,
  fp16: fp16Mode,
};
