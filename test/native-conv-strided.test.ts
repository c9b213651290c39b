// The strided few-channel convolution forward (native/conv_strided.h: the ImageNet stem, 3 -> 64
// channels 7x7 stride 2, with inputs broadcast from a padded copy instead of im2col): bit for bit
// against the path it replaces (FLINT_CONV_STRIDED=0: im2col + GEMM; the switch is read per call),
// for the training forward (conv2dForward, with and without bias) and the fused inference conv +
// BatchNorm (eval) [+ residual] [+ ReLU]. Shapes: output widths that are not a multiple of the
// 8-position block, output channels that are not a multiple of its 32-channel panels, 1-4 input
// channels, strides 2-4, batch 1 (rows split over the threads) and more images than threads;
// 1 and 2 threads. The float64 comparison of all three passes is in native-conv-direct.test.ts
// (and here for the fused path, in checkFusedConv).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../src/index.js";
import { nativeAddon } from "../src/backend/native/addon.js";
import { checkFusedConv, type FusedConvCase } from "./conv-eval-helpers.js";
import { randArray, rng } from "./native-helpers.js";

const addon = nativeAddon();
const skip = addon === null ? "native addon not built (run `npm install`)" : false;

// [N, C, H, W, OC, KH, KW, stride, pH, pW]
const cases: [number, number, number, number, number, number, number, number, number, number][] = [
  [2, 3, 32, 32, 64, 7, 7, 2, 3, 3],
  [1, 3, 45, 37, 40, 7, 7, 2, 3, 3],
  [3, 1, 20, 17, 16, 5, 5, 3, 2, 0],
  [5, 4, 13, 29, 33, 3, 5, 4, 1, 2],
  [1, 2, 9, 9, 70, 7, 7, 2, 0, 3],
];

describe("strided few-channel conv2d forward (native/conv_strided)", { skip }, () => {
  for (const threads of [1, 2])
    it(`matches im2col + GEMM bit for bit, ${threads} thread(s)`, () => {
      const a = addon!;
      a.setNumThreads(threads);
      try {
        for (const [ci, [N, C, H, W, OC, KH, KW, st, pH, pW]] of cases.entries()) {
          const rand = rng(900 + ci);
          const x = randArray(N * C * H * W, rand),
            w = randArray(OC * C * KH * KW, rand),
            bias = randArray(OC, rand);
          x[3] = -0;
          const OH = Math.floor((H + 2 * pH - KH) / st) + 1,
            OW = Math.floor((W + 2 * pW - KW) / st) + 1;
          const geo = [N, C, H, W, OC, KH, KW, st, st, pH, pW, 1, 1, 1] as const;
          for (const b of [bias, null]) {
            const run = (): Float32Array => {
              const out = new Float32Array(N * OC * OH * OW).fill(Number.NaN);
              a.conv2dForward(x, w, b, out, ...geo);
              return out;
            };
            const on = run();
            process.env.FLINT_CONV_STRIDED = "0";
            let off: Float32Array;
            try {
              off = run();
            } finally {
              delete process.env.FLINT_CONV_STRIDED;
            }
            on.forEach((v, i) =>
              assert.ok(Object.is(v, off[i]), `case ${ci}${b ? " bias" : ""}: [${i}] ${v} vs im2col's ${off[i]}`),
            );
          }
        }
      } finally {
        a.setNumThreads(2);
      }
    });
});

// [N, C, H, W, OC, k, bias, residual, relu, stride]
const fused: FusedConvCase[] = [
  [2, 3, 40, 36, 64, 7, false, false, true, 2],
  [1, 3, 23, 31, 24, 7, true, true, true, 2],
  [3, 2, 17, 18, 48, 5, false, true, false, 3],
];

describe("strided few-channel conv2d + BatchNorm (eval), fused", { skip }, () => {
  for (const threads of [1, 2])
    it(`matches the unfused path bit for bit and float64, ${threads} thread(s)`, () => {
      const saved = torch.getNumThreads();
      try {
        torch.setNumThreads(threads);
        for (const c of fused) checkFusedConv(c, threads, { offSwitch: "FLINT_CONV_STRIDED", weightScale: 0.1 });
      } finally {
        torch.setNumThreads(saved);
      }
    });
});
