// The addon loader: FLINT_BACKEND=ref disables the addon (null, no throw); otherwise, when the
// addon is built, it exposes every function of the NativeAddon interface.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

import { nativeAddon } from "../src/backend/native/addon.js";

const loaderUrl = new URL("../src/backend/native/addon.ts", import.meta.url).href;

function loadInChild(env: Record<string, string>): string {
  const code = `import(${JSON.stringify(loaderUrl)}).then((m) => console.log(m.nativeAddon() === null ? "null" : "loaded"))`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe("native addon loader", () => {
  it("FLINT_BACKEND=ref gives null without throwing", () => {
    assert.equal(loadInChild({ FLINT_BACKEND: "ref" }), "null");
  });

  it("exposes the whole interface when built", { skip: nativeAddon() === null ? "addon not built" : false }, () => {
    assert.equal(loadInChild({ FLINT_BACKEND: "" }), "loaded");
    const a = nativeAddon()!;
    const names = [
      "setNumThreads",
      "getNumThreads",
      "getIsa",
      "setIsa",
      "sgemm",
      "sgemmBatched",
      "conv2dForward",
      "conv2dBackwardInput",
      "conv2dBackwardWeight",
      "maxPool2dForward",
      "maxPool2dBackward",
      "avgPool2dForward",
      "avgPool2dBackward",
      "unary",
      "binary",
      "binaryScalar",
      "addScaled",
      "sumRows",
      "biasGradNCHW",
      "logSoftmaxRows",
      "softmaxRows",
      "logSoftmaxBackwardRows",
      "softmaxBackwardRows",
      "crossEntropyForwardBackward",
      "sgdStep",
      "adamStep",
    ];
    for (const n of names) assert.equal(typeof (a as unknown as Record<string, unknown>)[n], "function", n);
    assert.ok(a.getNumThreads() >= 1);
    assert.match(a.getIsa(), /^(avx512|avx2|scalar)$/);
  });

  it(
    "nested parallel calls do not deadlock (sgemmBatched items run sgemm inside the pool)",
    { skip: nativeAddon() === null ? "addon not built" : false },
    () => {
      const a = nativeAddon()!;
      a.setNumThreads(2);
      const M = 300,
        N = 300,
        K = 300,
        batch = 2;
      const A = new Float32Array(batch * M * K).fill(1),
        B = new Float32Array(batch * K * N).fill(1);
      const C = new Float32Array(batch * M * N);
      a.sgemmBatched(false, false, M, N, K, 1, A, 0, K, M * K, B, 0, N, K * N, 0, C, 0, N, M * N, batch);
      assert.equal(C[0], K);
      assert.equal(C[C.length - 1], K);
    },
  );
});
