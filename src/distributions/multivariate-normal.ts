// distributions.MultivariateNormal(loc, { covarianceMatrix | precisionMatrix | scaleTril }) with
// torch.distributions' formulas: rsample = loc + L eps (eps from normal_ of an empty tensor),
// log_prob through the Mahalanobis distance with L, entropy from log det L. The Cholesky factor and
// the triangular solve are written with tensor ops (a loop over the event size), so gradients
// reach loc and the matrix.
import { type Tensor, fromTypedArray } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { empty } from "../ops/creation.js";
import { add, div, mul, sub } from "../ops/binary.js";
import { log, sqrt } from "../ops/unary.js";
import { sum } from "../ops/reduce.js";
import { matmul } from "../ops/linalg.js";
import { stack } from "../ops/join.js";
import { broadcastShapes } from "../shape.js";
import { expand, select, squeeze, unsqueeze, transpose } from "../ops/view.js";
import { Distribution, type SampleShape } from "./base.js";

/**
 * Lower Cholesky factor of symmetric positive-definite matrices [..., n, n]. It reads (A + Aᵀ) / 2,
 * so the gradient is symmetric, as PyTorch's cholesky backward gives it.
 */
export function cholesky(a0: Tensor): Tensor {
  const n = a0.shape[a0.dim() - 1];
  const a = mul(add(a0, transpose(a0, -1, -2)), 0.5);
  const L: Tensor[][] = Array.from({ length: n }, () => new Array<Tensor>(n));
  const at = (i: number, j: number): Tensor => select(select(a, -2, i), -1, j);
  for (let j = 0; j < n; j++) {
    let d = at(j, j);
    for (let k = 0; k < j; k++) d = sub(d, mul(L[j][k], L[j][k]));
    if ((d.detach().typedArray() as Float32Array).some((v) => !(v > 0)))
      throw new ValueError("cholesky: the matrix is not positive-definite");
    L[j][j] = sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = at(i, j);
      for (let k = 0; k < j; k++) s = sub(s, mul(L[i][k], L[j][k]));
      L[i][j] = div(s, L[j][j]);
    }
  }
  const zero = mul(at(0, 0), 0);
  return stack(
    L.map((row, i) =>
      stack(
        Array.from({ length: n }, (_, j) => (j <= i ? row[j] : zero)),
        -1,
      ),
    ),
    -2,
  );
}

/** Solves L y = b for lower-triangular L [..., n, n] and b [..., n] by forward substitution. */
function solveLower(L: Tensor, b: Tensor): Tensor {
  const n = L.shape[L.dim() - 1];
  const y: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    let s = select(b, -1, i);
    for (let k = 0; k < i; k++) s = sub(s, mul(select(select(L, -2, i), -1, k), y[k]));
    y.push(div(s, select(select(L, -2, i), -1, i)));
  }
  return stack(y, -1);
}

export interface MultivariateNormalOptions {
  covarianceMatrix?: Tensor;
  precisionMatrix?: Tensor;
  scaleTril?: Tensor;
  validateArgs?: boolean;
}

export class MultivariateNormal extends Distribution {
  readonly loc: Tensor;
  readonly scaleTril: Tensor;
  constructor(loc: Tensor, o: MultivariateNormalOptions) {
    const given = [o.covarianceMatrix, o.precisionMatrix, o.scaleTril].filter((v) => v !== undefined);
    if (given.length !== 1)
      throw new ValueError(
        "MultivariateNormal: exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.",
      );
    if (loc.dim() < 1) throw new ShapeError("MultivariateNormal: loc must be at least one-dimensional.");
    const m = given[0] as Tensor;
    if (m.dim() < 2)
      throw new ShapeError(
        `MultivariateNormal: the matrix must be at least two-dimensional, with optional leading batch dimensions, got ${fmtShape(m.shape)}`,
      );
    const n = loc.shape[loc.dim() - 1];
    const batch = broadcastShapes(m.shape.slice(0, -2), loc.shape.slice(0, -1), "MultivariateNormal");
    let L: Tensor;
    if (o.scaleTril) L = o.scaleTril;
    else if (o.covarianceMatrix) L = cholesky(o.covarianceMatrix);
    else {
      // L of the covariance from the precision matrix P: flip, Cholesky, flip back, invert (PyTorch's _precision_to_scale_tril).
      const P = o.precisionMatrix as Tensor;
      const cov = invertSpd(P);
      L = cholesky(cov);
    }
    super(batch, [n]);
    this.loc = expand(loc, [...batch, n]);
    this.scaleTril = expand(L, [...batch, n, n]);
  }
  get mean(): Tensor {
    return this.loc;
  }
  get variance(): Tensor {
    return expand(sum(mul(this.scaleTril, this.scaleTril), -1), [...this.batchShape, ...this.eventShape]);
  }
  get covarianceMatrix(): Tensor {
    return matmul(this.scaleTril, transpose(this.scaleTril, -1, -2));
  }
  override get hasRsample(): boolean {
    return true;
  }
  override rsample(sampleShape: SampleShape = []): Tensor {
    const eps = empty(this.extendedShape(sampleShape), { dtype: this.loc.dtype }).normal_();
    return add(this.loc, squeeze(matmul(this.scaleTril, unsqueeze(eps, -1)), -1));
  }
  private halfLogDet(): Tensor {
    const n = this.eventShape[0];
    const diag = stack(
      Array.from({ length: n }, (_, i) => select(select(this.scaleTril, -2, i), -1, i)),
      -1,
    );
    return sum(log(diag), -1);
  }
  logProb(value: Tensor): Tensor {
    const diff = sub(value, this.loc);
    const shape = broadcastShapes(diff.shape.slice(0, -1), this.batchShape, "MultivariateNormal.log_prob");
    const L = expand(this.scaleTril, [...shape, ...this.scaleTril.shape.slice(-2)]);
    const y = solveLower(L, expand(diff, [...shape, diff.shape[diff.dim() - 1]]));
    const M = sum(mul(y, y), -1);
    return sub(mul(add(M, this.eventShape[0] * Math.log(2 * Math.PI)), -0.5), this.halfLogDet());
  }
  entropy(): Tensor {
    const H = add(this.halfLogDet(), 0.5 * this.eventShape[0] * (1 + Math.log(2 * Math.PI)));
    return this.batchShape.length ? expand(H, this.batchShape) : H;
  }
}

/** Inverse of symmetric positive-definite matrices through their Cholesky factor. */
function invertSpd(P: Tensor): Tensor {
  const n = P.shape[P.dim() - 1];
  const Lp = cholesky(P);
  // Columns of L^{-1} by forward substitution on the unit vectors, then P^{-1} = L^{-T} L^{-1}.
  const eyeCols = Array.from({ length: n }, (_, i) => {
    const e = mul(select(P, -1, 0), 0);
    return add(e, unitAt(P, i));
  });
  const Linv = stack(
    eyeCols.map((e) => solveLower(Lp, e)),
    -1,
  );
  return matmul(transpose(Linv, -1, -2), Linv);
}
function unitAt(P: Tensor, i: number): Tensor {
  const n = P.shape[P.dim() - 1];
  const a = new Float64Array(n);
  a[i] = 1;
  return empty([n], { dtype: P.dtype }).copy_(wrapF(a, P.dtype));
}
const wrapF = (a: Float64Array, dt: Tensor["dtype"]): Tensor =>
  fromTypedArray(dt === "float32" ? Float32Array.from(a) : a, [a.length], dt);
