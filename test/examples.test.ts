// Every example takes --help (usage, exit 0) and names an unknown flag in one line (exit 2).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";

const examples = readdirSync("examples").filter((f) => f.endsWith(".ts") && f !== "example-args.ts");
const run = (file: string, args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", `examples/${file}`, ...args], { encoding: "utf8", timeout: 120000 });

describe("examples", () => {
  for (const file of examples) {
    it(`${file} --help prints its usage`, () => {
      const r = run(file, ["--help"]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Usage: npm run example:/);
    });
    it(`${file} names an unknown flag without a stack trace`, () => {
      const r = run(file, ["--no-such-flag"]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /Unknown option '--no-such-flag'/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
});
