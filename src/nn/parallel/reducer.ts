// DistributedDataParallel's gradient reducer, after PyTorch's (torch/csrc/distributed/c10d/
// reducer.cpp): parameters go into buckets of about bucketCapMb (the first one 1 MB) in reverse
// order of registration, since gradients become ready roughly in that order; as each parameter's
// gradient is accumulated (a post-accumulate-grad hook), it is copied into its bucket already
// divided by the world size; a full bucket is all-reduced (SUM) asynchronously on the group's
// Gloo thread while backward goes on; at the end of backward (a queued callback) the reducer
// waits for every bucket and copies the averages back into .grad.
import type { Tensor } from "../../tensor.js";
import { Tensor as TensorClass, fromTypedArray } from "../../tensor.js";
import type { Parameter } from "../parameter.js";
import type { DType, TypedArray } from "../../dtype.js";
import { arrayFor } from "../../dtype.js";
import { registerPostAccumulateGradHook, queueCallback } from "../../autograd/leaf-hooks.js";
import type { Node } from "../../autograd/node.js";
import { allReduce, ReduceOp } from "../../distributed/collectives.js";
import type { ProcessGroup, Work } from "../../distributed/group.js";
import { DistributedError } from "../../distributed/errors.js";

/** PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES: a small first bucket starts communication early. */
export const FIRST_BUCKET_BYTES = 1024 * 1024;

interface Bucket {
  dtype: DType;
  buf: TypedArray;
  /** Indices into Reducer.params, and each one's offset in buf. */
  members: number[];
  offsets: number[];
  pending: number;
  work: Work | null;
}

/** Groups parameter indices (already in reverse order) into buckets by dtype and size, as PyTorch's compute_bucket_assignment_by_size. */
export function assignBuckets(
  params: readonly Tensor[],
  order: readonly number[],
  capBytes: number,
  firstBytes = FIRST_BUCKET_BYTES,
): number[][] {
  const out: number[][] = [];
  const open = new Map<DType, { idx: number[]; bytes: number; limitIdx: number }>();
  const limits = [firstBytes, capBytes];
  for (const i of order) {
    const p = params[i];
    let cur = open.get(p.dtype);
    if (!cur) open.set(p.dtype, (cur = { idx: [], bytes: 0, limitIdx: 0 }));
    cur.idx.push(i);
    cur.bytes += p.numel() * p.elementSize();
    if (cur.bytes >= limits[cur.limitIdx]) {
      out.push(cur.idx);
      open.set(p.dtype, { idx: [], bytes: 0, limitIdx: Math.min(cur.limitIdx + 1, limits.length - 1) });
    }
  }
  for (const cur of open.values()) if (cur.idx.length > 0) out.push(cur.idx);
  return out;
}

export class Reducer {
  readonly params: Parameter[];
  readonly names: string[];
  private readonly buckets: Bucket[];
  /** Parameter index -> [bucket, slot]. */
  private readonly where: [number, number][];
  private readonly group: ProcessGroup;
  private readonly findUnused: boolean;
  private readonly hookHandles: { remove(): void }[] = [];
  private expectHooks = false;
  private callbackQueued = false;
  private nextBucket = 0;
  private ready: boolean[] = [];
  private locallyUsed: Uint8Array;
  private unused: number[] = [];
  private firstHookSeen = false;
  /** Buckets of the last backward whose all-reduce started while other gradients were still to come (the overlap). */
  launchedEarly = 0;
  private readyCount = 0;

  constructor(
    named: [string, Parameter][],
    group: ProcessGroup,
    bucketCapBytes: number,
    findUnusedParameters: boolean,
  ) {
    this.params = named.map((e) => e[1]);
    this.names = named.map((e) => e[0]);
    this.group = group;
    this.findUnused = findUnusedParameters;
    const order = this.params.map((_, i) => this.params.length - 1 - i);
    this.buckets = assignBuckets(this.params, order, bucketCapBytes).map((members) => {
      const offsets: number[] = [];
      let n = 0;
      for (const i of members) {
        offsets.push(n);
        n += this.params[i].numel();
      }
      const dtype = this.params[members[0]].dtype;
      return { dtype, buf: arrayFor(dtype, n), members, offsets, pending: members.length, work: null };
    });
    this.where = new Array<[number, number]>(this.params.length);
    this.buckets.forEach((b, bi) => b.members.forEach((pi, slot) => (this.where[pi] = [bi, slot])));
    this.locallyUsed = new Uint8Array(this.params.length);
    this.params.forEach((p, i) => this.hookHandles.push(registerPostAccumulateGradHook(p, () => this.onGradReady(i))));
  }

  /** Bucket sizes in elements (for tests and for the bench's report). */
  get bucketSizes(): number[] {
    return this.buckets.map((b) => b.buf.length);
  }

  /** Called by DDP's forward when the coming backward must synchronize (PyTorch's prepare_for_backward). */
  prepareForBackward(outputs: unknown): void {
    this.expectHooks = true;
    this.callbackQueued = false;
    this.firstHookSeen = false;
    this.nextBucket = 0;
    this.ready = this.params.map(() => false);
    this.locallyUsed.fill(0);
    for (const b of this.buckets) {
      b.pending = b.members.length;
      b.work = null;
    }
    this.unused = [];
    this.launchedEarly = 0;
    this.readyCount = 0;
    if (this.findUnused) {
      const reached = reachableLeaves(outputs);
      this.params.forEach((p, i) => {
        if (!reached.has(p)) this.unused.push(i);
      });
    }
  }

  private onGradReady(i: number): void {
    if (!this.expectHooks) return;
    if (!this.callbackQueued) {
      this.callbackQueued = true;
      queueCallback(() => this.finalize());
    }
    if (!this.firstHookSeen) {
      this.firstHookSeen = true;
      // Parameters outside this iteration's graph will get no hook: ready (as zeros) now.
      for (const u of this.unused) if (!this.ready[u]) this.markReady(u, null);
    }
    if (this.ready[i]) {
      throw new DistributedError(
        `DistributedDataParallel: expected to mark a variable ready only once; parameter ${this.names[i]} received a gradient twice in one backward`,
      );
    }
    this.locallyUsed[i] = 1;
    this.markReady(i, this.params[i].grad);
  }

  private markReady(i: number, grad: Tensor | null): void {
    this.ready[i] = true;
    this.readyCount++;
    const [bi, slot] = this.where[i];
    const b = this.buckets[bi];
    const off = b.offsets[slot],
      n = this.params[i].numel();
    const view = b.buf.subarray(off, off + n);
    if (grad === null) view.fill(0);
    else {
      // The gradient divided by the world size, as PyTorch's reducer copies it in.
      const src = grad.isContiguous() ? grad.storage.data.subarray(grad.offset, grad.offset + n) : grad.typedArray();
      const inv = 1 / this.group.size();
      for (let k = 0; k < n; k++) view[k] = src[k] * inv;
    }
    if (--b.pending === 0) this.launchReady();
  }

  /** All-reduces ready buckets in bucket order: every rank must issue them in the same order. */
  private launchReady(): void {
    while (this.nextBucket < this.buckets.length && this.buckets[this.nextBucket].pending === 0) {
      const b = this.buckets[this.nextBucket++];
      b.work = allReduce(wrap(b.buf, b.dtype), ReduceOp.SUM, { group: this.group, asyncOp: true });
      if (this.readyCount < this.params.length) this.launchedEarly++;
    }
  }

  private finalize(): void {
    this.expectHooks = false;
    if (this.nextBucket < this.buckets.length) {
      // Wait for what was launched (so no collective is left dangling), then explain.
      for (const b of this.buckets) b.work?.wait();
      const missing = this.params
        .map((_, i) => i)
        .filter((i) => !this.ready[i])
        .map((i) => this.names[i]);
      throw new DistributedError(
        "DistributedDataParallel: Expected to have finished reduction in the prior iteration before starting a new one. " +
          "This error indicates that your module has parameters that were not used in producing loss. " +
          "You can enable unused parameter detection by passing findUnusedParameters: true to DistributedDataParallel, " +
          `and by making sure all forward function outputs participate in calculating loss. Parameters that did not receive grad: ${missing.join(", ")}`,
      );
    }
    let globallyUsed: Float32Array | null = null;
    if (this.findUnused) {
      globallyUsed = Float32Array.from(this.locallyUsed);
      allReduce(fromTypedArray(globallyUsed), ReduceOp.MAX, { group: this.group });
    }
    for (const b of this.buckets) b.work?.wait();
    for (const b of this.buckets) {
      b.members.forEach((pi, slot) => {
        if (globallyUsed !== null && globallyUsed[pi] === 0) return; // nobody used it: .grad untouched, as PyTorch
        const p = this.params[pi];
        const n = p.numel();
        const avg = b.buf.subarray(b.offsets[slot], b.offsets[slot] + n);
        const g = p.grad;
        if (g !== null && g.isContiguous() && g.dtype === p.dtype) {
          g.storage.data.set(avg, g.offset);
          g.storage.version++;
        } else {
          p.grad = fromTypedArray(avg.slice(), p.shape, p.dtype);
        }
      });
    }
  }

  remove(): void {
    for (const h of this.hookHandles) h.remove();
  }
}

function wrap(buf: TypedArray, dtype: DType): Tensor {
  return fromTypedArray(buf, [buf.length], dtype);
}

/** The leaf tensors reachable from the autograd graphs of every tensor in `outputs` (nested arrays and objects). */
export function reachableLeaves(outputs: unknown): Set<Tensor> {
  const leaves = new Set<Tensor>();
  const seen = new Set<Node>();
  const stack: Node[] = [];
  const visitValue = (v: unknown, depth: number): void => {
    if (depth > 8 || v === null || typeof v !== "object") return;
    if (v instanceof TensorClass) {
      if (v.gradFn !== null && !seen.has(v.gradFn)) {
        seen.add(v.gradFn);
        stack.push(v.gradFn);
      } else if (v.gradFn === null && v.requiresGrad) leaves.add(v);
      return;
    }
    const items = Array.isArray(v) ? v : v instanceof Map ? [...v.values()] : Object.values(v);
    for (const x of items) visitValue(x, depth + 1);
  };
  visitValue(outputs, 0);
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    for (const e of n.next) {
      if (e === null) continue;
      if ("leaf" in e) leaves.add(e.leaf);
      else if (!seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    }
  }
  return leaves;
}
