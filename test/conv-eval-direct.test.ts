// The fused inference convolution on the implicit-GEMM geometry (native/conv_eval.h: stride 1,
// KxK, weight panels outermost, the BatchNorm / residual / ReLU applied per tile): bit for bit
// against the path it replaces (FLINT_CONV_EVAL=0: direct convolution, then the epilogue in a
// second pass; the switch is read per call), and against the same ops in float64. Shapes: output
// channels that are not a multiple of the 32-channel panels, odd planes (partial 8-position
// tiles, border masks), a 5x5 kernel, one image on two threads, several panel groups; 1 and 2
// threads; and where the inputs dominate, the per-image mode (one padded image per task, all panels).
import { describe, it } from "node:test";
import * as torch from "../src/index.js";
import { checkFusedConv, type FusedConvCase } from "./conv-eval-helpers.js";

// Weights at least twice the batch's padded inputs (panel groups outermost); the 300-channel case
// has one 32-channel panel per L2-sized group (three groups).
const cases: FusedConvCase[] = [
  [3, 16, 5, 7, 40, 3, false, true, true],
  [2, 20, 7, 7, 64, 3, true, false, true],
  [1, 24, 11, 6, 48, 5, false, true, false],
  [4, 33, 5, 9, 72, 3, true, true, true],
  [3, 8, 6, 13, 100, 3, false, false, false],
  [1, 64, 7, 7, 96, 3, false, true, true],
  [2, 300, 3, 5, 70, 3, true, true, true],
  // Inputs larger than the weights, at least two images: the per-image mode (direct path's order).
  [4, 16, 12, 12, 32, 3, true, true, true],
  [3, 20, 9, 11, 40, 3, false, true, false],
  [2, 33, 10, 10, 70, 5, true, false, true],
];

const opts = {
  offSwitch: "FLINT_CONV_EVAL",
  weightScale: 0.2,
};

describe("fused inference convolution, direct geometry (native/conv_eval)", () => {
  for (const threads of [1, 2])
    it(`matches the unfused path bit for bit and float64, ${threads} thread(s)`, () => {
      const saved = torch.getNumThreads();
      try {
        torch.setNumThreads(threads);
        for (const c of cases) checkFusedConv(c, threads, opts);
      } finally {
        torch.setNumThreads(saved);
      }
    });
});
