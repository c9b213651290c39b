// The inference 1x1 convolution (native/conv_pointwise.h: stride 1, the NCHW image read in place
// as the GEMM's B operand, the BatchNorm / residual / ReLU applied per 8 x 32 tile): bit for bit
// against the path it replaces (FLINT_CONV_POINTWISE=0: packed GEMM with the epilogue per block;
// the switch is read per call), and against the same ops in float64. Shapes: planes of a multiple
// of 16 positions (where it is taken) with a partial 32-position strip, output channels not a
// multiple of 8, several 256-channel K blocks with a short last one, one image on two threads
// (output channels split); 1 and 2 threads.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { conv2dBatchNormEval } from "../src/ops/conv-bn-eval.js";

// [N, C, H, W, OC, k, bias, residual, relu]
type Case = [number, number, number, number, number, number, boolean, boolean, boolean];
// All with 128+ input channels and H*W a multiple of 16 above 64 (where the path is taken).
const cases: Case[] = [
  [2, 128, 8, 16, 40, 1, true, true, true],
  [1, 300, 16, 16, 13, 1, false, true, true],
  [3, 520, 12, 12, 70, 1, true, false, false],
  [4, 128, 5, 16, 200, 1, false, true, false],
  [2, 1024, 4, 32, 24, 1, true, true, true],
];

function run(c: Case, threads: number): void {
  const [N, C, H, W, OC, k, withBias, withRes, relu] = c;
  const what = `N${N} ${C}->${OC} k${k} @${H}x${W}${withBias ? " bias" : ""}${withRes ? " res" : ""}${relu ? " relu" : ""}, ${threads} thread(s)`;
  torch.manualSeed(N * 1000 + C * 10 + OC);
  const x = torch.randn([N, C, H, W]),
    w = torch.randn([OC, C, k, k]).mul(0.05),
    bias = withBias ? torch.randn([OC]) : null,
    res = withRes ? torch.randn([N, OC, H, W]) : null;
  const bn = {
    weight: torch.randn([OC]),
    bias: torch.randn([OC]),
    runningMean: torch.randn([OC]),
    runningVar: torch.rand([OC]).add(0.5),
    eps: 1e-5,
  };
  // A few NaN and negative-zero inputs to the ReLU: NaN kept, -0 made +0, as torch.relu.
  if (withRes) {
    const r = res!.reshape([-1]);
    r.narrow(0, 5, 1).fill_(NaN);
  }
  const pad = (k - 1) >> 1;
  const geo = { stride: [1, 1], padding: [pad, pad], dilation: [1, 1], groups: 1 };
  const fused = (): number[] =>
    torch.noGrad(() => conv2dBatchNormEval(x, w, bias, geo, bn, relu, res)!.reshape([-1]).tolist() as number[]);
  const on = fused();
  process.env.FLINT_CONV_POINTWISE = "0";
  let off: number[];
  try {
    off = fused();
  } finally {
    delete process.env.FLINT_CONV_POINTWISE;
  }
  assert.equal(on.length, off.length);
  on.forEach((v, i) => assert.ok(Object.is(v, off[i]), `${what}: [${i}] ${v} vs the unfused path's ${off[i]}`));
  // float64 reference.
  const d = (t: torch.Tensor): torch.Tensor => t.double();
  const ch = (t: torch.Tensor): torch.Tensor => d(t).reshape([1, OC, 1, 1]);
  let y = nn.functional.conv2d(d(x), d(w), bias ? d(bias) : null, 1, pad);
  y = y.sub(ch(bn.runningMean)).div(ch(bn.runningVar).add(bn.eps).sqrt()).mul(ch(bn.weight)).add(ch(bn.bias));
  if (res) y = y.add(d(res));
  if (relu) y = torch.relu(y);
  const ref = y.reshape([-1]).tolist() as number[];
  on.forEach((v, i) => {
    const e = ref[i];
    if (Number.isNaN(e)) return assert.ok(Number.isNaN(v), `${what}: [${i}] NaN expected`);
    assert.ok(Math.abs(v - e) <= 2e-4 + 2e-4 * Math.abs(e), `${what}: [${i}] ${v} vs float64 ${e}`);
  });
}

describe("inference 1x1 convolution (native/conv_pointwise)", () => {
  for (const threads of [1, 2])
    it(`matches the unfused path bit for bit and float64, ${threads} thread(s)`, () => {
      const saved = torch.getNumThreads();
      try {
        torch.setNumThreads(threads);
        for (const c of cases) run(c, threads);
      } finally {
        torch.setNumThreads(saved);
      }
    });
});
