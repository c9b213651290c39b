// Browsers: the threaded build (flint-mt.wasm, beside flint.wasm) with Web Workers when the page
// is cross-origin isolated (SharedArrayBuffer exists), else the one-thread build. Compiled
// asynchronously (a page's main thread may not compile a module this size synchronously).
import {
  compileModuleAsync,
  instantiateAsync,
  instantiateKernels,
  readyThreaded,
  sharedMemory,
  threadedImports,
  type KernelExports,
} from "./module.js";
import { makeThreads, WORKER_JOIN, type WorkerInit } from "./threads.js";

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

/** flint-mt.wasm's URL beside a flint.wasm URL (null when the name is not flint.wasm). */
function threadedUrl(url: string | URL): URL | null {
  const u = new URL(String(url), (globalThis as { location?: { href: string } }).location?.href);
  if (!u.pathname.endsWith("/flint.wasm") && u.pathname !== "flint.wasm") return null;
  u.pathname = u.pathname.replace(/flint\.wasm$/, "flint-mt.wasm");
  return u;
}

/**
 * The kernels from `source` (flint.wasm's URL, its bytes, or a Response). Given a URL on an
 * isolated page, the threaded file beside it is tried first, with every core as threads.
 */
export async function loadKernelsBrowser(
  source: string | URL | ArrayBuffer | ArrayBufferView | Response,
): Promise<KernelExports> {
  if ((typeof source === "string" || source instanceof URL) && threadsAvailable()) {
    const mt = threadedUrl(source);
    const response = mt ? await fetch(mt).catch(() => null) : null;
    if (response?.ok) {
      const module = await compileModuleAsync(await response.arrayBuffer());
      const memory = sharedMemory();
      const instance = await instantiateAsync(module, threadedImports(memory));
      const threads = Math.max(1, g.navigator?.hardwareConcurrency ?? 1);
      return readyThreaded(instance, memory, (ex) => makeThreads(ex, module, memory, spawnWeb, false, threads));
    }
  }
  const input = typeof source === "string" || source instanceof URL ? fetch(source) : source;
  return instantiateKernels(input);
}
