// Shared by the in-process benchmarks: the median time of n calls, in ms. Wall time, or with
// BENCH_CLOCK=cpu this process's CPU time (user + system, every thread): on a loaded shared
// machine, one-thread CPU times stay comparable where wall times do not (bench/pytorch_models.py
// reads the same variable).
const cpuClock = process.env.BENCH_CLOCK === "cpu";
const now = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export function medianMs(fn: () => void, n: number): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = now();
    fn();
    t.push(now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}
