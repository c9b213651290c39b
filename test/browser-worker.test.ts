// The demo's Web Worker mode (examples/browser/worker.js, the page's ?worker=1) in headless
// Chromium: on a cross-origin-isolated page the worker loads the threaded build, runs two kernel
// threads (its own thread may block while they finish, which a page's main thread may not), and
// its losses equal this Node process's on the same build and thread count.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import * as torch from "../src/index.js";
import { startDemoServer } from "../examples/browser/serve.js";
import { parseCifar, trainSeedCnn } from "../examples/browser/train.js";
import { tempDir, writeCifar } from "./cli-helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const dir = tempDir("flint-browser-worker-");
after(() => rmSync(dir, { recursive: true, force: true }));

interface DemoState {
  losses: number[];
  done: boolean;
  error: string | null;
  wasmBuild: string | null;
  threads: number;
}
declare const window: { flintDemo?: DemoState; crossOriginIsolated: boolean };

test(
  "the demo trains in a Web Worker on two kernel threads with Node's losses",
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium)`, timeout: 600000 },
  async () => {
    writeCifar(dir, 128);
    const data = join(dir, "cifar-10-batches-bin");
    const opts = { steps: 12, batchSize: 16, seed: 5, lr: 0.01 },
      threads = 2;
    const before = torch.backendName(),
      threadsBefore = torch.getNumThreads();
    torch.setBackend("wasm");
    const nodeBuild = torch.wasmBuild() as string;
    torch.setBackend(before as "native" | "wasm" | "ref");
    const { chromium } = await import("playwright-core");
    const server = await startDemoServer({ port: 0, data, isolate: true });
    const browser = await chromium
      .launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--no-first-run"] })
      .catch(async (e: unknown) => {
        await server.close();
        throw e;
      });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(
        `${server.url}?steps=${opts.steps}&batch=${opts.batchSize}&seed=${opts.seed}&lr=${opts.lr}&threads=${threads}&worker=1&autostart=1${nodeBuild.includes("relaxed") ? "" : "&wasm=plain"}`,
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
      assert.equal(state.isolated, true);
      assert.equal(state.threads, threads);
      assert.equal(state.wasmBuild, nodeBuild);
      assert.match((await page.textContent("#status")) ?? "", /Web Worker/);

      torch.setBackend("wasm");
      torch.setNumThreads(threads);
      try {
        const files = [new Uint8Array(readFileSync(join(data, "data_batch_1.bin")))];
        const { losses } = await trainSeedCnn(torch, parseCifar(files), opts);
        assert.deepEqual(state.losses, losses, "the worker's losses equal Node's on the wasm backend");
      } finally {
        torch.setNumThreads(threadsBefore);
        torch.setBackend(before as "native" | "wasm" | "ref");
      }
    } finally {
      await browser.close();
      await server.close();
    }
  },
);
