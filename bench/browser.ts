// npm run bench:browser: the seed CNN's training step (batch 64) on the WebAssembly kernels in
// headless Chromium (the demo page, examples/browser, on synthetic CIFAR-format data) against the
// same step in Node on the same kernels, build (plain SIMD128, or relaxed SIMD where Node has it
// too: Node 20 needs --experimental-wasm-relaxed-simd) and thread count. Browser and Node runs
// alternate (--rounds), so both see the same machine load. Prints the medians and their ratio,
// what each side runs (cross-origin isolation, threads, .wasm file), then one JSON line.
//
// Also printed: the time to write 64 MB into freshly allocated Float32Arrays (1 MB each) on each
// side, the minimum of 5 (Node's glibc hands back freed pages; Chromium maps fresh ones, and a
// page's first touch costs about the same in both: ~4 ms per MB on this machine, for a wasm
// memory's new pages too), and the engine probe (bench/browser-probes.ts): one kernel export
// called directly in each engine, which tells the engine's share of the gap from Flint's, for each
// of the GEMM micro-kernel's two variants; and which variant each side's loader chose
// (src/backend/wasm/gemm-variant.ts: Debian's Chromium, with explicit bounds checks, takes "b").
// Usage: node [--experimental-wasm-relaxed-simd] --import tsx bench/browser.ts [--steps 12]
//        [--batch 64] [--threads 2] [--rounds 2] [--ballast F] [--timing 1] [--ops 1] [--verbose 1]
//        [--worker 1] [--gemm a|b]
// --worker 1: the page trains in a Web Worker (examples/browser/worker.js; no per-kernel timers).
// --timing 1: per-kernel timers (src/backend/wasm/kernel-timing.ts) on both sides over the timed
// steps, printed as ms per step, Chromium against Node, with the step's time outside the kernels.
// --ops 1: single ops of the seed CNN's shapes on both sides after each round (browser-probes.ts).
// --verbose 1: every step's time. FLINT_BENCH_CHROMIUM_ARGS: extra Chromium switches, for
// diagnosis only (e.g. --js-flags=--no-liftoff); a user's browser runs without them.
// --ballast F: the page's collector ballast for tensor storage in the wasm memory, as a fraction
// of the storage (default 1 in a browser, src/backend/wasm/heap-storage.ts); a larger one collects
// dead tensors sooner, so the memory grows less (each fresh page is slow to touch in Chromium).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { wasmGemmChoice, wasmHeapStats, wasmKernelTiming } from "../src/backend/select.js";
import type { KernelTime } from "../src/backend/wasm/kernel-timing.js";
import type { HeapStats } from "../src/backend/wasm/heap-storage.js";
import type { GemmChoice } from "../src/backend/wasm/gemm-variant.js";
import { startDemoServer } from "../examples/browser/serve.js";
import { RECORD_BYTES, parseCifar, trainSeedCnn } from "../examples/browser/train.js";
import { ENGINE_SGEMM, FRESH_WRITE, OPS } from "./browser-probes.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const steps = arg("steps", 12),
  batch = arg("batch", 64),
  threads = arg("threads", 2),
  rounds = arg("rounds", 2),
  ballast = arg("ballast", 0),
  timing = arg("timing", 0) > 0,
  inWorker = arg("worker", 0) > 0,
  warmup = 2;
type Variants = { a: number; b: number };
const minOf = (x: Variants, y: Variants): Variants => ({ a: Math.min(x.a, y.a), b: Math.min(x.b, y.b) });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface DemoState {
  done: boolean;
  error: string | null;
  stepMs: number[];
  threads: number;
  wasmBuild: string;
  gemm: GemmChoice | null;
  isolated: boolean;
  memoryBytes: number[];
  heap: HeapStats | null;
  kernels: Record<string, KernelTime> | null;
}
declare const window: { flintDemo?: DemoState; crossOriginIsolated: boolean };

// --gemm a|b: the page's GEMM micro-kernel variant without its probe (src/backend/wasm/gemm-variant.ts).
const gemmArg = ((i) => (i >= 0 ? process.argv[i + 1] : ""))(process.argv.indexOf("--gemm"));
const micro = arg("ops", 0) > 0,
  verbose = arg("verbose", 0) > 0;
(globalThis as { flintTorch?: unknown }).flintTorch = torch;
const mtBytes = readFileSync(new URL("../native/wasm/flint-mt.wasm", import.meta.url));

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
  const server = await startDemoServer({ port: 0, data: dir, isolate: true });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      // For diagnosis only (e.g. --js-flags=--no-liftoff): a user's browser runs without them.
      ...(process.env.FLINT_BENCH_CHROMIUM_ARGS ?? "").split(" ").filter(Boolean),
    ],
  });
  const browserMs: number[] = [],
    nodeMs: number[] = [],
    fresh = { browser: Infinity, node: Infinity },
    engine = { browser: { a: Infinity, b: Infinity }, node: { a: Infinity, b: Infinity } },
    nodeMemory: number[] = [];
  // Summed over the rounds' timed steps: per kernel, and the steps' own total.
  const kernelSums = { browser: new Map<string, KernelTime>(), node: new Map<string, KernelTime>() };
  const stepSums = { browser: 0, node: 0 };
  const addKernels = (into: Map<string, KernelTime>, from: Record<string, KernelTime> | null): void => {
    for (const [k, t] of Object.entries(from ?? {})) {
      const s = into.get(k) ?? { calls: 0, ms: 0 };
      into.set(k, { calls: s.calls + t.calls, ms: s.ms + t.ms });
    }
  };
  let page: DemoState | null = null;
  try {
    for (let round = 0; round < rounds; round++) {
      const tab = await browser.newPage();
      const query = `steps=${steps}&batch=${batch}&seed=0&threads=${threads}&autostart=1${ballast ? `&ballast=${ballast}` : ""}${timing ? `&timing=${warmup}` : ""}${inWorker ? "&worker=1" : ""}${relaxed ? "" : "&wasm=plain"}${gemmArg ? `&gemm=${gemmArg}` : ""}`;
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
      if (verbose) console.log("Chromium steps (ms):", page.stepMs.map((v) => v.toFixed(0)).join(" "));
      stepSums.browser += page.stepMs.slice(warmup).reduce((a, v) => a + v, 0);
      addKernels(kernelSums.browser, page.kernels);
      fresh.browser = Math.min(fresh.browser, (await tab.evaluate(FRESH_WRITE)) as number);
      engine.browser = minOf(
        engine.browser,
        (await tab.evaluate(
          `(async () => ${ENGINE_SGEMM}(new Uint8Array(await (await fetch("flint-mt.wasm")).arrayBuffer())))()`,
        )) as Variants,
      );
      if (micro) console.log(`ops (ms, min of 15), Chromium: ${JSON.stringify(await tab.evaluate(OPS))}`);
      await tab.close();

      const nodeSteps: string[] = [];
      await trainSeedCnn(torch, data, {
        steps,
        batchSize: batch,
        seed: 0,
        // A macrotask between steps, as the page takes one to repaint: the wasm memory frees the
        // storage of collected tensors only then, and without it the loop's storage falls back to
        // JavaScript arrays once the per-turn budget is spent (src/backend/wasm/heap-storage.ts).
        onStep: async ({ step, ms }) => {
          if (step > warmup) nodeMs.push(ms);
          if (verbose) nodeSteps.push(ms.toFixed(0));
          if (step > warmup) stepSums.node += ms;
          if (timing && step === warmup) wasmKernelTiming("start");
          if (round === rounds - 1) nodeMemory.push(wasmHeapStats()?.memoryBytes ?? 0);
          await new Promise((r) => setTimeout(r, 0));
        },
      });
      if (verbose) console.log("Node steps (ms):", nodeSteps.join(" "));
      if (timing) addKernels(kernelSums.node, wasmKernelTiming("read"));
      fresh.node = Math.min(fresh.node, (0, eval)(FRESH_WRITE) as number);
      engine.node = minOf(engine.node, (await (0, eval)(ENGINE_SGEMM)(mtBytes)) as Variants);
      if (micro) console.log(`ops (ms, min of 15), Node:     ${JSON.stringify((0, eval)(OPS))}`);
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
  // Each side's GEMM variant as its loader chose it (src/backend/wasm/gemm-variant.ts), and the engine probe of each.
  const nodeGemm = wasmGemmChoice();
  const chose = (c: GemmChoice | null): string =>
    c ? `${c.variant} (${c.how}${c.ms ? `: a ${c.ms.a.toFixed(2)} ms, b ${c.ms.b.toFixed(2)} ms` : ""})` : "-";
  console.log(`GEMM variant: Chromium ${chose(p.gemm)}; Node ${chose(nodeGemm)}`);
  const eb = engine.browser[p.gemm?.variant ?? "a"],
    en = engine.node[nodeGemm?.variant ?? "a"];
  console.log(
    `the engine alone (flint_sgemm 256x1024x256 called directly, one thread, min): variant a: Chromium ${engine.browser.a.toFixed(2)} ms, Node ${engine.node.a.toFixed(2)} ms, ${(engine.browser.a / engine.node.a).toFixed(2)}x; variant b: Chromium ${engine.browser.b.toFixed(2)} ms, Node ${engine.node.b.toFixed(2)} ms, ${(engine.browser.b / engine.node.b).toFixed(2)}x; each side's chosen variant: ${(eb / en).toFixed(2)}x (bench/browser-probes.ts)`,
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
  if (timing) printKernelTable(kernelSums, stepSums, browserMs.length, nodeMs.length);
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
      engineSgemmMs: engine,
      gemmVariant: { browser: p.gemm, node: nodeGemm },
      heap: { browser: p.heap, node: nodeHeap },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Per kernel: ms per timed step in Chromium and in Node and their ratio, the largest differences first. */
function printKernelTable(
  sums: { browser: Map<string, KernelTime>; node: Map<string, KernelTime> },
  steps: { browser: number; node: number },
  nb: number,
  nn: number,
): void {
  const names = [...new Set([...sums.browser.keys(), ...sums.node.keys()])];
  const per = (m: Map<string, KernelTime>, k: string, n: number): number => (m.get(k)?.ms ?? 0) / Math.max(n, 1);
  const rows = names.map((k) => ({
    k,
    b: per(sums.browser, k, nb),
    n: per(sums.node, k, nn),
    calls: (sums.browser.get(k)?.calls ?? 0) / Math.max(nb, 1),
  }));
  rows.sort((x, y) => y.b - y.n - (x.b - x.n));
  const total = (m: Map<string, KernelTime>): number => [...m.values()].reduce((a, t) => a + t.ms, 0);
  const kb = total(sums.browser) / Math.max(nb, 1),
    kn = total(sums.node) / Math.max(nn, 1);
  const line = (k: string, b: number, n: number, calls = ""): string =>
    `${k.padEnd(26)} ${b.toFixed(2).padStart(8)} ${n.toFixed(2).padStart(8)} ${(n > 0 ? b / n : 0).toFixed(2).padStart(6)} ${calls}`;
  console.log(
    `${"ms per step (mean)".padEnd(26)} ${"Chromium".padStart(8)} ${"Node".padStart(8)} ${"ratio".padStart(6)} calls`,
  );
  for (const r of rows) if (r.b + r.n > 0.05) console.log(line(r.k, r.b, r.n, r.calls.toFixed(0)));
  console.log(line("all kernels", kb, kn));
  console.log(line("outside the kernels", steps.browser / Math.max(nb, 1) - kb, steps.node / Math.max(nn, 1) - kn));
}
