// `flint run` (torchrun's flags and env): ranks get PyTorch's environment and meet through
// env://; a failed rank stops the job with an error naming it (no restarts); SIGINT stops every
// rank; usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeArgs, parseRunArgs, rankEnv } from "../src/cli/run.js";
import { REPO, freePort, worker } from "./distributed-helpers.js";

const MAIN = join(REPO, "src", "cli", "main.ts");

function flint(
  args: string[],
  onStart?: (pid: number) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    if (onStart && child.pid !== undefined) onStart(child.pid);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - start });
    });
  });
}

test(
  "flint run --nproc-per-node 2: PyTorch's env, env:// rendezvous, script arguments",
  { timeout: 120_000 },
  async () => {
    const port = await freePort();
    const r = await flint([
      "run",
      "--nproc-per-node",
      "2",
      "--master_port",
      String(port),
      worker("launch-worker.ts"),
      "ok",
      "--lr",
      "0.1",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            rank: number;
            sum: number;
            threads: number;
            args: string[];
            execArgv: string[];
            env: string[];
          },
      );
    lines.sort((a, b) => a.rank - b.rank);
    assert.deepEqual(
      lines.map((l) => l.rank),
      [0, 1],
    );
    for (const l of lines) {
      assert.equal(l.sum, 3);
      assert.deepEqual(l.args, ["--lr", "0.1"]);
      assert.deepEqual(l.execArgv, ["--initial-old-space-size=128"]); // src/distributed/rank-node-flags.ts
      assert.deepEqual(l.env, [String(l.rank), String(l.rank), "2", "2", "0", "127.0.0.1", "1"]);
      assert.equal(l.threads, 1);
    }
  },
);

test(
  "flint run: a failed rank stops the job, naming the rank; nothing is restarted",
  { timeout: 120_000 },
  async () => {
    const r = await flint(["run", "--standalone", "--nproc-per-node", "2", worker("launch-worker.ts"), "fail"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /flint run: rank 1 \(local rank 1, pid \d+\) exited with code 3; stopping the other ranks \(no restarts\)/,
    );
    assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
  },
);

test("flint run: SIGINT (Ctrl-C) stops every rank", { timeout: 120_000 }, async () => {
  const pidFile = join(mkdtempSync(join(tmpdir(), "flint-run-")), "pids");
  let launcher = 0;
  const done = flint(
    ["run", "--standalone", "--nproc-per-node", "3", worker("launch-worker.ts"), "sleep", pidFile],
    (pid) => (launcher = pid),
  );
  // Wait until the three ranks have started, then interrupt the launcher alone.
  for (
    let i = 0;
    i < 300 && !(existsSync(pidFile) && readFileSync(pidFile, "utf8").trim().split("\n").length === 3);
    i++
  )
    await new Promise((res) => setTimeout(res, 100));
  const pids = readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
  assert.equal(pids.length, 3);
  process.kill(launcher, "SIGINT");
  const r = await done;
  assert.equal(r.code, 130);
  assert.match(r.stderr, /received SIGINT; stopping all ranks/);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `rank pid ${pid} still alive`);
});

test("flint run: flags, env, usage errors", () => {
  const cfg = parseRunArgs([
    "--nnodes=2",
    "--node_rank",
    "1",
    "--nproc-per-node",
    "3",
    "--master-addr",
    "10.0.0.1",
    "s.js",
    "--x",
    "1",
  ]);
  assert.ok(cfg !== "help");
  assert.deepEqual(
    [cfg.nnodes, cfg.nodeRank, cfg.nprocPerNode, cfg.masterAddr, cfg.masterPort, cfg.script, cfg.scriptArgs],
    [2, 1, 3, "10.0.0.1", 29500, "s.js", ["--x", "1"]],
  );
  const env = rankEnv(cfg, 2, {});
  assert.deepEqual(
    [env.RANK, env.LOCAL_RANK, env.WORLD_SIZE, env.LOCAL_WORLD_SIZE, env.GROUP_RANK, env.MASTER_PORT],
    ["5", "2", "6", "3", "1", "29500"],
  );
  assert.throws(() => parseRunArgs(["--max-restarts", "3", "s.js"]), /not implemented: --max-restarts above 0/);
  assert.throws(() => parseRunArgs(["--nproc-per-node", "2"]), /missing SCRIPT/);
  assert.throws(() => parseRunArgs(["--node-rank", "2", "--nnodes", "2", "s.js"]), /must be below --nnodes 2/);
  assert.throws(() => parseRunArgs(["--nnodes", "1:2", "s.js"]), /elastic ranges/);
  assert.throws(() => parseRunArgs(["--rdzv-backend", "c10d", "s.js"]), /not implemented: --rdzv-backend/);
  assert.equal(parseRunArgs(["--help"]), "help");
  // The ranks' V8 flags come before the script; FLINT_KEEP_V8_FLAGS=1 or the user's own setting in NODE_OPTIONS leaves them out.
  assert.deepEqual(nodeArgs("s.js", ["--x"], {}), ["--initial-old-space-size=128", "s.js", "--x"]);
  assert.deepEqual(nodeArgs("s.ts", [], {}), ["--initial-old-space-size=128", "--import", "tsx", "s.ts"]);
  assert.deepEqual(nodeArgs("s.js", [], { FLINT_KEEP_V8_FLAGS: "1" }), ["s.js"]);
  assert.deepEqual(nodeArgs("s.js", [], { NODE_OPTIONS: "--initial_old_space_size=64" }), ["s.js"]);
});

test(
  "flint train --nproc 2: DDP ranks, rank 0 logs and writes once; --resume continues",
  { timeout: 200_000 },
  async () => {
    const { writeCifar, tempDir } = await import("./cli-helpers.js");
    const dir = tempDir("flint-train-nproc-");
    writeCifar(join(dir, "data"));
    const common = [
      "--nproc",
      "2",
      "--train-size",
      "256",
      "--test-size",
      "100",
      "--root",
      join(dir, "data"),
      "--no-download",
      "--out",
      join(dir, "out"),
      "--seed",
      "3",
    ];
    const r = await flint(["train", "--epochs", "1", ...common]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.match(/^flint train:/gm)?.length, 1, r.stdout);
    assert.equal(r.stdout.match(/^epoch 1\/1: train loss/gm)?.length, 1, r.stdout);
    const metrics = () =>
      readFileSync(join(dir, "out", "metrics.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { epoch: number; test_acc: number });
    assert.deepEqual(
      metrics().map((m) => m.epoch),
      [1],
    );
    assert.ok(existsSync(join(dir, "out", "checkpoint.pt")) && existsSync(join(dir, "out", "model.safetensors")));
    const r2 = await flint(["train", "--resume", "--epochs", "2", ...common]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(
      metrics().map((m) => m.epoch),
      [1, 2],
    );
  },
);
