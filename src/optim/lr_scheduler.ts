// Learning-rate schedulers (torch/optim/lr_scheduler.py 1.13). Each uses PyTorch's recursive
// ("chainable") get_lr form, so the float64 lr sequence is PyTorch's to the last bit. Group
// entries PyTorch adds (initial_lr, max_lr, …) are stored camelCased (initialLr, maxLr, …).
import { ValueError } from "../errors.js";
import type { Optimizer, ParamGroup } from "./optimizer.js";

export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: Optimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr as number;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new ValueError(`${this.constructor.name}: param 'initial_lr' is not specified in paramGroups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor (PyTorch's _initial_step). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  protected abstract getLr(): number[];

  protected lrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const values = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.lrs();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== "optimizer") out[k] = structuredClone(v);
    return out;
  }
  loadStateDict(sd: Record<string, unknown>): void {
    Object.assign(this, structuredClone(sd));
  }
}

const groups = (s: LRScheduler): ParamGroup[] => s.optimizer.paramGroups;

export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, stepSize: number, opts: { gamma?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.stepSize = stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.lrs();
    return this.lrs().map((lr) => lr * this.gamma);
  }
}

export class MultiStepLR extends LRScheduler {
  readonly milestones: Map<number, number>;
  readonly gamma: number;
  constructor(optimizer: Optimizer, milestones: readonly number[], opts: { gamma?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.milestones = new Map();
    for (const m of milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    const k = this.milestones.get(this.lastEpoch);
    if (k === undefined) return this.lrs();
    return this.lrs().map((lr) => lr * this.gamma ** k);
  }
}

export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: Optimizer, gamma: number, opts: { lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.lrs();
    return this.lrs().map((lr) => lr * this.gamma);
  }
}

export class CosineAnnealingLR extends LRScheduler {
  readonly TMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, TMax: number, opts: { etaMin?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.TMax = TMax;
    this.etaMin = opts.etaMin ?? 0;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, T = this.TMax, eta = this.etaMin;
    if (e === 0) return this.lrs();
    if (this.stepCount === 1 && e > 0) return this.baseLrs.map((b) => eta + ((b - eta) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) {
      return groups(this).map((g, i) => (g.lr as number) + ((this.baseLrs[i] - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.lrs().map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - eta) + eta);
  }
}

export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: Optimizer, opts: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.startFactor = opts.startFactor ?? 1.0 / 3;
    this.endFactor = opts.endFactor ?? 1.0;
    this.totalIters = opts.totalIters ?? 5;
    if (this.startFactor > 1 || this.startFactor < 0) throw new ValueError("LinearLR: starting multiplicative factor expected to be between 0 and 1.");
    if (this.endFactor > 1 || this.endFactor < 0) throw new ValueError("LinearLR: ending multiplicative factor expected to be between 0 and 1.");
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch, s = this.startFactor, f = this.endFactor, n = this.totalIters;
    if (e === 0) return this.lrs().map((lr) => lr * s);
    if (e > n) return this.lrs();
    return this.lrs().map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
}

export interface OneCycleOptions {
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase { endStep: number; startLr: string; endLr: string; startMomentum: string; endMomentum: string }

/** The 1cycle policy; with cycleMomentum it also cycles momentum (or Adam's beta1). */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;

  constructor(optimizer: Optimizer, maxLr: number | readonly number[], opts: OneCycleOptions = {}) {
    const lastEpoch = opts.lastEpoch ?? -1;
    const n = optimizer.paramGroups.length;
    const per = (name: string, v: number | readonly number[]): number[] => {
      if (typeof v === "number") return new Array<number>(n).fill(v);
      if (v.length !== n) throw new ValueError(`OneCycleLR: expected ${n} values for ${name}, got ${v.length}`);
      return [...v];
    };
    const divFactor = opts.divFactor ?? 25, finalDiv = opts.finalDivFactor ?? 1e4;
    const maxLrs = per("max_lr", maxLr);
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDiv;
      });
    }
    const cycle = opts.cycleMomentum ?? true;
    const useBeta1 = "betas" in optimizer.defaults;
    if (cycle) {
      if (!("momentum" in optimizer.defaults) && !useBeta1) throw new ValueError("OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
      const maxM = per("max_momentum", opts.maxMomentum ?? 0.95), baseM = per("base_momentum", opts.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxM[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    super(optimizer, lastEpoch);
    if (opts.totalSteps !== undefined && opts.totalSteps !== null) {
      if (!(opts.totalSteps > 0) || !Number.isInteger(opts.totalSteps)) throw new ValueError(`OneCycleLR: expected positive integer total_steps, but got ${opts.totalSteps}`);
      this.totalSteps = opts.totalSteps;
    } else if (opts.epochs && opts.stepsPerEpoch) {
      this.totalSteps = opts.epochs * opts.stepsPerEpoch;
    } else throw new ValueError("OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)");
    const pct = opts.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new ValueError(`OneCycleLR: expected float between 0 and 1 pct_start, but got ${pct}`);
    const T = this.totalSteps;
    this.phases = opts.threePhase
      ? [
        { endStep: pct * T - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
        { endStep: 2 * pct * T - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        { endStep: T - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
      ]
      : [
        { endStep: pct * T - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
        { endStep: T - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
      ];
    const strategy = opts.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear") throw new ValueError(`OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got ${String(strategy)}`);
    this.anneal = strategy === "cos"
      ? (start, end, p) => end + ((start - end) / 2.0) * (Math.cos(Math.PI * p) + 1)
      : (start, end, p) => (end - start) * p + start;
    this.cycleMomentum = cycle;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) throw new ValueError(`OneCycleLR: tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`);
    return groups(this).map((g) => {
      let start = 0, lr = 0, mom = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (stepNum <= ph.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) mom = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        start = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [mom, ...(g.betas as number[]).slice(1)];
        else g.momentum = mom;
      }
      return lr;
    });
  }
}

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

  constructor(optimizer: Optimizer, opts: PlateauOptions = {}) {
    this.optimizer = optimizer;
    this.factor = opts.factor ?? 0.1;
    if (this.factor >= 1) throw new ValueError("ReduceLROnPlateau: factor should be < 1.0.");
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (typeof minLr !== "number" && minLr.length !== n) throw new ValueError(`ReduceLROnPlateau: expected ${n} min_lrs, got ${minLr.length}`);
    this.minLrs = typeof minLr === "number" ? new Array<number>(n).fill(minLr) : [...minLr];
    this.patience = opts.patience ?? 10;
    this.cooldown = opts.cooldown ?? 0;
    this.mode = opts.mode ?? "min";
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? "rel";
    if (this.mode !== "min" && this.mode !== "max") throw new ValueError(`ReduceLROnPlateau: mode ${String(this.mode)} is unknown!`);
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs") throw new ValueError(`ReduceLROnPlateau: threshold mode ${String(this.thresholdMode)} is unknown!`);
    this.eps = opts.eps ?? 1e-8;
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr as number);
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - this.threshold) : a < best - this.threshold;
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
