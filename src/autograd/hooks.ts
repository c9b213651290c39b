// Small tensor helpers the engine needs (kept apart so the engine file stays about ordering).
import type { DeviceType } from "../storage.js";
import { Tensor } from "../tensor.js";
import { add } from "../ops/binary.js";
import { add_ } from "../ops/inplace.js";
import { zeros } from "../ops/creation.js";
import { clone } from "../ops/cast.js";
import { noGrad } from "./grad-mode.js";
import { backend } from "../backend/backend.js";
import { sameShape } from "../backend/ref/iterate.js";

export const accumulate = (a: Tensor, b: Tensor): Tensor => add(a, b);
/**
 * .grad += g in place (PyTorch's AccumulateGrad without createGraph), so a reference to .grad
 * taken earlier sees the sum; out of place when the shapes differ (a user-set broadcast .grad).
 */
export function accumulateInto(grad: Tensor, g: Tensor): Tensor {
  if (grad.requiresGrad || !sameShape(grad.shape, g.shape)) return add(grad, g);
  if (grad.dtype === g.dtype && backend().addInPlace(grad, g)) {
    grad.storage.version++;
    return grad;
  }
  return noGrad(() => add_(grad, g));
}
/** prev += g for a gradient the engine alone holds (same shape and dtype); false when the backend declines. */
export function accumulateInPlace(prev: Tensor, g: Tensor): boolean {
  if (prev.dtype !== g.dtype || !sameShape(prev.shape, g.shape)) return false;
  if (!backend().addInPlace(prev, g)) return false;
  prev.storage.version++;
  return true;
}
export const zerosFor = (meta: { shape: readonly number[]; dtype: Tensor["dtype"]; device: DeviceType }): Tensor =>
  zeros(meta.shape, { dtype: meta.dtype, device: meta.device });
/** A gradient stored in .grad owns its memory: optimizers update it in place. */
export const detachedClone = (g: Tensor): Tensor => noGrad(() => clone(g));
