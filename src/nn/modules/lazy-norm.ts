// LazyBatchNorm1d/2d/3d and LazyInstanceNorm1d/2d/3d: numFeatures taken from the first input's
// channel dim (dim 1, or dim 0 for unbatched instance-norm input), then parameters and running
// buffers are created as the eager module's (ones / zeros; no random draws), as PyTorch's.
import type { Tensor } from "../../tensor.js";
import { ones, zeros } from "../../ops/creation.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from "./normalization.js";
import { BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from "./instancenorm.js";

/** Gives a norm module `c` features: parameters (if affine) and running buffers (if tracked). */
function materialize(
  m: Module & { affine: boolean; trackRunningStats: boolean; weight: Parameter | null; bias: Parameter | null },
  c: number,
): void {
  const dtype = (m.weight ?? m.bias)?.dtype ?? "float32";
  (m as unknown as { numFeatures: number }).numFeatures = c;
  if (m.affine) {
    m.weight = new Parameter(ones([c], { dtype }));
    m.bias = new Parameter(zeros([c], { dtype }));
  }
  if (m.trackRunningStats) {
    m.registerBuffer("running_mean", zeros([c], { dtype }));
    m.registerBuffer("running_var", ones([c], { dtype }));
  }
}

type Opts = BatchNormOptions;

export class LazyBatchNorm1d extends BatchNorm1d {
  private done = false;
  constructor(opts: Opts = {}) {
    super(0, opts);
  }
  override forward(input: Tensor): Tensor {
    if (!this.done) {
      materialize(this, input.shape[1]);
      this.done = true;
    }
    return super.forward(input);
  }
}
export class LazyBatchNorm2d extends BatchNorm2d {
  private done = false;
  constructor(opts: Opts = {}) {
    super(0, opts);
  }
  override forward(input: Tensor): Tensor {
    if (!this.done) {
      materialize(this, input.shape[1]);
      this.done = true;
    }
    return super.forward(input);
  }
}
export class LazyBatchNorm3d extends BatchNorm3d {
  private done = false;
  constructor(opts: Opts = {}) {
    super(0, opts);
  }
  override forward(input: Tensor): Tensor {
    if (!this.done) {
      materialize(this, input.shape[1]);
      this.done = true;
    }
    return super.forward(input);
  }
}

const channelDim = (input: Tensor, nd: number): number => (input.dim() === nd + 1 ? 0 : 1);
export class LazyInstanceNorm1d extends InstanceNorm1d {
  private done = false;
  constructor(...args: unknown[]) {
    super(0, ...args);
  }
  override forward(input: Tensor): Tensor {
    if (!this.done) {
      materialize(this, input.shape[channelDim(input, 1)]);
      this.done = true;
    }
    return super.forward(input);
  }
}
export class LazyInstanceNorm2d extends InstanceNorm2d {
  private done = false;
  constructor(...args: unknown[]) {
    super(0, ...args);
  }
  override forward(input: Tensor): Tensor {
    if (!this.done) {
      materialize(this, input.shape[channelDim(input, 2)]);
      this.done = true;
    }
    return super.forward(input);
  }
}
export class LazyInstanceNorm3d extends InstanceNorm3d {
  private done = false;
  constructor(...args: unknown[]) {
    super(0, ...args);
  }
  override forward(input: Tensor): Tensor {
    if (!this.done) {
      materialize(this, input.shape[channelDim(input, 3)]);
      this.done = true;
    }
    return super.forward(input);
  }
}
