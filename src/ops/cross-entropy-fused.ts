// F.cross_entropy's common case as one kernel: mean over int64 class targets of float32 [N, C]
// logits, no class weights (label smoothing and ignoreIndex included). The backend computes the
// loss and, when the logits need a gradient, that gradient in the same pass (softmax minus the
// smoothed one-hot, over the rows not ignored), instead of log_softmax, gather, masks, sums and
// their backwards. The composed ops remain the definition (other cases, double backward).
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { needsGrad, record } from "../autograd/record.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { mul } from "./binary.js";
import { wrap } from "./util.js";
import { differentiableGrads } from "./fused-grad.js";

/** The fused loss, or null when the backend declines; `composed` is the definition, for double backward. */
export function fusedCrossEntropy(
  input: Tensor,
  target: Tensor,
  labelSmoothing: number,
  ignoreIndex: number,
  composed: (x: Tensor) => Tensor,
): Tensor | null {
  const b = backend();
  if (!b.crossEntropy || input.dtype !== "float32" || input.storage.device !== "cpu") return null;
  if (target.storage.device !== "cpu") return null;
  const wantGrad = needsGrad([input]);
  const r = b.crossEntropy(input, target, labelSmoothing, ignoreIndex, wantGrad);
  if (r === null) return null;
  const out = wrap(Float32Array.of(r.loss), [], "float32");
  if (!wantGrad || r.grad === null) return out;
  const dLogits = wrap(r.grad, input.shape, "float32");
  return record("NllLossBackward", [input], out, ([g]) => {
    if (isGradEnabled()) return differentiableGrads((x) => [composed(x)], [input], [true], [g]);
    // loss.backward() seeds 1: the saved gradient as it is (the engine never writes into it).
    return [g.storage.device === "cpu" && g.item() === 1 ? dLogits : mul(dLogits, g)];
  });
}
