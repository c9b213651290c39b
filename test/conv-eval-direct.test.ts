// The fused inference convolution on the implicit-GEMM geometry (native/conv_eval.h: stride 1,
// KxK, weight panels outermost, the BatchNorm / residual / ReLU applied per tile): bit for bit
// against the path it replaces (FLINT_CONV_EVAL=0: direct convolution, then the epilogue in a
// second pass; the switch is read per call), and against the same ops in float64. Shapes: output
// channels that are not a multiple of the 32-channel panels, odd planes (partial 8-position
// tiles, border masks), a 5x5 kernel, one image on two threads, several panel groups; 1 and 2
// threads; and where the inputs dominate, the per-image mode (one padded image per task, all panels).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { conv2dBatchNormEval } from "../src/ops/conv-bn-eval.js";

// [N, C, H, W, OC, k, bias, residual, relu]
type Case = [number, number, number, number, number, number, boolean, boolean, boolean];
// Weights at least twice the batch's padded inputs (panel groups outermost); the 300-channel case
// has one 32-channel panel per L2-sized group (three groups).
const cases: Case[] = [
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

function run(c: Case, threads: number): void {
  const [N, C, H, W, OC, k, withBias, withRes, relu] = c;
  const what = `N${N} ${C}->${OC} k${k} @${H}x${W}${withBias ? " bias" : ""}${withRes ? " res" : ""}${relu ? " relu" : ""}, ${threads} thread(s)`;
  torch.manualSeed(N * 1000 + C * 10 + OC);
  const x = torch.randn([N, C, H, W]),
    w = torch.randn([OC, C, k, k]).mul(0.2),
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
  process.env.FLINT_CONV_EVAL = "0";
  let off: number[];
  try {
    off = fused();
  } finally {
    delete process.env.FLINT_CONV_EVAL;
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

describe("fused inference convolution, direct geometry (native/conv_eval)", () => {
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
