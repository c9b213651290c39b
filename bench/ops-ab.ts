// Per-op latency of this checkout against another one (say, main), in ONE process: both module
// graphs are loaded side by side and every row alternates between them, batch by batch, so a
// noisy machine slows both alike (bench/ops-latency.ts compares with PyTorch across processes).
// On a shared 2-core machine at load 10-17, this checkout against itself gives ratios of
// 0.83-1.10 on most rows, and now and then 2-3x on one 8-element row (a collection landing in
// its batches): trust a ratio that repeats over runs, and large ones (index 8: 0.48 -> 0.09 us).
// Usage: node --import tsx bench/ops-ab.ts /path/to/other/checkout [ops] [sizes] [rounds]
//   ops: comma list of add,mul,exp,sum,mean,relu,sigmoid,softmax,tview,index,cat,mm,tiny,linfwd,linbwd
//   (mm: the 16x16 matmul, at any size)
//   sizes: comma list of element counts (default 8,1024); rounds: default 30
import { resolve } from "node:path";

type Lib = typeof import("../src/index.js");
const other = process.argv[2];
if (!other) throw new Error("usage: node --import tsx bench/ops-ab.ts /path/to/other/checkout [ops] [sizes] [rounds]");
const libs: Lib[] = [(await import(resolve(other, "src/index.ts"))) as Lib, await import("../src/index.js")];
for (const t of libs) {
  t.tuneProcess();
  t.setNumThreads(2);
}
const ops = (process.argv[3] ?? "add,mul,exp,sum,mean,relu,sigmoid,softmax,tview,index,cat").split(",");
const sizes = (process.argv[4] ?? "8,1024").split(",").map(Number);
const rounds = Number(process.argv[5] ?? 30);

/** One call of `op` at n elements, set up on library t (same rows as bench/ops-latency.ts). */
function row(t: Lib, op: string, n: number): () => unknown {
  const cols = Math.min(n, 32),
    r = n / cols;
  const a = t.randn([n]),
    b = t.randn([n]),
    m = t.randn([r, cols]);
  const x = t.randn([8], { requiresGrad: true }),
    w = t.randn([8]);
  const lin = new t.nn.Linear(32, 32),
    xin = t.randn([8, 32]);
  const p = t.randn([16, 16]),
    q = t.randn([16, 16]);
  const rows: Record<string, () => unknown> = {
    add: () => t.add(a, b),
    mul: () => t.mul(a, b),
    exp: () => t.exp(a),
    sum: () => a.sum(),
    mean: () => a.mean(),
    relu: () => t.relu(a),
    sigmoid: () => t.sigmoid(a),
    softmax: () => t.softmax(m, -1),
    tview: () => m.view(-1).view(r, cols).t(),
    index: () => m.index(r > 1 ? 1 : 0),
    cat: () => t.cat([a, b]),
    mm: () => t.matmul(p, q),
    tiny: () => {
      x.grad = null;
      t.mul(x, w).sum().backward();
    },
    linfwd: () => lin.forward(xin),
    linbwd: () => {
      lin.zeroGrad();
      lin.forward(xin).sum().backward();
    },
  };
  if (!(op in rows)) throw new Error(`ops-ab: unknown op '${op}'`);
  return rows[op];
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const table = sizes.flatMap((n) =>
  ops.map((op) => ({ name: `${op} ${n}`, fns: libs.map((t) => row(t, op, n)), reps: 1, us: [[], []] as number[][] })),
);
for (const r of table) {
  for (const f of r.fns) for (const t0 = performance.now(); performance.now() - t0 < 150;) f();
  let k = 0;
  for (const t0 = performance.now(); performance.now() - t0 < 2; k++) r.fns[1]();
  r.reps = Math.max(1, k);
}
for (let round = 0; round < rounds; round++)
  for (const r of table)
    for (const i of round % 2 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      for (let j = 0; j < r.reps; j++) r.fns[i]();
      r.us[i].push(((performance.now() - t0) * 1000) / r.reps);
    }
let logs = 0;
console.log(`row            other µs   this µs   this/other   (medians of ${rounds} alternating batches)`);
for (const r of table) {
  const [o, t] = r.us.map(median);
  logs += Math.log(t / o);
  console.log(
    `${r.name.padEnd(14)} ${o.toFixed(3).padStart(8)} ${t.toFixed(3).padStart(9)} ${(t / o).toFixed(3).padStart(12)}`,
  );
}
console.log(`geometric mean this/other: ${Math.exp(logs / table.length).toFixed(3)}`);
