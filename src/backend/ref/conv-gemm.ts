// Small dense GEMM loops for the reference conv kernels, over Float64Array row-major blocks.
// Unrolling the shared dimension by 4 lets each load/store of the output row carry four
// multiply-adds, which is most of what plain JavaScript can gain (about 3x over the naive loop).

/** C[M x N] += A[M x K] · B[K x N]. */
export function gemmNN(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  gemm(M, N, K, (i, k) => aOff + i * lda + k, A, B, bOff, ldb, C, cOff, ldc);
}

/**
 * The shared i-k-j loop: two output rows at a time (each loaded B row feeds both) and the shared
 * dimension unrolled by 4 (each output load/store carries four multiply-adds). `at(i, k)` is
 * the index of A's element (i, k), so the same loop serves A and Aᵀ.
 */
function gemm(
  M: number,
  N: number,
  K: number,
  at: (i: number, k: number) => number,
  A: Float64Array,
  B: Float64Array,
  bOff: number,
  ldb: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const c0 = cOff + i * ldc,
      c1 = c0 + ldc;
    let k = 0;
    for (; k + 3 < K; k += 4) {
      const x0 = A[at(i, k)],
        x1 = A[at(i, k + 1)],
        x2 = A[at(i, k + 2)],
        x3 = A[at(i, k + 3)];
      const y0 = A[at(i + 1, k)],
        y1 = A[at(i + 1, k + 1)],
        y2 = A[at(i + 1, k + 2)],
        y3 = A[at(i + 1, k + 3)];
      const b0 = bOff + k * ldb,
        b1 = b0 + ldb,
        b2 = b1 + ldb,
        b3 = b2 + ldb;
      for (let j = 0; j < N; j++) {
        const v0 = B[b0 + j],
          v1 = B[b1 + j],
          v2 = B[b2 + j],
          v3 = B[b3 + j];
        C[c0 + j] += x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3;
        C[c1 + j] += y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3;
      }
    }
    for (; k < K; k++) {
      const x = A[at(i, k)],
        y = A[at(i + 1, k)],
        b = bOff + k * ldb;
      for (let j = 0; j < N; j++) {
        const v = B[b + j];
        C[c0 + j] += x * v;
        C[c1 + j] += y * v;
      }
    }
  }
  for (; i < M; i++) {
    const ci = cOff + i * ldc;
    for (let k = 0; k < K; k++) {
      const a = A[at(i, k)],
        b = bOff + k * ldb;
      for (let j = 0; j < N; j++) C[ci + j] += a * B[b + j];
    }
  }
}

/** C[M x N] += Aᵀ · B where A is stored [K x M]. */
export function gemmTN(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  gemm(M, N, K, (i, k) => aOff + k * lda + i, A, B, bOff, ldb, C, cOff, ldc);
}

/** C[M x N] += A · Bᵀ where B is stored [N x K]: row dot products, a 2 x 4 block at a time. */
export function gemmNT(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const a0 = aOff + i * lda,
      a1 = a0 + lda,
      c0 = cOff + i * ldc,
      c1 = c0 + ldc;
    let j = 0;
    for (; j + 3 < N; j += 4) {
      const b0 = bOff + j * ldb,
        b1 = b0 + ldb,
        b2 = b1 + ldb,
        b3 = b2 + ldb;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      for (let k = 0; k < K; k++) {
        const x = A[a0 + k],
          y = A[a1 + k];
        const v0 = B[b0 + k],
          v1 = B[b1 + k],
          v2 = B[b2 + k],
          v3 = B[b3 + k];
        s00 += x * v0;
        s01 += x * v1;
        s02 += x * v2;
        s03 += x * v3;
        s10 += y * v0;
        s11 += y * v1;
        s12 += y * v2;
        s13 += y * v3;
      }
      C[c0 + j] += s00;
      C[c0 + j + 1] += s01;
      C[c0 + j + 2] += s02;
      C[c0 + j + 3] += s03;
      C[c1 + j] += s10;
      C[c1 + j + 1] += s11;
      C[c1 + j + 2] += s12;
      C[c1 + j + 3] += s13;
    }
    for (; j < N; j++) {
      const b = bOff + j * ldb;
      let s0 = 0,
        s1 = 0;
      for (let k = 0; k < K; k++) {
        s0 += A[a0 + k] * B[b + k];
        s1 += A[a1 + k] * B[b + k];
      }
      C[c0 + j] += s0;
      C[c1 + j] += s1;
    }
  }
  for (; i < M; i++) {
    const ai = aOff + i * lda,
      ci = cOff + i * ldc;
    for (let j = 0; j < N; j++) {
      const b = bOff + j * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ai + k] * B[b + k];
      C[ci + j] += s;
    }
  }
}
