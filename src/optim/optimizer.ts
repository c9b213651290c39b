// The Optimizer base: param groups with per-group options, per-parameter state, zeroGrad,
// addParamGroup, stateDict/loadStateDict in PyTorch's layout ({ state, paramGroups } with params
// as integer ids in order). Updates run under noGrad and follow PyTorch 1.13's single-tensor
// (foreach=False) formulas op for op, so float32 results round as PyTorch's do.
import { zerosLike } from "../ops/creation.js";
import { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { zeroGradOf } from "../autograd/zero-grad.js";

export type OptionValue = number | boolean | readonly number[] | null | string;
export interface ParamGroup {
  params: Tensor[];
  [option: string]: OptionValue | Tensor[];
}
export type ParamGroupInput = { params: Iterable<Tensor> } & Record<string, unknown>;
export type ParamsInput = Iterable<Tensor> | Iterable<ParamGroupInput>;
export type ParamState = Record<string, Tensor | number>;

export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Record<string, OptionValue | number[]>[];
}

/**
 * Per-parameter state tensors (momentum buffers, moments) must have the parameter's shape; 0-dim
 * ones (steps, ASGD's eta/mu) are scalars. A checkpoint that breaks this is refused here, naming
 * the parameter, rather than failing later inside a kernel.
 */
function checkStateShapes(s: ParamState, p: Tensor, which: string): void {
  for (const [k, v] of Object.entries(s)) {
    if (!(v instanceof Tensor) || v.dim() === 0) continue;
    if (v.shape.length !== p.shape.length || v.shape.some((n, d) => n !== p.shape[d])) {
      throw new ValueError(
        `loadStateDict: state '${k}' of ${which} has shape [${v.shape.join(", ")}], but the parameter has shape [${p.shape.join(", ")}]`,
      );
    }
  }
}

export abstract class Optimizer {
  readonly defaults: Record<string, OptionValue>;
  paramGroups: ParamGroup[] = [];
  state = new Map<Tensor, ParamState>();

  constructor(params: ParamsInput, defaults: Record<string, OptionValue>) {
    this.defaults = defaults;
    const list = [...(params as Iterable<Tensor | ParamGroupInput>)];
    if (list.length === 0) throw new ValueError(`${this.constructor.name}: optimizer got an empty parameter list`);
    if (list[0] instanceof Tensor) this.addParamGroup({ params: list as Tensor[] });
    else for (const g of list as ParamGroupInput[]) this.addParamGroup(g);
  }

  addParamGroup(group: ParamGroupInput): void {
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor))
        throw new ValueError(`${this.constructor.name}: optimizer can only optimize Tensors, got ${typeof p}`);
      if (!p.isLeaf) throw new ValueError(`${this.constructor.name}: can't optimize a non-leaf Tensor`);
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p)))
      throw new ValueError(`${this.constructor.name}: some parameters appear in more than one parameter group`);
    const g: ParamGroup = { params };
    for (const [k, v] of Object.entries(this.defaults))
      g[k] = k in group && group[k] !== undefined ? (group[k] as OptionValue) : v;
    for (const [k, v] of Object.entries(group)) if (k !== "params" && !(k in this.defaults)) g[k] = v as OptionValue;
    this.paramGroups.push(g);
  }

  /** Clears gradients: zeroed in place (PyTorch 1.13's default) or set to null. */
  zeroGrad(setToNone: boolean | { setToNone?: boolean } = false): void {
    const none = typeof setToNone === "boolean" ? setToNone : (setToNone.setToNone ?? false);
    for (const g of this.paramGroups) for (const p of g.params) zeroGradOf(p, none);
  }

  /** One update; `closure` (re-evaluating the loss) runs with grad enabled, as PyTorch's. */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure ? closure() : undefined;
    noGrad(() => {
      for (const g of this.paramGroups) this.updateGroup(g);
    });
    return loss;
  }

  protected abstract updateGroup(group: ParamGroup): void;

  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * p's state, created on its first update as { step: 0, ...extra, one zero tensor like p per
   * name in `buffers` } — PyTorch's lazy state initialisation, in PyTorch's key order.
   */
  protected initState(p: Tensor, buffers: readonly string[], extra: ParamState = {}): ParamState {
    const s = this.stateOf(p);
    if (s.step === undefined) {
      s.step = 0;
      Object.assign(s, extra);
      for (const name of buffers) s[name] = zerosLike(p);
    }
    return s;
  }

  /** The gradient an update uses: negated when maximizing, plus weightDecay * p (L2 decay). */
  protected gradFor(p: Tensor, maximize: boolean, weightDecay: number): Tensor {
    let grad = p.grad as Tensor;
    if (maximize) grad = grad.neg();
    return weightDecay !== 0 ? grad.add(p, weightDecay) : grad;
  }

  protected num(group: ParamGroup, key: string): number {
    return group[key] as number;
  }

  stateDict(): OptimizerStateDict {
    const ids = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, OptionValue | number[]> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[k] = v as OptionValue;
      packed.params = g.params.map((p) => {
        if (!ids.has(p)) ids.set(p, next++);
        return ids.get(p) as number;
      });
      return packed;
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const id = ids.get(p);
      if (id !== undefined) state[id] = { ...s };
    }
    return { state, paramGroups };
  }

  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(
        `loadStateDict: loaded state dict has a different number of parameter groups (${sd.paramGroups.length} vs ${this.paramGroups.length})`,
      );
    }
    sd.paramGroups.forEach((g, i) => {
      const ps = g.params as number[];
      if (ps.length !== this.paramGroups[i].params.length) {
        throw new ValueError(
          `loadStateDict: loaded state dict contains a parameter group that doesn't match the size of optimizer's group ${i} (${ps.length} vs ${this.paramGroups[i].params.length})`,
        );
      }
    });
    this.state = new Map();
    sd.paramGroups.forEach((g, i) => {
      const mine = this.paramGroups[i];
      (g.params as number[]).forEach((id, j) => {
        const s = sd.state[id];
        const p = mine.params[j];
        if (s) {
          checkStateShapes(s, p, `group ${i}, parameter ${j} (id ${id})`);
          const copy: ParamState = {};
          for (const [k, v] of Object.entries(s))
            copy[k] =
              v instanceof Tensor && k !== "step"
                ? noGrad(() => v.to(p.dtype).clone())
                : v instanceof Tensor
                  ? v.clone()
                  : v;
          this.state.set(p, copy);
        }
      });
      for (const [k, v] of Object.entries(g)) if (k !== "params") mine[k] = v as OptionValue;
    });
  }
}
