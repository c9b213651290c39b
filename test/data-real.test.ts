// Real data: CIFAR-10 from ../shared/data/cifar10 (unpacked once, with Flint's own tar reader, to
// a cache folder outside the repository) and Fashion-MNIST from the Debian package
// dataset-fashion-mnist. Each part skips with a message when its files are absent.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, mkdirSync, openSync, readSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { DataLoader } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";
import { extractArchive } from "../src/vision/datasets/utils.js";
import type { Tensor } from "../src/tensor.js";
import type { Image } from "../src/vision/image.js";
import { tempDir } from "./data-helpers.js";

// FLINT_CIFAR10_ARCHIVE, else ../shared next to the repository (as laid out for the lead and CI;
// a checkout elsewhere, such as a git worktree, names the archive in the variable).
const ARCHIVE_CANDIDATES = [
  process.env.FLINT_CIFAR10_ARCHIVE,
  fileURLToPath(new URL("../../shared/data/cifar10/cifar-10-binary.tar.gz", import.meta.url)),
].filter((p): p is string => p !== undefined && p !== "");
const ARCHIVE = ARCHIVE_CANDIDATES.find((p) => existsSync(p)) ?? ARCHIVE_CANDIDATES[0];
const CACHE = join(tmpdir(), "flint-cifar10-cache");
const FASHION = "/usr/share/datasets/fashion-mnist";
const CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

/** Record i of a raw batch file: [label, 3072 CHW pixel bytes]. */
function rawRecord(path: string, i: number): [number, Uint8Array] {
  const buf = Buffer.alloc(3073);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buf, 0, 3073, i * 3073);
  } finally {
    closeSync(fd);
  }
  return [buf[0], new Uint8Array(buf.subarray(1))];
}

/** This copy's per-file MD5s (from its README), so the MD5 checks run on real files too. */
class SharedCIFAR10<X = Image, Y = number> extends datasets.CIFAR10<X, Y> {
  static override trainList: datasets.FileEntry[] = [
    ["data_batch_1.bin", "03bb57f546c35c668ab33629bc55db2c"],
    ["data_batch_2.bin", "42bde2fc4b7b11bc2bf50f36589b6ca6"],
    ["data_batch_3.bin", "82085a4df677f16bf7cffcadca33bc82"],
    ["data_batch_4.bin", "c7441e0a8820f8ab7fbd99780999e426"],
    ["data_batch_5.bin", "af8b23fd69b3e8e2c0f6c0367271f390"],
  ];
  static override testList: datasets.FileEntry[] = [["test_batch.bin", "6b4c34217fca850851db3ecf21e86bef"]];
}

const cifarSkip = existsSync(ARCHIVE)
  ? false
  : `CIFAR-10 archive not found at ${ARCHIVE} (set FLINT_CIFAR10_ARCHIVE to its path)`;
if (cifarSkip !== false) console.log(`# skipping real CIFAR-10 tests: ${cifarSkip}`);

describe("real CIFAR-10", { skip: cifarSkip }, () => {
  before(async () => {
    if (!existsSync(join(CACHE, "cifar-10-batches-bin", "test_batch.bin"))) await extractArchive(ARCHIVE, CACHE);
  });

  it("reads 50,000 + 10,000 records whose labels and pixels equal the raw bytes", () => {
    const train = new SharedCIFAR10(CACHE);
    const test = new SharedCIFAR10(CACHE, { train: false });
    assert.equal(train.length, 50000);
    assert.equal(test.length, 10000);
    assert.deepEqual(train.classes, CLASSES);
    const counts = new Array(10).fill(0);
    for (const t of train.targets) counts[t]++;
    assert.deepEqual(counts, new Array(10).fill(5000));
    const dir = join(CACHE, "cifar-10-batches-bin");
    for (const [ds, index, file, rec] of [
      [train, 0, "data_batch_1.bin", 0],
      [train, 23456, "data_batch_3.bin", 3456],
      [train, 49999, "data_batch_5.bin", 9999],
      [test, 777, "test_batch.bin", 777],
    ] as const) {
      const [label, chw] = rawRecord(join(dir, file), rec);
      const [img, target] = ds.getItem(index);
      assert.equal(target, label);
      for (let p = 0; p < 1024; p += 37)
        for (let c = 0; c < 3; c++) assert.equal(img.data[p * 3 + c], chw[c * 1024 + p]);
    }
  });

  it("flows through DataLoader as [64, 3, 32, 32] float32 images and int64 targets", async () => {
    const test = new SharedCIFAR10<Tensor>(CACHE, { train: false, transform: new transforms.ToTensor() });
    const loader = new DataLoader(test, { batchSize: 64 });
    assert.equal(loader.length, 157);
    let n = 0;
    let batches = 0;
    let last: readonly number[] = [];
    for (const [imgs, targets] of loader) {
      if (batches === 0) {
        assert.deepEqual(
          [imgs.shape, imgs.dtype, targets.shape, targets.dtype],
          [[64, 3, 32, 32], "float32", [64], "int64"],
        );
        const [, chw] = rawRecord(join(CACHE, "cifar-10-batches-bin", "test_batch.bin"), 1);
        assert.equal(imgs.typedArray()[3072 + 5], Math.fround(chw[5] / 255));
      }
      n += imgs.shape[0];
      last = imgs.shape;
      batches++;
    }
    assert.deepEqual([n, batches, last], [10000, 157, [16, 3, 32, 32]]);
    const viaWorkers = new DataLoader(test, { batchSize: 500, numWorkers: 2 });
    let k = 0;
    for await (const [imgs, targets] of viaWorkers) {
      if (k === 3) {
        const [img, t] = test.getItem(1500);
        assert.deepEqual(Array.from(imgs.typedArray().subarray(0, 3072)), Array.from(img.typedArray()));
        assert.equal(targets.typedArray()[0], t);
      }
      k++;
    }
    assert.equal(k, 20);
  });
});

const fashionSkip = existsSync(join(FASHION, "train-images-idx3-ubyte.gz"))
  ? false
  : `${FASHION} not found (apt-get install dataset-fashion-mnist)`;
if (fashionSkip !== false) console.log(`# skipping real Fashion-MNIST tests: ${fashionSkip}`);

describe("real Fashion-MNIST", { skip: fashionSkip }, () => {
  it("reads the Debian package's gzip IDX files: 60,000 + 10,000 images, 6,000 per class", () => {
    const root = tempDir();
    const raw = join(root, "FashionMNIST", "raw");
    mkdirSync(raw, { recursive: true });
    for (const f of [
      "train-images-idx3-ubyte.gz",
      "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
    ]) {
      symlinkSync(join(FASHION, f), join(raw, f));
    }
    const train = new datasets.FashionMNIST(root);
    const test = new datasets.FashionMNIST<Tensor>(root, { train: false, transform: new transforms.ToTensor() });
    assert.equal(train.length, 60000);
    assert.equal(test.length, 10000);
    const counts = new Array(10).fill(0);
    for (const t of train.labels) counts[t]++;
    assert.deepEqual([train.data.shape, train.data.dtype, train.targets.dtype], [[60000, 28, 28], "uint8", "int64"]);
    assert.deepEqual(counts, new Array(10).fill(6000));
    const rawImages = gunzipSync(readFileSync(join(FASHION, "train-images-idx3-ubyte.gz")));
    const rawLabels = gunzipSync(readFileSync(join(FASHION, "train-labels-idx1-ubyte.gz")));
    for (const i of [0, 12345, 59999]) {
      const [img, t] = train.getItem(i);
      assert.equal(t, rawLabels[8 + i]);
      assert.deepEqual(img.data, new Uint8Array(rawImages.subarray(16 + i * 784, 16 + (i + 1) * 784)));
    }
    const [batch, labels] = new DataLoader(test, { batchSize: 32 })[Symbol.iterator]().next().value as [Tensor, Tensor];
    assert.deepEqual([batch.shape, batch.dtype, labels.dtype], [[32, 1, 28, 28], "float32", "int64"]);
  });
});
