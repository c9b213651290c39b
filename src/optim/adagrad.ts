// Adagrad (torch/optim/adagrad.py 1.13, single-tensor path).
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { fullLike } from "../ops/creation.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
  foreach?: boolean | null;
}

const adagradArgs = signature<AdagradOptions & { params: ParamsInput }>()(
  "Adagrad",
  ["params", "lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps", "foreach", "maximize"],
  { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, foreach: null, maximize: false },
);
export class Adagrad extends Optimizer {
  constructor(...args: ArgsOf<typeof adagradArgs>) {
    const { params, ...opts } = adagradArgs.parse(args);
    const d = {
      lr: opts.lr ?? 1e-2,
      lrDecay: opts.lrDecay ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      initialAccumulatorValue: opts.initialAccumulatorValue ?? 0,
      eps: opts.eps ?? 1e-10,
      maximize: opts.maximize ?? false,
      foreach: opts.foreach ?? null,
    };
    for (const k of ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"] as const)
      if (!(d[k] >= 0)) throw new ValueError(`Adagrad: invalid ${k} value: ${d[k]}`);
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
    const lr = this.num(g, "lr"),
      lrDecay = this.num(g, "lrDecay"),
      wd = this.num(g, "weightDecay"),
      eps = this.num(g, "eps");
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
