// The WebAssembly build's implicit-GEMM convolution (native/conv_direct.cc with the SIMD128 kernels,
// native/conv_direct_wasm_simd128.cc: forward, input and weight gradients, stride 1) against the same
// module's im2col + GEMM path (flint_set_direct_conv(0)), on shapes that hit its edges: padding
// on one axis only, output widths that do not fill the 8-position tile, channel counts that do not
// fill the 4-channel panel or the 8-channel weight-gradient strip, batch 1 and 3, one and two threads. The PyTorch fixtures
// (npm run test:wasm) check the seed CNN's shapes against PyTorch itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { instantiateThreadedNode } from "../src/backend/wasm/load-node.js";
import { instantiateKernelsSync } from "../src/backend/wasm/module.js";
import { makeWasmAddon } from "../src/backend/wasm/kernels.js";
import { assertClose, randArray, rng } from "./native-helpers.js";

const threaded = typeof SharedArrayBuffer === "function";
const load = (off: boolean) => {
  const ex = threaded
    ? instantiateThreadedNode(readFileSync("native/wasm/flint-mt.wasm"))
    : instantiateKernelsSync(readFileSync("native/wasm/flint.wasm"));
  assert.equal(typeof ex.flint_set_direct_conv, "function", "the module exports flint_set_direct_conv");
  if (off) ex.flint_set_direct_conv!(0);
  return makeWasmAddon(ex);
};
const direct = load(false),
  im2col = load(true);

// N, C, H, W, OC, KH, KW, pH, pW (stride 1, dilation 1, groups 1: the direct path's domain; the
// forward takes it from OC >= 16, the input gradient from C >= 16, the weight gradient always).
const shapes: number[][] = [
  [3, 18, 11, 13, 19, 5, 5, 2, 2],
  [1, 16, 6, 7, 37, 3, 3, 1, 1],
  [3, 20, 9, 10, 17, 3, 5, 0, 2],
  [1, 17, 5, 21, 16, 5, 5, 0, 0],
  [3, 3, 12, 12, 32, 5, 5, 2, 2],
  [1, 32, 8, 8, 64, 5, 5, 2, 2],
];

for (const threads of [1, 2])
  for (const [N, C, H, W, OC, KH, KW, pH, pW] of shapes) {
    const name = `N${N} C${C} ${H}x${W} OC${OC} k${KH}x${KW} p${pH},${pW}, ${threads} thread(s)`;
    test(`direct conv = im2col conv on the wasm build: ${name}`, () => {
      for (const a of [direct, im2col]) a.setNumThreads(threads);
      const r = rng(N * 1000 + C * 10 + OC);
      const sym = () => r() * 2 - 1;
      const OH = H + 2 * pH - KH + 1,
        OW = W + 2 * pW - KW + 1;
      const x = randArray(N * C * H * W, sym),
        w = randArray(OC * C * KH * KW, sym),
        b = randArray(OC, sym),
        go = randArray(N * OC * OH * OW, sym);
      const geo = [N, C, H, W, OC, KH, KW, 1, 1, pH, pW, 1, 1, 1] as const;
      const outs = [direct, im2col].map((a) => {
        const out = new Float32Array(N * OC * OH * OW).fill(NaN),
          gi = new Float32Array(N * C * H * W).fill(NaN);
        a.conv2dForward(x, w, b, out, ...geo);
        a.conv2dBackwardInput(go, w, gi, ...geo);
        const gw = new Float32Array(OC * C * KH * KW).fill(NaN),
          gb = new Float32Array(OC).fill(NaN);
        a.conv2dBackwardWeight(x, go, gw, gb, ...geo);
        return { out, gi, gw, gb };
      });
      // Sums of up to 25 * 64 products of magnitude < 1, in a different order: float rounding.
      assertClose(outs[0].out, outs[1].out, `forward ${name}`, { rtol: 1e-5, atol: 5e-5 });
      assertClose(outs[0].gi, outs[1].gi, `input gradient ${name}`, { rtol: 1e-5, atol: 5e-5 });
      // Weight gradients sum N * OH * OW products (up to 3 * 17 * 21).
      assertClose(outs[0].gw, outs[1].gw, `weight gradient ${name}`, { rtol: 1e-5, atol: 2e-4 });
      assertClose(outs[0].gb, outs[1].gb, `bias gradient ${name}`, { rtol: 1e-5, atol: 2e-4 });
    });
  }
