// nn.parallel.DistributedDataParallel: data-parallel training over a process group. The wrapped
// module is the `module` child, so stateDict keys are `module.` + the module's own, as PyTorch's.
import { Module } from "../module.js";
import { parseArgs } from "../../ops/util.js";
import { ValueError } from "../../errors.js";
import { isGradEnabled, noGrad } from "../../autograd/grad-mode.js";
import { broadcast } from "../../distributed/collectives.js";
import type { ProcessGroup } from "../../distributed/group.js";
import { resolveGroup } from "../../distributed/init.js";
import { fromTypedArray, type Tensor } from "../../tensor.js";
import { arrayFor, type DType } from "../../dtype.js";
import { FIRST_BUCKET_BYTES, Reducer } from "./reducer.js";

export interface DistributedDataParallelOptions {
  deviceIds?: unknown;
  outputDevice?: unknown;
  dim?: number;
  /** Broadcast buffers (BatchNorm statistics …) from rank 0 at every forward, as PyTorch's default. */
  broadcastBuffers?: boolean;
  processGroup?: ProcessGroup | null;
  /**
   * Bucket size in MiB. Unset: 25, with a first bucket of 1 MiB; set: every bucket this size, the
   * first too (PyTorch 2's bucket_cap_mb: a smaller cap splits a small model's one bucket so the
   * first all-reduce runs under the rest of backward).
   */
  bucketCapMb?: number;
  findUnusedParameters?: boolean;
  checkReduction?: boolean;
  gradientAsBucketView?: boolean;
  staticGraph?: boolean;
}

const OPTION_NAMES = [
  "deviceIds",
  "outputDevice",
  "dim",
  "broadcastBuffers",
  "processGroup",
  "bucketCapMb",
  "findUnusedParameters",
  "checkReduction",
  "gradientAsBucketView",
  "staticGraph",
] as const;

/**
 * DistributedDataParallel(module, { bucketCapMb (25, first bucket 1 MiB), findUnusedParameters = false,
 * broadcastBuffers = true, gradientAsBucketView = false, processGroup }). Construction broadcasts rank 0's parameters and
 * buffers to every rank; backward averages gradients over the group, overlapping the bucketed
 * all-reduces with the rest of backward.
 */
export class DistributedDataParallel<M extends Module = Module> extends Module {
  module: M;
  readonly #group: ProcessGroup;
  readonly #reducer: Reducer;
  readonly #broadcastBuffers: boolean;
  #requireSync = true;

  constructor(module: M, ...args: unknown[]) {
    super();
    const name = "DistributedDataParallel";
    const o = parseArgs<DistributedDataParallelOptions & Record<string, unknown>>(name, args, [...OPTION_NAMES], {
      broadcastBuffers: true,
      processGroup: null,
      findUnusedParameters: false,
      gradientAsBucketView: false,
      staticGraph: false,
    });
    if (!(module instanceof Module)) throw new ValueError(`${name}: expected an nn.Module to wrap`);
    if (o.deviceIds !== undefined && o.deviceIds !== null)
      throw new ValueError(`${name}: deviceIds is for single-device GPU modules; leave it unset for CPU modules`);
    const capDefault = o.bucketCapMb === undefined || o.bucketCapMb === null;
    if (!capDefault && (typeof o.bucketCapMb !== "number" || !(o.bucketCapMb > 0)))
      throw new ValueError(`${name}: bucketCapMb must be a positive number, got ${String(o.bucketCapMb)}`);
    const capBytes = (capDefault ? 25 : (o.bucketCapMb as number)) * 1024 * 1024;
    this.module = module;
    this.#group = resolveGroup(name, o.processGroup);
    this.#broadcastBuffers = o.broadcastBuffers ?? true;
    const named = module.namedParameters().filter((e) => e[1].requiresGrad);
    if (named.length === 0)
      throw new ValueError(
        `${name}: DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient.`,
      );
    // PyTorch's _sync_module_states: rank 0's weights everywhere before training starts.
    syncTensors([...module.parameters(), ...module.buffers()], this.#group);
    this.#reducer = new Reducer(
      named,
      this.#group,
      capBytes,
      o.findUnusedParameters ?? false,
      o.gradientAsBucketView ?? false,
      capDefault ? FIRST_BUCKET_BYTES : capBytes,
    );
  }

  forward(...args: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    if (this.#broadcastBuffers && this.#group.size() > 1) {
      const buffers = this.module.buffers();
      if (buffers.length > 0) syncTensors(buffers, this.#group);
    }
    const out = (this.module as unknown as (...a: unknown[]) => unknown)(...args) as ReturnType<M["forward"]>;
    if (isGradEnabled() && this.#requireSync) this.#reducer.prepareForBackward(out);
    return out;
  }

  /**
   * PyTorch's `with ddp.no_sync():` — forward and backward inside `fn` accumulate gradients
   * locally without communication; the first synchronized backward after it averages the sum.
   */
  noSync<T>(fn: () => T): T {
    const old = this.#requireSync;
    this.#requireSync = false;
    try {
      return fn();
    } finally {
      this.#requireSync = old;
    }
  }

  /** @internal Bucket sizes in elements, in all-reduce order. */
  get bucketSizes(): number[] {
    return this.#reducer.bucketSizes;
  }

  /** @internal Reducer time in ms summed over backward passes (by `clock`, wall time unless replaced): gradient hooks, waiting for all-reduces, copies back into .grad. */
  get reducerTiming(): Reducer["timing"] {
    return this.#reducer.timing;
  }

  /** @internal How many buckets of the last backward started their all-reduce while other gradients were still to come. */
  get bucketsLaunchedDuringBackward(): number {
    return this.#reducer.launchedEarly;
  }
}

/** Broadcasts tensors from the group's first rank, coalesced into one buffer per dtype. */
function syncTensors(tensors: readonly Tensor[], group: ProcessGroup): void {
  if (group.size() === 1 || !group.isMember) return;
  const byType = new Map<DType, Tensor[]>();
  for (const t of tensors) {
    const list = byType.get(t.dtype) ?? [];
    list.push(t);
    byType.set(t.dtype, list);
  }
  noGrad(() => {
    for (const [dtype, list] of byType) {
      const total = list.reduce((s, t) => s + t.numel(), 0);
      const flat = arrayFor(dtype, total);
      let at = 0;
      for (const t of list) {
        flat.set(t.typedArray(), at);
        at += t.numel();
      }
      broadcast(fromTypedArray(flat, [total], dtype), group.ranks[0], { group });
      at = 0;
      for (const t of list) {
        const n = t.numel();
        t.copy_(fromTypedArray(flat.slice(at, at + n), t.shape, dtype));
        at += n;
      }
    }
  });
}
