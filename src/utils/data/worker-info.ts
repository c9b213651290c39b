// torch.utils.data.get_worker_info(): inside a DataLoader worker thread, which worker this is.

export interface WorkerInfo {
  /** This worker's index, 0 .. numWorkers-1. */
  id: number;
  numWorkers: number;
  /** The seed the worker's default generator was given (base seed + id). */
  seed: bigint;
  /** This worker's copy of the dataset. */
  dataset: unknown;
}

let current: WorkerInfo | null = null;

/** Information about the current DataLoader worker thread, or null on the main thread. */
export function getWorkerInfo(): WorkerInfo | null {
  return current;
}

/** Set once by the worker entry point. */
export function setWorkerInfo(info: WorkerInfo): void {
  current = info;
}
