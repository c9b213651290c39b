// Loss functions as ops (F.l1_loss, F.cross_entropy, …), composed from core ops in PyTorch 1.13's
// formulas (aten/src/ATen/native/Loss*.cpp) so values and gradients match, in numerically stable
// forms: cross entropy goes through logSoftmax, BCE-with-logits through the max-shift form.
import { Tensor } from "../tensor.js";
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { record } from "../autograd/record.js";
import { noGrad } from "../autograd/grad-mode.js";
import { isFloating } from "../dtype.js";
import { abs, exp, log, neg } from "./unary.js";
import { add, div, eq, lt, mul, ne, sub, where } from "./binary.js";
import { amax, amin, mean, sum } from "./reduce.js";
import { clamp } from "./clamp.js";
import { logSoftmax } from "./softmax.js";
import { gather, maskedFill } from "./indexing.js";
import { reshape, squeeze, unsqueeze } from "./view.js";
import { scalarTensor } from "./util.js";
import { fusedCrossEntropy } from "./cross-entropy-fused.js";

export type Reduction = "none" | "mean" | "sum";

function reduce(loss: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === "mean") return mean(loss);
  if (reduction === "sum") return sum(loss);
  if (reduction === "none") return loss;
  throw new ValueError(`${op}: ${String(reduction)} is not a valid value for reduction`);
}

const TORCH_DTYPE_NAME: Record<string, string> = {
  int32: "Int",
  float32: "Float",
  float64: "Double",
  bool: "Bool",
  int64: "Long",
  uint8: "Byte",
};
const shapesDiffer = (a: readonly number[], b: readonly number[]): boolean =>
  a.length !== b.length || a.some((s, i) => s !== b[i]);
const warnedBroadcast = new Set<string>();

/**
 * l1/mse/smooth_l1/huber losses, as PyTorch: a target of another size is broadcast against the
 * input with a warning (once per op and pair of sizes), since it is almost always a bug
 * (an input [N] against a target [N, 1] gives an [N, N] difference).
 */
function warnIfBroadcast(op: string, input: Tensor, target: Tensor): void {
  if (!shapesDiffer(input.shape, target.shape)) return;
  const key = `${op} ${fmtShape(input.shape)} ${fmtShape(target.shape)}`;
  if (warnedBroadcast.has(key)) return;
  warnedBroadcast.add(key);
  process.emitWarning(
    `${op}: using a target size ${fmtShape(target.shape)} that is different to the input size ${fmtShape(input.shape)}. ` +
      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
    { code: "FLINT_LOSS_BROADCAST" },
  );
}

function sameShape(op: string, input: Tensor, target: Tensor): void {
  if (input.shape.length !== target.shape.length || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new ShapeError(
      `${op}: target size ${fmtShape(target.shape)} must be the same as input size ${fmtShape(input.shape)}`,
    );
  }
}

export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  warnIfBroadcast("l1_loss", input, target);
  return reduce(abs(sub(input, target)), reduction, "l1_loss");
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  warnIfBroadcast("mse_loss", input, target);
  const d = sub(input, target);
  return reduce(mul(d, d), reduction, "mse_loss");
}

/** |d| < beta ? 0.5 d^2 / beta : |d| - 0.5 beta (beta = 0 is the L1 loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, reduction: Reduction = "mean", beta = 1): Tensor {
  warnIfBroadcast("smooth_l1_loss", input, target);
  if (beta < 0) throw new ValueError(`smooth_l1_loss: beta must be non-negative, got ${beta}`);
  if (beta === 0) return l1Loss(input, target, reduction);
  const z = abs(sub(input, target));
  return reduce(where(lt(z, beta), div(mul(mul(z, z), 0.5), beta), sub(z, 0.5 * beta)), reduction, "smooth_l1_loss");
}

/** |d| < delta ? 0.5 d^2 : delta (|d| - 0.5 delta). */
export function huberLoss(input: Tensor, target: Tensor, reduction: Reduction = "mean", delta = 1): Tensor {
  warnIfBroadcast("huber_loss", input, target);
  if (!(delta > 0)) throw new ValueError(`huber_loss: delta must be positive, got ${delta}`);
  const z = abs(sub(input, target));
  return reduce(where(lt(z, delta), mul(mul(z, z), 0.5), mul(sub(z, 0.5 * delta), delta)), reduction, "huber_loss");
}

/** KL divergence with input in log space; 'batchmean' divides the sum by the batch size. */
export function klDiv(
  input: Tensor,
  target: Tensor,
  reduction: Reduction | "batchmean" = "mean",
  logTarget = false,
): Tensor {
  let loss: Tensor;
  if (logTarget) loss = mul(exp(target), sub(target, input));
  else {
    // xlogy(t, t) - t * input, with 0 * log 0 = 0.
    const tlogt = where(eq(target, 0), 0, mul(target, log(where(eq(target, 0), 1, target))));
    loss = sub(tlogt, mul(target, input));
  }
  if (reduction === "batchmean") return input.dim() === 0 ? sum(loss) : div(sum(loss), input.shape[0]);
  return reduce(loss, reduction, "kl_div");
}

/** BCE on probabilities, logs clamped at -100, with PyTorch's backward formula. */
export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null = null,
  reduction: Reduction = "mean",
): Tensor {
  sameShape("binary_cross_entropy", input, target);
  const checked = input.numel() > 0 && input.storage.device === "cpu";
  const lo = checked ? amin(input).item() : 0,
    hi = checked ? amax(input).item() : 0;
  if (lo < 0 || hi > 1)
    throw new ValueError(
      `binary_cross_entropy: all elements of input should be between 0 and 1 (got values in [${lo}, ${hi}])`,
    );
  const t = target;
  const raw = noGrad(() => neg(add(mul(t, clamp(log(input), -100)), mul(sub(1, t), clamp(log(sub(1, input)), -100)))));
  let loss = record(
    "BinaryCrossEntropyBackward",
    [input, target],
    raw,
    ([g]) => [
      mul(g, div(sub(input, t), clamp(mul(sub(1, input), input), 1e-12))),
      mul(g, sub(clamp(log(sub(1, input)), -100), clamp(log(input), -100))),
    ],
    [input, target],
  );
  if (weight) loss = mul(loss, weight);
  return reduce(loss, reduction, "binary_cross_entropy");
}

/** BCE on logits in the stable max-shift form (a logit of 1000 gives a finite loss). */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null = null,
  reduction: Reduction = "mean",
  posWeight: Tensor | null = null,
): Tensor {
  sameShape("binary_cross_entropy_with_logits", input, target);
  const maxVal = clamp(neg(input), 0);
  const lse = add(log(add(exp(neg(maxVal)), exp(sub(neg(input), maxVal)))), maxVal);
  let loss: Tensor;
  if (posWeight) {
    const logWeight = add(mul(sub(posWeight, 1), target), 1);
    loss = add(mul(sub(1, target), input), mul(logWeight, lse));
  } else loss = add(mul(sub(1, target), input), lse);
  if (weight) loss = mul(loss, weight);
  return reduce(loss, reduction, "binary_cross_entropy_with_logits");
}

export interface NLLOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

function classDimOf(op: string, input: Tensor): number {
  if (input.dim() < 1) throw new ShapeError(`${op}: input must have at least 1 dimension, got a scalar`);
  return input.dim() === 1 ? 0 : 1;
}

function checkTargets(op: string, input: Tensor, target: Tensor, classDim: number, ignoreIndex: number): void {
  // PyTorch 1.13 takes Long (and Byte) class indices and refuses the rest, Int included.
  if (target.dtype !== "int64" && target.dtype !== "uint8") {
    const hint = target.dtype === "int32" ? "; convert with target.long()" : "";
    throw new DTypeError(
      `${op}: expected target of dtype int64 (class indices) but found ${target.dtype} (PyTorch: expected scalar type Long but found ${TORCH_DTYPE_NAME[target.dtype] ?? target.dtype})${hint}`,
    );
  }
  const want = input.shape.filter((_, i) => i !== classDim);
  if (target.shape.length !== want.length || target.shape.some((s, i) => s !== want[i])) {
    throw new ShapeError(
      `${op}: expected target of shape ${fmtShape(want)} for input ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`,
    );
  }
  const C = input.shape[classDim];
  // Values are checked where they can be read at once (a meta target has none; a GPU's would need a readback).
  if (target.storage.device !== "cpu") return;
  const data = target.typedArray();
  for (const v of data) {
    if (v !== ignoreIndex && (v < 0 || v >= C))
      throw new IndexError(`${op}: target ${v} is out of bounds for ${C} classes (input ${fmtShape(input.shape)})`);
  }
}

/** F.nll_loss on log-probabilities [N, C, d1, ...] (or [C]) and class indices [N, d1, ...]. */
export function nllLoss(input: Tensor, target: Tensor, opts: NLLOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = "mean" } = opts;
  const cd = classDimOf("nll_loss", input);
  checkTargets("nll_loss", input, target, cd, ignoreIndex);
  const C = input.shape[cd];
  if (weight && (weight.dim() !== 1 || weight.shape[0] !== C))
    throw new ShapeError(
      `nll_loss: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape ${fmtShape(weight.shape)}`,
    );
  const ignored = eq(target, ignoreIndex);
  const safe = where(ignored, scalarTensor(0, target.dtype), target).to("int64");
  const picked = squeeze(gather(input, cd, unsqueeze(safe, cd)), cd);
  const w = weight ? reshape(gather(weight, 0, reshape(safe, [-1])), safe.shape) : null;
  const wMasked = w ? where(ignored, 0, w) : where(ignored, 0, scalarTensor(1, input.dtype));
  const loss = neg(mul(picked, wMasked));
  if (reduction === "none") return loss;
  if (reduction === "sum") return sum(loss);
  if (reduction === "mean") {
    // Each term is scaled by w / total weight; ignored terms are exactly 0, so when everything is
    // ignored the gradient is 0 and only the value is NaN (0/0), as PyTorch's nll_loss.
    const total = sum(wMasked.expand(loss.shape));
    const scaled = neg(sum(mul(picked, where(ignored, 0, div(wMasked, total)))));
    // (Off the CPU the test is a tensor op: reading total back would stall a GPU every step.)
    if (total.storage.device !== "cpu") return add(scaled, where(eq(total, 0), NaN, 0));
    return total.item() === 0 ? add(scaled, NaN) : scaled;
  }
  throw new ValueError(`nll_loss: ${String(reduction)} is not a valid value for reduction`);
}

export interface CrossEntropyOptions extends NLLOptions {
  labelSmoothing?: number;
}

/** F.cross_entropy: class indices or class probabilities, with weight, ignoreIndex, labelSmoothing. */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 } = opts;
  if (!isFloating(input.dtype))
    throw new DTypeError(`cross_entropy: expected a floating point input, got ${input.dtype}`);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
    throw new ValueError(`cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
  // The common case (mean over class indices of [N, C] logits, no class weights) as one kernel.
  if (weight === null && reduction === "mean" && input.dim() === 2 && target.dtype === "int64") {
    checkTargets("cross_entropy", input, target, 1, ignoreIndex);
    const fused = fusedCrossEntropy(input, target, labelSmoothing, ignoreIndex, (x) =>
      crossEntropyComposed(x, target, opts),
    );
    if (fused) return fused;
  }
  return crossEntropyComposed(input, target, opts);
}

/** cross_entropy as composed ops: the definition (and the path the fused kernel declines). */
function crossEntropyComposed(input: Tensor, target: Tensor, opts: CrossEntropyOptions): Tensor {
  const { weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 } = opts;
  const cd = classDimOf("cross_entropy", input);
  const C = input.shape[cd];
  const logp = logSoftmax(input, cd);
  const wView = weight
    ? reshape(
        weight,
        input.shape.map((_, i) => (i === cd ? C : 1)),
      )
    : null;
  if (isFloating(target.dtype) && shapesDiffer(input.shape, target.shape)) {
    throw new DTypeError(
      `cross_entropy: the target must be int64 class indices of shape ${fmtShape(input.shape.filter((_, i) => i !== cd))} ` +
        `or float class probabilities of the input's shape ${fmtShape(input.shape)}; got a ${target.dtype} target of shape ${fmtShape(target.shape)} ` +
        `(PyTorch: expected scalar type Long but found ${TORCH_DTYPE_NAME[target.dtype] ?? target.dtype}; for class indices use target.long())`,
    );
  }
  if (isFloating(target.dtype)) {
    const tgt = labelSmoothing > 0 ? add(mul(target, 1 - labelSmoothing), labelSmoothing / C) : target;
    let prod = mul(logp, tgt);
    if (wView) prod = mul(prod, wView);
    if (reduction === "none") return neg(sum(prod, cd));
    if (reduction === "sum") return neg(sum(prod));
    if (reduction === "mean") return div(neg(sum(prod)), input.numel() / C);
    throw new ValueError(`cross_entropy: ${String(reduction)} is not a valid value for reduction`);
  }
  checkTargets("cross_entropy", input, target, cd, ignoreIndex);
  const nll = nllLoss(logp, target, { weight, ignoreIndex, reduction });
  if (labelSmoothing === 0) return nll;
  const ignored = eq(target, ignoreIndex);
  const smooth = maskedFill(neg(sum(wView ? mul(logp, wView) : logp, cd)), ignored, 0);
  let ret: Tensor;
  if (reduction === "mean") {
    if (weight) {
      const safe = where(ignored, scalarTensor(0, target.dtype), target).to("int64");
      const tw = where(ignored, 0, reshape(gather(weight, 0, reshape(safe, [-1])), safe.shape));
      ret = div(sum(smooth), sum(tw));
    } else ret = div(sum(smooth), sum(ne(target, ignoreIndex)));
  } else ret = reduce(smooth, reduction, "cross_entropy");
  return add(mul(nll, 1 - labelSmoothing), mul(ret, labelSmoothing / C));
}
