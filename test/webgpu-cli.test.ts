// `flint train --device webgpu` on SwiftShader: a tiny run (2 images, 1 step per epoch; SwiftShader
// takes seconds per seed-CNN step) trains, evaluates, checkpoints and resumes on the GPU, and its
// metrics match the same run on the CPU at float32 tolerance.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runFlint, tempDir, writeCifar } from "./cli-helpers.js";
import { noGpu } from "./webgpu-helpers.js";

interface Row {
  epoch: number;
  train_loss: number;
  train_acc: number;
  test_loss: number;
  test_acc: number;
}
const metrics = (out: string): Row[] =>
  readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row);

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

test("flint train --device webgpu: trains, checkpoints and resumes as the CPU run does", { skip: noGpu }, async () => {
  writeCifar(join(dir, "data"));
  const common = ["train", "--root", join(dir, "data"), "--no-download", "--train-size", "2", "--batch-size", "2"];
  const tail = ["--test-size", "2", "--seed", "3", "--optimizer", "adam"];
  const gpuOut = join(dir, "gpu"),
    cpuOut = join(dir, "cpu");
  const first = await runFlint([...common, ...tail, "--epochs", "1", "--out", gpuOut, "--device", "webgpu"]);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /device webgpu \(/);
  // The resumed run keeps its stored --device webgpu and moves Adam's moments back onto the GPU.
  const resumed = await runFlint(["train", "--resume", "--out", gpuOut, "--epochs", "2"]);
  assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /device webgpu \(/);
  const cpu = await runFlint([...common, ...tail, "--epochs", "2", "--out", cpuOut]);
  assert.equal(cpu.code, 0, cpu.stderr + cpu.stdout);
  const g = metrics(gpuOut),
    c = metrics(cpuOut);
  assert.equal(g.length, 2);
  for (let i = 0; i < 2; i++) {
    for (const k of ["train_loss", "test_loss"] as const)
      assert.ok(
        Math.abs(g[i][k] - c[i][k]) <= 1e-4 * Math.abs(c[i][k]) + 1e-5,
        `epoch ${i + 1} ${k}: ${g[i][k]} vs ${c[i][k]}`,
      );
    assert.equal(g[i].train_acc, c[i].train_acc);
    assert.equal(g[i].test_acc, c[i].test_acc);
  }
});
