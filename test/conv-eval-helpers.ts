// The check shared by the fused inference convolution tests (conv-eval-direct, conv-pointwise-eval):
// conv + BatchNorm (eval) + residual + ReLU through conv2dBatchNormEval, bit for bit against the
// path the fused kernel replaces (the kernel's FLINT_* switch set to 0; read per call), and within
// tolerance of the same ops in float64.
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { conv2dBatchNormEval } from "../src/ops/conv-bn-eval.js";

/** [N, C, H, W, OC, k, bias, residual, relu, stride (default 1)] */
export type FusedConvCase = [number, number, number, number, number, number, boolean, boolean, boolean, number?];

export interface FusedConvCheck {
  /** The environment switch that turns the fused kernel off (e.g. FLINT_CONV_EVAL). */
  offSwitch: string;
  /** Scale of the random weights (keeps the float64 comparison's magnitudes moderate). */
  weightScale: number;
}

/** Checks one case at the current thread count. */
export function checkFusedConv(c: FusedConvCase, threads: number, { offSwitch, weightScale }: FusedConvCheck): void {
  const [N, C, H, W, OC, k, withBias, withRes, relu, stride = 1] = c;
  const pad = (k - 1) >> 1;
  const OH = Math.floor((H + 2 * pad - k) / stride) + 1,
    OW = Math.floor((W + 2 * pad - k) / stride) + 1;
  const what = `N${N} ${C}->${OC} k${k} s${stride} @${H}x${W}${withBias ? " bias" : ""}${withRes ? " res" : ""}${relu ? " relu" : ""}, ${threads} thread(s)`;
  torch.manualSeed(N * 1000 + C * 10 + OC);
  const x = torch.randn([N, C, H, W]),
    w = torch.randn([OC, C, k, k]).mul(weightScale),
    bias = withBias ? torch.randn([OC]) : null,
    res = withRes ? torch.randn([N, OC, OH, OW]) : null;
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
  const geo = { stride: [stride, stride], padding: [pad, pad], dilation: [1, 1], groups: 1 };
  const fused = (): number[] =>
    torch.noGrad(() => conv2dBatchNormEval(x, w, bias, geo, bn, relu, res)!.reshape([-1]).tolist() as number[]);
  const on = fused();
  process.env[offSwitch] = "0";
  let off: number[];
  try {
    off = fused();
  } finally {
    delete process.env[offSwitch];
  }
  assert.equal(on.length, off.length);
  on.forEach((v, i) => assert.ok(Object.is(v, off[i]), `${what}: [${i}] ${v} vs the unfused path's ${off[i]}`));
  // float64 reference.
  const d = (t: torch.Tensor): torch.Tensor => t.double();
  const ch = (t: torch.Tensor): torch.Tensor => d(t).reshape([1, OC, 1, 1]);
  let y = nn.functional.conv2d(d(x), d(w), bias ? d(bias) : null, stride, pad);
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
