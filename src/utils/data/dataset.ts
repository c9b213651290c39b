// torch.utils.data datasets: the map-style Dataset (length + getItem), IterableDataset, and the
// combinators Subset and ConcatDataset.
import { type Args, signature } from "../../internal/args.js";

/** Anything indexable the way a map-style dataset is: `length` and `getItem(i)`. */
export interface MapDataset<T> {
  readonly length: number;
  getItem(index: number): T;
}

/** A map-style dataset: subclasses define `length` and `getItem(index)` (Python's __len__ and __getitem__). */
export abstract class Dataset<T = unknown> implements MapDataset<T> {
  abstract readonly length: number;
  abstract getItem(index: number): T;

  /** Python's `dataset + other`: a ConcatDataset of both. */
  add(other: MapDataset<T>): ConcatDataset<T> {
    return new ConcatDataset<T>([this, other]);
  }
}

/** A dataset that is a stream: iterate it (Python's __iter__). DataLoader batches what it yields. */
export abstract class IterableDataset<T = unknown> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
}

export function isIterableDataset(x: unknown): x is IterableDataset<unknown> {
  return x instanceof IterableDataset;
}

/** Checks an index the way Python's sequences do, allowing negative indices. */
export function checkIndex(op: string, index: number, length: number): number {
  if (!Number.isInteger(index)) throw new TypeError(`${op}: index must be an integer, got ${index}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new RangeError(`${op}: index ${index} is out of range for length ${length}`);
  return i;
}

const SUBSET_NAMES = ["dataset", "indices"] as const;
const subsetArgs = signature<{ dataset: MapDataset<unknown>; indices: ArrayLike<number> }>()(
  "Subset",
  SUBSET_NAMES,
  {},
  ["dataset"],
);
const CONCAT_NAMES = ["datasets"] as const;
const concatArgs = signature<{ datasets: Iterable<MapDataset<unknown>> }>()("ConcatDataset", CONCAT_NAMES, {});

/** The items of `dataset` at `indices`, in that order. */
export class Subset<T> extends Dataset<T> {
  readonly dataset: MapDataset<T>;
  readonly indices: number[];

  constructor(...args: Args<{ dataset: MapDataset<T>; indices: ArrayLike<number> }, typeof SUBSET_NAMES>) {
    super();
    const { dataset, indices } = subsetArgs.parse(args) as { dataset: MapDataset<T>; indices: ArrayLike<number> };
    this.dataset = dataset;
    this.indices = Array.from(indices);
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex("Subset", index, this.indices.length)]);
  }

  workerSpec(): { module: string; export: string; args: unknown[] } {
    return { module: import.meta.url, export: "Subset", args: [this.dataset, this.indices] };
  }
}

/** Several datasets one after the other. */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: MapDataset<T>[];
  readonly cumulativeSizes: number[];

  constructor(...args: Args<{ datasets: Iterable<MapDataset<T>> }, typeof CONCAT_NAMES>) {
    super();
    this.datasets = Array.from(concatArgs.parse(args).datasets as Iterable<MapDataset<T>>);
    if (this.datasets.length === 0) throw new Error("ConcatDataset: datasets should not be an empty iterable");
    for (const d of this.datasets) {
      if (d instanceof IterableDataset) throw new Error("ConcatDataset: does not support IterableDataset");
    }
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  getItem(index: number): T {
    const i = checkIndex("ConcatDataset", index, this.length);
    // Binary search for the first cumulative size above i (Python's bisect_right).
    let lo = 0;
    let hi = this.cumulativeSizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid] <= i) lo = mid + 1;
      else hi = mid;
    }
    const start = lo === 0 ? 0 : this.cumulativeSizes[lo - 1];
    return this.datasets[lo].getItem(i - start);
  }

  workerSpec(): { module: string; export: string; args: unknown[] } {
    return { module: import.meta.url, export: "ConcatDataset", args: [this.datasets] };
  }
}
