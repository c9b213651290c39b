// InstanceNorm1d/2d/3d, LocalResponseNorm and BatchNorm3d.
import type { Tensor } from "../../tensor.js";
import { ShapeError, fmtShape } from "../../errors.js";
import { ones, tensor, zeros } from "../../ops/creation.js";
import { instanceNorm, localResponseNorm } from "../../ops/norm-distance.js";
import { squeeze, unsqueeze } from "../../ops/view.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { BatchNormBase, batchNorm3dArgs } from "./normalization.js";
import type { ArgsOf } from "../../internal/args.js";
import { type FactoryOptions, moduleArgs, py, pyFloat } from "./util.js";

/** Over [N, C, D, H, W]. */
export class BatchNorm3d extends BatchNormBase {
  constructor(...args: ArgsOf<typeof batchNorm3dArgs>) {
    super(batchNorm3dArgs.parse(args));
  }
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 5) throw new ShapeError(`BatchNorm3d: expected 5D input, got ${fmtShape(input.shape)}`);
  }
}

export interface InstanceNormOptions extends FactoryOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

export abstract class InstanceNormNd extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  protected abstract readonly nd: number;

  /** (numFeatures, eps = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false, { dtype }). */
  constructor(numFeatures: number, ...args: unknown[]) {
    super();
    const o = moduleArgs<Required<InstanceNormOptions> & Record<string, unknown>>(
      this.constructor.name,
      args,
      ["eps", "momentum", "affine", "trackRunningStats", "dtype"],
      { eps: 1e-5, momentum: 0.1, affine: false, trackRunningStats: false, dtype: "float32" },
    );
    this.numFeatures = numFeatures;
    const dtype = o.dtype ?? "float32";
    [this.eps, this.momentum, this.affine, this.trackRunningStats] = [o.eps, o.momentum, o.affine, o.trackRunningStats];
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

  forward(input: Tensor): Tensor {
    const nd = this.nd;
    if (input.dim() !== nd + 1 && input.dim() !== nd + 2)
      throw new ShapeError(
        `${this.constructor.name}: expected ${nd + 1}D or ${nd + 2}D input, got ${fmtShape(input.shape)}`,
      );
    if (input.dim() === nd + 1) return squeeze(this.forward(unsqueeze(input, 0)), 0);
    const self = this as unknown as Record<string, Tensor | null>;
    return instanceNorm(
      input,
      self.running_mean,
      self.running_var,
      this.weight,
      this.bias,
      this.training || !this.trackRunningStats,
      this.momentum,
      this.eps,
    );
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
  }
}

export class InstanceNorm1d extends InstanceNormNd {
  protected readonly nd = 1;
}
export class InstanceNorm2d extends InstanceNormNd {
  protected readonly nd = 2;
}
export class InstanceNorm3d extends InstanceNormNd {
  protected readonly nd = 3;
}

/** nn.LocalResponseNorm(size, alpha = 1e-4, beta = 0.75, k = 1). */
export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(
    readonly size: number,
    ...args: unknown[]
  ) {
    super();
    const o = moduleArgs<{ alpha: number; beta: number; k: number }>(
      "LocalResponseNorm",
      args,
      ["alpha", "beta", "k"],
      { alpha: 1e-4, beta: 0.75, k: 1 },
    );
    [this.alpha, this.beta, this.k] = [o.alpha, o.beta, o.k];
  }
  forward(input: Tensor): Tensor {
    return localResponseNorm(input, this.size, this.alpha, this.beta, this.k);
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
