// The seed CNN's training step and inference, and the MLP and Transformer training steps, on the
// webgpu device next to the CPU backend. GPU times are wall time over several steps ended by
// torch.webgpu.synchronize() (WebGPU runs asynchronously), divided by the step count.
// On SwiftShader (a CPU rasteriser) the figures only show that it runs; on a real GPU run it as is:
//   npm run bench:webgpu -- [--batch 64] [--steps 10] [--warmup 2] [--seq 64] [--only seed,mlp,transformer]
// (the GPU is the one Dawn picks with powerPreference "high-performance"; its name is printed).
// Without a GPU, SwiftShader (Debian's chromium package) stands in, at small sizes:
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npm run bench:webgpu -- --batch 8 --steps 2 --seq 16
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { seedStep } from "./seed-step.js";
import { medianMs } from "./timing.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const batch = arg("batch", 64),
  steps = arg("steps", 10),
  warmup = arg("warmup", 2),
  seq = arg("seq", 64);
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt >= 0 ? process.argv[onlyAt + 1].split(",") : ["seed", "mlp", "transformer"];
torch.tuneProcess();

if (!(await torch.webgpu.init())) {
  console.log(`no WebGPU adapter: ${torch.webgpu.unavailableReason() ?? "?"}`);
  process.exit(0);
}
console.log(`webgpu adapter: ${torch.webgpu.getDeviceName() ?? "?"}; cpu backend: ${torch.backendName()}`);

/** ms per call of fn on the GPU: warm up, then `steps` calls and one synchronize. */
async function gpuMs(fn: () => void): Promise<number> {
  for (let i = 0; i < warmup; i++) fn();
  await torch.webgpu.synchronize();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) fn();
  await torch.webgpu.synchronize();
  return (performance.now() - t0) / steps;
}

function cpuMs(fn: () => void): number {
  for (let i = 0; i < warmup; i++) fn();
  return medianMs(fn, steps);
}

type Row = { workload: string; cpuMs: number; webgpuMs: number };
const rows: Row[] = [];

if (only.includes("seed")) {
  const cpu = seedStep(batch);
  const cpuTrain = cpuMs(cpu.step);
  const cpuInfer = torch.noGrad(() => cpuMs(() => void cpu.model.forward(cpu.x)));
  const gpu = seedStep(batch, "webgpu");
  rows.push({ workload: `seed CNN train step (batch ${batch})`, cpuMs: cpuTrain, webgpuMs: await gpuMs(gpu.step) });
  rows.push({
    workload: `seed CNN inference (batch ${batch})`,
    cpuMs: cpuInfer,
    webgpuMs: await torch.noGrad(() => gpuMs(() => void gpu.model.forward(gpu.x))),
  });
}

function mlpStep(device: string): () => void {
  torch.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  ).to(device);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = torch.randn(64, 784).to(device),
    y = torch.randint(0, 10, [64]).to(device);
  return () => {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    opt.step();
  };
}
if (only.includes("mlp"))
  rows.push({
    workload: "MLP 784-512-256-10 train step (batch 64, Adam)",
    cpuMs: cpuMs(mlpStep("cpu")),
    webgpuMs: await gpuMs(mlpStep("webgpu")),
  });

/**
 * A small language-model step: token embedding, a 2-layer Transformer encoder (d_model 128, 4
 * heads, feed-forward 512, GELU, pre-norm), a vocabulary head, cross entropy, AdamW.
 */
function transformerStep(device: string): () => void {
  torch.manualSeed(0);
  const vocab = 1000,
    d = 128;
  const model = new nn.Sequential(
    new nn.Embedding(vocab, d),
    new nn.TransformerEncoder(
      new nn.TransformerEncoderLayer(d, 4, {
        dimFeedforward: 512,
        dropout: 0,
        activation: "gelu",
        batchFirst: true,
        normFirst: true,
      }),
      2,
    ),
    new nn.Linear(d, vocab),
  ).to(device);
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const tokens = torch.randint(0, vocab, [batch, seq]).to(device);
  const target = torch.randint(0, vocab, [batch * seq]).to(device);
  return () => {
    opt.zeroGrad();
    const logits = model.forward(tokens) as torch.Tensor;
    lossFn.forward(logits.reshape(-1, vocab), target).backward();
    opt.step();
  };
}
if (only.includes("transformer"))
  rows.push({
    workload: `Transformer encoder train step (batch ${batch}, seq ${seq}, AdamW)`,
    cpuMs: cpuMs(transformerStep("cpu")),
    webgpuMs: await gpuMs(transformerStep("webgpu")),
  });

for (const r of rows)
  console.log(
    `${r.workload.padEnd(56)} cpu ${r.cpuMs.toFixed(1).padStart(8)} ms   webgpu ${r.webgpuMs.toFixed(1).padStart(8)} ms   (cpu/webgpu ${(r.cpuMs / r.webgpuMs).toFixed(2)}x)`,
  );
torch.webgpu.shutdown();
