// Backend selection: native by default when the addon is built (else the WebAssembly kernels),
// FLINT_BACKEND=ref or wasm forces one, setBackend switches at run time, thread counts are settable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as torch from "../src/index.js";

const hasAddon = existsSync("build/Release/flint_native.node");
const nameIn = (env: Record<string, string>): string => {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "-e", "import('./src/index.ts').then((t) => console.log(t.backendName()))"],
    {
      encoding: "utf8",
      env: { ...process.env, ...env },
    },
  );
  return r.stdout.trim();
};

test("FLINT_BACKEND=ref selects the reference backend; the default is native when built", () => {
  assert.equal(nameIn({ FLINT_BACKEND: "ref" }), "ref");
  assert.equal(nameIn({ FLINT_BACKEND: "" }), hasAddon ? "native" : "wasm");
  assert.equal(nameIn({ FLINT_BACKEND: "wasm" }), "wasm");
});

test(
  "setBackend switches, and both backends give the same numbers",
  { skip: !hasAddon && "native addon not built" },
  () => {
    const before = torch.backendName();
    try {
      const x = torch.rand(4, 3, 9, 9),
        w = torch.rand(5, 3, 3, 3);
      torch.setBackend("native");
      const a = torch.nn.functional.conv2d(x, w, null, 1, 1).typedArray();
      torch.setBackend("ref");
      assert.equal(torch.backendName(), "ref");
      const b = torch.nn.functional.conv2d(x, w, null, 1, 1).typedArray();
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-5 * (1 + Math.abs(b[i])), `element ${i}`));
    } finally {
      torch.setBackend(before as "ref" | "native");
    }
  },
);

test("setNumThreads / getNumThreads", { skip: !hasAddon && "native addon not built" }, () => {
  const n = torch.getNumThreads();
  torch.setNumThreads(1);
  assert.equal(torch.getNumThreads(), 1);
  torch.setNumThreads(n);
  assert.throws(() => torch.setNumThreads(0), /positive integer/);
});
