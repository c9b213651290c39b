// Probes bench/browser.ts runs on both sides (in the page and in Node, from the same source text,
// so that tsx's rewriting of a function cannot differ): each a minimum over repeats, which a
// loaded machine disturbs little.
//
// ENGINE_SGEMM times one kernel export of the threaded build called directly (flint_sgemm,
// 256x1024 by 1024x256, one thread) on a memory of its own whose pages are touched before: no
// allocation, no Flint JavaScript, no threads; only the engine's code for the same .wasm. A ratio
// far from 1 is the engine, not Flint. Found this way (December 2026): the Debian Chromium build
// here runs WebAssembly with explicit bounds checks on every memory access (no trap handler
// without its crash handler; Node with --wasm-enforce-bounds-checks takes the same 2.2x on this
// probe, and --js-flags=--wasm-enforce-bounds-checks does not slow the page further), which a
// Chrome user's browser, with guard-page bounds checks, does not pay. Timed for each of the GEMM
// micro-kernel's two variants (src/backend/wasm/gemm-variant.ts; the loader picks one per engine),
// interleaved.

/** Minimum ms of flint_sgemm over 20 calls per GEMM variant ({ a, b }); called with the threaded build's bytes. */
export const ENGINE_SGEMM = `(async (bytes) => {
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  const enosys = () => 52;
  const wasi = { fd_close: enosys, fd_seek: enosys, fd_write: enosys };
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory }, wasi_snapshot_preview1: wasi });
  const ex = instance.exports;
  ex._initialize();
  const M = 256, N = 256, K = 1024;
  const A = ex.flint_alloc(M * K * 4), B = ex.flint_alloc(K * N * 4), C = ex.flint_alloc(M * N * 4);
  new Float32Array(memory.buffer, A, M * K).fill(0.5);
  new Float32Array(memory.buffer, B, K * N).fill(0.25);
  const best = { a: Infinity, b: Infinity };
  for (let r = 0; r < 20; r++) for (const v of ["a", "b"]) {
    ex.flint_set_gemm_variant(v === "b" ? 1 : 0);
    const t0 = performance.now();
    ex.flint_sgemm(0, 0, M, N, K, 1, A, K, B, N, 0, C, N);
    best[v] = Math.min(best[v], performance.now() - t0);
  }
  return best; })`;

/**
 * Single ops of the seed CNN's shapes through torch (globalThis.flintTorch: the page's namespace,
 * or Node's), each the minimum of 15 runs: conv forward, conv backward, max-pool, matmul, add. In
 * one synchronous loop every output takes new storage, so these include fresh memory pages.
 */
export const OPS = `(() => { const torch = globalThis.flintTorch, F = torch.nn.functional, res = {};
  torch.manualSeed(0);
  const x = torch.randn([64, 32, 16, 16]), w = torch.randn([32, 32, 5, 5]);
  const xg = x.clone().requiresGrad_(true), wg = w.clone().requiresGrad_(true);
  const g = torch.randn([64, 32, 16, 16]), a = torch.randn([256, 1024]), b = torch.randn([1024, 256]);
  const cases = {
    conv5x5: () => torch.noGrad(() => F.conv2d(x, w, { padding: 2 })),
    conv5x5Backward: () => F.conv2d(xg, wg, { padding: 2 }).backward(g),
    maxPool: () => torch.noGrad(() => F.maxPool2d(x, 2)),
    matmul: () => torch.noGrad(() => torch.matmul(a, b)),
    add: () => torch.noGrad(() => torch.add(x, g)),
  };
  for (const [k, f] of Object.entries(cases)) {
    let best = Infinity;
    for (let r = 0; r < 15; r++) { const t0 = performance.now(); f(); best = Math.min(best, performance.now() - t0); }
    res[k] = +best.toFixed(2);
  }
  return res; })()`;

/** The least time to write 64 MB into fresh 1 MB Float32Arrays, of 5 tries. */
export const FRESH_WRITE = `(() => { let best = Infinity;
  for (let r = 0; r < 5; r++) { const t0 = performance.now();
    for (let i = 0; i < 64; i++) new Float32Array(1 << 18).fill(1);
    best = Math.min(best, performance.now() - t0); }
  return best; })()`;
