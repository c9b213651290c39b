// The main-thread side of DataLoader's worker threads (PyTorch's _MultiProcessingDataLoaderIter):
// keeps prefetchFactor * numWorkers batches in flight, hands index lists to workers round-robin,
// and returns batches strictly in sampler order, buffering those that arrive early.
//
// Replies are taken with receiveMessageOnPort, and the thread sleeps on a shared counter that
// workers bump after each reply (Atomics.wait for for..of, Atomics.waitAsync for for await..of),
// so batches flow whether or not the event loop runs.
import { receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";
import { createBridge, reviveError, siblingModule, spawnModuleWorker } from "../../internal/sync-bridge.js";
import { decodeBatch } from "./transfer.js";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker.js";
import { DataLoaderWorkerError, WorkerWatch } from "./worker-watch.js";

export { DataLoaderWorkerError };

/** FLINT_DATALOADER_WORKER_HEAP_MB caps each worker's JS heap (a worker over it dies, and the loop raises). */
function workerResourceLimits(): { maxOldGenerationSizeMb: number } | undefined {
  const mb = Number(process.env.FLINT_DATALOADER_WORKER_HEAP_MB ?? "");
  return Number.isFinite(mb) && mb > 0 ? { maxOldGenerationSizeMb: mb } : undefined;
}

export interface PoolConfig {
  numWorkers: number;
  prefetchFactor: number;
  persistentWorkers: boolean;
  /** Seconds to wait for a batch; 0 waits forever. */
  timeout: number;
  iterable: boolean;
  /** Encoded payload shared by every worker (see WorkerInit), minus per-worker fields. */
  payload: Omit<WorkerInit, "bridge" | "id" | "seed">;
}

interface Slot {
  worker: Worker;
  port: MessagePort;
}

type Task = { worker: number } | { worker: number; reply: WorkerReply };

type WaitAsync = (
  a: Int32Array,
  i: number,
  v: number,
  t: number,
) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

export class WorkerPoolIterator<B> {
  private readonly config: PoolConfig;
  private readonly slots: Slot[] = [];
  private readonly signal: Int32Array;
  private readonly baseSeed: bigint;
  private indexIter!: Iterator<number[] | null>;
  private epoch = 0;
  private sendIdx = 0;
  private rcvdIdx = 0;
  private tasks = new Map<number, Task>();
  private outstanding = 0;
  private active: boolean[] = [];
  private nextWorker = 0;
  private shutdown = false;
  private readonly watch: WorkerWatch;

  constructor(config: PoolConfig, baseSeed: bigint, indexIter: Iterator<number[] | null>) {
    this.config = config;
    this.baseSeed = baseSeed;
    this.signal = new Int32Array(new SharedArrayBuffer(4));
    this.watch = new WorkerWatch(this.signal, () => this.shutdown);
    const resourceLimits = workerResourceLimits();
    const entry = siblingModule(import.meta.url, "worker");
    for (let id = 0; id < config.numWorkers; id++) {
      const { bridge, port } = createBridge();
      bridge.signal = this.signal; // one counter for all workers: a single place to sleep on
      const init: WorkerInit = { ...config.payload, bridge, id, seed: baseSeed + BigInt(id) };
      const worker = spawnModuleWorker(entry, { workerData: init, transferList: [bridge.port], resourceLimits });
      this.watch.attach(id, worker);
      // Workers never keep the process alive by themselves: a for..of loop blocks this thread
      // while it waits anyway, and for await..of refs them only while it awaits a batch. So an
      // abandoned or interrupted loop cannot hang the process at exit.
      worker.unref();
      this.slots.push({ worker, port });
    }
    this.reset(indexIter, true);
  }

  /** Starts an epoch: fresh sampler iterator, prefetch queue filled. */
  reset(indexIter: Iterator<number[] | null>, first = false): void {
    this.indexIter = indexIter;
    if (!first) {
      this.epoch++;
      for (const s of this.slots) s.worker.postMessage({ type: "reset" } satisfies WorkerRequest);
    }
    this.sendIdx = 0;
    this.rcvdIdx = 0;
    this.tasks = new Map();
    this.outstanding = 0;
    this.active = this.slots.map(() => true);
    this.nextWorker = 0;
    for (let i = 0; i < this.config.prefetchFactor * this.config.numWorkers; i++) this.tryPutIndex();
  }

  private tryPutIndex(): void {
    const r = this.indexIter.next();
    if (r.done === true) return;
    let w = -1;
    for (let k = 0; k < this.slots.length; k++) {
      const cand = this.nextWorker;
      this.nextWorker = (this.nextWorker + 1) % this.slots.length;
      if (this.active[cand]) {
        w = cand;
        break;
      }
    }
    if (w === -1) return;
    const req: WorkerRequest = { type: "fetch", epoch: this.epoch, idx: this.sendIdx, indices: r.value };
    this.slots[w].worker.postMessage(req);
    this.tasks.set(this.sendIdx, { worker: w });
    this.outstanding++;
    this.sendIdx++;
  }

  private poll(): WorkerReply | null {
    for (let k = 0; k < this.slots.length; k++) {
      const got = receiveMessageOnPort(this.slots[k].port);
      if (got !== undefined) return got.message as WorkerReply;
    }
    return null;
  }

  private timeoutError(): DataLoaderWorkerError {
    this.close();
    return new DataLoaderWorkerError(`DataLoader timed out after ${this.config.timeout} seconds`);
  }

  /** Raises (after stopping the other workers) when a worker died. */
  private checkAlive(): void {
    const dead = this.watch.check();
    if (dead === null) return;
    this.close();
    throw dead;
  }

  /** The next reply of the current epoch (blocking). */
  private receiveSync(): WorkerReply {
    const deadline = this.config.timeout > 0 ? Date.now() + this.config.timeout * 1000 : Infinity;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const msg = this.poll();
      if (msg !== null) {
        if (this.relevant(msg)) return msg;
        continue;
      }
      this.checkAlive();
      if (Date.now() > deadline) throw this.timeoutError();
      // Short sleeps: a dead worker sends no wake-up, so its death is noticed on the next one.
      Atomics.wait(this.signal, 0, seen, Math.min(200, deadline - Date.now()));
    }
  }

  private async receiveAsync(): Promise<WorkerReply> {
    const deadline = this.config.timeout > 0 ? Date.now() + this.config.timeout * 1000 : Infinity;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const msg = this.poll();
      if (msg !== null) {
        if (this.relevant(msg)) return msg;
        continue;
      }
      this.checkAlive();
      if (Date.now() > deadline) throw this.timeoutError();
      const ms = Math.min(1000, deadline - Date.now());
      for (const s of this.slots) s.worker.ref();
      try {
        if (waitAsync !== undefined) {
          const r = waitAsync(this.signal, 0, seen, ms);
          if (r.async) await r.value;
        } else {
          await new Promise((res) => setTimeout(res, 1));
        }
      } finally {
        for (const s of this.slots) s.worker.unref();
      }
    }
  }

  /** Drops stale replies (an earlier epoch's) and raises start-up failures. */
  private relevant(msg: WorkerReply): boolean {
    if (msg.type === "error" && msg.idx === -1) {
      this.close();
      const err = reviveError({ type: "error", name: msg.name, message: msg.message });
      err.message = `DataLoader worker ${msg.worker} failed: ${err.message}`;
      throw err;
    }
    if (msg.type === "thread") this.watch.noteThread(msg.worker, msg.tid);
    if (msg.type === "ready" || msg.type === "thread") return false;
    return msg.epoch === this.epoch;
  }

  /** What to return for the task at rcvdIdx, if its result is already here. */
  private ready(): { done: true } | { done: false; reply: WorkerReply | null } {
    for (;;) {
      while (this.rcvdIdx < this.sendIdx) {
        const task = this.tasks.get(this.rcvdIdx)!;
        if ("reply" in task || this.active[task.worker]) break;
        this.tasks.delete(this.rcvdIdx);
        this.rcvdIdx++;
      }
      if (this.rcvdIdx >= this.sendIdx) {
        if (!this.config.persistentWorkers) this.close();
        return { done: true };
      }
      const task = this.tasks.get(this.rcvdIdx)!;
      if ("reply" in task) {
        this.tasks.delete(this.rcvdIdx);
        return { done: false, reply: task.reply };
      }
      return { done: false, reply: null };
    }
  }

  /** Files a reply; returns it if it is the one due now. */
  private file(msg: WorkerReply): WorkerReply | null {
    if (msg.type === "ready" || msg.type === "thread") return null;
    this.outstanding--;
    if (msg.type === "exhausted") {
      this.active[msg.worker] = false;
      this.tryPutIndex();
      return null;
    }
    if (msg.idx !== this.rcvdIdx) {
      this.tasks.set(msg.idx, { worker: msg.worker, reply: msg });
      return null;
    }
    this.tasks.delete(msg.idx);
    return msg;
  }

  private process(msg: WorkerReply): IteratorResult<B> {
    this.rcvdIdx++;
    this.tryPutIndex();
    if (msg.type === "error") {
      // The loop is over (for..of does not call return() when next() throws): stop the workers.
      this.close();
      const err = reviveError({ type: "error", name: msg.name, message: msg.message });
      err.message = `Caught ${msg.name} in DataLoader worker ${msg.worker}: ${err.message}`;
      // A throwing next() does not make for..of call return(): stop the workers here, or they
      // would keep the process alive.
      this.close();
      throw err;
    }
    if (msg.type !== "data") throw new DataLoaderWorkerError(`DataLoader: unexpected ${msg.type} reply`);
    return { done: false, value: decodeBatch(msg.data) as B };
  }

  next(): IteratorResult<B> {
    if (this.shutdown) return { done: true, value: undefined };
    for (;;) {
      const r = this.ready();
      if (r.done) return { done: true, value: undefined };
      if (r.reply !== null) return this.process(r.reply);
      const got = this.file(this.receiveSync());
      if (got !== null) return this.process(got);
    }
  }

  async nextAsync(): Promise<IteratorResult<B>> {
    if (this.shutdown) return { done: true, value: undefined };
    for (;;) {
      const r = this.ready();
      if (r.done) return { done: true, value: undefined };
      if (r.reply !== null) return this.process(r.reply);
      const got = this.file(await this.receiveAsync());
      if (got !== null) return this.process(got);
    }
  }

  /** Whether the workers are still running (persistent iterators reuse them). */
  get alive(): boolean {
    return !this.shutdown;
  }

  /** Stops the worker threads. */
  close(): void {
    if (this.shutdown) return;
    this.shutdown = true;
    for (const s of this.slots) {
      s.port.close();
      void s.worker.terminate();
    }
  }
}
