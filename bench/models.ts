// Training steps of other common model shapes in Flint: an MLP (MNIST-sized), a 2-layer LSTM and
// a 2-layer Transformer encoder, each with cross entropy and Adam. Prints one JSON line per model;
// bench/run.ts runs bench/pytorch_models.py with the same shapes and reports the ratio.
// Usage: node --import tsx bench/models.ts [--threads 2] [--steps 20]
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { medianMs, warmUp } from "./timing.js";
import { models } from "../src/vision/index.js";
import { profileKernels } from "./kernel-profile.js";
import { smallResNet } from "./small-resnet.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = arg("threads", 2),
  steps = arg("steps", 20);
// --only "a|b": run just the named workloads (names hold commas, so "|" separates them; bench/run.ts
// interleaves Flint and PyTorch per model).
const onlyAt = process.argv.indexOf("--only");
// --profile: time per kernel instead of the JSON result line (bench/kernel-profile.ts).
const profiling = process.argv.includes("--profile");
const only = onlyAt >= 0 ? new Set(process.argv[onlyAt + 1].split("|")) : null;
torch.setNumThreads(threads);

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

// [name, model, input shape, inference only]: torchvision's ResNet-18 and MobileNetV2 train on
// CIFAR-sized images; ResNet-50 runs inference at ImageNet size.
const workloads: [string, () => nn.Module, number[], boolean?][] = [
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
  ["lstm", () => new LSTMNet(), [16, 20, 64]],
  ["transformer", () => new EncoderNet(), [16, 32, 128]],
  ["small resnet (ResNet-20, 32x32, batch 64)", smallResNet, [64, 3, 32, 32]],
  ["resnet18 (32x32, batch 64)", () => models.resnet18({ numClasses: 10 }), [64, 3, 32, 32]],
  ["mobilenet_v2 (32x32, batch 64)", () => models.mobilenetV2({ numClasses: 10 }), [64, 3, 32, 32]],
  ["resnet50 inference (224x224, batch 8)", () => models.resnet50(), [8, 3, 224, 224], true],
];

// --list: the workload names, one JSON line each, for bench/run.ts.
const listOnly = process.argv.includes("--list");
for (const [name, , shape] of listOnly ? workloads : [])
  console.log(JSON.stringify({ model: name, heavy: shape.length === 4 }));
for (const [name, build, shape, inferOnly] of listOnly ? [] : workloads) {
  if (only && !only.has(name)) continue;
  torch.manualSeed(0);
  const model = build() as nn.Module & ((x: torch.Tensor) => torch.Tensor);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = torch.randn(shape),
    y = torch.randint(0, 10, [shape[0]]);
  if (inferOnly === true) model.eval();
  const step =
    inferOnly === true
      ? (): void => void torch.noGrad(() => model(x))
      : (): void => {
          opt.zeroGrad();
          lossFn(model(x), y).backward();
          opt.step();
        };
  const heavy = shape.length === 4;
  warmUp(step, heavy ? 2 : 5, heavy ? 0 : 2000);
  if (profiling) profileKernels(name, step, steps);
  else
    console.log(
      JSON.stringify({
        impl: `flint-${torch.backendName()}`,
        model: name,
        trainMs: medianMs(step, heavy ? Math.max(3, Math.ceil(steps / 4)) : steps),
      }),
    );
}

// Model families of issue 18 (MLPs small and large, language models with embeddings): token ids in,
// cross entropy over every position for the language models. Same shapes in bench/pytorch_models.py.
class LanguageModel extends nn.Module {
  embed = new nn.Embedding(1000, 64);
  rnn: nn.LSTM | nn.GRU;
  head = new nn.Linear(128, 1000);
  constructor(kind: "lstm" | "gru") {
    super();
    this.rnn =
      kind === "lstm"
        ? new nn.LSTM(64, 128, { numLayers: 2, batchFirst: true })
        : new nn.GRU(64, 128, { numLayers: 2, batchFirst: true });
  }
  forward(tokens: torch.Tensor): torch.Tensor {
    const [out] = (this.rnn as nn.GRU)(this.embed(tokens));
    return this.head(out.reshape([-1, 128]));
  }
}
const mlp = (sizes: number[], Act: new () => nn.Module): nn.Sequential =>
  new nn.Sequential(
    ...sizes.slice(1).flatMap((n, i) => {
      const layer = new nn.Linear(sizes[i], n);
      return i === sizes.length - 2 ? [layer] : [layer, new Act()];
    }),
  );
const families: [string, () => nn.Module, () => [torch.Tensor, torch.Tensor]][] = [
  [
    "mlp small (b16 64-128-128-10 tanh)",
    () => mlp([64, 128, 128, 10], nn.Tanh),
    () => [torch.randn([16, 64]), torch.randint(0, 10, [16])],
  ],
  [
    "mlp large (b256 784-1024-1024-10)",
    () => mlp([784, 1024, 1024, 10], nn.ReLU),
    () => [torch.randn([256, 784]), torch.randint(0, 10, [256])],
  ],
  [
    "lstm lm (b16 t20 v1000)",
    () => new LanguageModel("lstm"),
    () => [torch.randint(0, 1000, [16, 20]), torch.randint(0, 1000, [320])],
  ],
  [
    "gru lm (b16 t20 v1000)",
    () => new LanguageModel("gru"),
    () => [torch.randint(0, 1000, [16, 20]), torch.randint(0, 1000, [320])],
  ],
];
for (const [name] of listOnly ? families : []) console.log(JSON.stringify({ model: name, heavy: false }));
for (const [name, build, data] of listOnly ? [] : families) {
  if (only && !only.has(name)) continue;
  torch.manualSeed(0);
  const model = build() as nn.Module & ((x: torch.Tensor) => torch.Tensor);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const [x, y] = data();
  const step = (): void => {
    opt.zeroGrad();
    lossFn(model(x), y).backward();
    opt.step();
  };
  warmUp(step, 5);
  if (profiling) profileKernels(name, step, steps);
  else
    console.log(JSON.stringify({ impl: `flint-${torch.backendName()}`, model: name, trainMs: medianMs(step, steps) }));
}
