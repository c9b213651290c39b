// Rprop with PyTorch 1.13's single-tensor formulas (torch/optim/rprop.py).
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { fullLike, zerosLike } from "../ops/creation.js";
import { where } from "../ops/binary.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";

export interface RpropOptions {
  lr?: number;
  etas?: readonly number[];
  stepSizes?: readonly number[];
  maximize?: boolean;
  foreach?: boolean | null;
}
const rpropArgs = signature<RpropOptions & { params: ParamsInput }>()(
  "Rprop",
  ["params", "lr", "etas", "stepSizes", "foreach", "maximize"],
  { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], foreach: null, maximize: false },
);
export class Rprop extends Optimizer {
  constructor(...args: ArgsOf<typeof rpropArgs>) {
    const { params, ...opts } = rpropArgs.parse(args);
    const d = {
      lr: opts.lr ?? 1e-2,
      etas: [...(opts.etas ?? [0.5, 1.2])],
      stepSizes: [...(opts.stepSizes ?? [1e-6, 50])],
      maximize: opts.maximize ?? false,
      foreach: opts.foreach ?? null,
    };
    if (!(d.lr >= 0)) throw new ValueError(`Rprop: invalid learning rate: ${d.lr}`);
    if (!(d.etas[0] > 0 && d.etas[0] < 1 && d.etas[1] > 1))
      throw new ValueError(`Rprop: invalid eta values: ${d.etas[0]}, ${d.etas[1]}`);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const [etaminus, etaplus] = g.etas as number[];
    const [minStep, maxStep] = g.stepSizes as number[];
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.prev = zerosLike(p);
        s.step_size = fullLike(p, g.lr as number);
      }
      s.step = (s.step as number) + 1;
      const grad = this.gradFor(p, g.maximize as boolean, 0);
      const prev = s.prev as Tensor,
        stepSize = s.step_size as Tensor;
      const sgn = grad.mul(prev).sign();
      const factor = where(sgn.gt(0), etaplus, where(sgn.lt(0), etaminus, 1)).to(p.dtype);
      stepSize.mul_(factor).clamp_(minStep, maxStep);
      const g2 = where(factor.eq(etaminus), 0, grad).to(p.dtype);
      p.addcmul_(g2.sign(), stepSize, -1);
      prev.copy_(g2);
    }
  }
}
