// The double-backward rule shared by fused ops: when a fused op's backward runs with grad mode on
// (createGraph), its gradient must itself be differentiable, so it differentiates the op's
// composed definition instead of calling the fused backward kernel.
import type { Tensor } from "../tensor.js";
import { grad } from "../autograd/api.js";
import { view } from "./view.js";

/**
 * Gradients of define(...inputs) with respect to the inputs that need them, differentiable.
 * Each input enters `define` through its own fresh view: autograd.grad returns total derivatives,
 * so when one input depends on another (a GRU's hw = h W_hh^T + b_hh and h, an LSTM layer's xw
 * and h0) asking for the inputs themselves would count the path between them twice.
 */
export function differentiableGrads(
  define: (...xs: Tensor[]) => Tensor[],
  inputs: readonly (Tensor | null)[],
  needs: readonly boolean[],
  gradOutputs: readonly Tensor[],
): (Tensor | null)[] {
  const aliases = inputs.map((t) => (t === null ? null : view(t, t.shape)));
  const outs = define(...(aliases as Tensor[]));
  const wanted = aliases.filter((t, k): t is Tensor => t !== null && needs[k]);
  const gs = grad(outs, wanted, { gradOutputs: [...gradOutputs], createGraph: true, allowUnused: true });
  let k = 0;
  return needs.map((n) => (n ? gs[k++] : null));
}
