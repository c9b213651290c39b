// torch.utils.data.DataLoader: batches from a dataset, in process or in worker threads.
import { defaultCollate, defaultConvert, type Collated } from "./collate.js";
import { isIterableDataset, type IterableDataset, type MapDataset } from "./dataset.js";
import { WorkerPoolIterator } from "./pool.js";
import { randomSeed, type GeneratorLike } from "./rng.js";
import { BatchSampler, RandomSampler, SequentialSampler, type SamplerLike } from "./sampler.js";
import { encodeForWorker } from "./transfer.js";
import { type Args, signature } from "../../internal/args.js";

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null disables automatic batching. */
  batchSize?: number | null;
  /** Reshuffle every epoch (a RandomSampler with `generator`). */
  shuffle?: boolean | null;
  sampler?: SamplerLike<number> | null;
  batchSampler?: SamplerLike<number[]> | null;
  /** Worker threads loading and collating batches ahead of the loop; 0 loads in process. */
  numWorkers?: number;
  collateFn?: ((batch: T[]) => B) | null;
  /** Accepted for compatibility; CPU memory needs no pinning. */
  pinMemory?: boolean;
  dropLast?: boolean;
  /** Seconds to wait for a batch from the workers (0: forever). */
  timeout?: number;
  /** Called in each worker thread with its id, after seeding (sent by source: no captured variables). */
  workerInitFn?: ((workerId: number) => void) | null;
  generator?: GeneratorLike | null;
  /** Batches loaded in advance by each worker (default 2). */
  prefetchFactor?: number | null;
  /** Keep the workers between epochs. */
  persistentWorkers?: boolean;
  /** Accepted for compatibility; workers are threads, whatever the context. */
  multiprocessingContext?: unknown;
  /** Accepted for compatibility; CPU memory needs no pinning. */
  pinMemoryDevice?: string;
}
/** DataLoader's parameters: torch's order, then its keyword-only prefetch_factor, persistent_workers, pin_memory_device. */
export interface DataLoaderParams<T, B> extends DataLoaderOptions<T, B> {
  dataset: MapDataset<T> | IterableDataset<T>;
}
const DATALOADER_NAMES = [
  "dataset",
  "batchSize",
  "shuffle",
  "sampler",
  "batchSampler",
  "numWorkers",
  "collateFn",
  "pinMemory",
  "dropLast",
  "timeout",
  "workerInitFn",
  "multiprocessingContext",
  "generator",
  "prefetchFactor",
  "persistentWorkers",
  "pinMemoryDevice",
] as const;
const dataLoaderArgs = signature<DataLoaderParams<unknown, unknown>>()("DataLoader", DATALOADER_NAMES, {
  batchSize: 1,
  shuffle: null,
  sampler: null,
  batchSampler: null,
  numWorkers: 0,
  collateFn: null,
  pinMemory: false,
  dropLast: false,
  timeout: 0,
  workerInitFn: null,
  multiprocessingContext: null,
  generator: null,
  prefetchFactor: undefined,
  persistentWorkers: false,
  pinMemoryDevice: "",
});

/** One pass over a DataLoader, usable by for..of and for await..of. */
interface LoaderIter<B> {
  next(): IteratorResult<B>;
  nextAsync(): Promise<IteratorResult<B>>;
  close(): void;
}

/** Stops the worker threads of a loop that was dropped before its end (no break, no return()). */
const abandoned = new FinalizationRegistry<LoaderIter<unknown>>((it) => it.close());

/** Yields null forever: the "indices" for an iterable dataset (PyTorch's _InfiniteConstantSampler). */
function* infiniteNull(): Generator<null> {
  for (;;) yield null;
}

class SingleProcessIter<T, B> implements LoaderIter<B> {
  private readonly indexIter: Iterator<number[] | number | null>;
  private readonly dataIter: Iterator<T> | null;
  private finished = false;

  constructor(private readonly loader: DataLoader<T, B>) {
    this.indexIter = loader.indexSampler()[Symbol.iterator]();
    // Drawn as PyTorch's _BaseDataLoaderIter does, to keep the generator's stream in step.
    randomSeed(loader.generator);
    this.dataIter = loader.isIterable ? (loader.dataset as IterableDataset<T>)[Symbol.iterator]() : null;
  }

  next(): IteratorResult<B> {
    if (this.finished) return { done: true, value: undefined };
    const loader = this.loader;
    const collate = loader.collateFn as (x: unknown) => B;
    if (this.dataIter !== null) {
      if (!loader.autoCollation) {
        const r = this.dataIter.next();
        if (r.done === true) return this.finish();
        return { done: false, value: collate(r.value) };
      }
      const items: T[] = [];
      while (items.length < loader.batchSize!) {
        const r = this.dataIter.next();
        if (r.done === true) break;
        items.push(r.value);
      }
      if (items.length === 0 || (loader.dropLast && items.length < loader.batchSize!)) return this.finish();
      return { done: false, value: collate(items) };
    }
    const r = this.indexIter.next();
    if (r.done === true) return this.finish();
    const ds = loader.dataset as MapDataset<T>;
    if (loader.autoCollation) return { done: false, value: collate((r.value as number[]).map((i) => ds.getItem(i))) };
    return { done: false, value: collate(ds.getItem(r.value as number)) };
  }

  nextAsync(): Promise<IteratorResult<B>> {
    return Promise.resolve().then(() => this.next());
  }

  private finish(): IteratorResult<B> {
    this.finished = true;
    return { done: true, value: undefined };
  }

  close(): void {
    this.finished = true;
  }
}

/**
 * Combines a dataset and a sampler into batches: `for (const [x, y] of loader)`, or
 * `for await (...)` to keep the event loop running while worker threads load.
 */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: MapDataset<T> | IterableDataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly timeout: number;
  readonly pinMemory: boolean;
  readonly generator: GeneratorLike | null;
  readonly sampler: SamplerLike<number | null>;
  readonly batchSampler: SamplerLike<number[]> | null;
  readonly collateFn: ((batch: T[]) => B) | ((x: unknown) => unknown);
  readonly workerInitFn: ((workerId: number) => void) | null;
  readonly isIterable: boolean;
  private readonly userCollate: boolean;
  private persistentIter: WorkerPoolIterator<B> | null = null;

  constructor(...args: Args<DataLoaderParams<T, B>, typeof DATALOADER_NAMES>) {
    const { dataset, ...options } = dataLoaderArgs.parse(args) as DataLoaderParams<T, B>;
    const numWorkers = options.numWorkers ?? 0;
    const timeout = options.timeout ?? 0;
    const prefetch = options.prefetchFactor ?? null;
    const persistent = options.persistentWorkers ?? false;
    let batchSize = options.batchSize === undefined ? 1 : options.batchSize;
    let dropLast = options.dropLast ?? false;
    let shuffle = options.shuffle ?? null;
    let sampler: SamplerLike<number | null> | null = options.sampler ?? null;
    const batchSampler = options.batchSampler ?? null;
    if (!Number.isInteger(numWorkers) || numWorkers < 0) {
      throw new Error(
        "DataLoader: num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.",
      );
    }
    if (timeout < 0) throw new Error("DataLoader: timeout option should be non-negative");
    if (numWorkers === 0 && prefetch !== null && prefetch !== 2) {
      throw new Error(
        "DataLoader: prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing.",
      );
    }
    if (prefetch !== null && !(Number.isInteger(prefetch) && prefetch > 0))
      throw new Error(`DataLoader: prefetch_factor should be a positive integer, got ${prefetch}`);
    if (persistent && numWorkers === 0) throw new Error("DataLoader: persistent_workers option needs num_workers > 0");

    this.isIterable = isIterableDataset(dataset);
    if (this.isIterable) {
      if (shuffle !== null && shuffle !== false) {
        throw new Error(
          `DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${String(shuffle)}`,
        );
      }
      if (sampler !== null)
        throw new Error(
          `DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${sampler.constructor.name}`,
        );
      if (batchSampler !== null) {
        throw new Error(
          `DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${batchSampler.constructor.name}`,
        );
      }
    } else {
      shuffle = shuffle === true;
    }
    if (sampler !== null && shuffle === true)
      throw new Error("DataLoader: sampler option is mutually exclusive with shuffle");
    if (batchSampler !== null) {
      if (batchSize !== 1 || shuffle === true || sampler !== null || dropLast) {
        throw new Error(
          "DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last",
        );
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new Error(
        "DataLoader: batch_size=None option disables auto-batching and is mutually exclusive with drop_last",
      );
    }
    if (sampler === null) {
      if (this.isIterable) sampler = { [Symbol.iterator]: infiniteNull };
      else if (shuffle === true)
        sampler = new RandomSampler(dataset as MapDataset<T>, { generator: options.generator ?? null });
      else sampler = new SequentialSampler(dataset as MapDataset<T>);
    }
    this.dataset = dataset;
    this.generator = options.generator ?? null;
    this.sampler = sampler;
    // BatchSampler checks batchSize (0, negative, fractional: PyTorch's ValueError).
    this.batchSampler =
      batchSize !== null && batchSampler === null
        ? (new BatchSampler(sampler as SamplerLike<number>, batchSize, dropLast) as SamplerLike<number[]>)
        : batchSampler;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.numWorkers = numWorkers;
    this.prefetchFactor = prefetch ?? 2;
    this.persistentWorkers = persistent;
    this.timeout = timeout;
    this.pinMemory = options.pinMemory ?? false;
    this.userCollate = options.collateFn !== undefined && options.collateFn !== null;
    this.collateFn =
      options.collateFn ?? ((this.autoCollation ? defaultCollate : defaultConvert) as (x: unknown) => unknown);
    this.workerInitFn = options.workerInitFn ?? null;
  }

  /** Whether batches are built from batchSampler's index lists (batchSize or batchSampler given). */
  get autoCollation(): boolean {
    return this.batchSampler !== null;
  }

  /** The sampler whose items are fetched: batchSampler when batching, else sampler. */
  indexSampler(): SamplerLike<number[] | number | null> {
    return this.autoCollation ? this.batchSampler! : this.sampler;
  }

  /** Number of batches (len(loader)). */
  get length(): number {
    if (this.isIterable) {
      const n = (this.dataset as { length?: number }).length;
      if (typeof n !== "number")
        throw new TypeError(`DataLoader: object of type ${this.dataset.constructor.name} has no length`);
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    const n = this.indexSampler().length;
    if (n === undefined) throw new TypeError("DataLoader: the sampler has no length");
    return n;
  }

  private makeIter(): LoaderIter<B> {
    if (this.numWorkers === 0) return new SingleProcessIter<T, B>(this);
    const indexIter = () => {
      const it = this.indexSampler()[Symbol.iterator]();
      // Map-style workers get index lists; iterable ones just "next batch" requests.
      return {
        next: (): IteratorResult<number[] | null> => {
          const r = it.next();
          if (r.done === true) return r;
          return {
            done: false,
            value: this.isIterable ? null : this.autoCollation ? (r.value as number[]) : [r.value as number],
          };
        },
      };
    };
    if (this.persistentIter !== null && this.persistentIter.alive) {
      this.persistentIter.reset(indexIter());
      return this.persistentIter;
    }
    const sampled = indexIter();
    const baseSeed = randomSeed(this.generator);
    const pool = new WorkerPoolIterator<B>(
      {
        numWorkers: this.numWorkers,
        prefetchFactor: this.prefetchFactor,
        persistentWorkers: this.persistentWorkers,
        timeout: this.timeout,
        iterable: this.isIterable,
        payload: {
          numWorkers: this.numWorkers,
          dataset: encodeForWorker(this.dataset, "dataset"),
          iterable: this.isIterable,
          collateFn: this.userCollate ? encodeForWorker(this.collateFn, "collateFn") : null,
          autoCollation: this.autoCollation,
          batchSize: this.batchSize,
          dropLast: this.dropLast,
          workerInitFn: this.workerInitFn === null ? null : encodeForWorker(this.workerInitFn, "workerInitFn"),
        },
      },
      baseSeed,
      sampled,
    );
    if (this.persistentWorkers) this.persistentIter = pool;
    return pool;
  }

  [Symbol.iterator](): Iterator<B> {
    const it = this.makeIter();
    const persistent = it === this.persistentIter;
    const iterator = {
      next: () => it.next(),
      return: (value?: unknown) => {
        // Breaking out of the loop stops non-persistent workers at once.
        if (!persistent) it.close();
        return { done: true, value: value as B };
      },
      [Symbol.iterator]() {
        return this;
      },
    } as IterableIterator<B>;
    if (!persistent && this.numWorkers > 0) abandoned.register(iterator, it);
    return iterator;
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    const it = this.makeIter();
    const persistent = it === this.persistentIter;
    const iterator: AsyncIterator<B> = {
      next: () => it.nextAsync(),
      return: async (value?: unknown) => {
        if (!persistent) it.close();
        return { done: true, value: value as B };
      },
    };
    if (!persistent && this.numWorkers > 0) abandoned.register(iterator, it);
    return iterator;
  }

  /** Stops persistent workers now (otherwise they end with the process). */
  shutdown(): void {
    this.persistentIter?.close();
    this.persistentIter = null;
  }
}
