// The base of the epoch-driven lr schedulers (torch/optim/lr_scheduler.py 1.13 _LRScheduler).
// Subclasses use PyTorch's recursive ("chainable") get_lr form, so the float64 lr sequence is
// PyTorch's to the last bit. Group entries PyTorch adds (initial_lr, max_lr, …) are stored
// camelCased (initialLr, maxLr, …).
import { ValueError } from "../../errors.js";
import type { Optimizer, ParamGroup } from "../optimizer.js";

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
        if (g.initialLr === undefined)
          throw new ValueError(
            `${this.constructor.name}: param 'initial_lr' is not specified in paramGroups[${i}] when resuming an optimizer`,
          );
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** PyTorch's _initial_step, public for SequentialLR. */
  restart(): void {
    this.initialStep();
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

  /** The lr as a function of lastEpoch alone (used by step(epoch)); null when there is none. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Advances one epoch; step(epoch) jumps to that epoch (closed form, deprecated in PyTorch). */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
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

export const groupsOf = (s: LRScheduler): ParamGroup[] => s.optimizer.paramGroups;
