// Epoch-driven schedulers in PyTorch 1.13's formulas (the recursive get_lr, plus the closed forms
// that step(epoch) uses): StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR,
// LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts.
import { ValueError } from "../../errors.js";
import type { Optimizer } from "../optimizer.js";
import { type ArgsOf, signature, unsupported } from "../../internal/args.js";
import { LRScheduler, groupsOf as groups } from "./base.js";

const stepLRArgs = signature<
  { gamma?: number; lastEpoch?: number } & { optimizer: Optimizer; stepSize: number; verbose?: boolean }
>()("StepLR", ["optimizer", "stepSize", "gamma", "lastEpoch", "verbose"], {
  gamma: 0.1,
  lastEpoch: -1,
  verbose: false,
});
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(...args: ArgsOf<typeof stepLRArgs>) {
    const { optimizer, stepSize, ...opts } = stepLRArgs.parse(args);
    unsupported("StepLR", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    this.stepSize = stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.lrs();
    return this.lrs().map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

const multiStepLRArgs = signature<
  { gamma?: number; lastEpoch?: number } & { optimizer: Optimizer; milestones: readonly number[]; verbose?: boolean }
>()("MultiStepLR", ["optimizer", "milestones", "gamma", "lastEpoch", "verbose"], {
  gamma: 0.1,
  lastEpoch: -1,
  verbose: false,
});
export class MultiStepLR extends LRScheduler {
  readonly milestones: Map<number, number>;
  readonly gamma: number;
  constructor(...args: ArgsOf<typeof multiStepLRArgs>) {
    const { optimizer, milestones, ...opts } = multiStepLRArgs.parse(args);
    unsupported("MultiStepLR", "verbose", opts.verbose, [false]);
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
  protected override closedFormLr(): number[] {
    let passed = 0;
    for (const [m, c] of this.milestones) if (m <= this.lastEpoch) passed += c;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

const exponentialLRArgs = signature<
  { lastEpoch?: number } & { optimizer: Optimizer; gamma: number; verbose?: boolean }
>()("ExponentialLR", ["optimizer", "gamma", "lastEpoch", "verbose"], { lastEpoch: -1, verbose: false });
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(...args: ArgsOf<typeof exponentialLRArgs>) {
    const { optimizer, gamma, ...opts } = exponentialLRArgs.parse(args);
    unsupported("ExponentialLR", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    this.gamma = gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.lrs();
    return this.lrs().map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

const cosineAnnealingLRArgs = signature<
  { etaMin?: number; lastEpoch?: number } & { optimizer: Optimizer; TMax: number; verbose?: boolean }
>()("CosineAnnealingLR", ["optimizer", "TMax", "etaMin", "lastEpoch", "verbose"], {
  etaMin: 0,
  lastEpoch: -1,
  verbose: false,
});
export class CosineAnnealingLR extends LRScheduler {
  readonly TMax: number;
  readonly etaMin: number;
  constructor(...args: ArgsOf<typeof cosineAnnealingLRArgs>) {
    const { optimizer, TMax, ...opts } = cosineAnnealingLRArgs.parse(args);
    unsupported("CosineAnnealingLR", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    this.TMax = TMax;
    this.etaMin = opts.etaMin ?? 0;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch,
      T = this.TMax,
      eta = this.etaMin;
    if (e === 0) return this.lrs();
    if (this.stepCount === 1 && e > 0)
      return this.baseLrs.map((b) => eta + ((b - eta) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) {
      return groups(this).map((g, i) => (g.lr as number) + ((this.baseLrs[i] - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.lrs().map(
      (lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - eta) + eta,
    );
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.TMax))) / 2,
    );
  }
}

const linearLRArgs = signature<
  { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } & {
    optimizer: Optimizer;
    verbose?: boolean;
  }
>()("LinearLR", ["optimizer", "startFactor", "endFactor", "totalIters", "lastEpoch", "verbose"], {
  startFactor: 1.0 / 3,
  endFactor: 1.0,
  totalIters: 5,
  lastEpoch: -1,
  verbose: false,
});
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(...args: ArgsOf<typeof linearLRArgs>) {
    const { optimizer, ...opts } = linearLRArgs.parse(args);
    unsupported("LinearLR", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    this.startFactor = opts.startFactor ?? 1.0 / 3;
    this.endFactor = opts.endFactor ?? 1.0;
    this.totalIters = opts.totalIters ?? 5;
    if (this.startFactor > 1 || this.startFactor < 0)
      throw new ValueError("LinearLR: starting multiplicative factor expected to be between 0 and 1.");
    if (this.endFactor > 1 || this.endFactor < 0)
      throw new ValueError("LinearLR: ending multiplicative factor expected to be between 0 and 1.");
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch,
      s = this.startFactor,
      f = this.endFactor,
      n = this.totalIters;
    if (e === 0) return this.lrs().map((lr) => lr * s);
    if (e > n) return this.lrs();
    return this.lrs().map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
  protected override closedFormLr(): number[] {
    const s = this.startFactor,
      f = this.endFactor,
      n = this.totalIters;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, this.lastEpoch)) / n));
  }
}

type LrLambda = (epoch: number) => number;
const lambdas = (name: string, opt: Optimizer, f: LrLambda | readonly LrLambda[]): LrLambda[] => {
  const n = opt.paramGroups.length;
  if (typeof f === "function") return new Array<LrLambda>(n).fill(f);
  if (f.length !== n) throw new ValueError(`${name}: expected ${n} lr_lambdas, but got ${f.length}`);
  return [...f];
};

const lambdaLRArgs = signature<
  { lastEpoch?: number } & { optimizer: Optimizer; lrLambda: LrLambda | readonly LrLambda[]; verbose?: boolean }
>()("LambdaLR", ["optimizer", "lrLambda", "lastEpoch", "verbose"], { lastEpoch: -1, verbose: false });
/** lr = initial lr * lrLambda(epoch). */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  constructor(...args: ArgsOf<typeof lambdaLRArgs>) {
    const { optimizer, lrLambda, ...opts } = lambdaLRArgs.parse(args);
    unsupported("LambdaLR", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    this.lrLambdas = lambdas("LambdaLR", optimizer, lrLambda);
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }
}

const multiplicativeLRArgs = signature<
  { lastEpoch?: number } & { optimizer: Optimizer; lrLambda: LrLambda | readonly LrLambda[]; verbose?: boolean }
>()("MultiplicativeLR", ["optimizer", "lrLambda", "lastEpoch", "verbose"], { lastEpoch: -1, verbose: false });
/** lr = previous lr * lrLambda(epoch), from epoch 1. */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];
  constructor(...args: ArgsOf<typeof multiplicativeLRArgs>) {
    const { optimizer, lrLambda, ...opts } = multiplicativeLRArgs.parse(args);
    unsupported("MultiplicativeLR", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    this.lrLambdas = lambdas("MultiplicativeLR", optimizer, lrLambda);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.lrs().map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch));
    return this.lrs();
  }
}

const constantLRArgs = signature<
  { factor?: number; totalIters?: number; lastEpoch?: number } & { optimizer: Optimizer; verbose?: boolean }
>()("ConstantLR", ["optimizer", "factor", "totalIters", "lastEpoch", "verbose"], {
  factor: 1.0 / 3,
  totalIters: 5,
  lastEpoch: -1,
  verbose: false,
});
/** lr * factor until totalIters, then the initial lr. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  constructor(...args: ArgsOf<typeof constantLRArgs>) {
    const { optimizer, ...opts } = constantLRArgs.parse(args);
    unsupported("ConstantLR", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    this.factor = opts.factor ?? 1.0 / 3;
    this.totalIters = opts.totalIters ?? 5;
    if (this.factor > 1 || this.factor < 0)
      throw new ValueError("ConstantLR: constant multiplicative factor expected to be between 0 and 1.");
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.lrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.lrs();
    return this.lrs().map((lr) => lr * (1.0 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

const polynomialLRArgs = signature<
  { totalIters?: number; power?: number; lastEpoch?: number } & { optimizer: Optimizer; verbose?: boolean }
>()("PolynomialLR", ["optimizer", "totalIters", "power", "lastEpoch", "verbose"], {
  totalIters: 5,
  power: 1.0,
  lastEpoch: -1,
  verbose: false,
});
/** Polynomial decay to 0 over totalIters. */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;
  constructor(...args: ArgsOf<typeof polynomialLRArgs>) {
    const { optimizer, ...opts } = polynomialLRArgs.parse(args);
    unsupported("PolynomialLR", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    this.totalIters = opts.totalIters ?? 5;
    this.power = opts.power ?? 1.0;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch,
      n = this.totalIters;
    if (e === 0 || e > n) return this.lrs();
    const decay = ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** this.power;
    return this.lrs().map((lr) => lr * decay);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => b * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power,
    );
  }
}

const cosineAnnealingWarmRestartsArgs = signature<
  { TMult?: number; etaMin?: number; lastEpoch?: number } & { optimizer: Optimizer; T0: number; verbose?: boolean }
>()("CosineAnnealingWarmRestarts", ["optimizer", "T0", "TMult", "etaMin", "lastEpoch", "verbose"], {
  TMult: 1,
  etaMin: 0,
  lastEpoch: -1,
  verbose: false,
});
/** SGDR: cosine annealing restarted every T_i epochs (T_i grows by TMult). */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly T0: number;
  TI: number;
  readonly TMult: number;
  readonly etaMin: number;
  TCur: number;
  constructor(...args: ArgsOf<typeof cosineAnnealingWarmRestartsArgs>) {
    const { optimizer, T0, ...opts } = cosineAnnealingWarmRestartsArgs.parse(args);
    unsupported("CosineAnnealingWarmRestarts", "verbose", opts.verbose, [false]);
    super(optimizer, opts.lastEpoch ?? -1);
    if (!(T0 > 0) || !Number.isInteger(T0))
      throw new ValueError(`CosineAnnealingWarmRestarts: expected positive integer T_0, but got ${T0}`);
    const mult = opts.TMult ?? 1;
    if (mult < 1 || !Number.isInteger(mult))
      throw new ValueError(`CosineAnnealingWarmRestarts: expected integer T_mult >= 1, but got ${mult}`);
    this.T0 = T0;
    this.TI = T0;
    this.TMult = mult;
    this.etaMin = opts.etaMin ?? 0;
    this.TCur = this.lastEpoch;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.TCur) / this.TI))) / 2,
    );
  }
  override step(epoch?: number): void {
    this.stepCount++;
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    if (e === undefined) {
      e = this.lastEpoch + 1;
      this.TCur = this.TCur + 1;
      if (this.TCur >= this.TI) {
        this.TCur = this.TCur - this.TI;
        this.TI = this.TI * this.TMult;
      }
    } else {
      if (e < 0) throw new ValueError(`CosineAnnealingWarmRestarts: expected non-negative epoch, but got ${e}`);
      if (e >= this.T0) {
        if (this.TMult === 1) this.TCur = e % this.T0;
        else {
          const n = Math.floor(Math.log((e / this.T0) * (this.TMult - 1) + 1) / Math.log(this.TMult));
          this.TCur = e - (this.T0 * (this.TMult ** n - 1)) / (this.TMult - 1);
          this.TI = this.T0 * this.TMult ** n;
        }
      } else {
        this.TI = this.T0;
        this.TCur = e;
      }
    }
    this.lastEpoch = Math.floor(e);
    const values = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.lrs();
  }
}

/** Runs schedulers one after another, switching at the milestones. */
