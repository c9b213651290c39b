// BatchNorm1d / BatchNorm2d (running statistics as buffers), LayerNorm and GroupNorm.
import type { Tensor } from "../../tensor.js";
import { ShapeError, fmtShape, ValueError } from "../../errors.js";
import { ones, zeros, tensor } from "../../ops/creation.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { batchNorm, groupNorm, layerNorm } from "../../ops/normalization.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { type FactoryOptions, factoryDefaults, factoryDType, py, pyFloat } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** null: cumulative moving average (PyTorch's momentum=None). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** BatchNorm1d / BatchNorm2d's parameters, in torch's order. */
export interface BatchNormParams extends BatchNormOptions {
  numFeatures: number;
}
const batchNormArgs = signature<BatchNormParams>()(
  "BatchNorm2d",
  ["numFeatures", "eps", "momentum", "affine", "trackRunningStats", "device", "dtype"],
  { eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true, ...factoryDefaults },
);
const batchNorm1dArgs = batchNormArgs.as("BatchNorm1d");
/** BatchNorm3d (in instancenorm.ts) parses the same parameters. */
export const batchNorm3dArgs = batchNormArgs.as("BatchNorm3d");

export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(opts: BatchNormParams) {
    super();
    const { numFeatures } = opts;
    const dtype = factoryDType(this.constructor.name, opts);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", tensor(0, { dtype: "int64" }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
  }

  // Buffers live under PyTorch's snake_case names (the stateDict keys); camelCase accessors on the
  // prototype are not own properties, so discovery does not see them twice.
  get runningMean(): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>).running_mean;
  }
  get runningVar(): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>).running_var;
  }
  get numBatchesTracked(): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>).num_batches_tracked;
  }

  protected abstract checkInputDim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    const self = this as unknown as Record<string, Tensor | null>;
    let factor = this.momentum ?? 0;
    const nbt = self.num_batches_tracked;
    if (this.training && this.trackRunningStats && nbt) {
      noGrad(() => nbt.add_(1));
      factor = this.momentum === null ? 1 / nbt.item() : this.momentum;
    }
    const useBatch = this.training || (self.running_mean === null && self.running_var === null);
    const track = !this.training || this.trackRunningStats;
    return batchNorm(
      input,
      track ? self.running_mean : null,
      track ? self.running_var : null,
      this.weight,
      this.bias,
      useBatch,
      factor,
      this.eps,
    );
  }

  resetRunningStats(): void {
    const self = this as unknown as Record<string, Tensor | null>;
    noGrad(() => {
      self.running_mean?.zero_();
      self.running_var?.fill_(1);
      self.num_batches_tracked?.zero_();
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
  }
}

/** Over [N, C] or [N, C, L]. Buffers: running_mean, running_var, num_batches_tracked (PyTorch's keys). */
export class BatchNorm1d extends BatchNormBase {
  constructor(...args: ArgsOf<typeof batchNorm1dArgs>) {
    super(batchNorm1dArgs.parse(args));
  }
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3)
      throw new ShapeError(`BatchNorm1d: expected 2D or 3D input, got ${fmtShape(input.shape)}`);
  }
}

/** Over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  constructor(...args: ArgsOf<typeof batchNormArgs>) {
    super(batchNormArgs.parse(args));
  }
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw new ShapeError(`BatchNorm2d: expected 4D input, got ${fmtShape(input.shape)}`);
  }
}

export interface LayerNormOptions extends FactoryOptions {
  eps?: number;
  elementwiseAffine?: boolean;
}

export interface LayerNormParams extends LayerNormOptions {
  normalizedShape: number | readonly number[];
}
const layerNormArgs = signature<LayerNormParams>()(
  "LayerNorm",
  ["normalizedShape", "eps", "elementwiseAffine", "device", "dtype"],
  { eps: 1e-5, elementwiseAffine: true, ...factoryDefaults },
);

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(...args: ArgsOf<typeof layerNormArgs>) {
    super();
    const { normalizedShape, ...opts } = layerNormArgs.parse(args);
    const dtype = factoryDType("LayerNorm", opts);
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }
  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${py(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${py(this.elementwiseAffine)}`;
  }
}

export interface GroupNormOptions extends FactoryOptions {
  eps?: number;
  affine?: boolean;
}
export interface GroupNormParams extends GroupNormOptions {
  numGroups: number;
  numChannels: number;
}
const groupNormArgs = signature<GroupNormParams>()(
  "GroupNorm",
  ["numGroups", "numChannels", "eps", "affine", "device", "dtype"],
  { eps: 1e-5, affine: true, ...factoryDefaults },
);

export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(...args: ArgsOf<typeof groupNormArgs>) {
    super();
    const { numGroups, numChannels, ...opts } = groupNormArgs.parse(args);
    if (numChannels % numGroups !== 0)
      throw new ValueError(`GroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    const dtype = factoryDType("GroupNorm", opts);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }
  forward(input: Tensor): Tensor {
    return groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${py(this.affine)}`;
  }
}
