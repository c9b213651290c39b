// MaxPool3d, AvgPool3d, AdaptiveMaxPool1d/2d/3d, AdaptiveAvgPool3d, LPPool1d/2d.
import type { Tensor } from "../../tensor.js";
import {
  type IntOrTuple,
  adaptiveAvgPoolNd,
  adaptiveMaxPoolNd,
  avgPoolNd,
  lpPoolNd,
  maxPoolNd,
} from "../../ops/pool-nd.js";
import { Module } from "../module.js";
import { moduleArgs, py, pyFloat } from "./util.js";

type Rec = Record<string, unknown>;

/** nn.MaxPool3d(kernelSize, stride = kernelSize, padding = 0, dilation = 1, returnIndices = false, ceilMode = false). */
export class MaxPool3d extends Module {
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;
  constructor(kernelSize: IntOrTuple, ...args: unknown[]) {
    super();
    const o = moduleArgs<
      {
        stride: IntOrTuple | null;
        padding: IntOrTuple;
        dilation: IntOrTuple;
        returnIndices: boolean;
        ceilMode: boolean;
      } & Rec
    >("MaxPool3d", args, ["stride", "padding", "dilation", "returnIndices", "ceilMode"], {
      stride: null,
      padding: 0,
      dilation: 1,
      returnIndices: false,
      ceilMode: false,
    });
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    [this.padding, this.dilation, this.returnIndices, this.ceilMode] = [
      o.padding,
      o.dilation,
      o.returnIndices,
      o.ceilMode,
    ];
  }
  forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return maxPoolNd(
      3,
      input,
      this.kernelSize,
      this.stride,
      this.padding,
      this.dilation,
      this.ceilMode,
      this.returnIndices,
    );
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, dilation=${py(this.dilation)}, ceil_mode=${py(this.ceilMode)}`;
  }
}

/** nn.AvgPool3d(kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null). */
export class AvgPool3d extends Module {
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(kernelSize: IntOrTuple, ...args: unknown[]) {
    super();
    const o = moduleArgs<
      {
        stride: IntOrTuple | null;
        padding: IntOrTuple;
        ceilMode: boolean;
        countIncludePad: boolean;
        divisorOverride: number | null;
      } & Rec
    >("AvgPool3d", args, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], {
      stride: null,
      padding: 0,
      ceilMode: false,
      countIncludePad: true,
      divisorOverride: null,
    });
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    [this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride] = [
      o.padding,
      o.ceilMode,
      o.countIncludePad,
      o.divisorOverride,
    ];
  }
  forward(input: Tensor): Tensor {
    return avgPoolNd(
      3,
      input,
      this.kernelSize,
      this.stride,
      this.padding,
      this.ceilMode,
      this.countIncludePad,
      this.divisorOverride,
    );
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

type OutSize = number | readonly (number | null)[];
abstract class AdaptiveMaxPoolNd extends Module {
  protected abstract readonly nd: number;
  readonly outputSize: OutSize;
  readonly returnIndices: boolean;
  /** (outputSize, returnIndices = false). */
  constructor(outputSize: OutSize, ...args: unknown[]) {
    super();
    this.outputSize = outputSize;
    this.returnIndices = moduleArgs<{ returnIndices: boolean }>(this.constructor.name, args, ["returnIndices"], {
      returnIndices: false,
    }).returnIndices;
  }
  forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return adaptiveMaxPoolNd(this.nd, input, this.outputSize, this.returnIndices);
  }
  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}
export class AdaptiveMaxPool1d extends AdaptiveMaxPoolNd {
  protected readonly nd = 1;
}
export class AdaptiveMaxPool2d extends AdaptiveMaxPoolNd {
  protected readonly nd = 2;
}
export class AdaptiveMaxPool3d extends AdaptiveMaxPoolNd {
  protected readonly nd = 3;
}

export class AdaptiveAvgPool3d extends Module {
  constructor(readonly outputSize: OutSize) {
    super();
  }
  forward(input: Tensor): Tensor {
    return adaptiveAvgPoolNd(3, input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

abstract class LPPoolNd extends Module {
  protected abstract readonly nd: number;
  readonly normType: number;
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple | null;
  readonly ceilMode: boolean;
  /** (normType, kernelSize, stride = null, ceilMode = false). */
  constructor(normType: number, kernelSize: IntOrTuple, ...args: unknown[]) {
    super();
    const o = moduleArgs<{ stride: IntOrTuple | null; ceilMode: boolean }>(
      this.constructor.name,
      args,
      ["stride", "ceilMode"],
      { stride: null, ceilMode: false },
    );
    [this.normType, this.kernelSize, this.stride, this.ceilMode] = [normType, kernelSize, o.stride, o.ceilMode];
  }
  forward(input: Tensor): Tensor {
    return lpPoolNd(this.nd, input, this.normType, this.kernelSize, this.stride, this.ceilMode);
  }
  override extraRepr(): string {
    return `norm_type=${pyFloat(this.normType)}, kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, ceil_mode=${py(this.ceilMode)}`;
  }
}
export class LPPool1d extends LPPoolNd {
  protected readonly nd = 1;
}
export class LPPool2d extends LPPoolNd {
  protected readonly nd = 2;
}
