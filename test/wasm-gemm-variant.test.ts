// The SIMD128 GEMM micro-kernel's two variants (native/gemm_wasm_simd128.cc; chosen per engine by
// src/backend/wasm/gemm-variant.ts): "a" (broadcast loads of A) and "b" (vector loads of A, lanes
// splatted by shuffles) must give the same floats bit for bit, since a page and Node may run
// different ones and the browser test compares their losses; GEMMs over tails, several K blocks,
// transposes, alpha and beta, threads, and the convolutions that run through them. The relaxed
// builds get the same check in test/wasm-relaxed-child.ts (they need an engine with relaxed SIMD).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeWasmAddon, type WasmAddon } from "../src/backend/wasm/kernels.js";
import { instantiateKernelsSync, type KernelExports } from "../src/backend/wasm/module.js";
import { instantiateThreadedNode } from "../src/backend/wasm/load-node.js";
import {
  chooseGemmVariant,
  setGemmVariant,
  warmGemmVariants,
  type GemmVariant,
} from "../src/backend/wasm/gemm-variant.js";
import { randArray, rng } from "./native-helpers.js";

const dir = join(import.meta.dirname, "..", "native", "wasm");
const builds: [string, () => KernelExports][] = [
  ["flint.wasm", () => instantiateKernelsSync(readFileSync(join(dir, "flint.wasm")))],
  ["flint-mt.wasm", () => instantiateThreadedNode(readFileSync(join(dir, "flint-mt.wasm")))],
];

/** Elements whose bits differ (NaN never expected here). */
const differ = (x: Float32Array, y: Float32Array): number => {
  assert.equal(x.length, y.length);
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) n++;
  return n;
};

// M not a multiple of 3 (MR) and N not of 12 (NR): tails; K % 4 != 0: the vector variant's
// remainder steps; K > 256: several K blocks; flops >= 2e6: threaded in flint-mt.wasm.
const gemms: [boolean, boolean, number, number, number, number, number][] = [
  [false, false, 48, 96, 192, 1, 0],
  [false, false, 7, 13, 5, 1, 0],
  [false, true, 31, 50, 259, 0.7, 0.3],
  [true, false, 64, 130, 600, 1, 1],
  [true, true, 100, 37, 3, -1.5, 0],
  [false, false, 256, 256, 1027, 1, 0],
];

function runGemm(k: WasmAddon, tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, beta: number) {
  const r = rng(M * 1000 + N * 10 + K);
  const A = randArray(M * K, r),
    B = randArray(K * N, r),
    C = randArray(M * N, r);
  k.sgemm(tA, tB, M, N, K, alpha, A, 0, tA ? M : K, B, 0, tB ? K : N, beta, C, 0, N);
  return C;
}

function runConvs(k: WasmAddon): Float32Array[] {
  // The seed CNN's second layer (5x5, padding 2) and a strided 3x3 with an odd width.
  const out: Float32Array[] = [];
  for (const [N, C, H, W, OC, KH, s, p] of [
    [2, 32, 16, 16, 32, 5, 1, 2],
    [3, 5, 9, 11, 7, 3, 2, 1],
  ]) {
    const r = rng(N + C + H);
    const OH = Math.floor((H + 2 * p - KH) / s) + 1,
      OW = Math.floor((W + 2 * p - KH) / s) + 1;
    const x = randArray(N * C * H * W, r),
      w = randArray(OC * C * KH * KH, r),
      bias = randArray(OC, r),
      g = randArray(N * OC * OH * OW, r);
    const y = new Float32Array(N * OC * OH * OW),
      gx = new Float32Array(x.length),
      gw = new Float32Array(w.length),
      gb = new Float32Array(OC);
    const geo = [N, C, H, W, OC, KH, KH, s, s, p, p, 1, 1, 1] as const;
    k.conv2dForward(x, w, bias, y, ...geo);
    k.conv2dBackwardInput(g, w, gx, ...geo);
    k.conv2dBackwardWeight(x, g, gw, gb, ...geo);
    out.push(y, gx, gw, gb);
  }
  return out;
}

for (const [name, load] of builds) {
  test(`${name}: GEMM variants a and b give the same floats (GEMMs and convolutions)`, () => {
    const ex = load();
    const k = makeWasmAddon(ex);
    k.setNumThreads(2);
    const results = (v: GemmVariant): Float32Array[] => {
      setGemmVariant(ex, v);
      return [...gemms.map((g) => runGemm(k, ...g)), ...runConvs(k)];
    };
    const a = results("a"),
      b = results("b");
    a.forEach((x, i) => assert.equal(differ(x, b[i]), 0, `result ${i} differs between the variants`));
    assert.equal(k.getIsa(), "wasm-simd128");
  });
}

test("chooseGemmVariant: an override is kept without timing, a bad name throws, the probe picks one", async () => {
  const ex = instantiateKernelsSync(readFileSync(join(dir, "flint.wasm")));
  assert.deepEqual(chooseGemmVariant(ex, "b"), { variant: "b", how: "override" });
  assert.deepEqual(chooseGemmVariant(ex, "default"), { variant: "a", how: "default" }); // Node's
  await warmGemmVariants(ex, 1); // the browser loader's warm-up: leaves "a" set
  assert.throws(() => chooseGemmVariant(ex, "c"), /unknown WebAssembly GEMM variant 'c' \(expected "a" or "b"\)/);
  const probed = chooseGemmVariant(ex, "probe");
  assert.equal(probed.how, "probe");
  assert.ok(probed.variant === "a" || probed.variant === "b");
  assert.ok(probed.ms && probed.ms.a > 0 && probed.ms.b > 0);
  // The variant applies to the SIMD128 level; the scalar level stays scalar.
  const k = makeWasmAddon(ex);
  assert.equal(k.setIsa("scalar"), true);
  setGemmVariant(ex, "b");
  assert.equal(k.getIsa(), "scalar");
});
