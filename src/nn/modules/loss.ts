// Loss modules: options object as PyTorch's keyword arguments; forward(input, target).
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import {
  type Reduction, binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, klDiv, l1Loss, mseLoss, nllLoss, smoothL1Loss,
} from "../../ops/loss.js";
import { Module } from "../module.js";

export interface LossOptions {
  reduction?: Reduction;
}

function checkReduction(name: string, r: string): void {
  if (!["none", "mean", "sum"].includes(r)) throw new ValueError(`${name}: ${r} is not a valid value for reduction`);
}

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(opts: LossOptions = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    checkReduction(this.constructor.name, this.reduction);
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.reduction);
  }
}

export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.reduction);
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: LossOptions & { beta?: number } = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, this.reduction, this.beta);
  }
}

export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: LossOptions & { delta?: number } = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, this.reduction, this.delta);
  }
}

export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;
  constructor(opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    if (this.reduction !== "batchmean") checkReduction("KLDivLoss", this.reduction);
    this.logTarget = opts.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, this.reduction, this.logTarget);
  }
}

export interface NLLLossOptions extends LossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
}

export class NLLLoss extends Module {
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  constructor(opts: NLLLossOptions = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    checkReduction("NLLLoss", this.reduction);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.registerBuffer("weight", opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: bufferWeight(this), ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  labelSmoothing?: number;
}

/** logSoftmax + NLL; targets are class indices (int64) or class probabilities (float, input's shape). */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: CrossEntropyLossOptions = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    checkReduction("CrossEntropyLoss", this.reduction);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.registerBuffer("weight", opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { weight: bufferWeight(this), ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

export class BCELoss extends Module {
  readonly reduction: Reduction;
  constructor(opts: LossOptions & { weight?: Tensor | null } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    checkReduction("BCELoss", this.reduction);
    this.registerBuffer("weight", opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, bufferWeight(this), this.reduction);
  }
}

export class BCEWithLogitsLoss extends Module {
  readonly reduction: Reduction;
  constructor(opts: LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    checkReduction("BCEWithLogitsLoss", this.reduction);
    this.registerBuffer("weight", opts.weight ?? null);
    this.registerBuffer("pos_weight", opts.posWeight ?? null);
  }
  get posWeight(): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>).pos_weight ?? null;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, bufferWeight(this), this.reduction, this.posWeight);
  }
}

const bufferWeight = (m: Module): Tensor | null => (m as unknown as Record<string, Tensor | null>).weight ?? null;
