// Elementwise unary math: one declaration per op (value, dtype rule, gradient, what it saves).
// Adding an op is one `export const x = unaryOp("x", {...})` here plus a fixture line: the
// backends, torch.x and Tensor.prototype.x follow from it (see unary-op.ts). Gradients are
// written with Tensor methods, so this file imports no other op file (no import cycle); each
// states its return type (`: Tensor`) because those methods' types are themselves derived from
// these declarations, which TypeScript cannot infer in a circle.
import { type DType, isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { DTypeError } from "../errors.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { erf as erfFn, roundHalfEven, sigmoidFn } from "./scalar-math.js";
import { unaryOp } from "./unary-op.js";
import { wrap } from "./util.js";

const floating = (d: DType): DType => (isFloating(d) ? d : "float32");
const same = (d: DType): DType => d;
const toBool = (): DType => "bool";
/** Same dtype, but bool is refused, as PyTorch refuses -mask, abs(mask) and relu(mask). */
const noBool =
  (op: string) =>
  (d: DType): DType => {
    if (d === "bool")
      throw new DTypeError(`${op}: not supported for bool tensors (got dtype bool); use logicalNot() to invert a mask`);
    return d;
  };

type ActivationGrad = "reluBackward" | "sigmoidBackward" | "tanhBackward";
const ACTIVATION_NODE: Record<ActivationGrad, string> = {
  reluBackward: "ThresholdBackwardBackward",
  sigmoidBackward: "SigmoidBackwardBackward",
  tanhBackward: "TanhBackwardBackward",
};

/**
 * The gradient of relu / sigmoid / tanh from their output y in one kernel, as PyTorch's
 * threshold_backward, sigmoid_backward ((g * (1 - y)) * y) and tanh_backward (g * (1 - y * y));
 * differentiable itself, for gradients taken with createGraph.
 */
function activationGrad(op: ActivationGrad, g: Tensor, y: Tensor): Tensor {
  const gy = g.dtype === y.dtype ? g : g.to(y.dtype);
  const out = wrap(backend().binary(op, gy, y, y.shape, y.dtype), y.shape, y.dtype);
  return record(
    ACTIVATION_NODE[op],
    [gy, y],
    out,
    ([gg]) => {
      const dg = gy.requiresGrad ? activationGrad(op, gg, y) : null;
      if (!y.requiresGrad || op === "reluBackward") return [dg, null];
      // d/dy of g (1 - y) y is g (1 - 2y); of g (1 - y^2) it is -2 g y.
      const dy = op === "sigmoidBackward" ? gg.mul(gy).mul(y.mul(-2).add(1)) : gg.mul(gy).mul(y.mul(-2));
      return [dg, dy];
    },
    [y],
  );
}

export const neg = unaryOp("neg", { ref: (x) => -x, dtype: noBool("neg"), grad: (g): Tensor => g.neg() });
export const abs = unaryOp("abs", {
  ref: Math.abs,
  dtype: noBool("abs"),
  grad: (g, x): Tensor => g.mul(x.sign()),
  saves: "x",
});
// (0 < x) - (x < 0), as PyTorch's CPU kernel: NaN gives 0.
export const sign = unaryOp("sign", { ref: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), dtype: same, grad: "zero" });
export const exp = unaryOp("exp", { ref: Math.exp, dtype: floating, grad: (g, _x, y): Tensor => g.mul(y), saves: "y" });
export const expm1 = unaryOp("expm1", {
  ref: Math.expm1,
  dtype: floating,
  grad: (g, _x, y): Tensor => g.mul(y.add(1)),
  saves: "y",
});
export const log = unaryOp("log", { ref: Math.log, dtype: floating, grad: (g, x): Tensor => g.div(x), saves: "x" });
export const log1p = unaryOp("log1p", {
  ref: Math.log1p,
  dtype: floating,
  grad: (g, x): Tensor => g.div(x.add(1)),
  saves: "x",
});
export const log2 = unaryOp("log2", {
  ref: Math.log2,
  dtype: floating,
  grad: (g, x): Tensor => g.div(x.mul(Math.LN2)),
  saves: "x",
});
export const log10 = unaryOp("log10", {
  ref: Math.log10,
  dtype: floating,
  grad: (g, x): Tensor => g.div(x.mul(Math.LN10)),
  saves: "x",
});
export const sqrt = unaryOp("sqrt", {
  ref: Math.sqrt,
  dtype: floating,
  grad: (g, _x, y): Tensor => g.div(y.mul(2)),
  saves: "y",
});
export const rsqrt = unaryOp("rsqrt", {
  ref: (x) => 1 / Math.sqrt(x),
  dtype: floating,
  grad: (g, _x, y): Tensor => g.mul(y.mul(y).mul(y).mul(-0.5)),
  saves: "y",
});
export const sin = unaryOp("sin", {
  ref: Math.sin,
  dtype: floating,
  grad: (g, x): Tensor => g.mul(x.cos()),
  saves: "x",
});
export const cos = unaryOp("cos", {
  ref: Math.cos,
  dtype: floating,
  grad: (g, x): Tensor => g.mul(x.sin().neg()),
  saves: "x",
});
export const tan = unaryOp("tan", {
  ref: Math.tan,
  dtype: floating,
  grad: (g, _x, y): Tensor => g.mul(y.mul(y).add(1)),
  saves: "y",
});
export const tanh = unaryOp("tanh", {
  ref: Math.tanh,
  dtype: floating,
  grad: (g, _x, y): Tensor => activationGrad("tanhBackward", g, y),
  saves: "y",
});
export const sigmoid = unaryOp("sigmoid", {
  ref: sigmoidFn,
  dtype: floating,
  grad: (g, _x, y): Tensor => activationGrad("sigmoidBackward", g, y),
  saves: "y",
});
// threshold_backward: zero where the output is <= 0, so a NaN passes its gradient on.
export const relu = unaryOp("relu", {
  ref: (x) => (x > 0 ? x : x === 0 || x < 0 ? 0 : x),
  dtype: noBool("relu"),
  grad: (g, _x, y): Tensor => activationGrad("reluBackward", g, y),
  saves: "y",
});
export const floor = unaryOp("floor", { ref: Math.floor, dtype: noBool("floor"), grad: "zero" });
export const ceil = unaryOp("ceil", { ref: Math.ceil, dtype: noBool("ceil"), grad: "zero" });
export const round = unaryOp("round", { ref: roundHalfEven, dtype: noBool("round"), grad: "zero" });
export const trunc = unaryOp("trunc", { ref: Math.trunc, dtype: noBool("trunc"), grad: "zero" });
export const reciprocal = unaryOp("reciprocal", {
  ref: (x) => 1 / x,
  dtype: floating,
  grad: (g, _x, y): Tensor => g.mul(y.mul(y).neg()),
  saves: "y",
});
export const square = unaryOp("square", {
  ref: (x) => x * x,
  dtype: same,
  grad: (g, x): Tensor => g.mul(x.mul(2)),
  saves: "x",
  node: "PowBackward",
});
export const erf = unaryOp("erf", {
  ref: erfFn,
  dtype: floating,
  grad: (g, x): Tensor =>
    g.mul(
      x
        .mul(x)
        .neg()
        .exp()
        .mul(2 / Math.sqrt(Math.PI)),
    ),
  saves: "x",
});
export const isnan = unaryOp("isnan", { ref: (x) => (Number.isNaN(x) ? 1 : 0), dtype: toBool, grad: null });
export const isinf = unaryOp("isinf", {
  ref: (x) => (x === Infinity || x === -Infinity ? 1 : 0),
  dtype: toBool,
  grad: null,
});
export const isfinite = unaryOp("isfinite", { ref: (x) => (Number.isFinite(x) ? 1 : 0), dtype: toBool, grad: null });
export const logicalNot = unaryOp("logicalNot", { ref: (x) => (x === 0 ? 1 : 0), dtype: toBool, grad: null });
/** ~x: bitwise for integers, logical for bool (PyTorch's ~mask), refused for floats. */
export const bitwiseNot = unaryOp("bitwiseNot", {
  ref: (x) => ~x,
  dtype: (d) => {
    if (isFloating(d)) throw new DTypeError(`bitwise_not: not implemented for '${d}'`);
    return d;
  },
  grad: null,
  redirect: (x): Tensor | undefined => (x.dtype === "bool" ? logicalNot(x) : undefined),
});
