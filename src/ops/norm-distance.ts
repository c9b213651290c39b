// F.normalize, F.cosine_similarity, F.pairwise_distance, F.instance_norm and
// F.local_response_norm, composed from differentiable ops as PyTorch 1.13 defines them.
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { add, div, gt, mul, ne, pow, sub, where } from "./binary.js";
import { abs, rsqrt } from "./unary.js";
import { amax, mean, sum } from "./reduce.js";
import { clamp } from "./clamp.js";
import { toDType } from "./cast.js";
import { reshape, squeeze, unsqueeze } from "./view.js";
import { pad } from "./pad.js";
import { avgPoolNd } from "./pool-nd.js";

/**
 * The p-norm over `dims` (PyTorch's vector_norm); its gradient is 0 where the norm is 0, as
 * PyTorch's norm backward masks it (a plain pow(sum, 1/p) would give NaN there).
 */
export function pNorm(x: Tensor, p: number, dims: number | readonly number[], keepdim: boolean): Tensor {
  const ds = typeof dims === "number" ? [dims] : [...dims];
  if (p === Infinity) return amax(abs(x), ds, keepdim);
  if (p === -Infinity) return mul(amax(mul(abs(x), -1), ds, keepdim), -1);
  if (p === 0) return toDType(sum(ne(x, 0), ds, keepdim), x.dtype);
  if (p === 1) return sum(abs(x), ds, keepdim);
  const s = p === 2 ? sum(mul(x, x), ds, keepdim) : sum(pow(abs(x), p), ds, keepdim);
  const pos = gt(s, 0);
  const safe = where(pos, s, 1);
  return where(pos, pow(safe, 1 / p), 0);
}

/** F.normalize(input, p = 2, dim = 1, eps = 1e-12): input / max(‖input‖_p, eps) along dim. */
export function normalize(input: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  const n = pNorm(input, p, input.dim() === 0 ? [] : dim, true);
  return div(input, clamp(n, eps));
}

/** F.cosine_similarity(x1, x2, dim = 1, eps = 1e-8): each input normalised by max(‖x‖, eps), then the dot product. */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim = 1, eps = 1e-8): Tensor {
  const n1 = clamp(pNorm(x1, 2, dim, true), eps),
    n2 = clamp(pNorm(x2, 2, dim, true), eps);
  return sum(mul(div(x1, n1), div(x2, n2)), dim);
}

/** F.pairwise_distance(x1, x2, p = 2, eps = 1e-6, keepdim = false): ‖x1 - x2 + eps‖_p over the last dim. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6, keepdim = false): Tensor {
  const d = Math.max(x1.dim(), x2.dim());
  if (d === 0) throw new ShapeError("pairwise_distance: expected at least 1-D inputs");
  return pNorm(add(sub(x1, x2), eps), p, -1, keepdim);
}

/**
 * F.instance_norm(input [N, C, *], runningMean, runningVar, weight, bias, useInputStats, momentum,
 * eps): each (sample, channel) normalised over its spatial positions; with running buffers and
 * useInputStats, they move towards the mean over samples of the instance statistics (unbiased
 * variance), as PyTorch's batch_norm on the [1, N*C, *] view does.
 */
export function instanceNorm(
  input: Tensor,
  runningMean: Tensor | null = null,
  runningVar: Tensor | null = null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  useInputStats = true,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (input.dim() < 3)
    throw new ShapeError(`instance_norm: expected input with at least 3 dims [N, C, *], got ${fmtShape(input.shape)}`);
  const C = input.shape[1];
  const dims = Array.from({ length: input.dim() - 2 }, (_, i) => i + 2);
  const cshape = input.shape.map((s, i) => (i === 1 ? s : 1));
  let y: Tensor;
  if (useInputStats) {
    const count = input.numel() / (input.shape[0] * C);
    if (count <= 1)
      throw new ValueError(
        `instance_norm: expected more than 1 spatial element when training, got input size ${fmtShape(input.shape)}`,
      );
    const m = mean(input, dims, true);
    const c = sub(input, m);
    const v = mean(mul(c, c), dims, true);
    noGrad(() => {
      if (runningMean) runningMean.mul_(1 - momentum).add_(mul(mean(reshape(m, [-1, C]), 0), momentum));
      if (runningVar)
        runningVar.mul_(1 - momentum).add_(mul(mean(reshape(v, [-1, C]), 0), (momentum * count) / (count - 1)));
    });
    y = mul(c, rsqrt(add(v, eps)));
  } else {
    if (!runningMean || !runningVar)
      throw new ValueError(
        "instance_norm: expected running_mean and running_var to be defined when use_input_stats is false",
      );
    y = mul(sub(input, reshape(runningMean, cshape)), rsqrt(add(reshape(runningVar, cshape), eps)));
  }
  if (weight) y = mul(y, reshape(weight, cshape));
  if (bias) y = add(y, reshape(bias, cshape));
  return y;
}

/** F.local_response_norm(input [N, C, *], size, alpha = 1e-4, beta = 0.75, k = 1), PyTorch's composition. */
export function localResponseNorm(input: Tensor, size: number, alpha = 1e-4, beta = 0.75, k = 1): Tensor {
  const nd = input.dim();
  if (nd < 3)
    throw new ShapeError(
      `local_response_norm: expected 3D or higher dimensionality input, got ${fmtShape(input.shape)}`,
    );
  if (input.numel() === 0) return input;
  let d = unsqueeze(mul(input, input), 1);
  if (nd === 3) {
    d = pad(d, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
    d = squeeze(avgPoolNd(2, d, [size, 1], 1), 1);
  } else {
    const s = input.shape;
    d = reshape(d, [s[0], 1, s[1], s[2], -1]);
    d = pad(d, [0, 0, 0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
    d = reshape(squeeze(avgPoolNd(3, d, [size, 1, 1], 1), 1), s);
  }
  return div(input, pow(add(mul(d, alpha), k), beta));
}
