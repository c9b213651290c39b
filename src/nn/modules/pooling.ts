// MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d.
import type { Tensor } from "../../tensor.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "../../ops/pool.js";
import { Module } from "../module.js";
import { moduleArgs, py } from "./util.js";
import { adaptiveAvgPool1d, avgPool1d, maxPool1d } from "../../ops/pool1d.js";

type IntOrPair = number | readonly number[];

export interface MaxPool2dOptions<R extends boolean = boolean> {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
  returnIndices?: R;
}

/**
 * Max pooling; stride defaults to the kernel size. With `returnIndices: true` (the type
 * parameter follows it), forward gives [values, indices].
 */
export class MaxPool2d<R extends boolean = false> extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  readonly returnIndices: R;
  constructor(kernelSize: IntOrPair, ...rest: [] | [IntOrPair | null | MaxPool2dOptions<R>] | [IntOrPair | null, MaxPool2dOptions<R>]) {
    super();
    const o = moduleArgs<MaxPool2dOptions<R> & Record<string, unknown>>("MaxPool2d", rest, ["stride", "padding", "dilation", "returnIndices", "ceilMode"], { padding: 0, dilation: 1, ceilMode: false });
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
    this.returnIndices = (o.returnIndices ?? false) as R;
  }
  forward(input: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    const r = maxPool2d(input, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices);
    return r as R extends true ? [Tensor, Tensor] : Tensor;
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, dilation=${py(this.dilation)}, ceil_mode=${py(this.ceilMode)}`;
  }
}

export interface AvgPool2dOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

export class AvgPool2d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(kernelSize: IntOrPair, ...rest: [] | [IntOrPair | null | AvgPool2dOptions] | [IntOrPair | null, AvgPool2dOptions]) {
    super();
    const o = moduleArgs<AvgPool2dOptions & Record<string, unknown>>("AvgPool2d", rest, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], {});
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly (number | null)[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

export interface Pool1dOptions { stride?: IntOrPair | null; padding?: IntOrPair; dilation?: IntOrPair; ceilMode?: boolean; returnIndices?: boolean; countIncludePad?: boolean }

export class MaxPool1d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  constructor(kernelSize: IntOrPair, ...rest: [] | [IntOrPair | null | Pool1dOptions] | [IntOrPair | null, Pool1dOptions]) {
    super();
    const o = moduleArgs<Pool1dOptions & Record<string, unknown>>("MaxPool1d", rest, ["stride", "padding", "dilation", "returnIndices", "ceilMode"], {});
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
    this.returnIndices = o.returnIndices ?? false;
  }
  forward(input: Tensor): Tensor {
    return maxPool1d(input, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices) as Tensor;
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, dilation=${py(this.dilation)}, ceil_mode=${py(this.ceilMode)}`;
  }
}

export class AvgPool1d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  constructor(kernelSize: IntOrPair, ...rest: [] | [IntOrPair | null | Pool1dOptions] | [IntOrPair | null, Pool1dOptions]) {
    super();
    const o = moduleArgs<Pool1dOptions & Record<string, unknown>>("AvgPool1d", rest, ["stride", "padding", "ceilMode", "countIncludePad"], {});
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }
  forward(input: Tensor): Tensor {
    return avgPool1d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad);
  }
  override extraRepr(): string {
    return `kernel_size=${py(ntuple1(this.kernelSize))}, stride=${py(ntuple1(this.stride))}, padding=${py(ntuple1(this.padding))}`;
  }
}
const ntuple1 = (v: IntOrPair): number[] => (typeof v === "number" ? [v] : [...v]);

export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    return adaptiveAvgPool1d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${this.outputSize}`;
  }
}
