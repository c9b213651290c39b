// Hostile checkpoints, paths and images for the CLI (issue 19): checkpoint fields validated on
// resume, class names sanitized and probability rows cut by the model's outputs in predict,
// paths that cannot be read or written refused at once, orphaned temporary saves removed, and
// image dimensions checked before decoding.
import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import { SGD } from "../src/optim/index.js";
import { buildModel } from "../src/cli/models.js";
import { prepareOutDir } from "../src/cli/out-dir.js";
import { CheckpointError } from "../src/cli/checkpoint.js";
import { readTrainCheckpoint, safeLabel, writeTrainCheckpoint } from "../src/cli/train-state.js";
import { getMaxImagePixels, setMaxImagePixels } from "../src/vision/image-limits.js";
import { ImageDecodeError, loadImage } from "../src/vision/image-io.js";
import { runFlint, tempDir, writeCifar } from "./cli-helpers.js";
import { zeros } from "../src/ops/creation.js";

const CONFIG = {
  model: "seed",
  optimizer: "sgd",
  lr: 0.01,
  momentum: 0.9,
  weight_decay: 0,
  batch_size: 16,
  seed: 0,
  augment: false,
  train_size: null,
};

function checkpoint(
  path: string,
  over: {
    epoch?: number;
    batch?: number;
    classes?: string[];
    config?: Record<string, unknown>;
    momentum?: Record<number, number[]>;
  } = {},
): void {
  const model = buildModel("seed");
  const sgd = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  // A hostile optimizer state: momentum buffers of the given shapes for the given parameter ids.
  const optimizer =
    over.momentum === undefined
      ? sgd
      : {
          stateDict: () => ({
            ...sgd.stateDict(),
            state: Object.fromEntries(
              Object.entries(over.momentum ?? {}).map(([id, shape]) => [id, { momentum_buffer: zeros(shape) }]),
            ),
          }),
        };
  writeTrainCheckpoint(path, {
    config: { ...CONFIG, ...(over.config ?? {}) } as typeof CONFIG,
    model,
    optimizer,
    epoch: over.epoch ?? 1,
    batch: over.batch ?? 0,
    rng: new Uint8Array(5056),
    epochRng: null,
    partial: { loss_sum: 0, correct: 0, seen: 0, seconds: 0 },
    classes: over.classes ?? [],
    run: {},
  });
}

function png(path: string, w: number, h: number, shade: number): string {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) p.data.set([(i * shade) % 256, (i * 7 + shade) % 256, shade, 255], 4 * i);
  writeFileSync(path, PNG.sync.write(p));
  return path;
}

describe("checkpoint fields are validated on resume", () => {
  const dir = tempDir("flint-hostile-cli-");
  const cases: [string, Parameters<typeof checkpoint>[1], RegExp][] = [
    ["batch 10^12", { batch: 1e12 }, /batch is 1000000000000, expected an integer in \[0, 1000000000\]/],
    ["epoch -3", { epoch: -3 }, /epoch is -3, expected a non-negative number/],
    ["fractional epoch", { epoch: 1.5 }, /epoch is 1.5, expected an integer/],
    ['NaN learning rate (saved as the string "NaN")', { config: { lr: NaN } }, /config\.lr/],
    ["negative learning rate", { config: { lr: -1 } }, /config\.lr is -1, expected a non-negative number/],
    ["batch size 0", { config: { batch_size: 0 } }, /config.batch_size is 0, expected an integer >= 1/],
  ];
  for (const [what, over, re] of cases) {
    test(what, () => {
      const path = join(dir, `${what.replace(/\W+/g, "_")}.pt`);
      checkpoint(path, over);
      assert.throws(
        () => readTrainCheckpoint(path),
        (e: Error) =>
          (e instanceof CheckpointError || e.name === "UsageError") && re.test(e.message) && e.message.includes(path),
      );
    });
  }

  test("class names lose terminal escapes and control characters", () => {
    const path = join(dir, "escapes.pt");
    checkpoint(path, { classes: ["\u001b[2J\u001b[31mcat", "dog\r\nfake line", "ok"] });
    const ck = readTrainCheckpoint(path);
    assert.deepEqual(ck.classes, ["\\u{1b}[2J\\u{1b}[31mcat", "dog\\u{d}\\u{a}fake line", "ok"]);
    assert.equal(safeLabel("x".repeat(500)).length, 201);
  });
});

describe("a resumed optimizer state of the wrong shape", () => {
  test("names the parameter (flint train --resume)", { timeout: 180_000 }, async () => {
    const dir = tempDir("flint-hostile-momentum-");
    writeCifar(join(dir, "data"));
    const out = join(dir, "run");
    checkpoint(join(dir, "ck.pt"), { momentum: { 2: [7] }, config: { train_size: 32 } });
    const r = await runFlint([
      "train",
      "--root",
      join(dir, "data"),
      "--no-download",
      "--test-size",
      "16",
      "--epochs",
      "3",
      "--out",
      out,
      "--resume",
      join(dir, "ck.pt"),
    ]);
    assert.notEqual(r.code, 0);
    const name = buildModel("seed").namedParameters()[2][0];
    assert.match(
      r.stderr,
      new RegExp(
        `state 'momentum_buffer' of group 0, parameter 2 \\(id 2\\) '${name.replace(".", "\\.")}' has shape \\[7\\], but the parameter has shape`,
      ),
    );
  });
});

describe("flint predict trusts the model, not the checkpoint's class list", () => {
  test("3 class names for 10 outputs: full rows, per image, names sanitized", { timeout: 120_000 }, async () => {
    const dir = tempDir("flint-hostile-predict-");
    const ck = join(dir, "ck.pt");
    checkpoint(ck, { classes: ["\u001b]0;pwned\u0007airplane", "automobile", "bird"] });
    const a = png(join(dir, "a.png"), 32, 32, 3),
      b = png(join(dir, "b.png"), 32, 32, 200);
    const r = await runFlint(["predict", "--checkpoint", ck, "--json", a, b]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes("\u001b") && !r.stdout.includes("\u0007"), "escape sequences reached the output");
    assert.match(r.stderr, /names 3 classes but the model has 10 outputs/);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { probabilities: Record<string, number> });
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const p = Object.values(row.probabilities);
      assert.equal(p.length, 10);
      assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-5);
      assert.ok("class 9" in row.probabilities);
    }
    assert.notDeepEqual(rows[0].probabilities, rows[1].probabilities, "image 2 shows image 1's numbers");
    const text = await runFlint(["predict", "--checkpoint", ck, a]);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!text.stdout.includes("\u001b"));
    // A decompression bomb (a PNG declaring 20000x20000) is skipped before decoding; the rest is classified.
    const bomb = await runFlint([
      "predict",
      "--checkpoint",
      ck,
      a,
      join("test", "fixtures", "hostile", "png_bomb_header.png"),
    ]);
    assert.equal(bomb.code, 1);
    assert.match(
      bomb.stderr,
      /skipping test\/fixtures\/hostile\/png_bomb_header\.png: .*image size \(20000x20000 = 400000000 pixels\) exceeds the limit of 178956970 pixels/,
    );
    assert.match(bomb.stdout, /^a\.png /);
  });
});

describe("paths that cannot hold or be a checkpoint fail at once", () => {
  test("--resume /dev/zero, a directory, --out under /proc, a memo-bomb checkpoint", { timeout: 120_000 }, async () => {
    const dir = tempDir("flint-hostile-paths-");
    const t0 = Date.now();
    const zero = await runFlint([
      "train",
      "--root",
      dir,
      "--no-download",
      "--out",
      join(dir, "run"),
      "--resume",
      "/dev/zero",
    ]);
    assert.notEqual(zero.code, 0);
    assert.match(zero.stderr, /\/dev\/zero is a character device, not a regular file/);
    const folder = await runFlint([
      "train",
      "--root",
      dir,
      "--no-download",
      "--out",
      join(dir, "run"),
      "--resume",
      dir,
    ]);
    assert.match(folder.stderr, /is a directory, not a regular file/);
    const proc = await runFlint(["train", "--root", dir, "--no-download", "--out", "/proc/flint-run"]);
    assert.notEqual(proc.code, 0);
    assert.match(proc.stderr, /--out \/proc\/flint-run: a run cannot be kept under \/proc/);
    const bomb = await runFlint([
      "eval",
      "--checkpoint",
      join("test", "fixtures", "hostile", "memo_bomb.pt"),
      "--root",
      dir,
      "--no-download",
    ]);
    assert.notEqual(bomb.code, 0);
    assert.match(bomb.stderr, /memo_bomb\.pt holds no model state dict \(a dictionary of tensors\)/);
    // Each is a child process start (a few seconds on a loaded machine), nothing more.
    assert.ok(Date.now() - t0 < 90_000, `${Date.now() - t0} ms`);
  });

  test("orphaned temporary files of interrupted saves are removed; live ones kept", () => {
    const dir = tempDir("flint-hostile-out-");
    const dead = ".checkpoint.pt.999999999.0123456789ab.tmp";
    const mine = `.checkpoint.pt.${process.pid}.0123456789ab.tmp`;
    writeFileSync(join(dir, dead), "half");
    writeFileSync(join(dir, mine), "in progress");
    writeFileSync(join(dir, "notes.tmp"), "user file");
    assert.deepEqual(prepareOutDir(dir, "train"), [dead]);
    assert.deepEqual(readdirSync(dir).sort(), [mine, "notes.tmp"].sort());
    assert.ok(!existsSync(join(dir, dead)));
  });
});

describe("image dimensions are checked before decoding", () => {
  test("the pixel limit (PIL's 178956970 by default) applies to the declared size and can be raised", () => {
    const dir = tempDir("flint-hostile-img-");
    const path = png(join(dir, "x.png"), 40, 30, 9);
    const old = getMaxImagePixels();
    assert.equal(old, 178956970);
    try {
      setMaxImagePixels(1000);
      assert.throws(
        () => loadImage(path),
        (e: Error) =>
          e instanceof ImageDecodeError &&
          /image size \(40x30 = 1200 pixels\) exceeds the limit of 1000 pixels/.test(e.message) &&
          e.message.includes(path),
      );
      setMaxImagePixels(1200);
      assert.equal(loadImage(path).width, 40);
    } finally {
      setMaxImagePixels(old);
    }
    assert.throws(() => loadImage("/dev/zero"), /not a regular file/);
  });
});

describe("torch.save cleans up after interrupted saves of the same file", () => {
  test("a dead process's temporary file of x.pt goes; other files stay", async () => {
    const { save } = await import("../src/serialization/save-load.js");
    const dir = tempDir("flint-hostile-save-");
    const dead = ".x.pt.999999999.0123456789ab.tmp",
      other = ".y.pt.999999999.0123456789ab.tmp";
    writeFileSync(join(dir, dead), "half");
    writeFileSync(join(dir, other), "half of another file");
    save({ w: zeros([2]) }, join(dir, "x.pt"));
    assert.deepEqual(readdirSync(dir).sort(), [other, "x.pt"].sort());
  });
});
