// One rank of the collectives test: runs every collective for every dtype and reduce op and
// checks the result against values computed here from the ranks' known inputs. Prints one JSON
// line per check group; exits non-zero on the first mismatch.
import * as torch from "../../src/index.js";
import { distributed as dist } from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";

const initMethod = process.argv[2] ?? "env://";
const rank = Number(process.env.RANK),
  world = Number(process.env.WORLD_SIZE);
dist.initProcessGroup(
  "gloo",
  initMethod === "env://" ? { timeout: 60_000 } : { initMethod, rank, worldSize: world, timeout: 60_000 },
);
if (dist.getRank() !== rank || dist.getWorldSize() !== world || !dist.isInitialized())
  throw new Error("rank/world mismatch");

const N = 7;
const isFloat = (d: DType): boolean => d === "float32" || d === "float64";
/** Rank r's element i: small values, halves for floats, so every reduction is exact. */
const val = (r: number, i: number, d: DType): number => ((r * 7 + i * 3) % 5) - 2 + (isFloat(d) ? 0.5 : 0);
const input = (r: number, d: DType, n = N, shift = 0): Tensor =>
  torch.tensor(
    Array.from({ length: n }, (_, i) => val(r, i + shift, d)),
    { dtype: d },
  );
const ranks = Array.from({ length: world }, (_, r) => r);
const round = (x: number, d: DType): number => (d === "float32" ? Math.fround(x) : x);

function reduced(op: string, i: number, d: DType, shift = 0): number {
  const xs = ranks.map((r) => val(r, i + shift, d));
  switch (op) {
    case "sum":
      return xs.reduce((a, b) => a + b, 0);
    case "product":
      return xs.reduce((a, b) => a * b, 1);
    case "min":
      return Math.min(...xs);
    case "max":
      return Math.max(...xs);
    default: {
      const s = xs.reduce((a, b) => a + b, 0);
      return isFloat(d) ? round(s / world, d) : Math.trunc(s / world);
    }
  }
}

let checks = 0;
function expectEqual(what: string, t: Tensor, expected: readonly number[]): void {
  const got = Array.from(t.typedArray(), Number);
  if (got.length !== expected.length || got.some((g, i) => g !== expected[i])) {
    throw new Error(`rank ${rank}: ${what}: got [${got.join(", ")}], expected [${expected.join(", ")}]`);
  }
  checks++;
}

const DTYPES: DType[] = ["float32", "float64", "int64", "int32"];
const OPS = [dist.ReduceOp.SUM, dist.ReduceOp.PRODUCT, dist.ReduceOp.MIN, dist.ReduceOp.MAX, dist.ReduceOp.AVG];
const idx = Array.from({ length: N }, (_, i) => i);

for (const d of DTYPES) {
  for (const op of OPS) {
    const t = input(rank, d);
    dist.allReduce(t, op);
    expectEqual(
      `allReduce ${op} ${d}`,
      t,
      idx.map((i) => reduced(op, i, d)),
    );
    // async form, on a strided view (a column of a matrix): the result lands in the view.
    const m = torch.zeros([N, 2], { dtype: d });
    const col = m.select(1, 1);
    col.copy_(input(rank, d));
    const w = dist.allReduce(col, { op, asyncOp: true });
    if (w === null) throw new Error("asyncOp returned no work");
    w.wait();
    if (!w.isCompleted()) throw new Error("work not completed after wait");
    expectEqual(
      `allReduce async strided ${op} ${d}`,
      col,
      idx.map((i) => reduced(op, i, d)),
    );
    expectEqual(
      `allReduce strided untouched column ${d}`,
      m.select(1, 0),
      idx.map(() => 0),
    );
    const dst = world - 1;
    const rt = input(rank, d);
    dist.reduce(rt, dst, op);
    expectEqual(
      `reduce ${op} ${d}`,
      rt,
      rank === dst ? idx.map((i) => reduced(op, i, d)) : idx.map((i) => val(rank, i, d)),
    );
    // reduceScatter: rank r's inputList[j] holds values shifted by j*N; rank j gets the reduction of block j.
    const out = torch.zeros([N], { dtype: d });
    dist.reduceScatter(
      out,
      ranks.map((j) => input(rank, d, N, j * N)),
      op,
    );
    expectEqual(
      `reduceScatter ${op} ${d}`,
      out,
      idx.map((i) => reduced(op, i, d, rank * N)),
    );
  }
  for (const src of ranks) {
    const b = input(rank, d);
    dist.broadcast(b, src);
    expectEqual(
      `broadcast src ${src} ${d}`,
      b,
      idx.map((i) => val(src, i, d)),
    );
  }
  const list = ranks.map(() => torch.zeros([N], { dtype: d }));
  dist.allGather(list, input(rank, d));
  list.forEach((t, r) =>
    expectEqual(
      `allGather [${r}] ${d}`,
      t,
      idx.map((i) => val(r, i, d)),
    ),
  );
  const dst = world > 1 ? 1 : 0;
  const gl = rank === dst ? ranks.map(() => torch.zeros([N], { dtype: d })) : null;
  dist.gather(input(rank, d), gl, dst);
  gl?.forEach((t, r) =>
    expectEqual(
      `gather [${r}] ${d}`,
      t,
      idx.map((i) => val(r, i, d)),
    ),
  );
  const sc = torch.zeros([N], { dtype: d });
  dist.scatter(sc, rank === 0 ? ranks.map((r) => input(r, d, N, 100)) : null, 0);
  expectEqual(
    `scatter ${d}`,
    sc,
    idx.map((i) => val(rank, i + 100, d)),
  );
  // allToAll: rank r sends block j = values of (r, shift j*N) to rank j.
  const outs = ranks.map(() => torch.zeros([N], { dtype: d }));
  dist.allToAll(
    outs,
    ranks.map((j) => input(rank, d, N, j * N)),
  );
  outs.forEach((t, j) =>
    expectEqual(
      `allToAll from ${j} ${d}`,
      t,
      idx.map((i) => val(j, i + rank * N, d)),
    ),
  );
}
dist.barrier();
const bw = dist.barrier({ asyncOp: true });
bw?.wait();

// newGroup over the last two ranks (every rank calls it; the others are not members).
if (world >= 2) {
  const members = [world - 2, world - 1];
  const g = dist.newGroup(members);
  const t = torch.tensor([rank + 1], { dtype: "float64" });
  const w = dist.allReduce(t, { group: g });
  if (members.includes(rank)) {
    expectEqual("newGroup allReduce", t, [2 * world - 1]);
    if (g.rank() !== members.indexOf(rank) || g.size() !== 2) throw new Error("group rank/size");
    const b = torch.tensor([rank * 10], { dtype: "int32" });
    dist.broadcast(b, world - 1, { group: g });
    expectEqual("newGroup broadcast", b, [(world - 1) * 10]);
  } else {
    if (w !== null || g.rank() !== -1) throw new Error("non-member should get no work and rank -1");
    expectEqual("non-member tensor untouched", t, [rank + 1]);
  }
}
// Objects (JSON) between ranks.
const objs: unknown[] = ranks.map(() => null);
dist.allGatherObject(objs, { rank, name: `r${rank}`.repeat(rank + 1) });
objs.forEach((o, r) => {
  const ok = JSON.stringify(o) === JSON.stringify({ rank: r, name: `r${r}`.repeat(r + 1) });
  if (!ok) throw new Error(`allGatherObject [${r}]: got ${JSON.stringify(o)}`);
  checks++;
});
const list: unknown[] = rank === 1 % world ? [{ lr: 0.1 }, "text", [1, 2]] : [null, null, null];
dist.broadcastObjectList(list, 1 % world);
if (JSON.stringify(list) !== JSON.stringify([{ lr: 0.1 }, "text", [1, 2]]))
  throw new Error(`broadcastObjectList: got ${JSON.stringify(list)}`);
checks++;
dist.barrier();
dist.destroyProcessGroup();
if (dist.isInitialized()) throw new Error("still initialized after destroy");
console.log(JSON.stringify({ rank, checks }));
