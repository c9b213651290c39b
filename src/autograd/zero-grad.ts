// Clearing a parameter's gradient, shared by Module.zeroGrad and Optimizer.zeroGrad (here, in
// autograd, so that optim does not import nn).
import type { Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";

/** PyTorch's zero_grad for one parameter: drop the gradient (setToNone) or zero it in place, detached. */
export function zeroGradOf(p: Tensor, setToNone: boolean): void {
  if (!p.grad) return;
  if (setToNone) {
    p.grad = null;
    return;
  }
  const g = p.grad;
  if (g.gradFn) p.grad = g.detach();
  else g.requiresGrad = false;
  noGrad(() => (p.grad as Tensor).zero_());
}
