// WebGPU kernels in headless Chromium (SwiftShader's WebGPU adapter), on a page served from
// 127.0.0.1 (WebGPU needs a secure context; localhost counts). The page is test/webgpu-browser-page.ts
// bundled with esbuild; its results are compared with the reference backend's.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { refBackend } from "../src/backend/ref/index.js";
import * as torch from "../src/index.js";
import { assertNear } from "./webgpu-helpers.js";
import type { PageInput, SeedInput } from "./webgpu-browser-page.js";
import { loadSeedFixture } from "./nn-seed-model.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (CI installs Debian's chromium package)`;

let browser: Browser | null = null;
let server: ReturnType<typeof createServer> | null = null;
let url = "";

before(async () => {
  if (skip) return;
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./webgpu-browser-page.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    write: false,
    platform: "browser",
    logLevel: "silent",
  });
  const js = bundle.outputFiles[0].text;
  server = createServer((req, res) => {
    if (req.url === "/page.js") res.writeHead(200, { "content-type": "text/javascript" }).end(js);
    else
      res
        .writeHead(200, { "content-type": "text/html" })
        .end('<!doctype html><script type="module" src="/page.js"></script>');
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--enable-unsafe-webgpu",
      "--use-webgpu-adapter=swiftshader",
      "--no-sandbox",
      "--disable-gpu-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const input = (name: string, t: torch.Tensor): PageInput => ({
  name,
  shape: [...t.shape],
  data: Array.from(t.contiguous().storage.data),
});

test("webgpu kernels in headless Chromium match the reference backend", { skip }, async (t) => {
  assert.ok(browser);
  torch.manualSeed(3);
  const a = torch.randn(8, 10),
    b = torch.randn(8, 10),
    x = torch.randn(2, 3, 8, 8),
    w = torch.randn(4, 3, 5, 5),
    bias = torch.randn(4);
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => "runKernels" in globalThis);
  const inputs = { a: input("a", a), b: input("b", b), x: input("x", x), w: input("w", w), bias: input("bias", bias) };
  const got = await page.evaluate(
    (i) =>
      (
        globalThis as unknown as { runKernels(i: unknown): Promise<Record<string, number[]> | { skip: string }> }
      ).runKernels(i),
    inputs,
  );
  if ("skip" in got) {
    t.skip(`no WebGPU adapter in Chromium: ${String(got.skip)}`);
    return;
  }
  console.log(
    `# browser webgpu adapter: ${await page.evaluate(() => (globalThis as { adapterName?: string }).adapterName ?? "?")}`,
  );
  const p = {
    stride: [1, 1] as [number, number],
    padding: [2, 2] as [number, number],
    dilation: [1, 1] as [number, number],
    groups: 1,
  };
  const conv = refBackend.conv2d(x, w, bias, p, [2, 4, 8, 8]);
  const convT = torch.fromTypedArray(conv as Float32Array, [2, 4, 8, 8]);
  assertNear(got.add, a.add(b).storage.data, "add", 1e-6, 1e-6);
  assertNear(got.matmul, a.matmul(b.t()).contiguous().storage.data, "matmul", 1e-4, 1e-4);
  assertNear(got.conv, conv, "conv2d", 1e-4, 1e-4);
  assertNear(got.pool, torch.nn.functional.maxPool2d(convT, 2).contiguous().storage.data, "max_pool2d", 1e-4, 1e-4);
  assertNear(got.logSoftmax, torch.logSoftmax(a, 1).contiguous().storage.data, "log_softmax", 1e-5, 1e-5);
});

// The seed's program in the page: 2 SGD steps of the seed CNN on webgpu from PyTorch's initial
// weights (SwiftShader takes seconds per step), the losses against the PyTorch fixture (the same
// trajectory test/webgpu-seed.test.ts checks in Node for 5 steps).
test("the seed CNN trains on webgpu in headless Chromium with PyTorch's losses", { skip }, async (t) => {
  assert.ok(browser);
  const { fx, init, x, y } = loadSeedFixture();
  const steps = 2;
  const inp: SeedInput = {
    weights: Object.fromEntries(Object.entries(init).map(([k, v]) => [k, input(k, v)])),
    x: input("x", x),
    y: Array.from(y.typedArray(), Number),
    steps,
  };
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => "trainSeed" in globalThis);
  const got = await page.evaluate(
    (i) =>
      (
        globalThis as unknown as {
          trainSeed(i: unknown): Promise<{ losses: number[]; adapter: string } | { skip: string }>;
        }
      ).trainSeed(i),
    inp,
  );
  if ("skip" in got) {
    t.skip(`no WebGPU adapter in Chromium: ${got.skip}`);
    return;
  }
  console.log(`# browser webgpu adapter: ${got.adapter}; losses ${got.losses.join(", ")}`);
  assertNear(got.losses, fx.sgd.losses.slice(0, steps), "seed CNN SGD losses in the page", 1e-4, 1e-5);
});
