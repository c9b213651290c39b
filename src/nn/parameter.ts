// nn.Parameter: a Tensor that a Module registers as a learnable parameter. It shares the data's
// storage (no copy), is a leaf, and requires grad by default.
import { Tensor } from "../tensor.js";
import { formatTensor } from "../format.js";
import { zeros } from "../ops/creation.js";

export class Parameter extends Tensor {
  constructor(data: Tensor = zeros(0), requiresGrad = true) {
    super(data.storage, [...data.shape], [...data.strides], data.offset, data.dtype);
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${formatTensor(this)}`;
  }
}

/** Whether a value is a registered-parameter kind of tensor. */
export const isParameter = (x: unknown): x is Parameter => x instanceof Parameter;
