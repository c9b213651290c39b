// Activation functions composed from core ops (so gradients come for free): the relu family,
// elu/celu/selu, gelu, silu, softplus, mish, the hard* approximations, prelu, softsign, logsigmoid.
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { add, div, gt, mul, sub, where, minimum, maximum } from "./binary.js";
import { abs, erf, exp, log1p, neg, relu, sigmoid, tanh } from "./unary.js";
import { reshape } from "./view.js";
import type { Tensor } from "../tensor.js";
import { scalarTensor } from "./util.js";
import { clamp } from "./clamp.js";
import { hardtanh } from "./hardtanh.js";

export { relu, sigmoid, tanh };

export const relu6 = (x: Tensor): Tensor => hardtanh(x, 0, 6);
export { hardtanh };

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

export function elu(x: Tensor, alpha = 1): Tensor {
  return where(gt(x, 0), x, mul(sub(exp(x), 1), alpha));
}

/** GELU: exact (erf) or the tanh approximation. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== "none")
    throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));
/** F.softplus: log(1 + exp(beta x)) / beta, linear above the threshold (stable form). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const bx = mul(x, beta);
  const stable = add(relu(bx), log1p(exp(neg(abs(bx)))));
  return where(gt(bx, threshold), x, div(stable, beta));
}

/** F.prelu: x if x > 0 else weight * x, weight per channel (dim 1) or a single value. */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const n = weight.numel();
  if (n !== 1 && (input.dim() < 2 || input.shape[1] !== n)) {
    throw new ShapeError(
      `prelu: mismatch of parameter numbers and input channel size: ${n} parameters for input ${fmtShape(input.shape)}`,
    );
  }
  const w =
    n === 1
      ? reshape(weight, [])
      : reshape(
          weight,
          input.shape.map((s, i) => (i === 1 ? s : 1)),
        );
  return where(gt(input, 0), input, mul(w, input));
}

export const hardsigmoid = (x: Tensor): Tensor => div(clamp(add(x, 3), 0, 6), 6);
export const hardswish = (x: Tensor): Tensor => mul(x, hardsigmoid(x));
export const mish = (x: Tensor): Tensor => mul(x, tanh(softplus(x)));
export const softsign = (x: Tensor): Tensor => div(x, add(abs(x), 1));
export const logsigmoid = (x: Tensor): Tensor => neg(softplus(neg(x)));

export function celu(x: Tensor, alpha = 1): Tensor {
  if (alpha === 0) throw new ValueError("celu: ZeroDivisionError, alpha cannot be 0");
  const zero = scalarTensor(0, x.dtype);
  return add(maximum(x, zero), minimum(zero, mul(sub(exp(div(x, alpha)), 1), alpha)));
}

// PyTorch's constants (ATen Activation.cpp), rounded to double.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
export function selu(x: Tensor): Tensor {
  return mul(where(gt(x, 0), x, mul(sub(exp(x), 1), SELU_ALPHA)), SELU_SCALE);
}
