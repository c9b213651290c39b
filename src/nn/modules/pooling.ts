// MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d.
import type { Tensor } from "../../tensor.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "../../ops/pool.js";
import { Module } from "../module.js";
import { py } from "./util.js";
import { type Args, type ArgsOf, signature } from "../../internal/args.js";
import { adaptiveAvgPool1d, avgPool1d, maxPool1d } from "../../ops/pool1d.js";

type IntOrPair = number | readonly number[];
const MAX_POOL_NAMES = ["kernelSize", "stride", "padding", "dilation", "returnIndices", "ceilMode"] as const;
const MAX_POOL_DEFAULTS = { stride: null, padding: 0, dilation: 1, returnIndices: false, ceilMode: false } as const;

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
export interface MaxPool2dParams<R extends boolean = boolean> extends MaxPool2dOptions<R> {
  kernelSize: IntOrPair;
}
const maxPool2dArgs = signature<MaxPool2dParams>()("MaxPool2d", MAX_POOL_NAMES, MAX_POOL_DEFAULTS);

export class MaxPool2d<R extends boolean = false> extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  readonly returnIndices: R;
  constructor(...args: Args<MaxPool2dParams<R>, typeof MAX_POOL_NAMES>) {
    super();
    const { kernelSize, ...o } = maxPool2dArgs.parse(args);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
    this.returnIndices = (o.returnIndices ?? false) as R;
  }
  forward(input: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    const r = maxPool2d(
      input,
      this.kernelSize,
      this.stride,
      this.padding,
      this.dilation,
      this.ceilMode,
      this.returnIndices,
    );
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

export interface AvgPool2dParams extends AvgPool2dOptions {
  kernelSize: IntOrPair;
}
const avgPool2dArgs = signature<AvgPool2dParams>()(
  "AvgPool2d",
  ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"],
  { stride: null, padding: 0, ceilMode: false, countIncludePad: true, divisorOverride: null },
);
const adaptiveAvgPool2dArgs = signature<{ outputSize: number | readonly (number | null)[] }>()(
  "AdaptiveAvgPool2d",
  ["outputSize"],
  {},
);

export class AvgPool2d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(...args: ArgsOf<typeof avgPool2dArgs>) {
    super();
    const { kernelSize, ...o } = avgPool2dArgs.parse(args);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  forward(input: Tensor): Tensor {
    return avgPool2d(
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

export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: number | readonly (number | null)[];
  constructor(...args: ArgsOf<typeof adaptiveAvgPool2dArgs>) {
    super();
    this.outputSize = adaptiveAvgPool2dArgs.parse(args).outputSize;
  }
  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}

export interface Pool1dOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
  returnIndices?: boolean;
  countIncludePad?: boolean;
}
type Pool1dParams = Pool1dOptions & { kernelSize: IntOrPair };
const maxPool1dArgs = signature<Omit<Pool1dParams, "countIncludePad">>()(
  "MaxPool1d",
  MAX_POOL_NAMES,
  MAX_POOL_DEFAULTS,
);
const avgPool1dArgs = signature<Omit<Pool1dParams, "dilation" | "returnIndices">>()(
  "AvgPool1d",
  ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad"],
  { stride: null, padding: 0, ceilMode: false, countIncludePad: true },
);
const adaptiveAvgPool1dArgs = signature<{ outputSize: number }>()("AdaptiveAvgPool1d", ["outputSize"], {});

export class MaxPool1d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  constructor(...args: ArgsOf<typeof maxPool1dArgs>) {
    super();
    const { kernelSize, ...o } = maxPool1dArgs.parse(args);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
    this.returnIndices = o.returnIndices ?? false;
  }
  forward(input: Tensor): Tensor {
    return maxPool1d(
      input,
      this.kernelSize,
      this.stride,
      this.padding,
      this.dilation,
      this.ceilMode,
      this.returnIndices,
    ) as Tensor;
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
  constructor(...args: ArgsOf<typeof avgPool1dArgs>) {
    super();
    const { kernelSize, ...o } = avgPool1dArgs.parse(args);
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
  readonly outputSize: number;
  constructor(...args: ArgsOf<typeof adaptiveAvgPool1dArgs>) {
    super();
    this.outputSize = adaptiveAvgPool1dArgs.parse(args).outputSize;
  }
  forward(input: Tensor): Tensor {
    return adaptiveAvgPool1d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${this.outputSize}`;
  }
}
