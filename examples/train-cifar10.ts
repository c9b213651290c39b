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
import { exampleArgs, loadData } from "./example-args.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

const opts = exampleArgs("npm run example:train -- [--root DIR] [--epochs N] [--out DIR] [--train-size N]", {
  root: { default: "./data", help: "folder for CIFAR-10 (downloaded there if missing)" },
  epochs: { default: "5", help: "epochs to train" },
  out: { default: "./runs/example-cifar10", help: "where the weights are saved" },
  "train-size": { help: "train on the first N images only (e.g. 2000 for a quick try)" },
});
const epochs = Number(opts.epochs);

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

const model = new NN();
const lossFn = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
console.log(`${trainData.length} training and ${testSet.length} test images; ${trainLoader.length} batches per epoch`);

for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  const start = performance.now();
  let running = 0;
  let step = 0;
  for (const [imgs, targets] of trainLoader) {
    const outputs = model(imgs);
    const loss = lossFn(outputs, targets);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    running += Number(loss.item());
    step++;
    if (step % 100 === 0 || step === trainLoader.length) {
      console.log(
        `epoch ${epoch} step ${step}/${trainLoader.length} loss ${(running / (step % 100 || 100)).toFixed(4)}`,
      );
      running = 0;
    }
  }
  const seconds = (performance.now() - start) / 1000;

  // Evaluation: no autograd graph, eval mode (matters for dropout / batch norm layers).
  model.eval();
  let correct = 0;
  let total = 0;
  let testLoss = 0;
  torch.noGrad(() => {
    for (const [imgs, targets] of testLoader) {
      const outputs = model(imgs);
      testLoss += Number(lossFn(outputs, targets).item()) * targets.shape[0];
      correct += Number(outputs.argmax(1).eq(targets).sum().item());
      total += targets.shape[0];
    }
  });
  console.log(
    `epoch ${epoch}: test loss ${(testLoss / total).toFixed(4)}, accuracy ${((100 * correct) / total).toFixed(2)}% ` +
      `(${correct}/${total}); ${seconds.toFixed(1)} s training`,
  );

  // Weights with PyTorch's key names (model1.0.weight …), loadable in PyTorch with safetensors.
  mkdirSync(opts.out, { recursive: true });
  torch.save(model.stateDict(), join(opts.out, `epoch-${epoch}.safetensors`));
}
