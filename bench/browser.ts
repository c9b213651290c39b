// npm run bench:browser: the seed CNN's training step (batch 64) on the WebAssembly kernels in
// headless Chromium (the demo page, examples/browser, on synthetic CIFAR-format data) against the
// same step in Node on the same kernels and thread count. Prints the medians and their ratio, then
// one JSON line. With more than one thread the page is served cross-origin isolated, so that it
// can share the kernels' memory with its workers.
// Usage: node --import tsx bench/browser.ts [--steps 12] [--batch 64] [--threads 2]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { startDemoServer } from "../examples/browser/serve.js";
import { RECORD_BYTES, parseCifar, trainSeedCnn } from "../examples/browser/train.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const steps = arg("steps", 12),
  batch = arg("batch", 64),
  threads = arg("threads", 2),
  warmup = 2;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

declare const window: { flintDemo?: { done: boolean; error: string | null; stepMs: number[]; threads: number } };

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
  let browserMs: number[];
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}?steps=${steps}&batch=${batch}&seed=0&threads=${threads}&autostart=1`);
    const h = await page.waitForFunction(
      () => {
        const d = window.flintDemo;
        return d && (d.done || d.error) ? d : null;
      },
      null,
      { timeout: 1800000, polling: 500 },
    );
    const d = (await h.jsonValue()) as { error: string | null; stepMs: number[]; threads: number };
    if (d.error) throw new Error(d.error);
    if (d.threads !== threads) throw new Error(`the page runs ${d.threads} threads, not ${threads}`);
    browserMs = d.stepMs.slice(warmup);
  } finally {
    await browser.close();
    await server.close();
  }

  torch.setBackend("wasm");
  torch.setNumThreads(threads);
  const nodeMs: number[] = [];
  await trainSeedCnn(torch, parseCifar([new Uint8Array(readFileSync(join(dir, "data_batch_1.bin")))]), {
    steps,
    batchSize: batch,
    seed: 0,
    onStep: ({ step, ms }) => {
      if (step > warmup) nodeMs.push(ms);
    },
  });
  const b = median(browserMs),
    nd = median(nodeMs);
  console.log(
    `seed CNN training step, batch ${batch}, WebAssembly kernels, ${threads} thread${threads > 1 ? "s" : ""}: Chromium ${b.toFixed(1)} ms, Node ${nd.toFixed(1)} ms (median of ${browserMs.length}); browser/Node ${(b / nd).toFixed(2)}`,
  );
  console.log(
    JSON.stringify({ impl: "flint-wasm-browser", batch, threads, trainMs: b, nodeTrainMs: nd, ratio: b / nd }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
