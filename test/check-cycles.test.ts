// scripts/check-cycles.mjs (run by `npm run lint`): finds runtime import cycles, ignores type-only imports.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

const script = join(import.meta.dirname, "..", "scripts", "check-cycles.mjs");
function check(files: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "flint-cycles-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = spawnSync(process.execPath, [script, dir], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe("import cycle check", () => {
  it("rejects a runtime cycle, naming its files", () => {
    const r = check({
      "a.ts": 'import { b } from "./b.js";\nexport const a = 1;\n',
      "b.ts": 'import {\n  a,\n} from "./a.js";\nexport const b = a;\n',
    });
    assert.equal(r.status, 1);
    assert.match(r.out, /import cycle among 2 files/);
    assert.match(r.out, /a\.ts/);
  });
  it("accepts type-only imports both ways", () => {
    const r = check({
      "a.ts": 'import type { B } from "./b.js";\nexport type A = B;\n',
      "b.ts": 'import { type A } from "./a.js";\nexport type B = A | 1;\n',
    });
    assert.equal(r.status, 0, r.out);
  });
  it("the source tree has none", () => {
    const r = spawnSync(process.execPath, [script, join(import.meta.dirname, "..", "src")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });
});
