// Elementwise unary math, each with its derivative next to it.
import { type DType, isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { DTypeError } from "../errors.js";
import { backend, type UnaryOp } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { wrap } from "./util.js";
import { add, div, le, mul, sub, where } from "./binary.js";
import { zerosLike } from "./creation.js";

const floating = (d: DType): DType => (isFloating(d) ? d : "float32");
const same = (d: DType): DType => d;
/** Same dtype, but bool is refused, as PyTorch refuses -mask, abs(mask) and relu(mask). */
const noBool = (op: string) => (d: DType): DType => {
  if (d === "bool") throw new DTypeError(`${op}: not supported for bool tensors (got dtype bool); use logicalNot() to invert a mask`);
  return d;
};

/** Defines a unary op: its kernel, output-dtype rule, and gradient (given g, x and the output y). */
function unaryOp(op: UnaryOp, dtypeRule: (d: DType) => DType, grad: ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | null) {
  const name = op[0].toUpperCase() + op.slice(1) + "Backward";
  return (x: Tensor): Tensor => {
    const dt = dtypeRule(x.dtype);
    const y = wrap(backend().unary(op, x, dt), x.shape, dt);
    if (grad === null) return y;
    return record(name, [x], y, ([g]) => [grad(g, x, y)], [x, y]);
  };
}

const zeroGrad = (g: Tensor): Tensor => zerosLike(g);

export const neg = unaryOp("neg", noBool("neg"), (g) => neg(g));
export const abs = unaryOp("abs", noBool("abs"), (g, x) => mul(g, sign(x)));
export const sign = unaryOp("sign", same, zeroGrad);
export const exp = unaryOp("exp", floating, (g, _x, y) => mul(g, y));
export const expm1 = unaryOp("expm1", floating, (g, _x, y) => mul(g, add(y, 1)));
export const log = unaryOp("log", floating, (g, x) => div(g, x));
export const log1p = unaryOp("log1p", floating, (g, x) => div(g, add(x, 1)));
export const log2 = unaryOp("log2", floating, (g, x) => div(g, mul(x, Math.LN2)));
export const log10 = unaryOp("log10", floating, (g, x) => div(g, mul(x, Math.LN10)));
export const sqrt = unaryOp("sqrt", floating, (g, _x, y) => div(g, mul(y, 2)));
export const rsqrt = unaryOp("rsqrt", floating, (g, _x, y) => mul(g, mul(pow3(y), -0.5)));
export const sin = unaryOp("sin", floating, (g, x) => mul(g, cos(x)));
export const cos = unaryOp("cos", floating, (g, x) => mul(g, neg(sin(x))));
export const tan = unaryOp("tan", floating, (g, _x, y) => mul(g, add(mul(y, y), 1)));
export const tanh = unaryOp("tanh", floating, (g, _x, y) => mul(g, sub(1, mul(y, y))));
export const sigmoid = unaryOp("sigmoid", floating, (g, _x, y) => mul(g, mul(y, sub(1, y))));
// threshold_backward: zero where the output is <= 0, so a NaN passes its gradient on.
export const relu = unaryOp("relu", noBool("relu"), (g, _x, y) => where(le(y, 0), 0, g));
export const floor = unaryOp("floor", same, zeroGrad);
export const ceil = unaryOp("ceil", same, zeroGrad);
export const round = unaryOp("round", same, zeroGrad);
export const trunc = unaryOp("trunc", same, zeroGrad);
export const reciprocal = unaryOp("reciprocal", floating, (g, _x, y) => mul(g, neg(mul(y, y))));
export const square = unaryOp("square", same, (g, x) => mul(g, mul(x, 2)));
export const erf = unaryOp("erf", floating, (g, x) => mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))));
export const isnan = unaryOp("isnan", () => "bool", null);
export const isinf = unaryOp("isinf", () => "bool", null);
export const isfinite = unaryOp("isfinite", () => "bool", null);
export const bitwiseNot = unaryOp("bitwiseNot", same, null);

const pow3 = (y: Tensor): Tensor => mul(mul(y, y), y);
