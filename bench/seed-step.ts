// The benchmarked workload: the seed CNN's training step (forward, cross entropy, backward,
// SGD with momentum) at a given batch size, from a fixed seed, on a device ("cpu" by default).
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

export function seedStep(
  batch: number,
  device = "cpu",
): { model: nn.Module & { forward(x: torch.Tensor): torch.Tensor }; x: torch.Tensor; step: () => void } {
  torch.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(3, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(1024, 64),
    new nn.Linear(64, 10),
  ).to(device);
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = torch.rand(batch, 3, 32, 32).to(device);
  const y = torch.randint(0, 10, [batch]).to(device);
  const step = () => {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    opt.step();
  };
  return { model, x, step };
}
