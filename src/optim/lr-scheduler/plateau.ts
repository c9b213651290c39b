// ReduceLROnPlateau: metric-driven lr cuts (torch/optim/lr_scheduler.py 1.13).
import { ValueError } from "../../errors.js";
import type { Optimizer } from "../optimizer.js";
import { type ArgsOf, signature, unsupported } from "../../internal/args.js";

export interface PlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
}

const reduceLROnPlateauArgs = signature<PlateauOptions & { optimizer: Optimizer; verbose?: boolean }>()(
  "ReduceLROnPlateau",
  ["optimizer", "mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps", "verbose"],
  {
    mode: "min",
    factor: 0.1,
    patience: 10,
    threshold: 1e-4,
    thresholdMode: "rel",
    cooldown: 0,
    minLr: 0,
    eps: 1e-8,
    verbose: false,
  },
);
/** Cuts the lr by `factor` when a metric has stopped improving for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(...args: ArgsOf<typeof reduceLROnPlateauArgs>) {
    const { optimizer, ...opts } = reduceLROnPlateauArgs.parse(args);
    unsupported("ReduceLROnPlateau", "verbose", opts.verbose, [false]);
    this.optimizer = optimizer;
    this.factor = opts.factor ?? 0.1;
    if (this.factor >= 1) throw new ValueError("ReduceLROnPlateau: factor should be < 1.0.");
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (typeof minLr !== "number" && minLr.length !== n)
      throw new ValueError(`ReduceLROnPlateau: expected ${n} min_lrs, got ${minLr.length}`);
    this.minLrs = typeof minLr === "number" ? new Array<number>(n).fill(minLr) : [...minLr];
    this.patience = opts.patience ?? 10;
    this.cooldown = opts.cooldown ?? 0;
    this.mode = opts.mode ?? "min";
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? "rel";
    if (this.mode !== "min" && this.mode !== "max")
      throw new ValueError(`ReduceLROnPlateau: mode ${String(this.mode)} is unknown!`);
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs")
      throw new ValueError(`ReduceLROnPlateau: threshold mode ${String(this.thresholdMode)} is unknown!`);
    this.eps = opts.eps ?? 1e-8;
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr as number);
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === "min")
      return this.thresholdMode === "rel" ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === "rel" ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  step(metric: number | { item(): number | boolean }): void {
    const current = typeof metric === "number" ? metric : Number(metric.item());
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr as number;
        const next = Math.max(old * this.factor, this.minLrs[i]);
        if (old - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }
}
