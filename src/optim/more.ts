// More optimizers with PyTorch 1.13's single-tensor formulas: Adadelta, Adamax, NAdam, RAdam, Rprop.
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { fullLike, zerosLike } from "../ops/creation.js";
import { maximum, where } from "../ops/binary.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";

const f32 = Math.fround;
function check(name: string, d: Record<string, unknown>, keys: string[]): void {
  for (const k of keys) if (!((d[k] as number) >= 0)) throw new ValueError(`${name}: invalid ${k} value: ${String(d[k])}`);
}
function checkBetas(name: string, b: readonly number[]): void {
  b.forEach((v, i) => {
    if (!(v >= 0 && v < 1)) throw new ValueError(`${name}: invalid beta parameter at index ${i}: ${v}`);
  });
}

export interface AdadeltaOptions { lr?: number; rho?: number; eps?: number; weightDecay?: number; maximize?: boolean; foreach?: boolean | null }
export class Adadelta extends Optimizer {
  constructor(params: ParamsInput, opts: AdadeltaOptions = {}) {
    const d = { lr: opts.lr ?? 1.0, rho: opts.rho ?? 0.9, eps: opts.eps ?? 1e-6, weightDecay: opts.weightDecay ?? 0, maximize: opts.maximize ?? false, foreach: opts.foreach ?? null };
    check("Adadelta", d, ["lr", "eps", "weightDecay"]);
    if (!(d.rho >= 0 && d.rho <= 1)) throw new ValueError(`Adadelta: invalid rho value: ${d.rho}`);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"), rho = this.num(g, "rho"), eps = this.num(g, "eps"), wd = this.num(g, "weightDecay");
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, ["square_avg", "acc_delta"]);
      s.step = (s.step as number) + 1;
      const grad = this.gradFor(p, g.maximize as boolean, wd);
      const sq = s.square_avg as Tensor, acc = s.acc_delta as Tensor;
      sq.mul_(rho).addcmul_(grad, grad, 1 - rho);
      const std = sq.add(eps).sqrt();
      const delta = acc.add(eps).sqrt().div(std).mul(grad);
      acc.mul_(rho).addcmul_(delta, delta, 1 - rho);
      p.add_(delta, -lr);
    }
  }
}

export interface AdamaxOptions { lr?: number; betas?: readonly number[]; eps?: number; weightDecay?: number; maximize?: boolean; foreach?: boolean | null }
export class Adamax extends Optimizer {
  constructor(params: ParamsInput, opts: AdamaxOptions = {}) {
    const d = { lr: opts.lr ?? 2e-3, betas: [...(opts.betas ?? [0.9, 0.999])], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? 0, maximize: opts.maximize ?? false, foreach: opts.foreach ?? null };
    check("Adamax", d, ["lr", "eps", "weightDecay"]);
    checkBetas("Adamax", d.betas);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"), eps = this.num(g, "eps"), wd = this.num(g, "weightDecay");
    const [beta1, beta2] = g.betas as number[];
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, ["exp_avg", "exp_inf"]);
      s.step = (s.step as number) + 1;
      const grad = this.gradFor(p, g.maximize as boolean, wd);
      const expAvg = s.exp_avg as Tensor, expInf = s.exp_inf as Tensor;
      expAvg.mul_(beta1).add_(grad, 1 - beta1);
      expInf.copy_(maximum(expInf.mul_(beta2), grad.abs().add(eps)));
      const clr = lr / (1 - beta1 ** s.step);
      p.addcdiv_(expAvg, expInf, -clr);
    }
  }
}

export interface NAdamOptions { lr?: number; betas?: readonly number[]; eps?: number; weightDecay?: number; momentumDecay?: number; foreach?: boolean | null }
/** NAdam; its mu_product lives in a float32 tensor in PyTorch, so it is rounded to float32 here too. */
export class NAdam extends Optimizer {
  constructor(params: ParamsInput, opts: NAdamOptions = {}) {
    const d = { lr: opts.lr ?? 2e-3, betas: [...(opts.betas ?? [0.9, 0.999])], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? 0, momentumDecay: opts.momentumDecay ?? 4e-3, foreach: opts.foreach ?? null };
    check("NAdam", d, ["lr", "eps", "weightDecay", "momentumDecay"]);
    checkBetas("NAdam", d.betas);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"), eps = this.num(g, "eps"), wd = this.num(g, "weightDecay"), md = this.num(g, "momentumDecay");
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
      const expAvg = s.exp_avg as Tensor, expAvgSq = s.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const denom = expAvgSq.div(bc2).sqrt().add_(eps);
      p.addcdiv_(grad, denom, (-lr * (1.0 - mu)) / (1.0 - muProduct));
      p.addcdiv_(expAvg, denom, (-lr * muNext) / (1.0 - muProductNext));
    }
  }
}

export interface RAdamOptions { lr?: number; betas?: readonly number[]; eps?: number; weightDecay?: number; foreach?: boolean | null }
export class RAdam extends Optimizer {
  constructor(params: ParamsInput, opts: RAdamOptions = {}) {
    const d = { lr: opts.lr ?? 1e-3, betas: [...(opts.betas ?? [0.9, 0.999])], eps: opts.eps ?? 1e-8, weightDecay: opts.weightDecay ?? 0, foreach: opts.foreach ?? null };
    check("RAdam", d, ["lr", "eps", "weightDecay"]);
    checkBetas("RAdam", d.betas);
    super(params, d);
  }
  protected updateGroup(g: ParamGroup): void {
    const lr = this.num(g, "lr"), eps = this.num(g, "eps"), wd = this.num(g, "weightDecay");
    const [beta1, beta2] = g.betas as number[];
    for (const p of g.params) {
      if (!p.grad) continue;
      const s = this.initState(p, ["exp_avg", "exp_avg_sq"]);
      const step = (s.step = (s.step as number) + 1);
      const bc1 = 1 - beta1 ** step, bc2 = 1 - beta2 ** step;
      const grad = this.gradFor(p, false, wd);
      const expAvg = s.exp_avg as Tensor, expAvgSq = s.exp_avg_sq as Tensor;
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

export interface RpropOptions { lr?: number; etas?: readonly number[]; stepSizes?: readonly number[]; maximize?: boolean; foreach?: boolean | null }
export class Rprop extends Optimizer {
  constructor(params: ParamsInput, opts: RpropOptions = {}) {
    const d = { lr: opts.lr ?? 1e-2, etas: [...(opts.etas ?? [0.5, 1.2])], stepSizes: [...(opts.stepSizes ?? [1e-6, 50])], maximize: opts.maximize ?? false, foreach: opts.foreach ?? null };
    if (!(d.lr >= 0)) throw new ValueError(`Rprop: invalid learning rate: ${d.lr}`);
    if (!(d.etas[0] > 0 && d.etas[0] < 1 && d.etas[1] > 1)) throw new ValueError(`Rprop: invalid eta values: ${d.etas[0]}, ${d.etas[1]}`);
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
      const prev = s.prev as Tensor, stepSize = s.step_size as Tensor;
      const sgn = grad.mul(prev).sign();
      const factor = where(sgn.gt(0), etaplus, where(sgn.lt(0), etaminus, 1)).to(p.dtype);
      stepSize.mul_(factor).clamp_(minStep, maxStep);
      const g2 = where(factor.eq(etaminus), 0, grad).to(p.dtype);
      p.addcmul_(g2.sign(), stepSize, -1);
      prev.copy_(g2);
    }
  }
}
