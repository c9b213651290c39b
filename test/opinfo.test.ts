// PyTorch 1.13's own op surface (op_db): every recorded sample of every eligible entry runs in
// Flint and is compared with PyTorch's forward result and float64 gradients
// (test/fixtures/opinfo/op_db.json.gz, from scripts/fixtures/opinfo_fixtures.py; names in
// test/helpers/opinfo-names.ts). Entries Flint lacks count as failures in the printed number but
// do not fail the run: the run fails when the pass count drops below the committed baseline or an
// entry of the committed passing list fails (test/fixtures/opinfo/passing.json; rewrite it, and the
// list of what is left with its reasons, failing.md, with OPINFO_UPDATE=1; print failures with OPINFO_VERBOSE=1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { entryKey, loadOpDb, runEntry } from "./helpers/opinfo.js";

const BASELINE = fileURLToPath(new URL("./fixtures/opinfo/passing.json", import.meta.url));
const FAILING = fileURLToPath(new URL("./fixtures/opinfo/failing.md", import.meta.url));
interface Baseline {
  count: number;
  eligible: number;
  passing: string[];
}

test("PyTorch op_db samples", () => {
  const entries = loadOpDb();
  const eligible = entries.filter((e) => e.excluded === undefined);
  const passing: string[] = [];
  const failing: [string, string][] = [];
  for (const e of eligible) {
    const why = runEntry(e);
    if (why === null) passing.push(entryKey(e));
    else failing.push([entryKey(e), why]);
  }
  console.log(
    `${passing.length} of ${eligible.length} op_db entries pass (${entries.length - eligible.length} excluded)`,
  );
  if (process.env.OPINFO_VERBOSE) for (const [k, why] of failing) console.log(`  FAIL ${k}: ${why}`);
  if (process.env.OPINFO_UPDATE) {
    writeFileSync(
      BASELINE,
      JSON.stringify({ count: passing.length, eligible: eligible.length, passing }, null, 0).replace(/","/g, '",\n"') +
        "\n",
    );
    const lines = failing.map(([k, why]) => `- \`${k}\`: ${why.replace(/\s+/g, " ").slice(0, 160)}`);
    writeFileSync(
      FAILING,
      `# op_db entries that do not pass yet (${failing.length} of ${eligible.length}; written by OPINFO_UPDATE=1 node --import tsx --test test/opinfo.test.ts)\n\n${lines.join("\n")}\n`,
    );
    return;
  }
  const base = JSON.parse(readFileSync(BASELINE, "utf8")) as Baseline;
  const failed = new Map(failing);
  const regressed = base.passing.filter((k) => failed.has(k)).map((k) => `${k}: ${failed.get(k)}`);
  assert.deepEqual(regressed, [], "entries of the committed passing list that fail now");
  assert.ok(passing.length >= base.count, `pass count ${passing.length} dropped below the baseline ${base.count}`);
});
