// conv2d (depthwise, grouped, stride 2, small planes over a batch: the native fast paths),
// BatchNorm2d (training and evaluation, running buffers) and relu6 against PyTorch 1.13
// (scripts/fixtures/conv_bn_fixtures.py), outputs and gradients, on whichever CPU backend runs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";

interface ConvCase {
  kind: "conv";
  name: string;
  xShape: number[];
  wShape: number[];
  stride: number;
  padding: number;
  dilation: number;
  groups: number;
  x: number[];
  w: number[];
  bias: number[] | null;
  gy: number[];
  y: number[];
  gx: number[];
  gw: number[];
  gb: number[] | null;
}
interface BnCase {
  kind: "bn";
  name: string;
  xShape: number[];
  affine: boolean;
  training: boolean;
  weight: number[] | null;
  bias: number[] | null;
  runningMean: number[];
  runningVar: number[];
  x: number[];
  gy: number[];
  y: number[];
  gx: number[];
  gw: number[] | null;
  gb: number[] | null;
  newMean: number[];
  newVar: number[];
}
const fx = JSON.parse(readFileSync(new URL("./fixtures/conv-bn.json", import.meta.url), "utf8")) as {
  cases: (ConvCase | BnCase)[];
  relu6: { x: (number | "nan")[]; gx: number[] };
  pools: { xShape: number[]; out: number[]; x: number[]; gy: number[]; y: number[]; gx: number[] }[];
};

function close(actual: torch.Tensor | null, expected: number[], what: string, atol = 1e-4, rtol = 1e-4): void {
  assert.ok(actual, `${what}: missing`);
  const a = actual.reshape([-1]).tolist() as number[];
  assert.equal(a.length, expected.length, `${what}: length`);
  a.forEach((v, i) => {
    const e = expected[i];
    assert.ok(Math.abs(v - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: ${v} vs PyTorch's ${e}`);
  });
}

const t = (v: number[], shape: number[]): torch.Tensor => torch.tensor(v).reshape(shape);

describe("conv2d, BatchNorm2d and relu6 equal PyTorch's (outputs and gradients)", () => {
  for (const c of fx.cases) {
    if (c.kind === "conv")
      it(`conv2d ${c.name}`, () => {
        const x = t(c.x, c.xShape).requiresGrad_(),
          w = t(c.w, c.wShape).requiresGrad_();
        const b = c.bias ? torch.tensor(c.bias).requiresGrad_() : null;
        const y = nn.functional.conv2d(x, w, b, {
          stride: c.stride,
          padding: c.padding,
          dilation: c.dilation,
          groups: c.groups,
        });
        y.backward(t(c.gy, [...y.shape]));
        close(y, c.y, "y");
        close(x.grad, c.gx, "grad x");
        close(w.grad, c.gw, "grad w");
        if (b && c.gb) close(b.grad, c.gb, "grad bias");
      });
    else
      it(`BatchNorm2d ${c.name}`, () => {
        const C = c.xShape[1];
        const bn = new nn.BatchNorm2d(C, { affine: c.affine, momentum: 0.2 });
        torch.noGrad(() => {
          bn.runningMean!.copy_(torch.tensor(c.runningMean));
          bn.runningVar!.copy_(torch.tensor(c.runningVar));
          if (c.weight && c.bias) {
            bn.weight!.copy_(torch.tensor(c.weight));
            bn.bias!.copy_(torch.tensor(c.bias));
          }
        });
        bn.train(c.training);
        const x = t(c.x, c.xShape).requiresGrad_();
        const y = bn(x);
        y.backward(t(c.gy, [...y.shape]));
        close(y, c.y, "y");
        close(x.grad, c.gx, "grad x");
        if (c.gw && c.gb) {
          close(bn.weight!.grad, c.gw, "grad weight");
          close(bn.bias!.grad, c.gb, "grad bias");
        }
        close(bn.runningMean, c.newMean, "running_mean", 1e-6, 1e-5);
        close(bn.runningVar, c.newVar, "running_var", 1e-6, 1e-5);
      });
  }

  it("relu6: gradient zero at the bounds, NaN passes it on (HardtanhBackward)", () => {
    const x = torch.tensor(fx.relu6.x.map((v) => (v === "nan" ? NaN : v))).requiresGrad_();
    nn.functional.relu6(x).backward(torch.arange(1, 9).float());
    assert.deepEqual(x.grad!.tolist(), fx.relu6.gx);
  });

  for (const c of fx.pools)
    it(`adaptive_avg_pool2d ${c.xShape.join("x")} -> ${c.out.join("x")} (windows tiling the plane), gradient`, () => {
      const x = t(c.x, c.xShape).requiresGrad_();
      const y = nn.functional.adaptiveAvgPool2d(x, c.out);
      y.backward(t(c.gy, [...y.shape]));
      close(y, c.y, "y");
      close(x.grad, c.gx, "grad x");
    });

  it("BatchNorm2d gradients taken with createGraph differentiate again", () => {
    torch.manualSeed(3);
    const bn = new nn.BatchNorm2d(3);
    const x = torch.randn([4, 3, 2, 2]).requiresGrad_();
    const [gx] = torch.autograd.grad([bn(x).pow(3).sum()], [x], { createGraph: true });
    const [ggx] = torch.autograd.grad([gx!.sum()], [x]);
    assert.ok(ggx && Number.isFinite(ggx.sum().item()));
  });
});
