// Neural-network ops composed from core ops (so gradients come for free): linear, activations,
// dropout, batch/layer norm, embedding. Random draws come from Flint's PyTorch-exact generator.
import { Tensor } from "../tensor.js";
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { defaultGenerator, dropoutMask } from "../random/index.js";
import type { Generator } from "../random/index.js";
import { add, div, gt, mul, sub, where } from "./binary.js";
import { abs, erf, exp, log1p, neg, relu, rsqrt, sigmoid, tanh } from "./unary.js";
import { amax, amin, mean, sum } from "./reduce.js";
import { matmul } from "./linalg.js";
import { reshape, t } from "./view.js";
import { indexSelect, scatterAdd } from "./indexing.js";
import { zeros } from "./creation.js";
import { clamp } from "./softmax.js";
import { wrap } from "./util.js";

/** F.linear: x W^T + b. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inF = weight.shape[weight.dim() - 1];
  if (input.shape[input.dim() - 1] !== inF) {
    throw new ShapeError(`linear: mat1 and mat2 shapes cannot be multiplied (input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)}: expected last input dim ${inF})`);
  }
  const y = matmul(input, weight.dim() === 2 ? t(weight) : weight);
  return bias ? add(y, bias) : y;
}

export { relu, sigmoid, tanh };

export const relu6 = (x: Tensor): Tensor => hardtanh(x, 0, 6);
export const hardtanh = (x: Tensor, minVal = -1, maxVal = 1): Tensor => clamp(x, minVal, maxVal);

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

export function elu(x: Tensor, alpha = 1): Tensor {
  return where(gt(x, 0), x, mul(sub(exp(x), 1), alpha));
}

/** GELU: exact (erf) or the tanh approximation. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== "none") throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));
/** F.softplus: log(1 + exp(beta x)) / beta, linear above the threshold (stable form). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const bx = mul(x, beta);
  const stable = add(relu(bx), log1p(exp(neg(abs(bx)))));
  return where(gt(bx, threshold), x, div(stable, beta));
}

/** F.dropout: in training, zeroes elements with probability p and scales the rest by 1/(1-p). */
export function dropout(input: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return mul(input, 0);
  if (input.dtype !== "float32" && input.dtype !== "float64") throw new DTypeError(`dropout: expected a floating point input, got ${input.dtype}`);
  const n = input.numel();
  const arr = input.dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  dropoutMask(generator, arr, p);
  return mul(input, wrap(arr, input.shape, input.dtype));
}

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
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null, bias: Tensor | null = null, training = false, momentum = 0.1, eps = 1e-5): Tensor {
  if (input.dim() < 2) throw new ShapeError(`batch_norm: expected 2-D or higher input, got ${fmtShape(input.shape)}`);
  const C = input.shape[1];
  const dims = [0, ...Array.from({ length: input.dim() - 2 }, (_, i) => i + 2)];
  const bshape = input.shape.map((s, i) => (i === 1 ? s : 1));
  const per = (v: Tensor): Tensor => reshape(v, bshape);
  for (const [name, v] of [["running_mean", runningMean], ["running_var", runningVar], ["weight", weight], ["bias", bias]] as const) {
    if (v && v.numel() !== C) throw new ShapeError(`batch_norm: expected ${name} to have ${C} elements (input ${fmtShape(input.shape)}), got ${fmtShape(v.shape)}`);
  }
  let m: Tensor, v: Tensor;
  if (training) {
    const count = input.numel() / C;
    if (count <= 1) throw new ValueError(`batch_norm: expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`);
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
  if (!runningMean || !runningVar) throw new ValueError("batch_norm: running_mean and running_var must be defined in evaluation mode");
  m = per(runningMean);
  v = per(runningVar);
  let y = mul(sub(input, m), rsqrt(add(v, eps)));
  if (weight) y = mul(y, per(weight));
  if (bias) y = add(y, per(bias));
  return y;
}

/** F.layer_norm over the trailing `normalizedShape` dims (biased variance). */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const tail = input.shape.slice(input.dim() - ns.length);
  if (ns.length > input.dim() || tail.some((s, i) => s !== ns[i])) {
    throw new ShapeError(`layer_norm: given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(", ")}], but got input of size ${fmtShape(input.shape)}`);
  }
  const dims = ns.map((_, i) => input.dim() - ns.length + i);
  const m = mean(input, dims, true);
  const c = sub(input, m);
  const v = mean(mul(c, c), dims, true);
  let y = mul(c, rsqrt(add(v, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/**
 * F.embedding(input, weight, paddingIdx, maxNorm, normType, scaleGradByFreq): rows of weight
 * picked by integer indices. The padding row gets no gradient; maxNorm renormalises the looked-up
 * rows of weight in place (as PyTorch's embedding_renorm_).
 */
export function embedding(input: Tensor, weight: Tensor, paddingIdx: number | null = null, maxNorm: number | null = null, normType = 2, scaleGradByFreq = false): Tensor {
  if (input.dtype !== "int64" && input.dtype !== "int32") throw new DTypeError(`embedding: expected indices of dtype int64 or int32, got ${input.dtype}`);
  const num = weight.shape[0];
  const flat = reshape(input, [-1]);
  if (flat.numel() > 0 && flat.storage.device === "cpu") {
    const lo = amin(flat).item() as number, hi = amax(flat).item() as number;
    if (lo < 0 || hi >= num) throw new IndexError(`embedding: index ${lo < 0 ? lo : hi} is out of range for an embedding with ${num} rows`);
  }
  const pidx = paddingIdx === null ? null : paddingIdx < 0 ? paddingIdx + num : paddingIdx;
  if (maxNorm !== null) embeddingRenorm(weight, flat, maxNorm, normType);
  const out = noGrad(() => reshape(indexSelect(weight, 0, flat), [...input.shape, weight.shape[1]]));
  return record("EmbeddingBackward", [weight], out, ([g]) => {
    let g2 = reshape(g, [-1, weight.shape[1]]);
    const idx = flat.typedArray();
    if (pidx !== null || scaleGradByFreq) {
      const counts = new Map<number, number>();
      for (const i of idx) counts.set(i, (counts.get(i) ?? 0) + 1);
      const scale = new Float64Array(idx.length);
      idx.forEach((i, k) => (scale[k] = i === pidx ? 0 : scaleGradByFreq ? 1 / (counts.get(i) as number) : 1));
      g2 = mul(g2, wrap(scale, [idx.length, 1], "float64").to(g.dtype));
    }
    const index = reshape(flat, [-1, 1]).expand(-1, weight.shape[1]).to("int64");
    return [scatterAdd(zeros(weight.shape, { dtype: g.dtype, device: g.storage.device }), 0, index, g2)];
  });
}

function embeddingRenorm(weight: Tensor, flat: Tensor, maxNorm: number, normType: number): void {
  noGrad(() => {
    const rows = [...new Set(flat.typedArray())];
    for (const r of rows) {
      const row = weight.select(0, r);
      const norm = normType === Infinity ? amax(row.abs()).item() as number : Math.pow(sum(row.abs().pow(normType)).item() as number, 1 / normType);
      if (norm > maxNorm) row.mul_(maxNorm / (norm + 1e-7));
    }
  });
}
