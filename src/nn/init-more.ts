// More of nn.init: trunc_normal_, orthogonal_, sparse_, dirac_, eye_, with torch/nn/init.py's
// steps (the same generator calls in the same order), so a seed gives PyTorch's tensors.
import type { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { type Generator, defaultGenerator } from "../random/index.js";
import { erf } from "../ops/scalar-math.js";
import { empty, eye } from "../ops/creation.js";
import { randperm } from "../ops/random.js";
import { fromTypedArray } from "../tensor.js";
import { parseArgs } from "../ops/util.js";

type Rec = Record<string, unknown>;
const checkFloat = (t: Tensor, op: string): void => {
  if (t.dtype !== "float32" && t.dtype !== "float64")
    throw new ValueError(`${op}: expected a floating point tensor, got ${t.dtype}`);
};

/** PyTorch's calc_erfinv: a rational first guess, then two Newton steps. */
export function erfinv(y: number): number {
  const a = [0.886226899, -1.645349621, 0.914624893, -0.140543331];
  const b = [-2.118377725, 1.442710462, -0.329097515, 0.012229801];
  const c = [-1.970840454, -1.624906493, 3.429567803, 1.641345311];
  const d = [3.5438892, 1.6370678];
  const ya = Math.abs(y);
  if (ya > 1) return NaN;
  if (ya === 1) return y > 0 ? Infinity : -Infinity;
  let x: number;
  if (ya <= 0.7) {
    const z = y * y;
    x = (y * (((a[3] * z + a[2]) * z + a[1]) * z + a[0])) / ((((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + 1);
  } else {
    const z = Math.sqrt(-Math.log((1 - ya) / 2));
    x = (Math.sign(y) * (((c[3] * z + c[2]) * z + c[1]) * z + c[0])) / ((d[1] * z + d[0]) * z + 1);
  }
  const k = 2 / Math.sqrt(Math.PI);
  x -= (erf(x) - y) / (k * Math.exp(-x * x));
  x -= (erf(x) - y) / (k * Math.exp(-x * x));
  return x;
}

interface TruncNormalOptions {
  mean?: number;
  std?: number;
  a?: number;
  b?: number;
  generator?: Generator;
}
/** trunc_normal_(t, mean = 0, std = 1, a = -2, b = 2): inverse-CDF sampling, as PyTorch's. */
export function truncNormal_(t: Tensor, ...args: unknown[]): Tensor {
  const o = parseArgs<Required<TruncNormalOptions> & Rec>(
    "trunc_normal_",
    args,
    ["mean", "std", "a", "b", "generator"],
    { mean: 0, std: 1, a: -2, b: 2, generator: defaultGenerator },
  );
  checkFloat(t, "trunc_normal_");
  const cdf = (x: number) => (1 + erf(x / Math.sqrt(2))) / 2;
  const l = cdf((o.a - o.mean) / o.std),
    u = cdf((o.b - o.mean) / o.std);
  noGrad(() => {
    t.uniform_(2 * l - 1, 2 * u - 1, { generator: o.generator });
    const f = t.dtype === "float32" ? Math.fround : (v: number) => v;
    const data = t.contiguous().typedArray() as Float32Array | Float64Array;
    const scale = f(o.std * Math.sqrt(2));
    for (let i = 0; i < data.length; i++)
      data[i] = Math.min(Math.max(f(f(f(erfinv(data[i])) * scale) + f(o.mean)), o.a), o.b);
    t.copy_(fromTypedArray(data, t.shape, t.dtype));
  });
  return t;
}

/** Householder QR of an m x n matrix (row-major, float64): [Q (m x k), diag of R (k)], k = min(m, n). */
function householderQr(A: Float64Array, m: number, n: number): { q: Float64Array; rdiag: Float64Array } {
  const k = Math.min(m, n);
  const R = Float64Array.from(A);
  const vs: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += R[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    const alpha = R[j * n + j] >= 0 ? -norm : norm;
    for (let i = j; i < m; i++) v[i] = R[i * n + j];
    v[j] -= alpha;
    let vn = 0;
    for (let i = j; i < m; i++) vn += v[i] ** 2;
    if (vn > 0) {
      for (let c = j; c < n; c++) {
        let s = 0;
        for (let i = j; i < m; i++) s += v[i] * R[i * n + c];
        const f = (2 * s) / vn;
        for (let i = j; i < m; i++) R[i * n + c] -= f * v[i];
      }
    }
    vs.push(vn > 0 ? v.map((x) => x / Math.sqrt(vn)) : v);
  }
  // Q = H_0 H_1 … H_{k-1} applied to the first k columns of the identity.
  const q = new Float64Array(m * k);
  for (let c = 0; c < k; c++) q[c * k + c] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * q[i * k + c];
      for (let i = j; i < m; i++) q[i * k + c] -= 2 * s * v[i];
    }
  }
  const rdiag = new Float64Array(k);
  for (let j = 0; j < k; j++) rdiag[j] = R[j * n + j];
  return { q, rdiag };
}

/** orthogonal_(t, gain = 1): Q of the QR of a normal matrix, made unique by the signs of diag(R). */
export function orthogonal_(t: Tensor, ...args: unknown[]): Tensor {
  const o = parseArgs<{ gain: number; generator: Generator }>("orthogonal_", args, ["gain", "generator"], {
    gain: 1,
    generator: defaultGenerator,
  });
  checkFloat(t, "orthogonal_");
  if (t.dim() < 2)
    throw new ShapeError(`orthogonal_: only tensors with 2 or more dimensions are supported, got ${fmtShape(t.shape)}`);
  if (t.numel() === 0) return t;
  const rows = t.shape[0],
    cols = t.numel() / rows;
  const flat = empty([rows, cols], { dtype: t.dtype }).normal_(0, 1, { generator: o.generator });
  let a = Float64Array.from(flat.typedArray());
  let [m, n] = [rows, cols];
  if (rows < cols) {
    const tr = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) tr[j * rows + i] = a[i * cols + j];
    a = tr;
    [m, n] = [cols, rows];
  }
  const { q, rdiag } = householderQr(a, m, n);
  const k = Math.min(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) q[i * k + j] *= Math.sign(rdiag[j]);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < k; j++) {
      const v = q[i * k + j] * o.gain;
      if (rows < cols) out[j * cols + i] = v;
      else out[i * cols + j] = v;
    }
  noGrad(() => t.copy_(fromTypedArray(t.dtype === "float32" ? Float32Array.from(out) : out, t.shape, t.dtype)));
  return t;
}

/** sparse_(t [rows, cols], sparsity, std = 0.01): normal(0, std), then ceil(sparsity * rows) zeros per column at randperm rows. */
export function sparse_(t: Tensor, sparsity: number, ...args: unknown[]): Tensor {
  const o = parseArgs<{ std: number; generator: Generator }>("sparse_", args, ["std", "generator"], {
    std: 0.01,
    generator: defaultGenerator,
  });
  checkFloat(t, "sparse_");
  if (t.dim() !== 2)
    throw new ShapeError(`sparse_: only tensors with 2 dimensions are supported, got ${fmtShape(t.shape)}`);
  const [rows, cols] = t.shape;
  const numZeros = Math.ceil(sparsity * rows);
  noGrad(() => {
    t.normal_(0, o.std, { generator: o.generator });
    for (let c = 0; c < cols; c++) {
      const perm = randperm(rows, { generator: o.generator }).typedArray();
      for (let z = 0; z < numZeros; z++) t.index(perm[z], c).fill_(0);
    }
  });
  return t;
}

/** dirac_(t [out, in, *k] with 1-3 spatial dims, groups = 1): identity convolution kernels. */
export function dirac_(t: Tensor, groups = 1): Tensor {
  const nd = t.dim();
  if (nd < 3 || nd > 5)
    throw new ShapeError(`dirac_: only tensors with 3, 4, or 5 dimensions are supported, got ${fmtShape(t.shape)}`);
  if (t.shape[0] % groups !== 0)
    throw new ValueError(`dirac_: dim 0 (${t.shape[0]}) must be divisible by groups (${groups})`);
  const perGroup = t.shape[0] / groups,
    minDim = Math.min(perGroup, t.shape[1]);
  noGrad(() => {
    t.zero_();
    for (let g = 0; g < groups; g++) {
      for (let d = 0; d < minDim; d++)
        t.index(g * perGroup + d, d, ...t.shape.slice(2).map((s) => Math.floor(s / 2))).fill_(1);
    }
  });
  return t;
}

/** eye_(t [n, m]): the identity matrix. */
export function eye_(t: Tensor): Tensor {
  if (t.dim() !== 2) throw new ShapeError(`eye_: only 2-D tensors are supported, got ${fmtShape(t.shape)}`);
  noGrad(() => t.copy_(eye(t.shape[0], t.shape[1], { dtype: t.dtype })));
  return t;
}
