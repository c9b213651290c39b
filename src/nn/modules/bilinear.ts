// nn.Bilinear: y = x1ᵀ A x2 + b, A [out, in1, in2], initialised U(±1/√in1) as PyTorch.
import type { Tensor } from "../../tensor.js";
import { ShapeError, fmtShape } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { add, mul } from "../../ops/binary.js";
import { matmul } from "../../ops/linalg.js";
import { sum } from "../../ops/reduce.js";
import { squeeze, unsqueeze } from "../../ops/view.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { uniform_ } from "../init.js";
import { type FactoryOptions, moduleArgs } from "./util.js";

/** F.bilinear(input1 [*, in1], input2 [*, in2], weight [out, in1, in2], bias [out]). */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const [, in1, in2] = weight.shape;
  if (x1.shape[x1.dim() - 1] !== in1 || x2.shape[x2.dim() - 1] !== in2) {
    throw new ShapeError(
      `bilinear: input1 ${fmtShape(x1.shape)} and input2 ${fmtShape(x2.shape)} do not match weight ${fmtShape(weight.shape)}`,
    );
  }
  // [*, 1, 1, in1] @ [out, in1, in2] → [*, out, 1, in2]; times x2 and summed over in2.
  const t = squeeze(matmul(unsqueeze(unsqueeze(x1, -2), -3), weight), -2);
  const y = sum(mul(t, unsqueeze(x2, -2)), -1);
  return bias ? add(y, bias) : y;
}

/** nn.Bilinear(in1Features, in2Features, outFeatures, bias = true). */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(in1Features: number, in2Features: number, outFeatures: number, ...args: unknown[]) {
    super();
    const o = moduleArgs<{ bias: boolean } & FactoryOptions & Record<string, unknown>>(
      "Bilinear",
      args,
      ["bias", "dtype"],
      { bias: true },
    );
    [this.in1Features, this.in2Features, this.outFeatures] = [in1Features, in2Features, outFeatures];
    const dtype = o.dtype ?? "float32";
    this.weight = new Parameter(zeros([outFeatures, in1Features, in2Features], { dtype }));
    this.bias = o.bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }
  forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}
