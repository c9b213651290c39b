// torch.distributed on Gloo: every collective, reduce op and dtype on 2 and 3 ranks (separate
// processes on localhost), through env://, tcp:// and file:// rendezvous; the TCPStore; and the
// error when Gloo is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { REPO, freePort, jsonLines, runRanks, summary, worker } from "./distributed-helpers.js";

async function collectives(n: number, initMethod: string): Promise<void> {
  const rs = await runRanks(worker("collectives-worker.ts"), n, [initMethod], { limitMs: 180_000 });
  assert.ok(
    rs.every((r) => r.code === 0),
    summary(rs),
  );
  for (const r of rs) {
    const [line] = jsonLines<{ rank: number; checks: number }>(r);
    assert.equal(line.rank, r.rank);
    // 4 dtypes x 5 ops x 5 checks + broadcasts, gathers, scatter, allToAll, groups: > 100 each.
    assert.ok(line.checks > 100, `rank ${r.rank} made only ${line.checks} checks`);
  }
}

test("collectives on 2 ranks (env://)", { timeout: 200_000 }, () => collectives(2, "env://"));
test("collectives on 3 ranks (env://)", { timeout: 200_000 }, () => collectives(3, "env://"));
test("collectives on 3 ranks (tcp://)", { timeout: 200_000 }, async () =>
  collectives(3, `tcp://127.0.0.1:${await freePort()}`),
);
test("collectives on 2 ranks (file://, Gloo's FileStore)", { timeout: 200_000 }, () =>
  collectives(2, `file://${join(mkdtempSync(join(tmpdir(), "flint-dist-")), "store")}`),
);

test(
  "TCPStore: set/get/add/wait/check/deleteKey/numKeys/compareSet across processes",
  { timeout: 120_000 },
  async () => {
    const rs = await runRanks(worker("store-worker.ts"), 2, [], { limitMs: 60_000 });
    assert.ok(
      rs.every((r) => r.code === 0),
      summary(rs),
    );
    const lines = rs.map((r) => jsonLines<{ rank: number; ok: number }>(r)[0]);
    assert.deepEqual(
      lines.map((l) => l.rank),
      [0, 1],
    );
    assert.deepEqual(
      lines.map((l) => l.ok),
      [9, 4],
    );
  },
);

test("without Gloo, initProcessGroup says to install libgloo-dev", () => {
  const code = `import { distributed } from "./src/index.ts";
try { distributed.initProcessGroup("gloo", { initMethod: "tcp://127.0.0.1:1", rank: 0, worldSize: 1 }); }
catch (e) { console.log(e.name + ": " + e.message); }`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: REPO,
    env: { ...process.env, FLINT_SKIP_GLOO: "1" },
    encoding: "utf8",
  });
  assert.match(r.stdout, /DistributedError: initProcessGroup: .*install libgloo-dev/);
});

test("initProcessGroup errors: env:// without MASTER_ADDR, uninitialized queries", () => {
  const code = `import { distributed } from "./src/index.ts";
for (const f of [() => distributed.getRank(), () => distributed.initProcessGroup("gloo", { rank: 0, worldSize: 1 }), () => distributed.initProcessGroup("nccl")]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}`;
  const env = { ...process.env };
  delete env.MASTER_ADDR;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: REPO,
    env,
    encoding: "utf8",
  });
  const lines = r.stdout.trim().split("\n");
  assert.match(lines[0], /DistributedError: getRank: Default process group has not been initialized/);
  assert.match(lines[1], /MASTER_ADDR expected, but not set/);
  assert.match(lines[2], /ValueError: initProcessGroup: backend "nccl" is not available/);
});
