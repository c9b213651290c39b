// One rank of `npm run bench:ddp`: the seed CNN trained with DistributedDataParallel on CIFAR-10
// (DistributedSampler, per-rank batch --batch), 1 thread per rank. After --warmup steps it times
// --steps steps (--steps 0: the rest of one epoch; data loading included) and, on rank 0, prints
// images/s for the whole job and the test accuracy of the trained weights on the first --test images. Started by bench/ddp.ts
// through `flint run`.
import * as torch from "../src/index.js";
import { distributed as dist, nn, optim } from "../src/index.js";
import { DataLoader, DistributedSampler } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const root = process.argv[2];
const batch = arg("batch", 64),
  steps = arg("steps", 60),
  warmup = arg("warmup", 5),
  testN = arg("test", 2000);

dist.initProcessGroup("gloo");
const rank = dist.getRank(),
  world = dist.getWorldSize();
torch.manualSeed(0);
const net = new nn.Sequential(
  new nn.Conv2d(3, 32, 5, { padding: 2 }),
  new nn.MaxPool2d(2),
  new nn.Conv2d(32, 32, 5, { padding: 2 }),
  new nn.MaxPool2d(2),
  new nn.Conv2d(32, 64, 5, { padding: 2 }),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(1024, 64),
  new nn.Linear(64, 10),
);
const model = new nn.parallel.DistributedDataParallel(net);
const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const lossFn = new nn.CrossEntropyLoss();
const train = new datasets.CIFAR10(root, { train: true, transform: new transforms.ToTensor(), download: false });
const sampler = new DistributedSampler(train, { seed: 0 });
sampler.setEpoch(0);
const loader = new DataLoader(train, { batchSize: batch, sampler, dropLast: true });

let done = 0,
  t0 = 0;
for (const [x, y] of loader) {
  if (done === warmup) {
    dist.barrier();
    t0 = performance.now();
  }
  opt.zeroGrad();
  lossFn.forward(model(x as torch.Tensor), y as torch.Tensor).backward();
  opt.step();
  done++;
  if (steps > 0 && done === warmup + steps) break;
}
const timed = done - warmup;
dist.barrier();
const seconds = (performance.now() - t0) / 1000;

if (rank === 0) {
  const test = new datasets.CIFAR10(root, { train: false, transform: new transforms.ToTensor(), download: false });
  let correct = 0;
  net.eval();
  torch.noGrad(() => {
    for (let i = 0; i < testN; i += 250) {
      const xs: torch.Tensor[] = [],
        ys: number[] = [];
      for (let j = i; j < Math.min(testN, i + 250); j++) {
        const [img, label] = test.getItem(j);
        xs.push(img);
        ys.push(label);
      }
      const pred = net.forward(torch.stack(xs)).argmax(1);
      const got = Array.from(pred.typedArray(), Number);
      correct += got.filter((p, k) => p === ys[k]).length;
    }
  });
  console.log(
    JSON.stringify({
      world,
      batchPerRank: batch,
      steps: timed,
      seconds,
      imagesPerSec: (world * batch * timed) / seconds,
      threadsPerRank: torch.getNumThreads(),
      testAccuracy: correct / testN,
      testImages: testN,
      bucketSizes: model.bucketSizes,
    }),
  );
}
dist.destroyProcessGroup();
