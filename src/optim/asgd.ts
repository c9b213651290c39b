// ASGD (averaged SGD) with PyTorch 1.13's single-tensor formulas (torch/optim/asgd.py). eta and
// mu are float32 0-dim tensors in PyTorch (torch.tensor of a Python float), so their values are
// rounded to float32 here too.
import type { Tensor } from "../tensor.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { check } from "./checks.js";
import { parseArgs } from "../ops/util.js";

export interface ASGDOptions {
  lr?: number;
  lambd?: number;
  alpha?: number;
  t0?: number;
  weightDecay?: number;
  foreach?: boolean | null;
  maximize?: boolean;
}

/** optim.ASGD(params, lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weightDecay = 0, foreach, maximize). */
export class ASGD extends Optimizer {
  constructor(params: ParamsInput, ...args: unknown[]) {
    const o = parseArgs<Required<ASGDOptions> & Record<string, unknown>>(
      "ASGD",
      args,
      ["lr", "lambd", "alpha", "t0", "weightDecay", "foreach", "maximize"],
      { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, foreach: null, maximize: false },
    );
    const d = {
      lr: o.lr,
      lambd: o.lambd,
      alpha: o.alpha,
      t0: o.t0,
      weightDecay: o.weightDecay,
      foreach: o.foreach,
      maximize: o.maximize,
    };
    check("ASGD", d, ["lr", "weightDecay"]);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"),
      lambd = this.num(g, "lambd"),
      alpha = this.num(g, "alpha"),
      t0 = this.num(g, "t0"),
      wd = this.num(g, "weightDecay");
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, [], { eta: Math.fround(lr), mu: 1 });
      if (!s.ax) s.ax = p.detach().mul(0);
      s.step = (s.step as number) + 1;
      const step = s.step;
      const grad = this.gradFor(p, g.maximize as boolean, wd);
      const eta = s.eta as number,
        mu = s.mu as number;
      p.mul_(1 - lambd * eta);
      p.add_(grad, -eta);
      const ax = s.ax as Tensor;
      if (mu !== 1) ax.add_(p.sub(ax).mul(mu));
      else ax.copy_(p);
      s.eta = Math.fround(lr / Math.pow(1 + lambd * lr * step, alpha));
      s.mu = Math.fround(1 / Math.max(1, step - t0));
    }
  }
}
