// How an op joins the autograd graph: after computing its outputs (with the backend, outside
// autograd), it calls record() with its inputs and a backward closure. Nothing is recorded when
// grad mode is off or no input requires grad, so inference pays only this check.
import { isFloating } from "../dtype.js";
import { type Tensor, makeView } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { zerosOf } from "../ops/util.js";
import { type BackwardFn, type Edge, Node, type OutputMeta } from "./node.js";
import { isGradEnabled } from "./grad-mode.js";

/**
 * needsGrad for one or two tensor inputs, without an array: a hot op asks first and builds its
 * backward closure only when a node will be recorded (no closure per call outside autograd).
 */
export function recordsGrad(a: Tensor, b?: Tensor): boolean {
  return (a.requiresGrad || (b !== undefined && b.requiresGrad)) && isGradEnabled();
}

export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t && t.requiresGrad) return true;
  return false;
}

export function edgeOf(t: Tensor | null | undefined): Edge {
  if (!t || !t.requiresGrad) return null;
  // A view whose base was changed in place since it was made reads the new values, so its
  // gradient must flow through the base's new history (PyTorch regenerates the view's grad_fn).
  if (t.base !== null && t.base.requiresGrad && t.base.gradFn !== t.baseGradFn) refreshView(t);
  return t.gradFn ? { node: t.gradFn, outputNr: t.outputNr } : { leaf: t };
}

/**
 * Gives the node that produced `out` PyTorch's name for the whole op, when `out` came out of a
 * composition (mv = matmul + squeeze prints MvBackward0, as in PyTorch). Inputs' own nodes are
 * never renamed (an op that returned its input unchanged made no node of its own).
 */
export function relabel<T extends Tensor | Tensor[]>(
  out: T,
  name: string,
  inputs: readonly (Tensor | null | undefined)[],
): T {
  const first: Tensor | undefined = Array.isArray(out) ? (out as Tensor[])[0] : (out as Tensor);
  const node = first?.gradFn;
  if (!node) return out;
  // A plain loop (no closure per call): reshape, transpose and matmul relabel on every call.
  for (let i = 0; i < inputs.length; i++) if (inputs[i]?.gradFn === node) return out;
  node.name = name;
  return out;
}

/**
 * Records `out` as produced from `inputs` by an op named `name`. `backward` maps the gradients
 * of the outputs to gradients of the inputs (null where an input gets none); `saved` lists the
 * tensors the closure reads, so that in-place changes to them are caught.
 */
export function record<T extends Tensor | Tensor[]>(
  name: string,
  inputs: readonly (Tensor | null | undefined)[],
  out: T,
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): T {
  if (!needsGrad(inputs)) return out;
  // Plain loops, not map/forEach closures: record() runs once per op of every training step.
  const outs: Tensor[] = Array.isArray(out) ? out : [out];
  const edges = new Array<Edge>(inputs.length);
  for (let i = 0; i < inputs.length; i++) edges[i] = edgeOf(inputs[i]);
  const metas = new Array<OutputMeta>(outs.length);
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i];
    metas[i] = { shape: o.shape, dtype: o.dtype, device: o.storage.device };
  }
  const node = new Node(name, edges, backward, saved, metas);
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i];
    if (!isFloating(o.dtype)) continue;
    o.requiresGrad = true;
    o.gradFn = node;
    o.outputNr = i;
  }
  return out;
}

/**
 * The backward of a view: g scattered into zeros of `shape` through viewOf (which makes the
 * same view of any tensor of that shape). Differentiable, for double backward.
 */
export function viewScatter(g: Tensor, shape: readonly number[], viewOf: (z: Tensor) => Tensor): Tensor {
  const z = zerosOf(shape, g.dtype, g.storage.device);
  backend().assign(viewOf(z), g);
  return record("ViewScatterBackward", [g], z, ([gz]) => [viewOf(gz)]);
}

/** Re-derives a stale view's history from its base (see edgeOf): AsStridedBackward of the base's current node. */
function refreshView(view: Tensor): void {
  const base = view.base as Tensor;
  view.baseGradFn = base.gradFn;
  if (!(base.offset === 0 && base.isContiguous())) return;
  const region = (z: Tensor): Tensor => makeView(z, [...view.shape], [...view.strides], view.offset);
  view.gradFn = null;
  record("AsStridedBackward", [base], view, ([g]) => [viewScatter(g, base.shape, region)]);
}
