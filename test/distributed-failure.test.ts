// Failure: a rank killed mid-step (or one that stops calling collectives) makes the survivors
// exit with a clear DistributedError on their own, within the process group's timeout, instead of
// hanging. The harness would SIGKILL anything still running after its limit: the survivors'
// exit code 1 without a signal shows they stopped by themselves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runRanks, summary, worker } from "./distributed-helpers.js";

const CLEAR =
  /DistributedError: distributed\.(allReduce|barrier) \(rank \d of \d\) failed: .*Another rank may have exited/;

async function killed(world: number, victim: number, mode: "kill" | "hang", timeoutMs: number): Promise<void> {
  const rs = await runRanks(worker("dying-worker.ts"), world, [String(victim), String(timeoutMs), mode], {
    limitMs: 90_000,
  });
  for (const r of rs) {
    if (r.rank === victim) continue;
    assert.equal(r.signal, null, `rank ${r.rank} had to be killed by the harness: it hung\n${summary(rs)}`);
    assert.equal(r.code, 1, summary(rs));
    assert.match(r.stderr, CLEAR);
    assert.doesNotMatch(r.stdout, /finished/);
    // Start-up (a few seconds on a loaded machine) + the time to the failure + the timeout.
    assert.ok(r.ms < timeoutMs + 25_000, `rank ${r.rank} took ${r.ms} ms to fail`);
  }
}

test("a rank killed mid-step: the others fail with a clear error (3 ranks, rank 1 dies)", { timeout: 120_000 }, () =>
  killed(3, 1, "kill", 20_000),
);
test("rank 0 (the store's host) killed mid-step: rank 1 fails with a clear error", { timeout: 120_000 }, () =>
  killed(2, 0, "kill", 20_000),
);
test("a rank that stops calling collectives: the others time out with a clear error", { timeout: 120_000 }, () =>
  killed(2, 1, "hang", 3_000),
);
