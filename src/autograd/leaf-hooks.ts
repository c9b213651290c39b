// Hooks of the backward pass that DistributedDataParallel needs (PyTorch's reducer uses the same
// two): a hook run after a leaf's .grad has received all of this backward's contributions
// (Tensor.register_post_accumulate_grad_hook in PyTorch 2.1), and callbacks queued during a
// backward to run once it has finished (Variable._execution_engine.queue_callback).
import { AutogradError } from "../errors.js";
import type { Tensor } from "../tensor.js";

export type PostAccumulateGradHook = (param: Tensor) => void;

const hooks = new WeakMap<Tensor, Map<number, PostAccumulateGradHook>>();
let nextId = 0;

/** Runs `hook(leaf)` after each backward pass has finished accumulating into leaf.grad. */
export function registerPostAccumulateGradHook(
  leaf: Tensor,
  hook: PostAccumulateGradHook,
): { id: number; remove(): void } {
  if (!leaf.isLeaf)
    throw new AutogradError(
      "registerPostAccumulateGradHook: post accumulate grad hooks cannot be registered on non-leaf tensors",
    );
  if (!leaf.requiresGrad)
    throw new AutogradError(
      "registerPostAccumulateGradHook: cannot register a hook on a tensor that doesn't require gradient",
    );
  let m = hooks.get(leaf);
  if (!m) hooks.set(leaf, (m = new Map()));
  const id = nextId++;
  m.set(id, hook);
  return { id, remove: () => void m.delete(id) };
}

/** @internal Called by the engine once per backward per leaf, after its last accumulation. */
export function runPostAccumulateGradHooks(leaf: Tensor): void {
  const m = hooks.get(leaf);
  if (m) for (const h of [...m.values()]) h(leaf);
}

/** @internal Whether the engine needs to count deliveries to this leaf. */
export const hasPostAccumulateGradHooks = (leaf: Tensor): boolean => (hooks.get(leaf)?.size ?? 0) > 0;

let queued: (() => void)[] | null = null;

/** Queues `fn` to run when the backward pass now running has finished (only valid during one). */
export function queueCallback(fn: () => void): void {
  if (queued === null) throw new AutogradError("queueCallback: can only be called during the backward pass");
  queued.push(fn);
}

/** @internal Runs `body` (a backward pass), then the callbacks queued during it, in order. */
export function withFinalCallbacks<T>(body: () => T): T {
  const outer = queued;
  const mine: (() => void)[] = [];
  queued = mine;
  let result: T;
  try {
    result = body();
  } finally {
    queued = outer;
  }
  for (let i = 0; i < mine.length; i++) mine[i]();
  return result;
}
