// Unit tests of the CLI's parts that need no training: the argument parser, the SVG charts,
// the checkpoint glue (Flint values ↔ torch.save archives), and the dashboard server.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { UsageError, helpText, parseArgs, suggest, type CommandSpec } from "../src/cli/args.js";
import { loadFile, saveCheckpoint, field, tensorDict, bytesOf } from "../src/cli/checkpoint.js";
import { Dashboard } from "../src/cli/dashboard.js";
import { TRAIN_SPEC } from "../src/cli/flags.js";
import { metricsPlot, type EpochMetrics } from "../src/cli/metrics.js";
import { TrainProgress, formatDuration } from "../src/cli/progress.js";
import { lineChart, niceTicks, escapeXml } from "../src/internal/plot.js";
import { Tensor, fromTypedArray } from "../src/tensor.js";
import { tempDir } from "./cli-helpers.js";

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const SPEC: CommandSpec = {
  name: "demo",
  summary: "demo",
  usage: "[options] FILE...",
  positionals: { name: "FILE...", min: 1, max: 3, help: "files" },
  flags: [
    { name: "epochs", type: "int", default: 10, min: 1, help: "epochs" },
    { name: "lr", type: "number", gt: 0, help: "lr" },
    { name: "opt", type: "choice", choices: ["sgd", "adam"], default: "sgd", help: "opt" },
    { name: "augment", type: "boolean", default: false, help: "aug" },
    { name: "resume", type: "string", optionalValue: true, help: "resume" },
  ],
};

describe("args", () => {
  test("values, defaults, forms and given flags", () => {
    const a = parseArgs(SPEC, ["--epochs", "3", "--lr=0.5", "--augment", "x.png", "--opt", "ADAM", "y.png"]);
    assert.equal(a.num("epochs"), 3);
    assert.equal(a.num("lr"), 0.5);
    assert.equal(a.str("opt"), "adam");
    assert.equal(a.bool("augment"), true);
    assert.deepEqual(a.positionals, ["x.png", "y.png"]);
    assert.deepEqual([...a.given].sort(), ["augment", "epochs", "lr", "opt"]);
    const d = parseArgs(SPEC, ["f", "--no-augment"]);
    assert.equal(d.num("epochs"), 10);
    assert.equal(d.bool("augment"), false);
    assert.equal(d.optNum("lr"), null);
    assert.equal(parseArgs(SPEC, ["f", "--resume"]).optStr("resume"), "");
    assert.equal(parseArgs(SPEC, ["--resume", "ck.pt", "f"]).optStr("resume"), "ck.pt");
    assert.equal(parseArgs(SPEC, ["--", "--odd-name"]).positionals[0], "--odd-name");
    assert.equal(parseArgs(SPEC, ["--help"]).help, true);
  });

  test("errors name the flag and what was wrong", () => {
    const bad: [string[], RegExp][] = [
      [["f", "--epoch", "2"], /unknown option --epoch .*did you mean --epochs/],
      [["f", "--epochs", "0"], /at least 1, got 0/],
      [["f", "--epochs", "x"], /expects a number, got "x"/],
      [["f", "--lr", "0"], /greater than 0/],
      [["f", "--opt", "sdg"], /one of sgd, adam; got "sdg" \(did you mean sgd\?\)/],
      [["f", "--augment=maybe"], /true\/false/],
      [["f", "--epochs", "1", "--epochs", "2"], /given twice/],
      [["f", "-e"], /two dashes/],
      [[], /missing FILE/],
      [["a", "b", "c", "d"], /too many arguments/],
    ];
    for (const [argv, re] of bad)
      assert.throws(
        () => parseArgs(SPEC, argv),
        (e: unknown) => e instanceof UsageError && re.test(e.message),
        argv.join(" "),
      );
    assert.equal(suggest("lr", ["lr", "seed"]), "lr");
    assert.equal(suggest("zzzzzz", ["epochs"]), null);
  });

  test("help lists every flag with its default", () => {
    const h = helpText(TRAIN_SPEC);
    for (const f of TRAIN_SPEC.flags) assert.ok(h.includes(`--${f.name}`) || h.includes(`--[no-]${f.name}`), f.name);
    assert.match(h, /--batch-size N\s+Training batch size \(default: 64\)/);
  });
});

const ROWS: EpochMetrics[] = [1, 2, 3].map((e) => ({
  epoch: e,
  train_loss: 2 / e,
  train_acc: 30 + 10 * e,
  test_loss: 2.2 / e,
  test_acc: 28 + 9 * e,
  lr: 0.01,
  epoch_time: 30,
  eval_time: 3,
  images_per_sec: 1600,
  time: "",
}));

describe("plot", () => {
  test("nice ticks", () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 100, 5), [0, 20, 40, 60, 80, 100]);
  });

  test("line chart: one polyline per series, markers, escaped text, NaN as a gap", () => {
    const svg = lineChart({
      title: "a<b",
      xLabel: "x",
      yLabel: "y",
      series: [
        {
          name: "s&t",
          points: [
            [0, 1],
            [1, 2],
            [2, NaN],
            [3, 1],
            [4, 0],
          ],
          color: "#f00",
          markers: true,
        },
      ],
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.includes("a&lt;b") && svg.includes("s&amp;t"));
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
    assert.equal((svg.match(/<circle class="marker"/g) ?? []).length, 4);
    assert.doesNotMatch(svg, /NaN|style=/);
    assert.equal(escapeXml(`"'`), "&quot;&#39;");
  });

  test("metrics plot holds both charts", () => {
    const svg = metricsPlot(ROWS, 5);
    assert.match(svg, /id="loss-chart"[^]*id="accuracy-chart"/);
    assert.equal((svg.match(/data-series="test"/g) ?? []).length >= 6, true);
  });
});

describe("progress", () => {
  test("tty line and plain lines", () => {
    const out: string[] = [];
    const p = new TrainProgress({ label: "epoch 1/2", tty: false, write: (s) => out.push(s), lines: 4 });
    for (let b = 1; b <= 8; b++)
      p.update({ batch: b, batches: 8, images: 64 * b, seconds: b * 0.5, loss: 2 / b, acc: 10 * b });
    assert.equal(out.length, 5); // batch 1, then every quarter
    assert.match(
      out[out.length - 1],
      /^epoch 1\/2 batch 8\/8 loss 0\.2500 acc 80\.00% 128 img\/s 0\.500 s\/batch ETA 0:00\n$/,
    );
    const line = TrainProgress.text("epoch 1/2", { batch: 4, batches: 8, images: 256, seconds: 2, loss: 1.5, acc: 40 });
    assert.match(line, /4\/8 \| 128 img\/s \| loss 1\.5000 \| acc 40\.0% \| ETA 0:02/);
    assert.equal(formatDuration(3725), "1:02:05");
  });
});

describe("checkpoint glue", () => {
  test("nested state round-trips through a torch.save archive", () => {
    const path = join(dir, "ck.pt");
    const w = fromTypedArray(new Float32Array([1.5, -2, 3.25, 4]), [2, 2], "float32");
    const idx = fromTypedArray(new Float64Array([3, 1]), [2], "int64");
    const rng = new Uint8Array([1, 2, 3, 250]);
    saveCheckpoint(path, {
      model: new Map([["layer.weight", w]]),
      optimizer: {
        state: new Map([[0, { momentum_buffer: w }]]),
        param_groups: [{ lr: 0.01, momentum: 0.9, params: [0] }],
      },
      epoch: 3,
      rng_state: rng,
      idx,
      name: "x",
      none: null,
      flag: true,
    });
    const { value, format } = loadFile(path);
    assert.equal(format, "torch-zip");
    const m = tensorDict(field(value, "model"), "model");
    assert.deepEqual([...m.get("layer.weight")!.typedArray()], [1.5, -2, 3.25, 4]);
    assert.deepEqual(m.get("layer.weight")!.shape, [2, 2]);
    assert.equal(field(value, "epoch"), 3);
    assert.deepEqual([...bytesOf(field(value, "rng_state"), "rng")], [1, 2, 3, 250]);
    const i2 = field(value, "idx");
    assert.ok(i2 instanceof Tensor && i2.dtype === "int64");
    assert.deepEqual([...i2.typedArray()], [3, 1]);
    const groups = field(field(value, "optimizer"), "param_groups");
    assert.ok(Array.isArray(groups));
    assert.equal(field(groups[0], "lr"), 0.01);
    assert.equal(field(value, "none"), null);
    assert.equal(field(value, "flag"), true);
    // A PyTorch-readable zip: starts with a local file header and holds archive/data.pkl.
    const bytes = readFileSync(path);
    assert.equal(bytes.readUInt32LE(0), 0x04034b50);
    assert.ok(bytes.includes(Buffer.from("/data.pkl")));
  });
});

describe("dashboard server", () => {
  test("serves the page, state, charts and events on 127.0.0.1 only", async () => {
    const d = await Dashboard.start(0, true);
    try {
      assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      d.update({
        status: "training",
        epoch: 2,
        epochs: 5,
        batch: 10,
        batches: 100,
        history: ROWS.slice(0, 1),
        running: [
          [0.5, 2.1],
          [1, 1.9],
        ],
      });
      const page = await fetch(d.url);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      const html = await page.text();
      assert.match(html, /<script src="\/app.js"><\/script>/);
      assert.doesNotMatch(html, /https?:\/\//); // nothing from the network
      assert.equal((await fetch(new URL("app.js", d.url))).status, 200);
      const state = (await (await fetch(new URL("api/state", d.url))).json()) as {
        status: string;
        charts: { loss: string };
      };
      assert.equal(state.status, "training");
      assert.match(state.charts.loss, /<svg[^]*polyline/);
      const svg = await fetch(new URL("chart/accuracy.svg", d.url));
      assert.equal(svg.headers.get("content-type"), "image/svg+xml");
      assert.equal((await fetch(new URL("nope", d.url))).status, 404);
      // DNS rebinding: another host name is refused.
      const port = new URL(d.url).port;
      const foreign = await new Promise<number>((resolve, reject) => {
        import("node:http").then(({ request }) => {
          const req = request(
            { host: "127.0.0.1", port, path: "/api/state", headers: { Host: `evil.example:${port}` } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on("error", reject);
          req.end();
        }, reject);
      });
      assert.equal(foreign, 403);
      // Server-Sent Events: the current state at once, then pushed updates.
      const ac = new AbortController();
      const ev = await fetch(new URL("events", d.url), { signal: ac.signal });
      assert.equal(ev.headers.get("content-type"), "text/event-stream");
      const reader = ev.body!.getReader();
      let text = "";
      while (!text.includes('"batch":10')) text += new TextDecoder().decode((await reader.read()).value);
      d.update({ batch: 55 });
      while (!text.includes('"batch":55')) text += new TextDecoder().decode((await reader.read()).value);
      ac.abort();
    } finally {
      await d.close();
    }
  });
});
