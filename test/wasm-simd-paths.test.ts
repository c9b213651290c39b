// The wasm build's own SIMD128 data movers (native/wasm/im2col_wasm.cc, native/wasm/pool_wasm.cc):
// the convolution's packed-B producers (forward and weight gradient; taken for unit stride along
// W, the forward one when output rows are a multiple of four wide) and 2x2/stride-2 max pooling,
// against direct loops, on shapes that hit their edges: a last panel narrower than 12 taps, more
// taps than one K block (256), output rows not a multiple of four, odd pooled widths, and NaN,
// -inf and ties in the pooling windows (PyTorch's rule: the first maximum, or the last NaN).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadKernelsFromDisk } from "../src/backend/wasm/load-node.js";
import { makeWasmAddon } from "../src/backend/wasm/kernels.js";
import { assertClose, randArray, rng } from "./native-helpers.js";

const ex = loadKernelsFromDisk();
assert.ok(ex, "native/wasm/flint.wasm must load");
const k = makeWasmAddon(ex);

type Geo = [number, number, number, number, number, number, number, number]; // N C H W OC K pad stride

function refConv(g: Geo, x: Float32Array, w: Float32Array, gradOut: Float32Array) {
  const [N, C, H, W, OC, K, pad, st] = g;
  const OH = Math.floor((H + 2 * pad - K) / st) + 1,
    OW = Math.floor((W + 2 * pad - K) / st) + 1;
  const out = new Float64Array(N * OC * OH * OW),
    gw = new Float64Array(OC * C * K * K);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < OC; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          const at = ((n * OC + o) * OH + i) * OW + j;
          let s = 0;
          for (let c = 0; c < C; c++)
            for (let u = 0; u < K; u++)
              for (let v = 0; v < K; v++) {
                const ii = i * st + u - pad,
                  jj = j * st + v - pad;
                if (ii < 0 || ii >= H || jj < 0 || jj >= W) continue;
                const xv = x[((n * C + c) * H + ii) * W + jj],
                  wi = ((o * C + c) * K + u) * K + v;
                s += xv * w[wi];
                gw[wi] += xv * gradOut[at];
              }
          out[at] = s;
        }
  return { out, gw, OH, OW };
}

test("conv2d forward and weight gradient through the SIMD128 im2col panels agree with direct loops", () => {
  const r = rng(11);
  const shapes: Geo[] = [
    [2, 3, 8, 8, 5, 5, 2, 1], // 75 taps: the last 12-wide panel holds 3
    [1, 12, 6, 12, 3, 5, 2, 1], // 300 taps: two K blocks
    [2, 2, 5, 7, 4, 3, 1, 1], // output rows 7 wide: the forward producer's generic path
    [2, 3, 9, 10, 4, 3, 1, 2], // stride 2: both generic paths
    [3, 4, 4, 4, 6, 1, 0, 1], // 1x1
  ];
  for (const g of shapes) {
    const [N, C, H, W, OC, K, pad, st] = g;
    const x = randArray(N * C * H * W, r),
      w = randArray(OC * C * K * K, r);
    const OH = Math.floor((H + 2 * pad - K) / st) + 1,
      OW = Math.floor((W + 2 * pad - K) / st) + 1;
    const gradOut = randArray(N * OC * OH * OW, r);
    const want = refConv(g, x, w, gradOut);
    const geo = [N, C, H, W, OC, K, K, st, st, pad, pad, 1, 1, 1] as const;
    const out = new Float32Array(want.out.length),
      gw = new Float32Array(want.gw.length),
      gb = new Float32Array(OC);
    k.conv2dForward(x, w, null, out, ...geo);
    k.conv2dBackwardWeight(x, gradOut, gw, gb, ...geo);
    assertClose(out, want.out, `conv2dForward ${g.join(",")}`, { rtol: 1e-5, atol: 1e-5 });
    assertClose(gw, want.gw, `conv2dBackwardWeight ${g.join(",")}`, { rtol: 1e-5, atol: 1e-4 });
  }
});

test("2x2 stride-2 max pooling: PyTorch's value and index for NaN, -inf and ties, odd widths", () => {
  const r = rng(12);
  const pick = [NaN, -Infinity, 0.5, 0.5, -0.25, 1];
  for (const [N, C, H, W] of [
    [2, 3, 8, 8],
    [1, 2, 5, 22],
    [2, 2, 9, 11],
    [1, 1, 2, 2],
  ]) {
    const OH = Math.floor(H / 2),
      OW = Math.floor(W / 2);
    const x = Float32Array.from({ length: N * C * H * W }, () => pick[Math.floor(r() * 6) % 6]);
    const out = new Float32Array(N * C * OH * OW),
      idx = new Float64Array(out.length);
    k.maxPool2dForward(x, out, idx, N, C, H, W, 2, 2, 2, 2, 0, 0, 1, 1, OH, OW);
    for (let p = 0; p < N * C; p++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let m = -Infinity,
            b = 2 * i * W + 2 * j;
          for (const t of [0, 1, W, W + 1]) {
            const v = x[p * H * W + 2 * i * W + 2 * j + t];
            if (v > m || Number.isNaN(v)) [m, b] = [v, 2 * i * W + 2 * j + t];
          }
          const at = (p * OH + i) * OW + j;
          assert.ok(Object.is(out[at], Math.fround(m)), `value at ${at}: ${out[at]} vs ${m}`);
          assert.equal(idx[at], b, `index at ${at}`);
        }
  }
});
