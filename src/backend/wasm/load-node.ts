// Node: finds native/wasm/flint-mt.wasm (threads through worker_threads on a shared memory) or
// native/wasm/flint.wasm (one thread), shipped in the package so no compiler is needed, and
// instantiates it synchronously. Never throws: null when neither file will load.
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import {
  compileModule,
  instantiateKernelsSync,
  instantiateSync,
  readyThreaded,
  sharedMemory,
  threadedImports,
  type KernelExports,
} from "./module.js";
import { makeThreads, WORKER_JOIN, type WorkerInit } from "./threads.js";

function wasmPath(file: string): string | null {
  // This file lives at src/backend/wasm/ (or dist/src/backend/wasm/): walk up to the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "native", "wasm", file);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

// A worker_threads worker that joins the pool; unref'd so that idle workers never keep the
// process alive.
const spawnNode = (init: WorkerInit): void => {
  const code = `${WORKER_JOIN}\njoin(require("node:worker_threads").workerData);`;
  new Worker(code, { eval: true, workerData: init }).unref();
};

/** Threads the kernels start with: OMP_NUM_THREADS if set (as PyTorch and the addon), else every core. */
function defaultThreads(): number {
  const omp = Number(process.env.OMP_NUM_THREADS ?? "");
  return Number.isInteger(omp) && omp >= 1 ? omp : availableParallelism();
}

/** The threaded build from its bytes, on a new shared memory, with worker_threads workers. */
export function instantiateThreadedNode(bytes: ArrayBufferView | ArrayBuffer): KernelExports {
  const module = compileModule(bytes),
    memory = sharedMemory();
  return readyThreaded(instantiateSync(module, threadedImports(memory)), memory, (ex) =>
    makeThreads(ex, module, memory, spawnNode, true, defaultThreads()),
  );
}

export function loadKernelsFromDisk(): KernelExports | null {
  // FLINT_WASM_THREADS=0 keeps to the one-thread build (as where SharedArrayBuffer is missing).
  const mt = process.env.FLINT_WASM_THREADS === "0" ? null : wasmPath("flint-mt.wasm");
  if (mt !== null && typeof SharedArrayBuffer === "function") {
    try {
      return instantiateThreadedNode(readFileSync(mt));
    } catch {
      // fall back to one thread
    }
  }
  const path = wasmPath("flint.wasm");
  if (path === null) return null;
  try {
    return instantiateKernelsSync(readFileSync(path));
  } catch {
    return null;
  }
}
