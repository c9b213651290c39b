// Pooling over 1, 2 or 3 spatial dims (MaxPool1d/3d, AvgPool3d, AdaptiveMaxPool1d/2d/3d,
// AdaptiveAvgPool3d, LPPool). Max pooling finds PyTorch's argmax cells in plain loops (first
// maximum in scan order, NaN wins, padding never chosen) and then gathers them, so the gradient is
// gather's; average pooling sums strided slices of the zero-padded input and divides by
// PyTorch's per-window divisor. Both are compositions, so they differentiate (twice) for free.
import { Tensor } from "../tensor.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { numelOf } from "../shape.js";
import { add, div, mul, pow } from "./binary.js";
import { abs, relu, sign } from "./unary.js";
import { gather } from "./indexing.js";
import { contiguous } from "./cast.js";
import { reshape, slice, squeeze, unsqueeze } from "./view.js";
import { pad } from "./pad.js";
import { integerViaFloat64 } from "./integer-via-float.js";
import { poolOutSize } from "./pool.js";
import { alongDim, areaWeights } from "./resample.js";
import { wrap } from "./util.js";

export type IntOrTuple = number | readonly number[];

function tuple(v: IntOrTuple, n: number, op: string, name: string): number[] {
  const t =
    typeof v === "number" ? new Array<number>(n).fill(v) : v.length === 1 ? new Array<number>(n).fill(v[0]) : [...v];
  if (t.length !== n || !t.every(Number.isInteger))
    throw new ValueError(`${op}: ${name} must be an int or a tuple of ${n} ints, got ${JSON.stringify(v)}`);
  return t;
}

/** Runs f on a batched input (adds the batch dim for unbatched input, as PyTorch). */
function batched<T extends Tensor | [Tensor, Tensor]>(op: string, x: Tensor, nd: number, f: (x: Tensor) => T): T {
  if (x.dtype !== "float32" && x.dtype !== "float64")
    throw new DTypeError(`${op}: expected a floating point input, got ${x.dtype}`);
  if (x.dim() === nd + 1) {
    const r = f(unsqueeze(x, 0));
    return (Array.isArray(r) ? [squeeze(r[0], 0), squeeze(r[1], 0)] : squeeze(r as Tensor, 0)) as T;
  }
  if (x.dim() !== nd + 2)
    throw new ShapeError(`${op}: expected ${nd + 1}-D or ${nd + 2}-D input, got ${fmtShape(x.shape)}`);
  return f(x);
}

/** Strides of a contiguous spatial block. */
const spatialStrides = (sp: readonly number[]): number[] => sp.map((_, i) => numelOf(sp.slice(i + 1)));

/** Visits every output position (as a multi-index) in row-major order. */
function forEachPos(out: readonly number[], fn: (pos: number[]) => void): void {
  const n = numelOf(out),
    pos = new Array<number>(out.length).fill(0);
  for (let i = 0; i < n; i++) {
    fn(pos);
    for (let d = out.length - 1; d >= 0; d--) {
      if (++pos[d] < out[d]) break;
      pos[d] = 0;
    }
  }
}

/**
 * The flat spatial index of each window's maximum. `windows(pos)` gives, per dim, the candidate
 * input coordinates of the window at `pos` (in scan order; out-of-range ones are skipped).
 */
export function argmaxIndices(x: Tensor, outSp: readonly number[], windows: (pos: number[]) => number[][]): Tensor {
  const [N, C] = x.shape,
    sp = x.shape.slice(2);
  const P = numelOf(sp),
    O = numelOf(outSp),
    st = spatialStrides(sp);
  const data = contiguous(x).typedArray();
  const idx = new Float64Array(N * C * O);
  const wins: number[][] = [];
  forEachPos(outSp, (pos) => {
    const w = windows(pos).map((cands, d) => cands.filter((c) => c >= 0 && c < sp[d]));
    const flat: number[] = [];
    const rec = (d: number, acc: number): void => {
      if (d === w.length) {
        flat.push(acc);
        return;
      }
      for (const c of w[d]) rec(d + 1, acc + c * st[d]);
    };
    rec(0, 0);
    wins.push(flat);
  });
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * P;
    for (let o = 0; o < O; o++) {
      const cells = wins[o];
      let best = cells[0],
        bv = data[base + best];
      for (let j = 1; j < cells.length && !Number.isNaN(bv); j++) {
        const v = data[base + cells[j]];
        if (v > bv || Number.isNaN(v)) {
          bv = v;
          best = cells[j];
        }
      }
      idx[plane * O + o] = best;
    }
  }
  return wrap(idx, [N, C, ...outSp], "int64");
}

export function gatherAt(x: Tensor, idx: Tensor): Tensor {
  const [N, C] = x.shape;
  return reshape(gather(reshape(x, [N, C, -1]), 2, reshape(idx, [N, C, -1])), idx.shape);
}

/** F.max_poolNd for nd = 1, 2, 3; [values, indices] with returnIndices. */
export function maxPoolNd(
  nd: number,
  input: Tensor,
  kernelSize: IntOrTuple,
  stride: IntOrTuple | null = null,
  padding: IntOrTuple = 0,
  dilation: IntOrTuple = 1,
  ceilMode = false,
  returnIndices = false,
): Tensor | [Tensor, Tensor] {
  const op = `max_pool${nd}d`;
  return batched<Tensor | [Tensor, Tensor]>(op, input, nd, (x) => {
    const k = tuple(kernelSize, nd, op, "kernel_size");
    const s =
      stride === null || (Array.isArray(stride) && stride.length === 0)
        ? k
        : tuple(stride as IntOrTuple, nd, op, "stride");
    const p = tuple(padding, nd, op, "padding"),
      d = tuple(dilation, nd, op, "dilation");
    if ([...k, ...s, ...d].some((v) => v <= 0))
      throw new ValueError(`${op}: kernel_size, stride and dilation must be positive`);
    if (p.some((v, i) => v < 0 || v > k[i] / 2))
      throw new ValueError(
        `${op}: pad should be at most half of effective kernel size, but got pad=${p}, kernel_size=${k}`,
      );
    const sp = x.shape.slice(2);
    const outSp = sp.map((n, i) => poolOutSize(n, k[i], p[i], s[i], d[i], ceilMode));
    if (outSp.some((v) => v <= 0))
      throw new ShapeError(
        `${op}: given input size ${fmtShape(x.shape)}, calculated output size ${fmtShape(outSp)} is too small`,
      );
    const idx = argmaxIndices(x, outSp, (pos) =>
      pos.map((o, i) => Array.from({ length: k[i] }, (_, j) => o * s[i] - p[i] + j * d[i])),
    );
    const values = gatherAt(x, idx);
    return returnIndices ? [values, idx] : values;
  });
}

/** F.adaptive_max_poolNd; [values, indices] with returnIndices. */
export function adaptiveMaxPoolNd(
  nd: number,
  input: Tensor,
  outputSize: number | readonly (number | null)[],
  returnIndices = false,
): Tensor | [Tensor, Tensor] {
  const op = `adaptive_max_pool${nd}d`;
  return batched<Tensor | [Tensor, Tensor]>(op, input, nd, (x) => {
    const sp = x.shape.slice(2);
    const os =
      typeof outputSize === "number"
        ? new Array<number>(nd).fill(outputSize)
        : outputSize.length === 1 && nd > 1
          ? new Array<number | null>(nd).fill(outputSize[0])
          : [...outputSize];
    if (os.length !== nd)
      throw new ValueError(`${op}: output_size must have ${nd} elements, got ${JSON.stringify(outputSize)}`);
    const outSp = os.map((v, i) => v ?? sp[i]);
    if (outSp.some((v) => !(v > 0)))
      throw new ValueError(`${op}: output size must be positive, got ${JSON.stringify(outputSize)}`);
    if (sp.some((v) => v <= 0))
      throw new ShapeError(`${op}: expected non-empty spatial dims, got ${fmtShape(x.shape)}`);
    const idx = argmaxIndices(x, outSp, (pos) =>
      pos.map((o, i) => {
        const a = Math.floor((o * sp[i]) / outSp[i]),
          b = Math.ceil(((o + 1) * sp[i]) / outSp[i]);
        return Array.from({ length: b - a }, (_, j) => a + j);
      }),
    );
    const values = gatherAt(x, idx);
    return returnIndices ? [values, idx] : values;
  });
}

/** F.adaptive_avg_poolNd: per dim, the average over PyTorch's adaptive windows. */
export function adaptiveAvgPoolNd(nd: number, input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const op = `adaptive_avg_pool${nd}d`;
  return batched<Tensor>(op, input, nd, (x) => {
    const sp = x.shape.slice(2);
    const os =
      typeof outputSize === "number"
        ? new Array<number>(nd).fill(outputSize)
        : outputSize.length === 1 && nd > 1
          ? new Array<number | null>(nd).fill(outputSize[0])
          : [...outputSize];
    if (os.length !== nd)
      throw new ValueError(`${op}: output_size must have ${nd} elements, got ${JSON.stringify(outputSize)}`);
    let y = x;
    for (let i = nd - 1; i >= 0; i--) {
      const o = os[i] ?? sp[i];
      if (!(o > 0)) throw new ValueError(`${op}: output size must be positive, got ${JSON.stringify(outputSize)}`);
      y = alongDim(y, i + 2, areaWeights(sp[i], o), o);
    }
    return y;
  });
}

/** F.avg_poolNd(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride). */
export function avgPoolNd(
  nd: number,
  input: Tensor,
  kernelSize: IntOrTuple,
  stride: IntOrTuple | null = null,
  padding: IntOrTuple = 0,
  ceilMode = false,
  countIncludePad = true,
  divisorOverride: number | null = null,
): Tensor {
  const op = `avg_pool${nd}d`;
  const viaFloat = integerViaFloat64(
    [input],
    (x) => avgPoolNd(nd, x as Tensor, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride),
    "trunc",
  );
  if (viaFloat) return viaFloat;
  return batched<Tensor>(op, input, nd, (x) => {
    const k = tuple(kernelSize, nd, op, "kernel_size");
    const s =
      stride === null || (Array.isArray(stride) && stride.length === 0)
        ? k
        : tuple(stride as IntOrTuple, nd, op, "stride");
    const p = tuple(padding, nd, op, "padding");
    if ([...k, ...s].some((v) => v <= 0)) throw new ValueError(`${op}: kernel_size and stride must be positive`);
    if (p.some((v, i) => v < 0 || v > k[i] / 2))
      throw new ValueError(`${op}: pad should be at most half of kernel size, but got pad=${p}, kernel_size=${k}`);
    if (divisorOverride === 0) throw new ValueError(`${op}: divisor must be not zero`);
    const sp = x.shape.slice(2);
    const outSp = sp.map((n, i) => poolOutSize(n, k[i], p[i], s[i], 1, ceilMode));
    if (outSp.some((v) => v <= 0))
      throw new ShapeError(
        `${op}: given input size ${fmtShape(x.shape)}, calculated output size ${fmtShape(outSp)} is too small`,
      );
    // Zero padding on both sides, plus what ceil mode's last window reaches past it.
    const padList: number[] = [];
    for (let i = nd - 1; i >= 0; i--) {
      const need = (outSp[i] - 1) * s[i] + k[i],
        have = sp[i] + 2 * p[i];
      padList.push(p[i], p[i] + Math.max(0, need - have));
    }
    const xp = pad(x, padList);
    let total: Tensor | null = null;
    forEachPos(k, (off) => {
      let v = xp;
      off.forEach((o, i) => {
        v = slice(v, i + 2, o, o + (outSp[i] - 1) * s[i] + 1, s[i]);
      });
      total = total === null ? v : add(total, v);
    });
    const divisor = new Float64Array(numelOf(outSp));
    let j = 0;
    forEachPos(outSp, (pos) => {
      let full = 1,
        clipped = 1;
      pos.forEach((o, i) => {
        let a = o * s[i] - p[i],
          b = Math.min(a + k[i], sp[i] + p[i]);
        full *= b - a;
        a = Math.max(a, 0);
        b = Math.min(b, sp[i]);
        clipped *= b - a;
      });
      divisor[j++] = divisorOverride ?? (countIncludePad ? full : clipped);
    });
    const dv = wrap(x.dtype === "float32" ? Float32Array.from(divisor) : divisor, outSp, x.dtype);
    return div(total as unknown as Tensor, dv);
  });
}

/** F.lp_poolNd: (sum over the window of x^p)^(1/p), as PyTorch composes it from avg pooling. */
export function lpPoolNd(
  nd: number,
  input: Tensor,
  normType: number,
  kernelSize: IntOrTuple,
  stride: IntOrTuple | null = null,
  ceilMode = false,
): Tensor {
  const k = tuple(kernelSize, nd, `lp_pool${nd}d`, "kernel_size");
  const out = avgPoolNd(nd, pow(input, normType), kernelSize, stride, 0, ceilMode);
  return pow(mul(mul(sign(out), relu(abs(out))), numelOf(k)), 1 / normType);
}
