// The torch.* (not torch.linalg.*) linear-algebra functions, some with their legacy signatures.
import type { Tensor } from "../../tensor.js";
import { isOptions } from "../util.js";
import { matmul } from "../linalg.js";
import { eigh, qr as linalgQr } from "./decomp.js";
import { zeros } from "../creation.js";
import "./index.js";

export {
  det,
  slogdet,
  logdet,
  inv as inverse,
  cholesky,
  choleskySolve,
  choleskyInverse,
  pinverse,
  matrixPower,
  matrixExp,
} from "./decomp.js";
export {
  addmm,
  addmv,
  addbmm,
  baddbmm,
  addr,
  geqrf,
  ormqr,
  vdot,
  inner,
  tensordot,
  einsum,
  cross,
  triangularSolve,
  luUnpack,
  luSolveLegacy as luSolve,
  luLegacy as lu,
} from "./products.js";

/** torch.qr(A, some = true): the reduced (some) or complete factorization. */
export function qr(A: Tensor, some: boolean | { some?: boolean } = true): [Tensor, Tensor] {
  const s = isOptions(some) ? ((some as { some?: boolean }).some ?? true) : (some as boolean);
  const r = linalgQr(A, s ? "reduced" : "complete");
  return [r[0], r[1]];
}
export const chainMatmul = (...ms: Tensor[]): Tensor => ms.reduce((a, b) => matmul(a, b));

/** torch.symeig (deprecated in PyTorch 1.13): eigh of the upper (default) or lower triangle; eigenvectors empty unless asked. */
export function symeig(
  A: Tensor,
  eigenvectors: boolean | { eigenvectors?: boolean; upper?: boolean } = false,
  upper = true,
): [Tensor, Tensor] {
  let ev = eigenvectors as boolean,
    up = upper;
  if (isOptions(eigenvectors))
    ({ eigenvectors: ev = false, upper: up = true } = eigenvectors as { eigenvectors?: boolean; upper?: boolean });
  const [w, V] = eigh(A, up ? "U" : "L");
  return [w, ev ? V : zeros([0], { dtype: A.dtype })];
}
