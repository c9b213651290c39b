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
  [1, 3, 96, 90, 64, 7, 7, 2, 3, 3], // one image, 21M multiply-adds: its rows split over 2 threads
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

// The 3x3 stride-2 inference convolution (conv3x3EvalOk: the 3x3 path's kernel, then the
// epilogue in one pass): bit for bit the training forward (the same kernel) followed by the
// epilogue as native/conv.cc rounds it (alpha = invstd * weight, beta = bias - mean * alpha, then
// y * alpha + beta, + residual, ReLU keeping NaN), and within tolerance of float64.
describe("3x3 stride-2 conv2d + BatchNorm (eval)", { skip }, () => {
  const f = Math.fround;
  // [N, C, H, W, OC, pad, residual, relu]
  const evalCases: [number, number, number, number, number, number, boolean, boolean][] = [
    [2, 16, 14, 14, 32, 1, true, true],
    [1, 24, 11, 9, 20, 1, false, true],
    [3, 17, 8, 13, 48, 0, true, false],
  ];
  for (const threads of [1, 2])
    it(`matches conv2dForward + the epilogue bit for bit and float64, ${threads} thread(s)`, () => {
      const a = addon!;
      a.setNumThreads(threads);
      try {
        for (const [ci, [N, C, H, W, OC, p, withRes, relu]] of evalCases.entries()) {
          const rand = rng(950 + ci);
          const x = randArray(N * C * H * W, rand),
            w = randArray(OC * C * 9, rand),
            bias = randArray(OC, rand);
          const bw = randArray(OC, rand),
            bb = randArray(OC, rand),
            mean = randArray(OC, rand),
            v = randArray(OC, rand).map((q) => Math.abs(q) + 0.5);
          const OH = Math.floor((H + 2 * p - 3) / 2) + 1,
            OW = Math.floor((W + 2 * p - 3) / 2) + 1,
            P = OH * OW;
          const res = withRes ? randArray(N * OC * P, rand) : null;
          if (res) res[7] = Number.NaN;
          const geo = [N, C, H, W, OC, 3, 3, 2, 2, p, p, 1, 1, 1] as const;
          const out = new Float32Array(N * OC * P).fill(Number.NaN);
          a.conv2dBatchNormEval!(x, w, bias, bw, bb, mean, v, 1e-5, relu, res, out, ...geo);
          const conv = new Float32Array(N * OC * P);
          a.conv2dForward(x, w, bias, conv, ...geo);
          for (let i = 0; i < out.length; i++) {
            const oc = Math.floor(i / P) % OC;
            const invstd = f(1 / f(Math.sqrt(f(v[oc] + f(1e-5)))));
            const al = f(invstd * bw[oc]),
              be = f(bb[oc] - f(mean[oc] * al));
            let y = f(f(conv[i] * al) + be);
            if (res) y = f(y + res[i]);
            if (relu) y = y > 0 ? y : Number.isNaN(y) ? y : 0;
            assert.ok(Object.is(out[i], y), `case ${ci}: [${i}] ${out[i]} vs conv2dForward + epilogue ${y}`);
            // float64: the convolution from scratch.
            const n = Math.floor(i / (OC * P)),
              q = i % P,
              oh = Math.floor(q / OW),
              ow = q % OW;
            let s = bias[oc];
            for (let c = 0; c < C; c++)
              for (let kh = 0; kh < 3; kh++)
                for (let kw = 0; kw < 3; kw++) {
                  const ih = oh * 2 - p + kh,
                    iw = ow * 2 - p + kw;
                  if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                    s += x[((n * C + c) * H + ih) * W + iw] * w[((oc * C + c) * 3 + kh) * 3 + kw];
                }
            let e = ((s - mean[oc]) / Math.sqrt(v[oc] + 1e-5)) * bw[oc] + bb[oc];
            if (res) e += res[i];
            if (relu && e <= 0) e = 0;
            if (Number.isNaN(e)) assert.ok(Number.isNaN(out[i]), `case ${ci}: [${i}] NaN expected`);
            else assert.ok(Math.abs(out[i] - e) <= 1e-4 + 1e-4 * Math.abs(e), `case ${ci}: [${i}] ${out[i]} vs ${e}`);
          }
        }
      } finally {
        a.setNumThreads(2);
      }
    });
});
