// RAdam with PyTorch 1.13's single-tensor formulas (torch/optim/radam.py).
import type { Tensor } from "../tensor.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";
import { check, checkBetas } from "./checks.js";

export interface RAdamOptions {
  lr?: number;
  betas?: readonly number[];
  eps?: number;
  weightDecay?: number;
  foreach?: boolean | null;
}
const radamArgs = signature<RAdamOptions & { params: ParamsInput }>()(
  "RAdam",
  ["params", "lr", "betas", "eps", "weightDecay", "foreach"],
  { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, foreach: null },
);
export class RAdam extends Optimizer {
  constructor(...args: ArgsOf<typeof radamArgs>) {
    const { params, ...opts } = radamArgs.parse(args);
    const d = {
      lr: opts.lr ?? 1e-3,
      betas: [...(opts.betas ?? [0.9, 0.999])],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      foreach: opts.foreach ?? null,
    };
    check("RAdam", d, ["lr", "eps", "weightDecay"]);
    checkBetas("RAdam", d.betas);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"),
      eps = this.num(g, "eps"),
      wd = this.num(g, "weightDecay");
    const [beta1, beta2] = g.betas as number[];
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, ["exp_avg", "exp_avg_sq"]);
      const step = (s.step = (s.step as number) + 1);
      const bc1 = 1 - beta1 ** step,
        bc2 = 1 - beta2 ** step;
      const grad = this.gradFor(p, false, wd);
      const expAvg = s.exp_avg as Tensor,
        expAvgSq = s.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const corrected = expAvg.div(bc1);
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / bc2;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const adaptive = expAvgSq.sqrt().add_(eps).reciprocal().mul(Math.sqrt(bc2));
        p.add_(corrected.mul(lr).mul(adaptive).mul(rect), -1.0);
      } else p.add_(corrected.mul(lr), -1.0);
    }
  }
}
