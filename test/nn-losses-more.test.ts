// The remaining nn losses (MarginRanking, HingeEmbedding, SoftMargin, CosineEmbedding,
// MultiMargin, MultiLabelMargin, MultiLabelSoftMargin, PoissonNLL, GaussianNLL, TripletMargin,
// TripletMarginWithDistance, CTC) with their options against PyTorch 1.13
// (scripts/fixtures/nnsurf_losses_fixtures.py): loss and input gradients in float32 and float64,
// float64 gradchecks, and the functional forms giving the same numbers.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { ctorOf, fixture } from "./nn-helpers.js";
import { type SurfCase, checkCase, decTree, gradcheckCase } from "./nn-surf-helpers.js";

interface LossCase extends SurfCase {
  module: string;
  args: unknown[];
  opts: Record<string, unknown>;
  extra: unknown[];
}
const { cases } = fixture<{ cases: LossCase[] }>("surf-losses.json");

function fnOf(c: LossCase): (...xs: torch.Tensor[]) => unknown {
  const Ctor = ctorOf<nn.Module>(nn, c.module);
  const opts = decTree(c.opts) as Record<string, unknown>;
  const f64 = c.inputs[0].dtype === "float64";
  for (const [k, v] of Object.entries(opts)) if (v instanceof torch.Tensor && f64) opts[k] = v.double();
  const m = Object.keys(opts).length ? new Ctor(...c.args, opts) : new Ctor(...c.args);
  return (...xs) => (m.call as (...a: unknown[]) => unknown)(...xs, ...c.extra);
}

// PyTorch's CTC backward gives the gradient as seen through a log_softmax (it adds exp(log_probs),
// which log_softmax's backward cancels), so the finite-difference check runs through one; an
// infinite loss has NaN gradients in PyTorch, so that case compares the loss only.
// GaussianNLLLoss clamps var under no_grad (value clamped, gradient straight through): the case
// whose var falls below eps is compared with PyTorch but not finite-differenced.
const gradFn = (c: LossCase): ((...xs: torch.Tensor[]) => unknown) => {
  const f = fnOf(c);
  return c.module === "CTCLoss" ? (x, ...rest) => f(x.logSoftmax(2), ...rest) : f;
};
for (const c of cases) {
  const infinite = c.name.startsWith("ctc_infinite");
  test(`nn.${c.module} ${c.name} matches PyTorch`, () => checkCase(infinite ? { ...c, gradOuts: [] } : c, fnOf(c)));
  if (c.name.endsWith("_f64") && !infinite && !c.name.startsWith("gaussian_nll_full_homo"))
    test(`nn.${c.module} ${c.name} gradcheck`, () => gradcheckCase(c, gradFn(c)));
}

test("functional losses give the modules' numbers", () => {
  const F = torch.nn.functional;
  torch.manualSeed(3);
  const a = torch.randn(4, 6),
    p = torch.randn(4, 6),
    n = torch.randn(4, 6);
  const same = (x: torch.Tensor, y: torch.Tensor) =>
    assert.deepEqual(Array.from(x.typedArray()), Array.from(y.typedArray()));
  same(F.tripletMarginLoss(a, p, n, 0.5, 1), new nn.TripletMarginLoss(0.5, 1).call(a, p, n));
  const y = torch.tensor([1, -1, 1, -1], { dtype: "float32" });
  same(F.cosineEmbeddingLoss(a, p, y, { margin: 0.1 }), new nn.CosineEmbeddingLoss({ margin: 0.1 }).call(a, p, y));
  same(
    F.marginRankingLoss(a.select(1, 0), p.select(1, 0), y, 0.2, { reduction: "sum" }),
    new nn.MarginRankingLoss(0.2, { reduction: "sum" }).call(a.select(1, 0), p.select(1, 0), y),
  );
  assert.throws(() => new nn.TripletMarginLoss({ marginn: 1 }), /unexpected option 'marginn'/);
});
