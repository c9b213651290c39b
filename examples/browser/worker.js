// The demo's training loop in a Web Worker (the page's ?worker=1): the page stays responsive
// without yielding between steps, and the kernels' calling thread may block (Atomics.wait) while
// the kernel workers finish instead of spinning as a page's main thread must. Bundled by
// ./serve.ts as /worker.js. Messages in: { steps, batchSize, seed, lr, threads, relaxedSimd,
// gemmVariant, images, labels, n }; out: { ready, wasmBuild, gemm, threads }, then
// { step, loss, accuracy, ms, memoryBytes } per step, then { done, heap } or { error }.
import * as torch from "../../src/index.js";
import { trainSeedCnn } from "./train.ts";
import { wasmGemmChoice, wasmHeapStats } from "../../src/backend/select.js";

onmessage = async (e) => {
  const o = e.data;
  try {
    await torch.loadWasm(new URL("flint.wasm", location.href), {
      relaxedSimd: o.relaxedSimd,
      ...(o.gemmVariant ? { gemmVariant: o.gemmVariant } : {}),
    });
    if (o.threads) torch.setNumThreads(o.threads);
    postMessage({ ready: true, wasmBuild: torch.wasmBuild(), gemm: wasmGemmChoice(), threads: torch.getNumThreads() });
    const data = { images: o.images, labels: o.labels, n: o.n };
    await trainSeedCnn(torch, data, {
      steps: o.steps,
      batchSize: o.batchSize,
      seed: o.seed,
      lr: o.lr,
      onStep: async (s) => {
        postMessage({ ...s, memoryBytes: wasmHeapStats()?.memoryBytes ?? 0 });
        // A macrotask between steps: the wasm memory frees collected tensors' storage only then.
        await new Promise((r) => setTimeout(r, 0));
      },
    });
    postMessage({ done: true, heap: wasmHeapStats() });
  } catch (err) {
    postMessage({ error: String(err?.stack ?? err) });
  }
};
