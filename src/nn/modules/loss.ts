// Loss modules: torch's constructor parameters positionally or by name; forward(input, target).
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import {
  type Reduction,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
} from "../../ops/loss.js";
import { Module } from "../module.js";
import { type ArgsOf, signature } from "../../internal/args.js";
import { legacyReduction } from "./util.js";

export interface LossOptions {
  /** Deprecated in torch (use reduction); when given with reduce, it decides the reduction as there. */
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
  reduction?: Reduction;
}
const LEGACY = { sizeAverage: null, reduce: null, reduction: "mean" } as const;
const lossArgs = (name: string) => signature<LossOptions>()(name, ["sizeAverage", "reduce", "reduction"], LEGACY);
const l1LossArgs = lossArgs("L1Loss");
const mseLossArgs = lossArgs("MSELoss");
const smoothL1LossArgs = signature<LossOptions & { beta?: number }>()(
  "SmoothL1Loss",
  ["sizeAverage", "reduce", "reduction", "beta"],
  { ...LEGACY, beta: 1 },
);
const huberLossArgs = signature<{ reduction?: Reduction; delta?: number }>()("HuberLoss", ["reduction", "delta"], {
  reduction: "mean",
  delta: 1,
});
const klDivLossArgs = signature<
  Omit<LossOptions, "reduction"> & { reduction?: Reduction | "batchmean"; logTarget?: boolean }
>()("KLDivLoss", ["sizeAverage", "reduce", "reduction", "logTarget"], { ...LEGACY, logTarget: false });
const nllLossArgs = signature<NLLLossOptions>()(
  "NLLLoss",
  ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"],
  { ...LEGACY, weight: null, ignoreIndex: -100 },
);
const crossEntropyLossArgs = signature<CrossEntropyLossOptions>()(
  "CrossEntropyLoss",
  ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction", "labelSmoothing"],
  { ...LEGACY, weight: null, ignoreIndex: -100, labelSmoothing: 0 },
);
const bceLossArgs = signature<LossOptions & { weight?: Tensor | null }>()(
  "BCELoss",
  ["weight", "sizeAverage", "reduce", "reduction"],
  { ...LEGACY, weight: null },
);
const bceWithLogitsLossArgs = signature<LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null }>()(
  "BCEWithLogitsLoss",
  ["weight", "sizeAverage", "reduce", "reduction", "posWeight"],
  { ...LEGACY, weight: null, posWeight: null },
);

/** The reduction from torch's (size_average, reduce, reduction) triple, checked. */
function reductionOf<R extends string>(
  name: string,
  o: { sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: R },
  extra: readonly string[] = [],
): R {
  const r = legacyReduction(o.sizeAverage, o.reduce, o.reduction ?? "mean") as R;
  if (!extra.includes(r)) checkReduction(name, r);
  return r;
}

function checkReduction(name: string, r: string): void {
  if (!["none", "mean", "sum"].includes(r)) throw new ValueError(`${name}: ${r} is not a valid value for reduction`);
}

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(opts: LossOptions) {
    super();
    this.reduction = reductionOf(this.constructor.name, opts);
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

export class L1Loss extends Loss {
  constructor(...args: ArgsOf<typeof l1LossArgs>) {
    super(l1LossArgs.parse(args));
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.reduction);
  }
}

export class MSELoss extends Loss {
  constructor(...args: ArgsOf<typeof mseLossArgs>) {
    super(mseLossArgs.parse(args));
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.reduction);
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(...args: ArgsOf<typeof smoothL1LossArgs>) {
    const opts = smoothL1LossArgs.parse(args);
    super(opts);
    this.beta = opts.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, this.reduction, this.beta);
  }
}

export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(...args: ArgsOf<typeof huberLossArgs>) {
    const opts = huberLossArgs.parse(args);
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
  constructor(...args: ArgsOf<typeof klDivLossArgs>) {
    super();
    const opts = klDivLossArgs.parse(args);
    this.reduction = reductionOf("KLDivLoss", opts, ["batchmean"]);
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
  constructor(...args: ArgsOf<typeof nllLossArgs>) {
    super();
    const opts = nllLossArgs.parse(args);
    this.reduction = reductionOf("NLLLoss", opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.registerBuffer("weight", opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, {
      weight: bufferWeight(this),
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
    });
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
  constructor(...args: ArgsOf<typeof crossEntropyLossArgs>) {
    super();
    const opts = crossEntropyLossArgs.parse(args);
    this.reduction = reductionOf("CrossEntropyLoss", opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.registerBuffer("weight", opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      weight: bufferWeight(this),
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

export class BCELoss extends Module {
  readonly reduction: Reduction;
  constructor(...args: ArgsOf<typeof bceLossArgs>) {
    super();
    const opts = bceLossArgs.parse(args);
    this.reduction = reductionOf("BCELoss", opts);
    this.registerBuffer("weight", opts.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, bufferWeight(this), this.reduction);
  }
}

export class BCEWithLogitsLoss extends Module {
  readonly reduction: Reduction;
  constructor(...args: ArgsOf<typeof bceWithLogitsLossArgs>) {
    super();
    const opts = bceWithLogitsLossArgs.parse(args);
    this.reduction = reductionOf("BCEWithLogitsLoss", opts);
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
