// CIFAR10.data is a uint8 tensor [N, 32, 32, 3], as torchvision's data array (NHWC), sharing the
// pixels getItem returns.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import "../src/index.js";
import { CIFAR10 } from "../src/vision/datasets/cifar.js";
import { cifarRecords, tempDir } from "./data-helpers.js";

class SmallCIFAR10 extends CIFAR10 {
  static override records = Object.fromEntries(
    [
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
      "test_batch.bin",
    ].map((f) => [f, 4]),
  );
}

test("CIFAR10.data is [N, 32, 32, 3] uint8 (NHWC), matching getItem's pixels", () => {
  const root = tempDir();
  const dir = join(root, "cifar-10-batches-bin");
  mkdirSync(dir, { recursive: true });
  const batches = [1, 2, 3, 4, 5].map((i) => cifarRecords(4, 1, i));
  batches.forEach((r, i) => writeFileSync(join(dir, `data_batch_${i + 1}.bin`), r.bytes));
  writeFileSync(join(dir, "test_batch.bin"), cifarRecords(4, 1, 9).bytes);
  const ds = new SmallCIFAR10(root);
  assert.deepEqual(ds.data.shape, [20, 32, 32, 3]);
  assert.equal(ds.data.dtype, "uint8");
  const raw = batches[1].pixels[2];
  for (const [y, x, c] of [
    [0, 0, 0],
    [5, 17, 1],
    [31, 31, 2],
  ]) {
    assert.equal(ds.data.index(6, y, x, c).item(), raw[c * 1024 + y * 32 + x]);
    assert.equal(ds.getItem(6)[0].data[(y * 32 + x) * 3 + c], raw[c * 1024 + y * 32 + x]);
  }
});
