// The inference path conv2d -> BatchNorm2d (eval) [-> + residual] [-> ReLU] as one kernel call
// (src/ops/conv-bn-eval.ts, src/vision/models/conv-bn.ts) against PyTorch 1.13
// (scripts/fixtures/conv_bn_eval_fixtures.py), over the shapes that take the different native
// conv paths, and a torchvision Bottleneck in eval mode; and that the modules run one by one
// (same numbers) when a gradient is needed, a module has hooks, or BatchNorm is in training mode.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { Bottleneck } from "../src/vision/models/index.js";
import { convBnAddRelu, convBnRelu } from "../src/vision/models/conv-bn.js";
import { conv2dBatchNormEval } from "../src/ops/conv-bn-eval.js";

interface Case {
  name: string;
  xShape: number[];
  wShape: number[];
  stride: number;
  padding: number;
  groups: number;
  relu: boolean;
  x: number[];
  w: number[];
  bias: number[] | null;
  bn: { weight: number[]; bias: number[]; mean: number[]; var: number[] };
  residual: number[] | null;
  y: number[];
}
const fx = JSON.parse(readFileSync(new URL("./fixtures/conv-bn-eval.json", import.meta.url), "utf8")) as {
  cases: Case[];
  bottleneck: { x: number[]; state: Record<string, number[]>; y: number[] };
};

function close(actual: torch.Tensor, expected: number[], what: string, atol = 1e-4, rtol = 1e-4): void {
  const a = actual.reshape([-1]).tolist() as number[];
  assert.equal(a.length, expected.length, `${what}: length`);
  a.forEach((v, i) => {
    const e = expected[i];
    assert.ok(Math.abs(v - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: ${v} vs PyTorch's ${e}`);
  });
}

function modules(c: Case): { conv: nn.Conv2d; bn: nn.BatchNorm2d } {
  const [oc, , k] = c.wShape;
  const conv = new nn.Conv2d(c.xShape[1], oc, k, {
    stride: c.stride,
    padding: c.padding,
    groups: c.groups,
    bias: c.bias !== null,
  });
  const bn = new nn.BatchNorm2d(oc);
  torch.noGrad(() => {
    conv.weight.copy_(torch.tensor(c.w).reshape(c.wShape));
    if (c.bias && conv.bias) conv.bias.copy_(torch.tensor(c.bias));
    bn.weight!.copy_(torch.tensor(c.bn.weight));
    bn.bias!.copy_(torch.tensor(c.bn.bias));
    bn.runningMean!.copy_(torch.tensor(c.bn.mean));
    bn.runningVar!.copy_(torch.tensor(c.bn.var));
  });
  bn.eval();
  return { conv, bn };
}

function runBlock(
  c: Case,
  conv: nn.Conv2d,
  bn: nn.BatchNorm2d,
  x: torch.Tensor,
  relu = new nn.ReLU(true),
): torch.Tensor {
  if (c.residual === null) return convBnRelu(conv, bn, c.relu ? relu : null, x);
  const out = (n: number): number => Math.floor((n + 2 * c.padding - c.wShape[2]) / c.stride) + 1;
  const residual = torch.tensor(c.residual).reshape([c.xShape[0], c.wShape[0], out(c.xShape[2]), out(c.xShape[3])]);
  return convBnAddRelu(conv, bn, residual, relu, x);
}

describe("conv2d + BatchNorm2d (eval) + ReLU fused for inference", () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const { conv, bn } = modules(c);
      const x = torch.tensor(c.x).reshape(c.xShape);
      const fused = torch.noGrad(() => runBlock(c, conv, bn, x));
      close(fused, c.y, `${c.name} (no grad)`);
      // Gradient mode: the modules run one by one, with the same numbers.
      const xg = x.clone().requiresGrad_(true);
      const slow = runBlock(c, conv, bn, xg);
      assert.ok(slow.requiresGrad, "the unfused path records the graph");
      close(slow.detach(), c.y, `${c.name} (grad)`);
    });
  }

  it("is taken only without gradients, in eval mode, without hooks", () => {
    const c = fx.cases[0];
    const { conv, bn } = modules(c);
    const x = torch.tensor(c.x).reshape(c.xShape);
    const p = { stride: conv.stride, padding: conv.padding as number[], dilation: conv.dilation, groups: 1 };
    const stats = {
      weight: bn.weight,
      bias: bn.bias,
      runningMean: bn.runningMean!,
      runningVar: bn.runningVar!,
      eps: bn.eps,
    };
    // Parameters require grad: only under noGrad.
    assert.equal(conv2dBatchNormEval(x, conv.weight, null, p, stats, true), null);
    let calls = 0;
    const h = conv.registerForwardHook(() => void calls++);
    const y = torch.noGrad(() => convBnRelu(conv, bn, new nn.ReLU(), x));
    assert.equal(calls, 1, "the hook ran: the modules ran one by one");
    close(y, c.y, "with a hook");
    h.remove();
    bn.train();
    const t = torch.noGrad(() => convBnRelu(conv, bn, new nn.ReLU(), x));
    const expected = torch.relu(torch.noGrad(() => bn(conv(x))));
    assert.ok(torch.allclose(t, expected), "training mode uses the batch statistics");
  });

  it("keeps NaN through the ReLU, as torch.relu", () => {
    const conv = new nn.Conv2d(1, 1, 1, { bias: false }),
      bn = new nn.BatchNorm2d(1);
    bn.eval();
    torch.noGrad(() => conv.weight.fill_(1));
    const x = torch.tensor([NaN, -1, 2, -3]).reshape([1, 1, 2, 2]);
    const flat = torch
      .noGrad(() => convBnRelu(conv, bn, new nn.ReLU(), x))
      .reshape([-1])
      .tolist() as number[];
    assert.ok(Number.isNaN(flat[0]));
    assert.deepEqual(flat.slice(1), [0, 2 / Math.fround(Math.sqrt(1 + 1e-5)), 0].map(Math.fround));
  });

  it("torchvision Bottleneck with a downsample shortcut (eval)", () => {
    const b = fx.bottleneck;
    const down = new nn.Sequential(new nn.Conv2d(32, 64, 1, { stride: 2, bias: false }), new nn.BatchNorm2d(64));
    const block = new Bottleneck({
      inplanes: 32,
      planes: 16,
      stride: 2,
      downsample: down,
      groups: 1,
      baseWidth: 64,
      dilation: 1,
      normLayer: (ch: number) => new nn.BatchNorm2d(ch),
    });
    const sd = block.stateDict() as Record<string, torch.Tensor>;
    torch.noGrad(() => {
      for (const [k, v] of Object.entries(b.state)) sd[k].copy_(torch.tensor(v).reshape(sd[k].shape));
    });
    block.eval();
    const x = torch.tensor(b.x).reshape([1, 32, 8, 8]);
    close(
      torch.noGrad(() => block(x)),
      b.y,
      "bottleneck (no grad)",
    );
    close(block(x).detach(), b.y, "bottleneck (grad)");
  });
});

describe("max_pool2d in inference (values without indices)", () => {
  it("equals the indexed path, NaN included", () => {
    torch.manualSeed(3);
    const values = torch.randn([2 * 3 * 11 * 12]).tolist() as number[];
    values[200] = NaN;
    values[201] = NaN;
    const x = torch.tensor(values).reshape([2, 3, 11, 12]);
    for (const [k, s, p, d, ceil] of [
      [3, 2, 1, 1, false],
      [2, 2, 0, 1, true],
      [3, 1, 1, 2, false],
    ] as const) {
      const fast = torch.noGrad(() => nn.functional.maxPool2d(x, k, s, p, d, ceil) as torch.Tensor);
      const [slow] = nn.functional.maxPool2d(x, k, s, p, d, ceil, true) as [torch.Tensor, torch.Tensor];
      const a = fast.reshape([-1]).tolist() as number[],
        b = slow.reshape([-1]).tolist() as number[];
      assert.equal(a.length, b.length);
      a.forEach((v, i) =>
        assert.ok(Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])), `${k}/${s}/${p}[${i}]`),
      );
    }
  });

  // The GEMM path applies the bias and the epilogue to blocks of the output as they are finished
  // (native/gemm.cc sgemmSerialPackedTiles): shapes with several K blocks (K > 256), blocks of 256
  // columns plus a partial one, output channels that are not a multiple of the 8-row tiles, one
  // and two threads. Against the same ops in float64, and bit for bit against the float32 modules
  // run one by one (the epilogue rounds as the separate ops).
  it("matches float64 over GEMM block edges (1x1, im2col; bias, residual; 1 and 2 threads)", () => {
    const saved = torch.getNumThreads();
    try {
      for (const threads of [1, 2])
        for (const [C, H, OC, k, s, withBias, withRes] of [
          [300, 17, 13, 1, 1, false, true],
          [20, 19, 24, 3, 2, true, false],
          [7, 33, 9, 1, 1, true, true],
        ] as [number, number, number, number, number, boolean, boolean][]) {
          torch.setNumThreads(threads);
          const what = `${C}->${OC} k${k} s${s} @${H}, ${threads} thread(s)`;
          const conv = new nn.Conv2d(C, OC, k, { stride: s, padding: (k - 1) >> 1, bias: withBias }),
            bn = new nn.BatchNorm2d(OC);
          torch.noGrad(() => {
            bn.runningMean!.copy_(torch.randn([OC]));
            bn.runningVar!.copy_(torch.rand([OC]).add(0.5));
            bn.weight!.copy_(torch.randn([OC]));
            bn.bias!.copy_(torch.randn([OC]));
          });
          bn.eval();
          const x = torch.randn([3, C, H, H]);
          const OH = Math.floor((H + 2 * ((k - 1) >> 1) - k) / s) + 1;
          const res = torch.randn([3, OC, OH, OH]);
          const relu = new nn.ReLU();
          const fused = torch.noGrad(() =>
            withRes ? convBnAddRelu(conv, bn, res, relu, x) : convBnRelu(conv, bn, relu, x),
          );
          // One by one (gradient mode: no fusion).
          const slow = withRes ? convBnAddRelu(conv, bn, res, relu, x) : convBnRelu(conv, bn, relu, x);
          const a = fused.reshape([-1]).tolist() as number[],
            b = slow.detach().reshape([-1]).tolist() as number[];
          assert.deepEqual(a, b, `${what}: fused vs one by one`);
          const d = (t: torch.Tensor | null): torch.Tensor | null => (t === null ? null : t.detach().double());
          let y = nn.functional.conv2d(d(x)!, d(conv.weight)!, d(conv.bias), s, (k - 1) >> 1);
          const ch = (t: torch.Tensor): torch.Tensor => d(t)!.reshape([1, OC, 1, 1]);
          y = y
            .sub(ch(bn.runningMean!))
            .div(ch(bn.runningVar!).add(bn.eps).sqrt())
            .mul(ch(bn.weight!))
            .add(ch(bn.bias!));
          if (withRes) y = y.add(d(res)!);
          close(fused, torch.relu(y).reshape([-1]).tolist() as number[], what, 1e-4, 1e-4);
        }
    } finally {
      torch.setNumThreads(saved);
    }
  });
});
