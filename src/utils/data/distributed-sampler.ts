// torch.utils.data.distributed.DistributedSampler: each rank's share of a dataset, in PyTorch
// 1.13's exact order for a (seed, epoch): randperm(n) from a generator seeded seed + epoch, padded
// by repeating the start (or cut, with dropLast) to a multiple of numReplicas, then every
// numReplicas-th index from `rank`.
import { ValueError } from "../../errors.js";
import { getRank, getWorldSize, isInitialized } from "../../distributed/init.js";
import { DistributedError } from "../../distributed/errors.js";
import { newGenerator, randperm } from "./rng.js";
import { Sampler } from "./sampler.js";

export interface DistributedSamplerOptions {
  numReplicas?: number | null;
  rank?: number | null;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
}

const NAMES = ["numReplicas", "rank", "shuffle", "seed", "dropLast"] as const;

export class DistributedSampler extends Sampler<number> {
  readonly dataset: { readonly length: number };
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly numSamples: number;
  readonly totalSize: number;
  epoch = 0;

  /** DistributedSampler(dataset, numReplicas, rank, shuffle, seed, dropLast), positionally or by name. */
  constructor(dataset: { readonly length: number }, ...args: unknown[]) {
    super();
    const o: DistributedSamplerOptions = {};
    let pos = args;
    const last = args[args.length - 1];
    if (args.length > 0 && typeof last === "object" && last !== null) {
      pos = args.slice(0, -1);
      for (const [k, v] of Object.entries(last)) {
        if (!(NAMES as readonly string[]).includes(k))
          throw new ValueError(`DistributedSampler: unexpected option '${k}' (expected one of ${NAMES.join(", ")})`);
        (o as Record<string, unknown>)[k] = v;
      }
    }
    if (pos.length > NAMES.length)
      throw new ValueError(`DistributedSampler: takes at most ${NAMES.length + 1} positional arguments`);
    pos.forEach((v, i) => {
      if (v !== undefined) (o as Record<string, unknown>)[NAMES[i]] = v;
    });
    const needWorld = (what: string): void => {
      if (!isInitialized())
        throw new DistributedError(
          `DistributedSampler: ${what} not given and the default process group is not initialized (call distributed.initProcessGroup first, or pass numReplicas and rank)`,
        );
    };
    if (o.numReplicas === undefined || o.numReplicas === null) needWorld("numReplicas");
    if (o.rank === undefined || o.rank === null) needWorld("rank");
    this.numReplicas = o.numReplicas ?? getWorldSize();
    this.rank = o.rank ?? getRank();
    if (!Number.isInteger(this.rank) || this.rank >= this.numReplicas || this.rank < 0) {
      throw new ValueError(
        `DistributedSampler: Invalid rank ${this.rank}, rank should be in the interval [0, ${this.numReplicas - 1}]`,
      );
    }
    this.dataset = dataset;
    this.shuffle = o.shuffle ?? true;
    this.seed = o.seed ?? 0;
    this.dropLast = o.dropLast ?? false;
    const n = dataset.length;
    // With dropLast, the tail that would not split evenly is dropped so no rank gets padding.
    this.numSamples =
      this.dropLast && n % this.numReplicas !== 0
        ? Math.ceil((n - this.numReplicas) / this.numReplicas)
        : Math.ceil(n / this.numReplicas);
    this.totalSize = this.numSamples * this.numReplicas;
  }

  /** All ranks' order for this epoch before subsampling (the same on every rank). */
  private indices(): number[] {
    const n = this.dataset.length;
    let idx = this.shuffle
      ? randperm(n, newGenerator(BigInt(this.seed + this.epoch)))
      : Array.from({ length: n }, (_, i) => i);
    if (!this.dropLast) {
      const padding = this.totalSize - idx.length;
      if (padding <= idx.length) idx = idx.concat(idx.slice(0, padding));
      else {
        const reps: number[] = [];
        for (let k = 0; k < Math.ceil(padding / idx.length); k++) reps.push(...idx);
        idx = idx.concat(reps.slice(0, padding));
      }
    } else {
      idx = idx.slice(0, this.totalSize);
    }
    if (idx.length !== this.totalSize)
      throw new ValueError(`DistributedSampler: internal size mismatch (${idx.length} vs ${this.totalSize})`);
    return idx;
  }

  *[Symbol.iterator](): Iterator<number> {
    const idx = this.indices();
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) yield idx[i];
  }

  get length(): number {
    return this.numSamples;
  }

  /** Call at the start of each epoch so shuffling differs between epochs (same on every rank). */
  setEpoch(epoch: number): void {
    this.epoch = epoch;
  }
}
