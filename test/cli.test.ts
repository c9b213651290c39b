// End-to-end tests of the `flint` command on a generated CIFAR-10 folder: train, checkpoint,
// resume (continuing exactly), Ctrl-C, eval and predict, run as child processes.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PNG } from "pngjs";
import { CLASSES, collect, runFlint, startFlint, tempDir, waitForOutput, writeCifar } from "./cli-helpers.js";
import * as torch from "../src/index.js";

const dir = tempDir();
const root = join(dir, "data");
// Small runs (the reference backend is slow): 64 training images in batches of 16, 40 test images.
const quick = (batch = 16): string[] => [
  "--root",
  root,
  "--no-download",
  "--train-size",
  "64",
  "--test-size",
  "40",
  "--batch-size",
  String(batch),
  "--seed",
  "3",
];
const QUICK = quick();

interface Row {
  epoch: number;
  train_loss: number;
  train_acc: number;
  test_loss: number;
  test_acc: number;
  epoch_time: number;
}

function metrics(out: string): Row[] {
  return readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row);
}

before(() => writeCifar(root));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("flint CLI: help and usage errors", () => {
  test("--help for the program and for every command", async () => {
    const top = await runFlint(["--help"]);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Usage: flint <command>/);
    for (const cmd of ["train", "eval", "predict"]) {
      const r = await runFlint([cmd, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: flint ${cmd}`));
      assert.match(r.stdout, /--backend auto\|native\|wasm\|ref/);
    }
    const train = await runFlint(["train", "-h"]);
    for (const flag of [
      "--epochs",
      "--batch-size",
      "--lr",
      "--momentum",
      "--optimizer sgd|adam|adamw",
      "--weight-decay",
      "--seed",
      "--workers",
      "--threads",
      "--augment",
      "--out",
      "--resume",
      "--dashboard",
      "--root",
    ]) {
      assert.ok(train.stdout.includes(flag), `train --help lists ${flag}`);
    }
  });

  test("wrong flags and impossible values are clear errors (exit code 2)", async () => {
    const cases: [string[], RegExp][] = [
      [["train", "--epoch", "3"], /unknown option --epoch .*did you mean --epochs\?/],
      [["train", "--batch-size", "0"], /--batch-size must be at least 1, got 0/],
      [["train", "--lr", "-1"], /--lr must be greater than 0/],
      [["train", "--epochs", "2.5"], /--epochs expects a whole number, got "2.5"/],
      [["train", "--epochs"], /--epochs needs a value/],
      [
        ["train", "--optimizer", "adamm"],
        /--optimizer must be one of sgd, adam, adamw; got "adamm" \(did you mean adam\?\)/,
      ],
      [["train", "--optimizer", "adam", "--momentum", "0.9"], /--momentum applies to --optimizer sgd only/],
      [["train", "extra"], /unexpected argument "extra"/],
      [["eval"], /--checkpoint is required/],
      [["predict", "--checkpoint", "x.pt"], /missing IMAGE/],
      [["trian"], /unknown command "trian" \(did you mean "train"\?\)/],
    ];
    for (const [args, re] of cases) {
      const r = await runFlint(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(" "));
      assert.match(r.stderr, /--help" for usage/);
    }
  });

  test("missing data says how to get it", async () => {
    const r = await runFlint([
      "train",
      "--root",
      join(dir, "nowhere"),
      "--no-download",
      "--out",
      join(dir, "run-missing"),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CIFAR-10 not found under .*nowhere/);
    assert.match(r.stderr, /--root/);
  });
});

describe("flint train / eval / predict", () => {
  const out = join(dir, "run");

  test("train 1 epoch writes checkpoint, weights, metrics and plot", async () => {
    const r = await runFlint(["train", ...QUICK, "--epochs", "1", "--out", out]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /64 training images \(4 batches\), 40 test images/);
    assert.match(r.stdout, /epoch 1\/1 batch 4\/4 loss \d+\.\d+/); // plain progress lines (not a TTY)
    assert.match(r.stdout, /epoch 1\/1: train loss \d\.\d+ acc [\d.]+% \| test loss \d\.\d+ acc [\d.]+% \(\d+\/40\)/);
    for (const f of ["checkpoint.pt", "model.safetensors", "metrics.jsonl", "plot.svg"])
      assert.ok(existsSync(join(out, f)), f);
    const rows = metrics(out);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].epoch, 1);
    assert.ok(Number.isFinite(rows[0].train_loss) && rows[0].train_loss > 0);
    assert.ok(rows[0].test_acc >= 0 && rows[0].test_acc <= 100);
    const svg = readFileSync(join(out, "plot.svg"), "utf8");
    assert.match(svg, /^<\?xml[^]*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /Loss[^]*Accuracy/);
    assert.match(svg, /<circle class="marker" data-series="test"/);
    assert.doesNotMatch(svg, /train \(running\)/, "no legend entry for a line plot.svg does not draw");
    // No temporary files left behind by the atomic writes.
    assert.deepEqual(
      readdirSync(out).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });

  test("a second run into the same --out without --resume is refused", async () => {
    const r = await runFlint(["train", ...QUICK, "--epochs", "2", "--out", out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already holds a run .*pass --resume/);
  });

  test("--resume continues at epoch 2, exactly as an uninterrupted run", async () => {
    const r = await runFlint(["train", ...QUICK, "--epochs", "2", "--out", out, "--resume"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /resuming after epoch 1: continuing at epoch 2\/2/);
    assert.doesNotMatch(r.stdout, /epoch 1\/2/);
    assert.match(r.stdout, /epoch 2\/2: train loss/);
    const resumed = metrics(out);
    assert.deepEqual(
      resumed.map((x) => x.epoch),
      [1, 2],
    );

    const straight = join(dir, "run-straight");
    const s = await runFlint(["train", ...QUICK, "--epochs", "2", "--out", straight]);
    assert.equal(s.code, 0, s.stderr);
    const ref = metrics(straight);
    for (const k of ["train_loss", "train_acc", "test_loss", "test_acc"] as const) {
      assert.deepEqual(
        resumed.map((x) => x[k]),
        ref.map((x) => x[k]),
        k,
      );
    }
    assert.deepEqual(readFileSync(join(out, "model.safetensors")), readFileSync(join(straight, "model.safetensors")));
  });

  test("a changed recipe on --resume is refused; finished runs say so", async () => {
    const r = await runFlint(["train", ...QUICK, "--epochs", "3", "--out", out, "--resume", "--lr", "0.5"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--lr 0.5 differs from the checkpoint's 0.01/);
    const d = await runFlint(["train", ...QUICK, "--epochs", "2", "--out", out, "--resume"]);
    assert.equal(d.code, 0);
    assert.match(d.stdout, /Nothing to do: .* already trained 2 epochs/);
  });

  test("Ctrl-C saves a checkpoint mid-epoch; --resume finishes exactly like an uninterrupted run", async () => {
    const stopped = join(dir, "run-sigint");
    const child = startFlint(["train", ...quick(8), "--epochs", "1", "--out", stopped]);
    const done = collect(child);
    await waitForOutput(child, /batch \d+\/8/);
    child.kill("SIGINT");
    const r = await done;
    assert.equal(r.code, 130, r.stderr + r.stdout);
    assert.match(r.stderr, /SIGINT: stopping after this batch and saving a checkpoint/);
    const m = r.stdout.match(
      /Interrupted in epoch 1\/1 after (\d+) of 8 batches: saved .*\. Continue with: flint (train --resume --out \S+)$/m,
    );
    assert.ok(m !== null, r.stdout);
    assert.ok(existsSync(join(stopped, "checkpoint.pt")));
    // The printed line works as printed: root, sizes and epochs come from the checkpoint.
    const res = await runFlint(m[2].split(" "));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`resuming in epoch 1/1 after ${m[1]} of 8 batches`));
    assert.match(res.stdout, /40 test images/);
    const ref = join(dir, "run-sigint-ref");
    const s = await runFlint(["train", ...quick(8), "--epochs", "1", "--out", ref]);
    assert.equal(s.code, 0, s.stderr);
    const [a, b] = [metrics(stopped)[0], metrics(ref)[0]];
    assert.equal(a.train_loss, b.train_loss);
    assert.equal(a.test_acc, b.test_acc);
    assert.deepEqual(readFileSync(join(stopped, "model.safetensors")), readFileSync(join(ref, "model.safetensors")));
  });

  test("seeded runs repeat: --augment twice, and --workers 1 as in-process loading", async () => {
    const run = async (name: string, extra: string[]): Promise<Row> => {
      const r = await runFlint([
        "train",
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
        "5",
        "--out",
        join(dir, name),
        ...extra,
      ]);
      assert.equal(r.code, 0, r.stderr);
      return metrics(join(dir, name))[0];
    };
    const [a1, a2] = [await run("aug1", ["--augment"]), await run("aug2", ["--augment"])];
    assert.equal(a1.train_loss, a2.train_loss);
    const [w0, w1] = [await run("w0", []), await run("w1", ["--workers", "1"])];
    assert.equal(w0.train_loss, w1.train_loss);
    assert.equal(w0.test_loss, w1.test_loss);
    assert.notEqual(a1.train_loss, w0.train_loss); // augmentation did change the images
  });

  test("without --seed a run draws a fresh seed (as unseeded PyTorch does), prints it, and --seed N repeats it", async () => {
    const run = async (name: string, extra: string[]): Promise<{ seed: number; row: Row }> => {
      const r = await runFlint([
        "train",
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
        "--out",
        join(dir, name),
        ...extra,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const m = r.stdout.match(/, seed (\d+), /);
      assert.ok(m !== null, r.stdout);
      return { seed: Number(m[1]), row: metrics(join(dir, name))[0] };
    };
    const [a, b] = [await run("unseeded1", []), await run("unseeded2", [])];
    assert.notEqual(a.seed, b.seed); // 2^32 possible seeds
    const again = await run("reseeded", ["--seed", String(a.seed)]);
    assert.equal(again.seed, a.seed);
    assert.equal(again.row.train_loss, a.row.train_loss);
    assert.equal(again.row.test_loss, a.row.test_loss);
  });

  test("eval prints accuracy, per-class accuracy and a confusion matrix", async () => {
    const r = await runFlint([
      "eval",
      "--checkpoint",
      join(out, "checkpoint.pt"),
      "--root",
      root,
      "--no-download",
      "--test-size",
      "40",
      "--json",
      join(dir, "eval.json"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /model seed \(flint checkpoint, 2 epochs\)/);
    assert.match(r.stdout, /Test set: 40 images, loss \d+\.\d+, accuracy [\d.]+% \(\d+\/40\)/);
    assert.match(r.stdout, /Per-class accuracy:/);
    assert.match(r.stdout, /Confusion matrix \(rows: true class, columns: predicted class\):/);
    for (const c of CLASSES) assert.ok(r.stdout.includes(c), c);
    const j = JSON.parse(readFileSync(join(dir, "eval.json"), "utf8")) as {
      confusion: number[][];
      accuracy: number;
      images: number;
    };
    assert.equal(j.images, 40);
    assert.equal(j.confusion.length, 10);
    assert.equal(
      j.confusion.flat().reduce((x, y) => x + y, 0),
      40,
    );
    // The accuracy printed is the trace of the confusion matrix.
    const trace = j.confusion.reduce((s, row, i) => s + row[i], 0);
    assert.equal(j.accuracy, (100 * trace) / 40);
    // The same weights from model.safetensors give the same numbers.
    const w = await runFlint([
      "eval",
      "--checkpoint",
      join(out, "model.safetensors"),
      "--root",
      root,
      "--no-download",
      "--test-size",
      "40",
    ]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout.match(/accuracy [\d.]+%/)?.[0], r.stdout.match(/accuracy [\d.]+%/)?.[0]);
  });

  test("predict classifies PNG files (any size) with probabilities", async () => {
    const png = (w: number, h: number, file: string): string => {
      const p = new PNG({ width: w, height: h });
      for (let i = 0; i < w * h; i++) {
        p.data[4 * i] = (i * 37) % 256;
        p.data[4 * i + 1] = (i * 11) % 256;
        p.data[4 * i + 2] = 250;
        p.data[4 * i + 3] = 255;
      }
      const path = join(dir, file);
      writeFileSync(path, PNG.sync.write(p));
      return path;
    };
    const a = png(32, 32, "a.png");
    const b = png(48, 40, "b.png");
    const r = await runFlint(["predict", "--checkpoint", join(out, "checkpoint.pt"), a, b]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      new RegExp(`^a\\.png\\s+(${CLASSES.join("|")}) \\(\\d+\\.\\d%\\)\\s+then \\w+ \\d+\\.\\d%, \\w+ \\d+\\.\\d%$`),
    );
    assert.match(lines[1], /^b\.png\s+\w+ \(/);
    const j = await runFlint(["predict", "--checkpoint", join(out, "checkpoint.pt"), "--json", a]);
    const obj = JSON.parse(j.stdout) as { class: string; probabilities: Record<string, number> };
    const total = Object.values(obj.probabilities).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(total - 1) < 1e-5, `probabilities sum to ${total}`);
    assert.equal(obj.class, Object.entries(obj.probabilities).sort((x, y) => y[1] - x[1])[0][0]);
    const bad = await runFlint(["predict", "--checkpoint", join(out, "checkpoint.pt"), join(dir, "eval.json")]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a PNG, JPEG, PPM or PGM file/);
    // A bad file among good ones is reported and skipped; the good ones are still classified.
    const mixed = await runFlint([
      "predict",
      "--checkpoint",
      join(out, "checkpoint.pt"),
      a,
      join(dir, "eval.json"),
      join(dir, "missing.png"),
      b,
    ]);
    assert.equal(mixed.code, 1);
    assert.deepEqual(
      mixed.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/)[0]),
      ["a.png", "b.png"],
    );
    assert.match(mixed.stderr, /skipping .*eval\.json: .*not a PNG/);
    assert.match(mixed.stderr, /skipping .*missing\.png/);
  });

  test("eval finds the state dict inside a tutorial-style checkpoint, and names the model that mismatched keys fit", async () => {
    const sd = torch.load(join(out, "model.safetensors")) as Record<string, torch.Tensor>;
    const tutorial = join(dir, "tutorial.pt");
    torch.save({ epoch: 3, model_state_dict: sd, optimizer_state_dict: {}, loss: 0.5 }, tutorial);
    const r = await runFlint(["eval", "--checkpoint", tutorial, "--root", root, "--no-download", "--test-size", "40"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /state dict \(under model_state_dict\)/);
    const w = await runFlint([
      "eval",
      "--checkpoint",
      tutorial,
      "--model",
      "vgg",
      "--root",
      root,
      "--no-download",
      "--test-size",
      "40",
    ]);
    assert.equal(w.code, 1);
    assert.match(w.stderr, /does not fit model "vgg".*keys are those of model "seed": pass --model seed/s);
  });
});
