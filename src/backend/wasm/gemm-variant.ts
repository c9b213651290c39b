// Which of the SIMD128 GEMM micro-kernel's two variants runs (native/gemm_wasm_simd128.cc, one
// template compiled twice into every .wasm): "a" loads each A value as a broadcast (kMR loads per
// k step), "b" loads four k steps of A as vectors and splats lanes by shuffles (4x fewer loads,
// more shuffles). Both add the same products in the same order, so they give the same floats; only
// their speed differs with the engine. V8 with guard-page bounds checks (Node, Chrome) runs "a"
// faster (b ~25 % slower: the shuffles compete with the multiply-adds); an engine that checks
// bounds on every memory access (Debian's Chromium, whose renderers have no trap handler) runs "b"
// ~1.6x faster, as every load costs a check. Convolutions run through this GEMM, so they follow.
//
// Node runs "a" (FLINT_WASM_GEMM=b or =probe to change that: src/backend/select.ts). The browser
// loader, whose engines differ, times both on a small GEMM once per module instance, after a
// warm-up and a 20 ms pause for the engine's optimising compiler, and keeps "b" only when it is
// clearly faster; loadWasm(url, { gemmVariant: "a" | "b" }) chooses without timing. On a quiet
// machine the probe takes a few ms; on one loaded far past its cores (this session's, ~12 runnable
// threads per core) 25-120 ms, and it may then misjudge, which costs speed, never results.
import type { KernelExports } from "./module.js";

export type GemmVariant = "a" | "b";
export interface GemmChoice {
  variant: GemmVariant;
  /**
   * "override": given; "probe": timed (ms: the best time of each over the probe's rounds); "only":
   * a build from before the variants (bench/wasm-ab.ts runs old ones), which has just "a";
   * "default": Node's, without timing (src/backend/select.ts).
   */
  how: "override" | "probe" | "only" | "default";
  ms?: { a: number; b: number };
  /** How long the probe took, ms. */
  probeMs?: number;
}

const M = 48,
  N = 96,
  K = 192; // 1.8 MFLOP: under sgemm's 2 MFLOP threading threshold, so one thread, no workers
const CALLS = 3, // per timed sample: ~0.15-0.5 ms, short enough that few samples are preempted
  // Rounds (a then b) run until both best times have held (within 3 %) for STABLE rounds: an engine
  // first runs baseline code and swaps in optimised code when its background compiler is done,
  // which a loaded machine delays. Bounded by MAX_ROUNDS and BUDGET_MS.
  STABLE = 5,
  MIN_ROUNDS = 8,
  MAX_ROUNDS = 60,
  BUDGET_MS = 80,
  MARGIN = 0.85, // "b"'s best time must beat "a"'s by 15 %: within noise, keep the default
  SANITY = 0.95; // and b must be the faster in most rounds since the code settled

function gemmCalls(ex: KernelExports, A: number, B: number, C: number): void {
  for (let i = 0; i < CALLS; i++) ex.flint_sgemm(0, 0, M, N, K, 1, A, K, B, N, 0, C, N);
}

/**
 * Runs both variants a few times and then waits `ms` (the browser loader, before the probe): the
 * engine compiles optimised code for them in the background meanwhile, so that the probe times that
 * code rather than the baseline code of one variant against the optimised code of the other.
 */
export async function warmGemmVariants(ex: KernelExports, ms = 20): Promise<void> {
  if (typeof (ex as Partial<KernelExports>).flint_set_gemm_variant !== "function") return;
  const A = ex.flint_alloc(M * K * 4),
    B = ex.flint_alloc(K * N * 4),
    C = ex.flint_alloc(M * N * 4);
  try {
    for (let r = 0; r < 3; r++)
      for (const v of ["a", "b"] as const) {
        setGemmVariant(ex, v);
        gemmCalls(ex, A, B, C);
      }
  } finally {
    ex.flint_free(A);
    ex.flint_free(B);
    ex.flint_free(C);
    setGemmVariant(ex, "a");
  }
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sets the variant the module runs; throws on an unknown name. */
export function setGemmVariant(ex: KernelExports, variant: GemmVariant): void {
  if (variant !== "a" && variant !== "b")
    throw new Error(`flint: unknown WebAssembly GEMM variant '${String(variant)}' (expected "a" or "b")`);
  ex.flint_set_gemm_variant(variant === "b" ? 1 : 0);
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/**
 * Times both variants (see above) and leaves the faster one set; `override` skips the timing.
 * Each round times a then b back to back; the choice is "b" when its best time is under MARGIN
 * times a's and the median of the settled rounds' b/a ratios under SANITY: another process slows
 * samples, never speeds them, so the best times are what each variant can do (measured: b/a ~0.65
 * in Debian's Chromium, 1.2-2.5 in Node on this GEMM).
 */
export function chooseGemmVariant(ex: KernelExports, override?: string): GemmChoice {
  if (typeof (ex as Partial<KernelExports>).flint_set_gemm_variant !== "function") return { variant: "a", how: "only" };
  if (override === "probe") override = undefined;
  if (override === "default") {
    setGemmVariant(ex, "a");
    return { variant: "a", how: "default" };
  }
  if (override) {
    setGemmVariant(ex, override as GemmVariant);
    return { variant: override as GemmVariant, how: "override" };
  }
  const A = ex.flint_alloc(M * K * 4),
    B = ex.flint_alloc(K * N * 4),
    C = ex.flint_alloc(M * N * 4);
  const best = { a: Infinity, b: Infinity },
    ratios: number[] = [],
    start = performance.now();
  try {
    new Float32Array(ex.memory.buffer, A, M * K).fill(0.5);
    new Float32Array(ex.memory.buffer, B, K * N).fill(-0.25);
    const time = (v: GemmVariant): number => {
      setGemmVariant(ex, v);
      const t0 = performance.now();
      gemmCalls(ex, A, B, C);
      return performance.now() - t0;
    };
    let settled = 0; // the first round after the last improvement of either best time
    for (let r = 0; r < MAX_ROUNDS; r++) {
      const ta = time("a"),
        tb = time("b");
      if (ta < 0.97 * best.a || tb < 0.97 * best.b) settled = r + 1;
      best.a = Math.min(best.a, ta);
      best.b = Math.min(best.b, tb);
      ratios.push(tb / Math.max(ta, 1e-3));
      if (r + 1 >= MIN_ROUNDS && (r + 1 - settled >= STABLE || performance.now() - start > BUDGET_MS)) break;
    }
    // Only the rounds since the code settled (the last round at least) count for the ratio.
    ratios.splice(0, Math.min(settled, ratios.length - 1));
  } finally {
    ex.flint_free(A);
    ex.flint_free(B);
    ex.flint_free(C);
  }
  const variant: GemmVariant = best.b < MARGIN * best.a && median(ratios) < SANITY ? "b" : "a";
  setGemmVariant(ex, variant);
  return { variant, how: "probe", ms: best, probeMs: performance.now() - start };
}
