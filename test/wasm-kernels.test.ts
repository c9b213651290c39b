// The WebAssembly build of the native kernels, called directly through its NativeAddon shim
// (src/backend/wasm/kernels.ts): results against plain TypeScript loops, the copy in/out rules
// (offsets, gaps between strided rows, beta != 0), range checks, the ISA levels, and memory growth.
// The op-level suites run on it with `npm run test:wasm` (FLINT_BACKEND=wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadKernelsFromDisk } from "../src/backend/wasm/load-node.js";
import { makeWasmAddon } from "../src/backend/wasm/kernels.js";
import { resolveOpcodes } from "../src/backend/native/opcodes.js";
import { assertClose, randArray, rng } from "./native-helpers.js";

const ex = loadKernelsFromDisk();
assert.ok(ex, "native/wasm/flint.wasm must load (it ships in the repository; `npm run build:wasm` rebuilds it)");
const k = makeWasmAddon(ex);
const codes = resolveOpcodes(k);

function refGemm(
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOff: number,
  lda: number,
  B: Float32Array,
  bOff: number,
  ldb: number,
  beta: number,
  C: Float32Array,
  cOff: number,
  ldc: number,
): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++)
        s += A[aOff + (tA ? p * lda + i : i * lda + p)] * B[bOff + (tB ? j * ldb + p : p * ldb + j)];
      out[i * N + j] = s + (beta === 0 ? 0 : beta * C[cOff + i * ldc + j]);
    }
  return out;
}

test("the module needs no imports (no WASI, no JavaScript glue) and starts on the SIMD128 GEMM level", () => {
  const api = (
    globalThis as unknown as { WebAssembly: { Module: { new (b: Uint8Array): object; imports(m: object): unknown[] } } }
  ).WebAssembly;
  assert.deepEqual(api.Module.imports(new api.Module(readFileSync("native/wasm/flint.wasm"))), []);
  assert.equal(k.getIsa(), "wasm-simd128");
  assert.deepEqual([k.unaryOps.includes("exp"), k.binaryOps.includes("rdiv")], [true, true]);
});

test("sgemm: transposes, offsets, leading dimensions, beta; rows' gaps in C survive", () => {
  const r = rng(1);
  for (const isa of ["wasm-simd128", "scalar"] as const) {
    assert.equal(k.setIsa(isa), true);
    assert.equal(k.getIsa(), isa);
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const M = 13,
        N = 29,
        K = 37,
        lda = (tA ? M : K) + 3,
        ldb = (tB ? K : N) + 2,
        ldc = N + 5;
      const A = randArray(4 + lda * (tA ? K : M), r),
        B = randArray(7 + ldb * (tB ? N : K), r),
        C = randArray(1 + ldc * M, r);
      for (const beta of [0, 0.5]) {
        const c = C.slice();
        const want = refGemm(tA, tB, M, N, K, A, 4, lda, B, 7, ldb, beta, C, 1, ldc);
        k.sgemm(tA, tB, M, N, K, 1, A, 4, lda, B, 7, ldb, beta, c, 1, ldc);
        const got = new Float64Array(M * N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) got[i * N + j] = c[1 + i * ldc + j];
        assertClose(got, want, `sgemm ${isa} tA=${tA} tB=${tB} beta=${beta}`, { rtol: 1e-5, atol: 1e-5 });
        for (let i = 0; i < M; i++)
          for (let j = N; j < ldc && 1 + i * ldc + j < c.length; j++) {
            assert.equal(c[1 + i * ldc + j], C[1 + i * ldc + j], "a gap between C's rows was overwritten");
          }
        assert.equal(c[0], C[0]);
      }
    }
  }
  k.setIsa("wasm-simd128");
  assert.equal(k.setIsa("avx512"), false);
});

test("copyStrided writes a transposed view into a strided destination without touching the gaps", () => {
  const r = rng(2);
  const src = randArray(3 + 5 * 7, r); // [5, 7] from offset 3
  const dst = randArray(2 + 7 * 10, r); // view [7, 5] with row stride 10 from offset 2
  const before = dst.slice();
  k.copyStrided(src, 3, [1, 7], dst, 2, [10, 1], [7, 5]);
  for (let i = 0; i < dst.length; i++) {
    const row = Math.floor((i - 2) / 10),
      col = (i - 2) % 10;
    const inView = i >= 2 && row < 7 && col < 5;
    assert.equal(dst[i], inView ? src[3 + col * 7 + row] : before[i], `element ${i}`);
  }
});

test("binaryStrided broadcasts a row over a transposed operand", () => {
  const r = rng(3);
  const a = randArray(6 * 4, r),
    b = randArray(4, r),
    out = new Float32Array(4 * 6);
  k.binaryStrided(codes.byName("add"), a, 0, [1, 4], b, 0, [1, 0], out, [4, 6]); // add: out[i, j] = a[j, i] + b[i]
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 6; j++) assert.equal(out[i * 6 + j], Math.fround(a[j * 4 + i] + b[i]));
});

test("cross entropy: the loss and gradient, ignored rows, and the RangeError for a bad target", () => {
  const r = rng(4);
  const rows = 5,
    cols = 7,
    logits = randArray(rows * cols, r),
    targets = Float64Array.from([0, 6, -100, 3, 2]);
  const grad = new Float32Array(rows * cols);
  const loss = k.crossEntropyForwardBackward(logits, targets, grad, rows, cols, 0, -100);
  let want = 0;
  for (const i of [0, 1, 3, 4]) {
    const row = Array.from(logits.subarray(i * cols, (i + 1) * cols));
    const m = Math.max(...row),
      lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    want += lse - row[targets[i]];
  }
  assert.ok(Math.abs(loss - want / 4) < 1e-5, `loss ${loss} vs ${want / 4}`);
  assert.ok(
    grad.subarray(2 * cols, 3 * cols).every((g) => g === 0),
    "an ignored row has no gradient",
  );
  assert.throws(
    () => k.crossEntropyForwardBackward(logits, Float64Array.from([0, 7, 1, 1, 1]), null, rows, cols, 0, -100),
    { name: "RangeError", message: /Target 7 is out of bounds/ },
  );
});

test("conv2d, pooling and the optimizer step agree with direct loops", () => {
  const r = rng(5);
  const [N, C, H, W, OC, KH, KW] = [2, 3, 6, 5, 4, 3, 3];
  const x = randArray(N * C * H * W, r),
    w = randArray(OC * C * KH * KW, r),
    bias = randArray(OC, r);
  const out = new Float32Array(N * OC * H * W);
  k.conv2dForward(x, w, bias, out, N, C, H, W, OC, KH, KW, 1, 1, 1, 1, 1, 1, 1);
  const want = new Float64Array(out.length);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < OC; o++)
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++) {
          let s = bias[o];
          for (let c = 0; c < C; c++)
            for (let u = 0; u < KH; u++)
              for (let v = 0; v < KW; v++) {
                const ii = i + u - 1,
                  jj = j + v - 1;
                if (ii >= 0 && ii < H && jj >= 0 && jj < W)
                  s += x[((n * C + c) * H + ii) * W + jj] * w[((o * C + c) * KH + u) * KW + v];
              }
          want[((n * OC + o) * H + i) * W + j] = s;
        }
  assertClose(out, want, "conv2dForward", { rtol: 1e-5, atol: 1e-5 });

  const pooled = new Float32Array(N * OC * 3 * 2),
    idx = new Float64Array(pooled.length);
  k.maxPool2dForward(out, pooled, idx, N, OC, H, W, 2, 2, 2, 2, 0, 0, 1, 1, 3, 2);
  for (let p = 0; p < pooled.length; p++) {
    const plane = Math.floor(p / 6);
    assert.equal(pooled[p], out[plane * H * W + idx[p]], `max-pool value ${p} sits at its index`);
  }
  // Values only (no grad): the indices go to wasm scratch, the values are the same.
  const valuesOnly = new Float32Array(pooled.length);
  k.maxPool2dForward(out, valuesOnly, null, N, OC, H, W, 2, 2, 2, 2, 0, 0, 1, 1, 3, 2);
  assert.deepEqual(valuesOnly, pooled);

  const param = randArray(1000, r),
    g = randArray(1000, r),
    buf = new Float32Array(1000),
    p0 = param.slice();
  k.sgdStep(param, g, buf, 0.1, 0.9, 0, 0, false, false, true);
  for (let i = 0; i < 1000; i++) assert.equal(param[i], Math.fround(p0[i] + Math.fround(-0.1) * g[i]));
  assert.throws(() => k.sgdStep(param, g, null, 0.1, 0.9, 0, 0, false, false, false), /needs a momentum buffer/);
});

test("range checks throw instead of touching the wasm heap; the memory grows for big operands", () => {
  const a = new Float32Array(10),
    out = new Float32Array(10);
  assert.throws(() => k.unary(codes.unary("neg")!, a, 5, out, 0, 10), {
    name: "TypeError",
    message: /unary: needs 15 elements/,
  });
  assert.throws(
    () => k.conv2dForward(a, a, null, out, 1, 1, 2, 2, 1, 5, 5, 1, 1, 0, 0, 1, 1, 1),
    /larger than the padded input/,
  );
  const n = 24 << 20; // 96 MiB per array: beyond the initial 16 MiB memory
  const big = new Float32Array(n).fill(2),
    res = new Float32Array(n);
  k.binaryScalar(codes.byName("mul"), big, 0, 1.5, res, 0, n);
  assert.equal(res[0], 3);
  assert.equal(res[n - 1], 3);
  assert.ok(k.getNumThreads() >= 1);
});
