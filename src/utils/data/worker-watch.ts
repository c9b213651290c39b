// Noticing that a DataLoader worker thread died (out of memory: ERR_WORKER_OUT_OF_MEMORY, or
// killed) so the loop raises a clear error instead of hanging or crashing the process:
// - for await..of runs the event loop while it waits, so the Worker's 'error' and 'exit' events
//   arrive; they are recorded here (an 'error' listener also keeps an OOM from becoming an
//   unhandled error that kills the main process) and wake the waiting loop;
// - for..of blocks the event loop, so those events cannot arrive: each worker reports its OS
//   thread id first thing, and the waiting loop checks /proc/self/task/<tid> on every wake-up.
import { existsSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import { DataLoaderWorkerError } from "./worker-error.js";

export { DataLoaderWorkerError };

export class WorkerWatch {
  private readonly tids: (number | null)[] = [];
  private failure: DataLoaderWorkerError | null = null;

  constructor(
    private readonly signal: Int32Array,
    private readonly stopped: () => boolean,
  ) {}

  /** Listens to worker `id`'s death. */
  attach(id: number, worker: Worker): void {
    this.tids[id] = null;
    worker.on("error", (e: Error) => this.died(id, `${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}`));
    worker.on("exit", (code: number) => this.died(id, `exit code ${code}`));
  }

  /** Records worker `id`'s OS thread id (null where the platform does not tell). */
  noteThread(id: number, tid: number | null): void {
    this.tids[id] = tid;
  }

  private died(id: number, reason: string): void {
    if (this.stopped() || this.failure !== null) return;
    this.failure = new DataLoaderWorkerError(`DataLoader worker ${id} exited unexpectedly (${reason})`);
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
  }

  /** The first worker death seen, from its events or from its thread being gone. */
  check(): DataLoaderWorkerError | null {
    if (this.failure !== null || this.stopped()) return this.failure;
    for (let id = 0; id < this.tids.length; id++) {
      const tid = this.tids[id];
      if (tid !== null && !existsSync(`/proc/self/task/${tid}`)) {
        this.failure = new DataLoaderWorkerError(
          `DataLoader worker ${id} exited unexpectedly (its thread ${tid} is gone: killed or out of memory)`,
        );
        break;
      }
    }
    return this.failure;
  }
}
