// SGD with momentum, dampening, Nesterov, weight decay and maximize (torch/optim/sgd.py 1.13).
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";
import { type SgdStepOptions, backend } from "../backend/backend.js";
import { zerosLike } from "../ops/creation.js";

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  differentiable?: boolean;
}

const sgdArgs = signature<SGDOptions & { params: ParamsInput }>()(
  "SGD",
  ["params", "lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize", "foreach", "differentiable"],
  {
    lr: undefined,
    momentum: 0,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
    maximize: false,
    foreach: null,
    differentiable: false,
  },
);
export class SGD extends Optimizer {
  constructor(...args: ArgsOf<typeof sgdArgs>) {
    const { params, ...opts } = sgdArgs.parse(args);
    const d = {
      lr: opts.lr ?? 1e-3,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
      maximize: opts.maximize ?? false,
      foreach: opts.foreach ?? null,
      differentiable: opts.differentiable ?? false,
    };
    if (opts.lr === undefined) throw new ValueError("SGD: lr is a required option (PyTorch 1.13's `required`)");
    // Written as !(x >= 0) so NaN is refused too (it would silently turn every weight into NaN).
    if (!(d.lr >= 0)) throw new ValueError(`SGD: invalid learning rate: ${d.lr}`);
    if (!(d.momentum >= 0)) throw new ValueError(`SGD: invalid momentum value: ${d.momentum}`);
    if (!Number.isFinite(d.dampening)) throw new ValueError(`SGD: invalid dampening value: ${d.dampening}`);
    if (!(d.weightDecay >= 0)) throw new ValueError(`SGD: invalid weight_decay value: ${d.weightDecay}`);
    if (d.nesterov && (d.momentum <= 0 || d.dampening !== 0))
      throw new ValueError("SGD: Nesterov momentum requires a momentum and zero dampening");
    super(params, d);
  }

  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"),
      momentum = this.num(g, "momentum"),
      dampening = this.num(g, "dampening"),
      wd = this.num(g, "weightDecay");
    const nesterov = g.nesterov as boolean,
      maximize = g.maximize as boolean;
    for (const p of g.params) {
      if (!p.grad) continue;
      if (this.fusedStep(p, p.grad, { lr, momentum, dampening, weightDecay: wd, nesterov, maximize })) continue;
      let dp = this.gradFor(p, maximize, wd);
      if (momentum !== 0) {
        const s = this.stateOf(p);
        let buf = s.momentum_buffer as Tensor | undefined;
        if (!buf) {
          buf = dp.clone().detach();
          s.momentum_buffer = buf;
        } else buf.mul_(momentum).add_(dp, 1 - dampening);
        dp = nesterov ? dp.add(buf, momentum) : buf;
      }
      p.add_(dp, -lr);
    }
  }

  /** One update through the backend's fused kernel (one pass over memory, no temporaries). */
  private fusedStep(p: Tensor, grad: Tensor, o: Omit<SgdStepOptions, "firstStep">): boolean {
    const s = this.stateOf(p);
    let buf = s.momentum_buffer as Tensor | undefined;
    const firstStep = o.momentum !== 0 && !buf;
    if (firstStep) buf = zerosLike(p);
    const ok = backend().sgdStep(p, grad, o.momentum !== 0 ? (buf as Tensor) : null, { ...o, firstStep });
    if (!ok) return false;
    if (firstStep) s.momentum_buffer = buf as Tensor;
    p.storage.version++;
    if (buf) buf.storage.version++;
    return true;
  }
}
