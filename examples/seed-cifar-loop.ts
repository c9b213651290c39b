// The seed's third snippet, line for line: the CNN over CIFAR-10's test set through a DataLoader,
// forward, cross-entropy loss and backward for every batch.
//   run: npm run example:cifar-loop [-- --root DIR]   (DIR defaults to "data1", as in the seed;
//   CIFAR-10 is downloaded there on first use; point --root at an unpacked copy to stay offline)
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { DataLoader } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";
import { DEVICE_FLAG, closeDevice, exampleArgs, loadData, openDevice } from "./example-args.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

const opts = exampleArgs("npm run example:cifar-loop -- [--root DIR] [--device cpu|webgpu]", {
  root: { default: "data1", help: "folder for CIFAR-10 (downloaded there if missing)" },
  device: DEVICE_FLAG,
});
const device = await openDevice(opts.device);
const root = opts.root;
const dataset = loadData(
  "CIFAR-10",
  () => new datasets.CIFAR10(root, { train: false, transform: new transforms.ToTensor(), download: true }),
);
const dataloader = new DataLoader(dataset, { batchSize: 64 });

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
  forward(x: torch.Tensor) {
    return this.model1(x);
  }
}

const loss = new nn.CrossEntropyLoss();
const nnModel = new NN().to(device);
let batches = 0;
for (const [imgs, targets] of dataloader) {
  const outputs = nnModel(imgs.to(device));
  const resultLoss = loss(outputs, targets.to(device));
  resultLoss.backward();
  if (batches++ % 40 === 0) console.log(`batch ${batches}: loss ${await resultLoss.itemAsync()}`);
}
console.log(`${batches} batches of up to 64 images: forward, loss and backward done`);
closeDevice(device);
