// Elementwise unary math, each with its derivative next to it.
import { type DType, isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { DTypeError } from "../errors.js";
import { backend, type UnaryOp } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { wrap } from "./util.js";
import { add, div, mul, sub } from "./binary.js";
import { zerosLike } from "./creation.js";

const floating = (d: DType): DType => (isFloating(d) ? d : "float32");
const same = (d: DType): DType => d;
/** Same dtype, but bool is refused, as PyTorch refuses -mask, abs(mask) and relu(mask). */
const noBool = (op: string) => (d: DType): DType => {
  if (d === "bool") throw new DTypeError(`${op}: not supported for bool tensors (got dtype bool); use logicalNot() to invert a mask`);
  return d;
};

/** Defines a unary op: its kernel, output-dtype rule, and gradient (given g, x and the output y). */
/**
 * `saves` names what the gradient reads — the input "x", the output "y", or nothing — so that
 * an in-place change of exactly those (and nothing else) is an error, as in PyTorch.
 */
function unaryOp(op: UnaryOp, dtypeRule: (d: DType) => DType, grad: ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | null, saves: "x" | "y" | "" = "") {
  // (square is pow(x, 2) in PyTorch)
  const name = op === "square" ? "PowBackward" : op[0].toUpperCase() + op.slice(1) + "Backward";
  return (x: Tensor): Tensor => {
    const dt = dtypeRule(x.dtype);
    const y = wrap(backend().unary(op, x, dt), x.shape, dt);
    if (grad === null) return y;
    return record(name, [x], y, ([g]) => [grad(g, x, y)], saves === "x" ? [x] : saves === "y" ? [y] : []);
  };
}

const zeroGrad = (g: Tensor): Tensor => zerosLike(g);

type ActivationGrad = "reluBackward" | "sigmoidBackward" | "tanhBackward";
const ACTIVATION_NODE: Record<ActivationGrad, string> = { reluBackward: "ThresholdBackwardBackward", sigmoidBackward: "SigmoidBackwardBackward", tanhBackward: "TanhBackwardBackward" };

/**
 * The gradient of relu / sigmoid / tanh from their output y in one kernel, as PyTorch's
 * threshold_backward, sigmoid_backward ((g * (1 - y)) * y) and tanh_backward (g * (1 - y * y));
 * differentiable itself, for gradients taken with createGraph.
 */
function activationGrad(op: ActivationGrad, g: Tensor, y: Tensor): Tensor {
  const gy = g.dtype === y.dtype ? g : g.to(y.dtype);
  const out = wrap(backend().binary(op, gy, y, y.shape, y.dtype), y.shape, y.dtype);
  return record(ACTIVATION_NODE[op], [gy, y], out, ([gg]) => {
    const dg = gy.requiresGrad ? activationGrad(op, gg, y) : null;
    if (!y.requiresGrad || op === "reluBackward") return [dg, null];
    // d/dy of g (1 - y) y is g (1 - 2y); of g (1 - y^2) it is -2 g y.
    const dy = op === "sigmoidBackward" ? mul(mul(gg, gy), sub(1, mul(y, 2))) : mul(mul(gg, gy), mul(y, -2));
    return [dg, dy];
  }, [y]);
}

export const neg = unaryOp("neg", noBool("neg"), (g) => neg(g));
export const abs = unaryOp("abs", noBool("abs"), (g, x) => mul(g, sign(x)), "x");
export const sign = unaryOp("sign", same, zeroGrad);
export const exp = unaryOp("exp", floating, (g, _x, y) => mul(g, y), "y");
export const expm1 = unaryOp("expm1", floating, (g, _x, y) => mul(g, add(y, 1)), "y");
export const log = unaryOp("log", floating, (g, x) => div(g, x), "x");
export const log1p = unaryOp("log1p", floating, (g, x) => div(g, add(x, 1)), "x");
export const log2 = unaryOp("log2", floating, (g, x) => div(g, mul(x, Math.LN2)), "x");
export const log10 = unaryOp("log10", floating, (g, x) => div(g, mul(x, Math.LN10)), "x");
export const sqrt = unaryOp("sqrt", floating, (g, _x, y) => div(g, mul(y, 2)), "y");
export const rsqrt = unaryOp("rsqrt", floating, (g, _x, y) => mul(g, mul(pow3(y), -0.5)), "y");
export const sin = unaryOp("sin", floating, (g, x) => mul(g, cos(x)), "x");
export const cos = unaryOp("cos", floating, (g, x) => mul(g, neg(sin(x))), "x");
export const tan = unaryOp("tan", floating, (g, _x, y) => mul(g, add(mul(y, y), 1)), "y");
export const tanh = unaryOp("tanh", floating, (g, _x, y) => activationGrad("tanhBackward", g, y), "y");
export const sigmoid = unaryOp("sigmoid", floating, (g, _x, y) => activationGrad("sigmoidBackward", g, y), "y");
// threshold_backward: zero where the output is <= 0, so a NaN passes its gradient on.
export const relu = unaryOp("relu", noBool("relu"), (g, _x, y) => activationGrad("reluBackward", g, y), "y");
export const floor = unaryOp("floor", noBool("floor"), zeroGrad);
export const ceil = unaryOp("ceil", noBool("ceil"), zeroGrad);
export const round = unaryOp("round", noBool("round"), zeroGrad);
export const trunc = unaryOp("trunc", noBool("trunc"), zeroGrad);
export const reciprocal = unaryOp("reciprocal", floating, (g, _x, y) => mul(g, neg(mul(y, y))), "y");
export const square = unaryOp("square", same, (g, x) => mul(g, mul(x, 2)), "x");
export const erf = unaryOp("erf", floating, (g, x) => mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))), "x");
export const isnan = unaryOp("isnan", () => "bool", null);
export const isinf = unaryOp("isinf", () => "bool", null);
export const isfinite = unaryOp("isfinite", () => "bool", null);
const bitwiseNotInt = unaryOp("bitwiseNot", same, null);
const logicalNotBool = unaryOp("logicalNot", () => "bool", null);
/** ~x: bitwise for integers, logical for bool (PyTorch's ~mask), refused for floats. */
export const bitwiseNot = (x: Tensor): Tensor => {
  if (isFloating(x.dtype)) throw new DTypeError(`bitwise_not: not implemented for '${x.dtype}'`);
  return x.dtype === "bool" ? logicalNotBool(x) : bitwiseNotInt(x);
};

const pow3 = (y: Tensor): Tensor => mul(mul(y, y), y);
