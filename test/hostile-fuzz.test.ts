// Seeded fuzzing in CI (issue 19), kept under ~30 s: the whole load path (zip, pickle,
// safetensors, and the conversion to tensors) on mutations of the fixtures and of the hostile
// corpus, and the native addon's entry points with random arguments in a child process.
// `npm run fuzz` runs the same targets far longer (scripts/fuzz.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SerializationError } from "../src/serialization/errors.js";
import { load } from "../src/serialization/save-load.js";
import { fuzzDecode, loadSeeds } from "./fuzz-lib.js";

const ROOT = process.cwd();

describe("seeded fuzz (CI size)", () => {
  it("load(): mutated checkpoints only ever raise SerializationError, quickly", { timeout: 60_000 }, () => {
    const seeds = loadSeeds(ROOT);
    assert.ok(seeds.length >= 20, `${seeds.length} seeds`);
    const f = fuzzDecode(
      "load",
      seeds,
      1500,
      11,
      (b) => load(b),
      (e) => e instanceof SerializationError,
    );
    if (process.env.FUZZ_LOG) console.log(f);
    assert.deepEqual(f.findings, []);
    assert.ok(
      f.rejected > f.cases / 4,
      `only ${f.rejected} of ${f.cases} rejected: the mutations do not reach the parsers`,
    );
  });

  const addon = join(ROOT, "build", "Release", "flint_native.node");
  it(
    "native entry points: random arguments never crash and errors name the kernel",
    { skip: !existsSync(addon) && "native addon not built", timeout: 60_000 },
    () => {
      const r = spawnSync(process.execPath, ["--import", "tsx", join("test", "fuzz-native-child.ts"), "7", "4000"], {
        encoding: "utf8",
        timeout: 50_000,
      });
      const lines = r.stdout.trim().split("\n");
      assert.equal(
        r.signal,
        null,
        `crashed (${r.signal}) after ${lines.at(-1)}; rerun with FUZZ_TRACE=1 to see the call: ${r.stderr.slice(-400)}`,
      );
      assert.equal(r.status, 0, r.stderr.slice(-400));
      const summary = JSON.parse(lines.at(-1) as string) as {
        ok: number;
        rejected: number;
        findingCount: number;
        findings: string[];
      };
      assert.deepEqual(summary.findings, []);
      assert.ok(summary.ok > 200 && summary.rejected > 1000, JSON.stringify(summary));
    },
  );
});
