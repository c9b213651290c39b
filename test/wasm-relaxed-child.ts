// Run by test/wasm-relaxed.test.ts in a Node whose engine has relaxed SIMD (Node 20 with
// --experimental-wasm-relaxed-simd): prints, as JSON, what the loader picks and how the relaxed
// build's GEMM compares with the plain build's and with the native addon's FMA kernel.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeWasmAddon } from "../src/backend/wasm/kernels.js";
import { loadKernelsFromDisk, loadedWasmFile } from "../src/backend/wasm/load-node.js";
import { instantiateKernelsSync } from "../src/backend/wasm/module.js";
import { relaxedSimdSupported } from "../src/backend/wasm/relaxed.js";
import { setGemmVariant } from "../src/backend/wasm/gemm-variant.js";
import { nativeAddon } from "../src/backend/native/addon.js";
import { randArray, rng } from "./native-helpers.js";

const dir = join(import.meta.dirname, "..", "native", "wasm");
const out: Record<string, unknown> = { probe: relaxedSimdSupported() };
loadKernelsFromDisk();
out.auto = loadedWasmFile();
loadKernelsFromDisk({ relaxedSimd: false });
out.plain = loadedWasmFile();

const relaxedEx = instantiateKernelsSync(readFileSync(join(dir, "flint-relaxed.wasm")));
const relaxed = makeWasmAddon(relaxedEx);
const plain = makeWasmAddon(instantiateKernelsSync(readFileSync(join(dir, "flint.wasm"))));
// One K block (K <= kc = 256 in every kernel): each element is one sequential chain of K
// multiply-adds from zero, so FMA kernels agree bit for bit whatever their tile shapes.
const r = rng(11),
  [M, N, K] = [48, 96, 200];
const A = randArray(M * K, r),
  B = randArray(K * N, r);
const gemm = (k: { sgemm: typeof relaxed.sgemm }): Float32Array => {
  const C = new Float32Array(M * N);
  k.sgemm(false, false, M, N, K, 1, A, 0, K, B, 0, N, 0, C, 0, N);
  return C;
};
const cr = gemm(relaxed),
  cp = gemm(plain);
const differ = (x: Float32Array, y: Float32Array): number => x.reduce((n, v, i) => n + (v === y[i] ? 0 : 1), 0);
let maxRel = 0;
for (let i = 0; i < M; i++)
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
    maxRel = Math.max(maxRel, Math.abs(cr[i * N + j] - s) / (Math.abs(s) + 1));
  }
out.maxRelVsFloat64 = maxRel;
out.relaxedVsPlainDiffer = differ(cr, cp);
// The micro-kernel's two variants (src/backend/wasm/gemm-variant.ts) fuse the same products in the
// same order: equal bit for bit, over tails and two K blocks too (alpha != 1 takes the tail path).
{
  const [m, n, kk] = [31, 50, 301],
    a = randArray(m * kk, r),
    b = randArray(kk * n, r);
  const run = (v: "a" | "b"): Float32Array => {
    setGemmVariant(relaxedEx, v);
    const c = new Float32Array(m * n).fill(0.5);
    relaxed.sgemm(false, false, m, n, kk, 0.7, a, 0, kk, b, 0, n, 1, c, 0, n);
    return c;
  };
  const tails = differ(run("a"), run("b"));
  // cr above ran variant "a" (the loader's default before any choice); the same GEMM on "b":
  setGemmVariant(relaxedEx, "b");
  out.variantsDiffer = tails + differ(cr, gemm(relaxed));
}
const addon = nativeAddon();
if (addon) {
  const isas = (["avx512", "avx2"] as const).filter((isa) => addon.setIsa(isa));
  const native: Record<string, number> = {};
  for (const isa of isas) {
    addon.setIsa(isa);
    native[isa] = differ(cr, gemm(addon));
  }
  out.relaxedVsNativeDiffer = native;
}
console.log(JSON.stringify(out));
process.exit(0);
