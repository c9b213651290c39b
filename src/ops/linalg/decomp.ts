// torch.linalg's factorizations and solvers: values from the float64 kernels (kernels.ts),
// gradients composed from differentiable ops (PyTorch's formulas in derivatives.yaml).
import type { Tensor } from "../../tensor.js";
import { ValueError, ShapeError, fmtShape } from "../../errors.js";
import { record } from "../../autograd/record.js";
import { add, div, mul, sub, gt, where } from "../binary.js";
import { abs, log } from "../unary.js";
import { matmul } from "../linalg.js";
import { eye, tensor, zeros } from "../creation.js";
import { expand, transpose, unsqueeze } from "../view.js";
import { toDType } from "../cast.js";
import { sum, amax } from "../reduce.js";
import { diagEmbed, tril, triu } from "../shape-ext.js";
import { wrap } from "../util.js";
import { broadcastShapes } from "../../shape.js";
import {
  type Mat,
  cholesky as cholK,
  eighJacobi,
  luFactor as luK,
  pivotsToPerm,
  qr as qrK,
  svdJacobi,
} from "./kernels.js";
import { fromBatch, matricesOf } from "./batch.js";

const mT = (x: Tensor): Tensor => transpose(x, -2, -1);
type Pair = [Tensor, Tensor];

/** X with A X = B for each matrix (LU); B is [..., n, k]. */
function luSolveMats(A: Mat, B: Mat, op: string): Float64Array {
  const n = A.n,
    k = B.n;
  const { lu, piv, info } = luK(A);
  if (info > 0) throw new ValueError(`${op}: The solver failed because the input matrix is singular.`);
  const perm = pivotsToPerm(piv, n);
  const x = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = B.a[perm[i] * k + c];
      for (let j = 0; j < i; j++) s -= lu[i * n + j] * y[j];
      y[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i];
      for (let j = i + 1; j < n; j++) s -= lu[i * n + j] * x[j * k + c];
      x[i * k + c] = s / lu[i * n + i];
    }
  }
  return x;
}

/** Solves A X = B with batch broadcasting (B is a matrix batch here). */
function solveRaw(A: Tensor, B: Tensor, op: string): Tensor {
  const batch = broadcastShapes(A.shape.slice(0, -2), B.shape.slice(0, -2), op);
  const Ae = expand(A, [...batch, ...A.shape.slice(-2)]),
    Be = expand(B, [...batch, ...B.shape.slice(-2)]);
  const a = matricesOf(Ae, op, true),
    b = matricesOf(Be, op);
  if (b.m !== a.n)
    throw new ShapeError(
      `${op}: Incompatible shapes of A and B for the equation AX = B (${fmtShape(A.shape)} and ${fmtShape(B.shape)})`,
    );
  return fromBatch(
    a.mats.map((m, i) => luSolveMats(m, b.mats[i], op)),
    batch,
    [a.n, b.n],
    A.dtype,
  );
}

/** linalg.solve(A, B, { left }): B a vector batch when B.dim() === 1 or B.shape === A.shape[:-1]. */
export function solve(A: Tensor, B: Tensor, opts: { left?: boolean } = {}): Tensor {
  if (opts.left === false) return mT(solve(mT(A), mT(B)));
  const vector = B.dim() === 1 || (B.dim() === A.dim() - 1 && B.shape.every((s, i) => s === A.shape[i]));
  const Bm = vector ? unsqueeze(B, -1) : B;
  const X = solveRaw(A.detach(), Bm.detach(), "linalg.solve");
  const out = record(
    "LinalgSolveBackward",
    [A, Bm],
    X,
    ([g]) => {
      const gB = solve(mT(A), g);
      return [
        A.requiresGrad ? reduceBatch(mul(matmul(gB, mT(X)), -1), A.shape) : null,
        Bm.requiresGrad ? reduceBatch(gB, Bm.shape) : null,
      ];
    },
    [A, X],
  );
  return vector ? out.squeeze(-1) : out;
}
const reduceBatch = (g: Tensor, shape: readonly number[]): Tensor => {
  let r = g;
  while (r.dim() > shape.length) r = sum(r, 0);
  shape.forEach((s, i) => {
    if (s === 1 && r.shape[i] !== 1) r = sum(r, i, true);
  });
  return r;
};
export const solveEx = (A: Tensor, B: Tensor, opts: { left?: boolean } = {}): Pair => [
  solve(A, B, opts),
  zeros(A.shape.slice(0, -2), { dtype: "int32" }),
];

export function inv(A: Tensor): Tensor {
  const a = matricesOf(A, "linalg.inv", true);
  const I: Mat = { a: eye(a.n, { dtype: "float64" }).typedArray() as Float64Array, m: a.n, n: a.n };
  const Y = fromBatch(
    a.mats.map((m) => luSolveMats(m, I, "linalg.inv")),
    a.batch,
    [a.n, a.n],
    A.dtype,
  );
  return record("LinalgInvExBackward", [A], Y, ([g]) => [mul(matmul(mT(Y), matmul(g, mT(Y))), -1)], [Y]);
}
export const invEx = (A: Tensor): Pair => [inv(A), zeros(A.shape.slice(0, -2), { dtype: "int32" })];

function detValues(
  A: Tensor,
  op: string,
): { det: Float64Array; logabs: Float64Array; sgn: Float64Array; batch: number[] } {
  const a = matricesOf(A, op, true);
  const det = new Float64Array(a.mats.length),
    logabs = new Float64Array(a.mats.length),
    sgn = new Float64Array(a.mats.length);
  a.mats.forEach((m, b) => {
    if (a.n === 0) {
      det[b] = 1;
      sgn[b] = 1;
      return;
    }
    const { lu, piv } = luK(m);
    let d = 1,
      la = 0,
      s = 1;
    for (let i = 0; i < a.n; i++) {
      const u = lu[i * a.n + i];
      d *= u;
      la += Math.log(Math.abs(u));
      s *= Math.sign(u);
      if (piv[i] !== i + 1) {
        d = -d;
        s = -s;
      }
    }
    det[b] = d;
    logabs[b] = la;
    sgn[b] = s;
  });
  return { det, logabs, sgn, batch: a.batch };
}
export function det(A: Tensor): Tensor {
  const { det: d, batch } = detValues(A, "linalg.det");
  const out = toDType(wrap(d, batch, "float64"), A.dtype).detach();
  return record("LinalgDetBackward", [A], out, ([g]) => [mul(unsqueeze(unsqueeze(mul(g, out), -1), -1), mT(inv(A)))], [
    A,
    out,
  ]);
}
export function slogdet(A: Tensor): Pair & { sign: Tensor; logabsdet: Tensor } {
  const { logabs, sgn, batch } = detValues(A, "linalg.slogdet");
  const s0 = toDType(wrap(sgn, batch, "float64"), A.dtype),
    la = toDType(wrap(logabs, batch, "float64"), A.dtype).detach();
  const [s, l] = record(
    "LinalgSlogdetBackward",
    [A],
    [s0, la],
    ([, g]) => [mul(unsqueeze(unsqueeze(g, -1), -1), mT(inv(A)))],
    [A],
  );
  return Object.assign([s, l] as Pair, { sign: s, logabsdet: l });
}
export function logdet(A: Tensor): Tensor {
  const [s, l] = slogdet(A);
  return add(l, log(s));
}

export function choleskyEx(A: Tensor, opts: { upper?: boolean; checkErrors?: boolean } = {}): Pair {
  const a = matricesOf(A, "linalg.cholesky", true);
  const infos: number[] = [];
  const parts = a.mats.map((m) => {
    const { l, info } = cholK(m);
    infos.push(info);
    return l;
  });
  const L = fromBatch(parts, a.batch, [a.n, a.n], A.dtype);
  const out = record("LinalgCholeskyExBackward", [A], L, ([g]) => [choleskyGrad(L, g)], [L]);
  return [opts.upper ? mT(out) : out, tensor(infos, { dtype: "int32" }).reshape(a.batch)];
}
export function cholesky(A: Tensor, opts: { upper?: boolean } | boolean = {}): Tensor {
  const upper = typeof opts === "boolean" ? opts : (opts.upper ?? false);
  const [L, info] = choleskyEx(A);
  const bad = Array.from(info.typedArray()).find((v) => v > 0);
  if (bad !== undefined)
    throw new ValueError(
      `linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the leading minor of order ${bad} is not positive-definite).`,
    );
  return upper ? mT(L) : L;
}
/** gA = 1/2 (S + S^T), S = L^-T Phi(L^T gL) L^-1 with Phi the lower triangle, diagonal halved. */
function choleskyGrad(L: Tensor, gL: Tensor): Tensor {
  const phi0 = tril(matmul(mT(L), gL));
  const phi = sub(phi0, mul(diagEmbed(phi0.diagonal(0, -2, -1)), 0.5));
  const Linv = inv(L);
  const S = matmul(mT(Linv), matmul(phi, Linv));
  return mul(add(S, mT(S)), 0.5);
}
export const choleskySolve = (B: Tensor, L: Tensor, upper: boolean | { upper?: boolean } = false): Tensor => {
  const up = typeof upper === "object" ? (upper.upper ?? false) : upper;
  const A = up ? matmul(mT(L), L) : matmul(L, mT(L));
  return solve(A, B);
};
export const choleskyInverse = (L: Tensor, upper: boolean | { upper?: boolean } = false): Tensor => {
  const up = typeof upper === "object" ? (upper.upper ?? false) : upper;
  return inv(up ? matmul(mT(L), L) : matmul(L, mT(L)));
};

export function qr(
  A: Tensor,
  mode: "reduced" | "complete" | "r" | { mode?: "reduced" | "complete" | "r" } = "reduced",
): Pair & { Q: Tensor; R: Tensor } {
  const md = typeof mode === "object" ? (mode.mode ?? "reduced") : mode;
  const a = matricesOf(A, "linalg.qr");
  const res = a.mats.map((m) => qrK(m, md === "complete"));
  const k = Math.min(a.m, a.n),
    qc = md === "complete" ? a.m : k;
  let Q = fromBatch(
    res.map((r) => r.q),
    a.batch,
    [a.m, qc],
    A.dtype,
  );
  let R = fromBatch(
    res.map((r) => r.r),
    a.batch,
    [qc, a.n],
    A.dtype,
  );
  if (md === "r") Q = zeros([0], { dtype: A.dtype });
  const [Qo, Ro] = record("LinalgQrBackward", [A], [Q, R], ([gQ, gR]) => [qrGrad(Q, R, gQ, gR, a.m, a.n)], [Q, R]);
  Q = Qo;
  R = Ro;
  return Object.assign([Q, R] as Pair, { Q, R });
}
/** m >= n, reduced: gA = (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q. */
function qrGrad(Q: Tensor, R: Tensor, gQ: Tensor | null, gR: Tensor | null, m: number, n: number): Tensor {
  if (m < n) throw new ValueError("linalg.qr: the derivative is not implemented when m < n");
  const gq = gQ ?? zeros(Q.shape, { dtype: Q.dtype }),
    gr = gR ?? zeros(R.shape, { dtype: R.dtype });
  const M = sub(matmul(R, mT(gr)), matmul(mT(gq), Q));
  const low = tril(M, -1);
  const copyltu = add(add(low, mT(low)), diagEmbed(M.diagonal(0, -2, -1)));
  const b = add(gq, matmul(Q, copyltu));
  return mT(solve(R, mT(b)));
}

/** Symmetric input from its lower (UPLO "L") or upper triangle. */
const symmetric = (A: Tensor, uplo: string): Tensor =>
  uplo === "U" ? add(triu(A), mT(triu(A, 1))) : add(tril(A), mT(tril(A, -1)));
export function eigh(
  A: Tensor,
  UPLO: string | { UPLO?: string } = "L",
): Pair & { eigenvalues: Tensor; eigenvectors: Tensor } {
  const uplo = typeof UPLO === "object" ? (UPLO.UPLO ?? "L") : UPLO;
  const a = matricesOf(symmetric(A.detach(), uplo), "linalg.eigh", true);
  const res = a.mats.map(eighJacobi);
  const w = fromBatch(
      res.map((r) => r.w),
      a.batch,
      [a.n],
      A.dtype,
    ),
    V = fromBatch(
      res.map((r) => r.v),
      a.batch,
      [a.n, a.n],
      A.dtype,
    );
  const [wo, Vo] = record(
    "LinalgEighBackward",
    [A],
    [w, V],
    ([gw, gV]) => {
      let inner = gV ? matmul(mT(V), gV) : zeros(V.shape, { dtype: V.dtype });
      if (gV) {
        const E = sub(unsqueeze(w, -2), unsqueeze(w, -1));
        const I = eye(a.n, { dtype: "bool" });
        inner = where(I, 0, div(inner, where(I, 1, E)));
      }
      if (gw) inner = add(inner, diagEmbed(gw));
      return [matmul(V, matmul(inner, mT(V)))];
    },
    [w, V],
  );
  return Object.assign([wo, Vo] as Pair, { eigenvalues: wo, eigenvectors: Vo });
}
export const eigvalsh = (A: Tensor, UPLO: string | { UPLO?: string } = "L"): Tensor => eigh(A, UPLO)[0];

/** Singular values (descending), differentiable: gA = U diag(gS) V^T. */
export function svdvals(A: Tensor): Tensor {
  const a = matricesOf(A, "linalg.svdvals");
  const res = a.mats.map(svdJacobi);
  const k = Math.min(a.m, a.n);
  const S = fromBatch(
    res.map((r) => r.s),
    a.batch,
    [k],
    A.dtype,
  );
  const U = fromBatch(
      res.map((r) => r.u),
      a.batch,
      [a.m, k],
      A.dtype,
    ),
    Vt = fromBatch(
      res.map((r) => r.vt),
      a.batch,
      [k, a.n],
      A.dtype,
    );
  return record("LinalgSvdBackward", [A], S, ([g]) => [matmul(mul(U, unsqueeze(g, -2)), Vt)], [A]);
}

interface RankOptions {
  atol?: number | null;
  rtol?: number | null;
  hermitian?: boolean;
  tol?: number | null;
}
export function matrixRank(A: Tensor, opts: RankOptions | number = {}): Tensor {
  const o: RankOptions = typeof opts === "number" ? { tol: opts } : opts;
  if (A.numel() === 0) return zeros(A.shape.slice(0, -2), { dtype: "int64" });
  if (o.hermitian) return matrixRank(symmetric(A, "L"), { ...o, hermitian: false });
  const S = svdvals(A.detach());
  const eps = A.dtype === "float32" ? 1.1920928955078125e-7 : 2.220446049250313e-16;
  const smax = A.numel() === 0 ? zeros(S.shape.slice(0, -1), { dtype: A.dtype }) : amax(S, -1, true);
  const atol = o.tol ?? o.atol ?? 0;
  const rtol =
    o.rtol ??
    (o.atol !== undefined && o.atol !== null && o.atol > 0
      ? 0
      : eps * Math.max(A.shape[A.dim() - 1], A.shape[A.dim() - 2]));
  const tol = maximumOf(mul(smax, o.tol !== undefined && o.tol !== null ? 0 : rtol), atol);
  return sum(gt(S, tol), -1);
}
const maximumOf = (t: Tensor, v: number): Tensor => t.clampMin(v);

interface PinvOptions {
  atol?: number | null;
  rtol?: number | null;
  hermitian?: boolean;
  rcond?: number | null;
}
/**
 * Moore–Penrose inverse: V diag(1/s) U^T over the singular values above the cutoff (eigenvalues
 * of the lower triangle when hermitian), with PyTorch's pinv_backward for the gradient (valid
 * for rank-deficient inputs too).
 */
export function pinv(A: Tensor, opts: PinvOptions | number = {}): Tensor {
  const o: PinvOptions = typeof opts === "number" ? { rcond: opts } : opts;
  const m = A.shape[A.dim() - 2],
    n = A.shape[A.dim() - 1];
  if (A.numel() === 0) return mT(A).mul(1);
  const eps = A.dtype === "float32" ? 1.1920928955078125e-7 : 2.220446049250313e-16;
  const atol = o.atol ?? 0;
  const rtol = o.rtol ?? o.rcond ?? (atol > 0 ? 0 : eps * Math.max(m, n));
  const a = matricesOf(o.hermitian ? symmetric(A.detach(), "L") : A.detach(), "linalg.pinv");
  const parts = a.mats.map((M) => {
    const out = new Float64Array(n * m);
    if (o.hermitian) {
      const { w, v } = eighJacobi(M);
      const big = Math.max(...Array.from(w, Math.abs));
      const cut = Math.max(atol, rtol * big);
      for (let k = 0; k < n; k++) {
        if (!(Math.abs(w[k]) > cut)) continue;
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] += (v[i * n + k] * v[j * n + k]) / w[k];
      }
      return out;
    }
    const { u, s: sv, vt, k } = svdJacobi(M);
    const cut = Math.max(atol, rtol * (sv[0] ?? 0));
    for (let c = 0; c < k; c++) {
      if (!(sv[c] > cut)) continue;
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] += (vt[c * n + i] * u[j * k + c]) / sv[c];
    }
    return out;
  });
  const P = fromBatch(parts, a.batch, [n, m], A.dtype);
  return record("LinalgPinvBackward", [A], P, ([g]) => [pinvGrad(g, P, A)], [A, P]);
}
function pinvGrad(g: Tensor, P: Tensor, A: Tensor): Tensor {
  const m = A.shape[A.dim() - 2],
    n = A.shape[A.dim() - 1];
  const Ph = mT(P),
    gh = mT(g);
  if (m <= n) {
    const K = matmul(gh, P),
      KPh = matmul(K, Ph);
    return add(
      sub(add(mul(mT(matmul(P, K)), -1), KPh), matmul(matmul(A, P), KPh)),
      matmul(matmul(Ph, P), sub(gh, matmul(K, A))),
    );
  }
  const K = matmul(P, gh),
    PhK = matmul(Ph, K);
  return sub(
    add(add(mul(mT(matmul(K, P)), -1), matmul(matmul(sub(gh, matmul(A, K)), P), Ph)), PhK),
    matmul(matmul(PhK, P), A),
  );
}
export const pinverse = (A: Tensor, rcond: number | { rcond?: number } = 1e-15): Tensor =>
  pinv(A, { rtol: typeof rcond === "object" ? (rcond.rcond ?? 1e-15) : rcond });

export function lstsq(
  A: Tensor,
  B: Tensor,
  opts: { rcond?: number | null; driver?: string | null } = {},
): Tensor[] & { solution: Tensor } {
  const vector = B.dim() === A.dim() - 1;
  const Bm = vector ? unsqueeze(B, -1) : B;
  let X = matmul(pinv(A), Bm);
  if (vector) X = X.squeeze(-1);
  const driver = opts.driver ?? "gelsy";
  const m = A.shape[A.dim() - 2],
    n = A.shape[A.dim() - 1];
  const empty = zeros([0], { dtype: A.dtype });
  const rank = driver === "gels" ? zeros([0], { dtype: "int64" }) : matrixRank(A.detach());
  let residuals = empty;
  if (driver !== "gelsy" && m > n)
    residuals = sumDetached(
      mul(sub(matmul(A, vector ? unsqueeze(X, -1) : X), Bm), sub(matmul(A, vector ? unsqueeze(X, -1) : X), Bm)),
      -2,
    );
  const sv = driver === "gelsd" || driver === "gelss" ? svdvals(A.detach()) : empty;
  return Object.assign([X, residuals, rank, sv], { solution: X });
}

const sumDetached = (t: Tensor, d: number): Tensor => sum(t, d).detach();
export function matrixPower(A: Tensor, n: number): Tensor {
  if (A.shape[A.dim() - 1] !== A.shape[A.dim() - 2])
    throw new ShapeError(`linalg.matrix_power: A must be batches of square matrices, got ${fmtShape(A.shape)}`);
  if (n === 0) return add(mul(A, 0), eye(A.shape[A.dim() - 1], { dtype: A.dtype }));
  let base = n < 0 ? inv(A) : A;
  let k = Math.abs(n),
    result: Tensor | null = null;
  while (k > 0) {
    if (k & 1) result = result === null ? base : matmul(result, base);
    k >>= 1;
    if (k > 0) base = matmul(base, base);
  }
  return result as Tensor;
}

/** exp(A) by scaling and squaring of a Taylor series (composed of matmuls: differentiable). */
export function matrixExp(A: Tensor): Tensor {
  const n = A.shape[A.dim() - 1];
  const normv = A.numel() === 0 ? 0 : Number(amax(sum(abs(A.detach()), -1)).item());
  const s = normv > 0.5 ? Math.ceil(Math.log2(normv / 0.5)) : 0;
  const X = div(A, 2 ** s);
  const I = eye(n, { dtype: A.dtype });
  let term: Tensor = add(mul(X, 0), I),
    total: Tensor = term;
  for (let k = 1; k <= 20; k++) {
    term = div(matmul(term, X), k);
    total = add(total, term);
  }
  for (let i = 0; i < s; i++) total = matmul(total, total);
  return total;
}
