// torch.hub's checkpoint cache (loadStateDictFromUrl) against a local server, and pretrained
// weights of vision.models taken from the cache: good file, wrong hash, truncated transfer.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as torch from "../src/index.js";
import { getDir, hashPrefix, loadStateDictFromUrl } from "../src/hub/index.js";
import { models } from "../src/vision/index.js";
import { ChecksumError, DownloadError } from "../src/vision/datasets/utils.js";
import { startServer, tempDir } from "./data-helpers.js";

let server: Awaited<ReturnType<typeof startServer>>;
let serverDir: string;
let goodName: string;
let expected: Record<string, torch.Tensor>;

before(async () => {
  serverDir = tempDir();
  torch.manualSeed(3);
  const model = models.squeezenet1_1({ numClasses: 10 });
  expected = model.stateDict() as Record<string, torch.Tensor>;
  const tmp = join(serverDir, "squeezenet.pth");
  torch.save(expected, tmp);
  const sha = createHash("sha256").update(readFileSync(tmp)).digest("hex");
  goodName = `squeezenet1_1-${sha.slice(0, 10)}.pth`;
  renameSync(tmp, join(serverDir, goodName));
  server = await startServer(serverDir);
});
after(async () => server.close());

describe("hub: loadStateDictFromUrl", () => {
  it("reads the hash prefix from torchvision-style names", () => {
    assert.equal(hashPrefix("resnet18-f37072fd.pth"), "f37072fd");
    assert.equal(hashPrefix("plain.pth"), null);
  });

  it("downloads once into the cache, checks the SHA-256 prefix, and loads the state dict", () => {
    const modelDir = tempDir();
    const sd = loadStateDictFromUrl(`${server.url}/ok/${goodName}`, { modelDir, checkHash: true, progress: false }) as
      Map<string, torch.Tensor> | Record<string, torch.Tensor>;
    const got = sd instanceof Map ? Object.fromEntries(sd) : sd;
    assert.deepEqual(Object.keys(got), Object.keys(expected));
    for (const k of Object.keys(expected)) assert.deepEqual(got[k].tolist(), expected[k].tolist(), k);
    const hits = server.hits();
    loadStateDictFromUrl(`${server.url}/ok/${goodName}`, { modelDir, checkHash: true, progress: false });
    assert.equal(server.hits(), hits, "a cached file is not fetched again");
  });

  it("a file whose hash does not match its name is rejected and never enters the cache", () => {
    const modelDir = tempDir();
    const wrong = goodName.replace(/-([0-9a-f]+)\./, "-0000000000.");
    renameSync(join(serverDir, goodName), join(serverDir, wrong));
    try {
      assert.throws(
        () => loadStateDictFromUrl(`${server.url}/ok/${wrong}`, { modelDir, checkHash: true, progress: false }),
        (e: Error) =>
          e instanceof ChecksumError && /invalid hash value.*expected SHA-256 prefix 0000000000/.test(e.message),
      );
    } finally {
      renameSync(join(serverDir, wrong), join(serverDir, goodName));
    }
    assert.deepEqual(readdirSync(modelDir), []);
  });

  it("a truncated or failed transfer leaves nothing in the cache and says where to put the file offline", () => {
    const modelDir = tempDir();
    assert.throws(
      () => loadStateDictFromUrl(`${server.url}/short/${goodName}`, { modelDir, checkHash: true, progress: false }),
      (e: Error) => e instanceof DownloadError,
    );
    assert.throws(
      () => loadStateDictFromUrl(`http://127.0.0.1:9/${goodName}`, { modelDir, checkHash: true, progress: false }),
      (e: Error) =>
        e instanceof DownloadError &&
        e.message.includes(`Place the file at ${join(modelDir, goodName)}`) &&
        e.message.includes("http://127.0.0.1:9/"),
    );
    assert.deepEqual(
      readdirSync(modelDir).filter((f) => !f.startsWith(".")),
      [],
    );
  });

  it("weights: 'IMAGENET1K_V1' take the checkpoint from $TORCH_HOME/hub/checkpoints without a network", () => {
    const home = tempDir();
    const saved = process.env.TORCH_HOME;
    process.env.TORCH_HOME = home;
    try {
      const w = models.SqueezeNet1_1_Weights.IMAGENET1K_V1;
      assert.equal(getDir(), join(home, "hub"));
      const file = join(home, "hub", "checkpoints", new URL(w.url).pathname.split("/").pop()!);
      mkdirSync(join(home, "hub", "checkpoints"), { recursive: true });
      // A 1000-class state dict standing in for the real file (the cache is trusted, as torch.hub's).
      torch.manualSeed(4);
      const ref = models.squeezenet1_1();
      torch.save(ref.stateDict(), file);
      const m = models.squeezenet1_1({ weights: "IMAGENET1K_V1", progress: false });
      const a = m.stateDict() as Record<string, torch.Tensor>;
      const b = ref.stateDict() as Record<string, torch.Tensor>;
      assert.deepEqual(a["classifier.1.weight"].tolist(), b["classifier.1.weight"].tolist());
      assert.equal(w.meta.categories.length, 1000);
      assert.equal(w.meta.categories[0], "tench");
      assert.equal(String(w), "SqueezeNet1_1_Weights.IMAGENET1K_V1");
      assert.ok(existsSync(file));
      assert.throws(
        () => models.squeezenet1_1({ weights: "IMAGENET1K_V1", numClasses: 10 }),
        /numClasses' expected value 1000 but got 10/,
      );
      assert.throws(
        () => models.squeezenet1_1({ weights: "NOPE" }),
        /no weights named 'NOPE'; available: IMAGENET1K_V1, DEFAULT/,
      );
      assert.throws(
        () => models.resnet18({ num_classes: 10 } as never),
        /unknown option 'num_classes' \(did you mean numClasses\?\)/,
      );
    } finally {
      if (saved === undefined) delete process.env.TORCH_HOME;
      else process.env.TORCH_HOME = saved;
    }
  });
});
