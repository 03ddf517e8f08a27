// PLACEHOLDER: the opset upgrader, being written.
import type { ModelProto } from './proto';
export function upgradeOpset(_model: ModelProto, target: number, what: string): void {
  throw new Error(`${what}: upgrading to opset ${target} is not written yet`);
}
