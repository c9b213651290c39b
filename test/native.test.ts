// Native addon kernels vs simple scalar references written here: GEMM (all transposes,
// offsets, leading dimensions, every ISA the CPU has, 1 and 2 threads).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { nativeAddon } from "../src/backend/native/addon.js";
import { assertClose, randArray, rng } from "./native-helpers.js";

const addon = nativeAddon();
const skip = addon === null ? "native addon not built (run `npm install` or `node scripts/build-native.mjs`)" : false;
if (addon === null) console.log(`# skipping native tests: ${skip}`);

function isas(): string[] {
  if (addon === null) return [];
  const original = addon.getIsa();
  const list = (["avx512", "avx2", "scalar"] as const).filter((n) => addon.setIsa(n));
  addon.setIsa(original as "avx512");
  return list;
}

describe("native sgemm", { skip }, () => {
  const a = addon!;
  function check(tA: boolean, tB: boolean, M: number, N: number, K: number, seed: number): void {
    const rand = rng(seed);
    const padA = 3,
      padB = 5,
      padC = 2;
    const lda = (tA ? M : K) + padA,
      ldb = (tB ? K : N) + padB,
      ldc = N + padC;
    const aOff = 7,
      bOff = 11,
      cOff = 13;
    const A = randArray(aOff + (tA ? K : M) * lda, rand);
    const B = randArray(bOff + (tB ? N : K) * ldb, rand);
    const C = randArray(cOff + M * ldc, rand);
    const alpha = 0.75,
      beta = seed % 3 === 0 ? 0 : -0.5;
    if (beta === 0) C[cOff] = Number.NaN; // beta = 0 must ignore C entirely
    const want = Float64Array.from(C),
      mag = new Float64Array(C.length);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0,
          m = 0;
        for (let k = 0; k < K; k++) {
          const x = tA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
          const y = tB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
          s += x * y;
          m += Math.abs(x * y);
        }
        const ci = cOff + i * ldc + j;
        want[ci] = alpha * s + (beta === 0 ? 0 : beta * C[ci]);
        mag[ci] = Math.abs(alpha) * m + (beta === 0 ? 0 : Math.abs(beta * C[ci]));
      }
    }
    a.sgemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
    assertClose(C, want, `sgemm(${tA},${tB},${M},${N},${K})`, { mag });
  }

  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [7, 17, 33],
    [17, 7, 65],
    [33, 65, 7],
    [65, 33, 127],
    [127, 129, 17],
    [8, 32, 300],
    [2, 300, 3],
    [300, 5, 20],
    [64, 64, 64],
    [13, 1, 129],
  ];
  for (const isa of isas()) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): all transposes, odd sizes, offsets`, () => {
        const original = a.getIsa();
        a.setIsa(isa as "avx512");
        a.setNumThreads(threads);
        let seed = 1;
        try {
          for (const [M, N, K] of sizes)
            for (const tA of [false, true]) for (const tB of [false, true]) check(tA, tB, M, N, K, seed++);
        } finally {
          a.setIsa(original as "avx512");
          a.setNumThreads(2);
        }
      });
    }
  }

  it("large product crosses every cache block (K > KC, N > NC)", () => {
    check(false, false, 200, 4200, 600, 3);
  });

  it("K = 0 scales C by beta; M = 0 is a no-op", () => {
    const C = new Float32Array([1, 2, 3, 4]);
    a.sgemm(false, false, 2, 2, 0, 1, new Float32Array(0), 0, 1, new Float32Array(0), 0, 2, 0.5, C, 0, 2);
    assert.deepEqual(Array.from(C), [0.5, 1, 1.5, 2]);
    a.sgemm(false, false, 0, 2, 3, 1, new Float32Array(0), 0, 3, new Float32Array(6), 0, 2, 0, C, 0, 2);
    assert.deepEqual(Array.from(C), [0.5, 1, 1.5, 2]);
  });

  it("rejects out-of-range arrays instead of reading past them", () => {
    const A = new Float32Array(5),
      B = new Float32Array(6),
      C = new Float32Array(4);
    assert.throws(() => a.sgemm(false, false, 2, 2, 3, 1, A, 0, 3, B, 0, 2, 0, C, 0, 2), /sgemm: argument 6 needs 6/);
    assert.throws(
      () => a.sgemm(false, false, 2, 2, 3, 1, new Float32Array(6), 0, 2, B, 0, 2, 0, C, 0, 2),
      /leading dimension/,
    );
  });

  it("sgemmBatched matches per-item sgemm (parallel over the batch)", () => {
    const rand = rng(99);
    const batch = 5,
      M = 9,
      N = 21,
      K = 13;
    const A = randArray(batch * M * K + 3, rand),
      B = randArray(batch * K * N, rand);
    const C1 = new Float32Array(batch * M * N),
      C2 = new Float32Array(batch * M * N);
    a.sgemmBatched(false, true, M, N, K, 1, A, 3, K, M * K, B, 0, K, K * N, 0, C1, 0, N, M * N, batch);
    for (let b = 0; b < batch; b++)
      a.sgemm(false, true, M, N, K, 1, A, 3 + b * M * K, K, B, b * K * N, K, 0, C2, b * M * N, N);
    assert.deepEqual(C1, C2);
  });

  it("tiny products (sgemm's unpacked path) are bit for bit the packed path's (sgemmBatched, batch 1)", () => {
    const rand = rng(7);
    const shapes = [
      [16, 16, 16],
      [8, 32, 32],
      [1, 1, 1],
      [3, 5, 7],
      [8, 17, 31],
      [33, 9, 64],
      [64, 16, 64],
      [2, 100, 3],
    ];
    for (const [M, N, K] of shapes)
      for (const tA of [false, true])
        for (const tB of [false, true])
          for (const beta of [0, 1, 0.5]) {
            const lda = (tA ? M : K) + 2,
              ldb = (tB ? K : N) + 1,
              ldc = N + 3;
            const A = randArray((tA ? K : M) * lda + 1, rand),
              B = randArray((tB ? N : K) * ldb + 1, rand),
              C1 = randArray(M * ldc, rand),
              C2 = C1.slice();
            a.sgemm(tA, tB, M, N, K, 1, A, 1, lda, B, 1, ldb, beta, C1, 0, ldc);
            a.sgemmBatched(tA, tB, M, N, K, 1, A, 1, lda, 0, B, 1, ldb, 0, beta, C2, 0, ldc, 0, 1);
            assert.deepEqual(C1, C2, `M=${M} N=${N} K=${K} tA=${tA} tB=${tB} beta=${beta}`);
          }
  });
});
