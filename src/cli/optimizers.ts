// The optimizers `flint train --optimizer` builds. SGD is optim's; Adam and AdamW are a
// stopgap here (PyTorch 1.13's single-tensor update rules, amsgrad/maximize left out) until
// branch nn ships optim.Adam / optim.AdamW, at which point this file should re-export those.
import { ValueError } from "../errors.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "../optim/optimizer.js";
import { SGD } from "../optim/sgd.js";
import type { Tensor } from "../tensor.js";

export { SGD };

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

class AdamBase extends Optimizer {
  constructor(params: ParamsInput, opts: AdamOptions, defaultWd: number, private readonly decoupled: boolean) {
    const [b1, b2] = opts.betas ?? [0.9, 0.999];
    const d = { lr: opts.lr ?? 1e-3, betas: [b1, b2], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? defaultWd, amsgrad: false, maximize: false };
    if (d.lr < 0) throw new ValueError(`${new.target.name}: invalid learning rate: ${d.lr}`);
    if (!(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1)) throw new ValueError(`${new.target.name}: invalid betas: [${b1}, ${b2}]`);
    if (d.eps < 0) throw new ValueError(`${new.target.name}: invalid epsilon value: ${d.eps}`);
    if (d.weightDecay < 0) throw new ValueError(`${new.target.name}: invalid weight_decay value: ${d.weightDecay}`);
    super(params, d);
  }

  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr");
    const eps = this.num(g, "eps");
    const wd = this.num(g, "weightDecay");
    const [b1, b2] = g.betas as readonly number[];
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = p.grad;
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.exp_avg = grad.mul(0);
        s.exp_avg_sq = grad.mul(0);
      }
      const step = (s.step as number) + 1;
      s.step = step;
      if (this.decoupled) p.mul_(1 - lr * wd);
      else if (wd !== 0) grad = grad.add(p, wd);
      const m = s.exp_avg as Tensor;
      const v = s.exp_avg_sq as Tensor;
      m.mul_(b1).add_(grad, 1 - b1);
      v.mul_(b2).addcmul_(grad, grad, 1 - b2);
      const stepSize = lr / (1 - b1 ** step);
      const denom = v.sqrt().div(Math.sqrt(1 - b2 ** step)).add_(eps);
      p.addcdiv_(m, denom, -stepSize);
    }
  }
}

export class Adam extends AdamBase {
  constructor(params: ParamsInput, opts: AdamOptions = {}) {
    super(params, opts, 0, false);
  }
}

export class AdamW extends AdamBase {
  constructor(params: ParamsInput, opts: AdamOptions = {}) {
    super(params, opts, 1e-2, true);
  }
}
