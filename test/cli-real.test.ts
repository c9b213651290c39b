// `flint train` on real CIFAR-10 gives PyTorch's numbers: the seed's CNN and recipe, one epoch on
// the first 640 training images, evaluated on the first 200 test images, against PyTorch 1.13
// running the same setup (scripts/fixtures/cli_fixtures.py → test/fixtures/cli/seed-recipe.json).
// Same initial weights, same shuffle order, same losses. Skips when the data set is not on disk.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { REPO, runFlint, tempDir } from "./cli-helpers.js";

interface Reference {
  train_loss: number;
  train_acc: number;
  test_loss: number;
  test_acc: number;
}

/**
 * A folder holding cifar-10-batches-bin/: FLINT_CIFAR_ROOT, or the archive (FLINT_CIFAR10_ARCHIVE,
 * else ../shared next to the repository) unpacked to a cache.
 */
function cifarRoot(): string | null {
  const env = process.env.FLINT_CIFAR_ROOT;
  if (env !== undefined && existsSync(join(env, "cifar-10-batches-bin", "test_batch.bin"))) return env;
  const archives = [
    process.env.FLINT_CIFAR10_ARCHIVE,
    join(REPO, "..", "shared", "data", "cifar10", "cifar-10-binary.tar.gz"),
  ];
  const archive = archives.find((a): a is string => a !== undefined && a !== "" && existsSync(a));
  if (archive === undefined) return null;
  const cache = join(tmpdir(), "flint-cifar10-cache");
  if (!existsSync(join(cache, "cifar-10-batches-bin", "test_batch.bin"))) {
    mkdirSync(cache, { recursive: true });
    execFileSync("tar", ["xzf", archive, "-C", cache]);
  }
  return cache;
}

const root = cifarRoot();
const out = tempDir("flint-cli-real-");
after(() => rmSync(out, { recursive: true, force: true }));

test(
  "flint train on real CIFAR-10 matches PyTorch 1.13 (seed CNN, SGD 0.01/0.9, batch 64, seed 0)",
  {
    skip:
      root === null
        ? "CIFAR-10 not found (set FLINT_CIFAR_ROOT or FLINT_CIFAR10_ARCHIVE, or provide ../shared/data/cifar10)"
        : false,
  },
  async () => {
    const ref = JSON.parse(
      readFileSync(join(REPO, "test", "fixtures", "cli", "seed-recipe.json"), "utf8"),
    ) as Reference;
    const r = await runFlint([
      "train",
      "--root",
      root!,
      "--no-download",
      "--train-size",
      "640",
      "--test-size",
      "200",
      "--epochs",
      "1",
      "--seed",
      "0",
      "--out",
      join(out, "run"),
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const m = JSON.parse(readFileSync(join(out, "run", "metrics.jsonl"), "utf8").trim()) as Reference;
    const close = (a: number, b: number, what: string): void =>
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b), `${what}: flint ${a}, PyTorch ${b}`);
    close(m.train_loss, ref.train_loss, "train loss");
    close(m.test_loss, ref.test_loss, "test loss");
    assert.equal(m.train_acc, ref.train_acc);
    assert.equal(m.test_acc, ref.test_acc);
  },
);
