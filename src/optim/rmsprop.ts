// RMSprop (torch/optim/rmsprop.py 1.13, single-tensor path).
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";

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

const rmspropArgs = signature<RMSpropOptions & { params: ParamsInput }>()(
  "RMSprop",
  ["params", "lr", "alpha", "eps", "weightDecay", "momentum", "centered", "foreach", "maximize", "differentiable"],
  {
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
    foreach: null,
    maximize: false,
    differentiable: false,
  },
);
export class RMSprop extends Optimizer {
  constructor(...args: ArgsOf<typeof rmspropArgs>) {
    const { params, ...opts } = rmspropArgs.parse(args);
    const d = {
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
      maximize: opts.maximize ?? false,
      foreach: opts.foreach ?? null,
      differentiable: opts.differentiable ?? false,
    };
    for (const k of ["lr", "eps", "momentum", "weightDecay", "alpha"] as const)
      if (!(d[k] >= 0)) throw new ValueError(`RMSprop: invalid ${k} value: ${d[k]}`);
    super(params, d);
  }

  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"),
      alpha = this.num(g, "alpha"),
      eps = this.num(g, "eps"),
      wd = this.num(g, "weightDecay"),
      momentum = this.num(g, "momentum");
    const centered = g.centered as boolean,
      maximize = g.maximize as boolean;
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, [
        "square_avg",
        ...(momentum > 0 ? ["momentum_buffer"] : []),
        ...(centered ? ["grad_avg"] : []),
      ]);
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
