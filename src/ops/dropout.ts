// F.dropout and F.dropout2d: masks drawn from Flint's PyTorch-exact generator.
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { defaultGenerator, dropoutMask } from "../random/index.js";
import type { Generator } from "../random/index.js";
import { mul } from "./binary.js";
import { wrap } from "./util.js";
import type { Tensor } from "../tensor.js";

/** F.dropout: in training, zeroes elements with probability p and scales the rest by 1/(1-p). */
export function dropout(input: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return mul(input, 0);
  if (input.dtype !== "float32" && input.dtype !== "float64")
    throw new DTypeError(`dropout: expected a floating point input, got ${input.dtype}`);
  const n = input.numel();
  const arr = input.dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  dropoutMask(generator, arr, p);
  return mul(input, wrap(arr, input.shape, input.dtype));
}

/** F.dropout2d (feature dropout): whole channels zeroed, one draw per (sample, channel). */
export function dropout2d(input: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1))
    throw new ValueError(`dropout2d: dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return mul(input, 0);
  if (input.dtype !== "float32" && input.dtype !== "float64")
    throw new DTypeError(`dropout2d: expected a floating point input, got ${input.dtype}`);
  // PyTorch 1.13's feature_dropout: one draw per (dim 0, dim 1) pair; a 3-D input is (N, C, L).
  if (input.dim() < 2)
    throw new ShapeError(`dropout2d: expected an input with a channel dimension, got ${fmtShape(input.shape)}`);
  const shape = input.shape.map((s, i) => (i < 2 ? s : 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const arr = input.dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  dropoutMask(generator, arr, p);
  return mul(input, wrap(arr, shape, input.dtype));
}
