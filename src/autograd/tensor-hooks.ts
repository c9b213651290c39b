// Tensor.registerHook(fn): fn sees the gradient of the tensor each time it is computed and may
// return a replacement. Leaves' hooks run before the gradient is accumulated into .grad; a
// non-leaf's hooks run on its total gradient before its node's backward (as PyTorch).
import type { Tensor } from "../tensor.js";
import { AutogradError } from "../errors.js";
import type { Node } from "./node.js";

export type GradHook = (grad: Tensor) => Tensor | void | undefined;
export interface RemovableHandle {
  remove(): void;
}

const leafHooks = new WeakMap<Tensor, GradHook[]>();
const nodeHooks = new WeakMap<Node, Map<number, GradHook[]>>();

export function registerHook(t: Tensor, hook: GradHook): RemovableHandle {
  if (!t.requiresGrad)
    throw new AutogradError("registerHook: cannot register a hook on a tensor that doesn't require gradient");
  let list: GradHook[];
  if (t.gradFn === null) {
    list = leafHooks.get(t) ?? [];
    leafHooks.set(t, list);
  } else {
    const byOutput = nodeHooks.get(t.gradFn) ?? new Map<number, GradHook[]>();
    nodeHooks.set(t.gradFn, byOutput);
    list = byOutput.get(t.outputNr) ?? [];
    byOutput.set(t.outputNr, list);
  }
  list.push(hook);
  return {
    remove: () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

/** Whether the leaf has gradient hooks (they may keep the gradient they are given). */
export const hasLeafHooks = (leaf: Tensor): boolean => (leafHooks.get(leaf)?.length ?? 0) > 0;
/** Whether any output of the node has gradient hooks. */
export function hasNodeHooks(node: Node): boolean {
  const byOutput = nodeHooks.get(node);
  if (!byOutput) return false;
  for (const list of byOutput.values()) if (list.length > 0) return true;
  return false;
}

const run = (hooks: GradHook[] | undefined, g: Tensor): Tensor => {
  let out = g;
  for (const h of hooks ?? []) out = h(out) ?? out;
  return out;
};
/** The gradient of a leaf after its hooks. */
export const applyLeafHooks = (leaf: Tensor, g: Tensor): Tensor => run(leafHooks.get(leaf), g);
/** A node's output gradients after the hooks of the tensors it produced. */
export function applyNodeHooks(node: Node, grads: Tensor[]): Tensor[] {
  const byOutput = nodeHooks.get(node);
  if (!byOutput) return grads;
  return grads.map((g, nr) => run(byOutput.get(nr), g));
}
