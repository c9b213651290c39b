// OneCycleLR: the 1cycle policy (torch/optim/lr_scheduler.py 1.13).
import { ValueError } from "../../errors.js";
import type { Optimizer } from "../optimizer.js";
import { type ArgsOf, signature, unsupported } from "../../internal/args.js";
import { LRScheduler, groupsOf as groups } from "./base.js";

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

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

const oneCycleLRArgs = signature<
  OneCycleOptions & { optimizer: Optimizer; maxLr: number | readonly number[]; verbose?: boolean }
>()(
  "OneCycleLR",
  [
    "optimizer",
    "maxLr",
    "totalSteps",
    "epochs",
    "stepsPerEpoch",
    "pctStart",
    "annealStrategy",
    "cycleMomentum",
    "baseMomentum",
    "maxMomentum",
    "divFactor",
    "finalDivFactor",
    "threePhase",
    "lastEpoch",
    "verbose",
  ],
  {
    totalSteps: null,
    epochs: null,
    stepsPerEpoch: null,
    pctStart: 0.3,
    annealStrategy: "cos",
    cycleMomentum: true,
    baseMomentum: 0.85,
    maxMomentum: 0.95,
    divFactor: 25,
    finalDivFactor: 1e4,
    threePhase: false,
    lastEpoch: -1,
    verbose: false,
  },
);
/** The 1cycle policy; with cycleMomentum it also cycles momentum (or Adam's beta1). */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;

  constructor(...args: ArgsOf<typeof oneCycleLRArgs>) {
    const { optimizer, maxLr, ...opts } = oneCycleLRArgs.parse(args);
    unsupported("OneCycleLR", "verbose", opts.verbose, [false]);
    const lastEpoch = opts.lastEpoch ?? -1;
    const n = optimizer.paramGroups.length;
    const per = (name: string, v: number | readonly number[]): number[] => {
      if (typeof v === "number") return new Array<number>(n).fill(v);
      if (v.length !== n) throw new ValueError(`OneCycleLR: expected ${n} values for ${name}, got ${v.length}`);
      return [...v];
    };
    const divFactor = opts.divFactor ?? 25,
      finalDiv = opts.finalDivFactor ?? 1e4;
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
      if (!("momentum" in optimizer.defaults) && !useBeta1)
        throw new ValueError(
          "OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
        );
      const maxM = per("max_momentum", opts.maxMomentum ?? 0.95),
        baseM = per("base_momentum", opts.baseMomentum ?? 0.85);
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
      if (!(opts.totalSteps > 0) || !Number.isInteger(opts.totalSteps))
        throw new ValueError(`OneCycleLR: expected positive integer total_steps, but got ${opts.totalSteps}`);
      this.totalSteps = opts.totalSteps;
    } else if (opts.epochs && opts.stepsPerEpoch) {
      this.totalSteps = opts.epochs * opts.stepsPerEpoch;
    } else throw new ValueError("OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)");
    const pct = opts.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1))
      throw new ValueError(`OneCycleLR: expected float between 0 and 1 pct_start, but got ${pct}`);
    const T = this.totalSteps;
    this.phases = opts.threePhase
      ? [
          {
            endStep: pct * T - 1,
            startLr: "initialLr",
            endLr: "maxLr",
            startMomentum: "maxMomentum",
            endMomentum: "baseMomentum",
          },
          {
            endStep: 2 * pct * T - 2,
            startLr: "maxLr",
            endLr: "initialLr",
            startMomentum: "baseMomentum",
            endMomentum: "maxMomentum",
          },
          {
            endStep: T - 1,
            startLr: "initialLr",
            endLr: "minLr",
            startMomentum: "maxMomentum",
            endMomentum: "maxMomentum",
          },
        ]
      : [
          {
            endStep: pct * T - 1,
            startLr: "initialLr",
            endLr: "maxLr",
            startMomentum: "maxMomentum",
            endMomentum: "baseMomentum",
          },
          {
            endStep: T - 1,
            startLr: "maxLr",
            endLr: "minLr",
            startMomentum: "baseMomentum",
            endMomentum: "maxMomentum",
          },
        ];
    const strategy = opts.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear")
      throw new ValueError(
        `OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got ${String(strategy)}`,
      );
    this.anneal =
      strategy === "cos"
        ? (start, end, p) => end + ((start - end) / 2.0) * (Math.cos(Math.PI * p) + 1)
        : (start, end, p) => (end - start) * p + start;
    this.cycleMomentum = cycle;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps)
      throw new ValueError(
        `OneCycleLR: tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`,
      );
    return groups(this).map((g) => {
      let start = 0,
        lr = 0,
        mom = 0;
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
