// A script for `flint run` tests. argv[2]: "ok" (all-reduce the ranks, print env and result),
// "fail" (rank 1 exits with code 3 after joining; the others wait in barriers), or "sleep" (each
// rank appends its pid to the file argv[3] and sleeps).
import { appendFileSync } from "node:fs";
import * as torch from "../../src/index.js";
import { distributed as dist } from "../../src/index.js";

const mode = process.argv[2];
if (mode === "sleep") {
  appendFileSync(process.argv[3], `${process.pid}\n`);
  setInterval(() => undefined, 1000);
} else {
  dist.initProcessGroup("gloo", { timeout: 30_000 });
  const rank = dist.getRank();
  if (mode === "fail" && rank === 1) process.exit(3);
  if (mode === "fail") for (;;) dist.barrier();
  const t = torch.tensor([rank + 1], { dtype: "float64" });
  dist.allReduce(t);
  const e = process.env;
  console.log(
    JSON.stringify({
      rank,
      sum: t.item(),
      threads: torch.getNumThreads(),
      args: process.argv.slice(3),
      execArgv: process.execArgv.filter((a) => a !== "--import" && a !== "tsx"),
      env: [e.RANK, e.LOCAL_RANK, e.WORLD_SIZE, e.LOCAL_WORLD_SIZE, e.GROUP_RANK, e.MASTER_ADDR, e.OMP_NUM_THREADS],
    }),
  );
  dist.destroyProcessGroup();
}
