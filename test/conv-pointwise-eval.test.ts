// The inference 1x1 convolution (native/conv_pointwise.h: stride 1, the NCHW image read in place
// as the GEMM's B operand, the BatchNorm / residual / ReLU applied per 8 x 32 tile): bit for bit
// against the path it replaces (FLINT_CONV_POINTWISE=0: packed GEMM with the epilogue per block;
// the switch is read per call), and against the same ops in float64. Shapes: planes of a multiple
// of 16 positions (where it is taken) with a partial 32-position strip, output channels not a
// multiple of 8, several 256-channel K blocks with a short last one, one image on two threads
// (output channels split); 1 and 2 threads.
import { describe, it } from "node:test";
import * as torch from "../src/index.js";
import { checkFusedConv, type FusedConvCase } from "./conv-eval-helpers.js";

// All with 128+ input channels and H*W a multiple of 16 above 64 (where the path is taken).
const cases: FusedConvCase[] = [
  [2, 128, 8, 16, 40, 1, true, true, true],
  [1, 300, 16, 16, 13, 1, false, true, true],
  [3, 520, 12, 12, 70, 1, true, false, false],
  [4, 128, 5, 16, 200, 1, false, true, false],
  [2, 1024, 4, 32, 24, 1, true, true, true],
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
