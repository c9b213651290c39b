// nn.functional's remaining losses (src/ops/loss-more.ts): torch's positional order (legacy
// sizeAverage / reduce included where torch has them) or a trailing options object.
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { parseArgs } from "../ops/util.js";
import type { Reduction } from "../ops/loss.js";
import * as LM from "../ops/loss-more.js";

type Rec = Record<string, unknown>;
interface Legacy {
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
  reduction?: Reduction;
}
function red(op: string, o: Legacy): Reduction {
  let r = o.reduction ?? "mean";
  if ((o.sizeAverage ?? null) !== null || (o.reduce ?? null) !== null)
    r = !(o.reduce ?? true) ? "none" : (o.sizeAverage ?? true) ? "mean" : "sum";
  if (!["none", "mean", "sum"].includes(r)) throw new ValueError(`${op}: ${r} is not a valid value for reduction`);
  return r;
}
const parse = <O extends Rec>(
  op: string,
  args: readonly unknown[],
  own: string[],
  d: Partial<O>,
  legacy = true,
): O & { reduction: Reduction } => {
  const o = parseArgs<O & Legacy & Rec>(
    op,
    args,
    (legacy ? [...own, "sizeAverage", "reduce", "reduction"] : [...own, "reduction"]) as (keyof (O & Legacy & Rec) &
      string)[],
    d as Partial<O & Legacy & Rec>,
  );
  return { ...o, reduction: red(op, o) };
};

export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ margin: number }>("margin_ranking_loss", args, ["margin"], { margin: 0 });
  return LM.marginRankingLoss(input1, input2, target, o.margin, o.reduction);
}
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ margin: number }>("hinge_embedding_loss", args, ["margin"], { margin: 1 });
  return LM.hingeEmbeddingLoss(input, target, o.margin, o.reduction);
}
export function softMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  return LM.softMarginLoss(input, target, parse("soft_margin_loss", args, [], {}).reduction);
}
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ margin: number }>("cosine_embedding_loss", args, ["margin"], { margin: 0 });
  return LM.cosineEmbeddingLoss(input1, input2, target, o.margin, o.reduction);
}
export function multiMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ p: number; margin: number; weight: Tensor | null }>(
    "multi_margin_loss",
    args,
    ["p", "margin", "weight"],
    { p: 1, margin: 1, weight: null },
  );
  return LM.multiMarginLoss(input, target, o.p, o.margin, o.weight, o.reduction);
}
export function multilabelMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  return LM.multilabelMarginLoss(input, target, parse("multilabel_margin_loss", args, [], {}).reduction);
}
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ weight: Tensor | null }>("multilabel_soft_margin_loss", args, ["weight"], { weight: null });
  return LM.multilabelSoftMarginLoss(input, target, o.weight, o.reduction);
}
export function poissonNllLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = parseArgs<{ logInput: boolean; full: boolean; eps: number } & Legacy & Rec>(
    "poisson_nll_loss",
    args,
    ["logInput", "full", "sizeAverage", "eps", "reduce", "reduction"],
    { logInput: true, full: false, eps: 1e-8 },
  );
  return LM.poissonNllLoss(input, target, o.logInput, o.full, o.eps, red("poisson_nll_loss", o));
}
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ full: boolean; eps: number }>(
    "gaussian_nll_loss",
    args,
    ["full", "eps"],
    { full: false, eps: 1e-6 },
    false,
  );
  return LM.gaussianNllLoss(input, target, variance, o.full, o.eps, o.reduction);
}
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ margin: number; p: number; eps: number; swap: boolean }>(
    "triplet_margin_loss",
    args,
    ["margin", "p", "eps", "swap"],
    { margin: 1, p: 2, eps: 1e-6, swap: false },
  );
  return LM.tripletMarginLoss(anchor, positive, negative, o.margin, o.p, o.eps, o.swap, o.reduction);
}
export function tripletMarginWithDistanceLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  ...args: unknown[]
): Tensor {
  const o = parse<{ distanceFunction: LM.DistanceFn | null; margin: number; swap: boolean }>(
    "triplet_margin_with_distance_loss",
    args,
    ["distanceFunction", "margin", "swap"],
    { distanceFunction: null, margin: 1, swap: false },
    false,
  );
  return LM.tripletMarginWithDistanceLoss(
    anchor,
    positive,
    negative,
    o.distanceFunction,
    o.margin,
    o.swap,
    o.reduction,
  );
}
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | readonly number[],
  targetLengths: Tensor | readonly number[],
  ...args: unknown[]
): Tensor {
  const o = parseArgs<{ blank: number; reduction: Reduction; zeroInfinity: boolean }>(
    "ctc_loss",
    args,
    ["blank", "reduction", "zeroInfinity"],
    { blank: 0, reduction: "mean", zeroInfinity: false },
  );
  return LM.ctcLoss(logProbs, targets, inputLengths, targetLengths, o.blank, red("ctc_loss", o), o.zeroInfinity);
}
