// The browser demo (examples/browser) in headless Chromium through playwright-core: the page is
// bundled and served from 127.0.0.1 with small CIFAR-format batch files, trains the seed CNN for
// a few dozen steps from a fixed seed on the WebAssembly kernels (one thread: the page is not
// cross-origin isolated), and its losses must equal this Node process's on the same backend, the
// same build of the kernels (the plain SIMD128 one unless this Node has relaxed SIMD too) and the
// same data, and fall; its "download weights" file holds the same trained weights. Left to
// itself, the page runs Chromium's relaxed-SIMD build.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import * as torch from "../src/index.js";
import { startDemoServer } from "../examples/browser/serve.js";
import { parseCifar, trainSeedCnn } from "../examples/browser/train.js";
import { tempDir, writeCifar } from "./cli-helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const dir = tempDir("flint-browser-demo-");
after(() => rmSync(dir, { recursive: true, force: true }));

interface DemoState {
  losses: number[];
  done: boolean;
  error: string | null;
  backend: string | null;
  wasmBuild: string | null;
  gemm: { variant: string; how: string } | null;
  threads: number;
}
declare const window: { flintDemo?: DemoState; crossOriginIsolated: boolean };

test(
  "the demo page trains in headless Chromium with Node's losses",
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium)`, timeout: 600000 },
  async () => {
    writeCifar(dir, 256);
    const data = join(dir, "cifar-10-batches-bin");
    const opts = { steps: 30, batchSize: 16, seed: 3, lr: 0.01 };
    const { chromium } = await import("playwright-core");
    const server = await startDemoServer({ port: 0, data });
    // Node's wasm backend runs the relaxed-SIMD build only where its engine has relaxed SIMD.
    const before = torch.backendName(),
      threadsBefore = torch.getNumThreads();
    torch.setBackend("wasm");
    const nodeBuild = torch.wasmBuild() as string;
    torch.setBackend(before as "native" | "wasm" | "ref");
    const relaxed = nodeBuild.includes("relaxed");
    // playwright-core starts Chromium with a fresh temporary profile (user-data-dir) of its own.
    const browser = await chromium
      .launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
      })
      .catch(async (e: unknown) => {
        await server.close();
        throw e;
      });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
      });
      // The page runs the GEMM micro-kernel's variant "b", Node its default "a": the losses must
      // still be equal bit for bit (src/backend/wasm/gemm-variant.ts).
      await page.goto(
        `${server.url}?steps=${opts.steps}&batch=${opts.batchSize}&seed=${opts.seed}&lr=${opts.lr}&autostart=1&gemm=b${relaxed ? "" : "&wasm=plain"}`,
      );
      const handle = await page.waitForFunction(
        () => {
          const d = window.flintDemo;
          return d && (d.done || d.error) ? { ...d, isolated: window.crossOriginIsolated } : null;
        },
        null,
        { timeout: 540000, polling: 250 },
      );
      const state = (await handle.jsonValue()) as DemoState & { isolated: boolean };
      assert.equal(state.error, null);
      assert.deepEqual(problems, []);
      assert.equal(state.backend, "wasm");
      assert.equal(state.isolated, false);
      assert.equal(state.threads, 1);
      assert.equal(state.wasmBuild, relaxed ? "flint-relaxed.wasm" : "flint.wasm");
      assert.deepEqual(state.gemm, { variant: "b", how: "override" });
      assert.equal(state.losses.length, opts.steps);
      assert.match((await page.textContent("#status")) ?? "", /^done/);
      assert.equal(await page.isEnabled("#download"), true);
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
      const weightsPath = join(dir, download.suggestedFilename());
      await download.saveAs(weightsPath);

      torch.setBackend("wasm");
      // The page runs on one thread; the weight gradients' per-task partial sums follow the thread count.
      torch.setNumThreads(state.threads);
      try {
        const files = ["data_batch_1.bin"].map((f) => new Uint8Array(readFileSync(join(data, f))));
        const { model, losses } = await trainSeedCnn(torch, parseCifar(files), opts);
        assert.deepEqual(state.losses, losses, "the page's losses equal Node's on the wasm backend");
        // The downloaded safetensors hold the trained weights under flint eval's (and PyTorch's seed program's) keys.
        const loaded = torch.load(new Uint8Array(readFileSync(weightsPath))) as Record<string, torch.Tensor>;
        const want = model.stateDict({ prefix: "model1." });
        assert.deepEqual(Object.keys(loaded).sort(), Object.keys(want).sort());
        for (const [k, v] of Object.entries(want)) assert.deepEqual(loaded[k].typedArray(), v.typedArray(), k);
      } finally {
        torch.setNumThreads(threadsBefore);
        torch.setBackend(before as "native" | "wasm" | "ref");
      }
      // Left to itself, the page picks Chromium's relaxed-SIMD build (Chromium >= 114 has it).
      const plainPage = await browser.newPage();
      await plainPage.goto(`${server.url}?steps=1&batch=4&autostart=1`);
      const build = await plainPage.waitForFunction(
        () => (window.flintDemo?.done ? window.flintDemo.wasmBuild : null),
        null,
        {
          timeout: 120000,
        },
      );
      assert.equal(await build.jsonValue(), "flint-relaxed.wasm");
      const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
      assert.ok(
        mean(state.losses.slice(-5)) < mean(state.losses.slice(0, 5)),
        `the loss falls: ${state.losses.map((v) => v.toFixed(3)).join(" ")}`,
      );
    } finally {
      await browser.close();
      await server.close();
    }
  },
);
