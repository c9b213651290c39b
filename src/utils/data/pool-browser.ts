// Browser build of ./pool.ts (package.json "browser" map): DataLoader workers are Node worker
// threads; in a page, numWorkers must be 0 (a Web Worker DataLoader is not implemented).
import type { WorkerInit } from "./worker.js";

/** A worker failed, or took longer than the DataLoader's timeout. */
export class DataLoaderWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataLoaderWorkerError";
  }
}

export interface PoolConfig {
  numWorkers: number;
  prefetchFactor: number;
  persistentWorkers: boolean;
  timeout: number;
  iterable: boolean;
  payload: Omit<WorkerInit, "bridge" | "id" | "seed">;
}

/** The same surface as the Node pool; the constructor refuses, so the rest never runs. */
export class WorkerPoolIterator<B> {
  readonly alive = false;
  constructor(config: PoolConfig, _baseSeed: bigint, _indexIter: Iterator<number[] | null>) {
    throw new DataLoaderWorkerError(
      `DataLoader(numWorkers=${config.numWorkers}): not implemented in the browser build (workers are Node worker threads); use numWorkers 0`,
    );
  }
  reset(_indexIter: Iterator<number[] | null>, _first = false): void {}
  next(): IteratorResult<B> {
    return { done: true, value: undefined };
  }
  nextAsync(): Promise<IteratorResult<B>> {
    return Promise.resolve(this.next());
  }
  close(): void {}
}
