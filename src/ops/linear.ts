// F.linear: x W^T + b, composed from matmul so autograd needs nothing new.
import { ShapeError, fmtShape } from "../errors.js";
import { add } from "./binary.js";
import { matmul } from "./linalg.js";
import { t } from "./view.js";
import type { Tensor } from "../tensor.js";

/** F.linear: x W^T + b. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inF = weight.shape[weight.dim() - 1];
  if (input.shape[input.dim() - 1] !== inF) {
    throw new ShapeError(
      `linear: mat1 and mat2 shapes cannot be multiplied (input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)}: expected last input dim ${inF})`,
    );
  }
  const y = matmul(input, weight.dim() === 2 ? t(weight) : weight);
  return bias ? add(y, bias) : y;
}
