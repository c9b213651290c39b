// Node: finds native/wasm/flint-mt.wasm (threads through worker_threads on a shared memory) or
// native/wasm/flint.wasm (one thread), shipped in the package so no compiler is needed, and
// instantiates it synchronously; their relaxed-SIMD builds (flint-mt-relaxed.wasm,
// flint-relaxed.wasm) instead where the engine validates relaxed SIMD (./relaxed.ts) unless
// FLINT_WASM_RELAXED=0 (FLINT_WASM_DIRECT_CONV=0 turns the direct convolution off). Never throws: null when no file will load.
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
import { relaxedSimdSupported, wasmFileName } from "./relaxed.js";
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

let loaded: string | null = null;
/** The file loadKernelsFromDisk loaded (flint[-mt][-relaxed].wasm), null before. */
export const loadedWasmFile = (): string | null => loaded;

export function loadKernelsFromDisk(options: { relaxedSimd?: boolean } = {}): KernelExports | null {
  // FLINT_WASM_THREADS=0 keeps to the one-thread build (as where SharedArrayBuffer is missing);
  // FLINT_WASM_RELAXED=0 to the plain SIMD128 builds.
  const threads = process.env.FLINT_WASM_THREADS !== "0" && typeof SharedArrayBuffer === "function";
  const relaxed = options.relaxedSimd !== false && process.env.FLINT_WASM_RELAXED !== "0" && relaxedSimdSupported();
  const candidates: [boolean, boolean][] = [];
  for (const mt of threads ? [true, false] : [false])
    for (const r of relaxed ? [true, false] : [false]) candidates.push([mt, r]);
  for (const [mt, r] of candidates) {
    const name = wasmFileName(mt, r),
      path = wasmPath(name);
    if (path === null) continue;
    try {
      const ex = mt ? instantiateThreadedNode(readFileSync(path)) : instantiateKernelsSync(readFileSync(path));
      // FLINT_WASM_DIRECT_CONV=0: convolutions through im2col + GEMM only (A/B benchmarks).
      if (process.env.FLINT_WASM_DIRECT_CONV === "0") ex.flint_set_direct_conv?.(0);
      loaded = name;
      return ex;
    } catch {
      // the next candidate: one thread, or the plain build
    }
  }
  return null;
}
