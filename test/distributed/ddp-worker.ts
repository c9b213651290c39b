// One rank of the DDP test. Trains a small network with DistributedDataParallel on this rank's
// share of a global batch, then (rank 0) trains the same network in a single process on the whole
// global batch and prints the largest parameter difference. Cases: SGD with momentum, Adam (with
// a tiny bucket cap, which PyTorch's 1 MB first bucket overrides here), noSync gradient
// accumulation, findUnusedParameters, the overlap of all-reduce with backward; the state dict keys.
// The "-view" cases repeat SGD, noSync and findUnused with gradientAsBucketView (.grad a view into
// the bucket), which must give the same weights.
import * as torch from "../../src/index.js";
import { distributed as dist, nn, optim } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

dist.initProcessGroup("gloo", { timeout: 60_000 });
const rank = dist.getRank(),
  world = dist.getWorldSize();
const GLOBAL = 12,
  STEPS = 5;

class Net extends nn.Module {
  conv = new nn.Conv2d(2, 4, 3, { padding: 1 });
  fc1 = new nn.Linear(4 * 4 * 4, 16);
  fc2 = new nn.Linear(16, 3);
  spare: nn.Linear | null;
  constructor(withSpare = false) {
    super();
    this.spare = withSpare ? new nn.Linear(5, 5) : null;
  }
  forward(x: Tensor): Tensor {
    const h = torch.relu(this.conv.forward(x)).flatten(1);
    const out = this.fc2.forward(torch.relu(this.fc1.forward(h)));
    return out;
  }
}

function data(step: number, micro = 0): [Tensor, Tensor] {
  torch.manualSeed(1000 + step * 10 + micro);
  return [torch.randn([GLOBAL, 2, 4, 4]), torch.randint(0, 3, [GLOBAL])];
}
const mine = (t: Tensor): Tensor => t.narrow(0, (rank * GLOBAL) / world, GLOBAL / world);
const lossFn = new nn.CrossEntropyLoss();

type Kind = "sgd" | "adam" | "nosync";
function makeOpt(kind: Kind, params: ReturnType<nn.Module["parameters"]>): optim.Optimizer {
  return kind === "adam" ? new optim.Adam(params, { lr: 0.01 }) : new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
}

/** Per kind: [buckets, buckets whose all-reduce started during the last backward]. */
const overlap: Record<string, [number, number]> = {};
/** Whether fc1's weight and bias gradients share one storage (the bucket) after DDP training. */
let gradsShareBucket = false;
function train(kind: Kind, distributed: boolean, findUnused = false, gradientAsBucketView = false): Net {
  const spare = findUnused;
  // Different initial weights per rank: DDP must broadcast rank 0's.
  torch.manualSeed(distributed ? 7 + rank : 7);
  const net = new Net(spare);
  const model = distributed
    ? new nn.parallel.DistributedDataParallel(net, {
        bucketCapMb: kind === "adam" ? 0.0005 : 25,
        findUnusedParameters: findUnused,
        gradientAsBucketView,
      })
    : net;
  const opt = makeOpt(kind, net.parameters());
  for (let s = 0; s < STEPS; s++) {
    opt.zeroGrad();
    const micro = kind === "nosync" ? 2 : 1;
    for (let m = 0; m < micro; m++) {
      const [x, y] = data(s, m);
      const step = () =>
        lossFn
          .forward((model as unknown as (x: Tensor) => Tensor)(distributed ? mine(x) : x), distributed ? mine(y) : y)
          .backward();
      if (distributed && m < micro - 1) (model as nn.parallel.DistributedDataParallel<Net>).noSync(step);
      else step();
    }
    opt.step();
  }
  if (model instanceof nn.parallel.DistributedDataParallel)
    overlap[kind] = [model.bucketSizes.length, model.bucketsLaunchedDuringBackward];
  gradsShareBucket = net.fc1.weight.grad?.storage === net.fc1.bias?.grad?.storage;
  return net;
}

function maxDiff(a: Net, b: Net): number {
  let d = 0;
  const pb = b.parameters();
  a.parameters().forEach((p, i) => {
    const x = p.typedArray(),
      y = pb[i].typedArray();
    for (let k = 0; k < x.length; k++) d = Math.max(d, Math.abs(x[k] - y[k]));
  });
  return d;
}

for (const [kind, view] of [
  ["sgd", false],
  ["adam", false],
  ["nosync", false],
  ["sgd", true],
  ["nosync", true],
] as [Kind, boolean][]) {
  const ddpNet = train(kind, true, false, view);
  const shared = gradsShareBucket;
  // Every rank ends with the same weights.
  const flat = torch.cat(ddpNet.parameters().map((p) => p.detach().flatten()));
  const gathered = Array.from({ length: world }, () => torch.zeros(flat.shape));
  dist.allGather(gathered, flat);
  const spread = gathered.reduce((m, g) => Math.max(m, Number(torch.sub(g, gathered[0]).abs().max().item())), 0);
  if (rank === 0) {
    const ref = train(kind, false);
    const moved = maxDiff(
      ddpNet,
      (() => {
        torch.manualSeed(7);
        return new Net();
      })(),
    );
    const name = view ? `${kind}-view` : kind;
    console.log(
      JSON.stringify({ kind: name, diff: maxDiff(ddpNet, ref), spread, moved, overlap: overlap[kind], shared }),
    );
  }
}

// findUnusedParameters: `spare` never takes part; training still works and its grad stays null.
for (const view of [false, true]) {
  const net = train("sgd", true, true, view);
  if (rank === 0) {
    const ref = train("sgd", false, true);
    console.log(
      JSON.stringify({
        kind: view ? "findUnused-view" : "findUnused",
        diff: maxDiff(net, ref),
        spareGrad: net.spare?.weight.grad === null,
      }),
    );
  }
}

// Overlap: a network over 1 MB with 0.5 MB buckets; PyTorch's 1 MB first bucket (the last layers)
// starts its all-reduce while the first layer's gradients are still being computed.
{
  torch.manualSeed(7);
  const wide = new nn.Sequential(
    new nn.Linear(32, 2048),
    new nn.ReLU(),
    new nn.Linear(2048, 256),
    new nn.ReLU(),
    new nn.Linear(256, 3),
  );
  const ddp = new nn.parallel.DistributedDataParallel(wide, { bucketCapMb: 0.5 });
  const [x, y] = data(0);
  lossFn.forward(ddp(mine(x).flatten(1)), mine(y)).backward();
  if (rank === 0)
    console.log(
      JSON.stringify({ kind: "overlap", overlap: [ddp.bucketSizes.length, ddp.bucketsLaunchedDuringBackward] }),
    );
}

// Bucket sizes: unset, 25 MB with a 1 MB first bucket (two 257 KB layers share it); bucketCapMb
// set, every bucket that size, the first too (PyTorch 2's bucket_cap_mb).
{
  torch.manualSeed(7);
  const pair = () => new nn.Sequential(new nn.Linear(256, 256), new nn.Linear(256, 256));
  const sizes = [
    new nn.parallel.DistributedDataParallel(pair()).bucketSizes,
    new nn.parallel.DistributedDataParallel(pair(), { bucketCapMb: 0.25 }).bucketSizes,
  ];
  if (rank === 0) console.log(JSON.stringify({ kind: "bucketCap", sizes }));
}

// Without findUnusedParameters, an unused parameter is a clear error at the end of backward.
{
  torch.manualSeed(7);
  const ddp = new nn.parallel.DistributedDataParallel(new Net(true));
  const [x, y] = data(0);
  let message = "";
  try {
    lossFn.forward(ddp(mine(x)), mine(y)).backward();
  } catch (e) {
    message = (e as Error).message;
  }
  const keys = Object.keys(ddp.stateDict());
  if (rank === 0) console.log(JSON.stringify({ kind: "unusedError", message, keys, buckets: ddp.bucketSizes }));
}
dist.destroyProcessGroup();
