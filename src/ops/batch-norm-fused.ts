// batch_norm as one backend kernel forward and one backward (PyTorch's native_batch_norm), when
// the input's backend offers it (the native CPU backend, float32): the composed definition in
// ./normalization.ts makes eight passes over the activations forward and about twice that
// backward, which made BatchNorm cost more than the convolutions of a small ResNet. The composed
// ops stay the definition: the reference backend, other dtypes, and gradients taken with
// createGraph (differentiated through the composition) use them.
import type { Tensor } from "../tensor.js";
import { backendFor } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { grad } from "../autograd/api.js";
import { mul } from "./binary.js";
import { wrap } from "./util.js";

type Composed = (
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  training: boolean,
  momentum: number,
  eps: number,
) => Tensor;

/** The fused batch norm, or null when the backend declines (the caller then composes it). */
export function fusedBatchNorm(
  composed: Composed,
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  training: boolean,
  momentum: number,
  eps: number,
): Tensor | null {
  const b = backendFor(input.storage.device);
  if (!b.batchNorm || !b.batchNormBackward) return null;
  const r = b.batchNorm(input, weight, bias, runningMean, runningVar, training, eps);
  if (r === null) return null;
  const C = input.shape[1];
  if (training && r.variance !== null) {
    const count = input.numel() / C;
    const m = wrap(r.saved.mean, [C], "float32"),
      v = wrap(r.variance, [C], "float32");
    noGrad(() => {
      if (runningMean) runningMean.mul_(1 - momentum).add_(mul(m, momentum));
      if (runningVar) runningVar.mul_(1 - momentum).add_(mul(v, (momentum * count) / (count - 1)));
    });
  }
  const out = wrap(r.out, input.shape, "float32");
  const backward = b.batchNormBackward.bind(b);
  return record(
    "NativeBatchNormBackward",
    [input, weight, bias],
    out,
    ([gradOut]) => {
      const needs = [input.requiresGrad, !!weight?.requiresGrad, !!bias?.requiresGrad] as const;
      if (gradOut === null) return [null, null, null];
      if (isGradEnabled()) {
        // A gradient that must itself be differentiable: differentiate the composed definition
        // (with the running buffers left alone in training, as they were updated above).
        const inputs = [input, weight, bias].filter((t, k): t is Tensor => needs[k] && t !== null);
        const y = training
          ? composed(input, null, null, weight, bias, true, momentum, eps)
          : composed(input, runningMean, runningVar, weight, bias, false, momentum, eps);
        const gs = grad([y], inputs, { gradOutputs: [gradOut], createGraph: true, allowUnused: true });
        let k = 0;
        return needs.map((n) => (n ? gs[k++] : null));
      }
      const g = backward(input, gradOut, weight, r.saved, training, needs);
      return [
        g.gradIn ? wrap(g.gradIn, input.shape, "float32") : null,
        g.gradWeight && weight ? wrap(g.gradWeight, weight.shape, "float32") : null,
        g.gradBias && bias ? wrap(g.gradBias, bias.shape, "float32") : null,
      ];
    },
    [input, ...(weight ? [weight] : [])],
  );
}
