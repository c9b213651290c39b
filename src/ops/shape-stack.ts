// Stacks and splits along a dim (torch.atleast_*d, hstack/vstack/dstack/column_stack, tensor_split,
// hsplit/vsplit/dsplit): views and cat, differentiable on every backend.
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError } from "../errors.js";
import { normDim } from "../shape.js";
import { isTensor } from "./util.js";
import { reshape, slice } from "./view.js";
import { cat, split } from "./join.js";

function atleast(n: number, x: Tensor): Tensor {
  if (x.dim() >= n) return x;
  if (n === 1) return reshape(x, [1]);
  if (n === 2) return reshape(x, x.dim() === 0 ? [1, 1] : [1, x.shape[0]]);
  return reshape(x, x.dim() === 0 ? [1, 1, 1] : x.dim() === 1 ? [1, x.shape[0], 1] : [...x.shape, 1]);
}
type OneOrMany = Tensor | readonly Tensor[];
const atleastAll = (n: number, args: OneOrMany[]): Tensor | Tensor[] => {
  if (args.length === 1 && isTensor(args[0])) return atleast(n, args[0]);
  const ts = (args.length === 1 ? args[0] : args) as Tensor[];
  return ts.map((t) => atleast(n, t));
};
export const atleast1d = (...ts: OneOrMany[]): Tensor | Tensor[] => atleastAll(1, ts);
export const atleast2d = (...ts: OneOrMany[]): Tensor | Tensor[] => atleastAll(2, ts);
export const atleast3d = (...ts: OneOrMany[]): Tensor | Tensor[] => atleastAll(3, ts);
export function hstack(ts: readonly Tensor[]): Tensor {
  const a = ts.map((t) => atleast(1, t));
  return cat(a, a[0].dim() === 1 ? 0 : 1);
}
export const vstack = (ts: readonly Tensor[]): Tensor =>
  cat(
    ts.map((t) => atleast(2, t)),
    0,
  );
export const dstack = (ts: readonly Tensor[]): Tensor =>
  cat(
    ts.map((t) => atleast(3, t)),
    2,
  );
export const columnStack = (ts: readonly Tensor[]): Tensor =>
  cat(
    ts.map((t) => (t.dim() <= 1 ? reshape(t, [-1, 1]) : t)),
    1,
  );

export const splitWithSizes = (x: Tensor, sizes: readonly number[], dim: number | { dim?: number } = 0): Tensor[] =>
  split(x, sizes, dim);

export function tensorSplit(
  x: Tensor,
  sections: number | readonly number[] | Tensor,
  dim: number | { dim?: number } = 0,
): Tensor[] {
  const d = normDim(typeof dim === "object" ? (dim.dim ?? 0) : dim, x.dim(), "tensor_split");
  let spec: number | number[] = isTensor(sections)
    ? sections.dim() === 0
      ? Number(sections.item())
      : Array.from(sections.typedArray(), Number)
    : typeof sections === "number"
      ? sections
      : [...sections];
  const n = x.shape[d];
  if (typeof spec === "number") {
    if (spec <= 0) throw new ValueError(`tensor_split: number of sections must be larger than 0, got ${spec}`);
    const base = Math.floor(n / spec),
      extra = n % spec;
    const bounds: number[] = [];
    let at = 0;
    for (let i = 0; i < spec - 1; i++) {
      at += base + (i < extra ? 1 : 0);
      bounds.push(at);
    }
    spec = bounds;
  }
  const out: Tensor[] = [];
  let prev = 0;
  for (const b of [...spec, n]) {
    const s = Math.min(Math.max(prev, 0), n),
      e = Math.min(Math.max(b, s), n);
    out.push(slice(x, d, s, e));
    prev = b;
  }
  return out;
}
function splitAlong(op: string, x: Tensor, sections: number | readonly number[], dim: number): Tensor[] {
  if (typeof sections === "number" && x.shape[dim] % sections !== 0) {
    throw new ValueError(
      `${op}: ${op} attempted to split along dimension ${dim}, but the size of the dimension ${x.shape[dim]} is not divisible by the split_size ${sections}!`,
    );
  }
  return tensorSplit(x, sections, dim);
}
export function hsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  if (x.dim() < 1)
    throw new ShapeError(
      "torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!",
    );
  return splitAlong("torch.hsplit", x, sections, x.dim() === 1 ? 0 : 1);
}
export function vsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  if (x.dim() < 2)
    throw new ShapeError(
      `torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with ${x.dim()} dimensions!`,
    );
  return splitAlong("torch.vsplit", x, sections, 0);
}
export function dsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  if (x.dim() < 3)
    throw new ShapeError(
      `torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with ${x.dim()} dimensions!`,
    );
  return splitAlong("torch.dsplit", x, sections, 2);
}
