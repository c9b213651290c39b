// Per-op latency, Flint against PyTorch's eager mode: a dozen common ops at 8, 1k and 64k
// elements, a 16x16 matmul, a tiny backward and a small Linear forward and backward. Each row is
// the median per-call time over many timed batches; the ops are interleaved round by round, and
// the Flint and PyTorch processes alternate (bench/pytorch_ops_latency.py times the same rows).
// Each row first runs for --warmup-ms (default 200, both sides) so that the table is steady-state
// latency, as in a training loop that makes the same calls thousands of times: V8 tiers the op
// layer and the autograd engine up over the first thousands of calls (a tiny backward costs
// ~130 µs cold, ~40 µs after 2,000 calls); bench/models.ts warms the light models by the same rule.
// Usage: node --import tsx bench/ops-latency.ts [--threads 2] [--processes 3] [--warmup-ms 200]
//        (--worker: one Flint process, printing one JSON line of medians in µs)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { TORCH_ENV } from "./pytorch-env.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = arg("threads", 2);
const warmupMs = arg("warmup-ms", 200);

/** The rows: name -> a closure doing one call (setup outside). Same names and shapes as the Python file. */
function rows(): [string, () => unknown][] {
  const out: [string, () => unknown][] = [];
  for (const n of [8, 1024, 65536]) {
    const cols = Math.min(n, 32),
      r = n / cols;
    const a = torch.randn([n]),
      b = torch.randn([n]),
      m = torch.randn([r, cols]);
    const tag = n === 8 ? "8" : n === 1024 ? "1k" : "64k";
    out.push(
      [`add ${tag}`, () => torch.add(a, b)],
      [`mul ${tag}`, () => torch.mul(a, b)],
      [`exp ${tag}`, () => torch.exp(a)],
      [`sum ${tag}`, () => a.sum()],
      [`mean ${tag}`, () => a.mean()],
      [`relu ${tag}`, () => torch.relu(a)],
      [`sigmoid ${tag}`, () => torch.sigmoid(a)],
      [`softmax ${tag}`, () => torch.softmax(m, -1)],
      [`transpose+view ${tag}`, () => m.view(-1).view(r, cols).t()],
      [`index x[1] ${tag}`, () => m.index(r > 1 ? 1 : 0)],
      [`cat ${tag}`, () => torch.cat([a, b])],
    );
  }
  const p = torch.randn([16, 16]),
    q = torch.randn([16, 16]);
  out.push([`matmul 16x16`, () => torch.matmul(p, q)]);
  const x = torch.randn([8], { requiresGrad: true }),
    w = torch.randn([8]);
  out.push([
    "tiny backward (x*w).sum()",
    () => {
      x.grad = null;
      torch.mul(x, w).sum().backward();
    },
  ]);
  const lin = new nn.Linear(32, 32),
    xin = torch.randn([8, 32]);
  out.push(["Linear 32->32 fwd (b=8)", () => lin.forward(xin)]);
  out.push([
    "Linear 32->32 fwd+bwd",
    () => {
      lin.zeroGrad();
      lin.forward(xin).sum().backward();
    },
  ]);
  return out;
}

/** Median µs per call of each row: calls batched to ~1 ms, rows interleaved, `rounds` rounds. */
function measure(rounds: number): Record<string, number> {
  const rs = rows();
  for (const [, fn] of rs) {
    for (let i = 0; i < 50; i++) fn();
    for (const w0 = performance.now(); performance.now() - w0 < warmupMs;) fn();
  }
  // Calls per batch (~1 ms): the most calls any of five 1 ms windows fit, once every row is warm.
  // One 5 ms window right after each row's own warm-up was fragile: the first row of a size (the
  // first to take 4 KiB blocks after the 8-element rows, add 1k) often counted 15-50 calls instead
  // of ~500 (the JIT settling the shared op code for the new path, or a neighbour process), and a
  // batch that short charged a whole batch's fixed costs (the timer, a storage reclaim after a
  // collection, ~20-50 us) to 15 calls: add 1k read 2x mul 1k. Same rule in the Python file.
  const reps = rs.map(([, fn]) => {
    let most = 0;
    for (let w = 0; w < 5; w++) {
      let k = 0;
      for (const t0 = performance.now(); performance.now() - t0 < 1; k++) fn();
      most = Math.max(most, k);
    }
    return Math.max(1, most);
  });
  const samples: number[][] = rs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    rs.forEach(([, fn], i) => {
      const t0 = performance.now();
      for (let j = 0; j < reps[i]; j++) fn();
      samples[i].push(((performance.now() - t0) * 1000) / reps[i]);
    });
  }
  const res: Record<string, number> = {};
  rs.forEach(([name], i) => (res[name] = median(samples[i])));
  return res;
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runJson(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Record<string, number> | null {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Record<string, number>;
  } catch {
    console.error(`ops-latency: ${cmd} ${args.join(" ")} failed:\n${r.stderr.slice(-2000)}`);
    return null;
  }
}

if (process.argv.includes("--worker")) {
  torch.tuneProcess();
  torch.setNumThreads(threads);
  console.log(JSON.stringify(measure(arg("rounds", 25))));
} else {
  // Alternate the two processes so that a noisy neighbour hits both; per row, the median over processes.
  const processes = arg("processes", 3);
  const fl: Record<string, number>[] = [],
    py: Record<string, number>[] = [];
  const hasTorch = existsSync("/usr/bin/python3");
  for (let i = 0; i < processes; i++) {
    const f = runJson(process.execPath, [
      "--import",
      "tsx",
      "bench/ops-latency.ts",
      "--worker",
      "--threads",
      `${threads}`,
      "--warmup-ms",
      `${warmupMs}`,
    ]);
    if (f) fl.push(f);
    if (hasTorch) {
      const p = runJson(
        "/usr/bin/python3",
        ["bench/pytorch_ops_latency.py", "--threads", `${threads}`, "--warmup-ms", `${warmupMs}`],
        TORCH_ENV,
      );
      if (p) py.push(p);
    }
  }
  const spread = (xs: number[]) => (xs.length > 1 ? `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}` : "");
  console.log(`op latency (µs per call; median of ${processes} alternating processes, ${threads} threads)`);
  console.log("op                          flint µs   PyTorch µs   flint/PyTorch   (ratio range)");
  const logs: number[] = [];
  for (const name of Object.keys(fl[0] ?? {})) {
    const f = median(fl.map((r) => r[name])),
      p = py.length ? median(py.map((r) => r[name])) : NaN;
    const ratios = fl.flatMap((r, i) => (py[i] ? [r[name] / py[i][name]] : []));
    if (Number.isFinite(p)) logs.push(Math.log(f / p));
    console.log(
      `${name.padEnd(26)} ${f.toFixed(2).padStart(9)} ${Number.isFinite(p) ? p.toFixed(2).padStart(12) : "-".padStart(12)} ${Number.isFinite(p) ? (f / p).toFixed(2).padStart(15) : "-".padStart(15)}   ${spread(ratios)}`,
    );
  }
  if (logs.length)
    console.log(
      `geometric mean of flint/PyTorch: ${Math.exp(logs.reduce((s, x) => s + x, 0) / logs.length).toFixed(2)}`,
    );
}
