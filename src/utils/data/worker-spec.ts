// How objects travel to DataLoader worker threads. A worker thread shares no JavaScript objects
// with the main thread, so a dataset (with its transforms) is sent as a recipe: which module
// export to construct, with which arguments. Built-in datasets, samplers-free transforms and
// collate functions describe themselves through workerSpec(); a user's dataset class does the
// same by returning { module: import.meta.url, export: "MyDataset", args: [...] }.
// Large pixel buffers live in SharedArrayBuffers, so workers read them without a copy.
import { FlintError } from "../../errors.js";

/** A recipe to rebuild an object in a worker: `new (await import(module))[export](...args)`, or
 * `(await import(module))[export][factory](...args)` when `factory` is given. Arguments may
 * themselves contain WorkerSendable objects, functions (sent by source) and plain data. */
export interface WorkerSpec {
  module: string;
  export: string;
  args: unknown[];
  factory?: string;
}

/** An object that can be rebuilt inside a worker thread. */
export interface WorkerSendable {
  workerSpec(): WorkerSpec;
}

export function isWorkerSendable(x: unknown): x is WorkerSendable {
  // Callable transforms (vision/transforms/callable.ts) are functions that describe themselves too.
  return (
    (typeof x === "object" || typeof x === "function") &&
    x !== null &&
    typeof (x as { workerSpec?: unknown }).workerSpec === "function"
  );
}

/** Raised when something given to a DataLoader with numWorkers > 0 cannot go to a worker. */
export class WorkerSendError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "WorkerSendError";
  }
}
