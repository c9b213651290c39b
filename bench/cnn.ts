// Times the seed CNN in Flint: ms per training step (forward, cross entropy, backward, SGD step)
// and per inference batch, median of runs. Prints one JSON line; bench/run.ts compares it with
// PyTorch. Usage: node --import tsx bench/cnn.ts [--batch 64] [--steps 20] [--threads 2]
import * as torch from "../src/index.js";
import { seedStep } from "./seed-step.js";
import { medianMs } from "./timing.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const batch = arg("batch", 64),
  steps = arg("steps", 20),
  warmup = arg("warmup", 5),
  threads = arg("threads", 2);
torch.setNumThreads(threads);
const { model, x, step } = seedStep(batch);

for (let i = 0; i < warmup; i++) step();
const trainMs = medianMs(step, steps);
const inferMs = torch.noGrad(() => {
  for (let i = 0; i < warmup; i++) model.forward(x);
  return medianMs(() => void model.forward(x), steps);
});
console.log(
  JSON.stringify({
    impl: `flint-${torch.backendName()}`,
    threads,
    batch,
    trainMs,
    inferMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
