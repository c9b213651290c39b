// vision.models against torchvision 0.14 (scripts/fixtures/vision_models_fixtures.py): after
// torch.manualSeed(0) a model's state dict has torchvision's keys, shapes and values, and its
// eval-mode logits on a fixed input equal torchvision's.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, it } from "node:test";
import * as torch from "../src/index.js";
import { models } from "../src/vision/index.js";
import type { Module } from "../src/nn/module.js";

interface Summary {
  sum: number;
  sumsq: number;
  at: number[];
  values: number[];
}
interface Fixture {
  name: string;
  kwargs: Record<string, unknown>;
  size: number;
  state: (Summary & { key: string; shape: number[]; dtype: string })[];
  eval: Summary;
  evalShape: number[];
  evalFirst: number[];
  train?: Summary;
  trainFirst?: number[];
  gradKey?: string;
  grad?: Summary;
}

const DIR = "test/fixtures/vision-models";
const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
type Builder = (o?: Record<string, unknown>) => Module & ((x: torch.Tensor) => torch.Tensor);
const builders = models as unknown as Record<string, Builder | undefined>;

function close(actual: number, expected: number, rtol: number, atol: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= atol + rtol * Math.abs(expected),
    `${what}: ${actual} vs torchvision ${expected}`,
  );
}

function checkSummary(t: torch.Tensor, s: Summary, rtol: number, atol: number, what: string): void {
  const flat = t.detach().reshape(-1).to(torch.float64);
  const v = flat.typedArray() as Float64Array;
  let sum = 0;
  let sumsq = 0;
  for (const x of v) {
    sum += x;
    sumsq += x * x;
  }
  close(sumsq, s.sumsq, rtol, atol * Math.max(1, Math.sqrt(v.length)), `${what} sum of squares`);
  close(sum, s.sum, rtol * 10, atol * Math.max(1, Math.sqrt(v.length)), `${what} sum`);
  s.at.forEach((i, j) => close(v[i], s.values[j], rtol, atol, `${what}[${i}]`));
}

// Models of more than ~10M parameters take tens of seconds to initialise with PyTorch's random
// stream in a test run; they are checked with FLINT_TEST_BIG_MODELS=1 (see the README).
const BIG = new Set([
  "resnet50",
  "resnet101",
  "wide_resnet50_2",
  "resnext50_32x4d",
  "vgg11",
  "vgg11_bn",
  "vgg16",
  "vgg16_bn",
  "alexnet",
  "mobilenet_v3_large",
]);
const runBig = process.env.FLINT_TEST_BIG_MODELS === "1";

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(`${DIR}/${f}`, "utf8")) as Fixture);

describe("vision.models: torchvision's keys, seeded weights and logits", () => {
  for (const fx of fixtures) {
    const builderName = camel(fx.name.replace("_zero_init", ""));
    const build = builders[builderName];
    const skip =
      build === undefined
        ? `${builderName} is not in vision.models`
        : BIG.has(fx.name) && !runBig
          ? "big model: FLINT_TEST_BIG_MODELS=1 runs it"
          : false;
    it(`${fx.name}`, { skip }, () => {
      const kwargs = Object.fromEntries(Object.entries(fx.kwargs).map(([k, v]) => [camel(k), v]));
      torch.manualSeed(0);
      const model = build!(kwargs);
      const sd = model.stateDict() as Record<string, torch.Tensor>;
      assert.deepEqual(
        Object.keys(sd),
        fx.state.map((e) => e.key),
      );
      for (const e of fx.state) {
        assert.deepEqual(sd[e.key].shape, e.shape, e.key);
        checkSummary(sd[e.key], e, 1e-5, 1e-6, e.key);
      }
      torch.manualSeed(1);
      const x = torch.rand(2, 3, fx.size, fx.size);
      model.eval();
      const logits = torch.noGrad(() => model(x));
      assert.deepEqual(logits.shape, fx.evalShape);
      const first = logits.index(0, `0:${fx.evalFirst.length}`).tolist() as number[];
      first.forEach((v, i) => close(v, fx.evalFirst[i], 1e-3, 1e-4, `logits[0, ${i}]`));
      checkSummary(logits, fx.eval, 1e-3, 1e-4, "logits");
    });
  }
});
