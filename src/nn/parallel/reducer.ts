// DistributedDataParallel's gradient reducer, after PyTorch's (torch/csrc/distributed/c10d/
// reducer.cpp): parameters go into buckets of about bucketCapMb (the first one 1 MB by default) in reverse
// order of registration, since gradients become ready roughly in that order; as each parameter's
// gradient is accumulated (a post-accumulate-grad hook), it is copied into its bucket already
// divided by the world size (with a power-of-2 world the planned all-reduce divides the sum
// instead, which is the same bit for bit); a full bucket is all-reduced (SUM) asynchronously on
// the group's Gloo thread while backward goes on; at the end of backward (a queued callback) the
// reducer waits for every bucket and copies the averages back into .grad. With
// gradientAsBucketView, each .grad is a view into its bucket (PyTorch's gradient_as_bucket_view):
// backward accumulates straight into the bucket, the hook at most divides in place, and nothing
// is copied back.
import type { Tensor } from "../../tensor.js";
import { Tensor as TensorClass, fromTypedArray, makeView } from "../../tensor.js";
import type { Parameter } from "../parameter.js";
import type { DType, TypedArray } from "../../dtype.js";
import { arrayFor } from "../../dtype.js";
import { contiguousStrides } from "../../shape.js";
import { registerPostAccumulateGradHook, queueCallback } from "../../autograd/leaf-hooks.js";
import type { Node } from "../../autograd/node.js";
import { allReduce, ReduceOp } from "../../distributed/collectives.js";
import { Work, type ProcessGroup } from "../../distributed/group.js";
import type { Wire } from "../../distributed/addon-types.js";
import { wireType } from "../../distributed/wire.js";
import { DistributedError } from "../../distributed/errors.js";
import { storageStepBoundary } from "../../storage-step.js";

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;

/** PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES: a small first bucket starts communication early. */
export const FIRST_BUCKET_BYTES = 1024 * 1024;

interface Bucket {
  dtype: DType;
  buf: TypedArray;
  /** buf as a flat tensor (what is all-reduced) and, per member, its parameter-shaped view. */
  flat: Tensor;
  views: Tensor[];
  /** Indices into Reducer.params, and each one's offset in buf. */
  members: number[];
  offsets: number[];
  pending: number;
  work: Work | null;
  /** The group's planned all-reduce of buf (see ProcessGroup::planAllreduce), or -1. */
  plan: number;
  /** What each gradient is multiplied by on its way into buf: 1/world size, or 1 when the plan scales the sum. */
  inv: number;
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
  private readonly gradView: boolean;
  private readonly hookHandles: { remove(): void }[] = [];
  private expectHooks = false;
  private callbackQueued = false;
  private nextBucket = 0;
  private readonly ready: Uint8Array;
  private locallyUsed: Uint8Array;
  private unused: number[] = [];
  private firstHookSeen = false;
  /** Buckets of the last backward whose all-reduce started while other gradients were still to come (the overlap). */
  launchedEarly = 0;
  private readyCount = 0;
  /**
   * Milliseconds spent, summed over backward passes (bench/ddp-worker.ts --profile reads them): the
   * hooks by `hookClock`, the wait and the copy back by `clock` (both wall time unless replaced; a
   * thread-CPU clock is a system call, ~5 us on a VM: per gradient it would add ~0.1-0.2 ms to
   * every DDP step measured); onWait (if set) gets each backward's wall-clock start and end of the wait for the all-reduces
   * (performance.timeOrigin-based, so comparable between the ranks of one machine).
   */
  readonly timing = {
    hooks: 0,
    wait: 0,
    copyBack: 0,
    clock: (): number => performance.now(),
    hookClock: (): number => performance.now(),
    onWait: null as ((start: number, end: number) => void) | null,
  };

  constructor(
    named: [string, Parameter][],
    group: ProcessGroup,
    bucketCapBytes: number,
    findUnusedParameters: boolean,
    gradientAsBucketView = false,
    firstBucketBytes = FIRST_BUCKET_BYTES,
  ) {
    this.params = named.map((e) => e[1]);
    this.names = named.map((e) => e[0]);
    this.group = group;
    this.findUnused = findUnusedParameters;
    this.gradView = gradientAsBucketView;
    const order = this.params.map((_, i) => this.params.length - 1 - i);
    this.buckets = assignBuckets(this.params, order, bucketCapBytes, firstBucketBytes).map((members) => {
      const offsets: number[] = [];
      let n = 0;
      for (const i of members) {
        offsets.push(n);
        n += this.params[i].numel();
      }
      const dtype = this.params[members[0]].dtype;
      const buf = arrayFor(dtype, n);
      const flat = fromTypedArray(buf, [n], dtype);
      const views = members.map((i, slot) => {
        const shape = [...this.params[i].shape];
        return makeView(flat, shape, contiguousStrides(shape), offsets[slot]);
      });
      const inv = 1 / group.size();
      return { dtype, buf, flat, views, members, offsets, pending: members.length, work: null, plan: -1, inv };
    });
    // Each bucket's all-reduce is set up once with Gloo's addon (registered buffers, a fixed
    // algorithm): the same SUM as allReduce with ~4x less CPU and latency per step on 2 ranks. Set
    // up here, in the same order on every rank, as the constructor's broadcast already is.
    // FLINT_DDP_PLANNED_ALLREDUCE=0 keeps distributed.allReduce (to measure the difference).
    // With a power-of-2 world the plan also divides the sum by the world size, on the Gloo thread:
    // x * 2^-k is exact, so (a + b) / 2 is a / 2 + b / 2 bit for bit (barring subnormals and
    // overflow), and the hooks (JS, on the critical path) only copy. Other world sizes keep
    // PyTorch's order, each gradient divided before the sum.
    const native = group.size() > 1 && group.isMember && env?.FLINT_DDP_PLANNED_ALLREDUCE !== "0" ? group.native : null;
    const size = group.size();
    // FLINT_DDP_SCALE_AFTER=0 keeps the division in the hooks (to measure the difference).
    const scaleAfter =
      (size & (size - 1)) === 0 && native?.allreducePlanScaled !== undefined && env?.FLINT_DDP_SCALE_AFTER !== "0";
    if (native?.allreducePlan && native.allreduceRun)
      for (const b of this.buckets)
        if (b.dtype === "float32" || b.dtype === "float64") {
          if (scaleAfter && native.allreducePlanScaled) {
            b.plan = native.allreducePlanScaled(b.buf as Wire, wireType(b.flat), 1 / size);
            b.inv = 1;
          } else b.plan = native.allreducePlan(b.buf as Wire, wireType(b.flat));
        }
    this.where = new Array<[number, number]>(this.params.length);
    this.buckets.forEach((b, bi) => b.members.forEach((pi, slot) => (this.where[pi] = [bi, slot])));
    this.ready = new Uint8Array(this.params.length);
    this.locallyUsed = new Uint8Array(this.params.length);
    // PyTorch's initialize_bucket_views: an existing .grad moves into its bucket view.
    if (this.gradView)
      this.params.forEach((p, i) => {
        const [bi, slot] = this.where[i];
        if (p.grad !== null) {
          this.buckets[bi].buf.set(p.grad.typedArray(), this.buckets[bi].offsets[slot]);
          p.grad = this.buckets[bi].views[slot];
        }
      });
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
    this.ready.fill(0);
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
    const t0 = this.timing.hookClock();
    this.markReady(i, this.params[i].grad);
    this.timing.hooks += this.timing.hookClock() - t0;
  }

  private markReady(i: number, grad: Tensor | null): void {
    this.ready[i] = 1;
    this.readyCount++;
    const [bi, slot] = this.where[i];
    const b = this.buckets[bi];
    const off = b.offsets[slot],
      n = this.params[i].numel();
    if (grad === null) b.buf.fill(0, off, off + n);
    else if (grad.storage === b.flat.storage && grad.offset === off && grad.isContiguous()) {
      // .grad is this bucket view (gradientAsBucketView): backward accumulated in place already.
      if (b.inv !== 1) scaleInPlace(b.buf, off, off + n, b.inv);
    } else {
      // The gradient divided by the world size (here or by the plan), as PyTorch's reducer copies it in.
      const src = grad.isContiguous() ? grad.storage.data.subarray(grad.offset, grad.offset + n) : grad.typedArray();
      if (b.inv === 1) b.buf.set(src, off);
      else scaleInto(b.buf, off, src, b.inv);
      if (this.gradView) this.params[i].grad = b.views[slot];
    }
    if (--b.pending === 0) this.launchReady();
  }

  /** All-reduces ready buckets in bucket order: every rank must issue them in the same order. */
  private launchReady(): void {
    while (this.nextBucket < this.buckets.length && this.buckets[this.nextBucket].pending === 0) {
      const b = this.buckets[this.nextBucket++];
      b.work = b.plan >= 0 ? this.runPlanned(b) : allReduce(b.flat, ReduceOp.SUM, { group: this.group, asyncOp: true });
      if (this.readyCount < this.params.length) this.launchedEarly++;
    }
  }

  /** The bucket's planned all-reduce (same Work and errors as allReduce's). */
  private runPlanned(b: Bucket): Work {
    const native = this.group.nativeFor("allReduce");
    if (!native.allreduceRun) throw new DistributedError("allReduce: the Gloo addon has no planned all-reduce");
    return new Work(
      [native.allreduceRun(b.plan)],
      () => void b.flat.storage.version++,
      `distributed.allReduce (rank ${this.group.rank()} of ${this.group.size()})`,
    );
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
    // Backward is over: this step's activations are dead. With torch.tuneProcess()'s allocator, its
    // young-generation collection runs now, while the all-reduce is in flight, at the same point
    // on every rank (instead of mid-step, at different steps on each rank, promoting live
    // activations). FLINT_STEP_GC=0 leaves the collections to the allocator's own schedule.
    storageStepBoundary();
    const t0 = this.timing.clock(),
      w0 = this.timing.onWait ? performance.now() : 0;
    for (const b of this.buckets) b.work?.wait();
    const t1 = this.timing.clock();
    this.timing.wait += t1 - t0;
    if (this.timing.onWait) this.timing.onWait(performance.timeOrigin + w0, performance.timeOrigin + performance.now());
    for (const b of this.buckets) {
      b.members.forEach((pi, slot) => {
        if (globallyUsed !== null && globallyUsed[pi] === 0) return; // nobody used it: .grad untouched, as PyTorch
        const p = this.params[pi];
        const g = p.grad;
        const bucketView = b.views[slot];
        if (g !== null && g.storage === bucketView.storage && g.offset === bucketView.offset) return; // already the average
        if (this.gradView && g === null) {
          p.grad = bucketView; // used elsewhere, not here: the average lands in .grad all the same
          return;
        }
        const avg = b.buf.subarray(b.offsets[slot], b.offsets[slot] + p.numel());
        if (g !== null && g.isContiguous() && g.dtype === p.dtype) {
          g.storage.data.set(avg, g.offset);
          g.storage.version++;
        } else {
          p.grad = fromTypedArray(avg.slice(), p.shape, p.dtype);
        }
      });
    }
    this.timing.copyBack += this.timing.clock() - t1;
  }

  remove(): void {
    for (const h of this.hookHandles) h.remove();
  }
}

// Two small loops kept apart so each stays monomorphic in the typed-array kind it sees.
function scaleInPlace(a: TypedArray, start: number, end: number, k: number): void {
  for (let j = start; j < end; j++) a[j] *= k;
}
function scaleInto(dst: TypedArray, at: number, src: TypedArray, k: number): void {
  for (let j = 0; j < src.length; j++) dst[at + j] = src[j] * k;
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
