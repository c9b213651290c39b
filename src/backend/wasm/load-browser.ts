// Browsers: the threaded build (flint-mt.wasm, beside flint.wasm) with Web Workers when the page
// is cross-origin isolated (SharedArrayBuffer exists), else the one-thread build; of each, the
// relaxed-SIMD file (flint[-mt]-relaxed.wasm) where the engine validates relaxed SIMD
// (./relaxed.ts). Compiled while it downloads (WebAssembly.compileStreaming, which also lets the
// browser cache the compiled code) and asynchronously (a page's main thread may not compile a
// module this size synchronously).
import {
  compileModuleAsync,
  instantiateAsync,
  instantiateKernels,
  readyThreaded,
  sharedMemory,
  threadedImports,
  type KernelExports,
} from "./module.js";
import { relaxedSimdSupported, wasmFileName } from "./relaxed.js";
import { makeThreads, WORKER_JOIN, type WorkerInit } from "./threads.js";
import type { HeapStorageOptions } from "./heap-storage.js";

interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: string) => { postMessage(data: unknown): void };
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL?(blob: object): string };
}
const g = globalThis as unknown as BrowserGlobals;

/** Whether this page can share memory with workers. */
export const threadsAvailable = (): boolean =>
  g.crossOriginIsolated === true && typeof SharedArrayBuffer === "function" && typeof g.Worker === "function";

let workerUrl: string | null = null;
const spawnWeb = (init: WorkerInit): void => {
  if (workerUrl === null) {
    // A worker from a Blob: the page needs no second script file, and the bundle none either.
    const source = `${WORKER_JOIN}\nonmessage = (e) => join(e.data);`;
    workerUrl = (g.URL.createObjectURL as (b: object) => string)(
      new (g.Blob as NonNullable<BrowserGlobals["Blob"]>)([source], { type: "text/javascript" }),
    );
  }
  new (g.Worker as NonNullable<BrowserGlobals["Worker"]>)(workerUrl).postMessage(init);
};

/** The URL of a build `name` beside a flint.wasm URL (null when the name is not flint.wasm). */
function besideUrl(url: string | URL, name: string): URL | null {
  const u = new URL(String(url), (globalThis as { location?: { href: string } }).location?.href);
  if (!u.pathname.endsWith("/flint.wasm") && u.pathname !== "flint.wasm") return null;
  u.pathname = u.pathname.replace(/flint\.wasm$/, name);
  return u;
}

interface StreamingApi {
  compileStreaming?(source: Promise<Response>): Promise<object>;
  compile(bytes: ArrayBuffer): Promise<object>;
}
/** Compiles a fetched module, streaming where the engine can (it needs the application/wasm type). */
async function compileFetched(url: URL): Promise<object | null> {
  const api = (globalThis as unknown as { WebAssembly: StreamingApi }).WebAssembly;
  const response = await fetch(url).catch(() => null);
  if (!response?.ok) return null;
  if (api.compileStreaming && response.headers.get("Content-Type")?.startsWith("application/wasm"))
    return api.compileStreaming(Promise.resolve(response));
  return compileModuleAsync(await response.arrayBuffer());
}

let loaded: string | null = null;
/** The build loadKernelsBrowser loaded (flint[-mt][-relaxed].wasm; "bytes" when given bytes), null before. */
export const loadedWasmFile = (): string | null => loaded;

export interface LoadWasmOptions {
  /** false: the plain SIMD128 build even where the engine has relaxed SIMD (default: use it there). */
  relaxedSimd?: boolean;
  /** Tensor storage in the threaded build's memory: on/off, cap, budget, ballast (./heap-storage.ts). */
  heapStorage?: HeapStorageOptions;
  /**
   * The GEMM micro-kernel variant, "a" or "b" (the same floats; ./gemm-variant.ts); default: the
   * faster on this engine, timed in a few milliseconds when the kernels load.
   */
  gemmVariant?: "a" | "b" | "probe";
}

/**
 * The kernels from `source` (flint.wasm's URL, its bytes, or a Response). Given a URL, the builds
 * beside it are tried first: on an isolated page the threaded one, with every core as threads,
 * and where the engine validates relaxed SIMD the relaxed one.
 */
export async function loadKernelsBrowser(
  source: string | URL | ArrayBuffer | ArrayBufferView | Response,
  options: LoadWasmOptions = {},
): Promise<KernelExports> {
  if (typeof source === "string" || source instanceof URL) {
    const relaxed = options.relaxedSimd !== false && relaxedSimdSupported();
    for (const mt of threadsAvailable() ? [true, false] : [false]) {
      for (const r of relaxed ? [true, false] : [false]) {
        const name = wasmFileName(mt, r),
          url = besideUrl(source, name);
        const module = url ? await compileFetched(url).catch(() => null) : null;
        if (!module) continue;
        let ex: KernelExports;
        if (mt) {
          const memory = sharedMemory();
          const instance = await instantiateAsync(module, threadedImports(memory));
          const threads = Math.max(1, g.navigator?.hardwareConcurrency ?? 1);
          // A worker's thread may block (Atomics.wait) while the kernel workers finish; a page's
          // main thread may not, and spins.
          const mayWait = typeof (globalThis as { document?: unknown }).document === "undefined";
          ex = readyThreaded(instance, memory, (e) => makeThreads(e, module, memory, spawnWeb, mayWait, threads));
        } else {
          ex = (await instantiateAsync(module, {})).exports as KernelExports;
          ex._initialize(); // the C++ static constructors, as instantiateKernels does
        }
        loaded = name;
        return ex;
      }
    }
  }
  const input = typeof source === "string" || source instanceof URL ? fetch(source) : source;
  const ex = await instantiateKernels(input);
  loaded = typeof source === "string" || source instanceof URL ? String(source) : "bytes";
  return ex;
}
