// The gradcheck table of test/autograd.test.ts: every differentiable op with float64 inputs
// (contiguous, transposed, strided, broadcast), kept away from kinks and domain edges.
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

// A small deterministic generator, so inputs do not depend on the RNG ops.
let seed = 12345;
export const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
/** A float64 leaf with values in [lo, hi), kept away from 0 and from each other when `spread`. */
export function leaf(
  shape: number[],
  { lo = -2, hi = 2, layout = "c" }: { lo?: number; hi?: number; layout?: "c" | "T" | "s" } = {},
): Tensor {
  const base =
    layout === "T"
      ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]]
      : layout === "s"
        ? [...shape.slice(0, -1), shape[shape.length - 1] * 2]
        : shape;
  const n = base.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, () => {
    let v = lo + (hi - lo) * rnd();
    if (Math.abs(v) < 0.1) v += v < 0 ? -0.2 : 0.2; // away from kinks at 0
    return v;
  });
  let x = torch.tensor(vals, { dtype: torch.float64 }).reshape(base);
  if (layout === "T") x = x.transpose(-1, -2);
  if (layout === "s") x = x.slice(-1, 0, undefined, 2);
  return x.detach().requiresGrad_();
}
const pos = (shape: number[], layout: "c" | "T" | "s" = "c") => leaf(shape, { lo: 0.3, hi: 2, layout });
const idx = (values: number[][] | number[]) => torch.tensor(values, { dtype: torch.int64 });

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];
export interface GC {
  name: string;
  fn: Fn;
  inputs: () => Tensor[];
}

/** Every differentiable op, on broadcast and non-contiguous inputs where it has them. */
export const cases: GC[] = [];
const gc = (name: string, fn: Fn, inputs: () => Tensor[]) => cases.push({ name, fn, inputs });

// unary
const UNARY: [string, (x: Tensor) => Tensor, "any" | "pos"][] = [
  ["neg", (x) => x.neg(), "any"],
  ["abs", (x) => x.abs(), "any"],
  ["sign", (x) => x.sign(), "any"],
  ["exp", (x) => x.exp(), "any"],
  ["expm1", (x) => x.expm1(), "any"],
  ["log", (x) => x.log(), "pos"],
  ["log1p", (x) => x.log1p(), "pos"],
  ["log2", (x) => x.log2(), "pos"],
  ["log10", (x) => x.log10(), "pos"],
  ["sqrt", (x) => x.sqrt(), "pos"],
  ["rsqrt", (x) => x.rsqrt(), "pos"],
  ["sin", (x) => x.sin(), "any"],
  ["cos", (x) => x.cos(), "any"],
  ["tan", (x) => x.mul(0.5).tan(), "any"],
  ["tanh", (x) => x.tanh(), "any"],
  ["sigmoid", (x) => x.sigmoid(), "any"],
  ["relu", (x) => x.relu(), "any"],
  ["reciprocal", (x) => x.reciprocal(), "pos"],
  ["square", (x) => x.square(), "any"],
  ["erf", (x) => x.erf(), "any"],
  ["floor", (x) => x.add(0.5).floor(), "pos"],
  ["ceil", (x) => x.add(0.5).ceil(), "pos"],
  ["round", (x) => x.add(0.25).round(), "pos"],
  ["trunc", (x) => x.add(0.5).trunc(), "pos"],
  ["torch.neg", (x) => torch.neg(x), "any"],
  ["torch.sigmoid", (x) => torch.sigmoid(x), "any"],
];
for (const [name, f, dom] of UNARY) {
  gc(`${name} contiguous`, f, () => [dom === "pos" ? pos([2, 3]) : leaf([2, 3])]);
  gc(`${name} transposed`, f, () => [dom === "pos" ? pos([3, 2], "T") : leaf([3, 2], { layout: "T" })]);
}

// binary, with broadcasting and non-contiguous operands
const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, "any" | "pos"][] = [
  ["add", (a, b) => a.add(b), "any"],
  ["add alpha", (a, b) => torch.add(a, b, { alpha: 2.5 }), "any"],
  ["sub", (a, b) => a.sub(b), "any"],
  ["sub alpha", (a, b) => a.sub(b, -1.5), "any"],
  ["mul", (a, b) => a.mul(b), "any"],
  ["div", (a, b) => a.div(b), "pos"],
  ["pow", (a, b) => a.pow(b), "pos"],
  ["maximum", (a, b) => torch.maximum(a, b), "any"],
  ["minimum", (a, b) => torch.minimum(a, b), "any"],
  ["atan2", (a, b) => torch.atan2(a, b), "pos"],
  ["remainder", (a, b) => a.mul(3).remainder(b), "pos"],
  ["fmod", (a, b) => a.mul(3).fmod(b), "pos"],
  ["matmul-as-binary max", (a, b) => a.max(b), "any"],
];
for (const [name, f, dom] of BINARY) {
  const mk = (s: number[], l: "c" | "T" | "s" = "c") => (dom === "pos" ? pos(s, l) : leaf(s, { layout: l }));
  gc(`${name} same shape`, f, () => [mk([2, 3]), mk([2, 3])]);
  gc(`${name} broadcast`, f, () => [mk([3, 1]), mk([1, 4])]);
  gc(`${name} broadcast rank`, f, () => [mk([2, 2, 3]), mk([3])]);
  gc(`${name} non-contiguous`, f, () => [mk([3, 2], "T"), mk([3, 2], "s")]);
}
gc(
  "add scalar",
  (a) => a.add(1.5),
  () => [leaf([4])],
);
gc(
  "rsub scalar first",
  (a) => torch.sub(2, a),
  () => [leaf([4])],
);
gc(
  "mul scalar",
  (a) => a.mul(-3),
  () => [leaf([4])],
);
gc(
  "div scalar first",
  (a) => torch.div(2, a),
  () => [pos([4])],
);
gc(
  "pow scalar exponent",
  (a) => a.pow(2.5),
  () => [pos([4])],
);
gc(
  "pow scalar base",
  (a) => torch.pow(1.7, a),
  () => [leaf([4])],
);
gc(
  "where",
  (a, b) =>
    torch.where(
      torch.tensor([
        [true, false, true],
        [false, false, true],
      ]),
      a,
      b,
    ),
  () => [leaf([2, 3]), leaf([3], { layout: "s" })],
);
gc(
  "where scalar",
  (a) => torch.where(torch.tensor([true, false, true]), a, 0.5),
  () => [leaf([3])],
);
gc(
  "clamp",
  (a) => a.clamp(-1, 1),
  () => [leaf([3, 4], { lo: -3, hi: 3 })],
);
gc(
  "clamp min only",
  (a) => torch.clamp(a, { min: 0.5 }),
  () => [leaf([3, 4], { layout: "T" })],
);

// reductions
const REDUCE: [string, (x: Tensor) => Tensor | Tensor[]][] = [
  ["sum", (x) => x.sum()],
  ["sum dim", (x) => x.sum(1)],
  ["sum dims keepdim", (x) => x.sum([0, 2], true)],
  ["mean", (x) => x.mean()],
  ["mean dim", (x) => x.mean(-1, true)],
  ["prod", (x) => x.prod()],
  ["prod dim", (x) => x.prod(1)],
  ["amax", (x) => x.amax(1)],
  ["amin", (x) => x.amin([0, 1])],
  ["max", (x) => x.max()],
  ["min", (x) => x.min()],
  ["max dim", (x) => x.max(1).values],
  ["min dim keepdim", (x) => x.min(0, true).values],
  ["var", (x) => x.var()],
  ["var dim", (x) => x.var(1)],
  ["var unbiased false", (x) => x.var(1, false)],
  ["std", (x) => x.std()],
  ["std dim", (x) => x.std(2, true)],
  ["logsumexp", (x) => x.logsumexp(1)],
  ["logsumexp dims", (x) => torch.logsumexp(x, [0, 2])],
  ["softmax", (x) => x.softmax(1)],
  ["logSoftmax", (x) => torch.logSoftmax(x, -1)],
  ["softmax dim0", (x) => x.softmax(0)],
];
for (const [name, f] of REDUCE) {
  gc(`${name}`, f, () => [leaf([2, 3, 2])]);
  gc(`${name} non-contiguous`, f, () => [leaf([2, 3, 2], { layout: "s" })]);
}
gc(
  "prod with a zero",
  (x) => x.prod(),
  () => [torch.tensor([1.5, 0, -2], { dtype: torch.float64, requiresGrad: true })],
);
gc(
  "prod dim with a zero",
  (x) => x.prod(1),
  () => [
    torch.tensor(
      [
        [1.5, 0, -2],
        [0.5, 3, 1.25],
      ],
      { dtype: torch.float64, requiresGrad: true },
    ),
  ],
);

// linear algebra
gc(
  "matmul 2d",
  (a, b) => a.matmul(b),
  () => [leaf([2, 3]), leaf([3, 4], { layout: "T" })],
);
gc(
  "matmul 1d·1d",
  (a, b) => torch.matmul(a, b),
  () => [leaf([3]), leaf([3])],
);
gc(
  "matmul 1d·2d",
  (a, b) => torch.matmul(a, b),
  () => [leaf([3]), leaf([3, 2])],
);
gc(
  "matmul 2d·1d",
  (a, b) => torch.matmul(a, b),
  () => [leaf([2, 3]), leaf([3], { layout: "s" })],
);
gc(
  "matmul batch broadcast",
  (a, b) => a.matmul(b),
  () => [leaf([2, 1, 2, 3]), leaf([3, 3, 2])],
);
gc(
  "matmul 3d·1d",
  (a, b) => a.matmul(b),
  () => [leaf([2, 2, 3]), leaf([3])],
);
gc(
  "mm",
  (a, b) => torch.mm(a, b),
  () => [leaf([2, 3], { layout: "T" }), leaf([3, 2])],
);
gc(
  "bmm",
  (a, b) => a.bmm(b),
  () => [leaf([2, 2, 3]), leaf([2, 3, 2], { layout: "s" })],
);
gc(
  "dot",
  (a, b) => a.dot(b),
  () => [leaf([4]), leaf([4])],
);
gc(
  "mv",
  (a, b) => a.mv(b),
  () => [leaf([2, 3]), leaf([3])],
);
gc(
  "outer",
  (a, b) => torch.outer(a, b),
  () => [leaf([2]), leaf([3])],
);

// views and joins
const VIEWS: [string, (x: Tensor) => Tensor | Tensor[]][] = [
  ["reshape", (x) => x.reshape(3, 4)],
  ["view -1", (x) => x.contiguous().view(-1)],
  ["flatten", (x) => x.flatten()],
  ["unflatten", (x) => x.unflatten(1, [2, 2])],
  ["permute", (x) => x.permute(1, 0)],
  ["transpose", (x) => x.transpose(0, 1)],
  ["t", (x) => x.t()],
  ["T", (x) => x.T],
  ["unsqueeze", (x) => x.unsqueeze(1)],
  ["squeeze", (x) => x.unsqueeze(0).squeeze()],
  ["expand", (x) => x.unsqueeze(0).expand(2, 3, 4)],
  ["narrow", (x) => x.narrow(1, 1, 2)],
  ["select", (x) => x.select(1, -1)],
  ["slice", (x) => x.slice(1, 0, 4, 2)],
  ["index", (x) => x.index("1:", [0, 3, 3])],
  ["index ellipsis", (x) => x.index("...", null, 1)],
  ["contiguous", (x) => x.contiguous()],
  ["clone", (x) => x.clone()],
  ["to float64 copy", (x) => x.to({ dtype: torch.float64, copy: true })],
  ["split", (x) => x.split(3, 1)],
  ["split sizes", (x) => x.split([1, 3], 1)],
  ["chunk", (x) => x.chunk(2, 0)],
  ["unbind", (x) => x.unbind(1)],
  [
    "gather",
    (x) =>
      x.gather(
        1,
        idx([
          [0, 3],
          [1, 1],
          [2, 0],
        ]),
      ),
  ],
  ["indexSelect", (x) => x.indexSelect(1, idx([3, 0, 3]))],
  ["maskedFill", (x) => x.maskedFill(torch.tensor([true, false, false, true]), -1)],
  ["maskedSelect", (x) => x.maskedSelect(torch.tensor([[true, false, false, true]]))],
  [
    "scatter",
    (x) =>
      torch.zeros(3, 5, { dtype: torch.float64 }).scatter(
        1,
        idx([
          [0, 1, 2, 3],
          [4, 3, 2, 1],
          [1, 2, 3, 4],
        ]),
        x,
      ),
  ],
  [
    "scatterAdd",
    (x) =>
      torch.zeros(3, 2, { dtype: torch.float64 }).scatterAdd(
        1,
        idx([
          [0, 1, 1, 0],
          [1, 1, 1, 1],
          [0, 0, 1, 0],
        ]),
        x,
      ),
  ],
];
for (const [name, f] of VIEWS) {
  gc(name, f, () => [leaf([3, 4])]);
  gc(`${name} non-contiguous`, f, () => [leaf([3, 4], { layout: "T" })]);
}
gc(
  "cat",
  (a, b) => torch.cat([a, b], 1),
  () => [leaf([2, 3]), leaf([2, 2], { layout: "T" })],
);
gc(
  "stack",
  (a, b) => torch.stack([a, b], -1),
  () => [leaf([2, 3]), leaf([2, 3], { layout: "s" })],
);
gc(
  "scatter into self",
  (x, s) => x.scatter(0, idx([[2, 0, 1]]), s),
  () => [leaf([3, 3]), leaf([1, 3])],
);
gc(
  "maskedFill tensor value",
  (x, v) => x.maskedFill(torch.tensor([[true], [false]]), v),
  () => [leaf([2, 3]), torch.tensor(0.5, { dtype: torch.float64, requiresGrad: true })],
);

// in-place forms, on a non-leaf copy
const INPLACE: [string, (y: Tensor, o: Tensor) => Tensor][] = [
  ["add_", (y, o) => y.add_(o)],
  ["add_ alpha", (y, o) => y.add_(o, { alpha: 2 })],
  ["sub_", (y, o) => y.sub_(o)],
  ["mul_", (y, o) => y.mul_(o)],
  ["div_", (y, o) => y.div_(o.abs().add(0.5))],
  ["pow_", (y) => y.abs().pow_(1.5)],
  ["clamp_", (y) => y.clamp_(-0.5, 0.5)],
  ["copy_", (y, o) => y.copy_(o)],
  ["fill_ then add", (y, o) => y.fill_(2).add(o)],
  ["zero_ then mul", (y, o) => y.zero_().add_(o.mul(y.detach().add(1)))],
  ["maskedFill_", (y) => y.maskedFill_(torch.tensor([true, false, true]), 0)],
  ["addcmul_", (y, o) => y.addcmul_(o, o, { value: 0.5 })],
  ["addcdiv_", (y, o) => y.addcdiv_(o, o.abs().add(1), 2)],
  ["lerp_", (y, o) => y.lerp_(o, 0.25)],
];
for (const [name, f] of INPLACE) {
  gc(
    name,
    (x, o) => f(x.mul(1), o),
    () => [leaf([2, 3]), leaf([3])],
  );
}

// custom Function
class Cube extends torch.autograd.Function {
  static override forward(ctx: torch.autograd.FunctionCtx, x: Tensor): Tensor {
    ctx.saveForBackward(x);
    return x.mul(x).mul(x);
  }
  static override backward(ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return g.mul(x.mul(x).mul(3));
  }
}
gc(
  "custom Function",
  (x) => Cube.apply(x) as Tensor,
  () => [leaf([2, 2])],
);
