// The browser build: esbuild bundles the package's entry points for platform=browser with no
// shims (the package.json "browser" map swaps the Node-only files), no module of the bundle
// imports a node: or Node built-in module, and the bundle runs: it loads the WebAssembly kernels
// from bytes and trains a small CNN to the same losses as this Node process on the wasm backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import * as torch from "../src/index.js";

// The sources of the package's entry points under the "browser" condition (flint/vision's is its own file).
const entries = [
  "src/index.ts",
  "src/nn/index.ts",
  "src/optim/index.ts",
  "src/utils/data/index.ts",
  "src/vision/index-browser.ts",
];

async function bundle(entry: string): Promise<{ code: string; metafile: Metafile }> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { code: r.outputFiles[0].text, metafile: r.metafile };
}

const builtins = new Set(builtinModules);
/** Imports of Node modules (esbuild also lists elided type-only imports as external: those are fine). */
const nodeImports = (m: Metafile): string[] =>
  Object.entries(m.inputs).flatMap(([file, v]) =>
    v.imports
      .filter((i) => i.path.startsWith("node:") || builtins.has(i.path.split("/")[0]))
      .map((i) => `${file} -> ${i.path}`),
  );

test("every entry point bundles for the browser without node: imports", async () => {
  for (const entry of entries) {
    const { code, metafile } = await bundle(entry);
    assert.deepEqual(nodeImports(metafile), [], `${entry} reaches Node modules`);
    assert.doesNotMatch(code, /\b(require\(|from )["']node:/, `${entry}: the bundle names a node: module`);
    const inputs = Object.keys(metafile.inputs);
    for (const nodeOnly of [
      "src/backend/select.ts",
      "src/utils/data/pool.ts",
      "src/serialization/save-load.ts",
      "src/backend/native/addon.ts",
      "src/internal/download.ts",
    ]) {
      assert.ok(!inputs.includes(nodeOnly), `${entry}: the browser bundle includes ${nodeOnly}`);
    }
  }
});

/** The losses of a few SGD steps of a small CNN from seed 0 (the same code runs in the bundle). */
function trainLosses(t: typeof torch): number[] {
  t.manualSeed(0);
  const model = new t.nn.Sequential(
    new t.nn.Conv2d(3, 8, 3, { padding: 1 }),
    new t.nn.ReLU(),
    new t.nn.MaxPool2d(2),
    new t.nn.Flatten(),
    new t.nn.Linear(8 * 4 * 4, 10),
  );
  const opt = new t.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const x = t.rand(16, 3, 8, 8),
    y = t.randint(0, 10, [16]);
  const lossFn = new t.nn.CrossEntropyLoss();
  const losses: number[] = [];
  for (let i = 0; i < 8; i++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(Number(loss.item()));
  }
  return losses;
}

test("the browser bundle runs on the WebAssembly kernels and matches Node's wasm backend", async () => {
  const { code } = await bundle("src/index.ts");
  const dir = mkdtempSync(join(tmpdir(), "flint-browser-"));
  try {
    const file = join(dir, "flint.browser.mjs");
    writeFileSync(file, code);
    const b = (await import(pathToFileURL(file).href)) as typeof torch;
    assert.equal(b.backendName(), "ref");
    assert.throws(() => b.save({}, "x.pt"), /not implemented in the browser build/);
    // The same kernels as Node's wasm backend: the relaxed-SIMD build where this engine has it.
    const before = torch.backendName();
    torch.setBackend("wasm");
    const build = (torch.wasmBuild() ?? "flint.wasm").replace("-mt", "");
    torch.setBackend(before as "native" | "wasm" | "ref");
    assert.equal(await b.loadWasm(readFileSync(`native/wasm/${build}`)), "wasm");
    assert.equal(b.wasmBuild(), "bytes");
    const inBundle = trainLosses(b);
    torch.setBackend("wasm");
    try {
      assert.deepEqual(inBundle, trainLosses(torch));
    } finally {
      torch.setBackend(before as "native" | "wasm" | "ref");
    }
    assert.ok(inBundle[inBundle.length - 1] < inBundle[0], `the loss falls: ${inBundle.join(", ")}`);
    const bytes = b.saveToBytes(new b.nn.Linear(2, 3).stateDict(), { format: "safetensors" });
    assert.deepEqual(Object.keys(b.load(bytes) as object).sort(), ["bias", "weight"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
