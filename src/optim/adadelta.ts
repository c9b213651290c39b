// Adadelta with PyTorch 1.13's single-tensor formulas (torch/optim/adadelta.py).
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";
import { check } from "./checks.js";

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
  foreach?: boolean | null;
}
const adadeltaArgs = signature<AdadeltaOptions & { params: ParamsInput }>()(
  "Adadelta",
  ["params", "lr", "rho", "eps", "weightDecay", "foreach", "maximize"],
  { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, foreach: null, maximize: false },
);
export class Adadelta extends Optimizer {
  constructor(...args: ArgsOf<typeof adadeltaArgs>) {
    const { params, ...opts } = adadeltaArgs.parse(args);
    const d = {
      lr: opts.lr ?? 1.0,
      rho: opts.rho ?? 0.9,
      eps: opts.eps ?? 1e-6,
      weightDecay: opts.weightDecay ?? 0,
      maximize: opts.maximize ?? false,
      foreach: opts.foreach ?? null,
    };
    check("Adadelta", d, ["lr", "eps", "weightDecay"]);
    if (!(d.rho >= 0 && d.rho <= 1)) throw new ValueError(`Adadelta: invalid rho value: ${d.rho}`);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"),
      rho = this.num(g, "rho"),
      eps = this.num(g, "eps"),
      wd = this.num(g, "weightDecay");
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, ["square_avg", "acc_delta"]);
      s.step = (s.step as number) + 1;
      const grad = this.gradFor(p, g.maximize as boolean, wd);
      const sq = s.square_avg as Tensor,
        acc = s.acc_delta as Tensor;
      sq.mul_(rho).addcmul_(grad, grad, 1 - rho);
      const std = sq.add(eps).sqrt();
      const delta = acc.add(eps).sqrt().div(std).mul(grad);
      acc.mul_(rho).addcmul_(delta, delta, 1 - rho);
      p.add_(delta, -lr);
    }
  }
}
