// Scans along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp (reference kernels over
// slices; gradients composed: a reversed cumsum, or a scatter of g to the running arg-extreme).
import { type DType, isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { record } from "../autograd/record.js";
import { isOptions } from "./util.js";
import { div, mul, eq } from "./binary.js";
import { toDType } from "./cast.js";
import { zeros } from "./creation.js";
import { scatterAdd } from "./indexing.js";
import { flip } from "./shape-ext.js";
import { fromSlices, slicesOf } from "./slices.js";
import { any as anyOf } from "./reduce.js";

type DimDtype = [number | { dim: number; dtype?: DType }, (DType | { dtype?: DType } | null)?];
function dimDtype(a: DimDtype): { dim: number; dtype: DType | null } {
  if (isOptions(a[0])) return { dim: (a[0] as { dim: number }).dim, dtype: (a[0] as { dtype?: DType }).dtype ?? null };
  const d = a[1];
  return {
    dim: a[0] as number,
    dtype: isOptions(d) ? ((d as { dtype?: DType }).dtype ?? null) : ((d as DType | null | undefined) ?? null),
  };
}
/** Integer and bool inputs accumulate in int64, as PyTorch's cumsum and cumprod. */
const accDtype = (x: Tensor, dtype: DType | null): DType => dtype ?? (isFloating(x.dtype) ? x.dtype : "int64");

function scan(
  x: Tensor,
  dim: number,
  dtype: DType,
  op: string,
  step: (acc: number, v: number, i: number) => number,
): Tensor {
  const s = slicesOf(x, dim, op);
  const out = new Float64Array(s.data.length);
  for (let k = 0; k < s.count; k++) {
    let acc = 0;
    for (let i = 0; i < s.n; i++) {
      const v = s.data[k * s.n + i];
      acc = i === 0 ? v : step(acc, v, i);
      out[k * s.n + i] = dtype === "float32" ? Math.fround(acc) : acc;
    }
  }
  return fromSlices(x, s, out, s.n, dtype);
}
const revCumsum = (g: Tensor, d: number): Tensor => flip(cumsum(flip(g, [d]), d), [d]);
const dimOf = (x: Tensor, dim: number): number => (x.dim() === 0 ? 0 : ((dim % x.dim()) + x.dim()) % x.dim());

export function cumsum(x: Tensor, ...a: DimDtype): Tensor {
  const { dim, dtype } = dimDtype(a);
  const dt = accDtype(x, dtype);
  const src = x.dtype === dt ? x : toDType(x, dt);
  const y = scan(src, dim, dt, "cumsum", (acc, v) => acc + v);
  const d = dimOf(x, dim);
  return record("CumsumBackward", [src], y, ([g]) => [x.dim() === 0 ? g : revCumsum(g, d)]);
}

export function cumprod(x: Tensor, ...a: DimDtype): Tensor {
  const { dim, dtype } = dimDtype(a);
  const dt = accDtype(x, dtype);
  const src = x.dtype === dt ? x : toDType(x, dt);
  const y = scan(src, dim, dt, "cumprod", (acc, v) => acc * v);
  const d = dimOf(x, dim);
  return record(
    "CumprodBackward",
    [src],
    y,
    ([g]) => {
      if (x.dim() === 0) return [g];
      if (!anyOf(eq(src, 0)).item()) return [div(revCumsum(mul(g, y), d), src)];
      return [cumprodGradWithZeros(src, g, d)];
    },
    [src, y],
  );
}
/** d/dx_i of sum_j g_j prod_{k<=j} x_k, by products that skip x_i (exact with zeros). */
function cumprodGradWithZeros(x: Tensor, g: Tensor, d: number): Tensor {
  const sx = slicesOf(x.detach(), d, "cumprod"),
    sg = slicesOf(g.detach(), d, "cumprod");
  const out = new Float64Array(sx.data.length);
  for (let k = 0; k < sx.count; k++) {
    const o = k * sx.n;
    for (let i = 0; i < sx.n; i++) {
      let total = 0,
        before = 1;
      for (let m = 0; m < i; m++) before *= sx.data[o + m];
      let after = 1;
      for (let j = i; j < sx.n; j++) {
        if (j > i) after *= sx.data[o + j];
        total += sg.data[o + j] * before * after;
      }
      out[o + i] = total;
    }
  }
  return fromSlices(x, sx, out, sx.n, x.dtype);
}

type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
function cumExtreme(x: Tensor, dimArg: number | { dim: number }, op: "cummax" | "cummin"): ValuesIndices {
  const dim = isOptions(dimArg) ? (dimArg as { dim: number }).dim : (dimArg as number);
  const s = slicesOf(x, dim, op);
  const vals = new Float64Array(s.data.length),
    idx = new Float64Array(s.data.length);
  const better = op === "cummax" ? (v: number, b: number) => v >= b : (v: number, b: number) => v <= b;
  for (let k = 0; k < s.count; k++) {
    let best = NaN,
      bi = 0;
    for (let i = 0; i < s.n; i++) {
      const v = s.data[k * s.n + i];
      if (i === 0 || (!Number.isNaN(best) && (Number.isNaN(v) || better(v, best)))) {
        best = v;
        bi = i;
      }
      vals[k * s.n + i] = best;
      idx[k * s.n + i] = bi;
    }
  }
  const values = fromSlices(x, s, vals, s.n, x.dtype),
    indices = fromSlices(x, s, idx, s.n, "int64");
  const d = s.d;
  record(op === "cummax" ? "CummaxBackward" : "CumminBackward", [x], values, ([g]) => [
    x.dim() === 0 ? g : scatterAdd(zeros(x.shape, { dtype: g.dtype }), d, indices, g),
  ]);
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}
export const cummax = (x: Tensor, dim: number | { dim: number }): ValuesIndices => cumExtreme(x, dim, "cummax");
export const cummin = (x: Tensor, dim: number | { dim: number }): ValuesIndices => cumExtreme(x, dim, "cummin");

export function logcumsumexp(x: Tensor, dimArg: number | { dim: number }): Tensor {
  const dim = isOptions(dimArg) ? (dimArg as { dim: number }).dim : (dimArg as number);
  const xf = isFloating(x.dtype) ? x : toDType(x, "float32");
  const y = scan(xf, dim, xf.dtype, "logcumsumexp", (acc, v) => {
    const m = Math.max(acc, v);
    if (m === -Infinity || (m === Infinity && acc === v)) return m;
    return m + Math.log1p(Math.exp(-Math.abs(acc - v)));
  });
  const d = dimOf(x, dim);
  // grad_i = sum over j >= i of g_j exp(x_i - y_j)
  return record("LogcumsumexpBackward", [xf], y, ([g]) => [x.dim() === 0 ? g : logcumsumexpGrad(xf, y, g, d)], [xf, y]);
}
/** grad_i = sum over j >= i of g_j exp(x_i - y_j), each term formed in the log domain (no overflow). */
function logcumsumexpGrad(x: Tensor, y: Tensor, g: Tensor, d: number): Tensor {
  const sx = slicesOf(x.detach(), d, "logcumsumexp"),
    sy = slicesOf(y.detach(), d, "logcumsumexp"),
    sg = slicesOf(g.detach(), d, "logcumsumexp");
  const out = new Float64Array(sx.data.length);
  for (let k = 0; k < sx.count; k++) {
    const o = k * sx.n;
    for (let i = 0; i < sx.n; i++) {
      let total = 0;
      for (let j = i; j < sx.n; j++)
        if (sg.data[o + j] !== 0) total += sg.data[o + j] * Math.exp(sx.data[o + i] - sy.data[o + j]);
      out[o + i] = total;
    }
  }
  return fromSlices(x, sx, out, sx.n, x.dtype);
}
