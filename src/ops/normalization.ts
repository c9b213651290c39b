// F.batch_norm, F.layer_norm and F.group_norm, composed from core ops (biased variance for the
// normalisation, unbiased for batch norm's running buffer, as PyTorch).
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { add, mul, sub } from "./binary.js";
import { rsqrt } from "./unary.js";
import { mean } from "./reduce.js";
import { reshape } from "./view.js";
import type { Tensor } from "../tensor.js";
import { fusedBatchNorm } from "./batch-norm-fused.js";
import { layerNormOp } from "./layer-norm.js";

export interface BatchNormArgs {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * F.batch_norm(input [N, C, *], runningMean, runningVar, weight, bias, training, momentum, eps).
 * In training the batch statistics normalise (biased variance) and the running buffers are
 * updated in place with the unbiased variance, as PyTorch.
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (input.dim() < 2) throw new ShapeError(`batch_norm: expected 2-D or higher input, got ${fmtShape(input.shape)}`);
  const C = input.shape[1];
  for (const [name, v] of [
    ["running_mean", runningMean],
    ["running_var", runningVar],
    ["weight", weight],
    ["bias", bias],
  ] as const) {
    if (v && v.numel() !== C)
      throw new ShapeError(
        `batch_norm: expected ${name} to have ${C} elements (input ${fmtShape(input.shape)}), got ${fmtShape(v.shape)}`,
      );
  }
  if (training && input.numel() / C <= 1)
    throw new ValueError(
      `batch_norm: expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`,
    );
  if (!training && (!runningMean || !runningVar))
    throw new ValueError("batch_norm: running_mean and running_var must be defined in evaluation mode");
  const fused = fusedBatchNorm(
    composedBatchNorm,
    input,
    runningMean,
    runningVar,
    weight,
    bias,
    training,
    momentum,
    eps,
  );
  return fused ?? composedBatchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps);
}

/** batch_norm's definition in core ops (arguments already checked by batchNorm). */
function composedBatchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  training: boolean,
  momentum: number,
  eps: number,
): Tensor {
  const C = input.shape[1];
  const dims = [0, ...Array.from({ length: input.dim() - 2 }, (_, i) => i + 2)];
  const bshape = input.shape.map((s, i) => (i === 1 ? s : 1));
  const per = (v: Tensor): Tensor => reshape(v, bshape);
  let m: Tensor, v: Tensor;
  if (training) {
    const count = input.numel() / C;
    m = mean(input, dims, true);
    const centered = sub(input, m);
    v = mean(mul(centered, centered), dims, true);
    noGrad(() => {
      if (runningMean) runningMean.mul_(1 - momentum).add_(mul(reshape(m, [C]), momentum));
      if (runningVar) runningVar.mul_(1 - momentum).add_(mul(reshape(v, [C]), (momentum * count) / (count - 1)));
    });
    let y = mul(centered, rsqrt(add(v, eps)));
    if (weight) y = mul(y, per(weight));
    if (bias) y = add(y, per(bias));
    return y;
  }
  if (!runningMean || !runningVar)
    throw new ValueError("batch_norm: running_mean and running_var must be defined in evaluation mode");
  m = per(runningMean);
  v = per(runningVar);
  let y = mul(sub(input, m), rsqrt(add(v, eps)));
  if (weight) y = mul(y, per(weight));
  if (bias) y = add(y, per(bias));
  return y;
}

/** F.layer_norm over the trailing `normalizedShape` dims (biased variance). */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const tail = input.shape.slice(input.dim() - ns.length);
  if (ns.length > input.dim() || tail.some((s, i) => s !== ns[i])) {
    throw new ShapeError(
      `layer_norm: given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(", ")}], but got input of size ${fmtShape(input.shape)}`,
    );
  }
  const dims = ns.map((_, i) => input.dim() - ns.length + i);
  return layerNormOp(input, dims, weight, bias, eps);
}

/** F.group_norm: statistics over each group of channels (and all spatial positions) per sample. */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  if (input.dim() < 2) throw new ShapeError(`group_norm: expected at least 2-D input, got ${fmtShape(input.shape)}`);
  const [N, C] = input.shape;
  if (C % numGroups !== 0)
    throw new ValueError(
      `group_norm: expected number of channels in input (${C}) to be divisible by num_groups (${numGroups})`,
    );
  const g = reshape(input, [N, numGroups, -1]);
  const m = mean(g, 2, true);
  const c = sub(g, m);
  const v = mean(mul(c, c), 2, true);
  let y = reshape(mul(c, rsqrt(add(v, eps))), input.shape);
  const cshape = input.shape.map((s, i) => (i === 1 ? s : 1));
  if (weight) y = mul(y, reshape(weight, cshape));
  if (bias) y = add(y, reshape(bias, cshape));
  return y;
}
