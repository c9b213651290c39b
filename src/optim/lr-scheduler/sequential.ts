// SequentialLR: hands the epochs to one scheduler after another at the milestones
// (torch/optim/lr_scheduler.py 1.13).
import { ValueError } from "../../errors.js";
import type { Optimizer } from "../optimizer.js";
import { type ArgsOf, signature, unsupported } from "../../internal/args.js";
import { LRScheduler } from "./base.js";

const sequentialLRArgs = signature<
  { lastEpoch?: number } & {
    optimizer: Optimizer;
    schedulers: LRScheduler[];
    milestones: readonly number[];
    verbose?: boolean;
  }
>()("SequentialLR", ["optimizer", "schedulers", "milestones", "lastEpoch", "verbose"], {
  lastEpoch: -1,
  verbose: false,
});
export class SequentialLR {
  readonly optimizer: Optimizer;
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  lastEpoch: number;
  private lastLr: number[];
  constructor(...args: ArgsOf<typeof sequentialLRArgs>) {
    const { optimizer, schedulers, milestones, ...opts } = sequentialLRArgs.parse(args);
    unsupported("SequentialLR", "verbose", opts.verbose, [false]);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new ValueError(
          `SequentialLR: expects all schedulers to belong to the same optimizer, but got scheduler at index ${i} with a different one`,
        );
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new ValueError(
        `SequentialLR: expects number of schedulers provided to be one more than the number of milestone points, but got ${schedulers.length} schedulers and ${milestones.length} milestones`,
      );
    }
    this.optimizer = optimizer;
    this.schedulers = schedulers;
    this.milestones = [...milestones];
    this.lastEpoch = (opts.lastEpoch ?? -1) + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].restart();
    this.lastLr = schedulers[0].getLastLr();
  }
  step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= this.lastEpoch) idx++;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }
  getLastLr(): number[] {
    return [...this.lastLr];
  }
}
