// The remaining nn losses: MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss,
// CosineEmbeddingLoss, MultiMarginLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
// PoissonNLLLoss, GaussianNLLLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, CTCLoss.
// Constructor arguments in torch's positional order (the legacy sizeAverage / reduce included)
// or in one trailing options object.
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import type { Reduction } from "../../ops/loss.js";
import * as LM from "../../ops/loss-more.js";
import { Module } from "../module.js";
import { moduleArgs } from "./util.js";

type Rec = Record<string, unknown>;
interface Legacy {
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
  reduction?: Reduction;
}

/** PyTorch's _Reduction.legacy_get_string: sizeAverage / reduce, when given, decide. */
function reductionOf(name: string, o: Legacy): Reduction {
  let r = o.reduction ?? "mean";
  if ((o.sizeAverage ?? null) !== null || (o.reduce ?? null) !== null) {
    const sa = o.sizeAverage ?? true,
      rd = o.reduce ?? true;
    r = !rd ? "none" : sa ? "mean" : "sum";
  }
  if (!["none", "mean", "sum"].includes(r)) throw new ValueError(`${name}: ${r} is not a valid value for reduction`);
  return r;
}

/** Parses (own params…, sizeAverage, reduce, reduction) or an options object; returns them with the reduction resolved. */
function lossArgs<O extends Rec>(
  name: string,
  args: readonly unknown[],
  own: (keyof O & string)[],
  defaults: Partial<O>,
  legacy = true,
): O & { reduction: Reduction } {
  const names = legacy ? [...own, "sizeAverage", "reduce", "reduction"] : [...own, "reduction"];
  const o = moduleArgs<O & Legacy & Rec>(
    name,
    args,
    names as (keyof (O & Legacy & Rec) & string)[],
    defaults as Partial<O & Legacy & Rec>,
  );
  return { ...o, reduction: reductionOf(name, o) };
}

abstract class LossBase extends Module {
  readonly reduction: Reduction = "mean";
}

export class MarginRankingLoss extends LossBase {
  readonly margin: number;
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs<{ margin: number }>("MarginRankingLoss", args, ["margin"], { margin: 0 });
    [this.margin, (this as { reduction: Reduction }).reduction] = [o.margin, o.reduction];
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return LM.marginRankingLoss(input1, input2, target, this.margin, this.reduction);
  }
}

export class HingeEmbeddingLoss extends LossBase {
  readonly margin: number;
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs<{ margin: number }>("HingeEmbeddingLoss", args, ["margin"], { margin: 1 });
    [this.margin, (this as { reduction: Reduction }).reduction] = [o.margin, o.reduction];
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return LM.hingeEmbeddingLoss(input, target, this.margin, this.reduction);
  }
}

export class SoftMarginLoss extends LossBase {
  constructor(...args: unknown[]) {
    super();
    (this as { reduction: Reduction }).reduction = lossArgs("SoftMarginLoss", args, [], {}).reduction;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return LM.softMarginLoss(input, target, this.reduction);
  }
}

export class CosineEmbeddingLoss extends LossBase {
  readonly margin: number;
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs<{ margin: number }>("CosineEmbeddingLoss", args, ["margin"], { margin: 0 });
    [this.margin, (this as { reduction: Reduction }).reduction] = [o.margin, o.reduction];
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return LM.cosineEmbeddingLoss(input1, input2, target, this.margin, this.reduction);
  }
}

/** nn.MultiMarginLoss(p = 1, margin = 1, weight = null, sizeAverage, reduce, reduction). */
export class MultiMarginLoss extends LossBase {
  readonly p: number;
  readonly margin: number;
  weight: Tensor | null;
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs<{ p: number; margin: number; weight: Tensor | null }>(
      "MultiMarginLoss",
      args,
      ["p", "margin", "weight"],
      { p: 1, margin: 1, weight: null },
    );
    if (o.p !== 1 && o.p !== 2) throw new ValueError("MultiMarginLoss: only p == 1 and p == 2 supported");
    [this.p, this.margin, (this as { reduction: Reduction }).reduction] = [o.p, o.margin, o.reduction];
    this.weight = null;
    this.registerBuffer("weight", o.weight);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return LM.multiMarginLoss(input, target, this.p, this.margin, this.weight, this.reduction);
  }
}

export class MultiLabelMarginLoss extends LossBase {
  constructor(...args: unknown[]) {
    super();
    (this as { reduction: Reduction }).reduction = lossArgs("MultiLabelMarginLoss", args, [], {}).reduction;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return LM.multilabelMarginLoss(input, target, this.reduction);
  }
}

/** nn.MultiLabelSoftMarginLoss(weight = null, sizeAverage, reduce, reduction). */
export class MultiLabelSoftMarginLoss extends LossBase {
  weight: Tensor | null;
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs<{ weight: Tensor | null }>("MultiLabelSoftMarginLoss", args, ["weight"], { weight: null });
    (this as { reduction: Reduction }).reduction = o.reduction;
    this.weight = null;
    this.registerBuffer("weight", o.weight);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return LM.multilabelSoftMarginLoss(input, target, this.weight, this.reduction);
  }
}

/** nn.PoissonNLLLoss(logInput = true, full = false, sizeAverage, eps = 1e-8, reduce, reduction). */
export class PoissonNLLLoss extends LossBase {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;
  constructor(...args: unknown[]) {
    super();
    const o = moduleArgs<{ logInput: boolean; full: boolean; eps: number } & Legacy & Rec>(
      "PoissonNLLLoss",
      args,
      ["logInput", "full", "sizeAverage", "eps", "reduce", "reduction"],
      { logInput: true, full: false, eps: 1e-8 },
    );
    [this.logInput, this.full, this.eps] = [o.logInput, o.full, o.eps];
    (this as { reduction: Reduction }).reduction = reductionOf("PoissonNLLLoss", o);
  }
  forward(logInput: Tensor, target: Tensor): Tensor {
    return LM.poissonNllLoss(logInput, target, this.logInput, this.full, this.eps, this.reduction);
  }
}

/** nn.GaussianNLLLoss(full = false, eps = 1e-6, reduction = 'mean') (keyword-only in torch). */
export class GaussianNLLLoss extends LossBase {
  readonly full: boolean;
  readonly eps: number;
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs<{ full: boolean; eps: number }>(
      "GaussianNLLLoss",
      args,
      ["full", "eps"],
      { full: false, eps: 1e-6 },
      false,
    );
    [this.full, this.eps, (this as { reduction: Reduction }).reduction] = [o.full, o.eps, o.reduction];
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return LM.gaussianNllLoss(input, target, variance, this.full, this.eps, this.reduction);
  }
}

/** nn.TripletMarginLoss(margin = 1, p = 2, eps = 1e-6, swap = false, sizeAverage, reduce, reduction). */
export class TripletMarginLoss extends LossBase {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs<{ margin: number; p: number; eps: number; swap: boolean }>(
      "TripletMarginLoss",
      args,
      ["margin", "p", "eps", "swap"],
      { margin: 1, p: 2, eps: 1e-6, swap: false },
    );
    [this.margin, this.p, this.eps, this.swap, (this as { reduction: Reduction }).reduction] = [
      o.margin,
      o.p,
      o.eps,
      o.swap,
      o.reduction,
    ];
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return LM.tripletMarginLoss(anchor, positive, negative, this.margin, this.p, this.eps, this.swap, this.reduction);
  }
}

/** nn.TripletMarginWithDistanceLoss(distanceFunction = pairwiseDistance, margin = 1, swap = false, reduction) (keyword-only in torch). */
export class TripletMarginWithDistanceLoss extends LossBase {
  readonly distanceFunction: LM.DistanceFn | null;
  readonly margin: number;
  readonly swap: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs<{ distanceFunction: LM.DistanceFn | null; margin: number; swap: boolean }>(
      "TripletMarginWithDistanceLoss",
      args,
      ["distanceFunction", "margin", "swap"],
      { distanceFunction: null, margin: 1, swap: false },
      false,
    );
    [this.distanceFunction, this.margin, this.swap, (this as { reduction: Reduction }).reduction] = [
      o.distanceFunction,
      o.margin,
      o.swap,
      o.reduction,
    ];
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return LM.tripletMarginWithDistanceLoss(
      anchor,
      positive,
      negative,
      this.distanceFunction,
      this.margin,
      this.swap,
      this.reduction,
    );
  }
}

/** nn.CTCLoss(blank = 0, reduction = 'mean', zeroInfinity = false). */
export class CTCLoss extends LossBase {
  readonly blank: number;
  readonly zeroInfinity: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = moduleArgs<{ blank: number; reduction: Reduction; zeroInfinity: boolean }>(
      "CTCLoss",
      args,
      ["blank", "reduction", "zeroInfinity"],
      { blank: 0, reduction: "mean", zeroInfinity: false },
    );
    [this.blank, this.zeroInfinity] = [o.blank, o.zeroInfinity];
    (this as { reduction: Reduction }).reduction = reductionOf("CTCLoss", o);
  }
  forward(
    logProbs: Tensor,
    targets: Tensor,
    inputLengths: Tensor | readonly number[],
    targetLengths: Tensor | readonly number[],
  ): Tensor {
    return LM.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.blank, this.reduction, this.zeroInfinity);
  }
}
