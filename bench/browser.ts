// npm run bench:browser: the seed CNN's training step (batch 64) on the WebAssembly kernels in
// headless Chromium (the demo page, examples/browser, on synthetic CIFAR-format data) against the
// same step in Node on the same kernels, build (plain SIMD128, or relaxed SIMD where Node has it
// too: Node 20 needs --experimental-wasm-relaxed-simd) and thread count. Browser and Node runs
// alternate (--rounds), so both see the same machine load. Prints the medians and their ratio,
// what each side runs (cross-origin isolation, threads, .wasm file), then one JSON line.
//
// Also printed: the time to write 64 MB into freshly allocated Float32Arrays (1 MB each) on each
// side, the minimum of 5. The wasm backend copies every kernel's output out of the module's
// memory into a new tensor array; writing to fresh ArrayBuffer pages is ~10-30x slower in
// Chromium than in Node (glibc reuses freed pages; Chromium maps fresh ones), which is most of
// the browser/Node gap, and what keeping tensor storage in the wasm memory removes.
// Usage: node [--experimental-wasm-relaxed-simd] --import tsx bench/browser.ts [--steps 12]
//        [--batch 64] [--threads 2] [--rounds 2] [--ballast F]
// --ballast F: the page's collector ballast for tensor storage in the wasm memory, as a fraction
// of the storage (default 1 in a browser, src/backend/wasm/heap-storage.ts); a larger one collects
// dead tensors sooner, so the memory grows less (each fresh page is slow to touch in Chromium).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { wasmHeapStats } from "../src/backend/select.js";
import type { HeapStats } from "../src/backend/wasm/heap-storage.js";
import { startDemoServer } from "../examples/browser/serve.js";
import { RECORD_BYTES, parseCifar, trainSeedCnn } from "../examples/browser/train.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const steps = arg("steps", 12),
  batch = arg("batch", 64),
  threads = arg("threads", 2),
  rounds = arg("rounds", 2),
  ballast = arg("ballast", 0),
  warmup = 2;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface DemoState {
  done: boolean;
  error: string | null;
  stepMs: number[];
  threads: number;
  wasmBuild: string;
  isolated: boolean;
  memoryBytes: number[];
  heap: HeapStats | null;
}
declare const window: { flintDemo?: DemoState; crossOriginIsolated: boolean };

// As source text: page.evaluate must not see tsx's rewriting of a function.
const FRESH_WRITE = `(() => { let best = Infinity;
  for (let r = 0; r < 5; r++) { const t0 = performance.now();
    for (let i = 0; i < 64; i++) new Float32Array(1 << 18).fill(1);
    best = Math.min(best, performance.now() - t0); }
  return best; })()`;

torch.setBackend("wasm");
torch.setNumThreads(threads);
const nodeBuild = torch.wasmBuild() as string;
const relaxed = nodeBuild.includes("relaxed");

const dir = mkdtempSync(join(tmpdir(), "flint-bench-browser-"));
try {
  // Synthetic records in the official format: a label byte, then 3072 pixel bytes.
  const n = 1024,
    bytes = new Uint8Array(n * RECORD_BYTES);
  let s = 12345;
  for (let i = 0; i < bytes.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bytes[i] = i % RECORD_BYTES === 0 ? (s >>> 24) % 10 : s >>> 24;
  }
  writeFileSync(join(dir, "data_batch_1.bin"), bytes);
  const data = parseCifar([new Uint8Array(readFileSync(join(dir, "data_batch_1.bin")))]);

  const { chromium } = await import("playwright-core");
  const server = await startDemoServer({ port: 0, data: dir, isolate: threads > 1 });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const browserMs: number[] = [],
    nodeMs: number[] = [],
    fresh = { browser: Infinity, node: Infinity },
    nodeMemory: number[] = [];
  let page: DemoState | null = null;
  try {
    for (let round = 0; round < rounds; round++) {
      const tab = await browser.newPage();
      const query = `steps=${steps}&batch=${batch}&seed=0&threads=${threads}&autostart=1${ballast ? `&ballast=${ballast}` : ""}${relaxed ? "" : "&wasm=plain"}`;
      await tab.goto(`${server.url}?${query}`);
      const h = await tab.waitForFunction(
        () => {
          const d = window.flintDemo;
          return d && (d.done || d.error) ? { ...d, isolated: window.crossOriginIsolated } : null;
        },
        null,
        { timeout: 1800000, polling: 500 },
      );
      page = (await h.jsonValue()) as DemoState;
      if (page.error) throw new Error(page.error);
      if (page.threads !== threads) throw new Error(`the page runs ${page.threads} threads, not ${threads}`);
      browserMs.push(...page.stepMs.slice(warmup));
      fresh.browser = Math.min(fresh.browser, (await tab.evaluate(FRESH_WRITE)) as number);
      await tab.close();

      await trainSeedCnn(torch, data, {
        steps,
        batchSize: batch,
        seed: 0,
        // A macrotask between steps, as the page takes one to repaint: the wasm memory frees the
        // storage of collected tensors only then, and without it the loop's storage falls back to
        // JavaScript arrays once the per-turn budget is spent (src/backend/wasm/heap-storage.ts).
        onStep: async ({ step, ms }) => {
          if (step > warmup) nodeMs.push(ms);
          if (round === rounds - 1) nodeMemory.push(wasmHeapStats()?.memoryBytes ?? 0);
          await new Promise((r) => setTimeout(r, 0));
        },
      });
      fresh.node = Math.min(fresh.node, (0, eval)(FRESH_WRITE) as number);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const b = median(browserMs),
    nd = median(nodeMs),
    p = page as DemoState;
  console.log(
    `seed CNN training step, batch ${batch}, WebAssembly kernels, ${threads} thread${threads > 1 ? "s" : ""}: Chromium ${b.toFixed(1)} ms, Node ${nd.toFixed(1)} ms (median of ${browserMs.length}, ${rounds} alternating rounds); browser/Node ${(b / nd).toFixed(2)}`,
  );
  console.log(
    `Chromium: ${p.wasmBuild}, ${p.threads} thread(s), cross-origin isolated ${p.isolated}; Node: ${nodeBuild}, ${torch.getNumThreads()} thread(s)`,
  );
  console.log(
    `64 MB written into fresh 1 MB Float32Arrays: Chromium ${fresh.browser.toFixed(1)} ms, Node ${fresh.node.toFixed(1)} ms (min of 5)`,
  );
  // Storage falling back to JavaScript arrays, or a memory still growing in the timed steps (fresh
  // pages, slow to touch in Chromium), would show here. The node side shares one memory across rounds.
  const mib = (b: number): string => (b / 2 ** 20).toFixed(0);
  const growth = (m: number[]): string =>
    m.length
      ? `${mib(m[0])} MiB after step 1, ${mib(m[warmup])} after ${warmup + 1}, ${mib(m[m.length - 1])} at the end`
      : "-";
  const nodeHeap = wasmHeapStats();
  console.log(
    `wasm memory: Chromium ${growth(p.memoryBytes)} (storage ${JSON.stringify(p.heap)}); Node (last round) ${growth(nodeMemory)} (storage ${JSON.stringify(nodeHeap)})`,
  );
  console.log(
    JSON.stringify({
      impl: "flint-wasm-browser",
      batch,
      threads,
      build: nodeBuild,
      trainMs: b,
      nodeTrainMs: nd,
      ratio: b / nd,
      freshWrite64MBMs: fresh,
      heap: { browser: p.heap, node: nodeHeap },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
