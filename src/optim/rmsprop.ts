// RMSprop and Adagrad (torch/optim/rmsprop.py, adagrad.py 1.13, single-tensor path).
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { fullLike } from "../ops/creation.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  differentiable?: boolean;
}

export class RMSprop extends Optimizer {
  constructor(params: ParamsInput, opts: RMSpropOptions = {}) {
    const d = { lr: opts.lr ?? 1e-2, alpha: opts.alpha ?? 0.99, eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? 0, momentum: opts.momentum ?? 0, centered: opts.centered ?? false, maximize: opts.maximize ?? false, foreach: opts.foreach ?? null, differentiable: opts.differentiable ?? false };
    for (const k of ["lr", "eps", "momentum", "weightDecay", "alpha"] as const) if (!(d[k] >= 0)) throw new ValueError(`RMSprop: invalid ${k} value: ${d[k]}`);
    super(params, d);
  }

  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"), alpha = this.num(g, "alpha"), eps = this.num(g, "eps"), wd = this.num(g, "weightDecay"), momentum = this.num(g, "momentum");
    const centered = g.centered as boolean, maximize = g.maximize as boolean;
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, ["square_avg", ...(momentum > 0 ? ["momentum_buffer"] : []), ...(centered ? ["grad_avg"] : [])]);
      s.step = (s.step as number) + 1;
      const grad = this.gradFor(p, maximize, wd);
      const sq = s.square_avg as Tensor;
      sq.mul_(alpha).addcmul_(grad, grad, 1 - alpha);
      let avg: Tensor;
      if (centered) {
        const ga = s.grad_avg as Tensor;
        ga.mul_(alpha).add_(grad, 1 - alpha);
        avg = sq.clone().addcmul_(ga, ga, -1).sqrt();
      } else avg = sq.sqrt();
      avg = avg.add_(eps);
      if (momentum > 0) {
        const buf = s.momentum_buffer as Tensor;
        buf.mul_(momentum).addcdiv_(grad, avg);
        p.add_(buf, -lr);
      } else p.addcdiv_(grad, avg, -lr);
    }
  }
}

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
  foreach?: boolean | null;
}

export class Adagrad extends Optimizer {
  constructor(params: ParamsInput, opts: AdagradOptions = {}) {
    const d = { lr: opts.lr ?? 1e-2, lrDecay: opts.lrDecay ?? 0, weightDecay: opts.weightDecay ?? 0, initialAccumulatorValue: opts.initialAccumulatorValue ?? 0, eps: opts.eps ?? 1e-10, maximize: opts.maximize ?? false, foreach: opts.foreach ?? null };
    for (const k of ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"] as const) if (!(d[k] >= 0)) throw new ValueError(`Adagrad: invalid ${k} value: ${d[k]}`);
    super(params, d);
    // PyTorch creates the accumulators eagerly, in the constructor.
    for (const grp of this.paramGroups) {
      for (const p of grp.params) {
        const s = this.stateOf(p);
        s.step = 0;
        s.sum = fullLike(p, grp.initialAccumulatorValue as number);
      }
    }
  }

  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"), lrDecay = this.num(g, "lrDecay"), wd = this.num(g, "weightDecay"), eps = this.num(g, "eps");
    const maximize = g.maximize as boolean;
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.stateOf(p);
      s.step = ((s.step as number | undefined) ?? 0) + 1;
      s.sum ??= fullLike(p, g.initialAccumulatorValue as number);
      const step = s.step;
      const grad = this.gradFor(p, maximize, wd);
      const clr = lr / (1 + (step - 1) * lrDecay);
      const sum = s.sum as Tensor;
      sum.addcmul_(grad, grad, 1);
      const std = sum.sqrt().add_(eps);
      p.addcdiv_(grad, std, -clr);
    }
  }
}
