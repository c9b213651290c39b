// Adam and AdamW (torch/optim/adam.py, adamw.py 1.13, single-tensor path): same moments and
// bias corrections; Adam adds weight decay to the gradient, AdamW decays the weights directly.
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { maximum } from "../ops/binary.js";
import { backend } from "../backend/backend.js";
import { Optimizer, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";
import { type ArgsOf, signature } from "../internal/args.js";

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number] | readonly number[];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  capturable?: boolean;
  differentiable?: boolean;
  fused?: boolean;
}

function adamDefaults(
  name: string,
  opts: AdamOptions,
  wd: number,
): Record<string, number | boolean | readonly number[] | null> {
  const d = {
    lr: opts.lr ?? 1e-3,
    betas: [...(opts.betas ?? [0.9, 0.999])],
    eps: opts.eps ?? 1e-8,
    weightDecay: opts.weightDecay ?? wd,
    amsgrad: opts.amsgrad ?? false,
    maximize: opts.maximize ?? false,
    foreach: opts.foreach ?? null,
    capturable: opts.capturable ?? false,
    differentiable: opts.differentiable ?? false,
    fused: opts.fused ?? false,
  };
  if (!(d.lr >= 0)) throw new ValueError(`${name}: invalid learning rate: ${d.lr}`);
  if (!(d.eps >= 0)) throw new ValueError(`${name}: invalid epsilon value: ${d.eps}`);
  if (!(d.betas[0] >= 0 && d.betas[0] < 1))
    throw new ValueError(`${name}: invalid beta parameter at index 0: ${d.betas[0]}`);
  if (!(d.betas[1] >= 0 && d.betas[1] < 1))
    throw new ValueError(`${name}: invalid beta parameter at index 1: ${d.betas[1]}`);
  if (!(d.weightDecay >= 0)) throw new ValueError(`${name}: invalid weight_decay value: ${d.weightDecay}`);
  return d;
}

abstract class AdamBase extends Optimizer {
  protected abstract readonly decoupled: boolean;

  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"),
      eps = this.num(g, "eps"),
      wd = this.num(g, "weightDecay");
    const [beta1, beta2] = g.betas as number[];
    const amsgrad = g.amsgrad as boolean,
      maximize = g.maximize as boolean;
    if (this.foreachStep(g, lr, beta1, beta2, eps, wd, amsgrad, maximize)) return;
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"]);
      const expAvg = s.exp_avg as Tensor,
        expAvgSq = s.exp_avg_sq as Tensor;
      s.step = (s.step as number) + 1;
      const mx = amsgrad ? (s.max_exp_avg_sq as Tensor) : null;
      if (
        backend().adamStep(p, p.grad, expAvg, expAvgSq, mx, {
          lr,
          beta1,
          beta2,
          eps,
          weightDecay: wd,
          step: s.step as number,
          amsgrad,
          maximize,
          decoupled: this.decoupled,
        })
      ) {
        for (const t of [p, expAvg, expAvgSq, mx]) if (t) t.storage.version++;
        continue;
      }
      const grad = this.gradFor(p, maximize, this.decoupled ? 0 : wd);
      if (this.decoupled) p.mul_(1 - lr * wd);
      expAvg.mul_(beta1).add_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const step = s.step;
      const bc1 = 1 - beta1 ** step,
        bc2 = 1 - beta2 ** step;
      const stepSize = lr / bc1;
      const bc2Sqrt = Math.sqrt(bc2);
      let denom: Tensor;
      if (amsgrad) {
        const mx = s.max_exp_avg_sq as Tensor;
        mx.copy_(maximum(mx, expAvgSq));
        denom = mx.sqrt().div(bc2Sqrt).add_(eps);
      } else denom = expAvgSq.sqrt().div(bc2Sqrt).add_(eps);
      p.addcdiv_(expAvg, denom, -stepSize);
    }
  }

  /**
   * PyTorch's foreach=True update: every parameter of the group in one backend call (the same
   * per-element arithmetic as the single-tensor path); false when the backend declines it.
   */
  private foreachStep(
    g: ParamGroup,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    wd: number,
    amsgrad: boolean,
    maximize: boolean,
  ): boolean {
    const b = backend();
    if (!b.adamStepForeach) return false;
    const ps = g.params.filter((p) => p.grad);
    if (ps.length === 0 || ps.some((p) => p.dtype !== "float32" || p.grad!.dtype !== "float32")) return false;
    const keys = amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];
    const states = ps.map((p) => this.initState(p, keys));
    const steps = states.map((s) => (s.step as number) + 1);
    const ms = stateColumn(states, "exp_avg"),
      vs = stateColumn(states, "exp_avg_sq"),
      xs = amsgrad ? stateColumn(states, "max_exp_avg_sq") : null;
    const o = { lr, beta1, beta2, eps, weightDecay: wd, step: 1, amsgrad, maximize, decoupled: this.decoupled };
    if (
      !b.adamStepForeach(
        ps,
        ps.map((p) => p.grad!),
        ms,
        vs,
        xs,
        steps,
        o,
      )
    )
      return false;
    states.forEach((s, i) => {
      s.step = steps[i];
      for (const t of [ps[i], ms[i], vs[i], xs?.[i]]) if (t) t.storage.version++;
    });
    return true;
  }
}

/** One state tensor (exp_avg, …) of every parameter, in the parameters' order. */
function stateColumn(states: ParamState[], key: string): Tensor[] {
  return states.map((s) => s[key] as Tensor);
}

const adamArgs = signature<AdamOptions & { params: ParamsInput }>()(
  "Adam",
  [
    "params",
    "lr",
    "betas",
    "eps",
    "weightDecay",
    "amsgrad",
    "foreach",
    "maximize",
    "capturable",
    "differentiable",
    "fused",
  ],
  {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    foreach: null,
    maximize: false,
    capturable: false,
    differentiable: false,
    fused: false,
  },
);
const adamWArgs = signature<Omit<AdamOptions, "differentiable" | "fused"> & { params: ParamsInput }>()(
  "AdamW",
  ["params", "lr", "betas", "eps", "weightDecay", "amsgrad", "maximize", "foreach", "capturable"],
  {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 1e-2,
    amsgrad: false,
    maximize: false,
    foreach: null,
    capturable: false,
  },
);

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(...args: ArgsOf<typeof adamArgs>) {
    const { params, ...opts } = adamArgs.parse(args);
    super(params, adamDefaults("Adam", opts, 0));
  }
}

export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(...args: ArgsOf<typeof adamWArgs>) {
    const { params, ...opts } = adamWArgs.parse(args);
    super(params, adamDefaults("AdamW", opts, 1e-2));
  }
}
