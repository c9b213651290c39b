// File formats and I/O: CIFAR binary batches, IDX files, the tar reader, and downloads (with
// the synchronous bridge) against a loopback HTTP server.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CIFAR10, CIFAR100 } from "../src/vision/datasets/cifar.js";
import { CifarFormatError, readCifarBatches } from "../src/vision/datasets/cifar-format.js";
import { IdxFormatError, readIdx } from "../src/vision/datasets/idx.js";
import { FashionMNIST, MNIST } from "../src/vision/datasets/mnist.js";
import { ArchiveError, extractTar } from "../src/vision/datasets/tar.js";
import { ChecksumError, DatasetNotFoundError, DownloadError, extractArchive } from "../src/vision/datasets/utils.js";
import { ProgressBar } from "../src/internal/progress.js";
import type { Image } from "../src/vision/image.js";
import { cifarRecords, idxBytes, pseudoBytes, startServer, tarBytes, tempDir, writeTarGz } from "./data-helpers.js";

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

/** A CIFAR-10 with 4 records per file, for small generated batches. */
class SmallCIFAR10<X = Image, Y = number> extends CIFAR10<X, Y> {
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

function writeSmallCifar10(root: string): {
  train: ReturnType<typeof cifarRecords>[];
  test: ReturnType<typeof cifarRecords>;
} {
  const dir = join(root, "cifar-10-batches-bin");
  mkdirSync(dir, { recursive: true });
  const train = [1, 2, 3, 4, 5].map((i) => {
    const r = cifarRecords(4, 1, i);
    writeFileSync(join(dir, `data_batch_${i}.bin`), r.bytes);
    return r;
  });
  const test = cifarRecords(4, 1, 9);
  writeFileSync(join(dir, "test_batch.bin"), test.bytes);
  writeFileSync(
    join(dir, "batches.meta.txt"),
    "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n",
  );
  return { train, test };
}

describe("CIFAR binary format", () => {
  it("reads records: labels, and CHW planes turned to HWC pixels", () => {
    const root = tempDir();
    const { train, test } = writeSmallCifar10(root);
    const ds = new SmallCIFAR10(root, { train: true });
    assert.equal(ds.length, 20);
    assert.deepEqual(
      ds.targets,
      train.flatMap((r) => r.labels[0]),
    );
    assert.equal(ds.classes.length, 10);
    assert.equal(ds.classToIdx.truck, 9);
    const [img, target] = ds.getItem(6); // file 2, record 2
    assert.equal(target, train[1].labels[0][2]);
    assert.deepEqual([img.width, img.height, img.channels], [32, 32, 3]);
    const raw = train[1].pixels[2];
    for (const [y, x, c] of [
      [0, 0, 0],
      [0, 0, 2],
      [5, 17, 1],
      [31, 31, 2],
    ]) {
      assert.equal(img.data[(y * 32 + x) * 3 + c], raw[c * 1024 + y * 32 + x]);
    }
    assert.deepEqual(ds.getItem(-1)[1], train[4].labels[0][3]);
    assert.throws(() => ds.getItem(20), /index 20 is out of range for length 20/);
    const testDs = new SmallCIFAR10(root, {
      train: false,
      transform: (im) => im.data[0],
      targetTransform: (t) => `c${t}`,
    });
    assert.equal(testDs.length, 4);
    assert.deepEqual(testDs.getItem(1), [test.pixels[1][0], `c${test.labels[0][1]}`]);
  });

  it("rejects a truncated or wrong-sized batch file, naming it and its sizes", () => {
    const root = tempDir();
    writeSmallCifar10(root);
    const file = join(root, "cifar-10-batches-bin", "data_batch_3.bin");
    truncateSync(file, 4 * 3073 - 100);
    assert.throws(
      () => new SmallCIFAR10(root),
      (e: Error) =>
        e instanceof DatasetNotFoundError && /data_batch_3\.bin has 12192 bytes, expected 12292/.test(e.message),
    );
    assert.throws(
      () => readCifarBatches([file], 1),
      (e: Error) => e instanceof CifarFormatError && /data_batch_3\.bin has 12192 bytes/.test(e.message),
    );
    assert.throws(
      () => readCifarBatches([file.replace("_3", "_1")], 1, [5]),
      /has 4 records \(12292 bytes\), expected 5 records/,
    );
  });

  it("missing data says Dataset not found and how to get it", () => {
    assert.throws(
      () => new CIFAR10(tempDir()),
      /CIFAR10: Dataset not found or corrupted\. You can use download=True to download it/,
    );
    assert.throws(() => new MNIST(tempDir()), /MNIST: Dataset not found\. You can use download=True/);
  });

  it("CIFAR100 takes the fine label (second byte) as the target", () => {
    const root = tempDir();
    const dir = join(root, "cifar-100-binary");
    mkdirSync(dir, { recursive: true });
    const train = cifarRecords(3, 2, 1);
    const test = cifarRecords(2, 2, 2);
    writeFileSync(join(dir, "train.bin"), train.bytes);
    writeFileSync(join(dir, "test.bin"), test.bytes);
    writeFileSync(join(dir, "fine_label_names.txt"), "apple\naquarium_fish\n");
    class Small100 extends CIFAR100 {
      static override records = { "train.bin": 3, "test.bin": 2 };
    }
    const ds = new Small100(root);
    assert.equal(ds.length, 3);
    assert.deepEqual(ds.targets, train.labels[1]);
    assert.deepEqual(ds.classes, ["apple", "aquarium_fish"]);
    assert.equal(ds.getItem(2)[0].data[1], train.pixels[2][1024]);
  });
});

describe("IDX format", () => {
  it("reads gzip and plain files with their shape", () => {
    const dir = tempDir();
    const pixels = pseudoBytes(3 * 4 * 5, 3);
    writeFileSync(join(dir, "a.idx"), idxBytes([3, 4, 5], pixels));
    writeFileSync(join(dir, "a.idx.gz"), gzipSync(idxBytes([3, 4, 5], pixels)));
    for (const f of ["a.idx", "a.idx.gz"]) {
      const arr = readIdx(join(dir, f));
      assert.deepEqual(arr.shape, [3, 4, 5]);
      assert.equal(arr.type, "uint8");
      assert.deepEqual(Array.from(arr.data), Array.from(pixels));
    }
  });

  it("validates magic, dimensions and size", () => {
    const dir = tempDir();
    const good = idxBytes([2, 3], new Uint8Array(6));
    const bad = Uint8Array.from(good);
    bad[0] = 8;
    writeFileSync(join(dir, "magic"), bad);
    assert.throws(
      () => readIdx(join(dir, "magic")),
      (e: Error) => e instanceof IdxFormatError && /magic/.test(e.message) && e.message.includes("magic"),
    );
    writeFileSync(join(dir, "short"), good.subarray(0, good.length - 2));
    assert.throws(
      () => readIdx(join(dir, "short")),
      /short has 16 bytes, expected 18 for a uint8 array of shape \[2, 3\]: the file is truncated/,
    );
    const type = Uint8Array.from(good);
    type[2] = 0x42;
    writeFileSync(join(dir, "type"), type);
    assert.throws(() => readIdx(join(dir, "type")), /unknown element type 0x42/);
    writeFileSync(join(dir, "badgz.gz"), gzipSync(good).subarray(0, 12));
    assert.throws(() => readIdx(join(dir, "badgz.gz")), /corrupt or truncated gzip/);
  });

  it("MNIST and FashionMNIST read root/<Class>/raw, gzip or not", () => {
    const root = tempDir();
    const raw = join(root, "FashionMNIST", "raw");
    mkdirSync(raw, { recursive: true });
    const images = pseudoBytes(5 * 28 * 28, 5);
    writeFileSync(join(raw, "train-images-idx3-ubyte.gz"), gzipSync(idxBytes([5, 28, 28], images)));
    writeFileSync(join(raw, "train-labels-idx1-ubyte"), idxBytes([5], Uint8Array.from([9, 0, 3, 1, 2])));
    writeFileSync(join(raw, "t10k-images-idx3-ubyte"), idxBytes([1, 28, 28], images.subarray(0, 784)));
    writeFileSync(join(raw, "t10k-labels-idx1-ubyte"), idxBytes([1], Uint8Array.from([4])));
    const ds = new FashionMNIST(root);
    assert.equal(ds.length, 5);
    assert.deepEqual(ds.labels, [9, 0, 3, 1, 2]);
    assert.deepEqual([ds.targets.dtype, ds.targets.tolist()], ["int64", [9, 0, 3, 1, 2]]);
    assert.deepEqual(
      [ds.data.shape, ds.data.dtype, ds.data.typedArray()[2 * 784 + 5]],
      [[5, 28, 28], "uint8", images[2 * 784 + 5]],
    );
    const [img, t] = ds.getItem(2);
    assert.equal(t, 3);
    assert.deepEqual([img.width, img.height, img.channels], [28, 28, 1]);
    assert.deepEqual(Array.from(img.data), Array.from(images.subarray(2 * 784, 3 * 784)));
    assert.equal(ds.classes[9], "Ankle boot");
    assert.equal(new FashionMNIST(root, { train: false }).length, 1);
    writeFileSync(join(raw, "t10k-labels-idx1-ubyte"), idxBytes([2], Uint8Array.from([4, 4])));
    assert.throws(() => new FashionMNIST(root, { train: false }), /1 images but labels of shape \[2\]/);
  });
});

describe("tar reader", () => {
  it("extracts files and folders from .tar.gz", async () => {
    const dir = tempDir();
    const a = pseudoBytes(1000, 1);
    writeTarGz(join(dir, "x.tar.gz"), [
      ["top/", null],
      ["top/a.bin", a],
      ["top/sub/b.txt", new TextEncoder().encode("hello")],
      ["top/empty", new Uint8Array(0)],
    ]);
    const files = await extractTar(join(dir, "x.tar.gz"), join(dir, "out"));
    assert.deepEqual(files.sort(), ["top/a.bin", "top/empty", "top/sub/b.txt"]);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, "out/top/a.bin"))), a);
    assert.equal(readFileSync(join(dir, "out/top/sub/b.txt"), "utf8"), "hello");
  });

  it("refuses entries escaping the destination, and truncated archives, leaving nothing behind", async () => {
    const dir = tempDir();
    writeTarGz(join(dir, "evil.tar.gz"), [["../evil.txt", new Uint8Array(3)]]);
    await assert.rejects(
      extractTar(join(dir, "evil.tar.gz"), join(dir, "out")),
      (e: Error) => e instanceof ArchiveError && /outside/.test(e.message),
    );
    const tar = tarBytes([["big.bin", pseudoBytes(5000, 2)]]);
    writeFileSync(join(dir, "trunc.tar"), tar.subarray(0, 2048));
    await assert.rejects(extractArchive(join(dir, "trunc.tar"), join(dir, "dest")), /truncated/);
    assert.deepEqual(readdirSync(join(dir, "dest")), []);
  });
});

describe("progress bar", () => {
  it("renders percent, bar and counts", () => {
    const bar = new ProgressBar({ total: 2048, desc: "f.bin", unit: "bytes", quiet: true, width: 10 });
    bar.update(1024);
    assert.match(bar.render(), /^f\.bin {2}50% \|#{5} {5}\| 1\.0 kB\/2\.0 kB /);
    bar.close();
  });
});

describe("download", () => {
  let serverDir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let archiveMd5: string;
  let records: ReturnType<typeof cifarRecords>;
  before(async () => {
    serverDir = tempDir();
    records = cifarRecords(4, 1, 7);
    const entries: [string, Uint8Array | null][] = [["cifar-10-batches-bin/", null]];
    for (const f of [
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
      "test_batch.bin",
    ]) {
      entries.push([`cifar-10-batches-bin/${f}`, records.bytes]);
    }
    entries.push(["cifar-10-batches-bin/batches.meta.txt", new TextEncoder().encode("a\nb\n")]);
    archiveMd5 = md5(writeTarGz(join(serverDir, "small-cifar.tar.gz"), entries));
    server = await startServer(serverDir);
  });
  after(async () => server.close());

  const mirror = (mode: string, md5sum: () => string) =>
    class extends SmallCIFAR10 {
      static override url = `${server.url}/${mode}/small-cifar.tar.gz`;
      static override filename = "cifar-small.tar.gz";
      static override get tgzMd5() {
        return md5sum();
      }
    };

  it("a corrupt transfer is a checksum error and leaves nothing behind; a clean retry works; then it is skipped", () => {
    const root = tempDir();
    const Corrupt = mirror("corrupt", () => archiveMd5);
    assert.throws(
      () => new Corrupt(root, { download: true }),
      (e: Error) =>
        e instanceof ChecksumError && /MD5 checksum failed/.test(e.message) && e.message.includes(archiveMd5),
    );
    assert.deepEqual(readdirSync(root), []);
    const Short = mirror("short", () => archiveMd5);
    assert.throws(
      () => new Short(root, { download: true }),
      (e: Error) => e instanceof DownloadError,
    );
    assert.deepEqual(readdirSync(root), []);
    const Missing = mirror("missing", () => archiveMd5);
    assert.throws(() => new Missing(root, { download: true }), /HTTP 404/);
    assert.deepEqual(readdirSync(root), []);

    const Ok = mirror("ok", () => archiveMd5);
    const ds = new Ok(root, { train: false, download: true });
    assert.equal(ds.length, 4);
    assert.deepEqual(ds.targets, records.labels[0]);
    assert.equal(ds.getItem(3)[0].data[2], records.pixels[3][2048]);
    assert.deepEqual(readdirSync(root).sort(), ["cifar-10-batches-bin", "cifar-small.tar.gz"]);
    const hits = server.hits();
    const again = new Ok(root, { download: true });
    assert.equal(again.length, 20);
    assert.equal(server.hits(), hits, "already-present files are not fetched again");
  });

  it("offline: the error says what was tried and how to work offline, names a rejected local archive, and leaves no empty root", () => {
    const parent = tempDir();
    const root = join(parent, "data", "nested");
    // A port nothing listens on stands in for an unreachable host.
    const Offline = class extends SmallCIFAR10 {
      static override url = "http://127.0.0.1:9/small-cifar.tar.gz";
      static override filename = "cifar-small.tar.gz";
      static override tgzMd5 = archiveMd5;
    };
    assert.throws(
      () => new Offline(root, { download: true }),
      (e: Error) =>
        e instanceof DownloadError &&
        e.message.includes("http://127.0.0.1:9/small-cifar.tar.gz") &&
        /To work offline, copy cifar-small\.tar\.gz \(MD5 [0-9a-f]{32}\)/.test(e.message),
    );
    assert.deepEqual(readdirSync(parent), [], "the folders made for the download are removed again");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "cifar-small.tar.gz"), "not an archive");
    const stale = createHash("md5").update("not an archive").digest("hex");
    assert.throws(
      () => new Offline(root, { download: true }),
      (e: Error) =>
        e instanceof DownloadError && e.message.includes(`MD5 ${stale}, not the expected MD5 ${archiveMd5}`),
    );
    assert.deepEqual(readdirSync(root), ["cifar-small.tar.gz"], "a user's file is never deleted");
  });

  it("a wrong expected MD5 is a checksum error", () => {
    const root = tempDir();
    const Wrong = mirror("ok", () => "0".repeat(32));
    assert.throws(() => new Wrong(root, { download: true }), /checksum failed.*expected 0{32}/);
    assert.equal(existsSync(join(root, "cifar-10-batches-bin")), false);
    assert.deepEqual(readdirSync(root), []);
  });

  it("MNIST downloads each file from the first mirror that works", () => {
    const root = tempDir();
    const files: [string, Uint8Array][] = [
      ["train-images-idx3-ubyte.gz", gzipSync(idxBytes([2, 28, 28], pseudoBytes(2 * 784, 1)))],
      ["train-labels-idx1-ubyte.gz", gzipSync(idxBytes([2], Uint8Array.from([3, 5])))],
      ["t10k-images-idx3-ubyte.gz", gzipSync(idxBytes([1, 28, 28], pseudoBytes(784, 2)))],
      ["t10k-labels-idx1-ubyte.gz", gzipSync(idxBytes([1], Uint8Array.from([7])))],
    ];
    for (const [f, b] of files) writeFileSync(join(serverDir, f), b);
    class LocalMNIST extends MNIST {
      static override mirrors = [`${server.url}/missing/`, `${server.url}/ok/`];
      static override resources: [string, string | null][] = files.map(([f, b]) => [f, md5(b)]);
    }
    const ds = new LocalMNIST(root, { download: true });
    assert.deepEqual(ds.targets.tolist(), [3, 5]);
    assert.ok(existsSync(join(root, "LocalMNIST", "raw", "t10k-labels-idx1-ubyte.gz")));
  });
});
