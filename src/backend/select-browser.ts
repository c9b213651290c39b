// Which backend runs the kernels in the browser build (package.json "browser" map over
// ./select.ts): the reference backend until loadWasm() has fetched and compiled the WebAssembly
// kernels (a page's main thread may only compile them asynchronously), then the WebAssembly one.
import { backend as active, registerBackend, setActiveBackend } from "./backend.js";
import { metaBackend } from "./meta.js";
import { refBackend } from "./ref/index.js";
import { makeWasmBackend, type WasmBackend } from "./wasm/index.js";
import type { HeapStats } from "./wasm/heap-storage.js";
import { warmGemmVariants, type GemmChoice } from "./wasm/gemm-variant.js";
import { kernelTimes, timeKernels, type KernelTime } from "./wasm/kernel-timing.js";
import { loadedWasmFile, loadKernelsBrowser, type LoadWasmOptions } from "./wasm/load-browser.js";

registerBackend(metaBackend);
setActiveBackend(refBackend);
let wasm: WasmBackend | null = null;

/**
 * Loads the WebAssembly kernels and makes them the active backend (unless setBackend chose
 * another since). source: the flint.wasm file's URL (default: "flint.wasm" next to the page's
 * script bundle), its bytes, or a fetch Response. Resolves to backendName(). Given a URL, the
 * relaxed-SIMD build beside it runs where the engine has relaxed SIMD (options.relaxedSimd: false
 * keeps to the plain one); wasmBuild() tells which file runs.
 */
export async function loadWasm(
  source?: string | URL | ArrayBuffer | ArrayBufferView | Response,
  options?: LoadWasmOptions,
): Promise<string> {
  if (!wasm) {
    // On a cross-origin-isolated page, flint-mt.wasm beside it runs the kernels on worker threads.
    const ex = await loadKernelsBrowser(source ?? new URL("flint.wasm", import.meta.url), options);
    // Unless told the variant, time both (after a warm-up and a pause for the engine's optimising compiler).
    if (!options?.gemmVariant) await warmGemmVariants(ex);
    wasm = makeWasmBackend(ex, options?.heapStorage, options?.gemmVariant);
  }
  if (active().name === "ref") setActiveBackend(wasm.backend);
  return active().name;
}

/**
 * Which build of the WebAssembly kernels runs: flint.wasm, flint-mt.wasm (threads),
 * flint-relaxed.wasm or flint-mt-relaxed.wasm (relaxed SIMD); null before loadWasm().
 */
export const wasmBuild = (): string | null => (wasm ? loadedWasmFile() : null);

/** The name of the active backend: "wasm" or "ref" ("native" exists only in Node). */
export const backendName = (): string => active().name;

/** Selects a backend by name; "wasm" needs loadWasm() first, "native" is Node only. */
export function setBackend(name: "ref" | "native" | "wasm"): void {
  if (name === "ref") setActiveBackend(refBackend);
  else if (name === "wasm") {
    if (!wasm)
      throw new Error(
        "setBackend('wasm'): call `await torch.loadWasm()` first (the kernels load asynchronously in a browser)",
      );
    setActiveBackend(wasm.backend);
  } else if (name === "native") throw new Error("setBackend('native'): the native addon exists only in Node");
  else throw new Error(`setBackend: unknown backend '${String(name)}' (expected "wasm" or "ref")`);
}

/**
 * The WebAssembly backend's memory use (src/backend/wasm/heap-storage.ts), for benchmarks and the
 * demo page; null before the backend is loaded. Not part of torch's API (not exported by index.ts).
 */
export const wasmHeapStats = (): HeapStats | null => wasm?.kernels.heapStorage.stats() ?? null;

/**
 * The WebAssembly GEMM micro-kernel variant that runs and how it was chosen (probe timings or
 * loadWasm's gemmVariant; ./wasm/gemm-variant.ts); null before loadWasm(). Not part of torch's API.
 */
export const wasmGemmChoice = (): GemmChoice | null => wasm?.gemm ?? null;

let kernelTable: Map<string, KernelTime> | null = null;
/**
 * Per-kernel timers of the WebAssembly backend (./wasm/kernel-timing.ts), for benchmarks: "start"
 * wraps (or zeroes) them, "read" returns calls and milliseconds per kernel so far ({} before a
 * start). Not part of torch's API.
 */
export function wasmKernelTiming(what: "start" | "read"): Record<string, KernelTime> {
  if (what === "start" && wasm) kernelTable = timeKernels(wasm.kernels);
  return kernelTimes(kernelTable);
}

/** torch.set_num_threads: worker threads for the WebAssembly kernels (cross-origin-isolated pages only). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  wasm?.kernels.setNumThreads(n);
}

/** torch.get_num_threads. */
export const getNumThreads = (): number => wasm?.kernels.getNumThreads() ?? 1;
