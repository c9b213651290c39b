// Where the MLP, LSTM and Transformer training steps of bench/models.ts spend their time: inside
// backend kernels (every kernel of the active backend wrapped with a timer) against the rest
// (op layer, autograd, allocation), plus garbage-collection time and backend calls per step.
// Usage: node --import tsx bench/overhead-split.ts [--threads 2] [--steps 20]
import { PerformanceObserver } from "node:perf_hooks";
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { backend } from "../src/backend/backend.js";

torch.tuneProcess();
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const steps = arg("steps", 20);
torch.setNumThreads(arg("threads", 2));

class LSTMNet extends nn.Module {
  lstm = new nn.LSTM(64, 128, { numLayers: 2, batchFirst: true });
  head = new nn.Linear(128, 10);
  forward(x: torch.Tensor): torch.Tensor {
    const [out] = this.lstm(x);
    return this.head(out.select(1, -1));
  }
}
class EncoderNet extends nn.Module {
  encoder = new nn.TransformerEncoder(
    new nn.TransformerEncoderLayer(128, 4, { dimFeedforward: 256, dropout: 0, batchFirst: true }),
    2,
  );
  head = new nn.Linear(128, 10);
  forward(x: torch.Tensor): torch.Tensor {
    return this.head(this.encoder(x).mean(1));
  }
}
const workloads: [string, () => nn.Module, number[]][] = [
  [
    "mlp",
    () =>
      new nn.Sequential(
        new nn.Linear(784, 512),
        new nn.ReLU(),
        new nn.Linear(512, 256),
        new nn.ReLU(),
        new nn.Linear(256, 10),
      ),
    [64, 784],
  ],
  [
    "mlp-small",
    () =>
      new nn.Sequential(
        new nn.Linear(64, 128),
        new nn.Tanh(),
        new nn.Linear(128, 128),
        new nn.Tanh(),
        new nn.Linear(128, 10),
      ),
    [16, 64],
  ],
  ["lstm", () => new LSTMNet(), [16, 20, 64]],
  ["transformer", () => new EncoderNet(), [16, 32, 128]],
];

// Kernel timers: a wrapper on every backend function, switched on only while measuring the split.
let timing = false,
  kernelMs = 0,
  calls = 0;
const b = backend() as unknown as Record<string, unknown>;
for (const [name, fn] of Object.entries(b)) {
  if (typeof fn !== "function") continue;
  b[name] = function (this: unknown, ...args: unknown[]) {
    if (!timing) return (fn as (...a: unknown[]) => unknown).apply(this, args);
    const t0 = performance.now();
    try {
      return (fn as (...a: unknown[]) => unknown).apply(this, args);
    } finally {
      kernelMs += performance.now() - t0;
      calls++;
    }
  };
}
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ["gc"] });

for (const [name, build, shape] of workloads) {
  torch.manualSeed(0);
  const model = build() as nn.Module & ((x: torch.Tensor) => torch.Tensor);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = torch.randn(shape),
    y = torch.randint(0, 10, [shape[0]]);
  const step = (): void => {
    opt.zeroGrad();
    lossFn(model(x), y).backward();
    opt.step();
  };
  for (let i = 0; i < 5; i++) step();
  // Untimed kernels first (the step time), then the same steps with kernel timers.
  const times: number[] = [];
  await new Promise((r) => setTimeout(r, 0)); // deliver the warm-up's GC entries before counting
  gcMs = 0;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  await new Promise((r) => setTimeout(r, 0)); // let the GC observer deliver
  const gcPerStep = gcMs / steps;
  times.sort((p, q) => p - q);
  timing = true;
  kernelMs = 0;
  calls = 0;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const total = (performance.now() - t0) / steps;
  timing = false;
  const k = kernelMs / steps;
  console.log(
    JSON.stringify({
      model: name,
      trainMs: +times[steps >> 1].toFixed(2),
      kernelShare: +(k / total).toFixed(3),
      outsideMs: +(total - k).toFixed(2),
      gcMsPerStep: +gcPerStep.toFixed(2),
      backendCalls: Math.round(calls / steps),
    }),
  );
}
