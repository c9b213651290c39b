// Which backend runs the kernels (Node): the native addon when it loads, else the WebAssembly
// build of the same kernels, else the reference backend (saying so once). FLINT_BACKEND=ref or
// FLINT_BACKEND=wasm forces one; setBackend switches at run time.
import v8 from "node:v8";
import { constants } from "node:buffer";
import { totalmem } from "node:os";
import { setEngineLimits } from "../checked-size.js";
import { type Backend, backend as active, registerBackend, setActiveBackend } from "./backend.js";
import { metaBackend } from "./meta.js";
import { refBackend } from "./ref/index.js";
import { nativeAddon } from "./native/addon.js";
import type { NativeAddon } from "./native/addon-api.js";
import { makeNativeBackend } from "./native/index.js";
import { makeWasmBackend, type WasmBackend } from "./wasm/index.js";
import type { HeapStats } from "./wasm/heap-storage.js";
import type { GemmChoice } from "./wasm/gemm-variant.js";
import { kernelTimes, timeKernels, type KernelTime } from "./wasm/kernel-timing.js";
import { loadedWasmFile, loadKernelsFromDisk } from "./wasm/load-node.js";
import { instantiateKernelsSync } from "./wasm/module.js";

registerBackend(metaBackend);
// Allocation limits of this process: the machine's memory and V8's largest typed array.
setEngineLimits({ totalMemory: totalmem(), maxLength: constants.MAX_LENGTH });

const forced = process.env.FLINT_BACKEND;
const addon = forced === "wasm" ? null : nativeAddon();
const native: Backend | null = addon ? makeNativeBackend(addon) : null;

let wasmCache: WasmBackend | null | undefined;
/**
 * The GEMM micro-kernel variant (./wasm/gemm-variant.ts): FLINT_WASM_GEMM=a|b, or =probe to time
 * both; default "a", the faster in Node, whose V8 checks wasm bounds with guard pages (the probe
 * at load exists for browsers, whose engines differ; under load it may misjudge).
 */
const gemmOverride = (): string => process.env.FLINT_WASM_GEMM || "default";
/** The WebAssembly backend, instantiated on first use (null when native/wasm/flint.wasm will not load). */
function wasm(): WasmBackend | null {
  if (wasmCache === undefined) {
    const ex = loadKernelsFromDisk();
    wasmCache = ex ? makeWasmBackend(ex, {}, gemmOverride()) : null;
  }
  return wasmCache;
}

if (native) {
  setActiveBackend(native);
  // PyTorch honours OMP_NUM_THREADS; launchers (flint run, torchrun) set it to 1 per rank.
  const omp = Number(process.env.OMP_NUM_THREADS ?? "");
  if (addon && Number.isInteger(omp) && omp >= 1) addon.setNumThreads(omp);
} else if (forced !== "ref" && wasm()) {
  setActiveBackend((wasm() as WasmBackend).backend);
  if (forced !== "wasm") {
    process.emitWarning(
      "the native addon (build/Release/flint_native.node) is not available; running on the WebAssembly build of its kernels (on worker threads): a CNN training step ~4x slower than the native addon on one thread, more against its thread pool (the TypeScript reference backend would be ~75x slower). Rebuild the addon with `npm run build:native`.",
      { code: "FLINT_NO_NATIVE" },
    );
  }
} else {
  setActiveBackend(refBackend);
  if (forced !== "ref") {
    process.emitWarning(
      "neither the native addon (build/Release/flint_native.node) nor the WebAssembly kernels (native/wasm/flint.wasm) are available; running on the TypeScript reference backend, about 75x slower than native for a CNN training step. Rebuild the addon with `npm run build:native`.",
      { code: "FLINT_NO_NATIVE" },
    );
  }
}

/**
 * V8 frees the memory of dead ArrayBuffers (every tensor's storage) on a background thread. On a
 * small machine that thread takes a core away from the native kernels' thread pool in the middle
 * of a call, and a training step on 2 cores gets ~35% slower (bench/cnn.ts: 37 ms against 27 ms).
 * Freeing them on the main thread when a GC finishes costs far less. V8 reads this flag only when
 * it starts such a sweep, so changing it at run time is safe, and Node keeps V8's flags open to
 * v8.setFlagsFromString. It is a process-wide setting, so importing Flint does not do it:
 * torch.tuneProcess() (src/process-tuning.ts; the CLI calls it) does. FLINT_KEEP_V8_FLAGS=1 leaves V8 as it is.
 */
export function freeArrayBuffersOnMainThread(): void {
  if (process.env.FLINT_KEEP_V8_FLAGS === "1") return;
  v8.setFlagsFromString("--no-concurrent-array-buffer-sweeping");
}

/** The name of the active backend: "native", "wasm" or "ref". */
export const backendName = (): string => active().name;

/** Selects a backend by name; "native" and "wasm" throw when their kernels are not available. */
export function setBackend(name: "ref" | "native" | "wasm"): void {
  if (name === "native") {
    if (!native)
      throw new Error("setBackend: the native addon is not available (build it with `npm run build:native`)");
    setActiveBackend(native);
  } else if (name === "wasm") {
    const w = wasm();
    if (!w)
      throw new Error(
        "setBackend: the WebAssembly kernels (native/wasm/flint.wasm) are not available (build them with `npm run build:wasm`)",
      );
    setActiveBackend(w.backend);
  } else if (name === "ref") {
    setActiveBackend(refBackend);
  } else {
    throw new Error(`setBackend: unknown backend '${String(name)}' (expected "native", "wasm" or "ref")`);
  }
}

/**
 * Makes the WebAssembly kernels the active backend when the reference backend is active (as the
 * browser build's loadWasm does; Node loads them from native/wasm/flint.wasm, or from the bytes
 * given). Resolves to backendName().
 */
export async function loadWasm(
  source?: string | URL | ArrayBuffer | ArrayBufferView | Response,
  options: { relaxedSimd?: boolean } = {},
): Promise<string> {
  if (source === undefined && wasmCache === undefined && options.relaxedSimd === false) {
    const ex = loadKernelsFromDisk({ relaxedSimd: false });
    wasmCache = ex ? makeWasmBackend(ex, {}, gemmOverride()) : null;
  }
  if (source !== undefined && wasmCache == null) {
    givenBytes = true;
    const bytes =
      typeof source === "string" || source instanceof URL
        ? await (await fetch(source)).arrayBuffer()
        : source instanceof Response
          ? await source.arrayBuffer()
          : source;
    wasmCache = makeWasmBackend(instantiateKernelsSync(bytes), {}, gemmOverride());
  }
  const w = wasm();
  if (!w)
    throw new Error(
      "loadWasm: the WebAssembly kernels (native/wasm/flint.wasm) are not available (build them with `npm run build:wasm`)",
    );
  if (active().name === "ref") setActiveBackend(w.backend);
  return active().name;
}

let givenBytes = false;
/**
 * Which build of the WebAssembly kernels runs: flint.wasm, flint-mt.wasm (threads),
 * flint-relaxed.wasm or flint-mt-relaxed.wasm (relaxed SIMD; FLINT_WASM_RELAXED=0 keeps to the
 * plain ones), "bytes" when loadWasm was given them; null before the wasm backend first loads.
 */
export const wasmBuild = (): string | null => (wasmCache ? (givenBytes ? "bytes" : loadedWasmFile()) : null);

/** The kernels behind the active backend (null for the reference backend). */
function activeKernels(): NativeAddon | null {
  const name = active().name;
  if (name === "native") return addon;
  if (name === "wasm") return wasmCache?.kernels ?? null;
  return null;
}

/**
 * The WebAssembly backend's memory use (src/backend/wasm/heap-storage.ts), for benchmarks and the
 * demo page; null before the backend is loaded. Not part of torch's API (not exported by index.ts).
 */
export const wasmHeapStats = (): HeapStats | null => wasmCache?.kernels.heapStorage.stats() ?? null;

/**
 * The WebAssembly GEMM micro-kernel variant that runs and how it was chosen (probe timings or
 * FLINT_WASM_GEMM; ./wasm/gemm-variant.ts); null before the backend is loaded. Not part of torch's API.
 */
export const wasmGemmChoice = (): GemmChoice | null => wasmCache?.gemm ?? null;

let kernelTable: Map<string, KernelTime> | null = null;
/**
 * Per-kernel timers of the WebAssembly backend (./wasm/kernel-timing.ts), for benchmarks: "start"
 * wraps (or zeroes) them, "read" returns calls and milliseconds per kernel so far ({} before a
 * start). Not part of torch's API.
 */
export function wasmKernelTiming(what: "start" | "read"): Record<string, KernelTime> {
  if (what === "start" && wasmCache) kernelTable = timeKernels(wasmCache.kernels);
  return kernelTimes(kernelTable);
}

/** torch.set_num_threads: threads used by native kernels (the calling thread included). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  addon?.setNumThreads(n);
  wasmCache?.kernels.setNumThreads(n);
}

/** torch.get_num_threads. */
export const getNumThreads = (): number => activeKernels()?.getNumThreads() ?? addon?.getNumThreads() ?? 1;
