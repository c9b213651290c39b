// The DataLoader worker thread: rebuilds the dataset and collate function from their recipes,
// seeds its default generator with baseSeed + id (PyTorch's _worker_loop), then serves fetch
// requests: for map-style datasets a list of indices, for iterable ones "the next batch". Each
// result goes back over the bridge port, tensors' buffers transferred, and wakes the main thread.
import { readlinkSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
// A worker thread starts with no Flint loaded: the backend and the Tensor methods come from the
// same setup every public entry point runs (collate alone no longer pulls in the whole library).
import "../../setup.js";
import { postOnBridge, type Bridge } from "../../internal/sync-bridge.js";
import { defaultCollate, defaultConvert } from "./collate.js";
import { manualSeed } from "./rng.js";
import { decodeInWorker, encodeBatch } from "./transfer.js";
import { setWorkerInfo } from "./worker-info.js";

export interface WorkerInit {
  bridge: Bridge;
  id: number;
  numWorkers: number;
  seed: bigint;
  dataset: unknown;
  iterable: boolean;
  collateFn: unknown;
  autoCollation: boolean;
  batchSize: number | null;
  dropLast: boolean;
  workerInitFn: unknown;
}

/** Main -> worker: fetch batch `idx` (indices for map-style datasets), or reset for a new epoch. */
export type WorkerRequest =
  { type: "fetch"; epoch: number; idx: number; indices: number[] | null } | { type: "reset" } | { type: "stop" };

/** Worker -> main. */
export type WorkerReply =
  | { type: "ready"; worker: number; epoch: number }
  | { type: "thread"; worker: number; epoch: number; tid: number | null }
  | { type: "data"; worker: number; epoch: number; idx: number; data: unknown }
  | { type: "exhausted"; worker: number; epoch: number; idx: number }
  | { type: "error"; worker: number; epoch: number; idx: number; name: string; message: string; stack?: string };

const init = workerData as WorkerInit;
const reply = (msg: WorkerReply, transfer: ArrayBuffer[] = []) => postOnBridge(init.bridge, msg, transfer);
const sendError = (epoch: number, idx: number, e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  reply({ type: "error", worker: init.id, epoch, idx, name: err.name, message: err.message, stack: err.stack });
};

process.on("uncaughtException", (e) => sendError(-1, -1, e));
// A worker that ends on its own (process.exit in user code) must not leave the loop waiting.
let stopping = false;
process.on("exit", (code) => {
  if (!stopping) sendError(-1, -1, new Error(`DataLoader worker ${init.id} exited unexpectedly (exit code ${code})`));
});

// First thing: this thread's OS id (Linux), so a main thread blocked in for..of (its event loop
// not running, so no 'exit' event) can still see that this thread died, e.g. out of memory.
reply({ type: "thread", worker: init.id, epoch: -1, tid: osThreadId() });

function osThreadId(): number | null {
  try {
    const m = /\/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

try {
  // The worker's own stream, as PyTorch seeds each worker (random transforms differ per worker).
  manualSeed(init.seed);
  const dataset = (await decodeInWorker(init.dataset)) as {
    length?: number;
    getItem?(i: number): unknown;
    [Symbol.iterator]?(): Iterator<unknown>;
  };
  setWorkerInfo({ id: init.id, numWorkers: init.numWorkers, seed: init.seed, dataset });
  const collate = (init.collateFn === null ? null : await decodeInWorker(init.collateFn)) as
    ((b: unknown[]) => unknown) | null;
  const workerInitFn = (init.workerInitFn === null ? null : await decodeInWorker(init.workerInitFn)) as
    ((id: number) => void) | null;
  if (workerInitFn !== null) workerInitFn(init.id);
  const collateFn = collate ?? (init.autoCollation ? defaultCollate : defaultConvert);

  let iterator: Iterator<unknown> | null = null;
  let exhausted = false;
  const nextIterableBatch = (): { done: true } | { done: false; data: unknown } => {
    if (exhausted) return { done: true };
    iterator ??= dataset[Symbol.iterator]!();
    if (!init.autoCollation) {
      const r = iterator.next();
      if (r.done === true) {
        exhausted = true;
        return { done: true };
      }
      return { done: false, data: collateFn(r.value as unknown[]) };
    }
    const items: unknown[] = [];
    while (items.length < init.batchSize!) {
      const r = iterator.next();
      if (r.done === true) {
        exhausted = true;
        break;
      }
      items.push(r.value);
    }
    if (items.length === 0 || (init.dropLast && items.length < init.batchSize!)) return { done: true };
    return { done: false, data: collateFn(items) };
  };

  parentPort!.on("message", (req: WorkerRequest) => {
    if (req.type === "stop") {
      stopping = true;
      parentPort!.close();
      return;
    }
    if (req.type === "reset") {
      iterator = null;
      exhausted = false;
      return;
    }
    try {
      let data: unknown;
      if (init.iterable) {
        const r = nextIterableBatch();
        if (r.done) {
          reply({ type: "exhausted", worker: init.id, epoch: req.epoch, idx: req.idx });
          return;
        }
        data = r.data;
      } else if (init.autoCollation) {
        data = collateFn(req.indices!.map((i) => dataset.getItem!(i)));
      } else {
        data = collateFn(dataset.getItem!(req.indices![0]) as unknown[]);
      }
      const transfer: ArrayBuffer[] = [];
      const encoded = encodeBatch(data, transfer);
      reply({ type: "data", worker: init.id, epoch: req.epoch, idx: req.idx, data: encoded }, transfer);
    } catch (e) {
      sendError(req.epoch, req.idx, e);
    }
  });
  reply({ type: "ready", worker: init.id, epoch: -1 });
} catch (e) {
  sendError(-1, -1, e);
}
