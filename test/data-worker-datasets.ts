// User-style datasets for the worker tests, in their own module: a worker thread imports the
// module named by workerSpec(), and must not import a test file (that would run its tests).
import { Dataset, IterableDataset, getWorkerInfo } from "../src/utils/data/index.js";
import type { WorkerSpec } from "../src/utils/data/index.js";

/** Item i is { x: [i, i*i] as float32 array, y: i % 3 }; getItem(throwAt) throws. */
export class Squares extends Dataset<{ x: Float32Array; y: number }> {
  constructor(
    readonly n: number,
    readonly throwAt = -1,
  ) {
    super();
  }
  get length() {
    return this.n;
  }
  getItem(i: number) {
    if (i === this.throwAt) throw new RangeError(`Squares: item ${i} is cursed`);
    return { x: Float32Array.of(i, i * i), y: i % 3 };
  }
  workerSpec(): WorkerSpec {
    return { module: import.meta.url, export: "Squares", args: [this.n, this.throwAt] };
  }
}

/** Streams 0..n-1, each worker taking every numWorkers-th item (sharding with getWorkerInfo). */
export class ShardedStream extends IterableDataset<number> {
  constructor(readonly n: number) {
    super();
  }
  *[Symbol.iterator]() {
    const info = getWorkerInfo();
    const id = info?.id ?? 0;
    const step = info?.numWorkers ?? 1;
    for (let i = id; i < this.n; i += step) yield i;
  }
  workerSpec(): WorkerSpec {
    return { module: import.meta.url, export: "ShardedStream", args: [this.n] };
  }
}

/** Item i is [i, id of the worker thread that loaded it (-1 on the main thread)]. */
export class WhoLoads extends Dataset<number[]> {
  constructor(readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  getItem(i: number) {
    return [i, getWorkerInfo()?.id ?? -1];
  }
  workerSpec(): WorkerSpec {
    return { module: import.meta.url, export: "WhoLoads", args: [this.n] };
  }
}

/** A dataset that does not describe itself: cannot go to workers. */
export class Opaque extends Dataset<number> {
  get length() {
    return 3;
  }
  getItem(i: number) {
    return i;
  }
}

/** A dataset whose worker thread exits in the middle of an epoch. */
export class Exits extends Dataset<number> {
  get length() {
    return 8;
  }
  getItem(i: number) {
    if (i === 5 && getWorkerInfo() !== null) process.exit(3);
    return i;
  }
  workerSpec(): WorkerSpec {
    return { module: import.meta.url, export: "Exits", args: [] };
  }
}

/** Each item takes `ms` milliseconds to load. */
export class Slow extends Dataset<number> {
  constructor(readonly ms: number) {
    super();
  }
  get length() {
    return 4;
  }
  getItem(i: number) {
    const end = Date.now() + this.ms;
    while (Date.now() < end) {
      // loading...
    }
    return i;
  }
  workerSpec(): WorkerSpec {
    return { module: import.meta.url, export: "Slow", args: [this.ms] };
  }
}

/** Item i is [i]; getItem(hogAt) allocates until its worker runs out of memory (hostile tests). */
export class MemoryHog extends Dataset<number[]> {
  constructor(
    readonly n: number,
    readonly hogAt: number,
  ) {
    super();
  }
  get length() {
    return this.n;
  }
  getItem(i: number) {
    if (i === this.hogAt) {
      const keep: number[][] = [];
      for (;;) keep.push(new Array<number>(1 << 20).fill(i));
    }
    return [i];
  }
  workerSpec(): WorkerSpec {
    return { module: import.meta.url, export: "MemoryHog", args: [this.n, this.hogAt] };
  }
}
