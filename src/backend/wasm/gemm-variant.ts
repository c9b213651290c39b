// Which of the SIMD128 GEMM micro-kernel's two variants runs (native/gemm_wasm_simd128.cc, one
// template compiled twice into every .wasm): "a" loads each A value as a broadcast (kMR loads per
// k step), "b" loads four k steps of A as vectors and splats lanes by shuffles (4x fewer loads,
// more shuffles). Both add the same products in the same order, so they give the same floats; only
// their speed differs with the engine. V8 with guard-page bounds checks (Node, Chrome) runs "a"
// faster (b ~25 % slower: the shuffles compete with the multiply-adds); an engine that checks
// bounds on every memory access (Debian's Chromium, whose renderers have no trap handler) runs "b"
// ~1.6x faster, as every load costs a check. Convolutions run through this GEMM, so they follow.
//
// The loader times both on a small GEMM when the module is instantiated (~5-15 ms, once per
// module instance) and keeps "b" only when it is clearly faster; FLINT_WASM_GEMM=a|b (Node) or
// loadWasm(url, { gemmVariant }) (browsers) chooses without timing.
import type { KernelExports } from "./module.js";

export type GemmVariant = "a" | "b";
export interface GemmChoice {
  variant: GemmVariant;
  /**
   * "override": given; "probe": timed (ms: the best time of each over the probe's rounds); "only":
   * a build from before the variants (bench/wasm-ab.ts runs old ones), which has just "a".
   */
  how: "override" | "probe" | "only";
  ms?: { a: number; b: number };
  /** How long the probe took, ms. */
  probeMs?: number;
}

const M = 48,
  N = 96,
  K = 192; // 1.8 MFLOP: under sgemm's 2 MFLOP threading threshold, so one thread, no workers
const CALLS = 3, // per timed sample: ~0.15-0.5 ms, short enough that few samples are preempted
  SKIP = 2, // rounds run but not counted: the engine's baseline code, before it tiers the kernels up
  ROUNDS = 16, // a b, a b, ...
  BUDGET_MS = 40, // stop early on a loaded machine (after MIN_ROUNDS)
  MIN_ROUNDS = 8,
  MARGIN = 0.85; // "b" must beat "a" by 15 %: within noise, keep the default

/** Sets the variant the module runs; throws on an unknown name. */
export function setGemmVariant(ex: KernelExports, variant: GemmVariant): void {
  if (variant !== "a" && variant !== "b")
    throw new Error(`flint: unknown WebAssembly GEMM variant '${String(variant)}' (expected "a" or "b")`);
  ex.flint_set_gemm_variant(variant === "b" ? 1 : 0);
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/**
 * Times both variants (see above) and leaves the faster one set; `override` skips the timing.
 * Each round times a then b back to back; the choice is "b" when both the median of the rounds'
 * b/a ratios and the ratio of the best times are under MARGIN: a sample slowed by another process
 * moves neither much.
 */
export function chooseGemmVariant(ex: KernelExports, override?: string): GemmChoice {
  if (typeof (ex as Partial<KernelExports>).flint_set_gemm_variant !== "function") return { variant: "a", how: "only" };
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
      for (let i = 0; i < CALLS; i++) ex.flint_sgemm(0, 0, M, N, K, 1, A, K, B, N, 0, C, N);
      return performance.now() - t0;
    };
    for (let r = 0; r < ROUNDS && (r < MIN_ROUNDS || performance.now() - start < BUDGET_MS); r++) {
      const ta = time("a"),
        tb = time("b");
      if (r < SKIP) continue;
      best.a = Math.min(best.a, ta);
      best.b = Math.min(best.b, tb);
      ratios.push(tb / Math.max(ta, 1e-3));
    }
  } finally {
    ex.flint_free(A);
    ex.flint_free(B);
    ex.flint_free(C);
  }
  const variant: GemmVariant = median(ratios) < MARGIN && best.b < MARGIN * best.a ? "b" : "a";
  setGemmVariant(ex, variant);
  return { variant, how: "probe", ms: best, probeMs: performance.now() - start };
}
