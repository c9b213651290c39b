// nn.PixelShuffle, nn.PixelUnshuffle, nn.ChannelShuffle, nn.Fold, nn.Unfold.
import type { Tensor } from "../../tensor.js";
import { channelShuffle, fold, pixelShuffle, pixelUnshuffle, unfold } from "../../ops/vision-ops.js";
import { Module } from "../module.js";
import { moduleArgs, py } from "./util.js";

export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
export class ChannelShuffle extends Module {
  constructor(readonly groups: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    return channelShuffle(input, this.groups);
  }
  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}

type T = number | readonly number[];
interface FoldOpts {
  dilation: T;
  padding: T;
  stride: T;
}

/** nn.Unfold(kernelSize, dilation = 1, padding = 0, stride = 1). */
export class Unfold extends Module {
  readonly kernelSize: T;
  readonly dilation: T;
  readonly padding: T;
  readonly stride: T;
  constructor(kernelSize: T, ...args: unknown[]) {
    super();
    const o = moduleArgs<FoldOpts & Record<string, unknown>>("Unfold", args, ["dilation", "padding", "stride"], {
      dilation: 1,
      padding: 0,
      stride: 1,
    });
    this.kernelSize = kernelSize;
    [this.dilation, this.padding, this.stride] = [o.dilation, o.padding, o.stride];
  }
  forward(input: Tensor): Tensor {
    return unfold(input, this.kernelSize, this.dilation, this.padding, this.stride);
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, dilation=${py(this.dilation)}, padding=${py(this.padding)}, stride=${py(this.stride)}`;
  }
}

/** nn.Fold(outputSize, kernelSize, dilation = 1, padding = 0, stride = 1). */
export class Fold extends Module {
  readonly outputSize: T;
  readonly kernelSize: T;
  readonly dilation: T;
  readonly padding: T;
  readonly stride: T;
  constructor(outputSize: T, kernelSize: T, ...args: unknown[]) {
    super();
    const o = moduleArgs<FoldOpts & Record<string, unknown>>("Fold", args, ["dilation", "padding", "stride"], {
      dilation: 1,
      padding: 0,
      stride: 1,
    });
    [this.outputSize, this.kernelSize] = [outputSize, kernelSize];
    [this.dilation, this.padding, this.stride] = [o.dilation, o.padding, o.stride];
  }
  forward(input: Tensor): Tensor {
    return fold(input, this.outputSize, this.kernelSize, this.dilation, this.padding, this.stride);
  }
  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}, kernel_size=${py(this.kernelSize)}, dilation=${py(this.dilation)}, padding=${py(this.padding)}, stride=${py(this.stride)}`;
  }
}
