// More layers: GroupNorm, Dropout2d, PReLU, the smaller activations, and 1-D pooling.
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { full, ones, zeros } from "../../ops/creation.js";
import * as X from "../../ops/nn-ops2.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { type FactoryOptions, moduleArgs, py, pyFloat } from "./util.js";

type IntOrPair = number | readonly number[];

export interface GroupNormOptions extends FactoryOptions { eps?: number; affine?: boolean }
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new ValueError(`GroupNorm: num_channels (${numChannels}) must be divisible by num_groups (${numGroups})`);
    const dtype = opts.dtype ?? "float32";
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }
  forward(input: Tensor): Tensor {
    return X.groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${py(this.affine)}`;
  }
}

export class Dropout2d extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(...args: [] | [number | { p?: number; inplace?: boolean }] | [number, boolean]) {
    super();
    const o = moduleArgs<{ p: number; inplace: boolean }>("Dropout2d", args, ["p", "inplace"], { p: 0.5, inplace: false });
    if (!(o.p >= 0 && o.p <= 1)) throw new ValueError(`Dropout2d: dropout probability has to be between 0 and 1, but got ${o.p}`);
    this.p = o.p;
    this.inplace = o.inplace;
  }
  forward(input: Tensor): Tensor {
    return X.dropout2d(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(this.inplace)}`;
  }
}

/** PReLU with numParameters slopes initialised to `init` (0.25). */
export class PReLU extends Module {
  readonly numParameters: number;
  weight: Parameter;
  constructor(opts: FactoryOptions & { numParameters?: number; init?: number } = {}) {
    super();
    this.numParameters = opts.numParameters ?? 1;
    this.weight = new Parameter(full([this.numParameters], opts.init ?? 0.25, { dtype: opts.dtype ?? "float32" }));
  }
  forward(input: Tensor): Tensor {
    return X.prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/** Activations without options (`inplace` is accepted and ignored, as results are fresh tensors). */
abstract class Elementwise extends Module {
  constructor(..._inplace: [] | [boolean | { inplace?: boolean }]) {
    super();
  }
  protected abstract fn(x: Tensor): Tensor;
  forward(input: Tensor): Tensor {
    return this.fn(input);
  }
}
export class Hardswish extends Elementwise { protected fn(x: Tensor): Tensor { return X.hardswish(x); } }
export class Hardsigmoid extends Elementwise { protected fn(x: Tensor): Tensor { return X.hardsigmoid(x); } }
export class Mish extends Elementwise { protected fn(x: Tensor): Tensor { return X.mish(x); } }
export class SELU extends Elementwise { protected fn(x: Tensor): Tensor { return X.selu(x); } }
export class LogSigmoid extends Elementwise { protected fn(x: Tensor): Tensor { return X.logsigmoid(x); } }
export class Softsign extends Elementwise { protected fn(x: Tensor): Tensor { return X.softsign(x); } }

export class CELU extends Module {
  readonly alpha: number;
  constructor(...args: [] | [number | { alpha?: number; inplace?: boolean }]) {
    super();
    this.alpha = moduleArgs<{ alpha: number; inplace: boolean }>("CELU", args, ["alpha", "inplace"], { alpha: 1 }).alpha;
  }
  forward(input: Tensor): Tensor {
    return X.celu(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
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
    return X.maxPool1d(input, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices) as Tensor;
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
    return X.avgPool1d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad);
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
    return X.adaptiveAvgPool1d(input, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${this.outputSize}`;
  }
}
