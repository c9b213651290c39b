// ImageFolder over generated PNG, JPEG and PPM files.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { ImageFolder, DatasetFolder } from "../src/vision/datasets/folder.js";
import { decodeImage, ImageDecodeError } from "../src/vision/image-io.js";
import { pseudoBytes, tempDir } from "./data-helpers.js";

function pngBytes(width: number, height: number, rgba: Uint8Array, colorType: 0 | 2 | 4 | 6 = 6): Buffer {
  const png = new pngjs.PNG({ width, height });
  png.data = Buffer.from(rgba);
  return pngjs.PNG.sync.write(png, { colorType });
}

describe("image decoding", () => {
  it("PNG RGBA decodes to RGB with alpha dropped (PIL's convert('RGB'))", () => {
    const rgba = pseudoBytes(5 * 3 * 4, 1);
    const im = decodeImage(pngBytes(5, 3, rgba));
    assert.deepEqual([im.width, im.height, im.channels], [5, 3, 3]);
    for (let i = 0; i < 15; i++) for (let c = 0; c < 3; c++) assert.equal(im.data[i * 3 + c], rgba[i * 4 + c]);
  });

  it("grayscale PNG is replicated to RGB", () => {
    const rgba = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) rgba.set([i * 10, i * 10, i * 10, 255], i * 4);
    const im = decodeImage(pngBytes(4, 4, rgba, 0));
    assert.deepEqual(Array.from(im.data.subarray(15, 18)), [50, 50, 50]);
  });

  it("JPEG decodes close to the encoded pixels", () => {
    const w = 16;
    const rgba = new Uint8Array(w * w * 4);
    for (let i = 0; i < w * w; i++) rgba.set([100, 150, 200, 255], i * 4);
    const enc = jpeg.encode({ width: w, height: w, data: rgba }, 95);
    const im = decodeImage(enc.data);
    assert.equal(im.channels, 3);
    for (let i = 0; i < w * w * 3; i += 3) {
      assert.ok(
        Math.abs(im.data[i] - 100) <= 3 && Math.abs(im.data[i + 1] - 150) <= 3 && Math.abs(im.data[i + 2] - 200) <= 3,
      );
    }
  });

  it("PPM/PGM, and a clear error for other bytes", () => {
    const ppm = Buffer.concat([Buffer.from("P6\n# c\n2 1\n255\n"), Buffer.from([1, 2, 3, 4, 5, 6])]);
    assert.deepEqual(Array.from(decodeImage(ppm).data), [1, 2, 3, 4, 5, 6]);
    const pgm = Buffer.from("P2 2 1 255 7 9");
    assert.deepEqual(Array.from(decodeImage(pgm).data), [7, 7, 7, 9, 9, 9]);
    assert.throws(
      () => decodeImage(Buffer.from("GIF89a..."), "x.gif"),
      (e: Error) => e instanceof ImageDecodeError && /x\.gif is not a PNG, JPEG/.test(e.message),
    );
  });
});

describe("ImageFolder", () => {
  function makeTree(): string {
    const root = tempDir();
    for (const [cls, files] of [
      ["dog", ["b.png", "a.png", "sub/c.png", "notes.txt"]],
      ["cat", ["z.jpg"]],
      ["bird", ["x.PNG"]],
    ] as const) {
      for (const f of files) {
        const path = join(root, cls, f);
        mkdirSync(join(path, ".."), { recursive: true });
        if (f.endsWith(".txt")) writeFileSync(path, "hi");
        else if (f.endsWith(".jpg"))
          writeFileSync(path, jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(128) }, 90).data);
        else writeFileSync(path, pngBytes(3, 2, pseudoBytes(24, f.length)));
      }
    }
    return root;
  }

  it("lists classes sorted, samples in torchvision's order, and loads RGB images", () => {
    const root = makeTree();
    const ds = new ImageFolder(root);
    assert.deepEqual(ds.classes, ["bird", "cat", "dog"]);
    assert.deepEqual(ds.classToIdx, { bird: 0, cat: 1, dog: 2 });
    assert.deepEqual(
      ds.samples.map(([p, t]) => [p.slice(root.length + 1), t]),
      [
        ["bird/x.PNG", 0],
        ["cat/z.jpg", 1],
        ["dog/a.png", 2],
        ["dog/b.png", 2],
        ["dog/sub/c.png", 2],
      ],
    );
    assert.deepEqual(ds.targets, [0, 1, 2, 2, 2]);
    assert.equal(ds.length, 5);
    const [img, target] = ds.getItem(3);
    assert.equal(target, 2);
    assert.deepEqual([img.width, img.height, img.channels], [3, 2, 3]);
    const rgba = pseudoBytes(24, 5);
    assert.deepEqual(Array.from(img.data.subarray(0, 6)), [rgba[0], rgba[1], rgba[2], rgba[4], rgba[5], rgba[6]]);
  });

  it("takes loader, isValidFile and transforms", () => {
    const root = makeTree();
    const ds = new ImageFolder(root, {
      loader: (p) => ({ width: 1, height: 1, channels: 1, data: Uint8Array.of(p.length) }),
      transform: (im) => im.data[0],
      targetTransform: (t) => t * 10,
      isValidFile: (p) => p.endsWith(".png") || p.endsWith(".txt") || p.endsWith(".PNG") || p.endsWith(".jpg"),
    });
    assert.equal(ds.length, 6);
    const [x, y] = ds.getItem(0);
    assert.equal(typeof x, "number");
    assert.equal(y, 0);
    assert.throws(
      () => new DatasetFolder(root, (p) => p.length, { extensions: [".txt"] }),
      /Found no valid file for the classes bird, cat\. Supported extensions are: \.txt/,
    );
    assert.throws(
      () => new DatasetFolder(root, (p) => p.length, { isValidFile: (p) => !p.includes("cat") }),
      /classes cat\. $/,
    );
    const txt = new DatasetFolder(root, (p) => p.length, { extensions: [".png", ".jpg"] });
    assert.deepEqual(txt.getItem(1), [join(root, "cat", "z.jpg").length, 1]);
  });
});

describe("ImageFolder in DataLoader worker threads", () => {
  it("loads the same batches as in process, with isValidFile and a transform", async () => {
    const { DataLoader } = await import("../src/utils/data/index.js");
    const { transforms } = await import("../src/vision/index.js");
    const root = tempDir();
    for (const [cls, n] of [
      ["a", 3],
      ["b", 4],
    ] as const) {
      mkdirSync(join(root, cls), { recursive: true });
      for (let i = 0; i < n; i++)
        writeFileSync(join(root, cls, `${i}.png`), pngBytes(4, 4, pseudoBytes(64, i + cls.length * 10)));
      writeFileSync(join(root, cls, "skip.png"), pngBytes(4, 4, new Uint8Array(64)));
    }
    const ds = new ImageFolder(root, {
      transform: new transforms.ToTensor(),
      isValidFile: (p) => !p.endsWith("skip.png"),
    });
    assert.equal(ds.length, 7);
    const flat = (batches: unknown[]) =>
      JSON.stringify(batches.map((b) => (b as { tolist(): unknown }[]).map((t) => t.tolist())));
    const inProcess = flat(Array.from(new DataLoader(ds, { batchSize: 3 })));
    assert.equal(flat(Array.from(new DataLoader(ds, { batchSize: 3, numWorkers: 2 }))), inProcess);
  });
});
