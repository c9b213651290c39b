// A complete CIFAR-10 training script written by hand: the seed's CNN, an explicit loop with
// optimizer, loss, per-epoch evaluation and saving. `flint train` does the same with more
// comfort (progress bar, resume, dashboard); this is what a user writes in their own project.
//
//   npx tsx examples/train-cifar10.ts --root ./data --epochs 5
//
// In your own project the imports read: import * as torch from "flint"; import { nn, optim }
// from "flint"; import { DataLoader } from "flint/utils/data"; import { datasets, transforms }
// from "flint/vision". Here they point at the sources so the example runs without a build.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { DataLoader, Subset } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";
import { DEVICE_FLAG, closeDevice, exampleArgs, loadData, openDevice } from "./example-args.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

const opts = exampleArgs(
  "npm run example:train -- [--root DIR] [--epochs N] [--out DIR] [--train-size N] [--device cpu|webgpu]",
  {
    root: { default: "./data", help: "folder for CIFAR-10 (downloaded there if missing)" },
    epochs: { default: "5", help: "epochs to train" },
    out: { default: "./runs/example-cifar10", help: "where the weights are saved" },
    "train-size": { help: "train on the first N images only (e.g. 2000 for a quick try)" },
    device: DEVICE_FLAG,
  },
);
const epochs = Number(opts.epochs);
const device = await openDevice(opts.device);

// The seed's network, line for line.
class NN extends nn.Module {
  model1 = new nn.Sequential(
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

  forward(x: torch.Tensor): torch.Tensor {
    return this.model1(x);
  }
}

torch.manualSeed(0); // torch.manual_seed(0): same initial weights and shuffles each run

const root = opts.root;
const trainSet = loadData(
  "CIFAR-10",
  () => new datasets.CIFAR10(root, { train: true, transform: new transforms.ToTensor(), download: true }),
);
const testSet = loadData(
  "CIFAR-10",
  () => new datasets.CIFAR10(root, { train: false, transform: new transforms.ToTensor(), download: true }),
);
const n = Math.min(Number(opts["train-size"] ?? trainSet.length), trainSet.length);
const trainData =
  n < trainSet.length
    ? new Subset(
        trainSet,
        Array.from({ length: n }, (_, i) => i),
      )
    : trainSet;
const trainLoader = new DataLoader(trainData, { batchSize: 64, shuffle: true });
const testLoader = new DataLoader(testSet, { batchSize: 500 });

const model = new NN().to(device);
const lossFn = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
console.log(`${trainData.length} training and ${testSet.length} test images; ${trainLoader.length} batches per epoch`);

for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  const start = performance.now();
  // The running loss stays a tensor (on the device): read back only when printed, not every step.
  let running = torch.zeros([], { device });
  let step = 0;
  for (const [imgs, targets] of trainLoader) {
    const outputs = model(imgs.to(device));
    const loss = lossFn(outputs, targets.to(device));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    running = running.add(loss.detach());
    step++;
    if (step % 100 === 0 || step === trainLoader.length) {
      const mean = Number(await running.itemAsync()) / (step % 100 || 100);
      console.log(`epoch ${epoch} step ${step}/${trainLoader.length} loss ${mean.toFixed(4)}`);
      running = torch.zeros([], { device });
    }
  }
  const seconds = (performance.now() - start) / 1000;

  // Evaluation: no autograd graph, eval mode (matters for dropout / batch norm layers).
  model.eval();
  let correctT = torch.zeros([], { device });
  let testLossT = torch.zeros([], { device });
  let total = 0;
  torch.noGrad(() => {
    for (const [imgs, targets0] of testLoader) {
      const targets = targets0.to(device);
      const outputs = model(imgs.to(device));
      testLossT = testLossT.add(lossFn(outputs, targets).mul(targets.shape[0]));
      correctT = correctT.add(outputs.argmax(1).eq(targets).sum());
      total += targets.shape[0];
    }
  });
  const correct = Number(await correctT.itemAsync()),
    testLoss = Number(await testLossT.itemAsync());
  console.log(
    `epoch ${epoch}: test loss ${(testLoss / total).toFixed(4)}, accuracy ${((100 * correct) / total).toFixed(2)}% ` +
      `(${correct}/${total}); ${seconds.toFixed(1)} s training`,
  );

  // Weights with PyTorch's key names (model1.0.weight …), loadable in PyTorch with safetensors.
  mkdirSync(opts.out, { recursive: true });
  // (A GPU tensor's values come back asynchronously: save awaited CPU copies.)
  const state: Record<string, torch.Tensor> = {};
  for (const [k, v] of Object.entries(model.stateDict())) state[k] = await v.cpuAsync();
  torch.save(state, join(opts.out, `epoch-${epoch}.safetensors`));
}
closeDevice(device);
