// The public autograd entry points: tensor.backward() and torch.autograd.grad.
import type { Tensor } from "../tensor.js";
import { AutogradError, ShapeError, fmtShape } from "../errors.js";
import { onesLike } from "../ops/creation.js";
import { runBackward } from "./engine.js";
import { accumulate, accumulateInto, detachedClone } from "./hooks.js";

export interface BackwardArgs {
  retainGraph?: boolean;
  createGraph?: boolean;
  inputs?: readonly Tensor[];
}

function rootGrad(t: Tensor, g: Tensor | null | undefined, op: string): Tensor {
  if (!t.requiresGrad)
    throw new AutogradError(`${op}: element 0 of tensors does not require grad and does not have a grad_fn`);
  if (g === null || g === undefined) {
    if (t.numel() !== 1)
      throw new AutogradError(
        `${op}: grad can be implicitly created only for scalar outputs (got shape ${fmtShape(t.shape)})`,
      );
    return onesLike(t);
  }
  if (g.shape.length !== t.shape.length || g.shape.some((s, i) => s !== t.shape[i])) {
    throw new ShapeError(
      `${op}: mismatch in shape: grad_output has a shape of ${fmtShape(g.shape)} and output has a shape of ${fmtShape(t.shape)}`,
    );
  }
  return g;
}

export function backward(t: Tensor, gradient?: Tensor | null, opts: BackwardArgs = {}): void {
  const root = rootGrad(t, gradient, "backward");
  if (!opts.inputs) {
    runBackward([t], [root], opts);
    return;
  }
  // backward({ inputs }): only these tensors (leaves or not) get their .grad accumulated.
  const grads = runBackward([t], [root], { ...opts, inputs: opts.inputs, allowUnused: true });
  opts.inputs.forEach((x, i) => {
    const g = grads[i];
    if (!g) return;
    x.grad = x.grad
      ? opts.createGraph
        ? accumulate(x.grad, g)
        : accumulateInto(x.grad, g)
      : opts.createGraph
        ? g
        : detachedClone(g);
  });
}

export interface GradArgs {
  gradOutputs?: readonly (Tensor | null)[] | Tensor | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/** torch.autograd.grad(outputs, inputs, { gradOutputs, retainGraph, createGraph, allowUnused }). */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: GradArgs = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? inputs : [inputs as Tensor];
  const gos =
    opts.gradOutputs === undefined || opts.gradOutputs === null
      ? []
      : Array.isArray(opts.gradOutputs)
        ? opts.gradOutputs
        : [opts.gradOutputs as Tensor];
  const roots = outs.map((o, i) => rootGrad(o, gos[i], "autograd.grad"));
  return runBackward(outs, roots, { ...opts, inputs: ins });
}
