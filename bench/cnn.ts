// Times the seed CNN in Flint: ms per training step (forward, cross entropy, backward, SGD step)
// and per inference batch, median of runs. Prints one JSON line; bench/run.ts compares it with
// PyTorch. Usage: node --import tsx bench/cnn.ts [--batch 64] [--steps 20] [--threads 2]
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { SGD } from "../src/optim/sgd.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const batch = arg("batch", 64), steps = arg("steps", 20), warmup = arg("warmup", 5), threads = arg("threads", 2);
torch.manualSeed(0);

const model = new nn.Sequential(
  new nn.Conv2d(3, 32, 5, { padding: 2 }), new nn.MaxPool2d(2),
  new nn.Conv2d(32, 32, 5, { padding: 2 }), new nn.MaxPool2d(2),
  new nn.Conv2d(32, 64, 5, { padding: 2 }), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Linear(1024, 64), new nn.Linear(64, 10));
const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const lossFn = new nn.CrossEntropyLoss();
const x = torch.rand(batch, 3, 32, 32);
const y = torch.randint(0, 10, [batch]);

function step(): void {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}

function timed(fn: () => void, n: number): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

for (let i = 0; i < warmup; i++) step();
const trainMs = timed(step, steps);
const inferMs = torch.noGrad(() => {
  for (let i = 0; i < warmup; i++) model.forward(x);
  return timed(() => void model.forward(x), steps);
});
console.log(JSON.stringify({
  impl: `flint-${torch.backendName()}`, threads, batch, trainMs, inferMs,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
}));
