// Linear, Identity, Flatten, Unflatten.
import { Tensor } from "../../tensor.js";
import { zeros } from "../../ops/creation.js";
import { linear } from "../../ops/linear.js";
import { flatten, unflatten } from "../../ops/view.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { defaultLayerInit } from "../init.js";
import { type FactoryOptions, moduleArgs, py } from "./util.js";

export interface LinearOptions extends FactoryOptions {
  bias?: boolean;
}

/** y = x W^T + b; W [out, in] from Kaiming-uniform(a=√5), b from U(±1/√in), as PyTorch. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(inFeatures: number, outFeatures: number, ...rest: [] | [boolean | LinearOptions] | [boolean, LinearOptions]) {
    super();
    const o = moduleArgs<LinearOptions & Record<string, unknown>>("Linear", rest, ["bias", "dtype"], { bias: true });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype: o.dtype ?? "float32" }));
    this.bias = o.bias ? new Parameter(zeros([outFeatures], { dtype: o.dtype ?? "float32" })) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    defaultLayerInit(this.weight, this.bias);
  }
  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${py(this.bias !== null)}`;
  }
}

export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input;
  }
}

export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(...args: [] | [number | { startDim?: number; endDim?: number }] | [number, number]) {
    super();
    const o = moduleArgs<{ startDim: number; endDim: number }>("Flatten", args, ["startDim", "endDim"], { startDim: 1, endDim: -1 });
    this.startDim = o.startDim;
    this.endDim = o.endDim;
  }
  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

export class Unflatten extends Module {
  constructor(readonly dim: number, readonly unflattenedSize: readonly number[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return unflatten(input, this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${py(this.unflattenedSize)}`;
  }
}
