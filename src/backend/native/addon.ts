// Typed loader for the native CPU kernels addon (build/Release/flint_native.node, built by
// `npm install` through scripts/build-native.mjs). Every kernel works in place on the typed
// arrays it is given (zero-copy); sizes and offsets are element counts. Loading never throws:
// when the addon is missing, fails to load, or FLINT_BACKEND=ref is set, nativeAddon() is null
// and Flint runs on the TypeScript reference backend.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Opcodes of NativeAddon.unary (out = f(x)). */
export const UnaryOp = {
  neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4, rsqrt: 5, sigmoid: 6, tanh: 7, relu: 8,
} as const;
export type UnaryOpCode = (typeof UnaryOp)[keyof typeof UnaryOp];

/**
 * Opcodes of NativeAddon.binary (out = a op b) and binaryScalar (out = a op s).
 * Backward ops take a = incoming gradient, b = the saved tensor: reluBackward uses the input x
 * (grad where x > 0), sigmoidBackward and tanhBackward use the forward output y.
 * rsub and rdiv are b - a and b / a (with the scalar form: s - a, s / a).
 */
export const BinaryOp = {
  add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5,
  reluBackward: 6, sigmoidBackward: 7, tanhBackward: 8, rsub: 9, rdiv: 10,
} as const;
export type BinaryOpCode = (typeof BinaryOp)[keyof typeof BinaryOp];

/** Max-pool indices: int64 tensors are stored as Float64Array in Flint; Int32Array also works. */
export type IndexArray = Int32Array | Float64Array;

export interface NativeAddon {
  /** Threads used by every kernel (the calling thread included); default hardware_concurrency. */
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** SIMD level used by the GEMM microkernel: "avx512" | "avx2" | "scalar". */
  getIsa(): string;
  /** Forces an ISA (for tests and benchmarks); false when the CPU lacks it. */
  setIsa(name: "avx512" | "avx2" | "scalar"): boolean;

  /** Row-major C = alpha * op(A) * op(B) + beta * C; op(A) is M x K, op(B) is K x N. beta = 0 ignores C's contents. */
  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: Float32Array, aOff: number, lda: number, B: Float32Array, bOff: number, ldb: number,
    beta: number, C: Float32Array, cOff: number, ldc: number,
  ): void;
  /** `batch` independent sgemm calls; matrix b starts at off + b * stride in each array. */
  sgemmBatched(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: Float32Array, aOff: number, lda: number, strideA: number,
    B: Float32Array, bOff: number, ldb: number, strideB: number,
    beta: number, C: Float32Array, cOff: number, ldc: number, strideC: number, batch: number,
  ): void;

  // Convolution, NCHW input, OIHW weight [OC, C / groups, KH, KW]. OH and OW are derived:
  // OH = floor((H + 2 pH - dH (KH - 1) - 1) / sH) + 1. Arrays are read from index 0 (pass
  // subarray() views for offsets). Every output array is overwritten, not accumulated into.
  /** out [N, OC, OH, OW] = conv2d(x, w) + bias (bias may be null). */
  conv2dForward(
    x: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sH: number, sW: number, pH: number, pW: number, dH: number, dW: number, groups: number,
  ): void;
  /** gradIn [N, C, H, W] from gradOut [N, OC, OH, OW]. */
  conv2dBackwardInput(
    gradOut: Float32Array, w: Float32Array, gradIn: Float32Array,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sH: number, sW: number, pH: number, pW: number, dH: number, dW: number, groups: number,
  ): void;
  /** gradW [OC, C / groups, KH, KW] and gradBias [OC] (may be null). */
  conv2dBackwardWeight(
    x: Float32Array, gradOut: Float32Array, gradW: Float32Array, gradBias: Float32Array | null,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sH: number, sW: number, pH: number, pW: number, dH: number, dW: number, groups: number,
  ): void;
}

let cached: NativeAddon | null | undefined;

function addonPath(): string | null {
  // This file lives at src/backend/native/ (or dist/src/backend/native/ once compiled): walk up
  // to the package root, the directory that holds binding.gyp's build/ output.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "build", "Release", "flint_native.node");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** The native addon, or null when it is not built, cannot load, or FLINT_BACKEND=ref. */
export function nativeAddon(): NativeAddon | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.env.FLINT_BACKEND === "ref") return cached;
  const path = addonPath();
  if (path === null) return cached;
  try {
    const require = createRequire(import.meta.url);
    cached = require(path) as NativeAddon;
  } catch {
    cached = null;
  }
  return cached;
}
