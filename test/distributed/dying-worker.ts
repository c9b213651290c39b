// One rank of the failure test: DDP training steps in a loop; the rank named by argv[2] kills
// itself (SIGKILL, no goodbye) at step 3, or with argv[4] = "hang" stops issuing collectives
// (sleeps). The survivors must fail with a clear error, within the process group's timeout
// (argv[3] ms), instead of hanging.
import * as torch from "../../src/index.js";
import { distributed as dist, nn, optim } from "../../src/index.js";

const victim = Number(process.argv[2]);
const timeout = Number(process.argv[3]);
const hang = process.argv[4] === "hang";
dist.initProcessGroup("gloo", { timeout });
const rank = dist.getRank();
torch.manualSeed(0);
const model = new nn.parallel.DistributedDataParallel(
  new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Linear(64, 4)),
);
const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
const start = Date.now();
for (let step = 0; step < 1000; step++) {
  if (step === 3 && rank === victim) {
    if (hang) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4 * timeout);
    else process.kill(process.pid, "SIGKILL");
  }
  opt.zeroGrad();
  torch.nn.functional.mseLoss(model(torch.randn([8, 32])), torch.zeros([8, 4])).backward();
  opt.step();
  // Keep the survivors inside collectives while the victim dies.
  if (step >= 3) dist.barrier();
  if (Date.now() - start > 4 * timeout) break;
}
console.log(JSON.stringify({ rank, finished: true }));
