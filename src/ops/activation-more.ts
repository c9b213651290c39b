// The remaining activations of torch.nn.functional: threshold, hardshrink, softshrink,
// tanhshrink, glu, softmin, rrelu, composed from differentiable ops.
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { type Generator, defaultGenerator, uniform } from "../random/index.js";
import { add, gt, le, lt, mul, sub, where } from "./binary.js";
import { abs, neg, sigmoid, tanh } from "./unary.js";
import { softmax } from "./softmax.js";
import type { DType } from "../dtype.js";
import { normDim } from "../shape.js";
import { chunk } from "./join.js";
import { wrap } from "./util.js";

/** F.threshold(input, threshold, value): input where input > threshold, else value. */
export const threshold = (x: Tensor, th: number, value: number): Tensor => where(gt(x, th), x, value);
/** F.hardshrink(input, lambd = 0.5): input where |input| > lambd, else 0. */
export const hardshrink = (x: Tensor, lambd = 0.5): Tensor => where(gt(abs(x), lambd), x, 0);
/** F.softshrink(input, lambd = 0.5): input ∓ lambd outside [-lambd, lambd], else 0. */
export function softshrink(x: Tensor, lambd = 0.5): Tensor {
  if (lambd < 0) throw new ValueError(`softshrink: lambda must be greater or equal to 0, but found to be ${lambd}`);
  return where(gt(x, lambd), sub(x, lambd), where(lt(x, -lambd), add(x, lambd), mul(x, 0)));
}
export const tanhshrink = (x: Tensor): Tensor => sub(x, tanh(x));
/** F.glu(input, dim = -1): first half times sigmoid of the second half. */
export function glu(x: Tensor, dim = -1): Tensor {
  const d = normDim(dim, x.dim(), "glu");
  if (x.shape[d] % 2 !== 0)
    throw new ShapeError(
      `glu: halving dimension must be even, but dimension ${d} is size ${x.shape[d]} (input ${fmtShape(x.shape)})`,
    );
  const [a, b] = chunk(x, 2, d);
  return mul(a, sigmoid(b));
}
/** F.softmin(input, dim, dtype): softmax of -input (computed in dtype when given). */
export const softmin = (x: Tensor, dim: number, dtype?: DType | null): Tensor =>
  dtype === undefined || dtype === null ? softmax(neg(x), dim) : softmax(neg(x), dim, dtype);
/**
 * F.rrelu(input, lower = 1/8, upper = 1/3, training = false): in evaluation the negative slope is
 * (lower + upper) / 2; in training each negative element gets a slope drawn from U(lower, upper)
 * (Flint's generator: the draws are not PyTorch's, whose kernel samples only negative elements).
 */
export function rrelu(
  x: Tensor,
  lower = 1 / 8,
  upper = 1 / 3,
  training = false,
  generator: Generator = defaultGenerator,
): Tensor {
  if (!training) return where(le(x, 0), mul(x, (lower + upper) / 2), x);
  const n = x.numel();
  const slopes = x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  uniform(generator, slopes, lower, upper);
  return where(le(x, 0), mul(x, wrap(slopes, x.shape, x.dtype)), x);
}
