// NAdam with PyTorch 1.13's single-tensor formulas (torch/optim/nadam.py).
import type { Tensor } from "../tensor.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";
import { check, checkBetas, f32 } from "./checks.js";

export interface NAdamOptions {
  lr?: number;
  betas?: readonly number[];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
  foreach?: boolean | null;
}
const nadamArgs = signature<NAdamOptions & { params: ParamsInput }>()(
  "NAdam",
  ["params", "lr", "betas", "eps", "weightDecay", "momentumDecay", "foreach"],
  { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, foreach: null },
);
/** NAdam; its mu_product lives in a float32 tensor in PyTorch, so it is rounded to float32 here too. */
export class NAdam extends Optimizer {
  constructor(...args: ArgsOf<typeof nadamArgs>) {
    const { params, ...opts } = nadamArgs.parse(args);
    const d = {
      lr: opts.lr ?? 2e-3,
      betas: [...(opts.betas ?? [0.9, 0.999])],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentumDecay: opts.momentumDecay ?? 4e-3,
      foreach: opts.foreach ?? null,
    };
    check("NAdam", d, ["lr", "eps", "weightDecay", "momentumDecay"]);
    checkBetas("NAdam", d.betas);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"),
      eps = this.num(g, "eps"),
      wd = this.num(g, "weightDecay"),
      md = this.num(g, "momentumDecay");
    const [beta1, beta2] = g.betas as number[];
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, ["exp_avg", "exp_avg_sq"], { mu_product: 1 });
      const step = (s.step = (s.step as number) + 1);
      const bc2 = 1 - beta2 ** step;
      const grad = this.gradFor(p, false, wd);
      const mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * md));
      const muNext = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * md));
      const muProduct = f32((s.mu_product as number) * f32(mu));
      s.mu_product = muProduct;
      const muProductNext = f32(f32(muProduct * f32(mu)) * f32(muNext));
      const expAvg = s.exp_avg as Tensor,
        expAvgSq = s.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const denom = expAvgSq.div(bc2).sqrt().add_(eps);
      p.addcdiv_(grad, denom, (-lr * (1.0 - mu)) / (1.0 - muProduct));
      p.addcdiv_(expAvg, denom, (-lr * muNext) / (1.0 - muProductNext));
    }
  }
}
