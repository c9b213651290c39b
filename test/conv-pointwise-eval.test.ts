// The inference 1x1 convolution (native/conv_pointwise.h: stride 1, the NCHW image read in place
// as the GEMM's B operand, the BatchNorm / residual / ReLU applied per 8 x 32 tile): bit for bit
// against the path it replaces (FLINT_CONV_POINTWISE=0: packed GEMM with the epilogue per block;
// the switch is read per call), and against the same ops in float64. Shapes: planes of a multiple
// of 16 positions (where it is taken) with a partial 32-position strip, output channels not a
// multiple of 8, several 256-channel K blocks with a short last one, one image on two threads
// (output channels split); stride 2 (gathered into aligned rows first); 1 and 2 threads.
import { describe, it } from "node:test";
import * as torch from "../src/index.js";
import { checkFusedConv, type FusedConvCase } from "./conv-eval-helpers.js";

// All with 128+ input channels and output planes above 64 positions, at stride 1 a multiple of 16
// (where the path is taken).
const cases: FusedConvCase[] = [
  [2, 128, 8, 16, 40, 1, true, true, true],
  [1, 300, 16, 16, 13, 1, false, true, true],
  [3, 520, 12, 12, 70, 1, true, false, false],
  [4, 128, 5, 16, 200, 1, false, true, false],
  [2, 1024, 4, 32, 24, 1, true, true, true],
  // stride 2 (ResNet's projections; the strided positions gathered into rows of a multiple of 16
  // floats first), output planes that are not a multiple of 16 positions
  [2, 128, 14, 14, 40, 1, true, true, true, 2],
  [1, 256, 28, 28, 24, 1, false, true, false, 2],
  [3, 130, 9, 17, 70, 1, true, false, true, 2],
];

const opts = {
  offSwitch: "FLINT_CONV_POINTWISE",
  weightScale: 0.05,
};

describe("inference 1x1 convolution (native/conv_pointwise)", () => {
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
