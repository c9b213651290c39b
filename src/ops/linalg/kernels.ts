// Dense float64 reference kernels for one row-major matrix: LU with partial pivoting (LAPACK's
// getrf pivot choice), Cholesky, Householder QR (LAPACK's geqrf/larfg sign convention, so Q and
// R are LAPACK's), triangular solves, cyclic Jacobi for symmetric eigenproblems, and one-sided
// Jacobi SVD. The ops in this folder call them once per matrix of a batch.

export interface Mat {
  a: Float64Array;
  m: number;
  n: number;
}
export const at = (M: Mat, i: number, j: number): number => M.a[i * M.n + j];

/** PA = LU in place (L unit lower, U upper, packed); pivots are LAPACK's 1-based row swaps; info > 0 when singular. */
export function luFactor(src: Mat): { lu: Float64Array; piv: Int32Array; info: number } {
  const { m, n } = src;
  const a = Float64Array.from(src.a);
  const k = Math.min(m, n);
  const piv = new Int32Array(k);
  let info = 0;
  for (let j = 0; j < k; j++) {
    let p = j,
      best = Math.abs(a[j * n + j]);
    for (let i = j + 1; i < m; i++) {
      const v = Math.abs(a[i * n + j]);
      if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
        best = v;
        p = i;
      }
    }
    piv[j] = p + 1;
    if (p !== j)
      for (let c = 0; c < n; c++) {
        const t = a[j * n + c];
        a[j * n + c] = a[p * n + c];
        a[p * n + c] = t;
      }
    const d = a[j * n + j];
    if (d === 0) {
      if (info === 0) info = j + 1;
      continue;
    }
    for (let i = j + 1; i < m; i++) {
      const f = (a[i * n + j] /= d);
      if (f !== 0) for (let c = j + 1; c < n; c++) a[i * n + c] -= f * a[j * n + c];
    }
  }
  return { lu: a, piv, info };
}

/** The permutation (row order) of LAPACK pivots: row i of PA is row perm[i] of A. */
export function pivotsToPerm(piv: ArrayLike<number>, m: number): number[] {
  const perm = Array.from({ length: m }, (_, i) => i);
  for (let i = 0; i < piv.length; i++) {
    const p = piv[i] - 1;
    [perm[i], perm[p]] = [perm[p], perm[i]];
  }
  return perm;
}

/** Lower Cholesky factor; info > 0 (the order of the failing minor) when not positive definite. */
export function cholesky(src: Mat): { l: Float64Array; info: number } {
  const n = src.n;
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = src.a[j * n + j];
    for (let k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    if (!(s > 0)) return { l, info: j + 1 };
    const d = Math.sqrt(s);
    l[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = src.a[i * n + j];
      for (let k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = t / d;
    }
  }
  return { l, info: 0 };
}

/** Householder QR: Q (m x q), R (q x n) with q = min(m, n) (reduced) or m (complete). */
export function qr(
  src: Mat,
  complete: boolean,
): { q: Float64Array; r: Float64Array; qCols: number; packed: Float64Array; tau: Float64Array } {
  const { m, n } = src;
  const a = Float64Array.from(src.a);
  const k = Math.min(m, n);
  const vs: Float64Array[] = [],
    taus: number[] = [];
  for (let j = 0; j < k; j++) {
    const alpha = a[j * n + j];
    let xnorm = 0;
    for (let i = j + 1; i < m; i++) xnorm = Math.hypot(xnorm, a[i * n + j]);
    const v = new Float64Array(m);
    v[j] = 1;
    if (xnorm === 0) {
      vs.push(v);
      taus.push(0);
      continue;
    }
    const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
    const tau = (beta - alpha) / beta;
    for (let i = j + 1; i < m; i++) v[i] = a[i * n + j] / (alpha - beta);
    // apply H = I - tau v v^T to the trailing columns
    for (let c = j; c < n; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * a[i * n + c];
      s *= tau;
      for (let i = j; i < m; i++) a[i * n + c] -= s * v[i];
    }
    // LAPACK's packing: the reflector's tail below the diagonal
    for (let i = j + 1; i < m; i++) a[i * n + j] = v[i];
    vs.push(v);
    taus.push(tau);
  }
  const qCols = complete ? m : k;
  const q = new Float64Array(m * qCols);
  for (let i = 0; i < Math.min(m, qCols); i++) q[i * qCols + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j],
      tau = taus[j];
    for (let c = 0; c < qCols; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * q[i * qCols + c];
      s *= tau;
      for (let i = j; i < m; i++) q[i * qCols + c] -= s * v[i];
    }
  }
  const rRows = complete ? m : k;
  const r = new Float64Array(rRows * n);
  for (let i = 0; i < Math.min(rRows, m); i++) for (let c = i; c < n; c++) r[i * n + c] = a[i * n + c];
  return { q, r, qCols, packed: a, tau: Float64Array.from(taus) };
}

/** Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, by cyclic Jacobi. */
export function eighJacobi(src: Mat): { w: Float64Array; v: Float64Array } {
  const n = src.n;
  const a = Float64Array.from(src.a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off < 1e-300) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p],
            akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k],
            aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p],
            vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i] - a[j * n + j]);
  const w = Float64Array.from(order, (i) => a[i * n + i]);
  const vs = new Float64Array(n * n);
  order.forEach((src2, dst) => {
    for (let k = 0; k < n; k++) vs[k * n + dst] = v[k * n + src2];
  });
  return { w, v: vs };
}

/** Singular values (descending) and vectors by one-sided Jacobi on the columns (m >= n, else on A^T). */
export function svdJacobi(src: Mat): { u: Float64Array; s: Float64Array; vt: Float64Array; k: number } {
  const { m, n } = src;
  if (m < n) {
    const t = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = src.a[i * n + j];
    const r = svdJacobi({ a: t, m: n, n: m });
    // A^T = U S V^T, so A = V S U^T
    const k = r.k,
      u = new Float64Array(m * k),
      vt = new Float64Array(k * n);
    for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) u[i * k + c] = r.vt[c * m + i];
    for (let c = 0; c < k; c++) for (let j = 0; j < n; j++) vt[c * n + j] = r.u[j * k + c];
    return { u, s: r.s, vt, k };
  }
  const a = Float64Array.from(src.a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0,
          beta = 0,
          gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = a[i * n + p],
            y = a[i * n + q];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t),
          s = c * t;
        for (let i = 0; i < m; i++) {
          const x = a[i * n + p],
            y = a[i * n + q];
          a[i * n + p] = c * x - s * y;
          a[i * n + q] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[i * n + p],
            y = v[i * n + q];
          v[i * n + p] = c * x - s * y;
          v[i * n + q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[i * n + j] * a[i * n + j];
    return Math.sqrt(s);
  });
  const order = norms.map((_, i) => i).sort((i, j) => norms[j] - norms[i]);
  const s = Float64Array.from(order, (i) => norms[i]);
  const u = new Float64Array(m * n),
    vt = new Float64Array(n * n);
  order.forEach((j, c) => {
    for (let i = 0; i < m; i++) u[i * n + c] = norms[j] === 0 ? 0 : a[i * n + j] / norms[j];
    for (let i = 0; i < n; i++) vt[c * n + i] = v[i * n + j];
  });
  return { u, s, vt, k: n };
}
