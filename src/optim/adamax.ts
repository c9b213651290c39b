// Adamax with PyTorch 1.13's single-tensor formulas (torch/optim/adamax.py).
import type { Tensor } from "../tensor.js";
import { maximum } from "../ops/binary.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";
import { check, checkBetas } from "./checks.js";

export interface AdamaxOptions {
  lr?: number;
  betas?: readonly number[];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
  foreach?: boolean | null;
}
const adamaxArgs = signature<AdamaxOptions & { params: ParamsInput }>()(
  "Adamax",
  ["params", "lr", "betas", "eps", "weightDecay", "foreach", "maximize"],
  { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, foreach: null, maximize: false },
);
export class Adamax extends Optimizer {
  constructor(...args: ArgsOf<typeof adamaxArgs>) {
    const { params, ...opts } = adamaxArgs.parse(args);
    const d = {
      lr: opts.lr ?? 2e-3,
      betas: [...(opts.betas ?? [0.9, 0.999])],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      maximize: opts.maximize ?? false,
      foreach: opts.foreach ?? null,
    };
    check("Adamax", d, ["lr", "eps", "weightDecay"]);
    checkBetas("Adamax", d.betas);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"),
      eps = this.num(g, "eps"),
      wd = this.num(g, "weightDecay");
    const [beta1, beta2] = g.betas as number[];
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, ["exp_avg", "exp_inf"]);
      s.step = (s.step as number) + 1;
      const grad = this.gradFor(p, g.maximize as boolean, wd);
      const expAvg = s.exp_avg as Tensor,
        expInf = s.exp_inf as Tensor;
      expAvg.mul_(beta1).add_(grad, 1 - beta1);
      expInf.copy_(maximum(expInf.mul_(beta2), grad.abs().add(eps)));
      const clr = lr / (1 - beta1 ** s.step);
      p.addcdiv_(expAvg, expInf, -clr);
    }
  }
}
