// Matrix products and the linalg ops composed from other ops: addmm and kin, tensordot, einsum,
// multiDot, cross, vecdot, vander, tensorinv/tensorsolve, triangular solves, Householder
// products, LU factorization (kernel values; unpacking and solves composed) and cond.
import type { Tensor } from "../../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../../errors.js";
import { isOptions, isTensor } from "../util.js";
import { add, mul, sub, div } from "../binary.js";
import { matmul, dot } from "../linalg.js";
import { arange, eye, tensor, zeros } from "../creation.js";
import { narrow, permute, reshape, transpose, unsqueeze, squeeze } from "../view.js";
import { cat } from "../join.js";
import { sum } from "../reduce.js";
import { toDType } from "../cast.js";
import { diagEmbed, diagonal, tril, triu } from "../shape-ext.js";
import { pow } from "../binary.js";
import { record } from "../../autograd/record.js";
import { pivotsToPerm, luFactor as luK, qr as qrK } from "./kernels.js";
import { fromBatch, matricesOf } from "./batch.js";
import { inv, solve, svdvals } from "./decomp.js";
import { matrixNorm } from "../reduce-ext.js";

import { isFloating } from "../../dtype.js";
const mT = (x: Tensor): Tensor => transpose(x, -2, -1);
interface BetaAlpha {
  beta?: number;
  alpha?: number;
}
const ba = (o: BetaAlpha | undefined): Required<BetaAlpha> => ({ beta: o?.beta ?? 1, alpha: o?.alpha ?? 1 });
/** beta * input + alpha * product, where beta = 0 ignores input (NaN included), as PyTorch. */
function scaled(input: Tensor, product: Tensor, o0: Required<BetaAlpha>): Tensor {
  // integer tensors take integer scalars (PyTorch casts beta and alpha to the tensor's type)
  const o = isFloating(input.dtype) ? o0 : { beta: Math.trunc(o0.beta), alpha: Math.trunc(o0.alpha) };
  const p = o.alpha === 1 ? product : mul(product, o.alpha);
  if (o.beta === 0) return add(mul(input, 0).detach().nanToNum(0, 0, 0), p);
  return add(o.beta === 1 ? input : mul(input, o.beta), p);
}
export const addmm = (input: Tensor, m1: Tensor, m2: Tensor, opts?: BetaAlpha): Tensor =>
  scaled(input, matmul(m1, m2), ba(opts));
export const addmv = (input: Tensor, mat: Tensor, vec: Tensor, opts?: BetaAlpha): Tensor =>
  scaled(input, matmul(mat, vec), ba(opts));
export const addbmm = (input: Tensor, b1: Tensor, b2: Tensor, opts?: BetaAlpha): Tensor =>
  scaled(input, sum(matmul(b1, b2), 0), ba(opts));
export const baddbmm = (input: Tensor, b1: Tensor, b2: Tensor, opts?: BetaAlpha): Tensor =>
  scaled(input, matmul(b1, b2), ba(opts));
export const addr = (input: Tensor, v1: Tensor, v2: Tensor, opts?: BetaAlpha): Tensor =>
  scaled(input, mul(unsqueeze(v1, 1), unsqueeze(v2, 0)), ba(opts));
export const vdot = (a: Tensor, b: Tensor): Tensor => dot(a, b);
export function inner(a: Tensor, b: Tensor): Tensor {
  if (a.dim() === 0 || b.dim() === 0) return mul(a, b);
  return tensordot(a, b, [[a.dim() - 1], [b.dim() - 1]]);
}

export function tensordot(
  a: Tensor,
  b: Tensor,
  dims:
    | number
    | readonly (number | readonly number[])[]
    | Tensor
    | { dims?: number | readonly (number | readonly number[])[] } = 2,
): Tensor {
  let d = dims as number | readonly (number | readonly number[])[] | Tensor;
  if (isOptions(dims)) d = (dims as { dims?: number }).dims ?? 2;
  if (isTensor(d)) d = d.dim() === 0 ? Number(d.item()) : (d.tolist() as number[][]);
  let da: number[], db: number[];
  if (typeof d === "number") {
    da = Array.from({ length: d }, (_, i) => a.dim() - d + i);
    db = Array.from({ length: d }, (_, i) => i);
  } else {
    const [x, y] = d as (number | number[])[];
    da = (typeof x === "number" ? [x] : x).map((v) => (v < 0 ? v + a.dim() : v));
    db = (typeof y === "number" ? [y] : y).map((v) => (v < 0 ? v + b.dim() : v));
  }
  const fa = a.shape.map((_, i) => i).filter((i) => !da.includes(i)),
    fb = b.shape.map((_, i) => i).filter((i) => !db.includes(i));
  const k = da.reduce((p, i) => p * a.shape[i], 1);
  const A = reshape(permute(a, [...fa, ...da]), [-1, k]);
  const B = reshape(permute(b, [...db, ...fb]), [k, -1]);
  return reshape(matmul(A, B), [...fa.map((i) => a.shape[i]), ...fb.map((i) => b.shape[i])]);
}

/** einsum by labels: diagonals for repeated labels, broadcast products, sums over dropped labels. */
export function einsum(equation: string, ...ops: (Tensor | readonly Tensor[])[]): Tensor {
  const operands = (ops.length === 1 && Array.isArray(ops[0]) ? ops[0] : ops) as Tensor[];
  const eq = equation.replace(/\s/g, "");
  const [lhs, rhsGiven] = eq.split("->");
  const terms = lhs.split(",");
  if (terms.length !== operands.length)
    throw new ValueError(`einsum(): ${terms.length} operands in the equation, got ${operands.length}`);
  const ellDims = Math.max(0, ...terms.map((t, i) => (t.includes("...") ? operands[i].dim() - (t.length - 3) : 0)));
  const ell = Array.from({ length: ellDims }, (_, i) => String.fromCharCode(0x100 + i));
  const expandTerm = (t: string): string[] => {
    const i = t.indexOf("...");
    return i < 0 ? [...t] : [...t.slice(0, i), ...ell, ...t.slice(i + 3)];
  };
  const labelsOf = terms.map((t, i) => {
    const full = expandTerm(t);
    // an operand with fewer ellipsis dims gets them from the left
    const missing = full.length - operands[i].dim();
    return missing > 0 ? full.filter((l, j) => !(ell.includes(l) && j - full.indexOf(ell[0]) < missing)) : full;
  });
  let out: string[];
  if (rhsGiven !== undefined) out = expandTerm(rhsGiven);
  else {
    const counts = new Map<string, number>();
    labelsOf.flat().forEach((l) => counts.set(l, (counts.get(l) ?? 0) + 1));
    out = [...ell, ...[...counts.keys()].filter((l) => !ell.includes(l) && counts.get(l) === 1).sort()];
  }
  const all = [...out, ...[...new Set(labelsOf.flat())].filter((l) => !out.includes(l))];
  let prod: Tensor | null = null;
  operands.forEach((x, i) => {
    let t = x,
      labels = [...labelsOf[i]];
    // repeated labels within one operand: take the diagonal
    for (let j = 0; j < labels.length; j++) {
      const k = labels.indexOf(labels[j], j + 1);
      if (k > 0) {
        t = diagonal(t, 0, j, k);
        const l = labels[j];
        labels = [...labels.filter((_, q) => q !== j && q !== k), l];
        j = -1;
      }
    }
    const perm = all.filter((l) => labels.includes(l)).map((l) => labels.indexOf(l));
    t = permute(t, perm);
    const shape = all.map((l) => (labels.includes(l) ? t.shape[all.filter((q) => labels.includes(q)).indexOf(l)] : 1));
    t = reshape(t, shape);
    prod = prod === null ? t : mul(prod, t);
  });
  const dropped = all.map((_, i) => i).filter((i) => i >= out.length);
  let r = prod as unknown as Tensor;
  if (dropped.length > 0) r = sum(r, dropped);
  return r;
}

export function multiDot(tensors: readonly Tensor[]): Tensor {
  if (tensors.length < 2) throw new ValueError(`multi_dot(): expected at least 2 tensors but got ${tensors.length}`);
  const first = tensors[0].dim() === 1,
    last = tensors[tensors.length - 1].dim() === 1;
  const ts = tensors.map((t, i) =>
    i === 0 && first ? unsqueeze(t, 0) : i === tensors.length - 1 && last ? unsqueeze(t, 1) : t,
  );
  let r = ts.reduce((acc, t) => matmul(acc, t));
  if (first) r = squeeze(r, 0);
  if (last) r = squeeze(r, -1);
  return r;
}

/** Cross product along dim (linalg.cross: -1; torch.cross: the first dim of size 3 when not given). */
export function linalgCross(a: Tensor, b: Tensor, opts: { dim?: number } = {}): Tensor {
  return crossAlong(a, b, opts.dim ?? -1);
}
export function cross(a: Tensor, b: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  let d = isOptions(dim) ? (dim as { dim?: number | null }).dim : (dim as number | null | undefined);
  if (d === undefined || d === null) {
    d = a.shape.findIndex((s, i) => s === 3 && b.shape[i] === 3);
    if (d < 0) throw new ShapeError(`cross: no dimension of size 3 in input (${fmtShape(a.shape)})`);
  }
  return crossAlong(a, b, d);
}
function crossAlong(a: Tensor, b: Tensor, dim: number): Tensor {
  const nd = Math.max(a.dim(), b.dim());
  const d = dim < 0 ? dim + nd : dim;
  const ae = a.dim() < nd ? reshape(a, [...new Array<number>(nd - a.dim()).fill(1), ...a.shape]) : a;
  const be = b.dim() < nd ? reshape(b, [...new Array<number>(nd - b.dim()).fill(1), ...b.shape]) : b;
  if (ae.shape[d] !== 3 || be.shape[d] !== 3)
    throw new ShapeError(
      `linalg.cross: inputs dimension ${dim} must have length 3. Got ${ae.shape[d]} and ${be.shape[d]}`,
    );
  const c = (t: Tensor, i: number): Tensor => narrow(t, d, i, 1);
  return cat(
    [
      sub(mul(c(ae, 1), c(be, 2)), mul(c(ae, 2), c(be, 1))),
      sub(mul(c(ae, 2), c(be, 0)), mul(c(ae, 0), c(be, 2))),
      sub(mul(c(ae, 0), c(be, 1)), mul(c(ae, 1), c(be, 0))),
    ],
    d,
  );
}
export const vecdot = (x: Tensor, y: Tensor, opts: { dim?: number } = {}): Tensor => sum(mul(x, y), opts.dim ?? -1);
export function vander(x0: Tensor, opts: { N?: number | null } = {}): Tensor {
  const x = x0.dim() === 0 ? reshape(x0, [1]) : x0;
  const n = opts.N ?? x.shape[x.dim() - 1];
  const powers = arange(n, { dtype: x.dtype === "bool" ? "int64" : x.dtype });
  if (n === 0) return zeros([...x.shape, 0], { dtype: x.dtype });
  return pow(unsqueeze(x, -1), powers);
}
export function tensorinv(A: Tensor, ind: number | { ind?: number } = 2): Tensor {
  const k = typeof ind === "object" ? (ind.ind ?? 2) : ind;
  const outer = A.shape.slice(0, k),
    innerS = A.shape.slice(k);
  const rows = outer.reduce((p, s) => p * s, 1);
  return reshape(inv(reshape(A, [rows, -1])), [...innerS, ...outer]);
}
export function tensorsolve(
  A: Tensor,
  B: Tensor,
  dims?: readonly number[] | null | { dims?: readonly number[] | null },
): Tensor {
  let dd = isOptions(dims)
    ? (dims as { dims?: readonly number[] | null }).dims
    : (dims as readonly number[] | null | undefined);
  let a = A;
  if (dd) {
    const ds = dd.map((d) => (d < 0 ? d + A.dim() : d));
    a = permute(A, [...A.shape.map((_, i) => i).filter((i) => !ds.includes(i)), ...ds]);
    dd = null;
  }
  const rest = a.shape.slice(B.dim());
  return reshape(solve(reshape(a, [B.numel(), -1]), reshape(B, [-1])), rest);
}

/** The triangle of A used by a triangular solve (unit diagonal when asked). */
function triangle(A: Tensor, upper: boolean, unit: boolean): Tensor {
  const T = upper ? triu(A) : tril(A);
  if (!unit) return T;
  const n = A.shape[A.dim() - 1];
  return add(sub(T, diagEmbed(diagonal(T, 0, -2, -1))), eye(n, { dtype: A.dtype }));
}
export function solveTriangular(
  A: Tensor,
  B: Tensor,
  opts: { upper: boolean; left?: boolean; unitriangular?: boolean },
): Tensor {
  const T = triangle(A, opts.upper, opts.unitriangular ?? false);
  return solve(T, B, { left: opts.left ?? true });
}
export function triangularSolve(
  b: Tensor,
  A: Tensor,
  upper: boolean | { upper?: boolean; transpose?: boolean; unitriangular?: boolean } = true,
  transposeArg = false,
  unitriangular = false,
): [Tensor, Tensor] {
  let up = upper as boolean,
    tr = transposeArg,
    unit = unitriangular;
  if (isOptions(upper))
    ({
      upper: up = true,
      transpose: tr = false,
      unitriangular: unit = false,
    } = upper as { upper?: boolean; transpose?: boolean; unitriangular?: boolean });
  const T = triangle(A, up, unit);
  return [solve(tr ? mT(T) : T, b), A.clone()];
}

/** Q of Householder reflectors (columns of A below the diagonal, scales tau), first n columns. */
export function householderProduct(A: Tensor, tau: Tensor): Tensor {
  const m = A.shape[A.dim() - 2],
    n = A.shape[A.dim() - 1],
    k = tau.shape[tau.dim() - 1];
  let Q: Tensor = eye(m, { dtype: A.dtype });
  for (let i = 0; i < k; i++) {
    const col = narrow(A, -1, i, 1); // [..., m, 1]
    const below = narrow(col, -2, i + 1, m - i - 1);
    const lead = zeros([...A.shape.slice(0, -2), i, 1], { dtype: A.dtype });
    const one = add(zeros([...A.shape.slice(0, -2), 1, 1], { dtype: A.dtype }), 1);
    const v = cat([lead, one, below], -2);
    const t = unsqueeze(unsqueeze(narrow(tau, -1, i, 1).squeeze(-1), -1), -1);
    const H = sub(eye(m, { dtype: A.dtype }), mul(t, matmul(v, mT(v))));
    Q = matmul(Q, H);
  }
  return narrow(Q, -1, 0, n);
}

/** linalg.lu_factor: packed LU and LAPACK's 1-based int32 pivots (values only). */
function luFactorRaw(A: Tensor, opts: { pivot?: boolean; checkErrors?: boolean } = {}): [Tensor, Tensor, Tensor] {
  if (opts.pivot === false) throw new ValueError("linalg.lu_factor: LU without pivoting is not implemented on the CPU");
  const a = matricesOf(A, "linalg.lu_factor");
  const res = a.mats.map(luK);
  const k = Math.min(a.m, a.n);
  const LU = fromBatch(
    res.map((r) => r.lu),
    a.batch,
    [a.m, a.n],
    A.dtype,
  );
  const piv = toDType(
    fromBatch(
      res.map((r) => r.piv),
      a.batch,
      [k],
      "float64",
    ),
    "int32",
  );
  return [
    LU,
    piv,
    tensor(
      res.map((r) => r.info),
      { dtype: "int32" },
    ).reshape(a.batch),
  ];
}
export function luFactorEx(A: Tensor, opts: { pivot?: boolean; checkErrors?: boolean } = {}): [Tensor, Tensor, Tensor] {
  const [LU, piv, info] = luFactorRaw(A, opts);
  return [luWithGrad(A, LU), piv, info];
}
export function luFactor(A: Tensor, opts: { pivot?: boolean } = {}): [Tensor, Tensor] {
  const [LU, piv] = luFactorRaw(A, opts);
  return [luWithGrad(A, LU), piv];
}
/** P, L, U from a packed LU and pivots (composed: differentiable in LU). */
export function luUnpack(
  LU: Tensor,
  pivots: Tensor,
  unpackData: boolean | { unpackData?: boolean; unpackPivots?: boolean } = true,
  unpackPivots = true,
): [Tensor, Tensor, Tensor] {
  let ud = unpackData as boolean,
    up = unpackPivots;
  if (isOptions(unpackData))
    ({ unpackData: ud = true, unpackPivots: up = true } = unpackData as {
      unpackData?: boolean;
      unpackPivots?: boolean;
    });
  const m = LU.shape[LU.dim() - 2],
    n = LU.shape[LU.dim() - 1],
    k = Math.min(m, n);
  const batch = LU.shape.slice(0, -2);
  let P = zeros([0], { dtype: LU.dtype }),
    L = zeros([0], { dtype: LU.dtype }),
    U = zeros([0], { dtype: LU.dtype });
  if (ud) {
    L = add(narrow(tril(LU, -1), -1, 0, k), eye(m, k, { dtype: LU.dtype }));
    U = narrow(triu(LU), -2, 0, k);
  }
  if (up) {
    const pv = Array.from(pivots.typedArray(), Number);
    const count = batch.reduce((p, s) => p * s, 1);
    const mats: Float64Array[] = [];
    for (let b = 0; b < count; b++) {
      const perm = pivotsToPerm(pv.slice(b * k, (b + 1) * k), m);
      const p = new Float64Array(m * m);
      perm.forEach((src, row) => (p[src * m + row] = 1));
      mats.push(p);
    }
    P = fromBatch(mats, batch, [m, m], LU.dtype);
  }
  return [P, L, U];
}
/** linalg.lu: A = P L U. */
export function lu(A: Tensor, opts: { pivot?: boolean } = {}): [Tensor, Tensor, Tensor] {
  const [LU, piv] = luFactor(A, opts);
  return luUnpack(LU, piv);
}
/**
 * The packed LU with PyTorch's linalg_lu_backward (square, wide and tall A): the gradient of the
 * packing splits into gL = tril(g, -1) and gU = triu(g), then triangular solves as in
 * FunctionsManual.cpp.
 */
function luWithGrad(A: Tensor, LU: Tensor): Tensor {
  if (!A.requiresGrad) return LU;
  const m = A.shape[A.dim() - 2],
    n = A.shape[A.dim() - 1],
    k = Math.min(m, n);
  const [, piv] = luFactorRaw(A.detach());
  const [P, L, U] = luUnpack(LU.detach(), piv);
  const lower =
    (t: Tensor, up: boolean, left: boolean, unit = false) =>
    (b: Tensor) =>
      solveTriangular(t, b, { upper: up, left, unitriangular: unit });
  const grad = (g: Tensor): Tensor => {
    const gL = tril(narrow(g, -1, 0, k), -1),
      gU = triu(narrow(g, -2, 0, k));
    let out: Tensor;
    if (m === n) {
      const phi = add(tril(matmul(mT(L), gL), -1), triu(matmul(gU, mT(U))));
      out = lower(mT(L), true, true, true)(lower(mT(U), false, false)(phi));
    } else if (m < n) {
      const U1 = narrow(U, -1, 0, k),
        gU1 = narrow(gU, -1, 0, k),
        gU2 = narrow(gU, -1, k, n - k);
      let t = sub(matmul(mT(L), gL), matmul(triu(gU), mT(U)));
      t = lower(mT(U1), false, false)(tril(t, -1));
      t = cat([add(t, triu(gU1)), gU2], -1);
      out = lower(mT(L), true, true, true)(t);
    } else {
      const L1 = narrow(L, -2, 0, k),
        gL1 = narrow(gL, -2, 0, k),
        gL2 = narrow(gL, -2, k, m - k);
      let t = sub(matmul(gU, mT(U)), matmul(mT(L), tril(gL, -1)));
      t = lower(mT(L1), true, true, true)(triu(t));
      t = cat([add(t, tril(gL1, -1)), gL2], -2);
      out = lower(mT(U), false, false)(t);
    }
    return matmul(P, out);
  };
  return record("LinalgLuFactorExBackward", [A], LU.detach(), ([g]) => [grad(g)]);
}

export function luSolve(
  LU: Tensor,
  pivots: Tensor,
  B: Tensor,
  opts: { left?: boolean; adjoint?: boolean } = {},
): Tensor {
  const [P, L, U] = luUnpack(LU, pivots);
  let A = matmul(P, matmul(L, U));
  if (opts.adjoint) A = mT(A);
  return solve(A, B, { left: opts.left ?? true });
}
/** torch.lu_solve(b, LU, pivots) (the legacy argument order). */
export const luSolveLegacy = (b: Tensor, LU: Tensor, pivots: Tensor): Tensor => luSolve(LU, pivots, b);
export function luLegacy(
  A: Tensor,
  pivot: boolean | { pivot?: boolean; getInfos?: boolean } = true,
  getInfos = false,
): Tensor[] {
  const gi = isOptions(pivot) ? ((pivot as { getInfos?: boolean }).getInfos ?? false) : getInfos;
  const [LU, piv, info] = luFactorRaw(A);
  const lu2 = luWithGrad(A, LU);
  return gi ? [lu2, piv, info] : [lu2, piv];
}

export function cond(
  A: Tensor,
  p: number | "fro" | "nuc" | null | { p?: number | "fro" | "nuc" | null } = null,
): Tensor {
  const pp = isOptions(p)
    ? ((p as { p?: number | "fro" | "nuc" | null }).p ?? null)
    : (p as number | "fro" | "nuc" | null);
  if (pp === null || pp === 2 || pp === -2) {
    const S = svdvals(A);
    const k = S.shape[S.dim() - 1];
    const big = narrow(S, -1, 0, 1).squeeze(-1),
      small = narrow(S, -1, k - 1, 1).squeeze(-1);
    return pp === -2 ? div(small, big) : div(big, small);
  }
  return mul(matrixNorm(A, pp), matrixNorm(inv(A), pp));
}

/** torch.geqrf: LAPACK's packed QR (R on and above the diagonal, reflectors below) and the reflector scales. */
export function geqrf(A: Tensor): [Tensor, Tensor] {
  const a = matricesOf(A, "geqrf");
  const res = a.mats.map((m) => qrK(m, false));
  return [
    fromBatch(
      res.map((r) => r.packed),
      a.batch,
      [a.m, a.n],
      A.dtype,
    ),
    fromBatch(
      res.map((r) => r.tau),
      a.batch,
      [Math.min(a.m, a.n)],
      A.dtype,
    ),
  ];
}
/** torch.ormqr(A, tau, C, left, transpose): C multiplied by the Q of geqrf's reflectors. */
export function ormqr(
  A: Tensor,
  tau: Tensor,
  C: Tensor,
  left: boolean | { left?: boolean; transpose?: boolean } = true,
  transposeArg = false,
): Tensor {
  let l = left as boolean,
    tr = transposeArg;
  if (isOptions(left)) ({ left: l = true, transpose: tr = false } = left as { left?: boolean; transpose?: boolean });
  const m = A.shape[A.dim() - 2];
  const full =
    m > A.shape[A.dim() - 1]
      ? cat([A, zeros([...A.shape.slice(0, -1), m - A.shape[A.dim() - 1]], { dtype: A.dtype })], -1)
      : A;
  let Q = householderProduct(full, tau);
  if (tr) Q = mT(Q);
  return l ? matmul(Q, C) : matmul(C, Q);
}
