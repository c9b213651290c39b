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
/** Modules whose parameters exist (the first forward has run). */
const materialized = new WeakSet<Module>();
/** Creates `m`'s parameters on its first input (channels read by `channels`), then passes the input on. */
function ready(m: Parameters<typeof materialize>[0], input: Tensor, channels: (input: Tensor) => number): Tensor {
  if (!materialized.has(m)) {
    materialize(m, channels(input));
    materialized.add(m);
  }
  return input;
}
/** Batch norm's channels are dim 1; instance norm's are dim 0 for an unbatched (nd+1)-D input. */
const batchChannels = (input: Tensor): number => input.shape[1];
const instanceChannels =
  (nd: number) =>
  (input: Tensor): number =>
    input.shape[input.dim() === nd + 1 ? 0 : 1];
const instance1d = instanceChannels(1),
  instance2d = instanceChannels(2),
  instance3d = instanceChannels(3);

export class LazyBatchNorm1d extends BatchNorm1d {
  constructor(opts: Opts = {}) {
    super(0, opts);
  }
  override forward(input: Tensor): Tensor {
    return super.forward(ready(this, input, batchChannels));
  }
}
export class LazyBatchNorm2d extends BatchNorm2d {
  constructor(opts: Opts = {}) {
    super(0, opts);
  }
  override forward(input: Tensor): Tensor {
    return super.forward(ready(this, input, batchChannels));
  }
}
export class LazyBatchNorm3d extends BatchNorm3d {
  constructor(opts: Opts = {}) {
    super(0, opts);
  }
  override forward(input: Tensor): Tensor {
    return super.forward(ready(this, input, batchChannels));
  }
}
export class LazyInstanceNorm1d extends InstanceNorm1d {
  constructor(...args: unknown[]) {
    super(0, ...args);
  }
  override forward(input: Tensor): Tensor {
    return super.forward(ready(this, input, instance1d));
  }
}
export class LazyInstanceNorm2d extends InstanceNorm2d {
  constructor(...args: unknown[]) {
    super(0, ...args);
  }
  override forward(input: Tensor): Tensor {
    return super.forward(ready(this, input, instance2d));
  }
}
export class LazyInstanceNorm3d extends InstanceNorm3d {
  constructor(...args: unknown[]) {
    super(0, ...args);
  }
  override forward(input: Tensor): Tensor {
    return super.forward(ready(this, input, instance3d));
  }
}
