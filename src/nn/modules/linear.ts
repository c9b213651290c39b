// Linear, Identity, Flatten, Unflatten.
import { Tensor } from "../../tensor.js";
import { zeros } from "../../ops/creation.js";
import { linear } from "../../ops/linear.js";
import { flatten, unflatten } from "../../ops/view.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { defaultLayerInit } from "../init.js";
import { type FactoryOptions, factoryDefaults, py } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

export interface LinearOptions extends FactoryOptions {
  bias?: boolean;
}

export interface LinearParams extends LinearOptions {
  inFeatures: number;
  outFeatures: number;
}
const linearArgs = signature<LinearParams>()("Linear", ["inFeatures", "outFeatures", "bias", "device", "dtype"], {
  bias: true,
  ...factoryDefaults,
});
const flattenArgs = signature<{ startDim?: number; endDim?: number }>()("Flatten", ["startDim", "endDim"], {
  startDim: 1,
  endDim: -1,
});
const unflattenArgs = signature<{ dim: number; unflattenedSize: readonly number[] }>()(
  "Unflatten",
  ["dim", "unflattenedSize"],
  {},
);

/** y = x W^T + b; W [out, in] from Kaiming-uniform(a=√5), b from U(±1/√in), as PyTorch. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(...args: ArgsOf<typeof linearArgs>) {
    super();
    const { inFeatures, outFeatures, ...o } = linearArgs.parse(args);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    // On device "meta" the parameters take no memory and initialisation draws nothing.
    const factory = { dtype: o.dtype ?? "float32", device: o.device ?? undefined };
    this.weight = new Parameter(zeros([outFeatures, inFeatures], factory));
    this.bias = o.bias ? new Parameter(zeros([outFeatures], factory)) : null;
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

/** Takes any arguments and ignores them, as torch's nn.Identity(*args, **kwargs). */
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
  constructor(...args: ArgsOf<typeof flattenArgs>) {
    super();
    const o = flattenArgs.parse(args);
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
  readonly dim: number;
  readonly unflattenedSize: readonly number[];
  constructor(...args: ArgsOf<typeof unflattenArgs>) {
    super();
    ({ dim: this.dim, unflattenedSize: this.unflattenedSize } = unflattenArgs.parse(args));
  }
  forward(input: Tensor): Tensor {
    return unflatten(input, this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${py(this.unflattenedSize)}`;
  }
}
