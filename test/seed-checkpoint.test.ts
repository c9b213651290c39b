// Weights move from PyTorch to Flint: the seed CNN's state dict saved by PyTorch 1.13
// (scripts/fixtures/seed_cnn_checkpoint.py) loads into Flint's model of the seed and gives
// PyTorch's logits on the same batch; Flint's save of it loads back identically.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { NN } from "./nn-seed-model.js";

const dir = "test/fixtures/serialization";
const expected = JSON.parse(readFileSync(join(dir, "seed_cnn_logits.json"), "utf8")) as {
  input_seed: number;
  input_shape: number[];
  logits: number[][];
};

/** PyTorch saved a bare Sequential, whose keys lack the "model1." prefix of the seed's class. */
function prefixed(sd: torch.Loaded): Map<string, torch.Tensor> {
  const entries = sd instanceof Map ? [...sd.entries()] : Object.entries(sd as Record<string, torch.Loaded>);
  return new Map(entries.map(([k, v]) => [`model1.${String(k)}`, v as torch.Tensor]));
}

function assertClose(actual: number[][], want: number[][]): void {
  actual.flat().forEach((v, i) => {
    const w = want.flat()[i];
    assert.ok(Math.abs(v - w) <= 1e-5 + 1e-4 * Math.abs(w), `logit ${i}: ${v} vs PyTorch ${w}`);
  });
}

test("a PyTorch checkpoint of the seed CNN gives PyTorch's logits in Flint", () => {
  const model = new NN();
  const result = model.loadStateDict(prefixed(torch.load(join(dir, "seed_cnn.pt"))));
  assert.deepEqual([result.missingKeys, result.unexpectedKeys], [[], []]);
  const batch = torch.rand(expected.input_shape, { generator: new torch.Generator().manualSeed(expected.input_seed) });
  const logits = torch.noGrad(() => model.forward(batch));
  assertClose(logits.tolist() as number[][], expected.logits);
});

test("Flint's own save of the seed CNN (.pt and .safetensors) loads back to the same logits", () => {
  const model = new NN();
  model.loadStateDict(prefixed(torch.load(join(dir, "seed_cnn.pt"))));
  const tmp = mkdtempSync(join(tmpdir(), "flint-seed-"));
  for (const file of ["seed.pt", "seed.safetensors"]) {
    torch.save(model.stateDict(), join(tmp, file));
    const other = new NN();
    other.loadStateDict(torch.load(join(tmp, file)) as Record<string, torch.Tensor>);
    const batch = torch.rand(expected.input_shape, {
      generator: new torch.Generator().manualSeed(expected.input_seed),
    });
    assertClose(torch.noGrad(() => other.forward(batch)).tolist() as number[][], expected.logits);
  }
});
