// The seed's third snippet: the CIFAR-10 CNN, forward and backward on a random batch of 8.
//   run: node --import tsx examples/seed-cnn.ts
// The same program in PyTorch 1.13 (manual_seed(0), rand, randint) prints the same loss and grad norm.
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { SGD } from "../src/optim/index.js";
import { DEVICE_FLAG, closeDevice, exampleArgs, openDevice } from "./example-args.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

const opts = exampleArgs("npm run example:cnn -- [--device cpu|webgpu]", { device: DEVICE_FLAG });
const device = await openDevice(opts.device);

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

torch.manualSeed(0);
const model = new NN().to(device);
console.log(model.toString());

const imgs = torch.rand(8, 3, 32, 32).to(device);
const targets = torch.randint(0, 10, [8]).to(device);
const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });

const t0 = performance.now();
const outputs = model(imgs);
const loss = lossFn(outputs, targets);
optimizer.zeroGrad();
loss.backward();
optimizer.step();
// Printing reads values back: asynchronous on a GPU (itemAsync works on every device).
console.log(`outputs ${JSON.stringify(outputs.shape)}, loss ${await loss.itemAsync()}`);
console.log(
  `grad norm of model1.0.weight: ${await (model.model1.at(0) as nn.Conv2d).weight.grad!.square().sum().sqrt().itemAsync()}`,
);
console.log(`forward + backward + step: ${(performance.now() - t0).toFixed(0)} ms`);
closeDevice(device);
