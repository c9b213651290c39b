// Where a vision model's training step spends its time: wraps every kernel of the active backend
// with a timer (conv passes broken down by layer shape), runs a few steps and prints time per
// kernel and the rest (autograd, op layer, allocation).
// Usage: node --import tsx bench/profile-models.ts [--model resnet18|mobilenet_v2|small_resnet|resnet50] [--steps 4]
// resnet50 runs inference (eval, noGrad) on 8 images of 224x224, as bench/models.ts does.
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { backendFor } from "../src/backend/backend.js";
import { models } from "../src/vision/index.js";
import { smallResNet } from "./small-resnet.js";

torch.tuneProcess();
// BENCH_CLOCK=cpu: process CPU time instead of wall time (repeatable on a loaded machine with --threads 1).
const cpuClock = process.env.BENCH_CLOCK === "cpu";
const now = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg("steps", "4")),
  which = arg("model", "resnet18");
torch.setNumThreads(Number(arg("threads", "2")));
torch.manualSeed(0);
const infer = which === "resnet50";
const model = (
  infer
    ? models.resnet50()
    : which === "mobilenet_v2"
      ? models.mobilenetV2({ numClasses: 10 })
      : which === "small_resnet"
        ? smallResNet()
        : models.resnet18({ numClasses: 10 })
) as nn.Module & ((x: torch.Tensor) => torch.Tensor);
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const lossFn = new nn.CrossEntropyLoss();
const x = torch.randn(infer ? [8, 3, 224, 224] : [64, 3, 32, 32]),
  y = torch.randint(0, 10, [64]);
if (infer) model.eval();
const step = infer
  ? (): void => void torch.noGrad(() => model(x))
  : (): void => {
      opt.zeroGrad();
      lossFn(model(x), y).backward();
      opt.step();
    };
for (let i = 0; i < 2; i++) step();

type Shaped = { shape: readonly number[] };
const convKey = (name: string, args: unknown[]): string => {
  const p = args.find((a) => a !== null && typeof a === "object" && "groups" in (a as object)) as
    { stride: number[]; groups: number } | undefined;
  const shapes = args.filter((a): a is Shaped => a !== null && typeof a === "object" && "shape" in (a as object));
  const w = name === "conv2dBackwardWeight" ? (args[3] as number[]) : shapes[1].shape;
  const xs = name === "conv2dBackwardInput" ? (args[3] as number[]) : shapes[0].shape;
  return `${name} x${xs.join("x")} w${w.join("x")} s${p?.stride[0]} g${p?.groups}`;
};
// The CPU backend itself, not the dispatcher: some ops (batch norm) call it directly.
const b = backendFor("cpu") as unknown as Record<string, unknown>;
const times = new Map<string, { ms: number; calls: number }>();
for (const [name, fn] of Object.entries(b)) {
  if (typeof fn !== "function") continue;
  b[name] = function (this: unknown, ...args: unknown[]) {
    const detail = name.startsWith("conv2d")
      ? convKey(name, args)
      : name === "binary" || name === "unary" || name === "reduce"
        ? `${name}:${String(args[0])}`
        : name;
    const t0 = now();
    try {
      return (fn as (...a: unknown[]) => unknown).apply(this, args);
    } finally {
      const e = times.get(detail) ?? { ms: 0, calls: 0 };
      e.ms += now() - t0;
      e.calls++;
      times.set(detail, e);
    }
  };
}
const t0 = now();
for (let i = 0; i < steps; i++) step();
const total = (now() - t0) / steps;
const group = new Map<string, number>();
let kernels = 0;
console.log(`${which}, backend ${torch.backendName()}: ${total.toFixed(1)} ms per step`);
for (const [name, e] of [...times].sort((p, q) => q[1].ms - p[1].ms)) {
  kernels += e.ms / steps;
  const g = name.split(" ")[0];
  group.set(g, (group.get(g) ?? 0) + e.ms / steps);
  if (e.ms / steps >= 0.5)
    console.log(
      `${name.padEnd(60)} ${(e.ms / steps).toFixed(2).padStart(8)} ms ${(e.calls / steps).toFixed(0).padStart(5)} calls`,
    );
}
console.log("-- by kernel");
for (const [g, ms] of [...group].sort((p, q) => q[1] - p[1]))
  if (ms >= 0.3) console.log(`${g.padEnd(40)} ${ms.toFixed(2).padStart(8)} ms`);
console.log(`${"(outside kernels)".padEnd(40)} ${(total - kernels).toFixed(2).padStart(8)} ms`);
