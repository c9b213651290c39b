// Fashion-MNIST (28x28 grayscale clothes, 10 classes) with a small CNN, Adam, and a per-class
// report at the end. Uses Debian's copy of the data when installed
// (apt-get install dataset-fashion-mnist), otherwise downloads it.
//
//   npx tsx examples/fashion-mnist.ts --epochs 2 [--train-size 6000]
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { DataLoader, Subset } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";
import { DEVICE_FLAG, closeDevice, exampleArgs, loadData, openDevice } from "./example-args.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

const opts = exampleArgs("npm run example:fashion-mnist -- [--root DIR] [--epochs N] [--train-size N] [--device D]", {
  root: { default: "./data", help: "folder for Fashion-MNIST (Debian's copy is linked there, else downloaded)" },
  epochs: { default: "2", help: "epochs to train" },
  "train-size": { help: "train on the first N images only" },
  device: DEVICE_FLAG,
});
const device = await openDevice(opts.device);

// Debian's package ships the four gzip IDX files; FashionMNIST looks in ROOT/FashionMNIST/raw.
const debian = "/usr/share/datasets/fashion-mnist";
const root = opts.root;
const raw = join(root, "FashionMNIST", "raw");
if (
  existsSync(debian) &&
  !existsSync(join(raw, "train-images-idx3-ubyte.gz")) &&
  !existsSync(join(raw, "train-images-idx3-ubyte"))
) {
  mkdirSync(raw, { recursive: true });
  for (const f of [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
  ]) {
    symlinkSync(join(debian, f), join(raw, f));
  }
}

class Net extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 16, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
  );
  classifier = new nn.Sequential(new nn.Flatten(), new nn.Linear(32 * 7 * 7, 10));

  forward(x: torch.Tensor): torch.Tensor {
    return this.classifier(this.features(x));
  }
}

torch.manualSeed(0);
const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.286], [0.353])]);
const fullTrain = loadData(
  "Fashion-MNIST",
  () => new datasets.FashionMNIST(root, { train: true, transform, download: true }),
);
const testSet = loadData(
  "Fashion-MNIST",
  () => new datasets.FashionMNIST(root, { train: false, transform, download: true }),
);
const n = opts["train-size"] !== undefined ? Math.min(Number(opts["train-size"]), fullTrain.length) : fullTrain.length;
const trainSet =
  n < fullTrain.length
    ? new Subset(
        fullTrain,
        Array.from({ length: n }, (_, i) => i),
      )
    : fullTrain;
const trainLoader = new DataLoader(trainSet, { batchSize: 64, shuffle: true });
const testLoader = new DataLoader(testSet, { batchSize: 1000 });
const classes = fullTrain.classes;

const model = new Net().to(device);
const lossFn = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });

let perClass: number[][] = [];
for (let epoch = 1; epoch <= Number(opts.epochs); epoch++) {
  model.train();
  const t0 = performance.now();
  // The loss sum stays on the device: one readback per epoch, not one per step.
  let lossSum = torch.zeros([], { device });
  let seen = 0;
  for (const [x, y] of trainLoader) {
    optimizer.zeroGrad();
    const loss = lossFn(model(x.to(device)), y.to(device));
    loss.backward();
    optimizer.step();
    lossSum = lossSum.add(loss.detach().mul(y.shape[0]));
    seen += y.shape[0];
  }
  model.eval();
  perClass = classes.map(() => [0, 0]);
  // Predictions are read back once per test batch (asynchronously on a GPU).
  for (const [x, y] of testLoader) {
    const pred = (await torch.noGrad(() => model(x.to(device)).argmax(1)).cpuAsync()).typedArray();
    const ys = y.typedArray();
    for (let i = 0; i < ys.length; i++) {
      perClass[Number(ys[i])][1]++;
      if (pred[i] === ys[i]) perClass[Number(ys[i])][0]++;
    }
  }
  const correct = perClass.reduce((s, [c]) => s + c, 0);
  const total = perClass.reduce((s, [, t]) => s + t, 0);
  console.log(
    `epoch ${epoch}: train loss ${(Number(await lossSum.itemAsync()) / seen).toFixed(4)}, test accuracy ${((100 * correct) / total).toFixed(2)}% ` +
      `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
console.log("per-class test accuracy (last epoch):");
classes.forEach((c, i) => console.log(`  ${c.padEnd(12)} ${((100 * perClass[i][0]) / perClass[i][1]).toFixed(1)}%`));
closeDevice(device);
