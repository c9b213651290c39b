// The backward pass: walk the graph from the roots in dependency order, summing the gradients
// that reach each node, and deliver them to leaves (or to the inputs asked for by autograd.grad).
import { AutogradError, ShapeError, fmtShape } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { enableGrad, noGrad } from "./grad-mode.js";
import type { Node } from "./node.js";
import { accumulate, accumulateInto, zerosFor, detachedClone } from "./hooks.js";
import { applyLeafHooks, applyNodeHooks } from "./tensor-hooks.js";
import { hasPostAccumulateGradHooks, runPostAccumulateGradHooks, withFinalCallbacks } from "./leaf-hooks.js";

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** autograd.grad: return gradients for these tensors instead of writing leaves' .grad. */
  inputs?: readonly Tensor[];
  allowUnused?: boolean;
}

export function runBackward(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  opts: BackwardOptions = {},
): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const inputs = opts.inputs;
  const captured: (Tensor | null)[] = inputs ? inputs.map(() => null) : [];
  const leafSlot = new Map<Tensor, number>();
  const nodeSlot = new Map<Node, Map<number, number>>();
  inputs?.forEach((t, i) => {
    if (!t.requiresGrad) throw new AutogradError(`autograd.grad: input ${i} does not require grad`);
    if (t.gradFn) {
      let m = nodeSlot.get(t.gradFn);
      if (!m) nodeSlot.set(t.gradFn, (m = new Map()));
      m.set(t.outputNr, i);
    } else leafSlot.set(t, i);
  });

  const run = () => {
    // Count, for every node reachable from the roots, how many edges lead into it.
    const deps = new Map<Node, number>();
    // Edges into hooked leaves: their post-accumulate hooks run after the last one delivers.
    const leafDeps = new Map<Tensor, number>();
    const stack: Node[] = [];
    for (const r of roots)
      if (r.gradFn && !deps.has(r.gradFn)) {
        deps.set(r.gradFn, 0);
        stack.push(r.gradFn);
      }
    while (stack.length) {
      const n = stack.pop() as Node;
      for (const e of n.next) {
        if (e !== null && "leaf" in e && !inputs && hasPostAccumulateGradHooks(e.leaf))
          leafDeps.set(e.leaf, (leafDeps.get(e.leaf) ?? 0) + 1);
        if (e === null || !("node" in e)) continue;
        const seen = deps.has(e.node);
        deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
        if (!seen) stack.push(e.node);
      }
    }
    const buffers = new Map<Node, (Tensor | null)[]>();
    const deliverLeaf = (leaf: Tensor, g0: Tensor) => {
      const g = applyLeafHooks(leaf, g0);
      const slot = leafSlot.get(leaf);
      if (inputs) {
        if (slot !== undefined) captured[slot] = captured[slot] ? accumulate(captured[slot] as Tensor, g) : g;
        return;
      }
      if (g.shape.length !== leaf.shape.length || g.shape.some((s, i) => s !== leaf.shape[i])) {
        throw new ShapeError(
          `backward: gradient of shape ${fmtShape(g.shape)} does not match leaf of shape ${fmtShape(leaf.shape)}`,
        );
      }
      leaf.grad = leaf.grad
        ? createGraph
          ? accumulate(leaf.grad, g)
          : accumulateInto(leaf.grad, g)
        : createGraph
          ? g
          : detachedClone(g);
      const left = leafDeps.get(leaf);
      if (left !== undefined) {
        if (left <= 1) {
          leafDeps.delete(leaf);
          runPostAccumulateGradHooks(leaf);
        } else leafDeps.set(leaf, left - 1);
      } else if (!inputs && hasPostAccumulateGradHooks(leaf)) runPostAccumulateGradHooks(leaf);
    };
    const addTo = (node: Node, nr: number, g: Tensor) => {
      let buf = buffers.get(node);
      if (!buf) buffers.set(node, (buf = node.outputs.map(() => null)));
      const prev = buf[nr];
      buf[nr] = prev ? accumulate(prev, g) : g;
    };
    roots.forEach((r, i) => {
      if (r.gradFn) addTo(r.gradFn, r.outputNr, rootGrads[i]);
      else if (r.requiresGrad) deliverLeaf(r, rootGrads[i]);
    });
    // Highest sequence number first: the most recently created node, as PyTorch orders.
    const ready = new NodeHeap();
    for (const n of deps.keys()) if (deps.get(n) === 0) ready.push(n);
    while (ready.size > 0) {
      const node = ready.pop();
      const buf = buffers.get(node) ?? node.outputs.map(() => null);
      buffers.delete(node);
      const grads = applyNodeHooks(
        node,
        buf.map((g, i) => g ?? zerosFor(node.outputs[i])),
      );
      const slots = nodeSlot.get(node);
      if (slots) for (const [nr, slot] of slots) captured[slot] = grads[nr];
      if (node.retained)
        for (const [nr, t] of node.retained)
          t.grad = t.grad
            ? createGraph
              ? accumulate(t.grad, grads[nr])
              : accumulateInto(t.grad, grads[nr])
            : detachedClone(grads[nr]);
      const inGrads = node.apply(grads, retainGraph);
      node.next.forEach((e, i) => {
        if (e === null) return;
        const g = inGrads[i];
        if ("leaf" in e) {
          if (g) deliverLeaf(e.leaf, g);
          return;
        }
        if (g) addTo(e.node, e.outputNr, g);
        const left = (deps.get(e.node) as number) - 1;
        deps.set(e.node, left);
        if (left === 0) ready.push(e.node);
      });
    }
  };
  withFinalCallbacks(() => (createGraph ? enableGrad(run) : noGrad(run)));
  if (inputs && !opts.allowUnused) {
    captured.forEach((g, i) => {
      if (g === null) {
        throw new AutogradError(
          `autograd.grad: one of the differentiated tensors (input ${i}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`,
        );
      }
    });
  }
  return captured;
}

/** A max-heap of nodes by sequence number (the engine's ready queue; O(log n) per node). */
class NodeHeap {
  private readonly items: Node[] = [];
  get size(): number {
    return this.items.length;
  }
  push(n: Node): void {
    const a = this.items;
    a.push(n);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (a[parent].seq >= a[i].seq) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }
  pop(): Node {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as Node;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < a.length && a[l].seq > a[m].seq) m = l;
        if (r < a.length && a[r].seq > a[m].seq) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
