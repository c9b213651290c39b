// `flint train --model <torchvision architecture>` on CIFAR-sized images, and `flint predict
// --model NAME --weights FILE` with torchvision weights, their preprocessing and ImageNet's names.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PNG } from "pngjs";
import * as torch from "../src/index.js";
import { models } from "../src/vision/index.js";
import { runFlint, tempDir, writeCifar } from "./cli-helpers.js";

const dir = tempDir();
const root = join(dir, "data");
before(() => writeCifar(root));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("flint CLI with vision.models", () => {
  test("train --model squeezenet1_1 trains torchvision's SqueezeNet with 10 outputs on 32x32 images", async () => {
    const out = join(dir, "run-squeeze");
    const r = await runFlint([
      "train",
      "--model",
      "squeezenet1_1",
      "--root",
      root,
      "--no-download",
      "--train-size",
      "32",
      "--test-size",
      "16",
      "--batch-size",
      "16",
      "--epochs",
      "1",
      "--seed",
      "1",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /model squeezenet1_1: 727,626 parameters/);
    const rows = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n");
    assert.equal(rows.length, 1);
    assert.ok(Number.isFinite((JSON.parse(rows[0]) as { train_loss: number }).train_loss));
  });

  test("predict --model squeezenet1_1 --weights FILE uses the weights' transforms and ImageNet's categories", async () => {
    torch.manualSeed(5);
    const weights = join(dir, "squeezenet1_1-b8a52dc0.pth");
    torch.save(models.squeezenet1_1().stateDict() as Record<string, torch.Tensor>, weights);
    const png = new PNG({ width: 300, height: 260 });
    for (let i = 0; i < 300 * 260; i++) png.data.set([(i * 7) % 256, (i * 3) % 256, 128, 255], 4 * i);
    const img = join(dir, "photo.png");
    writeFileSync(img, PNG.sync.write(png));
    const r = await runFlint(["predict", "--model", "squeezenet1_1", "--weights", weights, "--json", img]);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as { class: string; probabilities: Record<string, number> };
    assert.equal(Object.keys(o.probabilities).length, 1000);
    assert.ok(models.SqueezeNet1_1_Weights.IMAGENET1K_V1.meta.categories.includes(o.class), o.class);
    const bad = await runFlint(["predict", "--model", "seed", "--weights", weights, img]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--weights takes a torchvision architecture/);
  });
});
