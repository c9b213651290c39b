// Two "machines" on one host: Linux network namespaces joined by a veth pair, each running
// `flint run --nnodes 2 --node-rank K --master-addr <node 0's address>` (torchrun's multi-node
// form), with GLOO_SOCKET_IFNAME naming the veth end as on a real cluster. Nothing is shared but
// that link: the store, the rendezvous and the all-reduce cross it. Needs root and iproute2's
// `ip netns` (CI runs as root on Debian); skipped, with the reason, where they are missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO, worker } from "./distributed-helpers.js";

const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((p) => existsSync(p));
const tag = `fl${process.pid % 100000}`;
const ns = [`${tag}n0`, `${tag}n1`];
const dev = [`${tag}v0`, `${tag}v1`];
const addr = ["10.231.0.1", "10.231.0.2"];

const ip = (...args: string[]) => spawnSync(IP as string, args, { encoding: "utf8" });

/** Creates the namespaces and link; returns why it could not (then nothing is left behind). */
function setUp(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "needs root";
  if (IP === undefined) return "iproute2's ip is not installed";
  const steps: string[][] = [
    ["netns", "add", ns[0]],
    ["netns", "add", ns[1]],
    ["link", "add", dev[0], "type", "veth", "peer", "name", dev[1]],
    ...[0, 1].flatMap((k) => [
      ["link", "set", dev[k], "netns", ns[k]],
      ["-n", ns[k], "addr", "add", `${addr[k]}/24`, "dev", dev[k]],
      ["-n", ns[k], "link", "set", dev[k], "up"],
      ["-n", ns[k], "link", "set", "lo", "up"],
    ]),
  ];
  for (const s of steps) {
    const r = ip(...s);
    if (r.status !== 0) {
      tearDown();
      return `ip ${s.join(" ")} failed: ${r.stderr.trim()}`;
    }
  }
  return null;
}
function tearDown(): void {
  for (const n of ns) ip("netns", "del", n); // takes its veth end (and so the pair) with it
}

function node(k: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const args = [
      "netns",
      "exec",
      ns[k],
      process.execPath,
      "--import",
      "tsx",
      join(REPO, "src", "cli", "main.ts"),
      "run",
      "--nnodes",
      "2",
      "--node-rank",
      String(k),
      "--nproc-per-node",
      "1",
      "--master-addr",
      addr[0],
      "--master-port",
      "29500",
      worker("launch-worker.ts"),
      "ok",
    ];
    const child = spawn(IP as string, args, {
      cwd: REPO,
      env: { ...process.env, GLOO_SOCKET_IFNAME: dev[k] },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const why = setUp();
test(
  "flint run --nnodes 2 across two network namespaces (a veth link, GLOO_SOCKET_IFNAME)",
  { skip: why ?? false, timeout: 90_000 },
  async () => {
    try {
      const rs = await Promise.all([node(0), node(1)]);
      rs.forEach((r, k) => assert.equal(r.code, 0, `node ${k}: ${r.stderr}`));
      const lines = rs.map((r) => JSON.parse(r.stdout.trim().split("\n").pop() as string) as Record<string, unknown>);
      // rank k contributes k + 1: the all-reduced sum 3 reached both machines.
      assert.deepEqual(
        lines.map((l) => [l.rank, l.sum]),
        [
          [0, 3],
          [1, 3],
        ],
      );
      // Node 1's rank sees node 0's address as MASTER_ADDR, and GROUP_RANK 1.
      const env1 = lines[1].env as string[];
      assert.equal(env1[4], "1");
      assert.equal(env1[5], addr[0]);
    } finally {
      tearDown();
    }
  },
);
if (why !== null) tearDown();
