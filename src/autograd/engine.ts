// The backward pass: walk the graph from the roots in dependency order, summing the gradients
// that reach each node, and deliver them to leaves (or to the inputs asked for by autograd.grad).
// One pass is a BackwardPass object whose methods do the work: no closures are made per call,
// and the loops are plain loops (the engine runs once per training step over every node).
import { AutogradError, ShapeError, fmtShape } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { enableGrad, noGrad } from "./grad-mode.js";
import type { Node } from "./node.js";
import { accumulate, accumulateInPlace, accumulateInto, zerosFor, detachedClone } from "./hooks.js";
import { applyLeafHooks, applyNodeHooks, hasLeafHooks, hasNodeHooks } from "./tensor-hooks.js";
import { GradBuffers } from "../buffer-pool.js";
import { sameShape } from "../backend/ref/iterate.js";
import { hasPostAccumulateGradHooks, runPostAccumulateGradHooks, withFinalCallbacks } from "./leaf-hooks.js";
import { storageStepBoundary } from "../storage-step.js";

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
  const pass = new BackwardPass(createGraph, opts.retainGraph ?? createGraph, opts.inputs);
  pass.gradBuffers?.start();
  try {
    withFinalCallbacks(() =>
      createGraph ? enableGrad(() => pass.run(roots, rootGrads)) : noGrad(() => pass.run(roots, rootGrads)),
    );
  } finally {
    pass.gradBuffers?.stop();
  }
  // A backward() is a training step's end: its activations are dead now, the best moment for the
  // storage allocator's young-generation collection (src/storage-step.ts; a no-op unless
  // torch.tuneProcess() installed the allocator, or when DDP's reducer already collected).
  if (!opts.inputs) storageStepBoundary();
  const captured = pass.captured;
  if (opts.inputs && !opts.allowUnused) {
    for (let i = 0; i < captured.length; i++) {
      if (captured[i] === null) {
        throw new AutogradError(
          `autograd.grad: one of the differentiated tensors (input ${i}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`,
        );
      }
    }
  }
  return captured;
}

class BackwardPass {
  /** autograd.grad's results, by input (empty for backward()). */
  readonly captured: (Tensor | null)[] = [];
  /** Slots of autograd.grad's inputs: leaves, and (node, output number) of non-leaves. */
  private readonly leafSlot = new Map<Tensor, number>();
  private readonly nodeSlot = new Map<Node, Map<number, number>>();
  /** For every node reachable from the roots, how many edges into it have not delivered yet. */
  private readonly deps = new Map<Node, number>();
  /** Edges into hooked leaves: their post-accumulate hooks run after the last one delivers. */
  private readonly leafDeps = new Map<Tensor, number>();
  /** The gradients summed so far for each node's outputs. */
  private readonly buffers = new Map<Node, (Tensor | null)[]>();
  /**
   * The engine's references to the gradient buffers it made (src/buffer-pool.ts): dead ones are
   * recycled, a sole one is summed into in place or becomes a leaf's .grad without a copy. Off
   * when gradients leave through autograd.grad's results or become part of a graph.
   */
  readonly gradBuffers: GradBuffers | null;

  constructor(
    private readonly createGraph: boolean,
    private readonly retainGraph: boolean,
    private readonly inputs: readonly Tensor[] | undefined,
  ) {
    this.gradBuffers = createGraph || inputs ? null : GradBuffers.create();
    if (!inputs) return;
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i];
      if (!t.requiresGrad) throw new AutogradError(`autograd.grad: input ${i} does not require grad`);
      this.captured.push(null);
      if (t.gradFn) {
        let m = this.nodeSlot.get(t.gradFn);
        if (!m) this.nodeSlot.set(t.gradFn, (m = new Map()));
        m.set(t.outputNr, i);
      } else this.leafSlot.set(t, i);
    }
  }

  run(roots: readonly Tensor[], rootGrads: readonly Tensor[]): void {
    const { deps, leafDeps, buffers, inputs, retainGraph, createGraph, gradBuffers: gb } = this;
    const stack: Node[] = [];
    for (const r of roots)
      if (r.gradFn && !deps.has(r.gradFn)) {
        deps.set(r.gradFn, 0);
        stack.push(r.gradFn);
      }
    while (stack.length) {
      const next = (stack.pop() as Node).next;
      for (let i = 0; i < next.length; i++) {
        const e = next[i];
        if (e === null) continue;
        if (!("node" in e)) {
          if (!inputs && hasPostAccumulateGradHooks(e.leaf)) leafDeps.set(e.leaf, (leafDeps.get(e.leaf) ?? 0) + 1);
          continue;
        }
        const count = deps.get(e.node);
        deps.set(e.node, (count ?? 0) + 1);
        if (count === undefined) stack.push(e.node);
      }
    }
    for (let i = 0; i < roots.length; i++) {
      const r = roots[i];
      if (r.gradFn) this.addTo(r.gradFn, r.outputNr, rootGrads[i]);
      else if (r.requiresGrad) this.deliverLeaf(r, rootGrads[i]);
    }
    // Highest sequence number first: the most recently created node, as PyTorch orders.
    const ready = new NodeHeap();
    for (const [n, count] of deps) if (count === 0) ready.push(n);
    while (ready.size > 0) {
      const node = ready.pop();
      const buf = buffers.get(node) ?? new Array<Tensor | null>(node.outputs.length).fill(null);
      buffers.delete(node);
      for (let i = 0; i < buf.length; i++) if (buf[i] === null) buf[i] = zerosFor(node.outputs[i]);
      const incoming = buf as Tensor[];
      // User code (a tensor hook, a custom Function's backward) may keep what it is given or returns.
      const userCode = gb !== null && (node.custom || hasNodeHooks(node));
      if (userCode) for (const g of incoming) gb.escape(g);
      const grads = applyNodeHooks(node, incoming);
      if (userCode) for (const g of grads) gb.escape(g);
      if (inputs) {
        const slots = this.nodeSlot.get(node);
        if (slots) for (const [nr, slot] of slots) this.captured[slot] = grads[nr];
      }
      if (node.retained)
        for (const [nr, t] of node.retained)
          t.grad = t.grad
            ? createGraph
              ? accumulate(t.grad, grads[nr])
              : accumulateInto(t.grad, grads[nr])
            : detachedClone(grads[nr]);
      const inGrads = node.apply(grads, retainGraph);
      if (gb !== null) {
        // Hold what the node returned before letting go of what it was given: a gradient passed
        // through (or viewed) stays alive, and only buffers nothing refers to are recycled.
        for (const g of inGrads) {
          if (!g) continue;
          if (node.custom) gb.escape(g);
          else gb.hold(g);
        }
        for (const g of incoming) gb.drop(g);
      }
      const next = node.next;
      for (let i = 0; i < next.length; i++) {
        const e = next[i];
        if (e === null) continue;
        const g = inGrads[i];
        if (!("node" in e)) {
          if (g) this.deliverLeaf(e.leaf, g);
          continue;
        }
        if (g) this.addTo(e.node, e.outputNr, g);
        const left = (deps.get(e.node) as number) - 1;
        deps.set(e.node, left);
        if (left === 0) ready.push(e.node);
      }
      if (gb !== null) for (const g of inGrads) if (g) gb.drop(g);
    }
  }

  private addTo(node: Node, nr: number, g: Tensor): void {
    let buf = this.buffers.get(node);
    if (!buf) this.buffers.set(node, (buf = new Array<Tensor | null>(node.outputs.length).fill(null)));
    const prev = buf[nr];
    const gb = this.gradBuffers;
    if (!prev) {
      buf[nr] = g;
      gb?.hold(g);
    } else if (!(gb !== null && gb.owns(prev, 1) && accumulateInPlace(prev, g))) {
      // (Summed in place only when this slot is the sole reference to prev's buffer.)
      const sum = accumulate(prev, g);
      buf[nr] = sum;
      gb?.hold(sum);
      gb?.drop(prev);
    }
  }

  private deliverLeaf(leaf: Tensor, g0: Tensor): void {
    const gb = this.gradBuffers;
    const hooked = gb !== null && hasLeafHooks(leaf);
    if (hooked) gb.escape(g0);
    const g = applyLeafHooks(leaf, g0);
    if (hooked) gb.escape(g);
    if (this.inputs) {
      const slot = this.leafSlot.get(leaf);
      const captured = this.captured;
      if (slot !== undefined) captured[slot] = captured[slot] ? accumulate(captured[slot] as Tensor, g) : g;
      return;
    }
    if (!sameShape(g.shape, leaf.shape)) {
      throw new ShapeError(
        `backward: gradient of shape ${fmtShape(g.shape)} does not match leaf of shape ${fmtShape(leaf.shape)}`,
      );
    }
    const createGraph = this.createGraph;
    leaf.grad = leaf.grad
      ? createGraph
        ? accumulate(leaf.grad, g)
        : accumulateInto(leaf.grad, g)
      : createGraph
        ? g
        : this.stealOrClone(leaf, g);
    const left = this.leafDeps.get(leaf);
    if (left !== undefined) {
      if (left <= 1) {
        this.leafDeps.delete(leaf);
        runPostAccumulateGradHooks(leaf);
      } else this.leafDeps.set(leaf, left - 1);
    } else if (hasPostAccumulateGradHooks(leaf)) runPostAccumulateGradHooks(leaf);
  }

  /**
   * A leaf's first gradient: the engine's own buffer when nothing else refers to it (only the
   * node that returned it holds it), as PyTorch's AccumulateGrad steals a gradient whose reference
   * count is one; else a copy, so that .grad owns its memory.
   */
  private stealOrClone(leaf: Tensor, g: Tensor): Tensor {
    const gb = this.gradBuffers;
    if (gb === null || g.dtype !== leaf.dtype || !gb.owns(g, 1)) return detachedClone(g);
    gb.escape(g);
    return g;
  }
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
      const t = a[parent];
      a[parent] = a[i];
      a[i] = t;
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
        const t = a[m];
        a[m] = a[i];
        a[i] = t;
        i = m;
      }
    }
    return top;
  }
}
