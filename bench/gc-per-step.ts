// Garbage collections per training step, with and without the native storage allocator
// (native/storage.cc, FLINT_NATIVE_STORAGE) or, with --ab pool, the backward pass's buffer
// recycling (src/buffer-pool.ts, FLINT_GRAD_POOL): counts and kinds of V8 collections (perf_hooks
// "gc" entries) and process CPU per step. Counts are repeatable on a loaded machine where times are
// not. Each configuration runs in its own process (both switches are read at start-up); --rounds N
// repeats the pair N times, interleaved. --models seed,resnet20,resnet18,resnet50 picks the models
// (resnet50: inference at 224x224, batch 8; try --steps 12).
// Usage: node --import tsx bench/gc-per-step.ts [--steps 30] [--threads 1] [--ab storage|pool] [--rounds 1]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

if (process.env.GC_STEP_CHILD === undefined) {
  const rows: Record<string, unknown>[] = [];
  const switchVar = arg("ab", "storage") === "pool" ? "FLINT_GRAD_POOL" : "FLINT_NATIVE_STORAGE";
  for (const model of arg("models", "seed,resnet20,resnet18").split(",")) {
    for (let round = 0; round < Number(arg("rounds", "1")); round++) {
      for (const on of ["0", "1"]) {
        const r = spawnSync(
          process.execPath,
          ["--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2)],
          { env: { ...process.env, GC_STEP_CHILD: model, [switchVar]: on }, encoding: "utf8" },
        );
        if (r.status !== 0) throw new Error(r.stderr);
        rows.push(JSON.parse(r.stdout.trim().split("\n").pop() as string) as Record<string, unknown>);
      }
    }
  }
  console.table(rows);
} else {
  const torch = await import("../src/index.js");
  const { nn, optim } = torch;
  const { PerformanceObserver } = await import("node:perf_hooks");
  const { seedStep } = await import("./seed-step.js");
  const { smallResNet } = await import("./small-resnet.js");
  torch.setNumThreads(Number(arg("threads", "1")));
  const which = process.env.GC_STEP_CHILD;
  let step: () => void;
  if (which === "seed") step = seedStep(64).step;
  else if (which === "resnet50") {
    // Inference (batch 8, 224x224): no backward, so the step boundary is the outermost module call.
    torch.manualSeed(0);
    const model = torch.vision.models.resnet50();
    model.eval();
    const img = torch.randn([8, 3, 224, 224]);
    step = () => void torch.noGrad(() => model(img));
  } else {
    torch.manualSeed(0);
    const model = which === "resnet18" ? torch.vision.models.resnet18({ numClasses: 10 }) : smallResNet();
    const forward = (input: typeof x): typeof x =>
      (model as unknown as { forward(t: typeof x): typeof x }).forward(input);
    const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const lossFn = new nn.CrossEntropyLoss();
    const x = torch.rand(64, 3, 32, 32);
    const y = torch.randint(0, 10, [64]);
    step = () => {
      opt.zeroGrad();
      lossFn.forward(forward(x), y).backward();
      opt.step();
    };
  }
  const kinds: Record<number, string> = {
    1: "scavenge",
    2: "minorMarkSweep",
    4: "markSweep",
    8: "incremental",
    16: "weak",
  };
  let counts: Record<string, number> = {};
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[(e as unknown as { detail: { kind: number } }).detail.kind] ?? "other";
      counts[kind] = (counts[kind] ?? 0) + 1;
      gcMs += e.duration;
    }
  }).observe({ entryTypes: ["gc"] });
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 5; i++) step();
  await settle();
  counts = {};
  gcMs = 0;
  const n = Number(arg("steps", "30"));
  const { nativeAddon } = await import("../src/backend/native/addon.js");
  const stats = (): Record<string, number> =>
    (nativeAddon() as unknown as { storageStats?: () => Record<string, number> } | null)?.storageStats?.() ?? {};
  const s0 = stats();
  const f0 = process.resourceUsage().minorPageFault;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) step();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const faults = process.resourceUsage().minorPageFault - f0;
  const s1 = stats();
  const mbPerStep = (k: string): number => Math.round(((s1[k] ?? 0) - (s0[k] ?? 0)) / n / 2 ** 20);
  await settle();
  const per = (v: number): number => Math.round((v / n) * 100) / 100;
  console.log(
    JSON.stringify({
      model: which,
      pool: process.env.FLINT_GRAD_POOL !== "0",
      storage: process.env.FLINT_NATIVE_STORAGE !== "0",
      scavengesPerStep: per(counts.scavenge ?? 0),
      markSweepsPerStep: per(counts.markSweep ?? 0),
      gcMsPerStep: per(gcMs),
      cpuMsPerStep: per((cpu.user + cpu.system) / 1000),
      wallMsPerStep: per(wall),
      faultsPerStep: per(faults),
      freshMB: mbPerStep("freshBytes"),
      reusedMB: mbPerStep("reusedBytes"),
      freedMB: mbPerStep("freedBytes"),
      promotedMB: mbPerStep("promotedBytes"),
      forcedMarkSweeps: per((s1.forcedFullGcs ?? 0) - (s0.forcedFullGcs ?? 0)),
      budgetMB: Math.round((s1.youngBudget ?? 0) / 2 ** 20),
      rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
}
